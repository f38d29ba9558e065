import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { buildTestApp, dialects, type TestApp } from '../../../test/support/app.js'
import { createPartyOrg, createResident, createUnit, smallCounty, userWith, validIdNumber } from '../../../test/support/factories.js'
import { bigXlsxFile, download, readXlsx, upload, xlsxBuffer, type Cell } from '../../../test/support/xlsx.js'
import { jobFilePath } from '../jobs/files.js'
import { runNextJob } from '../jobs/service.js'
import { idCheckChar } from '../../lib/pii.js'
import { normalizeHeader, matchHeaders, parseDateCell } from './columns.js'
import { residentsSpec } from './residents-import.js'

/** A valid identity number per i (the birth date moves a day per row). */
const uniqueIdNumber = (i: number): string => {
  const first17 = `371524${new Date(Date.UTC(1950, 0, 1) + i * 86_400_000).toISOString().slice(0, 10).replaceAll('-', '')}123`
  return first17 + idCheckChar(first17)
}

const HEADER = ['姓名', '性别', '出生日期', '身份证号', '手机号', '民族', '所属单位', '门牌/房号', '户号', '与户主关系', '标签']

describe('header matching and cells (pure)', () => {
  it('ignores spaces, a required mark and a bracketed note; reports missing, unexpected and duplicated columns', () => {
    const spec = residentsSpec([])
    expect(normalizeHeader(' 身份证号 * ')).toBe('身份证号')
    expect(normalizeHeader('出生日期(YYYY-MM-DD)')).toBe('出生日期')
    const ok = matchHeaders(spec, ['姓名*', '所属单位', '错误原因'])
    expect(ok.ok).toBe(true)
    const bad = matchHeaders(spec, ['名字', '姓名', '姓名', '身份证'])
    expect(bad.ok).toBe(false)
    if (!bad.ok) {
      expect(bad.problems.missing).toEqual(['所属单位编码 或 所属单位'])
      expect(bad.problems.unexpected).toEqual(['第1列 名字', '第4列 身份证'])
      expect(bad.problems.duplicated).toEqual(['姓名'])
    }
  })

  it('reads dates written the usual ways and refuses impossible ones', () => {
    expect(parseDateCell('1980-5-6')).toBe('1980-05-06')
    expect(parseDateCell('1980年5月6日')).toBe('1980-05-06')
    expect(parseDateCell('19800506')).toBe('1980-05-06')
    expect(parseDateCell(new Date(Date.UTC(1980, 4, 6)))).toBe('1980-05-06')
    expect(parseDateCell('1980-02-30')).toBeNull()
    expect(parseDateCell('去年')).toBeNull()
  })
})

describe.each(dialects)('imports on %s', (dialect) => {
  let t: TestApp
  let dataDir: string
  let county: Awaited<ReturnType<typeof smallCounty>>
  let compound: { id: number; name: string }

  beforeEach(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chorus-import-'))
    t = await buildTestApp(dialect, { dataDir })
    county = await smallCounty(t)
    compound = await createUnit(t, { parentId: county.gridA.id, type: 'compound', name: '幸福小区' })
  })
  afterEach(async () => {
    await t.close()
    fs.rmSync(dataDir, { recursive: true, force: true })
  })

  const residentRow = (i: number, overrides: Partial<Record<string, Cell>> = {}): Cell[] => {
    const id = validIdNumber('1985-03-0' + ((i % 9) + 1), i % 2 ? 'male' : 'female', 1000 + i)
    const base: Record<string, Cell> = {
      姓名: `居民${i}`, 性别: i % 2 ? '男' : '女', 出生日期: null, 身份证号: id, 手机号: `139${String(i).padStart(8, '0')}`, 民族: '汉族',
      所属单位: '幸福小区', '门牌/房号': `1单元${100 + Math.floor(i / 3)}`, 户号: String(Math.floor(i / 3) + 1), 与户主关系: i % 3 === 0 ? '户主' : '子女', 标签: i === 1 ? '独居老人' : null,
      ...overrides,
    }
    return HEADER.map((h) => base[h] ?? null)
  }
  const residentsFile = (rows: Cell[][]) => xlsxBuffer([HEADER, ...rows], '居民')
  const countPersons = async () => Number((await t.dbHandle.db.selectFrom('person').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)
  const countRows = async (table: 'unit' | 'audit_log' | 'party_member' | 'household') =>
    Number((await t.dbHandle.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)
  const counts = async () => ({ units: await countRows('unit'), audit: await countRows('audit_log'), members: await countRows('party_member') })

  it('serves each template with its headers, an example row and a 说明 sheet', async () => {
    for (const [kind, first] of [['residents', '姓名'], ['units', '名称'], ['members', '身份证号']] as const) {
      const res = await download(t.admin, `/api/imports/templates/${kind}`)
      expect(res.status).toBe(200)
      expect(String(res.headers['content-type'])).toContain('spreadsheetml')
      expect(String(res.headers['content-disposition'])).toContain("filename*=UTF-8''")
      const sheets = await readXlsx(res.body)
      const [data, help] = [...sheets.values()]
      expect([...sheets.keys()][1]).toBe('说明')
      expect(data?.[0]?.[0]).toBe(first)
      expect(String(data?.[1]?.[0])).toMatch(/^示例:/)
      expect(help?.length).toBeGreaterThan(3)
    }
    const residents = await readXlsx((await download(t.admin, '/api/imports/templates/residents')).body)
    expect([...residents.values()][0]?.[0]).toEqual(residentsSpec([]).columns.map((c) => c.header))
    // 说明 lists the care tags the county uses
    expect(JSON.stringify([...residents.values()][1])).toContain('独居老人')
  })

  it('imports a residents file with two bad rows: valid_rows writes the rest, the report lists exactly those two', async () => {
    const rows = Array.from({ length: 12 }, (_, i) => residentRow(i))
    const badId = validIdNumber('1985-03-04', 'male', 1003)
    rows[3] = residentRow(3, { 身份证号: badId.slice(0, 17) + (badId.endsWith('0') ? '1' : '0') })
    rows[7] = residentRow(7, { 手机号: '12345', 性别: '未知' })
    const res = await upload(t.admin, `/api/imports/residents?mode=valid_rows&unitId=${county.communityA.id}`, await residentsFile(rows), '居民.xlsx')
    expect(res.status).toBe(202)
    expect(res.body).toMatchObject({ kind: 'import_residents', status: 'queued', total: 12, mine: true, options: { mode: 'valid_rows', fileName: '居民.xlsx' } })
    // The upload waits sealed at rest (lib/sealed-file.ts), not as the readable zip that was sent.
    const queued = await t.dbHandle.db.selectFrom('job').select('input_file').where('id', '=', res.body.id).executeTakeFirstOrThrow()
    const onDisk = fs.readFileSync(jobFilePath(t.config, queued.input_file!))
    expect(onDisk.subarray(0, 8).toString('latin1')).toBe('CHSEAL01')
    expect(onDisk.includes(Buffer.from('xl/worksheets/'))).toBe(false)

    const done = await runNextJob(t.app)
    expect(done?.status).toBe('done')
    const job = (await t.admin.get(`/api/jobs/${res.body.id}`)).body
    expect(job).toMatchObject({ status: 'done', total: 12, processed: 12, succeeded: 10, failed: 2, progress: 1 })
    expect(job.result.written).toMatchObject({ persons: 10 })
    expect(await countPersons()).toBe(10)
    expect(job.links.output).toBe(`/api/jobs/${job.id}/output`)

    const report = await download(t.admin, job.links.output)
    expect(report.status).toBe(200)
    const sheet = [...(await readXlsx(report.body)).values()][0] as Cell[][]
    expect(sheet[0]).toEqual([...HEADER, '错误原因', '原行号'])
    expect(sheet.length).toBe(3)
    expect(sheet[1]?.[0]).toBe('居民3')
    expect(sheet[1]?.[11]).toBe('第4列 身份证号 校验位错误')
    expect(sheet[1]?.[12]).toBe(5)
    expect(sheet[2]?.[0]).toBe('居民7')
    expect(String(sheet[2]?.[11])).toContain('第2列 性别 应为 男 或 女')
    expect(String(sheet[2]?.[11])).toContain('第5列 手机号')

    // households were formed by 户号, heads set, tags linked
    const households = await t.dbHandle.db.selectFrom('household').selectAll().execute()
    expect(households.length).toBe(4)
    // the head of household 2 (row 5) was refused, so that household has members but no head
    expect(households.filter((h) => h.head_person_id !== null).length).toBe(3)
    const audit = await t.admin.get('/api/audit?action=imports.residents')
    expect(audit.body.items[0].after).toMatchObject({ mode: 'valid_rows', rows: 12, written: 10, refused: 2 })
  })

  it('all_or_nothing writes nothing when two rows are bad, and reports the same two rows', async () => {
    const rows = Array.from({ length: 9 }, (_, i) => residentRow(i))
    rows[2] = residentRow(2, { 出生日期: '1985-13-40' })
    rows[5] = residentRow(5, { 所属单位: '不存在的小区' })
    const res = await upload(t.admin, `/api/imports/residents?mode=all_or_nothing&unitId=${county.communityA.id}`, await residentsFile(rows))
    expect(res.status).toBe(202)
    await runNextJob(t.app)
    const job = (await t.admin.get(`/api/jobs/${res.body.id}`)).body
    expect(job).toMatchObject({ status: 'done', succeeded: 0, failed: 2 })
    expect(job.message).toContain('未导入任何数据')
    expect(await countPersons()).toBe(0)
    const sheet = [...(await readXlsx((await download(t.admin, job.links.output)).body)).values()][0] as Cell[][]
    expect(sheet.map((r) => r[0])).toEqual(['姓名', '居民2', '居民5'])
    expect(sheet[1]?.[11]).toBe('第3列 出生日期 日期无效,应写作 1980-05-06')
    expect(sheet[2]?.[11]).toBe('第7列 所属单位 在吉祥苑社区之下找不到该单位')

    // the same file without the bad rows goes in whole
    const good = await upload(t.admin, `/api/imports/residents?mode=all_or_nothing&unitId=${county.communityA.id}`, await residentsFile(rows.filter((_, i) => i !== 2 && i !== 5)))
    await runNextJob(t.app)
    expect((await t.admin.get(`/api/jobs/${good.body.id}`)).body).toMatchObject({ status: 'done', succeeded: 7, failed: 0, links: { output: null } })
    expect(await countPersons()).toBe(7)
  })

  it('refuses rows whose identity number is registered already, so the same file imported twice adds nobody', async () => {
    const rows = Array.from({ length: 6 }, (_, i) => residentRow(i))
    const url = (mode: string) => `/api/imports/residents?mode=${mode}&unitId=${county.communityA.id}`
    await upload(t.admin, url('valid_rows'), await residentsFile(rows))
    await runNextJob(t.app)
    expect(await countPersons()).toBe(6)

    const again = await upload(t.admin, url('valid_rows'), await residentsFile(rows))
    await runNextJob(t.app)
    const job = (await t.admin.get(`/api/jobs/${again.body.id}`)).body
    expect(job).toMatchObject({ succeeded: 0, failed: 6 })
    const report = [...(await readXlsx((await download(t.admin, job.links.output)).body)).values()][0] as Cell[][]
    expect(report[1]?.[11]).toBe('第4列 身份证号 已登记(系统中已有该身份证号的居民)')

    const mixed = await upload(t.admin, url('all_or_nothing'), await residentsFile([residentRow(100), rows[2] as Cell[]]))
    await runNextJob(t.app)
    expect((await t.admin.get(`/api/jobs/${mixed.body.id}`)).body).toMatchObject({ succeeded: 0, failed: 1 })
    expect(await countPersons()).toBe(6)
  })

  it('refuses wrong headers before reading any row, listing what is missing and unexpected', async () => {
    const file = await xlsxBuffer([['名字', '性别', '身份证', '所属单位'], ['张三', '男', validIdNumber(), '幸福小区']])
    const res = await upload(t.admin, `/api/imports/residents?mode=valid_rows&unitId=${county.communityA.id}`, file)
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('import_bad_headers')
    expect(res.body.error.details).toMatchObject({ missing: ['姓名'], unexpected: ['第1列 名字', '第3列 身份证'] })
    expect(res.body.error.message).toContain('表头')
    expect((await t.admin.get('/api/jobs')).body.total).toBe(0)
    expect(fs.readdirSync(path.join(dataDir, 'jobs'))).toEqual([])
  })

  it('refuses what is not an xlsx: text, an old .xls, a zip without a workbook, an empty upload', async () => {
    const url = `/api/imports/residents?mode=valid_rows&unitId=${county.communityA.id}`
    const csv = await upload(t.admin, url, Buffer.from('姓名,身份证号\n张三,371524198001011234\n'), 'data.csv')
    expect(csv.status).toBe(400)
    expect(csv.body.error).toMatchObject({ code: 'import_not_xlsx', details: { reason: 'not_zip' } })
    const xls = await upload(t.admin, url, Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(512)]), 'old.xls')
    expect(xls.body.error).toMatchObject({ code: 'import_not_xlsx', details: { reason: 'xls' } })
    const zip = await upload(t.admin, url, Buffer.from('PK\x03\x04 this is not really a zip file at all'), 'fake.xlsx')
    expect(zip.body.error.code).toBe('import_not_xlsx')
    const headerOnly = await upload(t.admin, url, await residentsFile([]))
    expect(headerOnly.body.error.code).toBe('import_empty')
    const none = await t.admin.request('POST', url, Buffer.from('--x--\r\n'), { 'content-type': 'multipart/form-data; boundary=x' })
    expect(none.status).toBe(400)
    expect(none.body.error.code).toBe('import_file_missing')
    expect(await countPersons()).toBe(0)
  })

  it('refuses a file over the row limit, counting while streaming and stopping just past it', async () => {
    t.app.config.importMaxRows = 50
    const url = `/api/imports/residents?mode=valid_rows&unitId=${county.communityA.id}`
    const fits = await upload(t.admin, url, await residentsFile(Array.from({ length: 50 }, (_, i) => residentRow(i))))
    expect(fits.status).toBe(202)
    const over = await upload(t.admin, url, await residentsFile(Array.from({ length: 51 }, (_, i) => residentRow(i))))
    expect(over.status).toBe(400)
    expect(over.body.error).toMatchObject({ code: 'import_too_many_rows', details: { limit: 50, rowsRead: 51 } })

    // Far over the limit: 200,000 rows; the count stops at the first row past the limit.
    t.app.config.importMaxRows = 1000
    const big = path.join(dataDir, 'big.xlsx')
    await bigXlsxFile(big, HEADER, 200_000, (i) => [`居民${i}`, '男', null, '371524198001011234', null, null, '幸福小区', null, null, null, null])
    const started = Date.now()
    const refused = await upload(t.admin, url, fs.readFileSync(big), 'big.xlsx')
    expect(refused.status).toBe(400)
    expect(refused.body.error).toMatchObject({ code: 'import_too_many_rows', details: { limit: 1000, rowsRead: 1001, stoppedEarly: true } })
    expect(Date.now() - started).toBeLessThan(15_000)
    // only the accepted 50-row upload is kept (for its queued job)
    expect(fs.readdirSync(path.join(dataDir, 'jobs'))).toEqual([expect.stringMatching(/^upload-residents-/)])
  }, 120_000)

  it('shows progress while a large import runs, and resumes after a stop without writing a row twice', async () => {
    const rows = Array.from({ length: 1200 }, (_, i) => residentRow(i, { 身份证号: uniqueIdNumber(i), 性别: null }))
    const res = await upload(t.admin, `/api/imports/residents?mode=valid_rows&unitId=${county.communityA.id}`, await residentsFile(rows))
    const seen: { status: string; processed: number; total: number; phase: unknown }[] = []
    const stop = new AbortController()
    await runNextJob(t.app, {
      signal: stop.signal,
      afterProgress: async (id) => {
        const job = (await t.admin.get(`/api/jobs/${id}`)).body
        seen.push({ status: job.status, processed: job.processed, total: job.total, phase: job.result?.phase })
        if (job.result?.phase === 'writing') stop.abort()
      },
    })
    expect(seen.some((s) => s.status === 'running' && s.processed > 0 && s.processed < s.total)).toBe(true)
    expect(seen.map((s) => s.processed)).toEqual([...seen.map((s) => s.processed)].sort((a, b) => a - b))
    const paused = (await t.admin.get(`/api/jobs/${res.body.id}`)).body
    expect(paused).toMatchObject({ status: 'queued', succeeded: 500 })
    expect(await countPersons()).toBe(500)

    await runNextJob(t.app)
    const done = (await t.admin.get(`/api/jobs/${res.body.id}`)).body
    expect(done).toMatchObject({ status: 'done', succeeded: 1200, failed: 0, links: { output: null } })
    expect(await countPersons()).toBe(1200)
  })

  it('checks the caller’s right to import into the unit', async () => {
    const file = await residentsFile([residentRow(0)])
    const grid = await userWith(t, 'grid_worker', county.gridA.id)
    expect((await upload(grid, `/api/imports/residents?mode=valid_rows&unitId=${county.gridA.id}`, file)).status).toBe(403)
    const workerB = await userWith(t, 'community_worker', county.communityB.id)
    const res = await upload(workerB, `/api/imports/residents?mode=valid_rows&unitId=${county.communityA.id}`, file)
    expect(res.status).toBe(403)
    expect(res.body.error.code).toBe('forbidden')
    // a worker of B importing into B cannot place people in A's compound
    const ok = await upload(workerB, `/api/imports/residents?mode=all_or_nothing&unitId=${county.communityB.id}`, file)
    expect(ok.status).toBe(202)
    await runNextJob(t.app)
    const job = (await workerB.get(`/api/jobs/${ok.body.id}`)).body
    expect(job).toMatchObject({ status: 'done', succeeded: 0, failed: 1 })
    expect(await countPersons()).toBe(0)
  })

  it('skips the template’s example row and accepts a corrected error report as it is', async () => {
    const template = [...(await readXlsx((await download(t.admin, '/api/imports/templates/residents')).body)).values()][0] as Cell[][]
    const header = template[0] as Cell[]
    const row = (name: string, id: string) => header.map((h) => ({ 姓名: name, 身份证号: id, 所属单位: '幸福小区', 性别: null } as Record<string, Cell>)[String(h)] ?? null)
    const file = await xlsxBuffer([header, template[1] as Cell[], row('甲', validIdNumber()), row('乙', '123')], '居民')
    const res = await upload(t.admin, `/api/imports/residents?mode=valid_rows&unitId=${county.communityA.id}`, file)
    await runNextJob(t.app)
    const job = (await t.admin.get(`/api/jobs/${res.body.id}`)).body
    expect(job).toMatchObject({ succeeded: 1, failed: 1, result: { exampleRowsSkipped: 1 } })
    const report = [...(await readXlsx((await download(t.admin, job.links.output)).body)).values()][0] as Cell[][]
    expect(report[1]?.[header.length]).toBe('第4列 身份证号 应为 18 位(当前 3 位)')

    const fixed = report.map((r, i) => (i === 1 ? r.map((c, j) => (header[j] === '身份证号' ? validIdNumber() : c)) : r))
    const again = await upload(t.admin, `/api/imports/residents?mode=valid_rows&unitId=${county.communityA.id}`, await xlsxBuffer(fixed))
    expect(again.status).toBe(202)
    await runNextJob(t.app)
    expect((await t.admin.get(`/api/jobs/${again.body.id}`)).body).toMatchObject({ status: 'done', succeeded: 1, failed: 0 })
    expect(await countPersons()).toBe(2)
  })

  it('imports units, with parents created earlier in the same file', async () => {
    const header = ['名称', '类型', '编码', '上级编码', '地址']
    const file = await xlsxBuffer([
      header,
      ['示例:幸福小区', '小区', 'XF-001', null, null],
      ['阳光小区', '小区', 'YG-01', null, '幸福路 8 号'],
      ['1号楼', '楼院', 'YG-01-1', 'YG-01', null],
      ['2号楼', '楼院', null, 'YG-01', null],
      ['错层', '大楼', null, null, null],
      ['3号楼', '楼院', null, 'NO-SUCH', null],
      ['二网格', '网格', null, null, null],
    ], '单位')
    const res = await upload(t.admin, `/api/imports/units?mode=valid_rows&unitId=${county.communityA.id}`, file)
    expect(res.status).toBe(202)
    await runNextJob(t.app)
    const job = (await t.admin.get(`/api/jobs/${res.body.id}`)).body
    expect(job).toMatchObject({ status: 'done', succeeded: 4, failed: 2, result: { written: { units: 4 } } })
    const report = [...(await readXlsx((await download(t.admin, job.links.output)).body)).values()][0] as Cell[][]
    expect(report.slice(1).map((r) => [r[0], r[5]])).toEqual([
      ['错层', '第2列 类型 应为 县、镇、街道、村、新村、社区、网格、小区、楼院、机关、园区、企业 之一'],
      ['3号楼', '第4列 上级编码 找不到编码为 NO-SUCH 的上级单位'],
    ])
    const buildings = (await t.admin.get('/api/units?type=building&q=号楼')).body.items
    expect(buildings.map((u: any) => u.name).sort()).toEqual(['1号楼', '2号楼'])
    const grid = (await t.admin.get('/api/units?type=grid&q=二网格')).body.items[0]
    expect(grid.parentId).toBe(county.communityA.id)
  })

  it('all_or_nothing units: a last row refused only while writing leaves no unit and no audit entry; valid_rows writes the others whole', async () => {
    const header = ['名称', '类型', '编码', '上级编码', '地址']
    // Row 3 takes the code the unit service generates for row 2's grid: nothing can tell before row 2 is written.
    const rows = [
      header,
      ['新社区', '社区', '371524001009', null, null],
      ['一网格', '网格', null, '371524001009', null],
      ['二网格', '网格', '371524001009001', '371524001009', null],
    ]
    const url = (mode: string) => `/api/imports/units?mode=${mode}&unitId=${county.subdistrict.id}`
    const before = await counts()
    const res = await upload(t.admin, url('all_or_nothing'), await xlsxBuffer(rows, '单位'))
    expect(res.status).toBe(202)
    await runNextJob(t.app)
    const job = (await t.admin.get(`/api/jobs/${res.body.id}`)).body
    expect(job).toMatchObject({ status: 'done', succeeded: 0, failed: 1, result: { committed: false } })
    expect(job.message).toContain('未导入任何数据')
    expect(await counts()).toEqual(before)
    const report = [...(await readXlsx((await download(t.admin, job.links.output)).body)).values()][0] as Cell[][]
    expect(report.slice(1).map((r) => [r[0], r[5]])).toEqual([['二网格', '第3列 编码 已被系统中的其他单位使用']])

    // A last row bad on its face: still nothing.
    const typo = await upload(t.admin, url('all_or_nothing'), await xlsxBuffer([...rows.slice(0, 3), ['三网格', '网格', '12', '371524001009', null]], '单位'))
    await runNextJob(t.app)
    expect((await t.admin.get(`/api/jobs/${typo.body.id}`)).body).toMatchObject({ status: 'done', succeeded: 0, failed: 1 })
    expect(await counts()).toEqual(before)

    // valid_rows: the first two land, each with its units.create entry, plus the import's own entry.
    const some = await upload(t.admin, url('valid_rows'), await xlsxBuffer(rows, '单位'))
    await runNextJob(t.app)
    expect((await t.admin.get(`/api/jobs/${some.body.id}`)).body).toMatchObject({ status: 'done', succeeded: 2, failed: 1 })
    expect(await counts()).toEqual({ ...before, units: before.units + 2, audit: before.audit + 3 })
    const grids = (await t.admin.get('/api/units?type=grid&q=网格')).body.items.filter((u: any) => u.code?.startsWith('371524001009'))
    expect(grids.map((u: any) => [u.name, u.code])).toEqual([['一网格', '371524001009001']])

    // The same file with the clash removed goes in whole.
    const fixed = await upload(t.admin, url('all_or_nothing'), await xlsxBuffer([header, ['二新社区', '社区', '371524001010', null, null], ['一网格', '网格', null, '371524001010', null]], '单位'))
    await runNextJob(t.app)
    expect((await t.admin.get(`/api/jobs/${fixed.body.id}`)).body).toMatchObject({ status: 'done', succeeded: 2, failed: 0, result: { committed: true } })
    expect(await countRows('unit')).toBe(before.units + 4)
  })

  it('all_or_nothing members: a last row refused while writing leaves no member, no 党代表 mark and no audit entry', async () => {
    const org = await createPartyOrg(t, { unitId: county.communityA.id, kind: 'committee', name: '吉祥苑社区党委' })
    const branch = await createPartyOrg(t, { unitId: county.gridA.id, kind: 'branch', parentId: org.id, name: '第一网格党支部' })
    const ids = [validIdNumber('1971-01-01'), validIdNumber('1981-01-01'), validIdNumber('1961-01-01')]
    const people = []
    for (const [i, idNumber] of ids.entries()) people.push(await createResident(t, { unitId: compound.id, name: `党员${i}`, idNumber }))
    // The third is a member already: only the party service, at write time, refuses that row.
    expect((await t.admin.post('/api/party/members', { personId: people[2].id, orgId: branch.id, stage: 'full', joinedDate: '2001-07-01' })).status).toBe(201)
    const header = ['身份证号', '姓名', '所属党组织', '发展阶段', '申请入党日期', '入党日期', '转正日期', '是否党代表']
    const rows = [
      header,
      [ids[0] as string, '党员0', '第一网格党支部', '正式党员', null, '2000-07-01', '2001-07-01', '是'],
      [ids[1] as string, '党员1', '第一网格党支部', '入党申请人', '2024-03-01', null, null, null],
      [ids[2] as string, '党员2', '第一网格党支部', '正式党员', null, '2001-07-01', null, null],
    ]
    const url = (mode: string) => `/api/imports/members?mode=${mode}&unitId=${county.communityA.id}`
    const before = await counts()
    const res = await upload(t.admin, url('all_or_nothing'), await xlsxBuffer(rows, '党员'))
    await runNextJob(t.app)
    const job = (await t.admin.get(`/api/jobs/${res.body.id}`)).body
    expect(job).toMatchObject({ status: 'done', succeeded: 0, failed: 1, result: { committed: false } })
    expect(await counts()).toEqual(before)
    const report = [...(await readXlsx((await download(t.admin, job.links.output)).body)).values()][0] as Cell[][]
    expect(report.slice(1).map((r) => [r[1], r[8]])).toEqual([['党员2', '第1列 身份证号 已有党员(发展)档案,不能重复登记']])

    // valid_rows: each good row lands whole, the 党代表 mark with its member (and its audit entry) in the same transaction.
    const some = await upload(t.admin, url('valid_rows'), await xlsxBuffer(rows, '党员'))
    await runNextJob(t.app)
    expect((await t.admin.get(`/api/jobs/${some.body.id}`)).body).toMatchObject({ status: 'done', succeeded: 2, failed: 1, result: { written: { members: 2, representatives: 1 } } })
    const after = await counts()
    expect(after.members).toBe(before.members + 2)
    // party.member_update for the mark and imports.members for the file (member creation is summed up in the latter)
    expect(after.audit).toBe(before.audit + 2)
    const members = (await t.admin.get(`/api/party/members?unitId=${county.communityA.id}&status=all`)).body.items
    expect(members.map((m: any) => [m.name, m.isRepresentative]).sort()).toEqual([['党员0', true], ['党员1', false], ['党员2', false]])
  })

  it('imports party members found by identity number, refusing unknown people and wrong stages', async () => {
    const org = await createPartyOrg(t, { unitId: county.communityA.id, kind: 'committee', name: '吉祥苑社区党委' })
    await createPartyOrg(t, { unitId: county.gridA.id, kind: 'branch', parentId: org.id, name: '第一网格党支部' })
    const ids: string[] = [validIdNumber('1970-01-01'), validIdNumber('1980-01-01'), validIdNumber('1990-01-01')]
    for (const [i, idNumber] of ids.entries()) await createResident(t, { unitId: compound.id, name: `党员${i}`, idNumber })
    const header = ['身份证号', '姓名', '所属党组织', '发展阶段', '申请入党日期', '入党日期', '转正日期', '是否党代表']
    const file = await xlsxBuffer([
      header,
      [ids[0] as string, '党员0', '第一网格党支部', '正式党员', null, '2000-07-01', '2001-07-01', '是'],
      [ids[1] as string, '党员1', '吉祥苑社区党委/第一网格党支部', '入党申请人', '2024-03-01', null, null, null],
      [ids[2] as string, '党员2', '第一网格党支部', '预备党员', null, null, null, '是'],
      [validIdNumber('1960-01-01'), '路人', '第一网格党支部', '正式党员', null, '2000-07-01', null, null],
    ], '党员')
    const res = await upload(t.admin, `/api/imports/members?mode=valid_rows&unitId=${county.communityA.id}`, file)
    expect(res.status).toBe(202)
    await runNextJob(t.app)
    const job = (await t.admin.get(`/api/jobs/${res.body.id}`)).body
    expect(job).toMatchObject({ status: 'done', succeeded: 2, failed: 2, result: { written: { members: 2, representatives: 1 } } })
    const report = [...(await readXlsx((await download(t.admin, job.links.output)).body)).values()][0] as Cell[][]
    expect(report[1]?.[8]).toBe('第6列 入党日期 预备党员、正式党员须填写;第8列 是否党代表 党代表须为正式党员')
    expect(report[2]?.[8]).toBe('第1列 身份证号 系统中没有该身份证号的居民(请先登记或导入居民)')
    const members = (await t.admin.get(`/api/party/members?unitId=${county.communityA.id}&status=all`)).body.items
    expect(members.map((m: any) => [m.name, m.stage, m.isRepresentative]).sort()).toEqual([['党员0', 'full', true], ['党员1', 'applicant', false]])
  })
})
