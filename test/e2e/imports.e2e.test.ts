import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import ExcelJS from 'exceljs'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loginInBrowser, PHONE, screenshot, startE2E, type E2E, type OpenedPage } from './support/browser.js'
import { badCheck, buildCounty, chooseUnit, idNumber, readSheet, type County } from './support/registry.js'
import { ADMIN_PASSWORD, ADMIN_USERNAME } from './support/server.js'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chorus-e2e-imports-'))

/** Writes a workbook with one sheet of these rows (the first is the header) and returns its path. */
async function writeWorkbook(name: string, rows: (string | number | null)[][]): Promise<string> {
  const workbook = new ExcelJS.Workbook()
  const sheet = workbook.addWorksheet('居民')
  for (const row of rows) sheet.addRow(row)
  const file = path.join(dir, name)
  await workbook.xlsx.writeFile(file)
  return file
}

interface Resident {
  name: string
  gender: string
  id: string
  phone: string
  room: string
  household: string
  relation: string
  tags: string
}

/** Six residents in two households under 幸福小区/3号楼; rows 2 and 4 (sheet rows 3 and 5) are bad. */
function residentsFile(prefix: string, seq: number): { rows: Resident[]; bad: Set<number> } {
  const rows: Resident[] = [
    { name: `${prefix}国`, gender: '男', id: idNumber('19600101', seq), phone: '13800000001', room: '1单元101', household: '1', relation: '户主', tags: '独居老人' },
    { name: `${prefix}兰`, gender: '女', id: badCheck(idNumber('19620202', seq + 1, false)), phone: '13800000002', room: '1单元101', household: '1', relation: '配偶', tags: '' },
    { name: `${prefix}强`, gender: '男', id: idNumber('19880303', seq + 2), phone: '13800000003', room: '1单元101', household: '1', relation: '子女', tags: '' },
    { name: `${prefix}华`, gender: '女', id: idNumber('19700404', seq + 3, false), phone: '1380000', room: '2单元202', household: '2', relation: '户主', tags: '' },
    { name: `${prefix}明`, gender: '男', id: idNumber('19720505', seq + 4), phone: '13800000005', room: '2单元202', household: '2', relation: '配偶', tags: '' },
    { name: `${prefix}丽`, gender: '女', id: idNumber('19990606', seq + 5, false), phone: '', room: '2单元202', household: '2', relation: '子女', tags: '流动人口' },
  ]
  return { rows, bad: new Set([1, 3]) }
}

/** The template's header row filled with these residents, column by column. */
function sheetRows(header: string[], residents: Resident[]): (string | null)[][] {
  const value = (r: Resident, h: string): string | null => {
    switch (h) {
      case '姓名': return r.name
      case '性别': return r.gender
      case '身份证号': return r.id
      case '手机号': return r.phone || null
      case '所属单位': return '幸福小区/3号楼'
      case '门牌/房号': return r.room
      case '户号': return r.household
      case '与户主关系': return r.relation
      case '标签': return r.tags || null
      default: return null
    }
  }
  return [header, ...residents.map((r) => header.map((h) => value(r, h)))]
}

async function startImport(page: Page, file: string, mode: 'valid' | 'all'): Promise<void> {
  await page.goto('/imports')
  await page.getByTestId('import-form').waitFor()
  await chooseUnit(page, 'import-unit', '吉祥苑社区')
  await page.locator('input[type=file]').setInputFiles(file)
  await page.getByTestId(mode === 'valid' ? 'mode-valid-rows' : 'mode-all-or-nothing').click()
  await page.getByTestId('import-start').click()
}

async function finishedJob(page: Page): Promise<{ written: string; failed: string }> {
  await page.locator('[data-testid="import-job"][data-status="done"]').waitFor({ timeout: 60_000 })
  return {
    written: ((await page.getByTestId('import-written').locator('.ant-statistic-content-value').textContent()) ?? '').trim(),
    failed: ((await page.getByTestId('import-failed').locator('.ant-statistic-content-value').textContent()) ?? '').trim(),
  }
}

describe('Excel import screen', () => {
  let e2e: E2E
  let units: County
  let header: string[] = []
  const opened: OpenedPage[] = []
  const open = async (options?: Parameters<E2E['openPage']>[0]) => {
    const handle = await e2e.openPage(options)
    opened.push(handle)
    return handle
  }
  const residentsNamed = async (q: string) => (await e2e.admin.get<{ total: number; items: { name: string; householdId: number | null }[] }>(`/api/residents?q=${encodeURIComponent(q)}&pageSize=50`))

  beforeAll(async () => {
    // Exports of more than 3 rows run as background jobs here, so the job path of the export button is walked too.
    process.env.CHORUS_EXPORT_DIRECT_MAX_ROWS = '3'
    e2e = await startE2E()
    delete process.env.CHORUS_EXPORT_DIRECT_MAX_ROWS
    units = await buildCounty(e2e.admin)
  })

  afterAll(async () => {
    const problems = opened.flatMap((o) => o.problems)
    await e2e?.close()
    fs.rmSync(dir, { recursive: true, force: true })
    expect(problems).toEqual([])
  })

  it('downloads the residents template with Chinese headers', async () => {
    const { page } = await open()
    await loginInBrowser(page, ADMIN_USERNAME, ADMIN_PASSWORD)
    await page.goto('/imports')
    await page.getByTestId('import-form').waitFor()
    await screenshot(page, 'imports-desktop')
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('import-template').click()])
    expect(download.suggestedFilename()).toBe('居民导入模板.xlsx')
    const rows = await readSheet(await download.path())
    header = rows[0]!.filter(Boolean)
    for (const h of ['姓名', '身份证号', '手机号', '所属单位', '户号', '与户主关系', '标签']) expect(header).toContain(h)
    expect(rows[1]![0]).toMatch(/^示例/)
  })

  it('imports a residents file with two bad rows, valid rows only: four written, an error report of two rows', async () => {
    const { page } = await open()
    await loginInBrowser(page, ADMIN_USERNAME, ADMIN_PASSWORD)
    const { rows, bad } = residentsFile('陈', 10)
    const file = await writeWorkbook('residents-valid.xlsx', sheetRows(header, rows))
    await startImport(page, file, 'valid')
    const result = await finishedJob(page)
    expect(result).toEqual({ written: '4', failed: '2' })
    expect(await page.getByTestId('import-message').textContent()).toContain('已导入 4 行')
    await screenshot(page, 'imports-result-valid-rows')

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('import-report').click()])
    expect(download.suggestedFilename()).toMatch(/^居民导入错误报告-\d+\.xlsx$/)
    const report = await readSheet(await download.path())
    const reasonCol = report[0]!.indexOf('错误原因')
    const rowCol = report[0]!.indexOf('原行号')
    const nameCol = report[0]!.indexOf('姓名')
    expect(reasonCol).toBeGreaterThan(-1)
    expect(report).toHaveLength(3)
    const refused = report.slice(1)
    expect(refused.map((r) => r[nameCol])).toEqual([...bad].map((i) => rows[i]!.name))
    expect(refused.map((r) => r[rowCol])).toEqual(['3', '5'])
    expect(refused[0]![reasonCol]).toContain('身份证号')
    expect(refused[0]![reasonCol]).toContain('校验位错误')
    expect(refused[1]![reasonCol]).toContain('手机号')

    // What was written is in the registry, in households.
    const found = await residentsNamed('陈')
    expect(found.total).toBe(4)
    expect(found.items.every((p) => p.householdId !== null)).toBe(true)

    // The list of my jobs has it, with the report to download again.
    const jobs = page.locator('.ant-table-row').filter({ hasText: 'residents-valid.xlsx' })
    await jobs.waitFor()
    expect(await jobs.textContent()).toContain('导入居民')
    await jobs.getByTestId('job-download').waitFor()
  })

  it('imports the same kind of file all or nothing: nothing written, the same two rows reported', async () => {
    const { page } = await open()
    await loginInBrowser(page, ADMIN_USERNAME, ADMIN_PASSWORD)
    const { rows } = residentsFile('周', 30)
    const file = await writeWorkbook('residents-all-or-nothing.xlsx', sheetRows(header, rows))
    await startImport(page, file, 'all')
    const result = await finishedJob(page)
    expect(result).toEqual({ written: '0', failed: '2' })
    expect(await page.getByTestId('import-message').textContent()).toContain('未导入任何数据')
    await screenshot(page, 'imports-result-all-or-nothing')

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('import-report').click()])
    const report = await readSheet(await download.path())
    expect(report).toHaveLength(3)
    const reasonCol = report[0]!.indexOf('错误原因')
    expect(report[1]![reasonCol]).toContain('身份证号')
    expect(report[2]![reasonCol]).toContain('手机号')
    expect((await residentsNamed('周')).total).toBe(0)
  })

  it('refuses a file with wrong headers or one that is not a workbook, saying what is wrong', async () => {
    const { page } = await open()
    await loginInBrowser(page, ADMIN_USERNAME, ADMIN_PASSWORD)
    const wrong = await writeWorkbook('wrong-headers.xlsx', [['名字', '证件号', '电话'], ['张三', '371524196001010011', '13800000000']])
    await startImport(page, wrong, 'valid')
    const refused = page.getByTestId('import-refused')
    await refused.waitFor()
    const text = (await refused.textContent()) ?? ''
    expect(text).toContain('表头与模板不一致')
    expect(text).toContain('缺少的列')
    expect(text).toContain('姓名')
    expect(text).toContain('无法识别的列')
    expect(text).toContain('名字')
    await screenshot(page, 'imports-wrong-headers')

    const notXlsx = path.join(dir, 'notes.xlsx')
    fs.writeFileSync(notXlsx, '姓名,身份证号\n张三,371524196001010011\n')
    await startImport(page, notXlsx, 'valid')
    await expect.poll(async () => (await page.getByTestId('import-refused').textContent()) ?? '', { timeout: 20_000 }).toContain('不是 Excel 工作簿')
    expect((await residentsNamed('张三')).total).toBe(0)
  })

  it('exports a larger list through a background job, with progress, and keeps it in my jobs', async () => {
    const { page } = await open()
    await loginInBrowser(page, ADMIN_USERNAME, ADMIN_PASSWORD)
    await page.goto('/residents?q=%E9%99%88')
    await expect.poll(() => page.locator('.ant-table-tbody .ant-table-row').count(), { timeout: 20_000 }).toBe(4)
    await page.getByTestId('export-excel').click()
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.locator('.ant-dropdown:visible').getByText('导出(脱敏)').click()])
    const rows = await readSheet(await download.path())
    expect(rows).toHaveLength(5)
    expect(rows.slice(1).map((r) => r[0]).sort()).toEqual(['陈丽', '陈国', '陈强', '陈明'])
    await page.getByText('已导出 4 条').waitFor()

    await page.goto('/imports')
    const job = page.locator('.ant-table-row').filter({ hasText: '导出居民' })
    await job.waitFor()
    expect(await job.textContent()).toContain('已完成')
    await job.getByTestId('job-download').waitFor()
  })

  it('fits a phone', async () => {
    const { page } = await open({ viewport: PHONE })
    await loginInBrowser(page, ADMIN_USERNAME, ADMIN_PASSWORD)
    await page.goto('/imports')
    await page.locator('.ant-table-row').first().waitFor()
    await screenshot(page, 'imports-phone')
    expect(units.jixiangyuan.id).toBeGreaterThan(0)
  })
})
