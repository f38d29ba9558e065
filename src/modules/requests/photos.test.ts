import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, dialects, type TestApp } from '../../../test/support/app.js'
import { jpegWithExif, requestCounty, requestIdOf, submitPublicRequest } from '../../../test/support/factories.js'
import { cleanPhoto, PhotoError, readExifOrientation, sniffPhoto } from './photos.js'

process.env.CHORUS_INTAKE_PER_ADDRESS_HOUR = '100000'
process.env.CHORUS_INTAKE_PER_DEVICE_HOUR = '100000'

// --- builders: real container structure, with the metadata a phone or an editor leaves behind ----------

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})
const crc32 = (buf: Buffer) => {
  let c = 0xffffffff
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8)
  head.writeUInt32BE(data.length, 0)
  head.write(type, 4, 'latin1')
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])))
  return Buffer.concat([head, data, crc])
}

/** A 1×1 PNG with a tEXt GPS comment, an eXIf block, XMP in iTXt and a tIME stamp. */
function pngWithMetadata(): Buffer {
  const ihdr = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0])
  const idat = Buffer.from('789c63f8cfc0f01f0005fe02fe', 'hex')
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('tEXt', Buffer.from('Comment\0GPS 36.3N 116.2E', 'latin1')),
    pngChunk('eXIf', Buffer.from('MM\0*\0\0\0\x08GPSDATA', 'latin1')),
    pngChunk('iTXt', Buffer.from('XML:com.adobe.xmp\0\0\0\0\0<x:xmpmeta>GPSLatitude</x:xmpmeta>', 'latin1')),
    pngChunk('tIME', Buffer.from([0x07, 0xea, 11, 30, 10, 0, 0])),
    pngChunk('IDAT', idat),
    pngChunk('IEND', Buffer.alloc(0)),
  ])
}

function riffChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8)
  head.write(type, 0, 'latin1')
  head.writeUInt32LE(data.length, 4)
  return Buffer.concat([head, data, data.length % 2 ? Buffer.alloc(1) : Buffer.alloc(0)])
}

/** An extended WebP (VP8X announcing EXIF and XMP) with a lossless 1×1 image and both metadata chunks. */
function webpWithMetadata(): Buffer {
  const vp8x = Buffer.alloc(10)
  vp8x[0] = 0x08 | 0x04 // EXIF and XMP present
  const body = Buffer.concat([
    riffChunk('VP8X', vp8x),
    riffChunk('VP8L', Buffer.from('2f0000001007101111888883fe0700', 'hex')),
    riffChunk('EXIF', Buffer.from('II*\0\x08\0\0\0GPS36N', 'latin1')),
    riffChunk('XMP ', Buffer.from('<x:xmpmeta>GPSLongitude</x:xmpmeta>', 'latin1')),
  ])
  const head = Buffer.alloc(12)
  head.write('RIFF', 0, 'latin1')
  head.writeUInt32LE(body.length + 4, 4)
  head.write('WEBP', 8, 'latin1')
  return Buffer.concat([head, body])
}

const has = (buf: Buffer, text: string) => buf.includes(Buffer.from(text, 'latin1'))

describe('photo sniffing and metadata stripping (byte level)', () => {
  it('sniffs the type from the bytes only', () => {
    expect(sniffPhoto(jpegWithExif())).toBe('image/jpeg')
    expect(sniffPhoto(pngWithMetadata())).toBe('image/png')
    expect(sniffPhoto(webpWithMetadata())).toBe('image/webp')
    expect(sniffPhoto(Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1'))).toBeNull()
    expect(sniffPhoto(Buffer.from('%PDF-1.7 ...'))).toBeNull()
    expect(sniffPhoto(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeNull()
    expect(sniffPhoto(Buffer.alloc(0))).toBeNull()
  })

  it('drops EXIF (with GPS), XMP and comments from a JPEG, keeps the image data and only the orientation', () => {
    const input = jpegWithExif(6)
    expect(has(input, 'GPS')).toBe(true)
    const { bytes, mime, removed } = cleanPhoto(input)
    expect(mime).toBe('image/jpeg')
    expect(removed).toEqual(['exif', 'xmp', 'comment'])
    for (const leak of ['GPS', 'xmpmeta', 'taken at', '36.3N']) expect(has(bytes, leak), leak).toBe(false)
    // SOI, then JFIF first, then the new minimal EXIF carrying the orientation.
    expect(bytes.subarray(0, 4).toString('hex')).toBe('ffd8ffe0')
    const app1 = bytes.indexOf(Buffer.from([0xff, 0xe1]))
    expect(app1).toBeGreaterThan(4)
    expect(readExifOrientation(bytes.subarray(app1 + 10))).toBe(6)
    // The tables, frame, scan and entropy-coded data are byte for byte the same.
    const sosIn = input.indexOf(Buffer.from([0xff, 0xdb]))
    const sosOut = bytes.indexOf(Buffer.from([0xff, 0xdb]))
    expect(bytes.subarray(sosOut)).toEqual(input.subarray(sosIn))
    // Cleaning a clean photo changes nothing.
    expect(cleanPhoto(bytes).bytes).toEqual(bytes)
  })

  it('drops extra pictures and vendor trailers appended after the end of a JPEG (they carry their own EXIF)', () => {
    const trailer = jpegWithExif()
    const { bytes, removed } = cleanPhoto(Buffer.concat([jpegWithExif(), trailer]))
    expect(removed).toContain('trailer')
    expect(has(bytes, 'GPS')).toBe(false)
    expect(bytes.subarray(-2).toString('hex')).toBe('ffd9')
  })

  it('drops tEXt, eXIf, iTXt and tIME from a PNG and keeps every other chunk intact', () => {
    const input = pngWithMetadata()
    const { bytes, removed } = cleanPhoto(input)
    expect(removed).toEqual(['tEXt', 'eXIf', 'iTXt', 'tIME'])
    expect(has(bytes, 'GPS')).toBe(false)
    expect(has(bytes, 'IHDR') && has(bytes, 'IDAT') && has(bytes, 'IEND')).toBe(true)
    expect(bytes.length).toBe(8 + (13 + 12) + (13 + 12) + 12)
  })

  it('drops EXIF and XMP chunks from a WebP, clears their flags in VP8X and fixes the RIFF size', () => {
    const { bytes, removed } = cleanPhoto(webpWithMetadata())
    expect(removed).toEqual(['exif', 'xmp'])
    expect(has(bytes, 'GPS')).toBe(false)
    expect(bytes.readUInt32LE(4)).toBe(bytes.length - 8)
    const vp8x = bytes.indexOf(Buffer.from('VP8X', 'latin1'))
    expect(bytes[vp8x + 8]! & 0x0c).toBe(0)
    expect(has(bytes, 'VP8L')).toBe(true)
  })

  it('refuses what is not an image and what is broken, with a PhotoError and nothing else', () => {
    const code = (b: Buffer) => { try { cleanPhoto(b); return 'ok' } catch (e) { return e instanceof PhotoError ? e.code : `crash: ${String(e)}` } }
    expect(code(Buffer.from('just some text'))).toBe('photo_not_image')
    expect(code(Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1'))).toBe('photo_not_image')
    const jpeg = jpegWithExif()
    expect(code(jpeg.subarray(0, 40))).toBe('photo_corrupt')
    expect(code(jpeg.subarray(0, jpeg.length - 2))).toBe('photo_corrupt')
    const png = pngWithMetadata()
    expect(code(png.subarray(0, 30))).toBe('photo_corrupt')
    const badLength = Buffer.from(png)
    badLength.writeUInt32BE(0xfffffff0, 8)
    expect(code(badLength)).toBe('photo_corrupt')
    const webp = webpWithMetadata()
    expect(code(webp.subarray(0, 20))).toBe('photo_corrupt')
  })

  it('never crashes on arbitrary bytes behind a valid signature (property)', () => {
    const signatures = [Buffer.from([0xff, 0xd8, 0xff]), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('RIFF\x10\x00\x00\x00WEBP', 'latin1')]
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 }), fc.uint8Array({ maxLength: 400 }), (which, tail) => {
      const input = Buffer.concat([signatures[which]!, Buffer.from(tail)])
      try {
        const out = cleanPhoto(input)
        return out.bytes.length > 0
      } catch (e) {
        return e instanceof PhotoError
      }
    }), { numRuns: 3000 })
    // Mutations of real photos: flipped bytes anywhere.
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), (which, flips) => {
      const input = Buffer.from([jpegWithExif(), pngWithMetadata(), webpWithMetadata()][which]!)
      for (const [at, value] of flips) input[at % input.length] = value
      try {
        cleanPhoto(input)
        return true
      } catch (e) {
        return e instanceof PhotoError
      }
    }), { numRuns: 3000 })
  })
})

describe.each(dialects)('photo uploads over HTTP on %s', (dialect) => {
  let t: TestApp
  let c: Awaited<ReturnType<typeof requestCounty>>
  let dataDir: string
  let saved: string | undefined
  beforeAll(async () => {
    saved = process.env.CHORUS_PHOTO_MAX_BYTES
    process.env.CHORUS_PHOTO_MAX_BYTES = '65536'
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chorus-photos-'))
    t = await buildTestApp(dialect, { dataDir })
    c = await requestCounty(t)
  })
  afterAll(async () => {
    process.env.CHORUS_PHOTO_MAX_BYTES = saved
    await t?.close()
    fs.rmSync(dataDir, { recursive: true, force: true })
  })

  const upload = (bytes: Buffer | string, type: string) => t.anon.request('POST', '/api/public/uploads', bytes, { 'content-type': type })

  it('stores photos without metadata under the data directory, whatever type the client claims', async () => {
    for (const [bytes, claimed, mime] of [[jpegWithExif(), 'image/jpeg', 'image/jpeg'], [pngWithMetadata(), 'application/octet-stream', 'image/png'], [webpWithMetadata(), 'image/jpeg', 'image/webp']] as const) {
      const res = await upload(bytes, claimed)
      expect(res.status).toBe(201)
      expect(res.body.mime).toBe(mime)
      expect(res.body.token.length).toBeGreaterThanOrEqual(32)
      const row = await t.dbHandle.db.selectFrom('request_upload').selectAll().orderBy('id', 'desc').executeTakeFirstOrThrow()
      const file = path.join(dataDir, 'uploads', row.stored_name)
      const stored = fs.readFileSync(file)
      expect(stored.length).toBe(res.body.bytes)
      expect(has(stored, 'GPS')).toBe(false)
      expect(row.token_hash).not.toBe(res.body.token)
    }
  })

  it('answers bad uploads with 4xx in the error shape', async () => {
    const gif = await upload(Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1'), 'image/gif')
    expect(gif.status).toBe(415)
    expect(gif.body.error.code).toBe('photo_not_image')
    const text = await upload('hello', 'text/plain')
    expect(text.status).toBe(415)
    expect(text.body.error.code).toBe('unsupported_media_type')
    const json = await t.anon.post('/api/public/uploads', { not: 'a photo' })
    expect(json.status).toBe(415)
    const broken = await upload(jpegWithExif().subarray(0, 30), 'image/jpeg')
    expect(broken.status).toBe(400)
    expect(broken.body.error.code).toBe('photo_corrupt')
    const empty = await upload(Buffer.alloc(0), 'image/jpeg')
    expect(empty.status).toBe(400)
    const huge = await upload(Buffer.concat([jpegWithExif(), Buffer.alloc(70_000)]), 'image/jpeg')
    expect(huge.status).toBe(413)
    expect(huge.body.error.code).toBe('payload_too_large')
    expect(await t.dbHandle.db.selectFrom('request_upload').select('id').where('mime', 'not in', ['image/jpeg', 'image/png', 'image/webp']).execute()).toEqual([])
  })

  it('serves a photo only to the holder of the tracking code and to staff who may see the case', async () => {
    const token = (await upload(jpegWithExif(), 'image/jpeg')).body.token
    const mine = await submitPublicRequest(t, { locationCode: c.compoundA.code, itemId: c.items.repair.id, photoTokens: [token] })
    const other = await submitPublicRequest(t, { locationCode: c.compoundA.code, itemId: c.items.repair.id })
    const id = await requestIdOf(t, mine.trackingCode)
    const photoId = (await t.anon.get(`/api/public/requests/${mine.trackingCode}`)).body.photos[0].id
    expect((await t.anon.get(`/api/public/requests/${mine.trackingCode}/photos/${photoId}`)).status).toBe(200)
    expect((await t.anon.get(`/api/public/requests/${other.trackingCode}/photos/${photoId}`)).status).toBe(404)
    expect((await t.anon.get(`/api/public/requests/${'x'.repeat(24)}/photos/${photoId}`)).status).toBe(404)
    expect((await t.anon.get(`/api/requests/${id}/photos/${photoId}`)).status).toBe(401)
    expect((await c.communityWorkerA.get(`/api/requests/${id}/photos/${photoId}`)).status).toBe(200)
    expect((await c.communityWorkerB.get(`/api/requests/${id}/photos/${photoId}`)).status).toBe(404)
    // A token is used once: a second submit with it is refused.
    const reuse = await t.anon.post('/api/public/requests', { locationCode: c.compoundA.code, itemId: c.items.repair.id, description: 'x', phone: '13800138000', photoTokens: [token] })
    expect(reuse.body.error.code).toBe('unknown_upload')

    // Resolution photos are evidence for staff, not shown on the resident page.
    const fix = (await upload(pngWithMetadata(), 'image/png')).body.token
    const worker = c.communityWorkerA
    const v1 = (await worker.get(`/api/requests/${id}`)).body.version
    await worker.post(`/api/requests/${id}/accept`, { version: v1 })
    const v2 = (await worker.get(`/api/requests/${id}`)).body.version
    const resolved = await worker.post(`/api/requests/${id}/resolve`, { version: v2, note: '已修好', photoTokens: [fix] })
    expect(resolved.body.photos.map((p: any) => p.stage)).toEqual(['intake', 'resolution'])
    expect((await t.anon.get(`/api/public/requests/${mine.trackingCode}`)).body.photos).toHaveLength(1)
    const resolutionPhoto = resolved.body.photos[1].id
    expect((await t.anon.get(`/api/public/requests/${mine.trackingCode}/photos/${resolutionPhoto}`)).status).toBe(404)
  })
})
