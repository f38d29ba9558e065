import crypto from 'node:crypto'

// Random bytes are drawn from the system's generator 4 KiB at a time (as Node's randomUUID does):
// one call per token cost more than the rest of a QR submit's answer. Each byte is handed out once.
const POOL_BYTES = 4096
const pool = Buffer.alloc(POOL_BYTES)
let used = POOL_BYTES

/** Fresh random bytes from the pool (a copy; never shared). */
export function randomBytes(bytes: number): Buffer {
  if (bytes > POOL_BYTES / 4) return crypto.randomBytes(bytes)
  if (used + bytes > POOL_BYTES) {
    crypto.randomFillSync(pool)
    used = 0
  }
  const out = Buffer.from(pool.subarray(used, used + bytes))
  pool.fill(0, used, used + bytes)
  used += bytes
  return out
}

/** An unguessable token for cookies, tracking codes and keys (base64url, 256 bits by default). */
export const randomToken = (bytes = 32): string => randomBytes(bytes).toString('base64url')
// crypto.hash (Node ≥ 20.12) is one call instead of a Hash object: about half the cost for short inputs.
export const sha256 = (value: string): string => crypto.hash('sha256', value, 'hex')

/** Compares two strings in constant time. */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a)
  const bb = Buffer.from(b)
  return ab.length === bb.length && crypto.timingSafeEqual(ab, bb)
}
