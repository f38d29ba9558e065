import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import ExcelJS from 'exceljs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { buildTestApp, dialects, type TestApp } from '../../../test/support/app.js'
import { createPartyMember, createPartyOrg, createResident, createUnit, smallCounty, userWith, validIdNumber, validMobile } from '../../../test/support/factories.js'
import { download, readXlsx, type Cell } from '../../../test/support/xlsx.js'
import { runNextJob } from '../jobs/service.js'

describe.each(dialects)('exports on %s', (dialect) => {
  let t: TestApp
  let dataDir: string
  let county: Awaited<ReturnType<typeof smallCounty>>
  let idA: string

  beforeEach(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chorus-export-'))
    t = await buildTestApp(dialect, { dataDir, exportDirectMaxRows: 4 })
    county = await smallCounty(t)
    const compoundA = await createUnit(t, { parentId: county.gridA.id, type: 'compound', name: '幸福小区' })
    const compoundB = await createUnit(t, { parentId: county.gridB.id, type: 'compound', name: '湖畔小区' })
    idA = validIdNumber('1960-02-03', 'female')
    await createResident(t, { unitId: compoundA.id, name: '王吉祥', idNumber: idA, phone: validMobile(), room: '1单元101' })
    await createResident(t, { unitId: compoundA.id, name: '李吉祥', idNumber: validIdNumber('1990-07-08', 'male') })
    await createResident(t, { unitId: compoundB.id, name: '赵洛神', idNumber: validIdNumber('1970-01-01', 'male') })
  })
  afterEach(async () => {
    await t.close()
    fs.rmSync(dataDir, { recursive: true, force: true })
  })

  const sheetOf = async (body: Buffer): Promise<Cell[][]> => [...(await readXlsx(body)).values()][0] as Cell[][]
  const auditOf = async (action: string) => (await t.admin.get(`/api/audit?action=${action}`)).body.items as any[]

  it('exports residents masked by default, with Chinese headers, a bold frozen header row and Shanghai times; audited', async () => {
    const res = await download(t.admin, `/api/exports/residents.xlsx?unitId=${county.communityA.id}&sort=name`)
    expect(res.status).toBe(200)
    expect(String(res.headers['content-disposition'])).toMatch(/filename\*=UTF-8''%E5%B1%85%E6%B0%91-\d{8}-\d{4}\.xlsx/)
    expect(res.headers['x-export-rows']).toBe('2')
    const sheet = await sheetOf(res.body)
    expect(sheet[0]?.slice(0, 7)).toEqual(['姓名', '性别', '出生日期', '年龄', '民族', '身份证号', '手机号'])
    const wang = sheet.find((r) => r[0] === '王吉祥') as Cell[]
    expect(wang[5]).toBe(`${idA.slice(0, 4)}**********${idA.slice(-4)}`)
    expect(String(wang[6])).toMatch(/^138\*{4}\d{4}$/)
    expect(res.body.includes(Buffer.from(idA))).toBe(false)
    expect(sheet.map((r) => r[0])).not.toContain('赵洛神')

    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(res.body as never)
    const ws = wb.worksheets[0] as ExcelJS.Worksheet
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 })
    expect(ws.getRow(1).getCell(1).font?.bold).toBe(true)
    expect(ws.getColumn(6).width).toBe(22)
    // 登记时间 shows the Asia/Shanghai wall clock
    const person = (await t.admin.get(`/api/residents?q=王吉祥`)).body.items[0]
    const registered = ws.getRow(sheet.indexOf(wang) + 1).getCell(16).value as Date
    expect(registered.toISOString().slice(0, 16)).toBe(new Date(Date.parse(person.createdAt) + 8 * 3600_000).toISOString().slice(0, 16))

    const [entry] = await auditOf('exports.residents')
    expect(entry.after).toMatchObject({ rows: 2, unmasked: false, unmaskedRows: 0, filters: { unitId: county.communityA.id, sort: 'name' } })
    expect(entry.unitId).toBe(county.communityA.id)
    // one entry for the export, none besides it from the residents module
    expect((await auditOf('residents.export')).length).toBe(0)
  })

  it('unmasks only with residents.unmask and a reason, and audits it once with the reason and the rows unmasked', async () => {
    const noReason = await t.admin.get(`/api/exports/residents.xlsx?unitId=${county.communityA.id}&unmasked=true`)
    expect(noReason.status).toBe(400)
    expect(noReason.body.error.code).toBe('export_reason_required')

    const grid = await userWith(t, 'grid_worker', county.gridA.id)
    const refused = await grid.get(`/api/exports/residents.xlsx?unmasked=true&reason=${encodeURIComponent('核对低保')}`)
    expect(refused.status).toBe(403)
    expect(refused.body.error.code).toBe('forbidden')
    const masked = await download(grid, '/api/exports/residents.xlsx')
    expect(masked.status).toBe(200)
    expect(masked.body.includes(Buffer.from(idA))).toBe(false)

    const res = await download(t.admin, `/api/exports/residents.xlsx?unitId=${county.communityA.id}&unmasked=true&reason=${encodeURIComponent('核对低保名单')}`)
    expect(res.status).toBe(200)
    const wang = (await sheetOf(res.body)).find((r) => r[0] === '王吉祥') as Cell[]
    expect(wang[5]).toBe(idA)
    expect(String(wang[6])).toMatch(/^138\d{8}$/)
    expect((await auditOf('residents.export')).length).toBe(0)
    const [entry] = await auditOf('exports.residents')
    expect(entry).toMatchObject({ reason: '核对低保名单' })
    expect(entry.after).toMatchObject({ rows: 2, unmasked: true, unmaskedRows: 2, reason: '核对低保名单' })
  })

  it('limits a 吉祥苑社区 worker’s export to its own residents', async () => {
    const worker = await userWith(t, 'community_worker', county.communityA.id)
    const res = await download(worker, '/api/exports/residents.xlsx')
    expect(res.status).toBe(200)
    const names = (await sheetOf(res.body)).slice(1).map((r) => r[0]).sort()
    expect(names).toEqual(['李吉祥', '王吉祥'])
    // naming the other community as the filter still yields none of its residents
    const other = await download(worker, `/api/exports/residents.xlsx?unitId=${county.communityB.id}`)
    expect(other.status).toBe(200)
    expect((await sheetOf(other.body)).length).toBe(1)
    const units = await download(worker, '/api/exports/units.xlsx?status=all')
    const unitNames = (await sheetOf(units.body)).slice(1).map((r) => r[0])
    expect(unitNames).toContain('幸福小区')
    expect(unitNames).not.toContain('湖畔小区')
  })

  it('runs a large export as a job with progress and a download link for its owner only', async () => {
    for (let i = 0; i < 4; i++) await createResident(t, { unitId: county.gridA.id, name: `居民${i}` })
    const start = await t.admin.get('/api/exports/residents.xlsx')
    expect(start.status).toBe(202)
    expect(start.body).toMatchObject({ kind: 'export_residents', status: 'queued', total: 7, links: { output: null } })
    await runNextJob(t.app)
    const job = (await t.admin.get(start.body.links.self)).body
    expect(job).toMatchObject({ status: 'done', processed: 7, succeeded: 7, progress: 1 })
    expect(job.outputName).toMatch(/^居民-\d{8}-\d{4}\.xlsx$/)
    const file = await download(t.admin, job.links.output)
    expect(file.status).toBe(200)
    expect((await sheetOf(file.body)).length).toBe(8)

    const stranger = await userWith(t, 'community_worker', county.communityB.id)
    expect((await stranger.get(start.body.links.self)).status).toBe(403)
    expect((await download(stranger, job.links.output)).status).toBe(403)
    expect((await stranger.get('/api/jobs')).body.total).toBe(0)
  })

  it('exports units, members, the audit log and accounts with their filters', async () => {
    t.app.config.exportDirectMaxRows = 5000
    const org = await createPartyOrg(t, { unitId: county.communityA.id, kind: 'committee', name: '吉祥苑社区党委' })
    const branch = await createPartyOrg(t, { unitId: county.gridA.id, kind: 'branch', parentId: org.id, name: '第一网格党支部' })
    await createPartyMember(t, { unitId: county.gridA.id, orgId: branch.id, name: '党员甲', joinedDate: '2001-07-01' })

    const units = await sheetOf((await download(t.admin, `/api/exports/units.xlsx?type=grid`)).body)
    expect(units[0]).toEqual(['名称', '类型', '编码', '上级名称', '上级编码', '地址', '层级', '状态', '创建时间', '更新时间'])
    expect(units.slice(1).map((r) => [r[0], r[1], r[3]])).toEqual([['第一网格', '网格', '吉祥苑社区'], ['第一网格', '网格', '洛神湖社区']])

    const members = await sheetOf((await download(t.admin, `/api/exports/members.xlsx?unitId=${county.communityA.id}`)).body)
    expect(members[0]?.slice(0, 6)).toEqual(['姓名', '性别', '出生日期', '手机号', '所属党组织', '发展阶段'])
    expect(members[1]?.[0]).toBe('党员甲')
    expect(members[1]?.[4]).toBe('第一网格党支部')
    expect(members[1]?.[5]).toBe('正式党员')

    const auditSheet = await sheetOf((await download(t.admin, '/api/exports/audit.xlsx?action=units')).body)
    expect(auditSheet[0]?.slice(0, 3)).toEqual(['时间', '操作人', '操作'])
    expect(auditSheet.slice(1).every((r) => String(r[2]).startsWith('units.'))).toBe(true)

    const worker = await userWith(t, 'town_admin', county.subdistrict.id, 'town_admin_x')
    const accounts = await sheetOf((await download(t.admin, '/api/exports/accounts.xlsx?q=town_admin_x')).body)
    expect(accounts[1]?.[0]).toBe('town_admin_x')
    expect(String(accounts[1]?.[5])).toContain('乡镇(街道)管理员@铜城街道')
    expect((await worker.get('/api/exports/audit.xlsx')).status).toBe(403)
    expect((await auditOf('exports')).map((e) => e.action).sort()).toEqual(['exports.accounts', 'exports.audit', 'exports.members', 'exports.units'])
  })
})
