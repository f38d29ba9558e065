/**
 * Reading an uploaded .xlsx without trusting it. An xlsx is a zip; the uploaded file sits on disk, so
 * we read the zip's central directory and open entries in the order we need:
 *  - `inspectXlsx` finds the first worksheet (through workbook.xml and its relationships) and refuses
 *    anything that is not a spreadsheet;
 *  - `countDataRows` inflates only that worksheet and counts rows with values, stopping as soon as
 *    the limit is passed — a million-row file is refused after reading just past the limit;
 *  - `readSheetRows` hands ExcelJS's streaming reader a stream with the workbook, styles and shared
 *    strings first and then the sheet, so rows stream one by one (ExcelJS would otherwise copy the
 *    whole sheet to a temporary file when the shared strings come after it, as Excel writes them).
 */
import { Readable } from 'node:stream'
import zlib from 'node:zlib'
import ExcelJS from 'exceljs'
import type { OpenedFile } from '../../lib/sealed-file.js'
import { AppError } from '../../server/errors.js'

/** Opens the uploaded file for reading at any offset (it is sealed at rest: lib/sealed-file.ts). */
export type XlsxSource = () => Promise<OpenedFile>

interface ZipEntry {
  name: string
  method: number
  crc: number
  compressedSize: number
  uncompressedSize: number
  localOffset: number
}

export interface XlsxLayout {
  file: XlsxSource
  sheetName: string
  sheet: ZipEntry
  workbook: ZipEntry
  workbookRels: ZipEntry
  styles: ZipEntry | null
  sharedStrings: ZipEntry | null
}

export type CellValue = string | number | boolean | Date | null

export interface SheetRow {
  /** 1-based row number in the sheet, as Excel shows it. */
  number: number
  /** Index 0 is column A. */
  cells: CellValue[]
}

const notXlsx = (reason: string, details: Record<string, unknown> = {}) => new AppError('import_not_xlsx', { reason, ...details })

/** The zip's central directory: every entry with its sizes and where its data starts. */
async function readDirectory(file: XlsxSource): Promise<Map<string, ZipEntry>> {
  const fd = await file()
  try {
    const size = fd.size
    const head = await fd.readAt(0, 8)
    if (head.length >= 4 && head.readUInt32BE(0) === 0xd0cf11e0) throw notXlsx('xls', { hint: 'Excel 97-2003 (.xls): save it as .xlsx' })
    if (head.length < 4 || head.readUInt32LE(0) !== 0x04034b50) throw notXlsx('not_zip')
    const tailLength = Math.min(size, 65_557)
    const tail = await fd.readAt(size - tailLength, tailLength)
    let eocd = -1
    for (let i = tail.length - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === 0x06054b50) { eocd = i; break }
    }
    if (eocd < 0) throw notXlsx('zip_damaged')
    const count = tail.readUInt16LE(eocd + 10)
    const cdSize = tail.readUInt32LE(eocd + 12)
    const cdOffset = tail.readUInt32LE(eocd + 16)
    if (count === 0xffff || cdOffset === 0xffffffff) throw notXlsx('zip64_unsupported')
    if (cdOffset + cdSize > size || count > 10_000) throw notXlsx('zip_damaged')
    const cd = await fd.readAt(cdOffset, cdSize)
    const entries = new Map<string, ZipEntry>()
    let p = 0
    for (let i = 0; i < count; i++) {
      if (p + 46 > cd.length || cd.readUInt32LE(p) !== 0x02014b50) throw notXlsx('zip_damaged')
      const nameLength = cd.readUInt16LE(p + 28)
      const extraLength = cd.readUInt16LE(p + 30)
      const commentLength = cd.readUInt16LE(p + 32)
      const entry: ZipEntry = {
        name: cd.toString('utf8', p + 46, p + 46 + nameLength),
        method: cd.readUInt16LE(p + 10),
        crc: cd.readUInt32LE(p + 16),
        compressedSize: cd.readUInt32LE(p + 20),
        uncompressedSize: cd.readUInt32LE(p + 24),
        localOffset: cd.readUInt32LE(p + 42),
      }
      if (entry.localOffset + entry.compressedSize > size) throw notXlsx('zip_damaged')
      entries.set(entry.name, entry)
      p += 46 + nameLength + extraLength + commentLength
    }
    return entries
  } finally {
    await fd.close()
  }
}

/** Where an entry's data begins (after its local header, whose name and extra lengths may differ from the directory's). */
async function rawEntryStream(file: XlsxSource, entry: ZipEntry): Promise<Readable> {
  const fd = await file()
  let start: number
  try {
    const header = await fd.readAt(entry.localOffset, 30)
    if (header.length < 30 || header.readUInt32LE(0) !== 0x04034b50) throw notXlsx('zip_damaged')
    start = entry.localOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28)
  } catch (err) {
    await fd.close()
    throw err
  }
  if (entry.compressedSize === 0) {
    await fd.close()
    return Readable.from([])
  }
  // The stream closes the file when it ends or is destroyed.
  return fd.stream(start, start + entry.compressedSize - 1)
}

/** The entry's contents, inflated. */
async function entryStream(file: XlsxSource, entry: ZipEntry): Promise<Readable> {
  if (entry.method !== 0 && entry.method !== 8) throw notXlsx('zip_method_unsupported', { entry: entry.name })
  const raw = await rawEntryStream(file, entry)
  if (entry.method === 0) return raw
  const inflate = zlib.createInflateRaw()
  raw.on('error', (err) => inflate.destroy(err))
  return raw.pipe(inflate)
}

async function entryText(file: XlsxSource, entry: ZipEntry, maxBytes: number): Promise<string> {
  if (entry.uncompressedSize > maxBytes) throw notXlsx('part_too_large', { entry: entry.name })
  const chunks: Buffer[] = []
  let total = 0
  const stream = await entryStream(file, entry)
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      total += chunk.length
      if (total > maxBytes) throw notXlsx('part_too_large', { entry: entry.name })
      chunks.push(chunk)
    }
  } catch (err) {
    stream.destroy()
    if (err instanceof AppError) throw err
    throw notXlsx('zip_damaged', { entry: entry.name })
  }
  return Buffer.concat(chunks).toString('utf8')
}

const decodeXml = (s: string): string =>
  s.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_m, e: string) =>
    e === 'lt' ? '<' : e === 'gt' ? '>' : e === 'amp' ? '&' : e === 'quot' ? '"' : e === 'apos' ? "'"
      : String.fromCodePoint(e.startsWith('#x') ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)))

/** Attributes of every element with this local name (any namespace prefix), in document order. */
function elements(xml: string, localName: string): Record<string, string>[] {
  const out: Record<string, string>[] = []
  const re = new RegExp(`<(?:[A-Za-z_][\\w.-]*:)?${localName}\\b([^>]*)>`, 'g')
  for (const m of xml.matchAll(re)) {
    const attrs: Record<string, string> = {}
    for (const a of (m[1] ?? '').matchAll(/([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) attrs[a[1] as string] = decodeXml(a[2] ?? a[3] ?? '')
    out.push(attrs)
  }
  return out
}

/** Resolves a relationship target against the folder of the part that owns the relationships. */
function resolveTarget(ownerDir: string, target: string): string {
  const parts = (target.startsWith('/') ? target.slice(1) : `${ownerDir}${target}`).split('/')
  const out: string[] = []
  for (const part of parts) {
    if (part === '..') out.pop()
    else if (part !== '.' && part !== '') out.push(part)
  }
  return out.join('/')
}

function findEntry(entries: Map<string, ZipEntry>, name: string): ZipEntry | null {
  const exact = entries.get(name)
  if (exact) return exact
  const lower = name.toLowerCase()
  for (const [key, entry] of entries) if (key.toLowerCase() === lower) return entry
  return null
}

const SMALL_PART = 16 * 1024 * 1024

/** Checks that the file is an xlsx workbook and finds its first worksheet. */
export async function inspectXlsx(file: XlsxSource): Promise<XlsxLayout> {
  const entries = await readDirectory(file)
  const rootRels = findEntry(entries, '_rels/.rels')
  let workbookName = 'xl/workbook.xml'
  if (rootRels) {
    const office = elements(await entryText(file, rootRels, SMALL_PART), 'Relationship').find((r) => (r.Type ?? '').endsWith('/officeDocument'))
    if (office?.Target) workbookName = resolveTarget('', office.Target)
  }
  const workbook = findEntry(entries, workbookName)
  if (!workbook) throw notXlsx(findEntry(entries, 'word/document.xml') ? 'docx' : 'no_workbook')
  const dir = workbookName.includes('/') ? workbookName.slice(0, workbookName.lastIndexOf('/') + 1) : ''
  const relsName = `${dir}_rels/${workbookName.slice(dir.length)}.rels`
  const workbookRels = findEntry(entries, relsName)
  if (!workbookRels) throw notXlsx('no_workbook')
  const sheets = elements(await entryText(file, workbook, SMALL_PART), 'sheet')
  const rels = elements(await entryText(file, workbookRels, SMALL_PART), 'Relationship')
  const first = sheets[0]
  const relId = first && Object.entries(first).find(([k]) => k === 'r:id' || k.endsWith(':id'))?.[1]
  const rel = relId ? rels.find((r) => r.Id === relId) : undefined
  const sheet = rel?.Target ? findEntry(entries, resolveTarget(dir, rel.Target)) : null
  if (!first || !sheet) throw notXlsx('no_worksheet')
  const part = (suffix: string) => {
    const r = rels.find((x) => (x.Type ?? '').endsWith(suffix))
    return r?.Target ? findEntry(entries, resolveTarget(dir, r.Target)) : null
  }
  return { file, sheetName: first.name ?? '', sheet, workbook, workbookRels, styles: part('/styles'), sharedStrings: part('/sharedStrings') }
}

/**
 * Counts the rows that hold a value (the first such row is the header; the rest are data) and stops
 * as soon as there are more than `limit` data rows. Only tags are looked at, so this is fast and needs
 * no shared strings.
 */
export async function countDataRows(layout: XlsxLayout, limit: number): Promise<{ dataRows: number; overLimit: boolean }> {
  const maxBytes = limit * 16_384 + 64 * 1024 * 1024
  const stream = await entryStream(layout.file, layout.sheet)
  const tag = /<(\/?)(?:[A-Za-z_][\w.-]*:)?(row|v|is)(?=[\s/>])([^>]*)>/g
  let rowsWithValues = 0
  let inRow = false
  let rowHasValue = false
  let carry = ''
  let inflated = 0
  const scan = (text: string, final: boolean): number => {
    // A tag cut by the chunk boundary is finished in the next round.
    const safeEnd = final ? text.length : Math.max(text.length - 1024, 0)
    tag.lastIndex = 0
    let consumed = 0
    for (let m = tag.exec(text); m; m = tag.exec(text)) {
      if (m.index >= safeEnd) break
      consumed = tag.lastIndex
      const closing = m[1] === '/'
      const name = m[2]
      const selfClosing = (m[3] ?? '').endsWith('/')
      if (name === 'row') {
        if (closing) {
          if (inRow && rowHasValue) rowsWithValues++
          inRow = false
        } else if (!selfClosing) {
          inRow = true
          rowHasValue = false
        }
      } else if (!closing && !selfClosing && inRow) {
        rowHasValue = true
      }
      if (rowsWithValues - 1 > limit) return -1
    }
    return Math.max(consumed, safeEnd)
  }
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      inflated += chunk.length
      if (inflated > maxBytes) throw new AppError('payload_too_large', { reason: 'worksheet_too_large' })
      const text = carry + chunk.toString('latin1')
      const upTo = scan(text, false)
      if (upTo < 0) return { dataRows: rowsWithValues - 1, overLimit: true }
      carry = text.slice(upTo)
    }
    if (scan(carry, true) < 0) return { dataRows: rowsWithValues - 1, overLimit: true }
  } catch (err) {
    if (err instanceof AppError) throw err
    throw notXlsx('zip_damaged', { entry: layout.sheet.name })
  } finally {
    stream.destroy()
  }
  return { dataRows: Math.max(rowsWithValues - 1, 0), overLimit: false }
}

// --- a re-ordered zip stream for ExcelJS -----------------------------------------------------

const CRC_TABLE = (() => {
  const table = new Int32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    table[n] = c
  }
  return table
})()
function crc32(buf: Buffer): number {
  let c = -1
  for (const b of buf) c = (CRC_TABLE[(c ^ b) & 0xff] as number) ^ (c >>> 8)
  return (c ^ -1) >>> 0
}

function localHeader(name: string, method: number, crc: number, compressed: number, uncompressed: number): Buffer {
  const nameBytes = Buffer.from(name, 'utf8')
  const h = Buffer.alloc(30)
  h.writeUInt32LE(0x04034b50, 0)
  h.writeUInt16LE(20, 4)
  h.writeUInt16LE(0x0800, 6) // UTF-8 names; sizes are in this header (no data descriptor)
  h.writeUInt16LE(method, 8)
  h.writeUInt32LE(crc, 14)
  h.writeUInt32LE(compressed, 18)
  h.writeUInt32LE(uncompressed, 22)
  h.writeUInt16LE(nameBytes.length, 26)
  return Buffer.concat([h, nameBytes])
}

async function* reorderedZip(layout: XlsxLayout): AsyncGenerator<Buffer> {
  const parts: [string, ZipEntry | null][] = [
    ['xl/_rels/workbook.xml.rels', layout.workbookRels],
    ['xl/workbook.xml', layout.workbook],
    ['xl/styles.xml', layout.styles],
    ['xl/sharedStrings.xml', layout.sharedStrings],
  ]
  for (const [name, entry] of parts) {
    if (!entry) {
      if (name !== 'xl/sharedStrings.xml') continue
      // Without shared strings ExcelJS would park the sheet in a temporary file: give it an empty list.
      const empty = Buffer.from('<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0"/>')
      yield localHeader(name, 0, crc32(empty), empty.length, empty.length)
      yield empty
      continue
    }
    yield localHeader(name, entry.method, entry.crc, entry.compressedSize, entry.uncompressedSize)
    yield* (await rawEntryStream(layout.file, entry)) as AsyncIterable<Buffer>
  }
  const s = layout.sheet
  yield localHeader('xl/worksheets/sheet1.xml', s.method, s.crc, s.compressedSize, s.uncompressedSize)
  yield* (await rawEntryStream(layout.file, s)) as AsyncIterable<Buffer>
}

type ExcelValue = ExcelJS.CellValue

function plainValue(v: ExcelValue | undefined): CellValue {
  if (v === undefined || v === null) return null
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v instanceof Date) return v
  if (typeof v === 'object') {
    if ('richText' in v && Array.isArray(v.richText)) return v.richText.map((r) => r.text).join('')
    if ('result' in v) return plainValue(v.result)
    if ('text' in v && typeof v.text === 'string') return v.text
    if ('error' in v) return String(v.error)
  }
  return null
}

/** Every row of the first worksheet, streamed; empty rows are skipped. */
export async function* readSheetRows(layout: XlsxLayout): AsyncGenerator<SheetRow> {
  const source = Readable.from(reorderedZip(layout))
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(source, {
    worksheets: 'emit', sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', entries: 'ignore',
  })
  try {
    for await (const worksheet of reader) {
      for await (const row of worksheet) {
        const values = row.values as ExcelValue[]
        const cells: CellValue[] = []
        let any = false
        for (let i = 1; i < values.length; i++) {
          const value = plainValue(values[i])
          const cleaned = typeof value === 'string' && value.trim() === '' ? null : value
          if (cleaned !== null) any = true
          cells.push(cleaned)
        }
        if (any) yield { number: row.number, cells }
      }
      break
    }
  } catch (err) {
    if (err instanceof AppError) throw err
    throw notXlsx('sheet_unreadable', { message: err instanceof Error ? err.message.slice(0, 200) : String(err) })
  } finally {
    source.destroy()
  }
}
