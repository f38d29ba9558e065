import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiSession, createAccount, createUnit, type AccountRef, type UnitRef } from './support/api.js'
import { PHONE, loginInBrowser, screenshot, startE2E, type E2E, type OpenedPage } from './support/browser.js'
import { ADMIN_PASSWORD, ADMIN_USERNAME } from './support/server.js'

describe('web shell', () => {
  let e2e: E2E
  let gridWorker: AccountRef
  let newcomer: AccountRef
  let community: UnitRef
  const opened: OpenedPage[] = []

  const open = async (options?: Parameters<E2E['openPage']>[0]) => {
    const handle = await e2e.openPage(options)
    opened.push(handle)
    return handle
  }

  beforeAll(async () => {
    e2e = await startE2E()
    const county = await createUnit(e2e.admin, { parentId: null, type: 'county', name: '东阿县' })
    const town = await createUnit(e2e.admin, { parentId: county.id, type: 'subdistrict', name: '铜城街道' })
    community = await createUnit(e2e.admin, { parentId: town.id, type: 'community', name: '吉祥苑社区' })
    const grid = await createUnit(e2e.admin, { parentId: community.id, type: 'grid', name: '第一网格' })
    gridWorker = await createAccount(e2e.admin, { role: 'grid_worker', unitId: grid.id }, { displayName: '王网格' })
    newcomer = await createAccount(e2e.admin, { role: 'community_worker', unitId: community.id }, { displayName: '李新人', keepMustChange: true })
  })

  afterAll(async () => {
    // No page may have thrown or logged an unexpected error.
    const problems = opened.flatMap((o) => o.problems)
    await e2e?.close()
    expect(problems).toEqual([])
  })

  it('shows the server message for a wrong password', async () => {
    const { page } = await open()
    await page.goto('/')
    await page.waitForURL('**/login')
    await screenshot(page, 'login-desktop')
    await page.getByTestId('login-username').fill(ADMIN_USERNAME)
    await page.getByTestId('login-password').fill('not-the-password')
    await page.getByTestId('login-submit').click()
    const error = page.getByTestId('login-error')
    await error.waitFor()
    expect(await error.textContent()).toContain('用户名或密码错误')
    expect(new URL(page.url()).pathname).toBe('/login')
  })

  it('shows the lock message once an account is locked after repeated failures', async () => {
    const victim = await createAccount(e2e.admin, { role: 'grid_worker', unitId: null }, { keepMustChange: true })
    for (let i = 0; i < 5; i++) {
      await fetch(`${e2e.baseUrl}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: victim.username, password: `wrong-${i}` }),
      })
    }
    const { page } = await open()
    await page.goto('/login')
    await page.getByTestId('login-username').fill(victim.username)
    await page.getByTestId('login-password').fill(victim.password)
    await page.getByTestId('login-submit').click()
    await page.getByTestId('login-error').waitFor()
    expect(await page.getByTestId('login-error').textContent()).toContain('账号已锁定')
  })

  it('logs in and reaches the shell with the menu the grants allow', async () => {
    const { page } = await open()
    await loginInBrowser(page, ADMIN_USERNAME, ADMIN_PASSWORD)
    expect(new URL(page.url()).pathname).toBe('/')
    expect(await page.getByTestId('app-name').textContent()).toBe('东阿县 Chorus')
    const menu = page.getByTestId('side-menu')
    await menu.getByText('账号管理').waitFor()
    expect(await menu.textContent()).toContain('审计日志')
    expect(await page.getByTestId('welcome').textContent()).toContain('系统管理员')
    expect(await page.getByTestId('my-grants').textContent()).toContain('县级管理员 @ 全部单位')
    await screenshot(page, 'shell-desktop')

    await menu.getByText('账号管理').click()
    await page.waitForURL('**/accounts')
    await page.locator('.ant-table-row').first().waitFor()
    expect(await page.locator('.ant-table-tbody').textContent()).toContain(gridWorker.username)
    await screenshot(page, 'accounts-desktop')
  })

  it('switches the language to English and keeps it after a reload', async () => {
    const { page } = await open()
    await loginInBrowser(page, ADMIN_USERNAME, ADMIN_PASSWORD)
    const menu = page.getByTestId('side-menu')
    await menu.getByText('账号管理').waitFor()
    await page.getByTestId('lang-switch').getByText('English').click()
    await menu.getByText('Accounts').waitFor()
    expect(await menu.textContent()).toContain('Audit log')
    expect(await page.getAttribute('html', 'lang')).toBe('en')

    await page.reload()
    await menu.getByText('Accounts').waitFor()
    expect(await menu.textContent()).not.toContain('账号管理')
    expect(await page.evaluate('localStorage.getItem("chorus.lang")')).toBe('en')

    // Errors from the server follow the language too.
    await page.getByTestId('user-menu').click()
    await page.getByText('Log out').click()
    await page.waitForURL('**/login')
    await page.getByTestId('login-username').fill(ADMIN_USERNAME)
    await page.getByTestId('login-password').fill('not-the-password')
    await page.getByTestId('login-submit').click()
    await page.getByTestId('login-error').waitFor()
    expect(await page.getByTestId('login-error').textContent()).toContain('Wrong username or password')
  })

  it('logs out back to the login page, and the session is gone', async () => {
    const { page } = await open()
    await loginInBrowser(page, ADMIN_USERNAME, ADMIN_PASSWORD)
    await page.goto('/accounts')
    await page.locator('.ant-table-row').first().waitFor()
    await page.getByTestId('user-menu').click()
    await page.getByText('退出登录').click()
    await page.getByTestId('login-submit').waitFor()
    // A deliberate logout does not carry the page along to the next person who logs in.
    expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe('/login')
    await page.goto('/accounts')
    await page.waitForURL('**/login?next=%2Faccounts')
  })

  it('sends the user to the login page, saying why, when the session ends elsewhere', async () => {
    const auditor = await createAccount(e2e.admin, { role: 'auditor', unitId: null }, { displayName: '赵审计' })
    const { page } = await open()
    await loginInBrowser(page, auditor.username, auditor.password)
    await page.goto('/audit')
    await page.locator('.ant-table-row').first().waitFor()
    // An administrator resets the password: every session of the account ends.
    await e2e.admin.post(`/api/accounts/${auditor.id}/reset-password`, { newPassword: 'reset-by-the-admin-1' })
    await page.getByRole('button', { name: '刷新' }).click()
    await page.waitForURL('**/login?next=%2Faudit')
    await page.getByTestId('login-error').waitFor()
    expect(await page.getByTestId('login-error').textContent()).toContain('会话已过期')
  })

  it('shows the 403 page to a grid worker who opens /accounts or /audit by address', async () => {
    const { page } = await open()
    await loginInBrowser(page, gridWorker.username, gridWorker.password)
    const menu = page.getByTestId('side-menu')
    await menu.getByText('首页').waitFor()
    expect(await menu.textContent()).not.toContain('账号管理')
    expect(await page.getByTestId('my-grants').textContent()).toContain('网格员 @ 第一网格')

    for (const address of ['/accounts', '/audit']) {
      await page.goto(address)
      await page.getByTestId('page-403').waitFor()
      expect(new URL(page.url()).pathname).toBe(address)
      expect(await page.getByTestId('page-403').textContent()).toContain('没有权限')
    }
    await screenshot(page, 'forbidden-desktop')
  })

  it('shows the 404 page for an unknown address', async () => {
    const { page } = await open()
    await loginInBrowser(page, ADMIN_USERNAME, ADMIN_PASSWORD)
    await page.goto('/no/such/page')
    await page.getByTestId('page-404').waitFor()
    expect(await page.getByTestId('page-404').textContent()).toContain('页面不存在')
  })

  it('brings an anonymous visitor back to the page they asked for after login', async () => {
    const { page } = await open()
    await page.goto('/audit?actor=admin')
    await page.waitForURL('**/login?next=*')
    await loginInBrowser(page, ADMIN_USERNAME, ADMIN_PASSWORD)
    await page.waitForURL('**/audit?actor=admin')
    await page.locator('.ant-table-row').first().waitFor()
  })

  it('asks a new account to change its password before anything else', async () => {
    const { page } = await open()
    await loginInBrowser(page, newcomer.username, newcomer.password)
    const dialog = page.locator('.ant-modal').filter({ hasText: '修改密码' })
    await dialog.waitFor()
    await dialog.getByLabel('当前密码').fill(newcomer.password)
    await dialog.getByLabel('新密码', { exact: true }).fill('short')
    await dialog.getByLabel('确认新密码').fill('short')
    await page.getByTestId('password-submit').click()
    await dialog.getByText('新密码至少 10 个字符').first().waitFor()

    await dialog.getByLabel('新密码', { exact: true }).fill('a-brand-new-password')
    await dialog.getByLabel('确认新密码').fill('a-brand-new-password')
    await page.getByTestId('password-submit').click()
    await dialog.waitFor({ state: 'hidden' })
    expect(await page.getByTestId('welcome').textContent()).toContain('李新人')
  })

  it("shows a worker's cases to accept on the workbench, and the tile opens the inbox with that filter", async () => {
    const worker = await createAccount(e2e.admin, { role: 'community_worker', unitId: community.id }, { displayName: '周红管家' })
    const session = await ApiSession.login(e2e.baseUrl, worker.username, worker.password)
    for (const title of ['楼道灯不亮', '小区门口积水']) {
      await session.post('/api/requests', { source: 'walk_in', locationUnitId: community.id, title, description: `${title}，请尽快处理`, phone: '13900002222' })
    }
    const { total } = await session.get<{ total: number }>('/api/requests?box=unit&awaiting=acceptance&pageSize=1')
    expect(total).toBe(2)

    const { page } = await open()
    await loginInBrowser(page, worker.username, worker.password)
    const tile = page.getByTestId('tile-to-accept')
    await tile.locator('[data-testid=tile-value]').waitFor()
    expect(await tile.getAttribute('data-value')).toBe(String(total))
    // The urgent list loads on its own, after the tiles.
    await expect.poll(() => page.getByTestId('urgent-item').count(), { timeout: 20_000 }).toBe(2)
    await screenshot(page, 'workbench-desktop')

    await tile.click()
    await page.waitForURL('**/requests?awaiting=acceptance')
    await page.getByTestId('inbox-filter-awaiting').waitFor()
    await page.locator('.ant-table-row').first().waitFor()
    expect(await page.locator('.ant-table-row').count()).toBe(total)
    expect(await page.getByTestId('inbox-tabs').locator('.ant-tabs-tab-active').textContent()).toContain('本单位')
  })

  it('fits a phone: the menu opens from a button and the pages still work', async () => {
    const { page } = await open({ viewport: PHONE })
    await page.goto('/login')
    await page.getByTestId('login-submit').waitFor()
    await screenshot(page, 'login-phone')
    await loginInBrowser(page, ADMIN_USERNAME, ADMIN_PASSWORD)
    expect(await page.getByTestId('side-menu').count()).toBe(0)
    await screenshot(page, 'shell-phone')
    await page.getByTestId('menu-toggle').click()
    await page.getByTestId('side-menu').getByText('账号管理').click()
    await page.waitForURL('**/accounts')
    await page.locator('.ant-table-row').first().waitFor()
    // Nothing may stick out sideways: the page scrolls only vertically (the table scrolls inside).
    const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')
    expect(overflow).toBe(0)
    await screenshot(page, 'accounts-phone')

    const worker = await open({ viewport: PHONE })
    await loginInBrowser(worker.page, gridWorker.username, gridWorker.password)
    await worker.page.goto('/accounts')
    await worker.page.getByTestId('page-403').waitFor()
    await screenshot(worker.page, 'forbidden-phone')
  })
})
