import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAccount, type AccountRef } from './support/api.js'
import { loginInBrowser, screenshot, startE2E, type E2E, type OpenedPage } from './support/browser.js'
import { chooseUnit } from './support/registry.js'

describe('Open311 API keys page', () => {
  let e2e: E2E
  const opened: OpenedPage[] = []
  let townAdmin: AccountRef

  beforeAll(async () => {
    e2e = await startE2E()
    const admin = e2e.admin
    const unit = (parentId: number | null, type: string, name: string, code: string) => admin.post<{ id: number }>('/api/units', { parentId, type, name, code })
    const county = await unit(null, 'county', '东阿县', '371524')
    const town = await unit(county.id, 'subdistrict', '铜城街道', '371524001')
    const community = await unit(town.id, 'community', '吉祥苑社区', '371524001001')
    await unit(community.id, 'compound', '幸福小区', 'JXY-XF')
    const category = await admin.post<{ id: number }>('/api/catalog/categories', { code: 'e2e-life', name: '生活服务' })
    await admin.post('/api/catalog/items', {
      code: 'E2E-REPAIR', categoryId: category.id, name: '水电维修', unitId: county.id,
      ownerUnitType: 'community', priority: 'general', anonymousAllowed: true, visibility: 'public',
    })
    townAdmin = await createAccount(admin, { role: 'town_admin', unitId: town.id }, { displayName: '铜城街道管理员' })
  })

  afterAll(async () => {
    const problems = opened.flatMap((o) => o.problems)
    await e2e?.close()
    expect(problems).toEqual([])
  })

  it('a town administrator issues a key shown once, it posts a request, and once revoked it is refused', async () => {
    const handle = await e2e.openPage()
    opened.push(handle)
    const { page } = handle
    await loginInBrowser(page, townAdmin.username, townAdmin.password)
    await page.getByRole('menuitem', { name: '开放接口密钥' }).click()
    await page.waitForURL('**/open311-keys')
    expect(await page.getByTestId('open311-discovery').textContent()).toBe(`${e2e.baseUrl}/open311/v2/discovery.json`)

    await page.getByTestId('open311-key-create').click()
    await page.getByTestId('open311-key-name').fill('吉祥苑小程序')
    await chooseUnit(page, 'open311-key-unit', '吉祥苑社区')
    await page.getByTestId('open311-key-save').click()
    const key = (await page.getByTestId('open311-created-key').textContent())?.trim() ?? ''
    expect(key).toMatch(/^o311_/)
    await screenshot(page, 'open311-key-created')
    await page.getByTestId('open311-key-done').click()
    await page.getByTestId('open311-created-key').waitFor({ state: 'detached' })
    const row = page.locator('.ant-table-row').filter({ hasText: '吉祥苑小程序' })
    await row.filter({ hasText: '使用中' }).waitFor()
    expect(await page.locator('body').textContent()).not.toContain(key)

    // The copied key works for a GeoReport POST (form-encoded, as the specification has it).
    const post = () => fetch(`${e2e.baseUrl}/open311/v2/requests.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ api_key: key, service_code: 'E2E-REPAIR', address_id: 'JXY-XF', description: '楼道灯不亮', phone: '13800001234' }),
    })
    const ok = await post()
    expect(ok.status, await ok.clone().text()).toBe(200)
    expect(((await ok.json()) as { service_request_id: string }[])[0]?.service_request_id).toMatch(/^\d+$/)

    await page.reload()
    // A reload asks the server for /open311-keys itself: the web app's page, not the Open311 interface.
    const used = row.locator('td').nth(5)
    await used.filter({ hasText: '1' }).waitFor()

    await row.getByRole('button', { name: '吊销' }).click()
    await page.getByTestId('open311-revoke-ok').click()
    await row.waitFor({ state: 'detached' })
    const refused = await post()
    expect([refused.status, refused.headers.get('x-error-code')]).toEqual([403, 'open311_api_key_invalid'])
    expect(await refused.json()).toEqual([{ code: 403, description: expect.any(String) }])

    await page.getByTestId('open311-status-filter').click()
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: '全部' }).click()
    await row.filter({ hasText: '已吊销' }).filter({ hasText: '铜城街道管理员' }).waitFor()
    await screenshot(page, 'open311-keys-revoked')
  })
})
