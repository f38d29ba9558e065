/**
 * The columns of an import template, how a sheet's header row is matched against them, and how a
 * row's problems are written for a person ("第3列 身份证号 校验位错误"). Pure: no database.
 */
import type { CellValue } from './xlsx-file.js'

export interface ImportColumn<K extends string = string> {
  key: K
  /** The header in the template. */
  header: string
  /** Other spellings accepted in an uploaded header row. */
  aliases?: string[]
  required: boolean
  width: number
  /** What goes in the column, for the 说明 sheet. */
  note: string
  /** Allowed values (a drop-down in the template and a line in 说明). */
  allowed?: string[]
  example: string
  /** Keep as text in Excel (identity numbers, codes, phone numbers). */
  text?: boolean
}

export interface ImportSpec<K extends string = string> {
  kind: string
  /** 居民, 单位, 党员 */
  title: string
  sheetName: string
  columns: ImportColumn<K>[]
  /** Groups of columns of which at least one must be in the header (e.g. unit code or unit name path). */
  oneOf?: K[][]
  /** Lines at the top of the 说明 sheet. */
  intro: string[]
}

/** A value in the first column starting with this marks the template's example row, which is skipped. */
export const EXAMPLE_MARK = '示例:'

export interface HeaderMatch<K extends string> {
  /** 0-based column index of each key present in the sheet. */
  index: Map<K, number>
  /** Columns left aside (错误原因 and 原行号 of an error report being uploaded again). */
  ignored: Set<number>
}

/** Headers of an error report that an upload may carry and that are not data. */
export const IGNORED_HEADERS = ['错误原因', '原行号']

export interface HeaderProblems {
  missing: string[]
  unexpected: string[]
  duplicated: string[]
  expected: string[]
}

/** Header text as compared: spaces and a trailing required-mark or note in brackets ignored. */
export function normalizeHeader(text: string): string {
  return text
    .replace(/\s+/g, '')
    .replace(/[*＊]+$/, '')
    .replace(/[(（][^)）]*[)）]$/, '')
    .replace(/[*＊]+$/, '')
}

export function matchHeaders<K extends string>(spec: ImportSpec<K>, header: CellValue[]): { ok: true; match: HeaderMatch<K> } | { ok: false; problems: HeaderProblems } {
  const byText = new Map<string, ImportColumn<K>>()
  for (const c of spec.columns) for (const name of [c.header, ...(c.aliases ?? [])]) byText.set(normalizeHeader(name), c)
  const index = new Map<K, number>()
  const ignored = new Set<number>()
  const ignoredTexts = new Set(IGNORED_HEADERS.map(normalizeHeader))
  const unexpected: string[] = []
  const duplicated: string[] = []
  header.forEach((cell, i) => {
    if (cell === null) return
    const text = normalizeHeader(cell instanceof Date ? cell.toISOString() : String(cell))
    if (text === '') return
    if (ignoredTexts.has(text)) { ignored.add(i); return }
    const column = byText.get(text)
    if (!column) { unexpected.push(`第${i + 1}列 ${String(cell).trim()}`); return }
    if (index.has(column.key)) { duplicated.push(column.header); return }
    index.set(column.key, i)
  })
  const missing = spec.columns.filter((c) => c.required && !index.has(c.key)).map((c) => c.header)
  for (const group of spec.oneOf ?? []) {
    if (!group.some((k) => index.has(k))) missing.push(group.map((k) => spec.columns.find((c) => c.key === k)?.header ?? k).join(' 或 '))
  }
  if (missing.length || unexpected.length || duplicated.length) {
    return { ok: false, problems: { missing, unexpected, duplicated, expected: spec.columns.map((c) => c.header) } }
  }
  return { ok: true, match: { index, ignored } }
}

/** One problem of one row; `column` is 1-based in the uploaded sheet, null when the problem is the row's as a whole. */
export interface RowProblem {
  column: number | null
  header: string | null
  message: string
}

export const formatProblem = (p: RowProblem): string =>
  p.column !== null && p.header ? `第${p.column}列 ${p.header} ${p.message}` : p.header ? `${p.header} ${p.message}` : p.message

export const formatProblems = (problems: RowProblem[]): string => problems.map(formatProblem).join(';')

/** Reads a row by key: trimmed text (numbers as written, dates as YYYY-MM-DD), or null when empty. */
export class RowCells<K extends string> {
  constructor(
    private readonly spec: ImportSpec<K>,
    private readonly match: HeaderMatch<K>,
    readonly cells: CellValue[],
  ) {}

  has(key: K): boolean {
    return this.match.index.has(key)
  }

  raw(key: K): CellValue {
    const i = this.match.index.get(key)
    return i === undefined ? null : (this.cells[i] ?? null)
  }

  text(key: K): string | null {
    const v = this.raw(key)
    if (v === null) return null
    if (v instanceof Date) return v.toISOString().slice(0, 10)
    if (typeof v === 'boolean') return v ? '是' : '否'
    const t = String(v).trim()
    return t === '' ? null : t
  }

  /** A problem located at this key's column. */
  problem(key: K, message: string): RowProblem {
    const i = this.match.index.get(key)
    const header = this.spec.columns.find((c) => c.key === key)?.header ?? key
    return { column: i === undefined ? null : i + 1, header, message }
  }
}

const DATE_PARTS = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/

/**
 * A calendar date from a cell: an Excel date, or text written 2024-05-06, 2024/5/6, 2024.5.6,
 * 2024年5月6日 or 20240506. Returns YYYY-MM-DD, or null when it is not a real date.
 */
export function parseDateCell(v: CellValue): string | null {
  if (v === null) return null
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString().slice(0, 10)
  const text = String(v).trim()
  let y: number, m: number, d: number
  const parts = DATE_PARTS.exec(text)
  if (parts) [y, m, d] = [Number(parts[1]), Number(parts[2]), Number(parts[3])]
  else if (/^\d{8}$/.test(text)) [y, m, d] = [Number(text.slice(0, 4)), Number(text.slice(4, 6)), Number(text.slice(6, 8))]
  else return null
  const date = new Date(Date.UTC(y, m - 1, d))
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null
  return date.toISOString().slice(0, 10)
}

/** 是/否 and the usual variants; undefined when the text is none of them. */
export function parseYesNo(text: string | null): boolean | null | undefined {
  if (text === null) return null
  const t = text.trim().toLowerCase()
  if (['是', '1', 'y', 'yes', 'true', '√', '✓'].includes(t)) return true
  if (['否', '0', 'n', 'no', 'false', '×', '✗'].includes(t)) return false
  return undefined
}

/** Splits a list cell on Chinese or Latin commas, semicolons, the enumeration comma and spaces. */
export const splitList = (text: string | null): string[] => (text ? text.split(/[,，;；、\s]+/).map((s) => s.trim()).filter(Boolean) : [])
