/**
 * Photos residents send: the type is decided by the bytes (never by the name or the declared
 * content type), only JPEG, PNG and WebP are accepted, and metadata that can carry the place and
 * time a photo was taken (EXIF with GPS, XMP, IPTC, text chunks) is removed at the byte level
 * before anything is stored. No native image library is involved: the container formats are
 * walked segment by segment and rewritten without the metadata parts.
 */

export type PhotoMime = 'image/jpeg' | 'image/png' | 'image/webp'

export const photoExtension: Record<PhotoMime, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp' }

export class PhotoError extends Error {
  constructor(readonly code: 'photo_not_image' | 'photo_corrupt', message: string) {
    super(message)
  }
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

/** The image type the bytes say, or null when they are not one of ours. */
export function sniffPhoto(bytes: Buffer): PhotoMime | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg'
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(PNG_SIGNATURE)) return 'image/png'
  if (bytes.length >= 12 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') return 'image/webp'
  return null
}

export interface CleanPhoto {
  mime: PhotoMime
  bytes: Buffer
  /** Names of the parts that were removed, for tests and the log. */
  removed: string[]
}

/** Sniffs and strips; throws PhotoError for anything that is not a well-formed JPEG, PNG or WebP. */
export function cleanPhoto(input: Buffer): CleanPhoto {
  const mime = sniffPhoto(input)
  if (!mime) throw new PhotoError('photo_not_image', 'not a JPEG, PNG or WebP image')
  if (mime === 'image/jpeg') return { mime, ...stripJpeg(input) }
  if (mime === 'image/png') return { mime, ...stripPng(input) }
  return { mime, ...stripWebp(input) }
}

// --- JPEG ------------------------------------------------------------------------------------

const APP0 = 0xe0
const APP1 = 0xe1
const APP2 = 0xe2 // ICC profiles stay; the multi-picture index (MPF) goes with the extra pictures
const APP13 = 0xed // Photoshop / IPTC (can hold a location)
const COM = 0xfe
const SOS = 0xda
const EOI = 0xd9

/** Markers without a length field. */
const standalone = (m: number) => m === 0x01 || (m >= 0xd0 && m <= 0xd7)

/**
 * Drops APP1 (EXIF, XMP), APP13 (IPTC) and COM segments before the image data. The EXIF
 * orientation is the one fact worth keeping (phones rotate through it), so it is carried over in
 * a new minimal EXIF segment that holds nothing else.
 */
export function stripJpeg(input: Buffer): { bytes: Buffer; removed: string[] } {
  const parts: Buffer[] = [input.subarray(0, 2)]
  const removed: string[] = []
  let orientation: number | null = null
  let insertAt = 1
  let pos = 2
  for (;;) {
    if (pos >= input.length) throw new PhotoError('photo_corrupt', 'JPEG ends before the image data')
    if (input[pos] !== 0xff) throw new PhotoError('photo_corrupt', `JPEG marker expected at byte ${pos}`)
    let markerPos = pos
    while (input[markerPos + 1] === 0xff) markerPos++ // fill bytes
    const marker = input[markerPos + 1]
    if (marker === undefined) throw new PhotoError('photo_corrupt', 'JPEG ends inside a marker')
    if (marker === EOI) throw new PhotoError('photo_corrupt', 'JPEG has no image data')
    if (standalone(marker)) {
      parts.push(input.subarray(pos, markerPos + 2))
      pos = markerPos + 2
      continue
    }
    if (markerPos + 4 > input.length) throw new PhotoError('photo_corrupt', 'JPEG ends inside a segment header')
    const length = input.readUInt16BE(markerPos + 2)
    const end = markerPos + 2 + length
    if (length < 2 || end > input.length) throw new PhotoError('photo_corrupt', 'JPEG segment runs past the end')
    if (marker === SOS) {
      // From the first scan on it is image data up to the end-of-image marker (0xFF inside
      // entropy-coded data is always followed by 0x00 or a restart marker). Anything after EOI
      // (extra pictures of the multi-picture format, vendor trailers) can carry its own EXIF: dropped.
      const eoi = findEoi(input, end)
      if (eoi < 0) throw new PhotoError('photo_corrupt', 'JPEG has no end-of-image marker')
      if (eoi + 2 < input.length) removed.push('trailer')
      if (orientation !== null) parts.splice(insertAt, 0, orientationSegment(orientation))
      parts.push(input.subarray(pos, eoi + 2))
      return { bytes: Buffer.concat(parts), removed }
    }
    const body = input.subarray(markerPos + 4, end)
    if (marker === APP1) {
      const isExif = body.toString('latin1', 0, 6) === 'Exif\0\0'
      if (isExif) orientation ??= readExifOrientation(body.subarray(6))
      removed.push(isExif ? 'exif' : body.toString('latin1', 0, 28).startsWith('http://ns.adobe.com/xap') ? 'xmp' : 'app1')
    } else if (marker === APP13) {
      removed.push('iptc')
    } else if (marker === COM) {
      removed.push('comment')
    } else if (marker === APP2 && body.toString('latin1', 0, 4) === 'MPF\0') {
      removed.push('mpf')
    } else {
      // JFIF (APP0) must stay first; the kept orientation goes right after it.
      if (marker === APP0 && parts.length === 1) insertAt = 2
      parts.push(input.subarray(pos, end))
    }
    pos = end
  }
}

/**
 * Position of the end-of-image marker, walking from the first scan's data: inside entropy-coded
 * data 0xFF is followed by 0x00 (stuffing) or a restart marker; any other marker is a segment
 * between progressive scans (tables, another scan header), which is skipped by its length.
 */
function findEoi(input: Buffer, from: number): number {
  let i = from
  while (i + 1 < input.length) {
    if (input[i] !== 0xff) { i++; continue }
    const next = input[i + 1] as number
    if (next === 0x00 || next === 0xff || (next >= 0xd0 && next <= 0xd7)) { i += next === 0xff ? 1 : 2; continue }
    if (next === EOI) return i
    if (i + 4 > input.length) return -1
    i += 2 + input.readUInt16BE(i + 2)
  }
  return -1
}

/** Orientation (tag 0x0112) from IFD0 of a TIFF-structured EXIF block; null when absent or unreadable. */
export function readExifOrientation(tiff: Buffer): number | null {
  if (tiff.length < 8) return null
  const order = tiff.toString('latin1', 0, 2)
  if (order !== 'II' && order !== 'MM') return null
  const le = order === 'II'
  const u16 = (o: number) => (le ? tiff.readUInt16LE(o) : tiff.readUInt16BE(o))
  const u32 = (o: number) => (le ? tiff.readUInt32LE(o) : tiff.readUInt32BE(o))
  if (u16(2) !== 42) return null
  const ifd = u32(4)
  if (ifd + 2 > tiff.length) return null
  const count = u16(ifd)
  for (let i = 0; i < count; i++) {
    const entry = ifd + 2 + i * 12
    if (entry + 12 > tiff.length) return null
    if (u16(entry) === 0x0112) {
      const value = u16(entry + 8)
      return value >= 1 && value <= 8 ? value : null
    }
  }
  return null
}

/** An APP1 EXIF segment whose only entry is the orientation. */
function orientationSegment(orientation: number): Buffer {
  const tiff = Buffer.alloc(26)
  tiff.write('MM', 0, 'latin1')
  tiff.writeUInt16BE(42, 2)
  tiff.writeUInt32BE(8, 4) // IFD0 right after the header
  tiff.writeUInt16BE(1, 8) // one entry
  tiff.writeUInt16BE(0x0112, 10) // Orientation
  tiff.writeUInt16BE(3, 12) // SHORT
  tiff.writeUInt32BE(1, 14) // count
  tiff.writeUInt16BE(orientation, 18)
  tiff.writeUInt32BE(0, 22) // no next IFD
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff])
  const header = Buffer.from([0xff, APP1, 0, 0])
  header.writeUInt16BE(body.length + 2, 2)
  return Buffer.concat([header, body])
}

// --- PNG -------------------------------------------------------------------------------------

/** Chunks that carry text or EXIF (which can hold GPS, author, software, time). */
const PNG_METADATA = new Set(['eXIf', 'tEXt', 'zTXt', 'iTXt', 'tIME'])

export function stripPng(input: Buffer): { bytes: Buffer; removed: string[] } {
  const parts: Buffer[] = [input.subarray(0, 8)]
  const removed: string[] = []
  let pos = 8
  let first = true
  for (;;) {
    if (pos + 12 > input.length) throw new PhotoError('photo_corrupt', 'PNG ends before IEND')
    const length = input.readUInt32BE(pos)
    const type = input.toString('latin1', pos + 4, pos + 8)
    const end = pos + 12 + length
    if (length > 0x7fffffff || end > input.length || !/^[A-Za-z]{4}$/.test(type)) throw new PhotoError('photo_corrupt', 'PNG chunk is malformed')
    if (first && type !== 'IHDR') throw new PhotoError('photo_corrupt', 'PNG does not start with IHDR')
    first = false
    if (PNG_METADATA.has(type)) removed.push(type)
    else parts.push(input.subarray(pos, end))
    pos = end
    if (type === 'IEND') return { bytes: Buffer.concat(parts), removed }
  }
}

// --- WebP ------------------------------------------------------------------------------------

const VP8X_EXIF_FLAG = 0x08
const VP8X_XMP_FLAG = 0x04

export function stripWebp(input: Buffer): { bytes: Buffer; removed: string[] } {
  const riffSize = input.readUInt32LE(4)
  if (riffSize + 8 > input.length || riffSize < 4) throw new PhotoError('photo_corrupt', 'WebP size does not match the data')
  const end = riffSize + 8
  const chunks: Buffer[] = []
  const removed: string[] = []
  let pos = 12
  let hasImage = false
  while (pos < end) {
    if (pos + 8 > end) throw new PhotoError('photo_corrupt', 'WebP chunk header runs past the end')
    const type = input.toString('latin1', pos, pos + 4)
    const size = input.readUInt32LE(pos + 4)
    const next = pos + 8 + size + (size % 2)
    if (pos + 8 + size > end) throw new PhotoError('photo_corrupt', 'WebP chunk runs past the end')
    if (type === 'EXIF' || type === 'XMP ') {
      removed.push(type.trim().toLowerCase())
    } else {
      let chunk = input.subarray(pos, Math.min(next, end))
      if (type === 'VP8X' && size >= 1) {
        // The header advertises which metadata chunks follow; clear the flags of the removed ones.
        chunk = Buffer.from(chunk)
        chunk[8] = (chunk[8] as number) & ~(VP8X_EXIF_FLAG | VP8X_XMP_FLAG)
      }
      if (type === 'VP8 ' || type === 'VP8L' || type === 'ANMF') hasImage = true
      chunks.push(chunk)
    }
    pos = next
  }
  if (!hasImage) throw new PhotoError('photo_corrupt', 'WebP holds no image data')
  const body = Buffer.concat(chunks)
  const header = Buffer.alloc(12)
  header.write('RIFF', 0, 'latin1')
  header.writeUInt32LE(body.length + 4, 4)
  header.write('WEBP', 8, 'latin1')
  return { bytes: Buffer.concat([header, body]), removed }
}
