import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import crypto from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, dialects, type Client, type TestApp } from '../../../test/support/app.js'
import { jpegWithExif, requestCounty, requestIdOf, submitPublicRequest } from '../../../test/support/factories.js'
import { loadConfig } from '../../config.js'
import { connect } from '../../db/connect.js'
import { migrateToLatest } from '../../db/migrate.js'
import { PiiCipher } from '../../lib/pii.js'
import { addMinutes } from '../../lib/time.js'
import { buildApp } from '../../server/app.js'
import { loadCalendar } from '../calendar/service.js'
import { addWorkingDays } from '../calendar/working-time.js'
import { startBackgroundWork } from './background.js'
import { deliverOutbox, noticeTime } from './notify.js'
import { runSweep, SWEEP_LEASE } from './sweep.js'

process.env.CHORUS_INTAKE_PER_ADDRESS_HOUR = '100000'
process.env.CHORUS_INTAKE_PER_DEVICE_HOUR = '100000'

async function ok(client: Client, id: number, action: string, body: Record<string, unknown> = {}) {
  const { version } = (await client.get(`/api/requests/${id}`)).body
  const res = await client.post(`/api/requests/${id}/${action}`, { version, ...body })
  if (res.status !== 200) throw new Error(`${action}: ${res.status} ${res.text}`)
  return res.body
}

describe.each(dialects)('deadline sweep on %s', (dialect) => {
  let t: TestApp
  let c: Awaited<ReturnType<typeof requestCounty>>
  let dataDir: string
  const me = async (client: Client) => (await client.get('/api/auth/me')).body.id as number

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chorus-sweep-'))
    t = await buildTestApp(dialect, { dataDir })
    c = await requestCounty(t)
  })
  afterAll(async () => {
    await t?.close()
    fs.rmSync(dataDir, { recursive: true, force: true })
  })

  const row = (id: number) => t.dbHandle.db.selectFrom('request').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
  const kinds = async (id: number) => (await t.dbHandle.db.selectFrom('request_event').select('kind').where('request_id', '=', id).orderBy('id').execute()).map((e) => e.kind)
  const notices = (id: number, kind: string) => t.dbHandle.db.selectFrom('notification').select('account_id').where('request_id', '=', id).where('kind', '=', kind).execute()
  const newCase = async (description: string) => requestIdOf(t, (await submitPublicRequest(t, { locationCode: c.compoundA.code, itemId: c.items.repair.id, description })).trackingCode)

  it('flags a late first response, warns at 80 %, flags the overdue case and escalates it twice — once each', async () => {
    const id = await newCase('超期流程')
    const r0 = await row(id)
    const s1 = await runSweep(t.dbHandle.db, { now: addMinutes(r0.response_due_at!, 1) })
    expect(s1.ran).toBe(true)
    expect(s1.responseOverdue).toBeGreaterThanOrEqual(1)
    expect((await row(id)).response_overdue).toBe(1)
    expect((await notices(id, 'response_overdue')).map((n) => n.account_id)).toContain(await me(c.communityWorkerA))

    await ok(c.communityWorkerA, id, 'accept')
    const r1 = await row(id)
    await runSweep(t.dbHandle.db, { now: addMinutes(r1.warn_at!, 1) })
    expect((await row(id)).warned).toBe(1)
    expect(await kinds(id)).toContain('reminded')
    expect((await notices(id, 'deadline_warning')).map((n) => n.account_id)).toEqual([await me(c.communityWorkerA)])
    expect((await row(id)).resolution_overdue).toBe(0)

    const overdueAt = addMinutes(r1.resolution_due_at!, 1)
    const before = (await t.dbHandle.db.selectFrom('request_rollup').select('overdue').where('dim', '=', 'area').where('unit_id', '=', c.communityA.id).execute()).reduce((a, r) => a + r.overdue, 0)
    const s3 = await runSweep(t.dbHandle.db, { now: overdueAt })
    expect(s3.overdue).toBeGreaterThanOrEqual(1)
    const r3 = await row(id)
    expect({ overdue: r3.resolution_overdue, level: r3.escalation_level }).toEqual({ overdue: 1, level: 1 })
    const escalated = await t.dbHandle.db.selectFrom('request_event').selectAll().where('request_id', '=', id).where('kind', '=', 'escalated').execute()
    expect(escalated.map((e) => e.unit_id)).toEqual([c.subdistrict.id])
    expect((await notices(id, 'escalated')).map((n) => n.account_id)).toContain(await me(c.townAdmin))
    const after = (await t.dbHandle.db.selectFrom('request_rollup').select('overdue').where('dim', '=', 'area').where('unit_id', '=', c.communityA.id).execute()).reduce((a, r) => a + r.overdue, 0)
    expect(after).toBe(before + 1)

    // Running again at the same moment changes nothing.
    const events = (await kinds(id)).length
    await runSweep(t.dbHandle.db, { now: overdueAt })
    expect((await kinds(id)).length).toBe(events)

    // One working day after the deadline, the next level up (the community's supervisor was the sub-district: now the county).
    const calendar = await loadCalendar(t.dbHandle.db, c.county.id)
    const early = await runSweep(t.dbHandle.db, { now: addMinutes(r1.resolution_due_at!, 60) })
    expect(early.escalated).toBe(0)
    await runSweep(t.dbHandle.db, { now: addMinutes(addWorkingDays(r1.resolution_due_at!, 1, calendar), 1) })
    expect((await row(id)).escalation_level).toBe(2)
    expect((await notices(id, 'escalated')).map((n) => n.account_id)).toContain(await me(c.countyAdmin))
  })

  it('writes deadlines into notification and outbox texts as Asia/Shanghai time, not raw ISO', async () => {
    expect(noticeTime('2026-11-26T09:30:00.000Z')).toBe('2026-11-26 17:30')
    expect(noticeTime('2026-12-31T16:05:59.999Z')).toBe('2027-01-01 00:05')
    // China keeps UTC+8 all year: eight hours on, to the minute.
    const local = (iso: string) => new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ')
    const id = await newCase('期限显示')
    const r0 = await row(id)
    await runSweep(t.dbHandle.db, { now: addMinutes(r0.response_due_at!, 1) })
    await ok(c.communityWorkerA, id, 'accept')
    const r1 = await row(id)
    await runSweep(t.dbHandle.db, { now: addMinutes(r1.warn_at!, 1) })
    await runSweep(t.dbHandle.db, { now: addMinutes(r1.resolution_due_at!, 1) })
    const texts = await t.dbHandle.db.selectFrom('notification').select(['kind', 'title', 'body']).where('request_id', '=', id).execute()
    const bodies = Object.fromEntries(texts.map((n) => [n.kind, n.body]))
    expect(bodies).toMatchObject({
      response_overdue: `签收期限:${local(r0.response_due_at!)}`,
      deadline_warning: `办理期限:${local(r1.resolution_due_at!)}`,
      overdue: `办理期限:${local(r1.resolution_due_at!)}`,
      escalated: `办理期限:${local(r1.resolution_due_at!)}`,
    })
    const outbox = (await t.dbHandle.db.selectFrom('outbox').select('payload_json').execute())
      .map((m) => JSON.parse(m.payload_json) as { requestId: number; title: string; body: string | null })
      .filter((m) => m.requestId === id)
    expect(outbox.length).toBeGreaterThanOrEqual(4)
    for (const text of [...texts.flatMap((n) => [n.title, n.body]), ...outbox.flatMap((m) => [m.title, m.body])]) {
      expect(text ?? '').not.toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d/)
    }
  })

  it('escalates a grid\'s case to its community first, then the sub-district', async () => {
    const id = await newCase('网格超期')
    await ok(c.communityWorkerA, id, 'accept')
    await ok(c.communityWorkerA, id, 'dispatch', { toUnitId: c.gridA.id })
    await ok(c.gridWorkerA, id, 'accept')
    const due = (await row(id)).resolution_due_at!
    await runSweep(t.dbHandle.db, { now: addMinutes(due, 1) })
    const calendar = await loadCalendar(t.dbHandle.db, c.county.id)
    await runSweep(t.dbHandle.db, { now: addMinutes(addWorkingDays(due, 1, calendar), 1) })
    const escalated = await t.dbHandle.db.selectFrom('request_event').select(['unit_id', 'data_json']).where('request_id', '=', id).where('kind', '=', 'escalated').orderBy('id').execute()
    expect(escalated.map((e) => e.unit_id)).toEqual([c.communityA.id, c.subdistrict.id])
  })

  it('leaves a case that waits for the resident alone', async () => {
    const id = await newCase('暂停')
    await ok(c.communityWorkerA, id, 'accept')
    await ok(c.communityWorkerA, id, 'pause', { reason: '等待居民' })
    const r = await row(id)
    await runSweep(t.dbHandle.db, { now: addMinutes(r.resolution_due_at!, 10_000) })
    expect(await row(id)).toMatchObject({ warned: 0, resolution_overdue: 0, escalation_level: 0 })
  })

  it('does the work once when two sweeps run at the same time, and takes over only an expired lease', async () => {
    const id = await newCase('并发')
    await ok(c.communityWorkerA, id, 'accept')
    const now = addMinutes((await row(id)).warn_at!, 1)
    const [a, b] = await Promise.all([runSweep(t.dbHandle.db, { now, holder: 'process-a' }), runSweep(t.dbHandle.db, { now, holder: 'process-b' })])
    expect([a.ran, b.ran].sort()).toEqual([false, true])
    expect(await notices(id, 'deadline_warning')).toHaveLength(1)
    expect((await kinds(id)).filter((k) => k === 'reminded')).toHaveLength(1)

    await t.dbHandle.db.updateTable('job_lease').set({ holder: 'crashed-process', lease_until: addMinutes(now, 5) }).where('name', '=', SWEEP_LEASE).execute()
    expect((await runSweep(t.dbHandle.db, { now, holder: 'process-c' })).ran).toBe(false)
    expect((await runSweep(t.dbHandle.db, { now: addMinutes(now, 6), holder: 'process-c' })).ran).toBe(true)
    const lease = await t.dbHandle.db.selectFrom('job_lease').selectAll().where('name', '=', SWEEP_LEASE).executeTakeFirstOrThrow()
    expect(lease).toMatchObject({ holder: 'process-c', lease_until: null })
    expect(lease.last_run_at).not.toBeNull()
  })

  it('closes resolved cases nobody touched and deletes photos no submit claimed', async () => {
    const id = await newCase('自动关闭')
    await ok(c.communityWorkerA, id, 'accept')
    await ok(c.communityWorkerA, id, 'resolve', { note: '已处理' })
    const resolvedAt = (await row(id)).resolved_at!
    await runSweep(t.dbHandle.db, { now: addMinutes(resolvedAt, 14 * 1440) })
    expect((await row(id)).status).toBe('resolved')
    await runSweep(t.dbHandle.db, { now: addMinutes(resolvedAt, 16 * 1440) })
    expect((await row(id)).status).toBe('closed')

    const up = await t.anon.request('POST', '/api/public/uploads', jpegWithExif(), { 'content-type': 'image/jpeg' })
    const upload = await t.dbHandle.db.selectFrom('request_upload').selectAll().orderBy('id', 'desc').executeTakeFirstOrThrow()
    const file = path.join(dataDir, 'uploads', upload.stored_name)
    expect(fs.existsSync(file)).toBe(true)
    const report = await runSweep(t.dbHandle.db, { now: addMinutes(up.body.expiresAt, 1), uploadsDir: path.join(dataDir, 'uploads') })
    expect(report.uploadsDeleted).toBeGreaterThanOrEqual(1)
    expect(fs.existsSync(file)).toBe(false)
    expect(await t.dbHandle.db.selectFrom('request_upload').select('id').where('id', '=', upload.id).execute()).toEqual([])
  })
})

describe.each(dialects)('notification outbox on %s', (dialect) => {
  let t: TestApp
  let c: Awaited<ReturnType<typeof requestCounty>>
  let dataDir: string
  let server: http.Server
  let url: string
  const received: { id: number; key: string; body: any }[] = []
  let failNext = 0

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chorus-outbox-'))
    t = await buildTestApp(dialect, { dataDir })
    c = await requestCounty(t)
    // The SMS / WeChat gateway, simulated on this machine.
    server = http.createServer((req, res) => {
      let data = ''
      req.on('data', (chunk) => { data += String(chunk) })
      req.on('end', () => {
        if (failNext > 0) {
          failNext--
          res.writeHead(503).end('busy')
          return
        }
        const body = JSON.parse(data)
        received.push({ id: body.id, key: String(req.headers['idempotency-key']), body })
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}')
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/notify`
  })
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve))
    await t?.close()
    fs.rmSync(dataDir, { recursive: true, force: true })
  })

  const outbox = () => t.dbHandle.db.selectFrom('outbox').selectAll().orderBy('id').execute()

  it('posts every notification to the gateway, retries failures with backoff, and gives up after the last attempt', async () => {
    await submitPublicRequest(t, { locationCode: c.compoundA.code, itemId: c.items.repair.id, description: '通知' })
    const pending = await outbox()
    expect(pending.length).toBeGreaterThan(0)
    expect(pending.every((m) => m.status === 'pending')).toBe(true)
    const now = addMinutes(new Date().toISOString(), 1)
    failNext = 1
    const first = await deliverOutbox(t.dbHandle.db, { webhookUrl: url, holder: 'p1', now, backoffMs: 30_000 })
    expect(first).toMatchObject({ claimed: pending.length, retried: 1, sent: pending.length - 1 })
    const retrying = (await outbox()).find((m) => m.status === 'pending')!
    expect(retrying).toMatchObject({ attempts: 1, last_error: 'gateway answered 503' })
    expect(Date.parse(retrying.next_attempt_at)).toBe(Date.parse(now) + 30_000)
    // Not due yet: nothing happens; after the backoff it goes out.
    expect((await deliverOutbox(t.dbHandle.db, { webhookUrl: url, holder: 'p1', now })).claimed).toBe(0)
    const later = await deliverOutbox(t.dbHandle.db, { webhookUrl: url, holder: 'p1', now: addMinutes(now, 1) })
    expect(later.sent).toBe(1)
    expect((await outbox()).every((m) => m.status === 'sent')).toBe(true)
    expect(received.map((r) => r.id).sort((a, b) => a - b)).toEqual(pending.map((m) => m.id))
    expect(received.every((r) => r.key === `outbox-${r.id}` && typeof r.body.payload.accountId === 'number' && r.body.payload.kind)).toBe(true)

    await submitPublicRequest(t, { locationCode: c.compoundA.code, itemId: c.items.repair.id, description: '网关一直失败' })
    failNext = 1000
    let at = addMinutes(now, 2)
    for (let i = 0; i < 3; i++) {
      await deliverOutbox(t.dbHandle.db, { webhookUrl: url, holder: 'p1', now: at, maxAttempts: 3, backoffMs: 1000 })
      at = addMinutes(at, 10)
    }
    failNext = 0
    const failed = (await outbox()).filter((m) => m.status === 'failed')
    expect(failed.length).toBeGreaterThan(0)
    expect(failed.every((m) => m.attempts === 3)).toBe(true)
  })

  it('delivers each message once when two processes deliver at the same time', async () => {
    received.length = 0
    for (let i = 0; i < 3; i++) await submitPublicRequest(t, { locationCode: c.compoundA.code, itemId: c.items.repair.id, description: `并发通知${i}` })
    const due = (await outbox()).filter((m) => m.status === 'pending')
    expect(due.length).toBeGreaterThanOrEqual(3)
    const now = addMinutes(new Date().toISOString(), 1)
    const [a, b] = await Promise.all([
      deliverOutbox(t.dbHandle.db, { webhookUrl: url, holder: 'p-a', now, batchSize: 2 }),
      deliverOutbox(t.dbHandle.db, { webhookUrl: url, holder: 'p-b', now, batchSize: 2 }),
    ])
    let rest = 0
    for (let i = 0; i < 10; i++) rest += (await deliverOutbox(t.dbHandle.db, { webhookUrl: url, holder: 'p-a', now })).sent
    expect(a.sent + b.sent + rest).toBe(due.length)
    const ids = received.map((r) => r.id)
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids.sort((x, y) => x - y)).toEqual(due.map((m) => m.id))
  })

  it('marks messages skipped when no gateway is configured, and keeps the in-app inbox', async () => {
    await submitPublicRequest(t, { locationCode: c.compoundA.code, itemId: c.items.repair.id, description: '无网关' })
    const report = await deliverOutbox(t.dbHandle.db, { webhookUrl: null, holder: 'p1', now: addMinutes(new Date().toISOString(), 1) })
    expect(report.skipped).toBeGreaterThan(0)
    const inbox = await c.communityWorkerA.get('/api/notifications')
    expect(inbox.body.unread).toBeGreaterThan(0)
    const first = inbox.body.items[0]
    const read = await c.communityWorkerA.post(`/api/notifications/${first.id}/read`)
    expect(read.body.readAt).not.toBeNull()
    expect((await c.communityWorkerB.post(`/api/notifications/${first.id}/read`)).status).toBe(404)
  })
})

describe('background work in a running app', () => {
  it('sweeps on a timer under the lease and stops when the app closes', async () => {
    const saved = process.env.CHORUS_SWEEP_SECONDS
    process.env.CHORUS_SWEEP_SECONDS = '1'
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chorus-bg-'))
    const dbHandle = connect({ databaseUrl: null, sqliteFile: ':memory:' })
    try {
      await migrateToLatest(dbHandle)
      const app = await buildApp({ config: { ...loadConfig({}), dataDir }, dbHandle, pii: new PiiCipher(crypto.randomBytes(32)), logger: false })
      startBackgroundWork(app)
      await app.ready()
      for (let i = 0; i < 40; i++) {
        const lease = await dbHandle.db.selectFrom('job_lease').selectAll().where('name', '=', SWEEP_LEASE).executeTakeFirst()
        if (lease?.last_run_at) break
        await new Promise((r) => setTimeout(r, 100))
      }
      const lease = await dbHandle.db.selectFrom('job_lease').selectAll().where('name', '=', SWEEP_LEASE).executeTakeFirstOrThrow()
      expect(lease.last_run_at).not.toBeNull()
      expect(lease.lease_until).toBeNull()
      await app.close()
    } finally {
      process.env.CHORUS_SWEEP_SECONDS = saved
      await dbHandle.close()
      fs.rmSync(dataDir, { recursive: true, force: true })
    }
  })
})
