/**
 * Writes rows to an .xlsx file in the browser and downloads it. Loaded on demand (exceljs is
 * large), only when someone exports.
 */
import * as ExcelJSModule from 'exceljs'

export type ExcelCell = string | number | boolean | null

type ExcelJS = typeof ExcelJSModule
// exceljs ships a UMD bundle for browsers; depending on the bundler's interop its API is the
// namespace itself or its default export.
const library = (): ExcelJS => {
  const mod = ExcelJSModule as ExcelJS & { default?: ExcelJS }
  return typeof mod.Workbook === 'function' ? mod : (mod.default as ExcelJS)
}

const today = (): string => {
  const d = new Date()
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}`
}

export async function downloadWorkbook(fileName: string, header: string[], rows: ExcelCell[][]): Promise<void> {
  const { Workbook } = library()
  const workbook = new Workbook()
  workbook.creator = 'Chorus'
  workbook.created = new Date()
  const sheet = workbook.addWorksheet(fileName.slice(0, 31))
  sheet.addRow(header).font = { bold: true }
  for (const row of rows) sheet.addRow(row)
  sheet.views = [{ state: 'frozen', ySplit: 1 }]
  header.forEach((title, i) => {
    // Wide enough for the longest value, counting a CJK character as two.
    const width = (value: ExcelCell) => [...String(value ?? '')].reduce((w, ch) => w + (ch.charCodeAt(0) > 0x2e80 ? 2 : 1), 0)
    const longest = Math.max(width(title), ...rows.slice(0, 500).map((r) => width(r[i] ?? null)))
    sheet.getColumn(i + 1).width = Math.min(Math.max(longest + 2, 8), 60)
  })
  const buffer = await workbook.xlsx.writeBuffer()
  const blob = new Blob([buffer], { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' })
  const url = URL.createObjectURL(blob)
  const link = document.createElement('a')
  link.href = url
  link.download = `${fileName}-${today()}.xlsx`
  document.body.appendChild(link)
  link.click()
  link.remove()
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000)
}
