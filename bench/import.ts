/**
 * Benchmark: import 50,000 residents (with households, care tags and personal information that is
 * validated and encrypted per row) from one .xlsx file, on SQLite in a file, through the real upload
 * route and the background job. Target: under 60 seconds.
 *
 *   npx tsx bench/import.ts [rows] [valid_rows|all_or_nothing]     (DATABASE_URL=postgres://… for PostgreSQL)
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { loadConfig } from '../src/config.js'
import { connect } from '../src/db/connect.js'
import { migrateToLatest } from '../src/db/migrate.js'
import { buildApp } from '../src/server/app.js'
import { PiiCipher } from '../src/lib/pii.js'
import { createAdminAccount } from '../src/modules/accounts/service.js'
import { runNextJob } from '../src/modules/jobs/service.js'
import { writeResidentsWorkbook, xlsxUpload } from './support.js'

const rows = Number(process.argv[2] ?? 50_000)
const mode = process.argv[3] === 'all_or_nothing' ? 'all_or_nothing' : 'valid_rows'
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chorus-bench-import-'))
const databaseUrl = process.env.DATABASE_URL ?? null
const dbHandle = connect({ databaseUrl, sqliteFile: path.join(dir, 'chorus.db') })
await migrateToLatest(dbHandle)
const password = 'bench-admin-password'
await createAdminAccount(dbHandle.db, 'bench_admin', '基准管理员', password, false)
const app = await buildApp({ config: { ...loadConfig({}), dataDir: dir, importMaxRows: Math.max(rows, 100_000), importMaxBytes: 512 * 1024 * 1024 }, dbHandle, pii: new PiiCipher(crypto.randomBytes(32)), logger: false })
await app.ready()

const login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'bench_admin', password } })
const cookie = String([login.headers['set-cookie']].flat()[0]).split(';')[0] as string
const csrf = (JSON.parse(login.body) as { csrfToken: string }).csrfToken
const api = async (method: 'POST' | 'GET', url: string, payload?: unknown) => {
  const res = await app.inject({ method, url, headers: { cookie, 'x-csrf-token': csrf }, ...(payload ? { payload: payload } : {}) })
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`)
  return JSON.parse(res.body) as { id: number } & Record<string, unknown>
}

// A community with 40 compounds of 5 buildings each.
const county = await api('POST', '/api/units', { parentId: null, type: 'county', name: '基准县', code: '371524' })
const sub = await api('POST', '/api/units', { parentId: county.id, type: 'subdistrict', name: '基准街道', code: '371524001' })
const community = await api('POST', '/api/units', { parentId: sub.id, type: 'community', name: '基准社区', code: '371524001001' })
const grid = await api('POST', '/api/units', { parentId: community.id, type: 'grid', name: '第一网格' })
const buildings: string[] = []
for (let c = 1; c <= 40; c++) {
  const compound = await api('POST', '/api/units', { parentId: grid.id, type: 'compound', name: `小区${c}` })
  for (let b = 1; b <= 5; b++) {
    await api('POST', '/api/units', { parentId: compound.id, type: 'building', name: `${b}号楼`, code: `BM-${c}-${b}` })
    buildings.push(`BM-${c}-${b}`)
  }
}

const file = path.join(dir, 'residents.xlsx')
let t0 = Date.now()
await writeResidentsWorkbook(file, rows, buildings)
console.log(`generated ${rows} rows (${(fs.statSync(file).size / 1e6).toFixed(1)} MB) in ${Date.now() - t0} ms`)

t0 = Date.now()
const upload = xlsxUpload(file)
const up = await app.inject({
  method: 'POST', url: `/api/imports/residents?mode=${mode}&unitId=${community.id}`,
  headers: { cookie, 'x-csrf-token': csrf, 'content-type': upload.contentType }, payload: upload.payload,
})
if (up.statusCode !== 202) throw new Error(`upload: ${up.statusCode} ${up.body}`)
const uploadMs = Date.now() - t0
const jobId = (JSON.parse(up.body) as { id: number }).id
let polls = 0
const job = await runNextJob(app, { afterProgress: () => { polls++; return Promise.resolve() } })
const totalMs = Date.now() - t0
const view = await api('GET', `/api/jobs/${jobId}`)
console.log(JSON.stringify({ dialect: dbHandle.dialect, mode, rows, uploadAndChecksMs: uploadMs, totalMs, progressUpdates: polls, status: job?.status, succeeded: view.succeeded, failed: view.failed, result: view.result }))
console.log(`import of ${rows} residents: ${(totalMs / 1000).toFixed(1)} s (${Math.round(rows / (totalMs / 1000))} rows/s) — target < 60 s`)
await app.close()
await dbHandle.close()
fs.rmSync(dir, { recursive: true, force: true })
