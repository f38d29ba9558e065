import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createUnit } from './support/api.js'
import { chooseUnit, pickOption } from './support/registry.js'
import { loginInBrowser, screenshot, startE2E, type E2E, type OpenedPage } from './support/browser.js'
import { ADMIN_PASSWORD, ADMIN_USERNAME } from './support/server.js'

describe('accounts and audit pages', () => {
  let e2e: E2E
  const opened: OpenedPage[] = []
  const open = async () => {
    const handle = await e2e.openPage()
    opened.push(handle)
    return handle
  }

  beforeAll(async () => {
    e2e = await startE2E()
    const county = await createUnit(e2e.admin, { parentId: null, type: 'county', name: '东阿县' })
    const town = await createUnit(e2e.admin, { parentId: county.id, type: 'subdistrict', name: '铜城街道' })
    const community = await createUnit(e2e.admin, { parentId: town.id, type: 'community', name: '吉祥苑社区' })
    await createUnit(e2e.admin, { parentId: community.id, type: 'grid', name: '吉祥苑第一网格' })
  })

  afterAll(async () => {
    const problems = opened.flatMap((o) => o.problems)
    await e2e?.close()
    expect(problems).toEqual([])
  })

  it('creates an account with a grant, finds it, disables it and exports the list', async () => {
    const { page } = await open()
    await loginInBrowser(page, ADMIN_USERNAME, ADMIN_PASSWORD)
    await page.goto('/accounts')
    await page.locator('.ant-table-row').first().waitFor()

    await page.getByTestId('account-create').click()
    const dialog = page.locator('.ant-modal').filter({ hasText: '新建账号' })
    await dialog.waitFor()
    await page.getByTestId('account-username').fill('zhangsan')
    await page.getByTestId('account-display-name').fill('张三')
    await page.getByTestId('account-password').fill('initial-password-1')
    await dialog.getByTestId('grant-role').click()
    await pickOption(page, '网格员')
    await chooseUnit(page, 'grant-unit', '吉祥苑第一网格')
    await screenshot(page, 'accounts-create-dialog')
    await dialog.getByRole('button', { name: /保\s*存/ }).click()
    await dialog.waitFor({ state: 'hidden' })

    const row = page.locator('.ant-table-row').filter({ hasText: 'zhangsan' })
    await row.waitFor()
    expect(await row.textContent()).toContain('网格员 @ 吉祥苑第一网格')
    expect(await row.textContent()).toContain('待改密')

    // The same username again: the server's message shows in the dialog, which stays open.
    await page.getByTestId('account-create').click()
    await dialog.waitFor()
    await page.getByTestId('account-username').fill('zhangsan')
    await page.getByTestId('account-display-name').fill('张三二')
    await page.getByTestId('account-password').fill('initial-password-2')
    await dialog.getByTestId('grant-role').click()
    await pickOption(page, '网格员')
    await chooseUnit(page, 'grant-unit', '吉祥苑第一网格')
    await dialog.getByRole('button', { name: /保\s*存/ }).click()
    await dialog.getByTestId('dialog-error').waitFor()
    expect(await dialog.getByTestId('dialog-error').textContent()).toContain('该用户名已被使用')
    await dialog.getByRole('button', { name: /取\s*消/ }).click()
    await dialog.waitFor({ state: 'hidden' })

    // Search goes into the address, so a reload keeps it.
    await page.getByTestId('accounts-search').locator('input').fill('zhang')
    await page.getByTestId('accounts-search').locator('input').press('Enter')
    await page.waitForURL('**/accounts?q=zhang')
    await page.reload()
    await row.waitFor()
    expect(await page.locator('.ant-table-row').count()).toBe(1)

    await row.getByRole('button', { name: '停用' }).click()
    await page.locator('.ant-modal-confirm').getByRole('button', { name: /停\s*用/ }).click()
    await row.getByText('已停用').waitFor()

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-excel').click()])
    const file = await download.path()
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.readFile(file)
    const sheet = workbook.worksheets[0]!
    const rows = sheet.getSheetValues().filter(Boolean).map((r) => (r as unknown[]).filter((c) => c !== undefined).map(String))
    expect(rows[0]).toEqual(['用户名', '姓名', '授权', '状态', '最近登录', '创建时间'])
    expect(rows).toHaveLength(2)
    expect(rows[1]?.slice(0, 4)).toEqual(['zhangsan', '张三', '网格员 @ 吉祥苑第一网格', '已停用, 待改密'])
    expect(download.suggestedFilename()).toMatch(/^账号管理-\d{8}\.xlsx$/)

    // A disabled account cannot log in, and says so.
    const other = await open()
    await other.page.goto('/login')
    await other.page.getByTestId('login-username').fill('zhangsan')
    await other.page.getByTestId('login-password').fill('initial-password-1')
    await other.page.getByTestId('login-submit').click()
    await other.page.getByTestId('login-error').waitFor()
    expect(await other.page.getByTestId('login-error').textContent()).toContain('该账号已停用')
  })

  it('shows the audit trail with the before and after of a change', async () => {
    const { page } = await open()
    await loginInBrowser(page, ADMIN_USERNAME, ADMIN_PASSWORD)
    await page.goto('/audit?action=accounts')
    const rows = page.locator('.ant-table-row')
    await rows.first().waitFor()
    const text = await page.locator('.ant-table-tbody').textContent()
    expect(text).toContain('accounts.create')
    expect(text).toContain('accounts.disable')
    expect(text).not.toContain('auth.login')

    const disabled = rows.filter({ hasText: 'accounts.disable' }).first()
    await disabled.locator('.ant-table-row-expand-icon').click()
    const details = page.locator('.ant-table-expanded-row').first()
    await details.waitFor()
    expect(await details.textContent()).toContain('"status": "disabled"')
    expect(await details.textContent()).toContain('"status": "active"')
    await screenshot(page, 'audit-desktop')

    // The time range filter keeps the rows of today (Beijing time) and drops a range in the past.
    await page.goto('/audit?action=accounts&from=2020-01-01&to=2020-01-31')
    await page.locator('.ant-table-placeholder').waitFor()
    expect(await rows.count()).toBe(0)
  })

  it('reads in English too', async () => {
    const { page } = await e2e.openPage({ lang: 'en' }).then((o) => (opened.push(o), o))
    await loginInBrowser(page, ADMIN_USERNAME, ADMIN_PASSWORD)
    await page.goto('/accounts')
    await page.locator('.ant-table-row').first().waitFor()
    const header = await page.locator('.ant-table-thead').textContent()
    expect(header).toContain('Username')
    expect(header).toContain('Last login')
    await screenshot(page, 'accounts-desktop-en')
  })
})
