/**
 * The downloadable templates: a data sheet with the Chinese headers (bold, frozen), an example row,
 * text-formatted columns for numbers that must stay exact, drop-downs for closed lists, and a second
 * sheet 说明 explaining every column and its allowed values.
 */
import ExcelJS from 'exceljs'
import type { ImportSpec } from './columns.js'

const TEMPLATE_ROWS = 5000
const colLetter = (n: number): string => {
  let s = ''
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s
  return s
}

interface DataValidations { add(range: string, validation: ExcelJS.DataValidation): void }

export async function buildTemplate(spec: ImportSpec): Promise<Buffer> {
  const wb = new ExcelJS.Workbook()
  wb.creator = 'Chorus'
  const ws = wb.addWorksheet(spec.sheetName, { views: [{ state: 'frozen', ySplit: 1 }] })
  ws.columns = spec.columns.map((c) => ({ header: c.header, key: c.key, width: c.width, ...(c.text ? { style: { numFmt: '@' } } : {}) }))
  const header = ws.getRow(1)
  header.font = { bold: true }
  spec.columns.forEach((c, i) => {
    const cell = header.getCell(i + 1)
    cell.font = { bold: true, color: c.required ? { argb: 'FFC00000' } : { argb: 'FF000000' } }
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFF2F2F2' } }
    cell.note = c.note
  })
  const example = ws.addRow(Object.fromEntries(spec.columns.map((c) => [c.key, c.example === '' ? null : c.example])))
  example.font = { color: { argb: 'FF808080' }, italic: true }
  const validations = (ws as unknown as { dataValidations: DataValidations }).dataValidations
  spec.columns.forEach((c, i) => {
    if (!c.allowed || c.allowed.join(',').length > 250) return
    const col = colLetter(i + 1)
    validations.add(`${col}2:${col}${TEMPLATE_ROWS}`, {
      type: 'list', allowBlank: true, formulae: [`"${c.allowed.join(',')}"`],
      showErrorMessage: true, errorStyle: 'warning', errorTitle: c.header, error: `可选:${c.allowed.join('、')}`,
    })
  })

  const help = wb.addWorksheet('说明')
  help.columns = [{ header: '列名', key: 'header', width: 16 }, { header: '是否必填', key: 'required', width: 10 }, { header: '说明', key: 'note', width: 60 }, { header: '可选值', key: 'allowed', width: 36 }, { header: '示例', key: 'example', width: 24 }]
  help.getRow(1).font = { bold: true }
  help.views = [{ state: 'frozen', ySplit: 1 }]
  for (const c of spec.columns) {
    const oneOf = spec.oneOf?.find((g) => g.includes(c.key))
    help.addRow({
      header: c.header,
      required: c.required ? '必填' : oneOf ? '二选一' : '选填',
      note: c.note,
      allowed: c.allowed?.join('、') ?? '',
      example: c.example,
    })
  }
  help.addRow({})
  for (const line of spec.intro) help.addRow({ header: '提示', note: line })
  help.getColumn('note').alignment = { wrapText: true, vertical: 'top' }
  return Buffer.from(await wb.xlsx.writeBuffer())
}
