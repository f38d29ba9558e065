/** Spreadsheets for tests: build .xlsx files, read them back, and upload them as multipart. */
import ExcelJS from 'exceljs'
import type { Client, TestResponse } from './app.js'

export type Cell = string | number | boolean | Date | null

/** A small workbook in memory; the first sheet holds `rows` (header first). */
export async function xlsxBuffer(rows: Cell[][], sheetName = 'Sheet1', extraSheets: { name: string; rows: Cell[][] }[] = []): Promise<Buffer> {
  const wb = new ExcelJS.Workbook()
  for (const sheet of [{ name: sheetName, rows }, ...extraSheets]) {
    const ws = wb.addWorksheet(sheet.name)
    for (const r of sheet.rows) ws.addRow(r)
  }
  return Buffer.from(await wb.xlsx.writeBuffer())
}

/** A large file written row by row with the streaming writer (never held in memory). */
export async function bigXlsxFile(file: string, header: Cell[], rows: number, row: (i: number) => Cell[], sharedStrings = false): Promise<void> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: sharedStrings, useStyles: false })
  const ws = wb.addWorksheet('居民')
  ws.addRow(header).commit()
  for (let i = 0; i < rows; i++) ws.addRow(row(i)).commit()
  ws.commit()
  await wb.commit()
}

/** Every sheet of a workbook as arrays of cell values (index 0 = column A). */
export async function readXlsx(buffer: Buffer | string): Promise<Map<string, Cell[][]>> {
  const wb = new ExcelJS.Workbook()
  if (typeof buffer === 'string') await wb.xlsx.readFile(buffer)
  else await wb.xlsx.load(buffer as never)
  const out = new Map<string, Cell[][]>()
  wb.eachSheet((ws) => {
    const rows: Cell[][] = []
    ws.eachRow({ includeEmpty: false }, (r) => {
      const values = (r.values as unknown[]).slice(1).map((v) => (v === undefined ? null : (v as Cell)))
      rows.push(values)
    })
    out.set(ws.name, rows)
  })
  return out
}

export function multipartBody(file: Buffer, filename = 'data.xlsx', fields: Record<string, string> = {}): { payload: Buffer; contentType: string } {
  const boundary = `----chorus${Math.random().toString(16).slice(2)}`
  const parts: Buffer[] = []
  for (const [name, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`))
  }
  parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\n` +
    'Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n'))
  parts.push(file)
  parts.push(Buffer.from(`\r\n--${boundary}--\r\n`))
  return { payload: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` }
}

/** POSTs a file as multipart to an import route. */
export function upload(client: Client, url: string, file: Buffer, filename = 'data.xlsx'): Promise<TestResponse> {
  const { payload, contentType } = multipartBody(file, filename)
  return client.request('POST', url, payload, { 'content-type': contentType })
}

/** GETs a binary download (the test client parses only JSON). */
export async function download(client: Client, url: string): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer; json: any }> {
  // The client keeps its session cookie private; downloads need the raw bytes, which it does not return.
  const cookie = (client as any).cookie as string | null
  const res = await client.app.inject({ method: 'GET', url, headers: cookie ? { cookie } : {} })
  const body = res.rawPayload
  let json: unknown = null
  if (String(res.headers['content-type'] ?? '').includes('json')) json = JSON.parse(body.toString('utf8'))
  return { status: res.statusCode, headers: res.headers, body, json }
}
