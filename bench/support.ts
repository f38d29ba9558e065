/**
 * What the benches share: arithmetic on timings, a PostgreSQL schema of their own, the machine's facts,
 * the residents workbook they import and where their results go.
 */
import { execSync } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import ExcelJS from 'exceljs'
import pg from 'pg'
import { idCheckChar } from '../src/lib/pii.js'

export const logger = (prefix: string) => (msg: string) => console.log(`[${prefix} ${new Date().toISOString().slice(11, 19)}] ${msg}`)

export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}

export async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now()
  const value = await fn()
  return [value, performance.now() - t0]
}

async function onPostgres(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query(statement)
  } finally {
    await client.end()
  }
}

/** A fresh schema `bench_…` in the database at `url`, so a run never touches anything else there. */
export async function createBenchSchema(url: string): Promise<string> {
  const schema = `bench_${crypto.randomBytes(5).toString('hex')}`
  await onPostgres(url, `create schema ${schema}`)
  return schema
}

export const dropBenchSchema = (url: string, schema: string) => onPostgres(url, `drop schema ${schema} cascade`)

/** Node, cores, CPU, memory, platform, date and the commit measured. */
export function machineFacts(root: string) {
  const cpus = os.cpus()
  let commit: string | null = null
  try { commit = execSync('git rev-parse --short HEAD', { cwd: root }).toString().trim() } catch { /* not a checkout */ }
  return {
    node: process.version, cores: cpus.length, cpu: cpus[0]?.model ?? null, memory_gb: round(os.totalmem() / 2 ** 30, 1),
    platform: `${os.platform()} ${os.release()}`, date: new Date().toISOString(), commit,
  }
}

/**
 * A residents workbook in the import template's columns: `rows` people, three to a household, spread
 * over `buildings` (unit codes), a care tag on every 17th; streamed to `file`.
 */
export async function writeResidentsWorkbook(file: string, rows: number, buildings: string[]): Promise<void> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: true, useStyles: false })
  const ws = wb.addWorksheet('居民')
  ws.addRow(['姓名', '性别', '出生日期', '身份证号', '手机号', '民族', '所属单位编码', '门牌/房号', '户号', '与户主关系', '标签']).commit()
  for (let i = 0; i < rows; i++) {
    const household = Math.floor(i / 3)
    // Unique, valid identity numbers: the birth date moves a week per thousand rows, the sequence is the rest.
    const birth = new Date(Date.UTC(1950, 0, 1) + Math.floor(i / 1000) * 86_400_000 * 7).toISOString().slice(0, 10).replaceAll('-', '')
    const first17 = `371524${birth}${String(i % 1000).padStart(3, '0')}`
    const id = first17 + idCheckChar(first17)
    ws.addRow([
      `居民${i}`, Number(id[16]) % 2 ? '男' : '女', null, id, `13${String(100000000 + i)}`, '汉族', buildings[household % buildings.length],
      `${(household % 6) + 1}单元${(household % 30) + 101}`, String(household + 1), i % 3 === 0 ? '户主' : i % 3 === 1 ? '配偶' : '子女',
      i % 17 === 0 ? '独居老人' : null,
    ]).commit()
  }
  ws.commit()
  await wb.commit()
}

/** One .xlsx file as the multipart body the upload route takes. */
export function xlsxUpload(file: string): { payload: Buffer; contentType: string } {
  const boundary = '----chorusbench'
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${path.basename(file)}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    fs.readFileSync(file),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ])
  return { payload, contentType: `multipart/form-data; boundary=${boundary}` }
}

/** Writes bench/results/NAME.json and prints its SQLite figures without the details. */
export function writeResults(root: string, name: string, result: { total_seconds: number; details?: unknown }): void {
  fs.mkdirSync(path.join(root, 'bench', 'results'), { recursive: true })
  fs.writeFileSync(path.join(root, 'bench', 'results', `${name}.json`), JSON.stringify(result, null, 2) + '\n')
  logger('bench')(`wrote bench/results/${name}.json (${result.total_seconds} s)`)
  console.log(JSON.stringify({ ...result, postgresql: undefined, machine: undefined, notes: undefined, details: undefined }, null, 2))
}
