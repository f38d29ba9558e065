import path from 'node:path'

export interface Config {
  port: number
  host: string
  dataDir: string
  /** postgres://… when set; otherwise the embedded SQLite file under dataDir. */
  databaseUrl: string | null
  sessionIdleMinutes: number
  sessionAbsoluteMinutes: number
  adminPassword: string | null
  bodyLimitBytes: number
  logLevel: string
  /** Secure cookies need HTTPS; behind a TLS proxy set CHORUS_SECURE_COOKIES=on. */
  secureCookies: boolean
  webDir: string | null
  demo: 'off' | 'small' | 'full'
  demoPassword: string | null
  trustProxy: boolean
  /** Excel imports: most data rows a file may hold, and the largest upload accepted. */
  importMaxRows: number
  importMaxBytes: number
  /** Exports with more rows than this run as background jobs instead of streaming directly. */
  exportDirectMaxRows: number
}

function intFrom(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`)
  return value
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const dataDir = path.resolve(env.CHORUS_DATA_DIR || './data')
  const databaseUrl = env.DATABASE_URL && env.DATABASE_URL.trim() !== '' ? env.DATABASE_URL : null
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new Error('DATABASE_URL must start with postgres:// (leave it unset for the embedded SQLite database)')
  }
  const demo = (env.CHORUS_DEMO || 'small').toLowerCase()
  return {
    port: intFrom(env, 'PORT', 3000),
    host: env.HOST || '0.0.0.0',
    dataDir,
    databaseUrl,
    sessionIdleMinutes: intFrom(env, 'CHORUS_SESSION_IDLE_MINUTES', 120),
    sessionAbsoluteMinutes: intFrom(env, 'CHORUS_SESSION_ABSOLUTE_MINUTES', 720),
    adminPassword: env.CHORUS_ADMIN_PASSWORD || null,
    bodyLimitBytes: intFrom(env, 'CHORUS_BODY_LIMIT_BYTES', 1024 * 1024),
    logLevel: env.LOG_LEVEL || 'info',
    secureCookies: env.CHORUS_SECURE_COOKIES === 'on',
    webDir: env.CHORUS_WEB_DIR || null,
    demo: demo === 'off' ? 'off' : demo === 'full' ? 'full' : 'small',
    demoPassword: env.CHORUS_DEMO_PASSWORD || null,
    trustProxy: env.CHORUS_TRUST_PROXY === 'on',
    importMaxRows: intFrom(env, 'CHORUS_IMPORT_MAX_ROWS', 100_000),
    importMaxBytes: intFrom(env, 'CHORUS_IMPORT_MAX_BYTES', 64 * 1024 * 1024),
    exportDirectMaxRows: intFrom(env, 'CHORUS_EXPORT_DIRECT_MAX_ROWS', 5_000),
  }
}
