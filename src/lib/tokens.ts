import crypto from 'node:crypto'

/** An unguessable token for cookies, tracking codes and keys (base64url, 256 bits by default). */
export const randomToken = (bytes = 32): string => crypto.randomBytes(bytes).toString('base64url')
export const sha256 = (value: string): string => crypto.createHash('sha256').update(value).digest('hex')

/** Compares two strings in constant time. */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a)
  const bb = Buffer.from(b)
  return ab.length === bb.length && crypto.timingSafeEqual(ab, bb)
}
