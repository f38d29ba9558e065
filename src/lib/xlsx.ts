/**
 * Writing spreadsheets the way every Chorus file looks: Chinese headers in bold on a frozen first
 * row, set column widths, text columns formatted as text (identity numbers stay exact), dates and
 * times as real Excel dates in Asia/Shanghai. Rows stream through ExcelJS's streaming writer, so an
 * export of hundreds of thousands of rows never sits in memory.
 */
import type { Writable } from 'node:stream'
import ExcelJS from 'exceljs'

export type XlsxCell = string | number | boolean | null
export type XlsxColumnType = 'text' | 'number' | 'date' | 'datetime'

export interface XlsxColumn<R> {
  header: string
  /** Width in characters. */
  width: number
  type?: XlsxColumnType
  value(row: R): XlsxCell | undefined
}

export interface XlsxSheet<R> {
  name: string
  columns: XlsxColumn<R>[]
  rows: Iterable<R> | AsyncIterable<R>
}

const SHANGHAI_OFFSET_MS = 8 * 3600_000
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/

/** An ISO instant as an Excel date-time showing Asia/Shanghai wall-clock time (Excel dates carry no zone). */
export function shanghaiExcelDate(iso: string): Date | null {
  const ms = Date.parse(iso)
  return Number.isNaN(ms) ? null : new Date(ms + SHANGHAI_OFFSET_MS)
}

/** A calendar date (YYYY-MM-DD) as an Excel date. */
export function excelDay(day: string): Date | null {
  const m = DATE_ONLY.exec(day)
  return m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null
}

function cellValue(type: XlsxColumnType, v: XlsxCell | undefined): ExcelJS.CellValue {
  if (v === undefined || v === null || v === '') return null
  if (type === 'date' && typeof v === 'string') return excelDay(v) ?? v
  if (type === 'datetime' && typeof v === 'string') return shanghaiExcelDate(v) ?? v
  if (type === 'text') return String(v)
  return v
}

const NUM_FMT: Record<XlsxColumnType, string | undefined> = { text: '@', number: undefined, date: 'yyyy-mm-dd', datetime: 'yyyy-mm-dd hh:mm:ss' }

export interface WriteXlsxOptions {
  /** Called every `every` data rows (progress for background jobs). */
  onRows?: (written: number) => void | Promise<void>
  every?: number
}

/** Streams the sheets into a file or a writable stream; returns the number of data rows written per sheet. */
export async function writeXlsx(target: { file: string } | { stream: Writable }, sheets: XlsxSheet<unknown>[], options: WriteXlsxOptions = {}): Promise<number[]> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    ...('file' in target ? { filename: target.file } : { stream: target.stream }),
    useStyles: true, useSharedStrings: false,
  })
  workbook.creator = 'Chorus'
  const counts: number[] = []
  const every = options.every ?? 500
  let total = 0
  for (const sheet of sheets) {
    const ws = workbook.addWorksheet(sheet.name.slice(0, 31), { views: [{ state: 'frozen', ySplit: 1 }] })
    ws.columns = sheet.columns.map((c, i) => {
      const fmt = NUM_FMT[c.type ?? 'text']
      return { header: c.header, key: `c${i}`, width: c.width, ...(fmt ? { style: { numFmt: fmt } } : {}) }
    })
    const header = ws.getRow(1)
    header.font = { bold: true }
    header.alignment = { vertical: 'middle' }
    header.commit()
    let n = 0
    for await (const row of sheet.rows as AsyncIterable<unknown>) {
      ws.addRow(sheet.columns.map((c) => cellValue(c.type ?? 'text', c.value(row)))).commit()
      n++
      total++
      if (options.onRows && total % every === 0) await options.onRows(total)
    }
    ws.commit()
    counts.push(n)
  }
  await workbook.commit()
  return counts
}
