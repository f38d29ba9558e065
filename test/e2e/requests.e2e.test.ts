/**
 * The request loop in a browser: a resident scans a compound's QR code on a phone, submits with a
 * photo and gets a tracking link; the community worker signs for it and resolves it on the detail
 * page; the resident answers "not solved" and it reopens; resolved again and rated satisfied; the
 * board's rates follow. A grid worker of the other community never sees the case. Also: the QR
 * posters of the community print one per A4 page and their codes scan to the right address.
 */
import zlib from 'node:zlib'
import jsqr from 'jsqr'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiSession, createAccount, createUnit, type AccountRef, type UnitRef } from './support/api.js'
import { DESKTOP, loginInBrowser, PHONE, screenshot, startE2E, type E2E, type OpenedPage } from './support/browser.js'
import { ADMIN_PASSWORD, ADMIN_USERNAME } from './support/server.js'

// jsqr is CommonJS whose types declare an ES default: under NodeNext the import is the module, `.default` the function.
const jsQR = jsqr.default

// --- a real PNG, made here (the server sniffs and strips it; the browser previews it) ----------------

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})
function crc32(bytes: Buffer): number {
  let c = 0xffffffff
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] as number) ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}
function chunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data])
  const out = Buffer.alloc(12 + data.length)
  out.writeUInt32BE(data.length, 0)
  body.copy(out, 4)
  out.writeUInt32BE(crc32(body), 8 + data.length)
  return out
}
/** A 96×96 picture of a broken stairway light (a yellow disc on grey), with a tEXt chunk the server must strip. */
function stairwayPng(): Buffer {
  const size = 96
  const raw = Buffer.alloc((size * 3 + 1) * size)
  for (let y = 0; y < size; y++) {
    raw[y * (size * 3 + 1)] = 0
    for (let x = 0; x < size; x++) {
      const inside = (x - 48) ** 2 + (y - 40) ** 2 < 22 ** 2
      const o = y * (size * 3 + 1) + 1 + x * 3
      raw[o] = inside ? 240 : 90
      raw[o + 1] = inside ? 200 : 96
      raw[o + 2] = inside ? 40 : 104
    }
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(size, 0)
  ihdr.writeUInt32BE(size, 4)
  ihdr[8] = 8
  ihdr[9] = 2
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('tEXt', Buffer.from('Location\0GPS 36.33N 116.25E', 'latin1')),
    chunk('IDAT', zlib.deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

// --- helpers ---------------------------------------------------------------------------------------

interface BoardFigures {
  submitted: number
  counted: number
  rated: number
  reopened: number
  open: number
  response: string
  resolution: string
  satisfaction: string
  composite: string
}

/** The board's figures as the page shows them (data-value holds the raw number behind each card). */
async function readBoard(page: Page): Promise<BoardFigures> {
  await page.getByTestId('figure-response_rate').waitFor()
  const value = async (id: string) => (await page.getByTestId(id).getAttribute('data-value')) ?? ''
  return {
    submitted: Number(await value('count-submitted')),
    counted: Number(await value('count-counted')),
    rated: Number(await value('count-rated')),
    reopened: Number(await value('count-reopened')),
    open: Number(await value('count-open')),
    response: await value('figure-response_rate'),
    resolution: await value('figure-resolution_rate'),
    satisfaction: await value('figure-satisfaction_rate'),
    composite: await value('figure-composite'),
  }
}

async function openBoard(page: Page, unitId: number): Promise<BoardFigures> {
  await page.goto(`/board?unitId=${unitId}`)
  await page.getByTestId('board-scope').waitFor()
  return readBoard(page)
}

/** Clicks a step button on the detail page, fills the dialog and waits for the new status. */
async function takeStep(page: Page, action: string, fill: (dialog: ReturnType<Page['locator']>) => Promise<void>, expectStatus: string): Promise<void> {
  await page.getByTestId(`action-${action}`).click()
  const dialog = page.locator('.ant-modal:visible')
  await dialog.getByTestId('action-dialog').waitFor()
  await fill(dialog)
  await dialog.getByTestId('dialog-ok').click()
  await page.locator(`[data-testid=request-detail][data-status=${expectStatus}]`).waitFor()
}

/** The pixels of the first poster's QR code, drawn on a canvas in the page, decoded by jsQR. */
async function decodePosterQr(page: Page): Promise<string | null> {
  const side = 400
  // Runs in the page (the test's own TypeScript has no DOM types, hence a string).
  const pixels: number[] | null = await page.evaluate(`(async (n) => {
    const svg = document.querySelector('[data-testid=poster-qr]')
    if (!svg) return null
    const img = new Image()
    img.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(new XMLSerializer().serializeToString(svg))
    await img.decode()
    const canvas = document.createElement('canvas')
    canvas.width = n
    canvas.height = n
    const ctx = canvas.getContext('2d')
    ctx.fillStyle = '#fff'
    ctx.fillRect(0, 0, n, n)
    ctx.drawImage(img, 0, 0, n, n)
    return Array.from(ctx.getImageData(0, 0, n, n).data)
  })(${side})`)
  if (!pixels) return null
  return jsQR(Uint8ClampedArray.from(pixels), side, side)?.data ?? null
}

describe('service requests: QR intake, handling, rating, the three-rates board', () => {
  let e2e: E2E
  const opened: OpenedPage[] = []
  const open = async (options: Parameters<E2E['openPage']>[0] = {}) => {
    const handle = await e2e.openPage(options)
    opened.push(handle)
    return handle
  }

  let communityA: UnitRef
  let communityB: UnitRef
  let compoundA: UnitRef & { code: string }
  let compoundB: UnitRef & { code: string }
  let postersExpected: string[]
  let workerA: AccountRef
  let gridWorkerB: AccountRef
  let otherTitle: string
  let countyId: number

  beforeAll(async () => {
    e2e = await startE2E()
    const admin = e2e.admin
    const unit = (parentId: number, type: string, name: string, code?: string) => admin.post<UnitRef & { code: string }>('/api/units', { parentId, type, name, ...(code ? { code } : {}) })
    const county = await createUnit(admin, { parentId: null, type: 'county', name: '东阿县' })
    await admin.request('PATCH', `/api/units/${county.id}`, { code: '371524' })
    countyId = county.id
    const street = await unit(county.id, 'subdistrict', '铜城街道', '371524001')
    communityA = await unit(street.id, 'community', '吉祥苑社区', '371524001001')
    communityB = await unit(street.id, 'community', '洛神湖社区', '371524001002')
    const gridA = await unit(communityA.id, 'grid', '吉祥苑第一网格')
    const gridB = await unit(communityB.id, 'grid', '洛神湖第一网格')
    compoundA = await unit(gridA.id, 'compound', '幸福小区', 'JXY-XF')
    const buildingA = await unit(compoundA.id, 'building', '3号楼', 'JXY-XF-3')
    const compoundA2 = await unit(gridA.id, 'compound', '阳光花园', 'JXY-YG')
    await unit(gridA.id, 'compound', '未编码小区')
    compoundB = await unit(gridB.id, 'compound', '洛神湖小区', 'LSH-01')
    // The posters of 吉祥苑社区's subtree: its grid (generated code), both coded compounds, the building.
    postersExpected = [gridA.code, compoundA.code, buildingA.code, compoundA2.code]

    const category = await admin.post<{ id: number }>('/api/catalog/categories', { code: 'e2e-life', name: '生活服务' })
    const elderly = await admin.post<{ id: number }>('/api/catalog/categories', { code: 'e2e-elderly', name: '养老服务' })
    await admin.post('/api/catalog/items', {
      code: 'E2E-REPAIR', categoryId: category.id, name: '水电维修', description: '楼道灯、水管、电路等公共设施报修', unitId: county.id,
      ownerUnitType: 'community', priority: 'general', anonymousAllowed: true, visibility: 'public',
    })
    await admin.post('/api/catalog/items', {
      code: 'E2E-ESCORT', categoryId: elderly.id, name: '助老陪诊', description: '为独居老人提供就医陪同', unitId: county.id,
      ownerUnitType: 'community', priority: 'urgent', elderlyCare: true, proxyHandling: true, anonymousAllowed: false, visibility: 'public',
    })

    workerA = await createAccount(admin, { role: 'community_worker', unitId: communityA.id }, { displayName: '王红管家' })
    gridWorkerB = await createAccount(admin, { role: 'grid_worker', unitId: gridB.id }, { displayName: '李网格员' })

    // A case of 洛神湖社区, so the other community's grid worker has something in the inbox.
    otherTitle = '洛神湖小区路灯不亮'
    const res = await fetch(`${e2e.baseUrl}/api/public/requests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-device-id': 'e2e-other-resident' },
      body: JSON.stringify({ locationCode: compoundB.code, title: otherTitle, description: '小区东门路灯不亮', phone: '13900001111' }),
    })
    if (res.status !== 201) throw new Error(`seed request: ${res.status} ${await res.text()}`)
  })

  afterAll(async () => {
    const problems = opened.flatMap((o) => o.problems)
    await e2e?.close()
    expect(problems).toEqual([])
  })

  it('walks QR intake → accept → resolve → not solved → reopen → resolve → satisfied, and the board follows', async () => {
    // The community worker's board before anything happened in 吉祥苑社区.
    const worker = await open()
    await loginInBrowser(worker.page, workerA.username, workerA.password)
    const before = await openBoard(worker.page, communityA.id)
    expect(before).toMatchObject({ submitted: 0, counted: 0, rated: 0, response: '', resolution: '', satisfaction: '', composite: '' })

    // --- the resident scans the poster in 幸福小区 ------------------------------------------------
    const resident = await open({ viewport: PHONE })
    const phone = resident.page
    await phone.goto(`/r/${compoundA.code}`)
    await phone.getByTestId('location-breadcrumb').waitFor()
    expect(await phone.getByTestId('public-title').textContent()).toBe('幸福小区')
    expect(await phone.getByTestId('location-breadcrumb').textContent()).toContain('吉祥苑社区')
    expect(await phone.locator('[data-testid^=menu-item-]').count()).toBe(2)
    expect(await phone.getByText('爱老助老服务清单').count()).toBe(1)
    await screenshot(phone, 'requests-phone-1-menu')

    await phone.locator('[data-testid^=menu-item-]').filter({ hasText: '水电维修' }).click()
    expect(await phone.getByTestId('submit-choice').textContent()).toBe('水电维修')
    await phone.getByTestId('submit-description').fill('3号楼2单元楼道灯坏了一周，晚上看不清台阶，老人上下楼很危险。')
    await phone.getByTestId('submit-address').fill('3号楼2单元')
    await phone.getByTestId('photo-input').setInputFiles({ name: 'stairway.png', mimeType: 'image/png', buffer: stairwayPng() })
    // A file that is not a picture is refused in the page before any upload.
    await phone.getByTestId('photo-input').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') })
    await phone.getByTestId('photo-problem').waitFor()
    await phone.locator('[data-testid=photo-slot][data-state=done]').waitFor()
    expect(await phone.locator('[data-testid=photo-slot]').count()).toBe(1)
    await phone.getByTestId('submit-phone').fill('138 0013 8000')
    expect(await phone.getByTestId('privacy-note').textContent()).toContain('加密')
    await screenshot(phone, 'requests-phone-2-form')
    await phone.getByTestId('submit-send').click()
    await phone.getByTestId('submit-success').waitFor()
    const trackingCode = (await phone.getByTestId('tracking-code').textContent())?.trim() ?? ''
    expect(trackingCode).toMatch(/^[A-Za-z0-9_-]{20,}$/)
    const trackingLink = await phone.getByTestId('tracking-link').locator('a').getAttribute('href')
    expect(trackingLink).toBe(`${e2e.baseUrl}/track/${trackingCode}`)
    await screenshot(phone, 'requests-phone-3-success')

    // The tracking page: submitted, the photo (metadata stripped by the server), the public steps.
    await phone.getByTestId('go-track').click()
    await phone.getByTestId('track-steps').waitFor()
    expect(await phone.getByTestId('track-steps').getAttribute('data-step')).toBe('0')
    await phone.locator('[data-testid=track-photos] img').first().waitFor()
    const photoUrl = await phone.locator('[data-testid=track-photos] img').first().getAttribute('src')
    const photo = await fetch(`${e2e.baseUrl}${photoUrl}`)
    expect(photo.headers.get('content-type')).toBe('image/png')
    expect(Buffer.from(await photo.arrayBuffer()).includes(Buffer.from('GPS'))).toBe(false)
    await screenshot(phone, 'requests-phone-4-track')

    // --- the community worker: inbox, detail, a version conflict, accept, resolve -----------------
    const page = worker.page
    await page.goto('/requests')
    const row = page.locator('.ant-table-row').filter({ hasText: '水电维修' })
    await row.waitFor()
    expect(await row.getByTestId('due-badge').getAttribute('data-due')).toBe('ok')
    expect(await page.locator('.ant-table-row').filter({ hasText: otherTitle }).count()).toBe(0)
    await screenshot(page, 'requests-desktop-1-inbox')
    await row.getByTestId('request-link').click()
    await page.getByTestId('request-detail').waitFor()
    const id = Number(page.url().split('/').pop())
    expect(await page.getByTestId('detail-phone').textContent()).toBe('138****8000')
    expect(await page.locator('[data-testid=detail-photos] img').count()).toBe(1)
    expect(await page.getByTestId('action-resolve').count()).toBe(0)

    // Someone else writes in the meantime (same account, another session): the page's version is stale.
    const other = await ApiSession.login(e2e.baseUrl, workerA.username, workerA.password)
    const seen = await other.get<{ version: number }>(`/api/requests/${id}`)
    await other.post(`/api/requests/${id}/accept`, { version: seen.version })
    await page.getByTestId('action-accept').click()
    await page.locator('.ant-modal:visible').getByTestId('dialog-ok').click()
    await page.getByTestId('version-conflict').waitFor()
    expect(await page.getByTestId('version-conflict').textContent()).toContain('该工单已被他人更新，请刷新')
    await screenshot(page, 'requests-desktop-2-conflict')
    await page.getByTestId('version-conflict').getByRole('button').click()
    await page.locator('[data-testid=request-detail][data-status=accepted]').waitFor()

    await takeStep(page, 'resolve', async (dialog) => {
      await dialog.getByTestId('dialog-note').fill('已更换3号楼2单元楼道灯泡，并检查了线路。')
    }, 'resolved')
    expect(await page.locator('[data-testid=timeline-event][data-kind=resolved]').count()).toBe(1)

    // --- the resident: not solved → reopened --------------------------------------------------------
    await phone.reload()
    await phone.getByTestId('track-rate').waitFor()
    await phone.getByTestId('rating-contacted').getByText('联系过').click()
    await phone.getByTestId('rating-solved').getByText('未解决').click()
    await phone.getByTestId('rating-reopen-hint').waitFor()
    await phone.getByTestId('rating-satisfaction').getByText('不满意').click()
    await phone.getByTestId('rating-comment').fill('灯还是不亮，晚上依旧一片黑。')
    await screenshot(phone, 'requests-phone-5-rate-not-solved')
    await phone.getByTestId('rating-submit').click()
    await phone.getByTestId('track-reopened').waitFor()
    expect(await phone.getByTestId('track-steps').getAttribute('data-step')).toBe('2')
    expect(await phone.locator('[data-testid=track-event][data-kind=reopened]').count()).toBe(1)
    await screenshot(phone, 'requests-phone-6-reopened')

    // The board after the "not solved" answer: one rated case, not solved, dissatisfied, reopened.
    const middle = await openBoard(page, communityA.id)
    expect(middle).toMatchObject({ submitted: 1, counted: 1, rated: 1, reopened: 1, open: 1, response: '1', resolution: '0', satisfaction: '0' })
    expect(Number(middle.composite)).toBeCloseTo(0.2, 6)

    // --- resolved again, and rated satisfied -------------------------------------------------------
    await page.goto(`/requests/${id}`)
    await page.locator('[data-testid=request-detail][data-status=in_progress]').waitFor()
    // Staff copy the resident's tracking link from the case (to read it out or send it on).
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'])
    await page.locator('.ant-typography', { hasText: trackingCode }).locator('.ant-typography-copy').click()
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(`${e2e.baseUrl}/track/${trackingCode}`)
    await takeStep(page, 'resolve', async (dialog) => {
      await dialog.getByTestId('dialog-note').fill('电工重新接线，更换了声控开关，已现场试亮。')
    }, 'resolved')
    await screenshot(page, 'requests-desktop-3-detail')

    await phone.reload()
    await phone.getByTestId('track-rate').waitFor()
    await phone.getByTestId('rating-contacted').getByText('联系过').click()
    await phone.getByTestId('rating-solved').getByText('已解决').click()
    await phone.getByTestId('rating-satisfaction').locator('label').filter({ hasText: /^满意$/ }).click()
    await phone.getByTestId('rating-submit').click()
    await phone.getByTestId('track-rating').waitFor()
    expect(await phone.getByTestId('track-steps').getAttribute('data-step')).toBe('4')
    expect(await phone.getByTestId('track-rating').textContent()).toContain('满意')
    await screenshot(phone, 'requests-phone-7-rated')
    // A mistyped code: the resident is told to check it, not that the case is outside their area.
    await phone.goto(`/track/${trackingCode.slice(0, -1)}`)
    await phone.getByTestId('track-error').waitFor()
    expect(await phone.getByTestId('track-error').textContent()).toContain('请核对查询码是否完整')
    expect(await phone.getByTestId('track-error').textContent()).not.toContain('管辖范围')

    // The board after: every rate 100 %, the composite 100; the drill-down lists the case.
    const after = await openBoard(page, communityA.id)
    expect(after).toMatchObject({ submitted: 1, counted: 1, rated: 1, reopened: 1, open: 0, response: '1', resolution: '1', satisfaction: '1' })
    expect(Number(after.composite)).toBeCloseTo(1, 6)
    expect(await page.getByTestId('figure-satisfaction_rate-value').textContent()).toBe('100.0%')
    await page.getByTestId('figure-satisfaction_rate').click()
    await page.locator('[data-testid=drill-total][data-total="1"]').waitFor()
    expect(await page.getByTestId('drill-table').textContent()).toContain('水电维修')
    await screenshot(page, 'requests-desktop-4-board-drill')
    await page.keyboard.press('Escape')
    await page.getByTestId('drill-table').waitFor({ state: 'hidden' })
    await screenshot(page, 'requests-desktop-5-board')
    await page.setViewportSize(PHONE)
    await screenshot(page, 'requests-phone-8-board')
    await page.goto('/requests?box=all')
    await page.locator('.ant-table-row').first().waitFor()
    await screenshot(page, 'requests-phone-9-inbox')
    await page.setViewportSize(DESKTOP)

    // The detail page shows both answers and the whole timeline.
    await page.goto(`/requests/${id}`)
    await page.getByTestId('detail-ratings').waitFor()
    expect(await page.locator('[data-testid=timeline-event][data-kind=rated]').count()).toBe(2)
    expect(await page.locator('[data-testid=timeline-event][data-kind=reopened]').count()).toBe(1)

    // The bell counts the worker's unread notifications (the new case, the reopening).
    expect(Number((await page.getByTestId('notifications-count').textContent())?.replace(/\D/g, '') || '0')).toBeGreaterThan(0)

    // --- the other community's grid worker never sees it -------------------------------------------
    const outsider = await open()
    await loginInBrowser(outsider.page, gridWorkerB.username, gridWorkerB.password)
    await outsider.page.goto('/requests?box=all')
    await outsider.page.locator('.ant-table-row').filter({ hasText: otherTitle }).waitFor()
    expect(await outsider.page.locator('.ant-table-row').filter({ hasText: '水电维修' }).count()).toBe(0)
    await outsider.page.goto(`/requests/${id}`)
    await outsider.page.getByTestId('request-error').waitFor()
    expect(await outsider.page.getByTestId('request-error').textContent()).toContain('不在您的管辖范围内')
    expect(await outsider.page.getByTestId('detail-title').count()).toBe(0)
    await screenshot(outsider.page, 'requests-desktop-6-outsider')
  })

  it('records a phone call on a resident\'s behalf, then signs for it on the dispatch desk', async () => {
    const { page } = await open()
    await loginInBrowser(page, workerA.username, workerA.password)
    await page.goto('/requests')
    await page.getByTestId('intake-open').click()
    const dialog = page.locator('.ant-modal:visible')
    await dialog.getByTestId('intake-form').waitFor()
    const location = dialog.getByTestId('intake-location')
    await location.click()
    await location.locator('input').fill('阳光花园')
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: '阳光花园' }).first().click()
    await dialog.getByLabel('标题').fill('阳光花园垃圾清运不及时')
    await dialog.getByTestId('intake-description').fill('垃圾桶满了两天没人清运，气味很大。')
    await dialog.getByTestId('intake-phone').fill('13700002222')
    await screenshot(page, 'requests-desktop-7-intake')
    await dialog.getByTestId('intake-submit').click()
    await page.locator('[data-testid=request-detail][data-status=submitted]').waitFor()
    expect(await page.getByTestId('detail-title').textContent()).toBe('阳光花园垃圾清运不及时')
    expect(await page.locator('[data-testid=timeline-event][data-kind=recorded]').count()).toBe(1)

    await page.goto('/dispatch')
    const row = page.locator('.ant-table-row').filter({ hasText: '垃圾清运' })
    await row.waitFor()
    await page.getByTestId('load-row').first().waitFor()
    await screenshot(page, 'requests-desktop-8-dispatch')
    await row.getByTestId('quick-accept').click()
    await row.waitFor({ state: 'detached' })
    await page.getByRole('tab', { name: '已签收待派单' }).click()
    await page.locator('.ant-table-row').filter({ hasText: '垃圾清运' }).waitFor()
  })

  it('lets the county administrator change the weights (the composite moves), export the board, keep templates and approve an extension', async () => {
    const { page } = await open()
    await loginInBrowser(page, ADMIN_USERNAME, ADMIN_PASSWORD)
    await page.goto('/board')
    await page.getByTestId('board-scope').waitFor()
    expect(await page.getByTestId('board-scope').textContent()).toContain('东阿县')
    // The county: 3 counted cases (two signed for in time), one rated solved and satisfied.
    const before = await readBoard(page)
    expect(before).toMatchObject({ counted: 3, rated: 1, resolution: '1', satisfaction: '1' })
    expect(Number(before.response)).toBeCloseTo(2 / 3, 6)
    expect(Number(before.composite)).toBeCloseTo(0.2 * (2 / 3) + 0.4 + 0.4, 6)

    await page.getByTestId('board-weights').click()
    const dialog = page.locator('.ant-modal:visible')
    await dialog.locator('[data-testid=weight-response] input, input[data-testid=weight-response]').fill('0.5')
    await dialog.locator('[data-testid=weight-resolution] input, input[data-testid=weight-resolution]').fill('0.25')
    await dialog.locator('[data-testid=weight-satisfaction] input, input[data-testid=weight-satisfaction]').fill('0.25')
    await expect.poll(() => dialog.getByTestId('weights-sum').textContent(), { timeout: 10_000 }).toContain('1.00')
    await screenshot(page, 'requests-desktop-10-weights')
    await dialog.getByRole('button', { name: /确\s*定|OK/ }).click()
    await dialog.waitFor({ state: 'hidden' })
    await expect.poll(async () => Number(await page.getByTestId('figure-composite').getAttribute('data-value')), { timeout: 30_000 }).toBeCloseTo(0.5 * (2 / 3) + 0.25 + 0.25, 6)

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('board-export').click()])
    expect(download.suggestedFilename()).toMatch(/\.xlsx$/)

    // A response template for 吉祥苑社区, made on the templates page.
    await page.goto('/request-templates')
    await page.getByTestId('template-create').click()
    const form = page.locator('.ant-modal:visible')
    const unitPicker = form.getByTestId('template-unit')
    await unitPicker.click()
    await unitPicker.locator('input').fill('吉祥苑社区')
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: '吉祥苑社区' }).first().click()
    await form.getByTestId('template-title').fill('公共照明已修复')
    await form.getByTestId('template-body').fill('您反映的公共照明问题已安排电工修复，如仍有问题请再次扫码反映。')
    await form.getByTestId('template-save').click()
    await page.locator('.ant-table-row').filter({ hasText: '公共照明已修复' }).waitFor()

    // The worker asks for more time on the hotline case; the supervisor approves it on the reviews page.
    const worker = await ApiSession.login(e2e.baseUrl, workerA.username, workerA.password)
    const hotline = (await worker.get<{ items: { id: number; version: number; title: string }[] }>('/api/requests?box=unit')).items.find((r) => r.title.includes('垃圾清运'))
    if (!hotline) throw new Error('hotline case not in the inbox')
    await worker.post(`/api/requests/${hotline.id}/extensions`, { version: hotline.version, extra: { amount: 2, unit: 'working_days' }, reason: '需协调环卫公司增派车辆' })
    await page.goto('/request-reviews')
    const pending = page.locator('.ant-table-row').filter({ hasText: '需协调环卫公司增派车辆' })
    await pending.waitFor()
    await screenshot(page, 'requests-desktop-12-reviews')
    await pending.getByTestId('review-approve').click()
    await page.locator('.ant-modal:visible').getByTestId('dialog-ok').click()
    await pending.waitFor({ state: 'detached' })
    const detail = await worker.get<{ extensions: { status: string }[] }>(`/api/requests/${hotline.id}`)
    expect(detail.extensions.map((x) => x.status)).toEqual(['approved'])
  })

  it('prints the whole community\'s QR posters, one per A4 page, each scanning to its /r/ address', async () => {
    const { page } = await open()
    await loginInBrowser(page, workerA.username, workerA.password)
    await page.goto(`/posters?unitId=${communityA.id}&scope=subtree`)
    await page.getByTestId('posters-preview').waitFor()
    expect(await page.getByTestId('posters-missing-code').textContent()).toContain('未编码小区')
    // No public address configured here: the page says where the codes point, so nobody prints an internal address unawares.
    expect(await page.getByTestId('posters-origin').textContent()).toContain(`当前访问地址 ${e2e.baseUrl}`)
    await screenshot(page, 'requests-desktop-9-posters')

    await page.goto(`/posters/print?unitId=${communityA.id}&scope=subtree`)
    await page.getByTestId('poster-print').waitFor()
    const codes = await page.getByTestId('poster-sheet').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-code') ?? ''))
    expect([...codes].sort()).toEqual([...postersExpected].sort())
    // The first poster's QR code, read back from its pixels, is the resident page of that place.
    const decoded = await decodePosterQr(page)
    expect(decoded).toBe(`${e2e.baseUrl}/r/${codes[0]}`)
    await screenshot(page, 'requests-desktop-11-poster-print')
    const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true })
    const pages = pdf.toString('latin1').match(/\/Type\s*\/Page(?![a-z])/g) ?? []
    expect(pages.length).toBe(postersExpected.length)

    // The code scans to the resident page of that place.
    const scanned = await open({ viewport: PHONE })
    await scanned.page.goto(decoded ?? '/')
    await scanned.page.getByTestId('location-breadcrumb').waitFor()
    expect(await scanned.page.getByTestId('location-breadcrumb').textContent()).toContain('吉祥苑社区')
  })
  it('retries a submit whose answer was lost with the same Idempotency-Key and files it once', async () => {
    const handle = await open({ viewport: PHONE })
    const phone = handle.page
    const keys: string[] = []
    let replayed: string | null = null
    await phone.route('**/api/public/requests', async (route) => {
      const request = route.request()
      if (request.method() !== 'POST') return route.continue()
      keys.push(request.headers()['idempotency-key'] ?? '')
      const response = await route.fetch()
      // The first answer is lost on the way back: the server filed the request, the phone never hears it.
      if (keys.length === 1) return route.abort('failed')
      replayed = response.headers()['idempotent-replayed'] ?? null
      return route.fulfill({ response })
    })
    await phone.goto(`/r/${compoundB.code}`)
    await phone.getByTestId('menu-other').click()
    await phone.getByTestId('submit-title').fill('健身器材损坏')
    await phone.getByTestId('submit-description').fill('小区广场的单杠松动了，孩子玩很危险。')
    await phone.getByTestId('submit-phone').fill('13600003333')
    await phone.getByTestId('submit-send').click()
    await phone.getByTestId('submit-error').waitFor()
    expect(await phone.getByTestId('submit-send').textContent()).toContain('重新提交')
    await screenshot(phone, 'requests-phone-10-lost-answer')
    await phone.getByTestId('submit-send').click()
    await phone.getByTestId('submit-success').waitFor()
    expect(keys).toHaveLength(2)
    expect(keys[0]).toMatch(/^[A-Za-z0-9_-]{8,100}$/)
    expect(keys[1]).toBe(keys[0])
    expect(replayed).toBe('true')
    const filed = await e2e.admin.get<{ total: number }>(`/api/requests?box=all&q=${encodeURIComponent('健身器材损坏')}`)
    expect(filed.total).toBe(1)
    // The aborted answer is logged by Chromium as a failed load; that one is on purpose.
    const lost = handle.problems.filter((p) => /ERR_FAILED/.test(p))
    expect(lost.length).toBeLessThanOrEqual(1)
    handle.problems.splice(0, handle.problems.length, ...handle.problems.filter((p) => !/ERR_FAILED/.test(p)))
  })

  it("lets a community worker add a county agency as co-unit and dispatch to another outside its subtree, the sub-district suggested first", async () => {
    const { page } = await open()
    await loginInBrowser(page, workerA.username, workerA.password)
    await e2e.admin.post('/api/units', { parentId: countyId, type: 'agency', name: '东阿县城管局' })
    const worker = await ApiSession.login(e2e.baseUrl, workerA.username, workerA.password)
    const stall = await worker.post<{ id: number; version: number }>('/api/requests', {
      source: 'patrol', locationUnitId: compoundA.id, title: '幸福小区门口占道经营', description: '早市摊位占用消防通道', phone: '13700003333',
    })
    await worker.post(`/api/requests/${stall.id}/accept`, { version: stall.version })
    // 协办: a county agency outside the worker's subtree, found by name in the same picker.
    await e2e.admin.post('/api/units', { parentId: countyId, type: 'agency', name: '东阿县市场监管局' })
    await page.goto(`/requests/${stall.id}`)
    await takeStep(page, 'add_co_units', async (dialog) => {
      await dialog.getByTestId('dialog-units').locator('input').fill('市场监管')
      await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: '东阿县市场监管局' }).click()
      // A multiple select keeps its list open after a pick: once the choice shows, click away to close it.
      await dialog.getByTestId('dialog-units').filter({ hasText: '东阿县市场监管局' }).waitFor()
      await dialog.locator('.ant-modal-title').click()
      await page.locator('.ant-select-dropdown:visible').waitFor({ state: 'hidden' })
    }, 'accepted')
    await page.locator('[data-testid=timeline-event][data-kind=co_units_added]').waitFor()
    expect((await worker.get<{ coUnits: { unitName: string; role: string }[] }>(`/api/requests/${stall.id}`)).coUnits).toContainEqual(expect.objectContaining({ unitName: '东阿县市场监管局', role: 'co' }))
    await page.goto('/dispatch?queue=accepted')
    const accepted = page.locator('.ant-table-row').filter({ hasText: '占道经营' })
    await accepted.waitFor()
    await accepted.getByTestId('quick-dispatch').click()
    const dispatch = page.locator('.ant-modal:visible')
    await dispatch.getByTestId('action-dialog').waitFor()
    const target = dispatch.getByTestId('dialog-unit')
    await target.click()
    const options = page.locator('.ant-select-dropdown:visible')
    await options.locator('.ant-select-item-option').filter({ hasText: '所在街道/镇' }).filter({ hasText: '铜城街道' }).waitFor()
    expect(await options.locator('.ant-select-item-group').first().textContent()).toBe('推荐')
    await target.locator('input').fill('城管')
    await options.locator('.ant-select-item-option').filter({ hasText: '东阿县城管局' }).first().click()
    await dispatch.getByTestId('dialog-ok').click()
    await accepted.waitFor({ state: 'detached' })
    const after = await worker.get<{ status: string; pendingUnitName: string | null }>(`/api/requests/${stall.id}`)
    expect(after).toMatchObject({ status: 'dispatched', pendingUnitName: '东阿县城管局' })
  })
})
