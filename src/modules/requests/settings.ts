import path from 'node:path'

/**
 * Settings of the request loop, from the environment (the shared Config stays small):
 * - CHORUS_PHOTO_MAX_BYTES: largest photo accepted (default 8 MiB); at most 5 per request.
 * - CHORUS_INTAKE_PER_ADDRESS_HOUR / CHORUS_INTAKE_PER_DEVICE_HOUR: public submits allowed per
 *   client address and per device in an hour (default 120 and 10; mobile carriers put many phones
 *   behind one address, so the device limit is the tight one). Uploads get 5× these.
 * - CHORUS_NOTIFY_WEBHOOK: URL the outbox POSTs notifications to (an SMS / WeChat gateway); unset: in-app only.
 * - CHORUS_PUBLIC_URL: origin for absolute tracking links (e.g. https://chorus.example.gov.cn); unset: relative links.
 * - CHORUS_SWEEP_SECONDS: how often the deadline sweep and the outbox run (default 60; 0 turns background work off).
 * - CHORUS_AUTO_CLOSE_DAYS: resolved cases close by themselves after this many days (default 15).
 * - CHORUS_INTAKE_ROUTE_LAG_SECONDS: during a surge of QR submits, how long an acknowledged submit may
 *   wait before routing takes turns with new submits (default 30).
 * - CHORUS_INTAKE_IDLE_MS: quiet time after the last QR submit before waiting submits are routed (default 50).
 */
export interface RequestSettings {
  uploadsDir: string
  photoMaxBytes: number
  uploadTtlMinutes: number
  intakePerAddressPerHour: number
  intakePerDevicePerHour: number
  notifyWebhook: string | null
  publicUrl: string | null
  sweepSeconds: number
  autoCloseDays: number
  intakeRouteLagSeconds: number
  intakeIdleMs: number
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 1): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer ≥ ${min}, got "${raw}"`)
  return value
}

function url(env: NodeJS.ProcessEnv, name: string): string | null {
  const raw = env[name]?.trim()
  if (!raw) return null
  const parsed = new URL(raw) // throws on garbage: better at start than at the first notification
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`${name} must be an http(s) URL`)
  return raw.replace(/\/$/, '')
}

export function requestSettings(dataDir: string, env: NodeJS.ProcessEnv = process.env): RequestSettings {
  return {
    uploadsDir: path.join(dataDir, 'uploads'),
    photoMaxBytes: int(env, 'CHORUS_PHOTO_MAX_BYTES', 8 * 1024 * 1024),
    uploadTtlMinutes: 24 * 60,
    intakePerAddressPerHour: int(env, 'CHORUS_INTAKE_PER_ADDRESS_HOUR', 120),
    intakePerDevicePerHour: int(env, 'CHORUS_INTAKE_PER_DEVICE_HOUR', 10),
    notifyWebhook: url(env, 'CHORUS_NOTIFY_WEBHOOK'),
    publicUrl: url(env, 'CHORUS_PUBLIC_URL'),
    sweepSeconds: int(env, 'CHORUS_SWEEP_SECONDS', 60, 0),
    autoCloseDays: int(env, 'CHORUS_AUTO_CLOSE_DAYS', 15),
    intakeRouteLagSeconds: int(env, 'CHORUS_INTAKE_ROUTE_LAG_SECONDS', 30, 0),
    intakeIdleMs: int(env, 'CHORUS_INTAKE_IDLE_MS', 50, 1),
  }
}
