import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp } from '../../server/app.js'
import type { App } from '../../server/types.js'
import type { DialectName } from '../../db/connect.js'
import { buildTestApp, Client, dialects, type TestApp } from '../../../test/support/app.js'
import { requestCounty } from '../../../test/support/factories.js'

// A surge of QR submits is answered from the intake journal and routed afterwards (journal.ts).
// Here nothing is routed while the first server runs (long quiet time and lag), so the waiting
// submits can be looked at; a second server on the same database then adopts and routes them, as
// after a crash between the acknowledgement and the routing.

const env = (idleMs: number, lagSeconds = 3600) => {
  process.env.CHORUS_INTAKE_PER_ADDRESS_HOUR = '100000'
  process.env.CHORUS_INTAKE_PER_DEVICE_HOUR = '100000'
  process.env.CHORUS_INTAKE_ROUTE_LAG_SECONDS = String(lagSeconds)
  process.env.CHORUS_INTAKE_IDLE_MS = String(idleMs)
}

type County = Awaited<ReturnType<typeof requestCounty>>

/**
 * A test app of its own for a describe block, built with these journal settings (read at build) and
 * the intake rate limits raised; the environment is restored after.
 */
function journalApp(dialect: DialectName, idleMs: number, lagSeconds = 3600): { t: TestApp; c: County } {
  const state = {} as { t: TestApp; c: County }
  const saved = { ...process.env }
  let dataDir = ''
  beforeAll(async () => {
    env(idleMs, lagSeconds)
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chorus-journal-'))
    state.t = await buildTestApp(dialect, { dataDir })
    state.c = await requestCounty(state.t)
  })
  afterAll(async () => {
    process.env = saved
    await state.t?.close()
    fs.rmSync(dataDir, { recursive: true, force: true })
  })
  return state
}

/** `count` QR submits sent at once, each from its own phone. */
async function surge(t: TestApp, count: number, body: (i: number) => Record<string, unknown>, headers: (i: number) => Record<string, string>) {
  const answers = await Promise.all(Array.from({ length: count }, (_, i) => t.anon.post('/api/public/requests', body(i), headers(i))))
  expect(answers.map((a) => a.status)).toEqual(Array(count).fill(201))
  return answers
}

/** Waits (at most 20 s) until no journal row is pending. */
async function untilRouted(t: TestApp): Promise<void> {
  const deadline = Date.now() + 20_000
  const pending = async () => (await t.dbHandle.db.selectFrom('intake_journal').select('id').where('state', '=', 'pending').execute()).length
  while ((await pending()) > 0) {
    if (Date.now() > deadline) throw new Error(`${t.dialect}: the waiting submits were not routed`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe.each(dialects)('intake journal on %s', (dialect) => {
  const app = journalApp(dialect, 3_600_000)
  let second: App | null = null
  // Hooks run last-registered first: the second server closes before the test app's database.
  afterAll(async () => {
    await second?.close()
  })

  const journal = () => app.t.dbHandle.db.selectFrom('intake_journal').selectAll().orderBy('id').execute()
  const body = (i: number) => ({ locationCode: app.c.compoundA.code, itemId: app.c.items.repair.id, description: `楼道灯坏了 ${i}`, phone: '13800138000' })
  const headers = (i: number) => ({ 'idempotency-key': `surge-${dialect}-${i}-key`, 'x-device-id': `surge-device-${i}-abcd` })

  it('answers a surge at once, keeps the waiting submits visible to their residents, and routes them after a restart', async () => {
    const { t, c } = app
    const answers = await surge(t, 12, body, headers)
    const codes = answers.map((a) => a.body.trackingCode as string)
    expect(new Set(codes).size).toBe(12)
    for (const a of answers) expect(a.body).toMatchObject({ status: 'submitted', title: '水电维修', locationName: '吉祥苑小区' })

    // Every answer is on disk; the first few were routed before answering, the rest wait.
    const rows = await journal()
    expect(rows.map((r) => r.tracking_code).sort()).toEqual([...codes].sort())
    const waiting = rows.filter((r) => r.state === 'pending')
    const routed = rows.filter((r) => r.state === 'routed')
    expect(waiting.length).toBeGreaterThan(0)
    expect(waiting.length + routed.length).toBe(12)
    expect(waiting[0]!.command_json).not.toContain('13800138000') // the phone is encrypted at rest
    const requests = await t.dbHandle.db.selectFrom('request').select(['id', 'tracking_code']).where('tracking_code', 'in', codes).execute()
    expect(requests.map((r) => r.tracking_code).sort()).toEqual(routed.map((r) => r.tracking_code).sort())

    // The resident of a waiting submit sees it as submitted; nothing can be rated yet.
    const code = waiting[0]!.tracking_code
    const answer = answers.find((a) => a.body.trackingCode === code)!.body
    const view = await t.anon.get(`/api/public/requests/${code}`)
    expect(view.status).toBe(200)
    expect(view.body).toMatchObject({
      trackingCode: code, status: 'submitted', title: '水电维修', locationName: '吉祥苑小区', handlerName: null, canRate: false, phoneMasked: '138****8000',
      responseDueAt: answer.responseDueAt, resolutionDueAt: answer.resolutionDueAt,
    })
    expect(view.body.timeline.map((e: any) => e.kind)).toEqual(['submitted'])
    const early = await t.anon.post(`/api/public/requests/${code}/rating`, { contacted: true, solved: true, satisfaction: 'satisfied' })
    expect(early.body.error.code).toBe('not_resolved_yet')
    expect(early.status).toBe(409)

    // A retry answers the first result again, also while it waits; another body under its key is refused.
    const index = answers.findIndex((a) => a.body.trackingCode === code)
    const retry = await t.anon.post('/api/public/requests', body(index), headers(index))
    expect(retry.status).toBe(201)
    expect(retry.headers['idempotent-replayed']).toBe('true')
    expect(retry.body).toEqual(answer)
    // The row keeps what the answer told besides itself, not the answer: a retry gets it rebuilt.
    expect(waiting[0]!.result_json).toBeNull()
    expect(JSON.parse(waiting[0]!.command_json).told).toEqual({ title: '水电维修', responseDueAt: answer.responseDueAt, resolutionDueAt: answer.resolutionDueAt })
    expect(waiting[0]!.fingerprint).toBe('command') // a retry is compared with the command, not a hash
    // A row of the earlier release (the answer stored, nothing told in the command, the submit hashed) answers and shows the same.
    const { told: _told, ...earlier } = JSON.parse(waiting[0]!.command_json)
    const hashed = [
      'qr', 'public', c.compoundA.id, null, c.items.repair.id, null, body(index).description, null, [], '13800138000', null, false, null, null, null,
      `public:${headers(index)['idempotency-key']}`, null,
    ]
    const fingerprint = `v2.${crypto.createHash('sha256').update(JSON.stringify(hashed)).digest('hex')}`
    await t.dbHandle.db.updateTable('intake_journal').set({ command_json: JSON.stringify(earlier), result_json: JSON.stringify(answer), fingerprint })
      .where('id', '=', waiting[0]!.id).execute()
    const retryEarlier = await t.anon.post('/api/public/requests', body(index), headers(index))
    expect(retryEarlier.headers['idempotent-replayed']).toBe('true')
    expect(retryEarlier.body).toEqual(answer)
    expect((await t.anon.post('/api/public/requests', { ...body(index), description: '别的事' }, headers(index))).body.error.code).toBe('idempotency_key_reused')
    expect((await t.anon.get(`/api/public/requests/${code}`)).body).toMatchObject({ title: '水电维修', responseDueAt: answer.responseDueAt, resolutionDueAt: answer.resolutionDueAt })
    const reused = await t.anon.post('/api/public/requests', { locationCode: c.compoundA.code, itemId: c.items.repair.id, description: '别的事' },
      { 'idempotency-key': `surge-${dialect}-${index}-key` })
    expect(reused.body.error.code).toBe('idempotency_key_reused')
    expect((await journal()).length).toBe(12)

    // Waiting submits whose place or item is withdrawn before they are routed (here: behind the server's back),
    // and one whose place is gone altogether.
    const moved = await t.anon.post('/api/public/requests', { ...body(97), locationCode: c.compoundB.code }, headers(97))
    const plain = await t.anon.post('/api/public/requests', { ...body(98), itemId: c.items.elderly.id }, headers(98))
    const orphan = await t.anon.post('/api/public/requests', body(99), headers(99))
    expect([moved.status, plain.status, orphan.status]).toEqual([201, 201, 201])
    expect(plain.body.title).toBe('助老陪诊')
    await t.dbHandle.db.updateTable('unit').set({ status: 'archived' }).where('id', '=', c.compoundB.id).execute()
    await t.dbHandle.db.updateTable('service_item').set({ visibility: 'internal' }).where('id', '=', c.items.elderly.id).execute()
    await t.dbHandle.db.updateTable('intake_journal').set({ location_unit_id: 999_999 }).where('tracking_code', '=', orphan.body.trackingCode).execute()

    // The server stops with submits waiting (as if killed after answering); the next one routes them.
    await t.app.close()
    env(20)
    second = await buildApp({ config: t.config, dbHandle: t.dbHandle, pii: t.pii, logger: false })
    await second.ready()
    await untilRouted(t)
    const all = await journal()
    const caseOf = (code: string) => t.dbHandle.db.selectFrom('request').selectAll().where('tracking_code', '=', code).executeTakeFirstOrThrow()
    const routedNote = async (requestId: number) => (await t.dbHandle.db.selectFrom('request_event').select('note')
      .where('request_id', '=', requestId).where('kind', '=', 'routed').executeTakeFirstOrThrow()).note
    // A withdrawn place hands the submit to the nearest active unit above it (兜底), saying so.
    const movedCase = await caseOf(moved.body.trackingCode)
    expect(movedCase).toMatchObject({ location_unit_id: c.gridB.id, item_id: c.items.repair.id, address: '洛神湖小区' })
    expect(await routedNote(movedCase.id)).toContain('兜底')
    // A withdrawn item makes it a free-text request under the item's name, on the clocks its resident was told.
    const plainCase = await caseOf(plain.body.trackingCode)
    expect(plainCase).toMatchObject({
      location_unit_id: c.compoundA.id, item_id: null, title: '助老陪诊', priority: 'urgent', handler_unit_id: c.communityA.id,
      response_due_at: plain.body.responseDueAt, resolution_due_at: plain.body.resolutionDueAt,
    })
    expect(await routedNote(plainCase.id)).toContain('自由描述')
    expect(await routedNote(plainCase.id)).toContain('时限按受理时告知')
    // A place that is gone altogether: marked failed with the reason, no case, and its resident still sees the submit.
    const failed = all.find((r) => r.tracking_code === orphan.body.trackingCode)!
    expect(failed).toMatchObject({ state: 'failed', error: 'unknown_location', request_id: null })
    expect((await new Client(second).get(`/api/public/requests/${failed.tracking_code}`)).body).toMatchObject({ status: 'submitted', handlerName: null })
    const fallbacks = [moved.body.trackingCode, plain.body.trackingCode]
    expect(all.filter((r) => fallbacks.includes(r.tracking_code)).every((r) => r.state === 'routed')).toBe(true)
    const after = all.filter((r) => r !== failed && !fallbacks.includes(r.tracking_code))
    expect(after.every((r) => r.state === 'routed' && r.request_id !== null)).toBe(true)
    const made = await t.dbHandle.db.selectFrom('request').selectAll().where('tracking_code', 'in', codes).execute()
    expect(made).toHaveLength(12)
    for (const r of after) {
      const request = made.find((m) => m.tracking_code === r.tracking_code)!
      expect(request.id).toBe(r.request_id)
      // The clocks run from the acknowledgement, not from the routing.
      expect(request.submitted_at).toBe(r.submitted_at)
      expect(request.response_due_at).toBe(r.result_json === null ? JSON.parse(r.command_json).told.responseDueAt : JSON.parse(r.result_json).responseDueAt)
      expect(request.handler_unit_id).not.toBeNull()
    }
    const routedView = await new Client(second).get(`/api/public/requests/${code}`)
    expect(routedView.body).toMatchObject({ trackingCode: code, status: 'submitted', handlerName: expect.any(String), submittedAt: answer.submittedAt })
    // The community sees the routed cases in its inbox, each once.
    // The worker's session (in the database) carries over to the second server.
    const session = c.communityWorkerA as unknown as { cookie: string; csrf: string }
    const worker = new Client(second, session.cookie, session.csrf)
    const inbox = await worker.get('/api/requests?box=unit&pageSize=100')
    const listed = inbox.body.items.filter((i: any) => made.some((m) => m.id === i.id))
    expect(listed).toHaveLength(12)
  })
})

describe.each(dialects)('intake journal backlog on %s', (dialect) => {
  const app = journalApp(dialect, 20)

  it('routes the waiting submits of a surge once submits stop coming, each into one request', async () => {
    const { t, c } = app
    const answers = await surge(t, 30, (i) => ({ locationCode: c.compoundB.code, itemId: c.items.repair.id, description: `路灯不亮 ${i}`, phone: '13900139000' }),
      (i) => ({ 'x-device-id': `backlog-device-${i}-abcd` }))
    const codes = answers.map((a) => a.body.trackingCode as string)
    await untilRouted(t)
    const made = await t.dbHandle.db.selectFrom('request').select(['tracking_code', 'handler_unit_id']).where('tracking_code', 'in', codes).execute()
    expect(made.map((m) => m.tracking_code).sort()).toEqual([...codes].sort())
    expect(made.every((m) => m.handler_unit_id !== null)).toBe(true)
    // Another community's worker sees none of them.
    const other = await c.communityWorkerA.get('/api/requests?box=unit&pageSize=100')
    expect(other.status).toBe(200)
    expect(other.body.items.filter((i: any) => i.locationName === '洛神湖小区')).toEqual([])
  })
})

describe.each(dialects)('intake journal past the route lag on %s', (dialect) => {
  // No quiet time ever comes, and every waiting submit is already late.
  const app = journalApp(dialect, 3_600_000, 0)

  it('routes one waiting submit before each answer, so a surge that never ends leaves no backlog behind its answers', async () => {
    const { t, c } = app
    await surge(t, 20, (i) => ({ locationCode: c.compoundA.code, itemId: c.items.repair.id, description: `漏水 ${i}`, phone: '13700137000' }),
      (i) => ({ 'x-device-id': `lag-device-${i}-abcd` }))
    const rows = await t.dbHandle.db.selectFrom('intake_journal').select(['state', 'tracking_code']).execute()
    expect(rows.filter((r) => r.state !== 'routed')).toEqual([])
    expect(rows).toHaveLength(20)
  })
})

describe.each(dialects)('intake journal rows of one batch on %s', (dialect) => {
  // Quiet for an hour: only the submits routed inline before their answers are routed at all.
  const app = journalApp(dialect, 3_600_000)

  it('routes each answered submit into its own row, also when a key repeats inside the batch', async () => {
    const { t, c } = app
    const journal = () => t.dbHandle.db.selectFrom('intake_journal').select(['id', 'tracking_code', 'state', 'request_id', 'idempotency_key']).orderBy('id').execute()
    const body = (key: string) => ({ locationCode: c.compoundA.code, itemId: c.items.repair.id, description: `电梯故障 ${key}`, phone: '13600136000' })
    // Four submits arrive together (one journal statement, every row written), then four more of which two share a key.
    for (const keys of [['a', 'b', 'c', 'd'], ['e', 'f', 'f', 'g']]) {
      const before = (await journal()).length
      const answers = await surge(t, keys.length, (i) => body(keys[i]!), (i) => ({ 'idempotency-key': `batch-${dialect}-${keys[i]}-key`, 'x-device-id': `batch-device-${i}-abcd` }))
      const codes = [...new Set(answers.map((a) => a.body.trackingCode as string))]
      expect(codes).toHaveLength(new Set(keys).size)
      const rows = (await journal()).slice(before)
      expect(rows.map((r) => r.tracking_code).sort()).toEqual([...codes].sort())
      // Each answer routed its own row before it was sent (with a wrong id another row would have been routed twice and this one never).
      expect(rows.every((r) => r.state === 'routed')).toBe(true)
      const made = await t.dbHandle.db.selectFrom('request').select(['id', 'tracking_code']).where('tracking_code', 'in', codes).execute()
      for (const r of rows) expect(made.find((m) => m.tracking_code === r.tracking_code)?.id).toBe(r.request_id)
    }
  })
})
