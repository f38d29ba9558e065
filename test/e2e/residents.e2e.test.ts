import type { Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAccount, type AccountRef } from './support/api.js'
import { loginInBrowser, PHONE, screenshot, startE2E, type E2E, type OpenedPage } from './support/browser.js'
import { badCheck, buildCounty, chooseUnit, createResident, idNumber, pickOption, readSheet, type County, type PersonRef } from './support/registry.js'
import { ADMIN_PASSWORD, ADMIN_USERNAME } from './support/server.js'

/** The rows of the table on the page now, as text. */
const rowTexts = (page: Page) => page.locator('.ant-table-tbody .ant-table-row').allTextContents()

/** Presses the dialog's save button and waits for it to close; a refusal shown in the dialog fails the test with its words. */
async function saveDialog(dialog: Locator, button: RegExp | string = /保\s*存/): Promise<void> {
  await dialog.getByRole('button', { name: button }).click()
  const refusal = dialog.locator('.ant-alert-error')
  await Promise.race([dialog.waitFor({ state: 'hidden' }), refusal.waitFor()])
  if (await dialog.isVisible()) throw new Error(`the dialog refused: ${await refusal.textContent()}`)
}

/** Waits until the table shows exactly `n` rows (after a search or a filter). */
async function expectRows(page: Page, n: number): Promise<void> {
  await expect.poll(async () => (n === 0 ? await page.locator('.ant-table-placeholder').count() : await page.locator('.ant-table-tbody .ant-table-row').count()), { timeout: 20_000 }).toBe(n === 0 ? 1 : n)
}

describe('resident and household registry', () => {
  let e2e: E2E
  let units: County
  let worker: AccountRef
  const people: Record<string, PersonRef> = {}
  let householdId = 0
  let tagIds: Record<string, number> = {}
  const opened: OpenedPage[] = []
  const open = async (options?: Parameters<E2E['openPage']>[0]) => {
    const handle = await e2e.openPage(options)
    opened.push(handle)
    return handle
  }

  beforeAll(async () => {
    e2e = await startE2E()
    const admin = e2e.admin
    units = await buildCounty(admin)
    const tags = await admin.get<{ items: { id: number; nameZh: string }[] }>('/api/person-tags')
    tagIds = Object.fromEntries(tags.items.map((t) => [t.nameZh, t.id]))
    const household = await admin.post<{ id: number }>('/api/households', { unitId: units.building.id, room: '2单元301' })
    householdId = household.id
    people.head = await createResident(admin, { name: '张建国', householdId, relation: 'head', idNumber: idNumber('19560312', 1), phone: '13812345678', tagIds: [tagIds['独居老人'] as number] })
    people.spouse = await createResident(admin, { name: '李秀英', householdId, relation: 'spouse', idNumber: idNumber('19580720', 2, false), phone: '13912345670' })
    people.child = await createResident(admin, { name: '张伟', householdId, relation: 'child', idNumber: idNumber('19851101', 3) })
    people.alone = await createResident(admin, { name: '王芳', unitId: units.compound.id, room: '5号楼102', idNumber: idNumber('19400105', 4, false), tagIds: [tagIds['低保'] as number] })
    people.other = await createResident(admin, { name: '赵明', unitId: units.luoshenhuCompound.id, idNumber: idNumber('19700808', 5), phone: '13712345671' })
    worker = await createAccount(admin, { role: 'community_worker', unitId: units.jixiangyuan.id }, { displayName: '吉祥苑社区工作者' })
  })

  afterAll(async () => {
    const problems = opened.flatMap((o) => o.problems)
    await e2e?.close()
    expect(problems).toEqual([])
  })

  it('lists residents with masked numbers, searches, filters and finds one by exact identity number', async () => {
    const { page } = await open()
    await loginInBrowser(page, ADMIN_USERNAME, ADMIN_PASSWORD)
    await page.goto('/residents')
    await expectRows(page, 5)
    const table = (await page.locator('.ant-table-tbody').textContent()) ?? ''
    expect(table).toContain('3715**********')
    expect(table).toContain('138****5678')
    for (const p of Object.values(people)) expect(table).not.toContain(p.idNumber)
    expect(table).toContain('吉祥苑社区 吉祥苑第一网格 幸福小区 3号楼 2单元301')
    expect(table).toContain('独居老人')
    await screenshot(page, 'residents-list-desktop')

    // Name search goes into the address, so a reload keeps it.
    await page.getByTestId('residents-search').locator('input').fill('张')
    await page.getByTestId('residents-search').locator('input').press('Enter')
    await page.waitForURL(/q=%E5%BC%A0/)
    await expectRows(page, 2)
    await page.reload()
    await expectRows(page, 2)
    await page.getByTestId('residents-search').locator('input').fill('')
    await page.getByTestId('residents-search').locator('input').press('Enter')
    await expectRows(page, 5)

    // Exact lookup by identity number: found through the keyed hash; the number never enters the address.
    await page.getByTestId('residents-lookup').locator('input').fill(people.spouse!.idNumber)
    await page.getByTestId('residents-lookup').locator('input').press('Enter')
    await expectRows(page, 1)
    expect((await rowTexts(page))[0]).toContain('李秀英')
    expect(page.url()).not.toContain(people.spouse!.idNumber)
    // …and by phone number.
    await page.getByTestId('residents-lookup').locator('input').fill('137 1234 5671')
    await page.getByTestId('residents-lookup').locator('input').press('Enter')
    // The table already holds one row (the previous lookup): wait for the new answer, not the count.
    await expect.poll(async () => (await rowTexts(page))[0] ?? '', { timeout: 20_000 }).toContain('赵明')
    await expectRows(page, 1)
    // A malformed number is refused with the server's words.
    await page.getByTestId('residents-lookup').locator('input').fill(badCheck(people.spouse!.idNumber))
    await page.getByTestId('residents-lookup').locator('input').press('Enter')
    await page.getByText('身份证号无效').first().waitFor()
    await page.getByTestId('residents-lookup').locator('input').fill('')
    await page.getByTestId('residents-lookup').locator('input').press('Enter')
    await expectRows(page, 5)

    // Unit subtree, tag and age filters.
    await page.goto('/residents')
    await expectRows(page, 5)
    await chooseUnit(page, 'residents-unit', '洛神湖社区')
    await expectRows(page, 1)
    await page.goto(`/residents?tagId=${tagIds['低保']}`)
    await expectRows(page, 1)
    expect((await rowTexts(page))[0]).toContain('王芳')
    await page.goto('/residents?ageMin=60')
    await expectRows(page, 3)
    await page.goto('/residents?ageMax=45&gender=male')
    await expectRows(page, 1)
    expect((await rowTexts(page))[0]).toContain('张伟')
  })

  it('shows the list on a phone', async () => {
    const { page } = await open({ viewport: PHONE })
    await loginInBrowser(page, ADMIN_USERNAME, ADMIN_PASSWORD)
    await page.goto('/residents')
    await expectRows(page, 5)
    await screenshot(page, 'residents-list-phone')
    await page.goto(`/residents/${people.head!.id}`)
    await page.getByTestId('resident-name').waitFor()
    await screenshot(page, 'resident-detail-phone')
  })

  it('registers a resident, with the server’s refusals shown on the fields', async () => {
    const { page } = await open()
    await loginInBrowser(page, ADMIN_USERNAME, ADMIN_PASSWORD)
    await page.goto('/residents')
    await page.getByTestId('resident-create').click()
    const dialog = page.locator('.ant-modal').filter({ hasText: '登记居民' })
    await dialog.waitFor()
    const fresh = idNumber('19900215', 6, false)
    await page.getByTestId('person-name').fill('孙丽')
    await page.getByTestId('person-id-number').fill(badCheck(fresh))
    await page.getByTestId('person-phone').fill('13612345672')
    await chooseUnit(page, 'person-unit', '3号楼')
    await page.getByTestId('person-room').fill('1单元101')
    const posted = page.waitForResponse((r) => r.url().endsWith('/api/residents') && r.request().method() === 'POST')
    await dialog.getByRole('button', { name: /保\s*存/ }).click()
    expect((await posted).status()).toBe(400)
    // The check digit is the server's to judge: its refusal sits under the identity number.
    const idField = dialog.locator('.ant-form-item').filter({ has: page.getByTestId('person-id-number') })
    await idField.locator('.ant-form-item-explain-error').filter({ hasText: '身份证号无效' }).waitFor()
    await page.getByTestId('person-form-error').waitFor()

    // A birth date that contradicts the number.
    await page.getByTestId('person-id-number').fill(fresh)
    await page.getByTestId('person-birth-date').click()
    await page.getByTestId('person-birth-date').fill('1990-02-16')
    await page.getByTestId('person-birth-date').press('Enter')
    await dialog.getByRole('button', { name: /保\s*存/ }).click()
    const birthField = dialog.locator('.ant-form-item').filter({ has: page.getByTestId('person-birth-date') })
    await birthField.locator('.ant-form-item-explain-error').filter({ hasText: '出生日期与身份证号不一致' }).waitFor()
    await screenshot(page, 'resident-create-errors')

    // Someone else's number.
    await birthField.locator('.ant-picker-clear').click({ force: true })
    await page.getByTestId('person-id-number').fill(people.child!.idNumber)
    await dialog.getByRole('button', { name: /保\s*存/ }).click()
    await idField.locator('.ant-form-item-explain-error').filter({ hasText: '已有其他居民登记了该身份证号' }).waitFor()

    await page.getByTestId('person-id-number').fill(fresh)
    await page.getByTestId('person-tags').click()
    await pickOption(page, '流动人口')
    await dialog.getByRole('button', { name: /保\s*存/ }).click()
    await page.waitForURL(/\/residents\/\d+$/)
    expect(await page.getByTestId('resident-name').textContent()).toBe('孙丽')
    const fields = (await page.getByTestId('resident-fields').textContent()) ?? ''
    expect(fields).toContain('1990-02-15')
    expect(fields).toContain('女')
    expect(fields).toContain('流动人口')
    expect(fields).toContain('3715**********')
    expect(fields).not.toContain(fresh)

    // Edit: only what changed is sent; a bad phone is refused on the phone field.
    await page.getByTestId('resident-edit').click()
    const edit = page.locator('.ant-modal').filter({ hasText: '编辑居民' })
    await edit.waitFor()
    await page.getByTestId('person-phone').fill('12345')
    await edit.getByRole('button', { name: /保\s*存/ }).click()
    await edit.getByText('请填写 11 位手机号').first().waitFor()
    await page.getByTestId('person-phone').fill('13612345673')
    await page.getByTestId('person-name').fill('孙丽华')
    await edit.getByRole('button', { name: /保\s*存/ }).click()
    await edit.waitFor({ state: 'hidden' })
    expect(await page.getByTestId('resident-name').textContent()).toBe('孙丽华')
    expect(await page.getByTestId('resident-fields').textContent()).toContain('136****5673')
    // Editing again starts from the saved values, not from those of the first opening.
    await page.getByTestId('resident-edit').click()
    await edit.waitFor()
    expect(await page.getByTestId('person-name').inputValue()).toBe('孙丽华')
    await edit.getByRole('button', { name: /取\s*消/ }).click()
    await edit.waitFor({ state: 'hidden' })
  })

  it('reveals an identity number with a reason, and the audit log shows who, when and why', async () => {
    const { page } = await open()
    await loginInBrowser(page, ADMIN_USERNAME, ADMIN_PASSWORD)
    await page.goto(`/residents/${people.head!.id}`)
    await page.getByTestId('resident-name').waitFor()
    expect(await page.getByTestId('idNumber-value').textContent()).toBe(`3715**********${people.head!.idNumber.slice(-4)}`)
    // The household with its members, masked.
    const household = page.getByTestId('resident-household')
    await household.getByText('李秀英').waitFor()
    expect(await household.textContent()).toContain('配偶')
    expect(await household.textContent()).not.toContain(people.spouse!.idNumber)
    await screenshot(page, 'resident-detail-desktop')

    await page.getByTestId('idNumber-reveal').click()
    const dialog = page.locator('.ant-modal').filter({ hasText: '查看完整身份证号' })
    await dialog.waitFor()
    expect(await dialog.textContent()).toContain('审计日志')
    await dialog.getByRole('button', { name: '确认查看' }).click()
    await dialog.getByText('请填写查看事由').waitFor()
    await page.getByTestId('reveal-reason').fill('核对低保复核材料')
    await screenshot(page, 'resident-reveal-dialog')
    await dialog.getByRole('button', { name: '确认查看' }).click()
    await dialog.waitFor({ state: 'hidden' })
    await expect.poll(() => page.getByTestId('idNumber-value').textContent(), { timeout: 20_000 }).toBe(people.head!.idNumber)
    // For this view only: hidden again on demand, and masked after a reload.
    await page.getByTestId('idNumber-hide').click()
    expect(await page.getByTestId('idNumber-value').textContent()).toContain('**********')
    await page.reload()
    await page.getByTestId('resident-name').waitFor()
    expect(await page.getByTestId('idNumber-value').textContent()).toContain('**********')

    // The audit page, filtered by the action.
    await page.goto('/audit')
    await page.locator('.ant-table-row').first().waitFor()
    const actionSearch = page.getByPlaceholder('操作，或前缀如 accounts')
    await actionSearch.fill('residents.unmask')
    await actionSearch.press('Enter')
    await page.waitForURL(/action=residents.unmask/)
    await expectRows(page, 1)
    const row = page.locator('.ant-table-row').first()
    expect(await row.textContent()).toContain(`person #${people.head!.id}`)
    expect(await row.textContent()).toContain(ADMIN_USERNAME)
    await row.locator('.ant-table-row-expand-icon').click()
    const details = page.getByTestId('audit-details')
    await details.waitFor()
    expect(await details.textContent()).toContain('核对低保复核材料')
    expect(await details.textContent()).toContain('"field": "idNumber"')
    expect(await details.textContent()).not.toContain(people.head!.idNumber)
    await screenshot(page, 'audit-unmask')
  })

  it('a 吉祥苑社区 worker cannot open a 洛神湖社区 resident: 403 from the API, an error page in the UI', async () => {
    const { page } = await open()
    await loginInBrowser(page, worker.username, worker.password)
    const status = await page.evaluate(async (id) => (await fetch(`/api/residents/${id}`)).status, people.other!.id)
    expect(status).toBe(403)
    await page.goto(`/residents/${people.other!.id}`)
    const forbidden = page.getByTestId('record-forbidden')
    await forbidden.waitFor()
    expect(await forbidden.textContent()).toContain('无权查看')
    expect(await forbidden.textContent()).toContain('不在您的管辖范围内')
    expect(await page.locator('body').textContent()).not.toContain('赵明')
    await screenshot(page, 'resident-forbidden-desktop')

    // Their own list holds their community only; their own residents open.
    // (孙丽华 was registered into 3号楼 by an earlier test.)
    await page.goto('/residents')
    await expectRows(page, 5)
    expect((await rowTexts(page)).join()).not.toContain('赵明')
    await page.goto(`/residents/${people.alone!.id}`)
    expect(await page.getByTestId('resident-name').textContent()).toBe('王芳')
    // A household of the other community is refused the same way.
    const other = await e2e.admin.post<{ id: number }>('/api/households', { unitId: units.luoshenhuCompound.id, room: '1-101' })
    await page.goto(`/households/${other.id}`)
    await page.getByTestId('record-forbidden').waitFor()
    // An unknown id is "not found", not a crash.
    await page.goto('/residents/999999')
    await page.getByTestId('record-not-found').waitFor()

    const phone = await open({ viewport: PHONE })
    await loginInBrowser(phone.page, worker.username, worker.password)
    await phone.page.goto(`/residents/${people.other!.id}`)
    await phone.page.getByTestId('record-forbidden').waitFor()
    await screenshot(phone.page, 'resident-forbidden-phone')
  })

  it('keeps households: members with relations, add a member, change the head, move the household', async () => {
    const { page } = await open()
    await loginInBrowser(page, ADMIN_USERNAME, ADMIN_PASSWORD)
    await page.goto('/households')
    await page.getByTestId('household-link').first().waitFor()
    await page.getByTestId('households-search').locator('input').fill('张建国')
    await page.getByTestId('households-search').locator('input').press('Enter')
    await expectRows(page, 1)
    await page.getByTestId('household-link').first().click()
    await page.waitForURL(`**/households/${householdId}`)
    const members = page.getByTestId('household-members')
    await members.waitFor()
    const text = (await members.textContent()) ?? ''
    expect(text).toContain('张建国')
    expect(text).toContain('户主')
    expect(text).toContain('配偶')
    expect(text).toContain('子女')

    // Add 王芳 (registered elsewhere, no household) as a parent.
    await page.getByTestId('member-add').click()
    const dialog = page.locator('.ant-modal').filter({ hasText: '添加已登记居民' })
    await dialog.waitFor()
    await page.getByTestId('member-person').click()
    await page.getByTestId('member-person').locator('input').fill('王芳')
    await pickOption(page, '王芳')
    await page.getByTestId('member-relation').click()
    await pickOption(page, '父母')
    await dialog.getByRole('button', { name: /保\s*存/ }).click()
    await dialog.waitFor({ state: 'hidden' })
    await members.getByText('王芳').waitFor()
    await screenshot(page, 'household-detail-desktop')

    // 李秀英 becomes the head; 张建国 becomes "other".
    await members.locator('.ant-table-row').filter({ hasText: '李秀英' }).getByTestId('member-actions').click()
    await page.locator('.ant-dropdown:visible').getByText('设为户主').click()
    await page.getByText('李秀英 已设为户主').waitFor()
    expect(await members.locator('.ant-table-row').filter({ hasText: '李秀英' }).textContent()).toContain('户主')
    expect(await members.locator('.ant-table-row').filter({ hasText: '张建国' }).textContent()).toContain('其他')

    // Move the whole household to 洛神湖小区: every member's address follows.
    await page.getByTestId('household-move').click()
    const move = page.locator('.ant-modal').filter({ hasText: '迁移整户' })
    await move.waitFor()
    await chooseUnit(page, 'move-unit', '洛神湖小区')
    await page.getByTestId('move-room').fill('8-402')
    await move.getByRole('button', { name: '确认迁移' }).click()
    await move.waitFor({ state: 'hidden' })
    await page.getByText('洛神湖社区 洛神湖小区 8-402').first().waitFor()
    const moved = await e2e.admin.get<{ address: string }>(`/api/residents/${people.alone!.id}`)
    expect(moved.address).toBe('洛神湖社区 洛神湖小区 8-402')
  })

  it('exports the filtered list on the server: masked by default, full numbers only after a reason — both audited', async () => {
    const { page } = await open()
    await loginInBrowser(page, ADMIN_USERNAME, ADMIN_PASSWORD)
    await page.goto('/residents?sort=name')
    await page.locator('.ant-table-row').first().waitFor()
    const shown = await page.locator('.ant-table-tbody .ant-table-row').count()

    await page.getByTestId('export-excel').click()
    const [masked] = await Promise.all([page.waitForEvent('download'), page.locator('.ant-dropdown:visible').getByText('导出(脱敏)').click()])
    const maskedRows = await readSheet(await masked.path())
    expect(maskedRows[0]).toContain('身份证号')
    expect(maskedRows).toHaveLength(shown + 1)
    const idCol = maskedRows[0]!.indexOf('身份证号')
    for (const row of maskedRows.slice(1)) if (row[idCol]) expect(row[idCol]).toMatch(/^3715\*{10}\d{3}[\dX]$/)
    expect(masked.suggestedFilename()).toMatch(/\.xlsx$/)

    await page.getByTestId('export-excel').click()
    await page.locator('.ant-dropdown:visible').getByText('导出明文').click()
    const dialog = page.locator('.ant-modal').filter({ hasText: '导出明文身份证号和手机号' })
    await dialog.waitFor()
    expect(await dialog.textContent()).toContain('审计日志')
    await page.getByTestId('export-reason').fill('民政局低保年审')
    const [clear] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: '确认导出明文' }).click()])
    const clearRows = await readSheet(await clear.path())
    const ids = clearRows.slice(1).map((r) => r[idCol])
    expect(ids).toContain(people.spouse!.idNumber)

    const audit = await e2e.admin.get<{ items: { action: string; reason: string | null; after: any }[] }>('/api/audit?action=exports.residents')
    expect(audit.items.length).toBeGreaterThanOrEqual(2)
    expect(JSON.stringify(audit.items)).toContain('民政局低保年审')
  })

  it('keeps the care tags: create, rename, archive', async () => {
    const { page } = await open()
    await loginInBrowser(page, ADMIN_USERNAME, ADMIN_PASSWORD)
    await page.goto('/person-tags')
    await page.locator('.ant-table-row').first().waitFor()
    await page.getByTestId('tag-create').click()
    const dialog = page.locator('.ant-modal').filter({ hasText: '新增标签' })
    await dialog.waitFor()
    await page.getByTestId('tag-name-zh').fill('困境儿童')
    await page.getByTestId('tag-name-en').fill('Children in difficulty')
    await page.getByTestId('tag-code').fill('children_in_need')
    await dialog.getByRole('button', { name: /保\s*存/ }).click()
    await dialog.waitFor({ state: 'hidden' })
    const row = page.locator('.ant-table-row').filter({ hasText: 'children_in_need' })
    await row.waitFor()
    await row.getByTestId('tag-edit').click()
    const edit = page.locator('.ant-modal').filter({ hasText: '修改标签' })
    await edit.waitFor()
    await page.getByTestId('tag-name-zh').fill('困境儿童(重点)')
    await saveDialog(edit)
    await row.getByText('困境儿童(重点)').waitFor()
    await row.getByTestId('tag-archive').click()
    await page.getByText('已停用;已有该标签的居民保留它').waitFor()
    await expect.poll(() => page.locator('.ant-table-row').filter({ hasText: 'children_in_need' }).count(), { timeout: 20_000 }).toBe(0)
    await page.getByTestId('tags-show-archived').click()
    await row.getByText('已停用').waitFor()
    await screenshot(page, 'person-tags-desktop')

    // A community worker sees the list but may not edit it.
    const other = await open()
    await loginInBrowser(other.page, worker.username, worker.password)
    await other.page.goto('/person-tags')
    await other.page.locator('.ant-table-row').first().waitFor()
    expect(await other.page.getByTestId('tag-create').count()).toBe(0)
  })

  it('reads in English too', async () => {
    const { page } = await open({ lang: 'en' })
    await loginInBrowser(page, ADMIN_USERNAME, ADMIN_PASSWORD)
    await page.goto(`/residents/${people.spouse!.id}`)
    await page.getByTestId('resident-name').waitFor()
    const fields = (await page.getByTestId('resident-fields').textContent()) ?? ''
    expect(fields).toContain('Identity number')
    expect(fields).toContain('Female')
    await screenshot(page, 'resident-detail-en')
  })
})
