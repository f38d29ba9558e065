import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ApiSession } from './support/api.js'
import { PHONE, loginInBrowser, screenshot, startE2E, type E2E, type OpenedPage } from './support/browser.js'
import { pickClosingOption } from './support/registry.js'
import { ADMIN_PASSWORD, ADMIN_USERNAME } from './support/server.js'

/** A date `months` months before today in Beijing, YYYY-MM-DD. */
function monthsAgo(months: number, plusDays = 0): string {
  const today = new Date(Date.now() + 8 * 3600_000)
  const d = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - months, today.getUTCDate() + plusDays))
  return d.toISOString().slice(0, 10)
}

async function resident(admin: ApiSession, unitId: number, name: string, birthDate = '1975-03-01'): Promise<number> {
  const h = await admin.post<{ id: number }>('/api/households', { unitId, room: '1' })
  return (await admin.post<{ id: number }>('/api/residents', { name, householdId: h.id, relation: 'head', gender: 'female', birthDate })).id
}

describe('party organizations and members', () => {
  let e2e: E2E
  const opened: OpenedPage[] = []
  const open = async (options: Parameters<E2E['openPage']>[0] = {}) => {
    const handle = await e2e.openPage(options)
    opened.push(handle)
    return handle
  }
  const branches: { id: number; name: string }[] = []
  let activistId: number
  let fullMemberId: number
  let committeeName: string

  beforeAll(async () => {
    e2e = await startE2E()
    const { admin } = e2e
    const county = await admin.post<{ id: number }>('/api/units', { parentId: null, type: 'county', name: '东阿县', code: '371524' })
    const town = await admin.post<{ id: number }>('/api/units', { parentId: county.id, type: 'town', name: '姜楼镇', code: '371524104' })
    const townCommittee = await admin.post<{ id: number; name: string }>('/api/party/orgs', { name: '中共姜楼镇委员会', kind: 'committee', unitId: town.id, parentId: null })
    committeeName = townCommittee.name
    const villageIds: number[] = []
    for (const [i, name] of ['陈店村', '王庄村', '李集村'].entries()) {
      const village = await admin.post<{ id: number }>('/api/units', { parentId: town.id, type: 'village', name, code: `37152410420${i + 1}` })
      villageIds.push(village.id)
      const branch = await admin.post<{ id: number; name: string }>('/api/party/orgs', { name: `${name}党支部`, kind: 'branch', unitId: village.id, parentId: townCommittee.id })
      branches.push(branch)
      const personId = await resident(admin, village.id, `${name.slice(0, 2)}老党员`)
      const member = await admin.post<{ id: number }>('/api/party/members', { personId, orgId: branch.id, stage: 'full', joinedDate: '1998-07-01', fullDate: '1999-07-01' })
      if (i === 0) fullMemberId = member.id
    }
    // An activist of 陈店村 named four months ago: becoming a candidate today is a year too early.
    const personId = await resident(admin, villageIds[0]!, '赵积极', '1996-04-12')
    const applicant = await admin.post<{ id: number }>('/api/party/members', { personId, orgId: branches[0]!.id, stage: 'applicant', applicationDate: monthsAgo(6) })
    activistId = applicant.id
    await admin.post(`/api/party/members/${activistId}/steps`, { step: 'talk', date: monthsAgo(6, 10) })
    await admin.post(`/api/party/members/${activistId}/steps`, { step: 'activist', date: monthsAgo(4) })

    // The villages merge into 陈店新村 (through the API here; the wizard is tested in units.e2e).
    await admin.post('/api/restructure/merge-villages', { villageIds, newVillage: { townId: town.id, name: '陈店新村', code: '371524104210' } })
  })

  afterAll(async () => {
    const problems = opened.flatMap((o) => o.problems)
    await e2e?.close()
    expect(problems).toEqual([])
  })

  it('shows the new village’s committee with the village branches in the organization tree, and staffs it', async () => {
    const { page } = await open()
    await loginInBrowser(page, ADMIN_USERNAME, ADMIN_PASSWORD)
    await page.goto('/party/orgs')
    const tree = page.getByTestId('org-tree')
    const committee = tree.locator('.ant-tree-treenode').filter({ hasText: '陈店新村党委' })
    await committee.waitFor()
    // Under the town committee, with the three former village branches under it.
    const rows = await tree.locator('[data-org-node]').allTextContents()
    const at = (name: string) => rows.findIndex((r) => r.includes(name))
    expect(at(committeeName)).toBe(0)
    expect(at('陈店新村党委')).toBe(1)
    for (const b of branches) expect(at(b.name)).toBeGreaterThan(1)
    expect(await committee.textContent()).toContain('党委')

    await committee.locator('.ant-tree-node-content-wrapper').click()
    await page.getByTestId('org-detail-name').filter({ hasText: '陈店新村党委' }).waitFor()
    const counts = await page.getByTestId('org-counts').textContent()
    expect(counts).toContain('正式党员3')
    expect(counts).toContain('入党积极分子1')
    await screenshot(page, 'party-org-tree')

    // The secretary: found by name among the residents (identity numbers masked), a full member.
    await page.getByTestId('org-officers').click()
    const dialog = page.locator('.ant-modal').filter({ hasText: '班子成员' })
    await dialog.getByRole('button', { name: '添加成员' }).click()
    await dialog.locator('.ant-select').nth(1).click()
    await dialog.locator('.ant-select').nth(1).locator('input').fill('王庄')
    await pickClosingOption(page, '王庄老党员')
    await screenshot(page, 'party-officers-dialog')
    await dialog.getByRole('button', { name: /保\s*存/ }).click()
    await dialog.waitFor({ state: 'hidden' })
    const officers = page.getByTestId('org-officer-list')
    await officers.getByText('王庄老党员').waitFor()
    expect(await officers.textContent()).toContain('书记')

    // Someone who is not a member cannot be an officer: the server says why, the dialog stays open.
    await page.getByTestId('org-officers').click()
    await dialog.getByRole('button', { name: '添加成员' }).click()
    await dialog.locator('.ant-select').nth(2).click()
    await pickClosingOption(page, '委员')
    await dialog.locator('.ant-select').nth(3).click()
    await dialog.locator('.ant-select').nth(3).locator('input').fill('赵积极')
    await pickClosingOption(page, '赵积极')
    await dialog.getByRole('button', { name: /保\s*存/ }).click()
    await dialog.getByTestId('dialog-error').waitFor()
    expect(await dialog.getByTestId('dialog-error').textContent()).toContain('须为正式党员或预备党员')
    await dialog.getByRole('button', { name: /取\s*消/ }).click()
  })

  it('records a development step that breaks a rule and shows the flag', async () => {
    const { page } = await open()
    await loginInBrowser(page, ADMIN_USERNAME, ADMIN_PASSWORD)
    await page.goto('/party/members')
    await page.getByTestId('members-search').locator('input').fill('赵积极')
    await page.getByTestId('members-search').locator('input').press('Enter')
    await page.getByTestId(`member-${activistId}`).click()
    await page.waitForURL(`**/party/members/${activistId}`)
    await page.getByTestId('member-name').filter({ hasText: '赵积极' }).waitFor()

    // The timeline: the recorded steps and the pending one with its earliest date (a year after the activist step).
    const pending = page.getByTestId('timeline-pending')
    await pending.waitFor()
    expect(await pending.textContent()).toContain('确定为发展对象')
    expect(await pending.textContent()).toContain(`最早 ${String(Number(monthsAgo(4).slice(0, 4)) + 1)}${monthsAgo(4).slice(4)}`)
    expect(await page.getByTestId('timeline-activist').textContent()).toContain(monthsAgo(4))
    await screenshot(page, 'party-member-before')

    await page.getByTestId('step-add').click()
    const dialog = page.locator('.ant-modal').filter({ hasText: '记录发展步骤' })
    await dialog.waitFor()
    // Out of order: the form says which step comes next.
    await page.getByTestId('step-select').click()
    await pickClosingOption(page, '接收为预备党员')
    await dialog.locator('.ant-form-item-explain-error').filter({ hasText: '下一步应为“确定为发展对象”' }).waitFor()
    await page.getByTestId('step-select').click()
    await pickClosingOption(page, '确定为发展对象')
    expect(await page.getByTestId('step-select').textContent()).toContain('确定为发展对象')
    // Today is less than a year after the activist step: the dialog warns before saving.
    await page.getByTestId('step-foreseen-flags').waitFor()
    expect(await page.getByTestId('step-foreseen-flags').textContent()).toContain('入党积极分子培养考察不满一年即列为发展对象')
    await screenshot(page, 'party-step-dialog')
    await dialog.getByRole('button', { name: /保\s*存/ }).click()
    await dialog.waitFor({ state: 'hidden' })

    const candidate = page.getByTestId('timeline-candidate')
    await candidate.getByTestId('step-flag-candidate_premature').waitFor()
    expect(await candidate.textContent()).toContain('入党积极分子培养考察不满一年即列为发展对象')
    expect(await page.getByTestId('member-flags').textContent()).toContain('发展程序有 1 处异常')
    expect(await page.locator('.ant-card-head').first().textContent()).toContain('发展对象')
    await screenshot(page, 'party-member-flagged')

    // The member list's flag filter finds the member.
    await page.goto('/party/members?flagged=1')
    const row = page.locator('.ant-table-row').filter({ hasText: '赵积极' })
    await row.waitFor()
    expect(await row.textContent()).toContain('培养不满一年')
    expect(await page.locator('.ant-table-row').count()).toBe(1)
    await screenshot(page, 'party-members-flagged')
  })

  it('transfers a member to another branch and receives the transfer', async () => {
    const { page } = await open()
    await loginInBrowser(page, ADMIN_USERNAME, ADMIN_PASSWORD)
    await page.goto(`/party/members/${fullMemberId}`)
    await page.getByTestId('member-name').filter({ hasText: '陈店老党员' }).waitFor()
    await page.getByTestId('transfer-start').click()
    const dialog = page.locator('.ant-modal').filter({ hasText: '组织关系转接' })
    await page.getByTestId('transfer-to-org').click()
    await page.getByTestId('transfer-to-org').locator('input').fill('王庄')
    await pickClosingOption(page, '王庄村党支部')
    await dialog.getByRole('button', { name: /保\s*存/ }).click()
    await dialog.waitFor({ state: 'hidden' })
    await page.locator('.ant-table-row').filter({ hasText: '办理中' }).waitFor()

    await page.goto('/party/transfers?status=in_transit')
    const row = page.locator('.ant-table-row').filter({ hasText: '陈店老党员' })
    await row.waitFor()
    expect(await row.textContent()).toContain('王庄村党支部')
    await row.getByRole('button', { name: '确认接收' }).click()
    const receive = page.locator('.ant-modal').filter({ hasText: '确认接收' })
    await receive.getByRole('button', { name: '确认接收' }).click()
    await receive.waitFor({ state: 'hidden' })
    await page.locator('.ant-table-placeholder').waitFor()
    await page.goto(`/party/members/${fullMemberId}`)
    await page.locator('.ant-descriptions').getByText('王庄村党支部').waitFor()
    await screenshot(page, 'party-member-transferred')
  })

  it('marks a representative and opens a studio; the pages fit a phone', async () => {
    const { page } = await open({ viewport: PHONE })
    await loginInBrowser(page, ADMIN_USERNAME, ADMIN_PASSWORD)
    await page.goto(`/party/members/${fullMemberId}`)
    await page.getByTestId('member-name').waitFor()
    await page.getByRole('button', { name: '党代表与状态' }).click()
    await page.getByTestId('member-representative').click()
    const dialog = page.locator('.ant-modal').filter({ hasText: '党代表与状态' })
    await dialog.getByRole('button', { name: /保\s*存/ }).click()
    await dialog.waitFor({ state: 'hidden' })
    await page.getByRole('button', { name: '开设工作室' }).click()
    const studio = page.locator('.ant-modal').filter({ hasText: '开设工作室' })
    await studio.getByLabel('工作室名称').fill('陈店老党员党代表工作室')
    await studio.locator('.ant-select').nth(1).click()
    await studio.locator('.ant-select').nth(1).locator('input').fill('陈店')
    await pickClosingOption(page, /^新村陈店新村/)
    await studio.getByLabel('接待时间').fill('每周三 9:00-11:30')
    await studio.getByRole('button', { name: /保\s*存/ }).click()
    await studio.waitFor({ state: 'hidden' })
    await page.getByText('每周三 9:00-11:30').waitFor()
    await screenshot(page, 'party-member-phone')
    expect(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBe(0)

    await page.goto('/party/studios')
    await page.locator('.ant-table-row').filter({ hasText: '陈店老党员党代表工作室' }).waitFor()
    await page.goto('/party/orgs')
    await page.getByTestId('org-tree').getByText('陈店新村党委').waitFor()
    await screenshot(page, 'party-org-tree-phone')
  })
})
