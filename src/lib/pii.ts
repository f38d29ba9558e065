import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { FileSealer } from './sealed-file.js'
import { randomBytes } from './tokens.js'

/**
 * Personal information (identity numbers, mobile numbers): validated, encrypted at rest with
 * AES-256-GCM, found by exact value through a keyed hash (HMAC), and masked for display.
 */

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const ID_CHECK = '10X98765432'

/** GB 11643-1999: 17 digits, a valid birth date, and the ISO 7064 MOD 11-2 check character. */
export function isValidIdNumber(value: string): boolean {
  const v = value.toUpperCase()
  if (!/^[1-9]\d{16}[\dX]$/.test(v)) return false
  const birth = v.slice(6, 14)
  const y = Number(birth.slice(0, 4))
  const m = Number(birth.slice(4, 6))
  const d = Number(birth.slice(6, 8))
  const date = new Date(Date.UTC(y, m - 1, d))
  if (y < 1900 || date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return false
  if (date.getTime() > Date.now()) return false
  const sum = ID_WEIGHTS.reduce((acc, w, i) => acc + w * Number(v[i]), 0)
  return ID_CHECK[sum % 11] === v[17]
}

/** The check character for 17 digits (used by the demo generator and tests to make valid numbers). */
export function idCheckChar(first17: string): string {
  const sum = ID_WEIGHTS.reduce((acc, w, i) => acc + w * Number(first17[i]), 0)
  return ID_CHECK[sum % 11] as string
}

/** Birth date and gender carried inside an identity number. */
export function idNumberFacts(value: string): { birthDate: string; gender: 'male' | 'female' } {
  const v = value.toUpperCase()
  return {
    birthDate: `${v.slice(6, 10)}-${v.slice(10, 12)}-${v.slice(12, 14)}`,
    gender: Number(v[16]) % 2 === 1 ? 'male' : 'female',
  }
}

/** An 11-digit mainland mobile number (1[3-9]x xxxx xxxx); spaces, dashes and +86 are tolerated. */
export function normalizeMobile(value: string): string | null {
  const digits = value.replace(/[\s-]/g, '').replace(/^(\+?86)/, '')
  return /^1[3-9]\d{9}$/.test(digits) ? digits : null
}

export const normalizeIdNumber = (value: string): string => value.trim().toUpperCase()

export const maskIdNumber = (v: string): string => `${v.slice(0, 4)}${'*'.repeat(Math.max(v.length - 8, 0))}${v.slice(-4)}`
export const maskMobile = (v: string): string => `${v.slice(0, 3)}****${v.slice(-4)}`

export class PiiCipher {
  private readonly encKey: Buffer
  private readonly macKey: Buffer
  /** Seals job files (uploaded spreadsheets, error reports, exports) at rest. */
  readonly files: FileSealer

  constructor(masterKey: Buffer) {
    if (masterKey.length !== 32) throw new Error('the personal-information key must be 32 bytes')
    // Separate keys for encryption and lookup hashes, derived from one master key.
    this.encKey = Buffer.from(crypto.hkdfSync('sha256', masterKey, Buffer.alloc(0), 'chorus pii encryption', 32))
    this.macKey = Buffer.from(crypto.hkdfSync('sha256', masterKey, Buffer.alloc(0), 'chorus pii lookup', 32))
    this.files = new FileSealer(Buffer.from(crypto.hkdfSync('sha256', masterKey, Buffer.alloc(0), 'chorus job files', 32)))
  }

  /** v1.<iv>.<tag>.<ciphertext>, base64url. */
  encrypt(plain: string): string {
    const iv = randomBytes(12)
    const cipher = crypto.createCipheriv('aes-256-gcm', this.encKey, iv)
    const head = cipher.update(plain, 'utf8')
    const tail = cipher.final() // empty for GCM, kept for form's sake
    const body = tail.length === 0 ? head : Buffer.concat([head, tail])
    return `v1.${iv.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}.${body.toString('base64url')}`
  }

  decrypt(stored: string): string {
    const [version, iv, tag, body] = stored.split('.')
    if (version !== 'v1' || !iv || !tag || body === undefined) throw new Error('unknown ciphertext format')
    const decipher = crypto.createDecipheriv('aes-256-gcm', this.encKey, Buffer.from(iv, 'base64url'))
    decipher.setAuthTag(Buffer.from(tag, 'base64url'))
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8')
  }

  /** Deterministic keyed hash for exact-match search; reveals nothing without the key. */
  lookupHash(plain: string): string {
    return crypto.createHmac('sha256', this.macKey).update(plain).digest('base64url')
  }
}

/**
 * The key comes from CHORUS_PII_KEY (32 bytes, base64). Without it, one is generated once into
 * the data directory — with a loud warning, because losing that file loses the data.
 */
export function loadPiiKey(env: NodeJS.ProcessEnv, dataDir: string, warn: (msg: string) => void): Buffer {
  const configured = env.CHORUS_PII_KEY
  if (configured) {
    const key = Buffer.from(configured, 'base64')
    if (key.length !== 32) throw new Error('CHORUS_PII_KEY must be 32 bytes encoded in base64 (openssl rand -base64 32)')
    return key
  }
  const file = path.join(dataDir, 'keys', 'pii.key')
  if (fs.existsSync(file)) return Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64')
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 })
  const key = crypto.randomBytes(32)
  // Written whole under a temporary name, then linked into place: link fails if the file exists, so two
  // processes starting together on one data directory end up with the same key (the first one's).
  const temporary = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}`
  fs.writeFileSync(temporary, key.toString('base64') + '\n', { mode: 0o600 })
  try {
    fs.linkSync(temporary, file)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    return Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64')
  } finally {
    fs.rmSync(temporary, { force: true })
  }
  warn(
    `\n  !!! CHORUS_PII_KEY is not set: generated a personal-information key at ${file}.\n` +
      '  !!! Back this file up and keep it secret: without it, identity and phone numbers cannot be read.\n' +
      '  !!! In production set CHORUS_PII_KEY (openssl rand -base64 32) instead.\n',
  )
  return key
}
