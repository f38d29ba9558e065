import crypto from 'node:crypto'
import fs from 'node:fs'
import { Readable, Writable } from 'node:stream'
import { randomBytes } from './tokens.js'

/**
 * Files that hold personal information in clear inside (uploaded spreadsheets, error reports,
 * exports) are sealed at rest: AES-256-GCM in 64 KiB chunks, so they are written as a stream and
 * read at any offset (the xlsx reader seeks) without holding a whole file in memory.
 *
 * Layout: `CHSEAL01` | 8-byte file nonce | chunks. Chunk i is its ciphertext followed by its 16-byte
 * tag; its IV is the file nonce and i (so chunks cannot be reordered), and its additional data says
 * whether it is the last one (so a file cut short, even at a chunk boundary, is refused). Every chunk
 * but the last holds exactly 64 KiB; the last holds less (possibly nothing).
 */
const MAGIC = Buffer.from('CHSEAL01', 'latin1')
const HEADER_BYTES = 16
const CHUNK_BYTES = 64 * 1024
const TAG_BYTES = 16
const STORED_CHUNK_BYTES = CHUNK_BYTES + TAG_BYTES
const LAST = Buffer.from([1])
const NOT_LAST = Buffer.from([0])

/** A sealed file that is damaged, cut short, not sealed, or sealed under another key. */
export class SealedFileError extends Error {
  constructor(readonly path: string, readonly problem: string) {
    super(`sealed file ${path}: ${problem}`)
  }
}

/** Random access to a sealed file's contents; `stream` takes over the handle and closes it when done. */
export interface OpenedFile {
  /** Bytes of content (not of the file on disk). */
  size: number
  readAt(position: number, length: number): Promise<Buffer>
  /** The content from `start` to `end` (inclusive); the file is closed when the stream ends or is destroyed. */
  stream(start?: number, end?: number): Readable
  close(): Promise<void>
}

export class FileSealer {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('the file sealing key must be 32 bytes')
  }

  private static iv(nonce: Buffer, index: number): Buffer {
    const iv = Buffer.alloc(12)
    nonce.copy(iv, 0, 0, 8)
    iv.writeUInt32BE(index, 8)
    return iv
  }

  sealChunk(nonce: Buffer, index: number, plain: Buffer, last: boolean): Buffer {
    const cipher = crypto.createCipheriv('aes-256-gcm', this.key, FileSealer.iv(nonce, index))
    cipher.setAAD(last ? LAST : NOT_LAST)
    return Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()])
  }

  openChunk(path: string, nonce: Buffer, index: number, stored: Buffer, last: boolean): Buffer {
    if (stored.length < TAG_BYTES) throw new SealedFileError(path, 'cut short')
    const decipher = crypto.createDecipheriv('aes-256-gcm', this.key, FileSealer.iv(nonce, index))
    decipher.setAAD(last ? LAST : NOT_LAST)
    decipher.setAuthTag(stored.subarray(stored.length - TAG_BYTES))
    try {
      return Buffer.concat([decipher.update(stored.subarray(0, stored.length - TAG_BYTES)), decipher.final()])
    } catch {
      throw new SealedFileError(path, `chunk ${index} does not authenticate (damaged, cut short or another key)`)
    }
  }

  /** A new sealed file (mode 0600); it is complete once the stream has finished. */
  createWriteStream(path: string): Writable {
    return new SealingWriter(this, path)
  }

  async open(path: string): Promise<OpenedFile> {
    const handle = await fs.promises.open(path, 'r')
    try {
      const { size: stored } = await handle.stat()
      const header = Buffer.alloc(HEADER_BYTES)
      const { bytesRead } = await handle.read(header, 0, HEADER_BYTES, 0)
      if (bytesRead < HEADER_BYTES || !header.subarray(0, 8).equals(MAGIC)) throw new SealedFileError(path, 'not a sealed file')
      const body = stored - HEADER_BYTES
      const lastStored = body % STORED_CHUNK_BYTES
      // The last chunk always carries its tag, so a body that ends on a chunk boundary lost its last chunk.
      if (lastStored < TAG_BYTES) throw new SealedFileError(path, 'cut short')
      const reader = new SealedReader(this, path, handle, header.subarray(8, 16), Math.floor(body / STORED_CHUNK_BYTES) + 1, lastStored)
      // The last chunk is read now: another key or a file cut short is refused before anything is served.
      await reader.lastChunk()
      return reader
    } catch (err) {
      await handle.close()
      throw err
    }
  }
}

class SealingWriter extends Writable {
  private handle: fs.promises.FileHandle | null = null
  private readonly nonce = randomBytes(8)
  private pending: Buffer[] = []
  private pendingBytes = 0
  private index = 0

  constructor(private readonly sealer: FileSealer, private readonly path: string) {
    super()
  }

  override _construct(callback: (err?: Error | null) => void): void {
    fs.promises.open(this.path, 'w', 0o600)
      .then(async (handle) => {
        this.handle = handle
        await handle.write(Buffer.concat([MAGIC, this.nonce]))
      })
      .then(() => callback(), callback)
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    this.pending.push(chunk)
    this.pendingBytes += chunk.length
    this.writeFullChunks().then(() => callback(), callback)
  }

  private async writeFullChunks(): Promise<void> {
    if (this.pendingBytes < CHUNK_BYTES) return
    let all = Buffer.concat(this.pending)
    while (all.length >= CHUNK_BYTES) {
      await this.handle!.write(this.sealer.sealChunk(this.nonce, this.index++, all.subarray(0, CHUNK_BYTES), false))
      all = all.subarray(CHUNK_BYTES)
    }
    this.pending = [all]
    this.pendingBytes = all.length
  }

  override _final(callback: (err?: Error | null) => void): void {
    const handle = this.handle!
    handle.write(this.sealer.sealChunk(this.nonce, this.index++, Buffer.concat(this.pending), true))
      .then(() => handle.close())
      .then(() => {
        this.handle = null
        callback()
      }, callback)
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    const handle = this.handle
    this.handle = null
    if (!handle) return callback(err)
    handle.close().then(() => callback(err), () => callback(err))
  }
}

class SealedReader implements OpenedFile {
  readonly size: number
  private cached: { index: number; plain: Buffer } | null = null

  constructor(
    private readonly sealer: FileSealer, private readonly path: string, private readonly handle: fs.promises.FileHandle,
    private readonly nonce: Buffer, private readonly chunks: number, private readonly lastStored: number,
  ) {
    this.size = (chunks - 1) * CHUNK_BYTES + (lastStored - TAG_BYTES)
  }

  private async chunk(index: number): Promise<Buffer> {
    if (this.cached?.index === index) return this.cached.plain
    const last = index === this.chunks - 1
    const length = last ? this.lastStored : STORED_CHUNK_BYTES
    const stored = Buffer.alloc(length)
    const { bytesRead } = await this.handle.read(stored, 0, length, HEADER_BYTES + index * STORED_CHUNK_BYTES)
    if (bytesRead < length) throw new SealedFileError(this.path, 'cut short')
    const plain = this.sealer.openChunk(this.path, this.nonce, index, stored, last)
    this.cached = { index, plain }
    return plain
  }

  lastChunk(): Promise<Buffer> {
    return this.chunk(this.chunks - 1)
  }

  async readAt(position: number, length: number): Promise<Buffer> {
    const start = Math.max(0, Math.min(position, this.size))
    const end = Math.min(this.size, start + Math.max(0, length))
    if (end <= start) return Buffer.alloc(0)
    const parts: Buffer[] = []
    for (let i = Math.floor(start / CHUNK_BYTES); i * CHUNK_BYTES < end; i++) {
      const plain = await this.chunk(i)
      const from = Math.max(start - i * CHUNK_BYTES, 0)
      const to = Math.min(end - i * CHUNK_BYTES, plain.length)
      parts.push(plain.subarray(from, to))
    }
    return parts.length === 1 ? Buffer.from(parts[0]!) : Buffer.concat(parts)
  }

  stream(start = 0, end = this.size - 1): Readable {
    const chunkAt = (i: number) => this.chunk(i)
    const close = () => this.close()
    const from = Math.max(0, start)
    const to = Math.min(end + 1, this.size)
    async function* chunks(): AsyncGenerator<Buffer> {
      try {
        for (let i = Math.floor(from / CHUNK_BYTES); i * CHUNK_BYTES < to; i++) {
          const plain = await chunkAt(i)
          yield Buffer.from(plain.subarray(Math.max(from - i * CHUNK_BYTES, 0), Math.min(to - i * CHUNK_BYTES, plain.length)))
        }
      } finally {
        await close()
      }
    }
    return Readable.from(chunks(), { objectMode: false })
  }

  close(): Promise<void> {
    this.cached = null
    return this.handle.close().catch(() => undefined)
  }
}
