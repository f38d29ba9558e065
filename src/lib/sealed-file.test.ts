import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { FileSealer, SealedFileError } from './sealed-file.js'

const CHUNK = 64 * 1024
const STORED = CHUNK + 16
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chorus-sealed-'))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

const sealer = new FileSealer(crypto.randomBytes(32))
let n = 0
const fileName = () => path.join(dir, `f${++n}.sealed`)

/** Content with a recognisable identity number every 1,000 bytes. */
function content(size: number): Buffer {
  const out = Buffer.alloc(size)
  for (let i = 0; i < size; i++) out[i] = (i * 31 + 7) % 251
  for (let at = 0; at + 18 <= size; at += 1000) out.write('37152419600101001X', at, 'latin1')
  return out
}

/** Writes through the stream in uneven pieces, as an upload or ExcelJS would. */
async function sealed(plain: Buffer): Promise<string> {
  const file = fileName()
  const out = sealer.createWriteStream(file)
  const done = new Promise<void>((resolve, reject) => {
    out.once('finish', resolve)
    out.once('error', reject)
  })
  for (let at = 0, step = 1; at < plain.length; at += step, step = (step * 7 + 3) % 40_000 + 1) out.write(plain.subarray(at, at + step))
  out.end()
  await done
  return file
}

/** The whole content, through random access. */
async function unsealed(file: string, key = sealer): Promise<Buffer> {
  const opened = await key.open(file)
  try {
    return await opened.readAt(0, opened.size)
  } finally {
    await opened.close()
  }
}

describe('sealed files', () => {
  it('give back exactly what was written, at any size, and keep it unreadable on disk', async () => {
    for (const size of [0, 1, 1000, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 200_000]) {
      const plain = content(size)
      const file = await sealed(plain)
      expect((await unsealed(file)).equals(plain)).toBe(true)
      const onDisk = fs.readFileSync(file)
      expect(onDisk.length).toBe(16 + Math.floor(size / CHUNK) * STORED + (size % CHUNK) + 16)
      if (size >= 18) expect(onDisk.includes('37152419600101001X')).toBe(false)
      expect(fs.statSync(file).mode & 0o777).toBe(0o600)
    }
  })

  it('reads any range, across chunk boundaries, by offset and as a stream', async () => {
    const plain = content(3 * CHUNK + 12_345)
    const file = await sealed(plain)
    const opened = await sealer.open(file)
    expect(opened.size).toBe(plain.length)
    const ranges: [number, number][] = [[0, 10], [CHUNK - 5, 10], [CHUNK, CHUNK], [2 * CHUNK - 1, CHUNK + 2], [plain.length - 3, 100], [plain.length + 5, 10], [17, 0]]
    for (const [at, length] of ranges) {
      expect((await opened.readAt(at, length)).equals(plain.subarray(at, at + length))).toBe(true)
    }
    await opened.close()
    const streamed: [number, number][] = [[0, plain.length - 1], [CHUNK - 1, CHUNK], [100, 2 * CHUNK + 100], [plain.length - 1, plain.length - 1]]
    for (const [start, end] of streamed) {
      const reader = await sealer.open(file)
      const parts: Buffer[] = []
      for await (const part of reader.stream(start, end)) parts.push(part as Buffer)
      expect(Buffer.concat(parts).equals(plain.subarray(start, end + 1))).toBe(true)
    }
  })

  it('refuses a file that was changed, cut short, reordered, sealed under another key or never sealed', async () => {
    const plain = content(2 * CHUNK + 500)
    const original = fs.readFileSync(await sealed(plain))
    const refused = async (bytes: Buffer, key?: FileSealer) => {
      const file = fileName()
      fs.writeFileSync(file, bytes)
      const error = await unsealed(file, key).then(() => null, (err: unknown) => err)
      expect(error).toBeInstanceOf(SealedFileError)
      return (error as SealedFileError).problem
    }
    const flipped = Buffer.from(original)
    flipped[16 + CHUNK + 100]! ^= 1
    expect(await refused(flipped)).toMatch(/chunk 1 does not authenticate/)
    // Cut at a chunk boundary (the last chunk gone) and inside the last chunk.
    expect(await refused(original.subarray(0, 16 + 2 * STORED))).toBe('cut short')
    expect(await refused(original.subarray(0, original.length - 100))).toMatch(/does not authenticate/)
    const swapped = Buffer.concat([original.subarray(0, 16), original.subarray(16 + STORED, 16 + 2 * STORED), original.subarray(16, 16 + STORED), original.subarray(16 + 2 * STORED)])
    expect(await refused(swapped)).toMatch(/chunk 0 does not authenticate/)
    expect(await refused(original, new FileSealer(crypto.randomBytes(32)))).toMatch(/does not authenticate/)
    expect(await refused(plain)).toBe('not a sealed file')
  })
})
