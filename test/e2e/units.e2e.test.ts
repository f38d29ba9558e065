import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAccount, type ApiSession } from './support/api.js'
import { PHONE, loginInBrowser, screenshot, startE2E, type E2E, type OpenedPage } from './support/browser.js'
import { pickClosingOption } from './support/registry.js'
import { ADMIN_PASSWORD, ADMIN_USERNAME } from './support/server.js'

/** Types into a searchable Select (a unit picker) and picks the option that shows `option`. */
async function searchAndPick(page: Page, testId: string, query: string, option: string | RegExp): Promise<void> {
  await page.getByTestId(testId).click()
  await page.getByTestId(testId).locator('input').fill(query)
  await pickClosingOption(page, option)
}

const treeNode = (page: Page, id: number) => page.getByTestId('unit-tree').locator(`[data-unit-node="${id}"]`)
/**
 * Opens a node of the tree and waits until it is open. The page may still be settling (the tree
 * loads, then opens the branch of the unit in the address), so a click that lands before that and
 * is undone is repeated rather than trusted.
 */
async function expandNode(page: Page, id: number): Promise<void> {
  const item = page.locator('[role="treeitem"]').filter({ has: page.locator(`[data-unit-node="${id}"]`) })
  await item.waitFor()
  await expect
    .poll(
      async () => {
        if ((await item.getAttribute('aria-expanded')) !== 'true') await item.locator('.ant-tree-switcher').first().click()
        return item.getAttribute('aria-expanded')
      },
      { timeout: 30_000, interval: 1_000 },
    )
    .toBe('true')
}

interface Unit {
  id: number
  name: string
}

async function unit(admin: ApiSession, parentId: number | null, type: string, name: string, code?: string): Promise<Unit> {
  return admin.post<Unit>('/api/units', { parentId, type, name, ...(code ? { code } : {}) })
}

/** A household on the unit with one resident as its head. */
async function household(admin: ApiSession, unitId: number, head: string): Promise<number> {
  const h = await admin.post<{ id: number }>('/api/households', { unitId, room: '101' })
  const person = await admin.post<{ id: number }>('/api/residents', { name: head, householdId: h.id, relation: 'head', gender: 'male', birthDate: '1970-05-01' })
  return person.id
}

describe('unit tree and restructuring wizards', () => {
  let e2e: E2E
  const opened: OpenedPage[] = []
  const open = async (options: Parameters<E2E['openPage']>[0] = {}) => {
    const handle = await e2e.openPage(options)
    opened.push(handle)
    return handle
  }
  const villages: Unit[] = []
  let town: Unit
  let community: Unit
  const oldGrids: Unit[] = []
  const compounds: Unit[] = []

  beforeAll(async () => {
    e2e = await startE2E()
    const { admin } = e2e
    const county = await unit(admin, null, 'county', '东阿县', '371524')
    town = await unit(admin, county.id, 'town', '姜楼镇', '371524104')
    const townCommittee = await admin.post<{ id: number }>('/api/party/orgs', { name: '中共姜楼镇委员会', kind: 'committee', unitId: town.id, parentId: null })
    for (const [i, name] of ['陈店村', '王庄村', '李集村'].entries()) {
      const village = await unit(admin, town.id, 'village', name, `37152410420${i + 1}`)
      villages.push(village)
      const personId = await household(admin, village.id, `${name.slice(0, 2)}户主`)
      const branch = await admin.post<{ id: number }>('/api/party/orgs', { name: `${name}党支部`, kind: 'branch', unitId: village.id, parentId: townCommittee.id })
      await admin.post('/api/party/members', { personId, orgId: branch.id, stage: 'full', joinedDate: '2001-07-01', fullDate: '2002-07-01' })
    }

    const subdistrict = await unit(admin, county.id, 'subdistrict', '铜城街道', '371524001')
    community = await unit(admin, subdistrict.id, 'community', '吉祥苑社区', '371524001001')
    for (let g = 1; g <= 5; g++) oldGrids.push(await unit(admin, community.id, 'grid', `吉祥苑第${g}网格`))
    // Eight compounds over the five grids: 2, 2, 2, 1, 1.
    const gridOf = [0, 0, 1, 1, 2, 2, 3, 4]
    for (const [i, g] of gridOf.entries()) compounds.push(await unit(admin, oldGrids[g]!.id, 'compound', `吉祥苑${i + 1}号院`))
    await household(admin, compounds[0]!.id, '吉祥苑居民')
  })

  afterAll(async () => {
    const problems = opened.flatMap((o) => o.problems)
    await e2e?.close()
    expect(problems).toEqual([])
  })

  it('merges three villages into a new village through the wizard and finds it in the tree', async () => {
    const { page } = await open()
    await loginInBrowser(page, ADMIN_USERNAME, ADMIN_PASSWORD)
    await page.goto('/units/restructure')
    await page.getByTestId('op-merge-villages').click()
    await page.waitForURL('**/units/restructure?op=merge-villages')

    // Step 1: the town, then its villages.
    await searchAndPick(page, 'merge-town', '姜楼', '姜楼镇')
    const checkboxes = page.getByTestId('merge-villages')
    await checkboxes.getByText('陈店村').waitFor()
    // One village is not enough for a new village: the wizard says so and stays.
    await checkboxes.getByText('陈店村').click()
    await page.getByTestId('wizard-next').click()
    await page.getByTestId('wizard-step-problem').waitFor()
    expect(await page.getByTestId('wizard-step-problem').textContent()).toContain('至少需要两个村')
    await checkboxes.getByText('王庄村').click()
    await checkboxes.getByText('李集村').click()
    await screenshot(page, 'units-merge-step1')
    await page.getByTestId('wizard-next').click()

    // Step 2: the new village.
    await page.getByTestId('merge-new-name').fill('陈店新村')
    await page.getByTestId('merge-new-code').fill('371524104210')
    await page.getByTestId('wizard-note').fill('依据县政府关于村庄合并的批复')
    await page.getByTestId('wizard-next').click()

    // Preview: nothing written yet, the counts of what moves.
    await page.getByTestId('plan-view').waitFor()
    expect(await page.getByTestId('plan-title').textContent()).toBe('陈店村、王庄村、李集村合并为陈店新村')
    const count = async (key: string) => Number((await page.getByTestId(`plan-count-${key}`).locator('.ant-statistic-content-value').textContent())?.replace(/,/g, ''))
    expect(await count('households')).toBe(3)
    expect(await count('people')).toBe(3)
    expect(await count('partyOrgs')).toBe(3)
    expect(await count('partyMembers')).toBe(3)
    expect(await count('unitsCreated')).toBe(1)
    expect(await count('unitsMoved')).toBe(3)
    const planText = await page.getByTestId('plan-view').textContent()
    expect(planText).toContain('陈店新村党委')
    expect(planText).toContain('371524104210001')
    await screenshot(page, 'units-merge-preview')
    const before = await e2e.admin.get<{ total: number }>(`/api/units?q=陈店新村`)
    expect(before.total).toBe(0)

    // Someone registers another household meanwhile: confirming shows the fresh plan instead of running a stale one.
    await household(e2e.admin, villages[1]!.id, '王庄新户')
    await page.getByTestId('wizard-confirm').click()
    await page.getByTestId('plan-changed').waitFor()
    await expect.poll(() => count('households')).toBe(4)
    await page.getByTestId('wizard-confirm').click()

    await page.getByTestId('wizard-result').waitFor()
    expect(await page.getByTestId('wizard-result').textContent()).toContain('陈店村、王庄村、李集村合并为陈店新村')
    await screenshot(page, 'units-merge-done')
    await page.getByTestId('result-open-unit').click()
    await page.waitForURL(/\/units\?unit=\d+/)
    const newVillageId = Number(new URL(page.url()).searchParams.get('unit'))

    // The new village in the tree, under its town, with the three grid villages under it.
    await page.getByTestId('unit-detail-name').filter({ hasText: '陈店新村' }).waitFor()
    expect(await page.getByTestId('unit-breadcrumb').textContent()).toContain('东阿县/姜楼镇/陈店新村')
    await treeNode(page, newVillageId).waitFor()
    await expandNode(page, newVillageId)
    for (const v of villages) await treeNode(page, v.id).waitFor()
    const children = page.getByTestId('unit-children')
    await children.getByText('陈店村').waitFor()
    expect(await children.locator('.ant-table-row').count()).toBe(3)
    for (const row of await children.locator('.ant-table-row').all()) expect(await row.textContent()).toContain('网格')
    await expect.poll(async () => page.getByTestId('unit-stat-households').locator('.ant-statistic-content-value').textContent()).toBe('4')
    expect(await page.getByTestId('unit-stat-partyMembers').locator('.ant-statistic-content-value').textContent()).toBe('3')
    await page.getByTestId('unit-type-chart').locator('canvas').waitFor()
    await screenshot(page, 'units-tree-new-village')

    // A grid village keeps its history: its lineage names the new village.
    await treeNode(page, villages[0]!.id).click()
    await page.getByTestId('unit-detail-name').filter({ hasText: '陈店村' }).waitFor()
    await page.getByTestId('tab-lineage').click()
    await page.getByTestId('lineage-edges').waitFor()
    const edges = await page.getByTestId('lineage-edges').textContent()
    expect(edges).toContain('陈店村')
    expect(edges).toContain('成为网格村')
    expect(edges).toContain('陈店新村')

    // Search jumps to a unit deep in the tree and opens its branch.
    await searchAndPick(page, 'unit-search', '3号院', '吉祥苑3号院')
    await page.getByTestId('unit-detail-name').filter({ hasText: '吉祥苑3号院' }).waitFor()
    await treeNode(page, compounds[2]!.id).waitFor()
    expect(await page.getByTestId('unit-breadcrumb').textContent()).toContain('铜城街道/吉祥苑社区/吉祥苑第2网格/吉祥苑3号院')
  })

  it('re-divides a community’s five grids into three and keeps the old ones archived with lineage', async () => {
    const { page } = await open()
    await loginInBrowser(page, ADMIN_USERNAME, ADMIN_PASSWORD)
    await page.goto(`/units/restructure?op=redivide-grids&unit=${community.id}`)
    await page.getByTestId('redivide-summary').filter({ hasText: '现有 5 个网格' }).waitFor()
    expect(await page.getByTestId('redivide-summary').textContent()).toContain('共 8 个')
    await page.getByTestId('wizard-next').click()

    // Three new grids.
    await page.locator('[data-testid="redivide-count"] input, input[data-testid="redivide-count"]').first().fill('3')
    await page.getByTestId('redivide-generate').click()
    await page.getByTestId('grid-name-2').waitFor()
    await page.getByTestId('grid-name-0').fill('吉祥苑东区网格')
    await page.getByTestId('wizard-next').click()

    // Assign every compound: two bulk assignments and one by its own select.
    const row = (name: string) => page.locator('.ant-table-row').filter({ hasText: name })
    await row('吉祥苑1号院').waitFor()
    const bulk = async (names: string[], grid: string) => {
      for (const name of names) await row(name).locator('.ant-checkbox-input').check()
      await page.getByTestId('bulk-grid').click()
      await pickClosingOption(page, grid)
      await page.getByTestId('bulk-assign').click()
    }
    await bulk(['吉祥苑1号院', '吉祥苑2号院', '吉祥苑3号院'], '吉祥苑东区网格')
    await bulk(['吉祥苑4号院', '吉祥苑5号院', '吉祥苑6号院', '吉祥苑7号院'], '第2网格')
    // Not everything is assigned yet: the wizard refuses to preview and names what is missing.
    await page.getByTestId('wizard-next').click()
    await page.getByTestId('wizard-step-problem').waitFor()
    expect(await page.getByTestId('wizard-step-problem').textContent()).toContain('吉祥苑8号院')
    await page.getByTestId(`assign-${compounds[7]!.id}`).click()
    await pickClosingOption(page, '第3网格')
    expect(await page.getByTestId('per-grid-counts').textContent()).toContain('未分配 0')
    await screenshot(page, 'units-redivide-assign')
    await page.getByTestId('wizard-next').click()

    await page.getByTestId('plan-view').waitFor()
    expect(await page.getByTestId('plan-title').textContent()).toBe('吉祥苑社区网格重新划分(5个→3个)')
    const count = async (key: string) => Number(await page.getByTestId(`plan-count-${key}`).locator('.ant-statistic-content-value').textContent())
    expect(await count('unitsCreated')).toBe(3)
    expect(await count('unitsArchived')).toBe(5)
    expect(await count('compounds')).toBe(8)
    expect(await count('households')).toBe(1)
    // The party chain: a community committee, a branch per grid, a group per compound.
    expect(await page.getByTestId('plan-view').textContent()).toContain('吉祥苑东区网格党支部')
    await screenshot(page, 'units-redivide-preview')
    await page.getByTestId('wizard-confirm').click()
    await page.getByTestId('wizard-result').waitFor()
    await page.getByTestId('result-open-unit').click()
    await page.waitForURL(`**/units?unit=${community.id}`)

    // The new grids in the tree; the old ones only with "show archived", with their successors.
    await page.getByTestId('unit-detail-name').filter({ hasText: '吉祥苑社区' }).waitFor()
    await expandNode(page, community.id)
    const tree = page.getByTestId('unit-tree')
    for (const name of ['吉祥苑东区网格', '第2网格', '第3网格']) await tree.getByText(name, { exact: true }).waitFor()
    expect(await tree.getByText('吉祥苑第1网格').count()).toBe(0)
    const children = page.getByTestId('unit-children')
    await children.getByText('吉祥苑东区网格').waitFor()
    expect(await children.locator('.ant-table-row').count()).toBe(3)
    expect(await children.textContent()).toContain('371524001001006')

    await page.getByTestId('show-archived').click()
    await page.waitForURL(/archived=1/)
    await treeNode(page, oldGrids[0]!.id).waitFor()
    await treeNode(page, oldGrids[0]!.id).click()
    await page.getByTestId('unit-detail-name').filter({ hasText: '吉祥苑第1网格' }).waitFor()
    expect(await page.getByTestId('unit-detail').textContent()).toContain('已归档')
    await page.getByTestId('tab-lineage').click()
    await page.getByTestId('lineage-successors').getByText('吉祥苑东区网格').waitFor()
    expect(await page.getByTestId('lineage-edges').textContent()).toContain('重新划分为')
    await screenshot(page, 'units-archived-grid-lineage')

    // The restructuring log lists both events; the drawer shows the plan.
    await page.goto('/units/events')
    await page.locator('.ant-table-row').filter({ hasText: '网格重新划分' }).waitFor()
    expect(await page.locator('.ant-table-row').count()).toBe(2)
    await page.locator('.ant-table-row').filter({ hasText: '网格重新划分' }).locator('a').first().click()
    await page.getByTestId('plan-view').waitFor()
    expect(await page.getByTestId('plan-view').textContent()).toContain('吉祥苑8号院')
    await screenshot(page, 'units-events-drawer')
  })

  it('renames a unit from its restructure menu; a community worker sees only their community and cannot restructure', async () => {
    const { page } = await open()
    await loginInBrowser(page, ADMIN_USERNAME, ADMIN_PASSWORD)
    await page.goto(`/units?unit=${compounds[7]!.id}`)
    await page.getByTestId('unit-detail-name').filter({ hasText: '吉祥苑8号院' }).waitFor()
    await page.getByTestId('unit-restructure').click()
    await page.locator('.ant-dropdown-menu-item').filter({ hasText: '更名' }).click()
    await page.waitForURL(`**/units/restructure?op=rename&unit=${compounds[7]!.id}`)
    // The wizard starts from the unit it was opened on.
    await page.getByTestId('rename-unit').filter({ hasText: '吉祥苑8号院' }).waitFor()
    await page.getByTestId('rename-name').fill('吉祥苑八号院')
    await page.getByTestId('wizard-next').click()
    await page.getByTestId('plan-view').waitFor()
    expect(await page.getByTestId('plan-title').textContent()).toBe('吉祥苑8号院更名为吉祥苑八号院')
    await page.getByTestId('wizard-confirm').click()
    await page.getByTestId('result-open-unit').click()
    await page.getByTestId('unit-detail-name').filter({ hasText: '吉祥苑八号院' }).waitFor()

    const worker = await createAccount(e2e.admin, { role: 'community_worker', unitId: community.id })
    const other = await open()
    await loginInBrowser(other.page, worker.username, worker.password)
    await other.page.goto('/units')
    // The tree opens its root with an animation: read the nodes once the community itself shows.
    await other.page.getByTestId('unit-tree').locator(`[role="treeitem"] [data-unit-node="${community.id}"]`).waitFor()
    const roots = await other.page.getByTestId('unit-tree').locator('[role="treeitem"] [data-unit-node]').allTextContents()
    expect(roots[0]).toContain('吉祥苑社区')
    expect(roots.join()).not.toContain('姜楼镇')
    expect(await other.page.getByRole('button', { name: '区划调整' }).count()).toBe(0)
    // Another branch of the county is not there for them: the page says so in words.
    await other.page.goto(`/units?unit=${town.id}`)
    await other.page.getByTestId('unit-detail-error').waitFor()
    expect(await other.page.getByTestId('unit-detail-error').textContent()).toContain('没有执行此操作的权限')
    await other.page.goto('/units/restructure')
    await other.page.getByTestId('page-403').waitFor()
  })

  it('works on a phone', async () => {
    const { page } = await open({ viewport: PHONE })
    await loginInBrowser(page, ADMIN_USERNAME, ADMIN_PASSWORD)
    await page.goto(`/units?unit=${town.id}`)
    await page.getByTestId('unit-detail-name').filter({ hasText: '姜楼镇' }).waitFor()
    await page.getByTestId('unit-stats').waitFor()
    await screenshot(page, 'units-tree-phone')
    await page.goto('/units/restructure?op=merge-villages')
    await page.getByTestId('wizard-steps').waitFor()
    await screenshot(page, 'units-wizard-phone')
    // Nothing is wider than the screen.
    expect(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBe(0)
  })

  it('reads in English too', async () => {
    const { page } = await open({ lang: 'en' })
    await loginInBrowser(page, ADMIN_USERNAME, ADMIN_PASSWORD)
    await page.goto(`/units?unit=${community.id}`)
    await page.getByTestId('unit-detail-name').filter({ hasText: '吉祥苑社区' }).waitFor()
    expect(await page.getByTestId('unit-stats').textContent()).toContain('Households')
    expect(await page.getByTestId('unit-detail').textContent()).toContain('Units below')
    await screenshot(page, 'units-tree-en')
    await page.goto('/units/restructure')
    await page.getByTestId('op-redivide-grids').getByText('Re-divide a community’s grids').waitFor()
    await screenshot(page, 'units-restructure-en')
  })
})
