/**
 * The per-row error report: the uploaded rows that were refused, with their original values, a
 * column 错误原因 listing every problem and 原行号 (the row in the uploaded file). The report can be
 * corrected and uploaded again as it is: the importer ignores those two columns.
 */
import type { Writable } from 'node:stream'
import { writeXlsx, type XlsxColumn } from '../../lib/xlsx.js'
import { EXAMPLE_MARK, formatProblems, type RowProblem } from './columns.js'
import { readSheetRows, type CellValue, type XlsxLayout } from './xlsx-file.js'

export const REASON_HEADER = '错误原因'
export const ROW_HEADER = '原行号'

const cellText = (v: CellValue | undefined): string | null => {
  if (v === null || v === undefined) return null
  if (v instanceof Date) return v.toISOString().slice(0, 10)
  if (typeof v === 'boolean') return v ? '是' : '否'
  return String(v)
}

export const isExampleRow = (cells: CellValue[]): boolean => {
  const first = cells.find((c) => c !== null)
  return typeof first === 'string' && (first.trim().startsWith(EXAMPLE_MARK) || first.trim().startsWith('示例:'))
}

/**
 * Re-reads the upload and writes the refused rows. `problems` is keyed by data-row index (the order
 * of data rows after the header, example rows left out), exactly as the import numbered them.
 */
export async function writeErrorReport(layout: XlsxLayout, ignoredColumns: Set<number>, problems: Map<number, RowProblem[]>, out: Writable, sheetName: string): Promise<number> {
  let header: CellValue[] | null = null
  const rows: { cells: CellValue[]; reason: string; rowNumber: number }[] = []
  let index = 0
  for await (const row of readSheetRows(layout)) {
    if (header === null) { header = row.cells; continue }
    if (isExampleRow(row.cells)) continue
    const found = problems.get(index)
    if (found) rows.push({ cells: row.cells, reason: formatProblems(found), rowNumber: row.number })
    index++
  }
  const kept = (header ?? []).map((h, i) => ({ h, i })).filter(({ i }) => !ignoredColumns.has(i))
  const columns: XlsxColumn<(typeof rows)[number]>[] = [
    ...kept.map(({ h, i }) => ({ header: cellText(h) ?? '', width: Math.min(Math.max((cellText(h) ?? '').length * 2 + 4, 10), 30), value: (r: (typeof rows)[number]) => cellText(r.cells[i]) })),
    { header: REASON_HEADER, width: 60, value: (r) => r.reason },
    { header: ROW_HEADER, width: 8, type: 'number', value: (r) => r.rowNumber },
  ]
  await writeXlsx({ stream: out }, [{ name: sheetName, columns, rows }])
  return rows.length
}
