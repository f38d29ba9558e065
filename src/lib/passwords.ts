import crypto from 'node:crypto'
import { promisify } from 'node:util'
import { safeEqual } from './tokens.js'

const scrypt = promisify(crypto.scrypt) as (pw: string, salt: Buffer, len: number, opts: crypto.ScryptOptions) => Promise<Buffer>
const N = 16384
const r = 8
const p = 1
const KEY_LENGTH = 32

/** scrypt$N$r$p$salt$hash — parameters are stored so they can be raised later. */
export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.randomBytes(16)
  const key = await scrypt(password, salt, KEY_LENGTH, { N, r, p, maxmem: 64 * 1024 * 1024 })
  return ['scrypt', N, r, p, salt.toString('base64url'), key.toString('base64url')].join('$')
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, rr, pp, salt, hash] = stored.split('$')
  if (scheme !== 'scrypt' || !n || !rr || !pp || !salt || !hash) return false
  const key = await scrypt(password, Buffer.from(salt, 'base64url'), KEY_LENGTH, {
    N: Number(n), r: Number(rr), p: Number(pp), maxmem: 64 * 1024 * 1024,
  })
  return safeEqual(key.toString('base64url'), hash)
}

/** A hash of nothing, compared against when the username is unknown, so timing reveals nothing. */
let dummy: Promise<string> | null = null
export const dummyPasswordHash = (): Promise<string> => (dummy ??= hashPassword(crypto.randomBytes(12).toString('hex')))

export const MIN_PASSWORD_LENGTH = 10

export function passwordProblem(username: string, password: string): string | null {
  if ([...password].length < MIN_PASSWORD_LENGTH) return 'too_short'
  if (password.toLowerCase() === username.toLowerCase()) return 'same_as_username'
  return null
}

/** A readable generated password (for the first administrator and demo accounts). */
export function generatePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789'
  const bytes = crypto.randomBytes(16)
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('')
}
