import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, dialects, type Client, type TestApp } from '../../../test/support/app.js'
import { jpegWithExif, requestCounty, requestIdOf, submitPublicRequest, userWith } from '../../../test/support/factories.js'
import { rebuildRollups } from './rollup.js'

// Every test below submits from 127.0.0.1; the rate limits have their own test with low limits.
process.env.CHORUS_INTAKE_PER_ADDRESS_HOUR = '100000'
process.env.CHORUS_INTAKE_PER_DEVICE_HOUR = '100000'

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'chorus-requests-'))

type County = Awaited<ReturnType<typeof requestCounty>>

async function detail(client: Client, id: number) {
  const res = await client.get(`/api/requests/${id}`)
  if (res.status !== 200) throw new Error(`detail ${id}: ${res.status} ${res.text}`)
  return res.body
}

/** Takes a step with the version the caller just saw. */
async function step(client: Client, id: number, action: string, body: Record<string, unknown> = {}) {
  const { version } = await detail(client, id)
  return client.post(`/api/requests/${id}/${action}`, { version, ...body })
}

async function ok(client: Client, id: number, action: string, body: Record<string, unknown> = {}) {
  const res = await step(client, id, action, body)
  if (res.status !== 200) throw new Error(`${action} ${id}: ${res.status} ${res.text}`)
  return res.body
}

const count = async (t: TestApp, table: 'request' | 'request_event' | 'request_photo' | 'idempotency_key' | 'audit_log' | 'request_extension') =>
  Number((await t.dbHandle.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)

async function accountId(client: Client): Promise<number> {
  return (await client.get('/api/auth/me')).body.id as number
}

async function upload(t: TestApp, bytes: Buffer, type = 'image/jpeg') {
  return t.anon.request('POST', '/api/public/uploads', bytes, { 'content-type': type, 'x-device-id': 'uploader-device-1' })
}

async function rollupRow(t: TestApp, dim: string, unitId: number) {
  const rows = await t.dbHandle.db.selectFrom('request_rollup').selectAll().where('dim', '=', dim).where('unit_id', '=', unitId).execute()
  const sum: Record<string, number> = {}
  for (const r of rows) for (const [k, v] of Object.entries(r)) if (typeof v === 'number' && !['unit_id', 'county_id'].includes(k)) sum[k] = (sum[k] ?? 0) + v
  return sum
}

describe.each(dialects)('service requests on %s', (dialect) => {
  let t: TestApp
  let c: County
  let dataDir: string

  beforeAll(async () => {
    dataDir = tempDir()
    t = await buildTestApp(dialect, { dataDir })
    c = await requestCounty(t)
  })
  afterAll(async () => {
    await t?.close()
    fs.rmSync(dataDir, { recursive: true, force: true })
  })

  const submitAt = (code: string, extra: Record<string, unknown> = {}) => submitPublicRequest(t, { locationCode: code, itemId: c.items.repair.id, ...extra })

  it('resolves a QR code to its place, breadcrumb and public menu; unknown codes are 404', async () => {
    const res = await t.anon.get(`/api/public/locations/${c.compoundA.code}`)
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ unitId: c.compoundA.id, name: '吉祥苑小区', unitType: 'compound', breadcrumb: ['测试县', '铜城街道', '吉祥苑社区', '第一网格', '吉祥苑小区'] })
    const names = res.body.items.map((i: any) => i.name)
    expect(names).toEqual(expect.arrayContaining(['水电维修', '助老陪诊']))
    expect(names).not.toContain('内部事项')
    const unknown = await t.anon.get('/api/public/locations/NO-SUCH-CODE')
    expect(unknown.status).toBe(404)
    expect(unknown.body.error.code).toBe('location_not_found')
  })

  it('walks the whole loop: photo, submit, accept, dispatch, take over, notes, resolve, not solved → reopen, resolve, rate, close', async () => {
    const up = await upload(t, jpegWithExif())
    expect(up.status).toBe(201)
    const submitted = await submitAt(c.compoundA.code, { photoTokens: [up.body.token], description: '3号楼楼道灯不亮', address: '3号楼2单元' })
    expect(submitted.trackingCode).toMatch(/^[A-Za-z0-9_-]{27}$/)
    // Its first six bytes are the millisecond of the submit (index locality); the other fourteen are random.
    expect(Buffer.from(submitted.trackingCode, 'base64url').readUIntBE(0, 6)).toBe(Date.parse(submitted.submittedAt))
    expect(submitted.trackingUrl).toBe(`/track/${submitted.trackingCode}`)
    expect(submitted).toMatchObject({ status: 'submitted', title: '水电维修', locationName: '吉祥苑小区' })
    expect(submitted.responseDueAt).not.toBeNull()
    const id = await requestIdOf(t, submitted.trackingCode)

    // Stored as the rules say: routed to the community (the item's owner level), phone encrypted and masked.
    const row = await t.dbHandle.db.selectFrom('request').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
    expect(row.handler_unit_id).toBe(c.communityA.id)
    expect(row.first_unit_id).toBe(c.communityA.id)
    expect(row.phone_enc).not.toContain('13800138000')
    expect(t.pii.decrypt(row.phone_enc as string)).toBe('13800138000')
    expect(row.phone_masked).toBe('138****8000')

    const track = await t.anon.get(`/api/public/requests/${submitted.trackingCode}`)
    expect(track.status).toBe(200)
    expect(track.body).toMatchObject({ status: 'submitted', phoneMasked: '138****8000', canRate: false, handlerName: '吉祥苑社区' })
    expect(track.body.photos).toHaveLength(1)
    const photo = await t.anon.get(track.body.photos[0].url)
    expect(photo.status).toBe(200)
    expect(photo.headers['content-type']).toBe('image/jpeg')
    expect(photo.text).not.toContain('GPS')

    // The community signs for it and dispatches it to the grid, which takes it over.
    const inbox = await c.communityWorkerA.get('/api/requests?box=unit')
    expect(inbox.body.items.map((r: any) => r.id)).toContain(id)
    let d = await detail(c.communityWorkerA, id)
    expect(d.allowedActions).toEqual(expect.arrayContaining(['accept', 'transfer', 'return']))
    expect(d.allowedActions).not.toContain('resolve')
    await ok(c.communityWorkerA, id, 'accept', { note: '已签收' })
    d = await ok(c.communityWorkerA, id, 'dispatch', { toUnitId: c.gridA.id, note: '请网格员上门' })
    expect(d).toMatchObject({ status: 'dispatched', pendingUnitId: c.gridA.id, handlerUnitId: c.communityA.id, pendingKind: 'dispatch' })
    const gridInbox = await c.gridWorkerA.get('/api/requests?box=unit')
    expect(gridInbox.body.items.map((r: any) => r.id)).toContain(id)
    d = await ok(c.gridWorkerA, id, 'accept')
    expect(d).toMatchObject({ status: 'accepted', handlerUnitId: c.gridA.id, pendingUnitId: null, dispatcherUnitId: c.communityA.id })
    await ok(c.gridWorkerA, id, 'start')
    await c.gridWorkerA.post(`/api/requests/${id}/notes`, { text: '已联系居民,明天上午上门', visibility: 'public' })
    await c.gridWorkerA.post(`/api/requests/${id}/notes`, { text: '该居民多次反映,注意沟通方式', visibility: 'internal' })

    const seen = await t.anon.get(`/api/public/requests/${submitted.trackingCode}`)
    const notes = seen.body.timeline.map((e: any) => e.note)
    expect(notes).toContain('已联系居民,明天上午上门')
    expect(notes).not.toContain('该居民多次反映,注意沟通方式')
    expect(JSON.stringify(seen.body)).not.toContain('gridWorker')

    // Resolved; the resident says it is not solved, so it reopens; resolved again and rated.
    d = await ok(c.gridWorkerA, id, 'resolve', { note: '已更换灯泡' })
    expect(d).toMatchObject({ status: 'resolved', isOpen: false })
    expect(d.workingMinutes).toBeGreaterThanOrEqual(0)
    const notSolved = await t.anon.post(`/api/public/requests/${submitted.trackingCode}/rating`, { contacted: true, solved: false, satisfaction: 'dissatisfied', comment: '灯还是不亮' })
    expect(notSolved.status).toBe(200)
    expect(notSolved.body).toMatchObject({ status: 'in_progress', canRate: false })
    d = await detail(c.gridWorkerA, id)
    expect(d).toMatchObject({ status: 'in_progress', reopenCount: 1, isOpen: true, resolvedAt: null })
    const tooEarly = await t.anon.post(`/api/public/requests/${submitted.trackingCode}/rating`, { contacted: true, solved: true, satisfaction: 'satisfied' })
    expect(tooEarly.status).toBe(409)
    expect(tooEarly.body.error.code).toBe('not_resolved_yet')
    await ok(c.gridWorkerA, id, 'resolve', { note: '更换了整条线路' })
    const rated = await t.anon.post(`/api/public/requests/${submitted.trackingCode}/rating`, { contacted: true, solved: true, satisfaction: 'satisfied', comment: '谢谢' })
    expect(rated.status).toBe(200)
    expect(rated.body).toMatchObject({ status: 'rated', canRate: false, rating: { solved: true, satisfaction: 'satisfied' } })
    const twice = await t.anon.post(`/api/public/requests/${submitted.trackingCode}/rating`, { contacted: true, solved: true, satisfaction: 'satisfied' })
    expect(twice.status).toBe(409)
    expect(twice.body.error.code).toBe('already_rated')
    d = await ok(c.communityWorkerA, id, 'close')
    expect(d.status).toBe('closed')

    const kinds = d.timeline.map((e: any) => e.kind)
    expect(kinds).toEqual(['submitted', 'routed', 'accepted', 'dispatched', 'handoff_accepted', 'started', 'note', 'note', 'resolved', 'rated', 'reopened', 'resolved', 'rated', 'closed'])
    expect(d.timeline.find((e: any) => e.kind === 'accepted').actorName).toBeTruthy()

    const area = await rollupRow(t, 'area', c.communityA.id)
    expect(area).toMatchObject({ submitted: 1, counted: 1, responded: 1, resolved: 1, rated: 1, satisfied: 1, solved: 1, reopened: 1, open: 0 })
    const handler = await rollupRow(t, 'handler', c.gridA.id)
    expect(handler.resolved).toBe(1)
    expect((await rollupRow(t, 'handler', c.communityA.id)).resolved).toBe(1)
  })

  it('refuses bad submissions with stable codes and writes nothing', async () => {
    const before = { requests: await count(t, 'request'), events: await count(t, 'request_event'), photos: await count(t, 'request_photo') }
    const up = await upload(t, jpegWithExif())
    const cases: [Record<string, unknown>, number, string][] = [
      [{ itemId: 999999 }, 400, 'unknown_item'],
      [{ itemId: c.items.internal.id }, 400, 'unknown_item'],
      [{ locationCode: 'NO-SUCH-PLACE' }, 400, 'unknown_location'],
      [{ phone: '12345' }, 400, 'invalid_phone'],
      [{ itemId: c.items.elderly.id, phone: undefined }, 400, 'anonymous_not_allowed'],
      [{ itemId: undefined, title: '噪音扰民', phone: undefined }, 400, 'anonymous_not_allowed'],
      [{ anonymous: true }, 400, 'validation_failed'],
      [{ photoTokens: [up.body.token, 'x'.repeat(32)] }, 400, 'unknown_upload'],
      [{ photoTokens: Array.from({ length: 6 }, (_, i) => `token-${i}-${'y'.repeat(20)}`) }, 400, 'validation_failed'],
      [{ description: '' }, 400, 'validation_failed'],
      [{ surprise: 1 }, 400, 'validation_failed'],
    ]
    for (const [patch, status, code] of cases) {
      const body = { locationCode: c.compoundA.code, itemId: c.items.repair.id, description: '描述', phone: '13800138000', ...patch }
      const res = await t.anon.post('/api/public/requests', JSON.parse(JSON.stringify(body)), { 'x-device-id': 'bad-input-device' })
      expect(res.status, JSON.stringify(patch)).toBe(status)
      expect(res.body.error.code, JSON.stringify(patch)).toBe(code)
    }
    const huge = await t.anon.request('POST', '/api/public/requests', JSON.stringify({ locationCode: c.compoundA.code, description: 'x'.repeat(2_000_000) }), { 'content-type': 'application/json' })
    expect(huge.status).toBe(413)
    expect(huge.body.error.code).toBe('payload_too_large')
    expect({ requests: await count(t, 'request'), events: await count(t, 'request_event'), photos: await count(t, 'request_photo') }).toEqual(before)
    // The photo that went with the failed submit is still unclaimed, so it can be used by the next one.
    const retry = await submitAt(c.compoundA.code, { photoTokens: [up.body.token] })
    expect((await t.anon.get(`/api/public/requests/${retry.trackingCode}`)).body.photos).toHaveLength(1)
  })

  it('answers a retried submit with the first result, also when the two race; another body under the same key is refused', async () => {
    const key = `retry-${dialect}-0001`
    const body = { locationCode: c.compoundA.code, itemId: c.items.repair.id, description: '下水道堵塞', phone: '13900139000' }
    const first = await t.anon.post('/api/public/requests', body, { 'idempotency-key': key, 'x-device-id': 'retry-device-1' })
    const again = await t.anon.post('/api/public/requests', body, { 'idempotency-key': key, 'x-device-id': 'retry-device-1' })
    expect(first.status).toBe(201)
    expect(again.status).toBe(201)
    expect(again.headers['idempotent-replayed']).toBe('true')
    expect(again.body).toEqual(first.body)
    const other = await t.anon.post('/api/public/requests', { ...body, description: '别的事' }, { 'idempotency-key': key })
    expect(other.status).toBe(422)
    expect(other.body.error.code).toBe('idempotency_key_reused')
    // The retry is compared with the first submit field by field: any other field differing is refused too;
    // the same phone written another way is the same submit.
    const differing: Record<string, unknown>[] = [
      { phone: '13900139001' }, { phone: undefined, anonymous: true }, { itemId: c.items.elderly.id }, { locationCode: c.compoundB.code },
      { title: '标题' }, { address: '3 号楼' }, { contactName: '王女士' },
    ]
    for (const change of differing) {
      const refused = await t.anon.post('/api/public/requests', { ...body, ...change }, { 'idempotency-key': key })
      expect([change, refused.body.error?.code]).toEqual([change, 'idempotency_key_reused'])
    }
    const formatted = await t.anon.post('/api/public/requests', { ...body, phone: '+86 139-0013-9000' }, { 'idempotency-key': key })
    expect(formatted.headers['idempotent-replayed']).toBe('true')
    expect(formatted.body).toEqual(first.body)
    const badKey = await t.anon.post('/api/public/requests', body, { 'idempotency-key': 'no spaces allowed' })
    expect(badKey.status).toBe(400)
    expect(badKey.body.error.code).toBe('invalid_idempotency_key')

    const before = await count(t, 'request')
    const raceKey = `race-${dialect}-0002`
    const [a, b] = await Promise.all([0, 1].map(() => t.anon.post('/api/public/requests', { ...body, description: '同时提交' }, { 'idempotency-key': raceKey })))
    expect(a!.status).toBe(201)
    expect(b!.status).toBe(201)
    expect(a!.body.trackingCode).toBe(b!.body.trackingCode)
    expect(await count(t, 'request')).toBe(before + 1)
  })

  it('has written an acknowledged request before answering 201', async () => {
    const submitted = await submitAt(c.compoundA.code, { description: '持久性检查' })
    if (dialect === 'postgres') {
      // Another connection sees only committed data.
      const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL, options: `-c search_path=${t.dbHandle.schema}` })
      await client.connect()
      const res = await client.query('select status from request where tracking_code = $1', [submitted.trackingCode])
      await client.end()
      expect(res.rows).toEqual([{ status: 'submitted' }])
    } else {
      expect(t.dbHandle.sqlite!.inTransaction).toBe(false)
      const row = t.dbHandle.sqlite!.prepare('select status from request where tracking_code = ?').get(submitted.trackingCode)
      expect(row).toEqual({ status: 'submitted' })
    }
  })

  it('lets staff record calls, walk-ins and patrols on a resident\'s behalf, inside their own area only', async () => {
    const res = await c.communityWorkerA.post('/api/requests', {
      source: 'hotline', locationUnitId: c.compoundA.id, itemId: c.items.internal.id, description: '电话反映:小区门口积水', phone: '13700137000', contactName: '王阿姨',
    })
    expect(res.status).toBe(201)
    const workerId = await accountId(c.communityWorkerA)
    expect(res.body).toMatchObject({ source: 'hotline', recordedBy: workerId, phoneMasked: '137****7000', contactName: '王阿姨', status: 'submitted' })
    const recorded = res.body.timeline.find((e: any) => e.kind === 'recorded')
    expect(recorded.actorId).toBe(workerId)
    expect(recorded.note).toContain('hotline')
    const audit = await t.dbHandle.db.selectFrom('audit_log').selectAll().where('action', '=', 'requests.intake').where('entity_id', '=', String(res.body.id)).execute()
    expect(audit).toHaveLength(1)

    const elsewhere = await c.communityWorkerA.post('/api/requests', { source: 'walk_in', locationUnitId: c.compoundB.id, description: '不是我的辖区', phone: '13700137000' })
    expect(elsewhere.status).toBe(403)
    const patrol = await c.gridWorkerB.post('/api/requests', { source: 'patrol', locationUnitId: c.compoundB.id, itemId: c.items.repair.id, description: '巡查发现路灯损坏', anonymous: true })
    expect(patrol.status).toBe(201)
    expect(patrol.body.anonymous).toBe(true)
    const anon = await t.anon.post('/api/requests', { source: 'patrol', locationUnitId: c.compoundB.id, description: 'x' })
    expect(anon.status).toBe(401)
  })

  it('never shows a grid worker of one community another community\'s cases (list, detail, photo, actions)', async () => {
    const up = await upload(t, jpegWithExif())
    const other = await submitAt(c.compoundB.code, { description: '洛神湖的事', photoTokens: [up.body.token] })
    const id = await requestIdOf(t, other.trackingCode)
    const photoId = (await detail(c.communityWorkerB, id)).photos[0].id
    for (const outsider of [c.gridWorkerA, c.communityWorkerA]) {
      for (const box of ['mine', 'unit', 'overdue', 'all']) {
        const list = await outsider.get(`/api/requests?box=${box}&status=submitted`)
        expect(list.status).toBe(200)
        expect(list.body.items.map((r: any) => r.id)).not.toContain(id)
      }
      expect((await outsider.get(`/api/requests/${id}`)).status).toBe(404)
      expect((await outsider.get(`/api/requests/${id}/photos/${photoId}`)).status).toBe(404)
      const act = await outsider.post(`/api/requests/${id}/accept`, { version: 1 })
      expect(act.status).toBe(404)
      expect((await outsider.post(`/api/requests/${id}/notes`, { text: 'x', visibility: 'internal' })).status).toBe(404)
    }
    expect((await c.gridWorkerB.get(`/api/requests?box=all`)).body.items.map((r: any) => r.id)).toContain(id)
    expect((await c.gridWorkerB.get(`/api/requests/${id}/photos/${photoId}`)).status).toBe(200)
    expect((await detail(c.communityWorkerB, id)).status).toBe('submitted')

    // A grid worker sees the cases located in its grid but may not act for the community that holds them.
    const mine = await submitAt(c.compoundA.code, { description: '网格可见' })
    const mineId = await requestIdOf(t, mine.trackingCode)
    expect((await detail(c.gridWorkerA, mineId)).allowedActions).not.toContain('accept')
    const forbidden = await step(c.gridWorkerA, mineId, 'accept')
    expect(forbidden.status).toBe(403)
    expect(forbidden.body.error.code).toBe('forbidden')
  })

  it('refuses transitions the state machine forbids and stale versions, changing nothing; two workers at once cannot both win', async () => {
    const s = await submitAt(c.compoundA.code, { description: '状态机' })
    const id = await requestIdOf(t, s.trackingCode)
    const before = await detail(c.communityWorkerA, id)
    const events = await count(t, 'request_event')
    for (const action of ['resolve', 'start', 'close', 'pause']) {
      const res = await step(c.communityWorkerA, id, action, action === 'resolve' ? { note: 'x' } : action === 'pause' ? { reason: 'x' } : {})
      expect(res.status, action).toBe(409)
      expect(res.body.error.code, action).toBe('invalid_transition')
    }
    const reopen = await step(c.communityWorkerA, id, 'reopen', { reason: 'x' })
    expect(reopen.body.error.code).toBe('invalid_transition')
    const stale = await c.communityWorkerA.post(`/api/requests/${id}/accept`, { version: before.version + 5 })
    expect(stale.status).toBe(409)
    expect(stale.body.error.code).toBe('version_conflict')
    const after = await detail(c.communityWorkerA, id)
    expect({ status: after.status, version: after.version }).toEqual({ status: before.status, version: before.version })
    expect(await count(t, 'request_event')).toBe(events)

    const second = await userWith(t, 'community_worker', c.communityA.id)
    const [a, b] = await Promise.all([c.communityWorkerA, second].map((w) => w.post(`/api/requests/${id}/accept`, { version: before.version })))
    expect([a!.status, b!.status].sort()).toEqual([200, 409])
    expect([a!.body.error?.code, b!.body.error?.code].filter(Boolean)).toEqual(['version_conflict'])
    expect((await detail(c.communityWorkerA, id)).version).toBe(before.version + 1)
  })

  it('transfers with first-receiver responsibility, returns (退单) to the sender or up the tree', async () => {
    const s = await submitAt(c.compoundA.code, { description: '需要住建局处理' })
    const id = await requestIdOf(t, s.trackingCode)
    let d = await ok(c.communityWorkerA, id, 'transfer', { toUnitId: c.agency.id, reason: '属于住建局职责' })
    expect(d).toMatchObject({ status: 'dispatched', handlerUnitId: c.communityA.id, pendingUnitId: c.agency.id, pendingKind: 'transfer' })
    expect((await c.agencyStaff.get('/api/requests?box=unit')).body.items.map((r: any) => r.id)).toContain(id)
    // Until the agency signs, the community still holds it (首接负责): the agency refuses, it comes back as it was.
    d = await ok(c.agencyStaff, id, 'return', { reason: '不属于本局' })
    expect(d).toMatchObject({ status: 'submitted', handlerUnitId: c.communityA.id, pendingUnitId: null })
    expect(d.acceptedAt).toBeNull()
    await ok(c.communityWorkerA, id, 'transfer', { toUnitId: c.agency.id, reason: '再次转办' })
    d = await ok(c.agencyStaff, id, 'accept')
    expect(d).toMatchObject({ status: 'accepted', handlerUnitId: c.agency.id, dispatcherUnitId: c.communityA.id })
    expect(d.acceptedAt).not.toBeNull()
    d = await ok(c.agencyStaff, id, 'return', { reason: '经核实属社区职责' })
    expect(d).toMatchObject({ status: 'submitted', handlerUnitId: c.communityA.id, dispatcherUnitId: null })

    // Routed straight to the community (nobody dispatched it there): a return goes one level up.
    d = await ok(c.communityWorkerA, id, 'return', { reason: '请街道协调' })
    expect(d.handlerUnitId).toBe(c.subdistrict.id)
    const cross = await step(c.townAdmin, id, 'transfer', { toUnitId: 999999, reason: 'x' })
    expect(cross.status).toBe(404)
    const same = await step(c.townAdmin, id, 'transfer', { toUnitId: c.subdistrict.id, reason: 'x' })
    expect(same.body.error.code).toBe('invalid_target_unit')
  })

  it('handles co-units (协办): resolution waits until every co-unit has finished', async () => {
    const s = await submitAt(c.compoundA.code, { description: '需要多部门' })
    const id = await requestIdOf(t, s.trackingCode)
    await ok(c.communityWorkerA, id, 'accept')
    let d = await ok(c.communityWorkerA, id, 'co-units', { unitIds: [c.agency.id] })
    expect(d.coUnits).toEqual(expect.arrayContaining([expect.objectContaining({ unitId: c.agency.id, role: 'co', status: 'pending' })]))
    expect((await detail(c.agencyStaff, id)).allowedActions).toContain('co_done')
    const early = await step(c.communityWorkerA, id, 'resolve', { note: '完成' })
    expect(early.status).toBe(409)
    expect(early.body.error.code).toBe('co_units_pending')
    const notMine = await c.communityWorkerA.post(`/api/requests/${id}/co-units/${c.agency.id}/done`, { note: 'x' })
    expect(notMine.status).toBe(403)
    const done = await c.agencyStaff.post(`/api/requests/${id}/co-units/${c.agency.id}/done`, { note: '已完成管道检修' })
    expect(done.status).toBe(200)
    d = await ok(c.communityWorkerA, id, 'resolve', { note: '完成' })
    expect(d.status).toBe('resolved')
  })

  it('asks for extensions before the deadline only; a supervisor decides; not one\'s own', async () => {
    const s = await submitAt(c.compoundA.code, { description: '需要延期' })
    const id = await requestIdOf(t, s.trackingCode)
    await ok(c.communityWorkerA, id, 'accept')
    const before = await detail(c.communityWorkerA, id)
    let d = await ok(c.communityWorkerA, id, 'extensions', { extra: { amount: 3, unit: 'working_days' }, reason: '需等待配件' })
    expect(d.extensions).toHaveLength(1)
    const twice = await step(c.communityWorkerA, id, 'extensions', { extra: { amount: 1, unit: 'working_days' }, reason: 'again' })
    expect(twice.body.error.code).toBe('extension_pending')
    const extensionId = d.extensions[0].id
    expect((await c.communityWorkerA.post(`/api/requests/${id}/extensions/${extensionId}/decision`, { approve: true })).status).toBe(403)
    d = (await c.townAdmin.post(`/api/requests/${id}/extensions/${extensionId}/decision`, { approve: true, note: '同意' })).body
    expect(d.extensions[0].status).toBe('approved')
    expect(Date.parse(d.resolutionDueAt)).toBeGreaterThan(Date.parse(before.resolutionDueAt))
    expect(d.clock.extensions).toEqual([{ amount: 3, unit: 'working_days' }])
    const again = await c.townAdmin.post(`/api/requests/${id}/extensions/${extensionId}/decision`, { approve: false })
    expect(again.body.error.code).toBe('extension_decided')

    // After the deadline it is too late, and nothing is written.
    await t.dbHandle.db.updateTable('request').set({ resolution_due_at: new Date(Date.now() - 60_000).toISOString() }).where('id', '=', id).execute()
    const extensions = await count(t, 'request_extension')
    const late = await step(c.communityWorkerA, id, 'extensions', { extra: { amount: 1, unit: 'working_days' }, reason: '来不及了' })
    expect(late.status).toBe(409)
    expect(late.body.error.code).toBe('extension_too_late')
    expect(await count(t, 'request_extension')).toBe(extensions)

    const own = await submitAt(c.compoundA.code, { description: '街道自己办' })
    const ownId = await requestIdOf(t, own.trackingCode)
    await ok(c.communityWorkerA, ownId, 'return', { reason: '上交街道' })
    await ok(c.townAdmin, ownId, 'accept')
    d = await ok(c.townAdmin, ownId, 'extensions', { extra: { amount: 4, unit: 'hours' }, reason: '自己申请' })
    const self = await c.townAdmin.post(`/api/requests/${ownId}/extensions/${d.extensions[0].id}/decision`, { approve: true })
    expect(self.status).toBe(403)
  })

  it('pauses the clock while waiting for the resident and resumes it', async () => {
    const s = await submitAt(c.compoundA.code, { description: '等居民回复' })
    const id = await requestIdOf(t, s.trackingCode)
    await ok(c.communityWorkerA, id, 'accept')
    let d = await ok(c.communityWorkerA, id, 'pause', { reason: '请居民提供门牌号' })
    expect(d.paused).toBe(true)
    expect(d.clock.pauses).toEqual([{ from: expect.any(String), to: null }])
    const resident = await t.anon.get(`/api/public/requests/${s.trackingCode}`)
    expect(resident.body.paused).toBe(true)
    expect(resident.body.timeline.map((e: any) => e.note)).toContain('请居民提供门牌号')
    expect((await step(c.communityWorkerA, id, 'pause', { reason: 'again' })).body.error.code).toBe('invalid_transition')
    d = await ok(c.communityWorkerA, id, 'resume')
    expect(d.paused).toBe(false)
    expect(d.clock.pauses[0].to).not.toBeNull()
    expect(Date.parse(d.resolutionDueAt)).toBeGreaterThanOrEqual(Date.parse(d.clock.resolutionStart))
  })

  it('merges duplicates into the surviving case', async () => {
    const a = await requestIdOf(t, (await submitAt(c.compoundA.code, { description: '重复一' })).trackingCode)
    const b = await requestIdOf(t, (await submitAt(c.compoundA.code, { description: '重复二' })).trackingCode)
    const areaBefore = await rollupRow(t, 'area', c.compoundA.id)
    const self = await step(c.communityWorkerA, b, 'merge', { intoId: b })
    expect(self.body.error.code).toBe('invalid_merge_target')
    const d = await ok(c.communityWorkerA, b, 'merge', { intoId: a })
    expect(d).toMatchObject({ status: 'merged', mergedIntoId: a, isOpen: false })
    expect((await detail(c.communityWorkerA, a)).timeline.map((e: any) => e.kind)).toContain('merged_from')
    const areaAfter = await rollupRow(t, 'area', c.compoundA.id)
    expect(areaAfter.counted).toBe(areaBefore.counted! - 1)
    expect(areaAfter.submitted).toBe(areaBefore.submitted)
    expect(areaAfter.open).toBe(areaBefore.open! - 1)
  })

  it('records staff callbacks (回访) after resolution; "not solved" reopens; callbacks may be repeated', async () => {
    const s = await submitAt(c.compoundA.code, { description: '回访' })
    const id = await requestIdOf(t, s.trackingCode)
    const early = await c.communityWorkerA.post(`/api/requests/${id}/callbacks`, { contacted: true, solved: true, satisfaction: 'satisfied' })
    expect(early.body.error.code).toBe('not_resolved_yet')
    await ok(c.communityWorkerA, id, 'accept')
    await ok(c.communityWorkerA, id, 'resolve', { note: '已处理' })
    let d = (await c.communityWorkerA.post(`/api/requests/${id}/callbacks`, { contacted: true, solved: true, satisfaction: 'basically_satisfied' })).body
    expect(d).toMatchObject({ status: 'rated', ratingSatisfaction: 'basically_satisfied' })
    d = (await c.communityWorkerA.post(`/api/requests/${id}/callbacks`, { contacted: true, solved: true, satisfaction: 'satisfied', comment: '再次回访' })).body
    expect(d.ratingSatisfaction).toBe('satisfied')
    expect(d.ratings.map((r: any) => r.source)).toEqual(['callback', 'callback'])
    d = (await c.communityWorkerA.post(`/api/requests/${id}/callbacks`, { contacted: false, solved: false, satisfaction: 'dissatisfied' })).body
    expect(d).toMatchObject({ status: 'in_progress', reopenCount: 1 })
  })

  it('takes appeals (免考核申诉) to the county; approved cases leave the rates but stay visible and audited', async () => {
    const s = await submitAt(c.compoundA.code, { description: '恶意诉求' })
    const id = await requestIdOf(t, s.trackingCode)
    const counted = (await rollupRow(t, 'area', c.communityA.id)).counted!
    let d = (await c.communityWorkerA.post(`/api/requests/${id}/appeals`, { kind: 'malicious', reason: '同一人一天内重复投诉二十次' })).body
    expect(d.appeals).toHaveLength(1)
    const appealId = d.appeals[0].id
    expect((await c.communityWorkerA.post(`/api/requests/${id}/appeals`, { kind: 'duplicate', reason: 'x' })).body.error.code).toBe('appeal_pending')
    expect((await c.communityWorkerA.post(`/api/requests/${id}/appeals/${appealId}/decision`, { approve: true })).status).toBe(403)
    // The sub-district supervises, but appeals are the county's to decide.
    expect((await c.townAdmin.post(`/api/requests/${id}/appeals/${appealId}/decision`, { approve: true })).status).toBe(403)
    const pending = await c.countyAdmin.get('/api/request-appeals?status=pending')
    expect(pending.body.items.map((a: any) => a.id)).toContain(appealId)
    d = (await c.countyAdmin.post(`/api/requests/${id}/appeals/${appealId}/decision`, { approve: true, note: '情况属实' })).body
    expect(d).toMatchObject({ excluded: true })
    expect(d.appeals[0]).toMatchObject({ status: 'approved', decisionNote: '情况属实' })
    expect((await rollupRow(t, 'area', c.communityA.id)).counted).toBe(counted - 1)
    expect((await c.communityWorkerA.get('/api/requests?box=all')).body.items.map((r: any) => r.id)).toContain(id)
    const audit = await t.dbHandle.db.selectFrom('audit_log').select(['action', 'reason']).where('entity_type', '=', 'request').where('entity_id', '=', String(id)).execute()
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['requests.appeal', 'requests.appeal_approved']))
  })

  it('assigns new cases inside a unit by round-robin or least open load, as the unit chooses', async () => {
    const unit = await userWith(t, 'community_worker', c.communityA.id)
    const forbidden = await c.gridWorkerA.put(`/api/units/${c.communityA.id}/assignment-policy`, { policy: 'round_robin' })
    expect(forbidden.status).toBe(403)
    expect((await c.communityWorkerB.put(`/api/units/${c.communityA.id}/assignment-policy`, { policy: 'round_robin' })).status).toBe(403)
    const set = await unit.put(`/api/units/${c.communityA.id}/assignment-policy`, { policy: 'round_robin' })
    expect(set.status).toBe(200)
    const workers = set.body.workers.map((w: any) => w.accountId)
    expect(workers.length).toBeGreaterThanOrEqual(3)
    const assignees: number[] = []
    for (let i = 0; i < workers.length * 2; i++) {
      const id = await requestIdOf(t, (await submitAt(c.compoundA.code, { description: `轮派${i}` })).trackingCode)
      assignees.push((await detail(unit, id)).assigneeId)
    }
    // Every worker in turn, twice.
    expect(assignees.slice(0, workers.length).sort()).toEqual([...workers].sort())
    expect(assignees.slice(workers.length)).toEqual(assignees.slice(0, workers.length))

    await unit.put(`/api/units/${c.communityA.id}/assignment-policy`, { policy: 'least_load' })
    const view = (await unit.get(`/api/units/${c.communityA.id}/assignment-policy`)).body
    const lightest = [...view.workers].sort((a: any, b: any) => a.openCases - b.openCases || a.accountId - b.accountId)[0].accountId
    const next = await requestIdOf(t, (await submitAt(c.compoundA.code, { description: '最少负载' })).trackingCode)
    expect((await detail(unit, next)).assigneeId).toBe(lightest)
    const unitId = await accountId(unit)
    const mine = await unit.get('/api/requests?box=mine')
    expect(mine.body.total).toBeGreaterThan(0)
    expect(mine.body.items.every((r: any) => r.assigneeId === unitId)).toBe(true)
    await unit.put(`/api/units/${c.communityA.id}/assignment-policy`, { policy: 'manual' })
  })

  it('lists a worker\'s own open cases sorted by due time, with filters and paging', async () => {
    const me = await accountId(c.gridWorkerA)
    const ids: number[] = []
    for (const item of [c.items.repair.id, c.items.elderly.id]) {
      const id = await requestIdOf(t, (await submitAt(c.compoundA.code, { itemId: item, description: '我的案件' })).trackingCode)
      await ok(c.communityWorkerA, id, 'accept')
      await ok(c.communityWorkerA, id, 'assign', { assigneeId: me })
      ids.push(id)
    }
    const mine = await c.gridWorkerA.get('/api/requests?box=mine')
    expect(mine.status).toBe(200)
    const got = mine.body.items.map((r: any) => r.id)
    expect(got).toEqual(expect.arrayContaining(ids))
    const dues = mine.body.items.map((r: any) => Date.parse(r.resolutionDueAt))
    expect(dues).toEqual([...dues].sort((a, b) => a - b))
    // The urgent item (24 h) is due before the general one (7 working days).
    expect(got.indexOf(ids[1])).toBeLessThan(got.indexOf(ids[0]))
    const urgent = await c.gridWorkerA.get('/api/requests?box=mine&priority=urgent')
    expect(urgent.body.items.map((r: any) => r.id)).toEqual([ids[1]])
    const paged = await c.gridWorkerA.get('/api/requests?box=mine&pageSize=1&page=2')
    expect(paged.body.items).toHaveLength(1)
    expect(paged.body.total).toBe(mine.body.total)
    const notAssignable = await step(c.communityWorkerA, ids[0]!, 'assign', { assigneeId: await accountId(c.gridWorkerB) })
    expect(notAssignable.body.error.code).toBe('assignee_not_in_unit')
    expect((await c.gridWorkerA.get('/api/notifications?unread=true')).body.items.map((n: any) => n.kind)).toContain('assigned')
  })

  it('keeps response templates per unit and reveals a phone only with a reason, audited', async () => {
    const created = await c.communityWorkerA.post('/api/request-templates', { unitId: c.communityA.id, title: '已派单', body: '您好,您反映的问题已派专人处理。' })
    expect(created.status).toBe(201)
    expect((await c.communityWorkerA.post('/api/request-templates', { unitId: null, title: '全县', body: 'x' })).status).toBe(403)
    expect((await c.communityWorkerB.post('/api/request-templates', { unitId: c.communityA.id, title: 'x', body: 'x' })).status).toBe(403)
    const forGrid = await c.gridWorkerA.get(`/api/request-templates?unitId=${c.gridA.id}`)
    expect(forGrid.body.map((x: any) => x.id)).toContain(created.body.id)
    expect((await c.communityWorkerB.get('/api/request-templates')).body.map((x: any) => x.id)).not.toContain(created.body.id)
    const edited = await c.communityWorkerA.patch(`/api/request-templates/${created.body.id}`, { body: '您好,已派专人上门处理。' })
    expect(edited.body.body).toBe('您好,已派专人上门处理。')

    const s = await submitAt(c.compoundA.code, { description: '查看电话', phone: '13612345678' })
    const id = await requestIdOf(t, s.trackingCode)
    const note = await c.communityWorkerA.post(`/api/requests/${id}/notes`, { text: edited.body.body, visibility: 'public', templateId: created.body.id })
    expect(note.status).toBe(200)
    expect((await detail(c.communityWorkerA, id)).phoneMasked).toBe('136****5678')
    expect((await c.gridWorkerA.post(`/api/requests/${id}/unmask-phone`, { reason: '回访' })).status).toBe(403)
    const shown = await c.communityWorkerA.post(`/api/requests/${id}/unmask-phone`, { reason: '电话回访居民' })
    expect(shown.body).toEqual({ phone: '13612345678' })
    const audit = await t.dbHandle.db.selectFrom('audit_log').selectAll().where('action', '=', 'requests.unmask_phone').where('entity_id', '=', String(id)).execute()
    expect(audit.map((a) => a.reason)).toEqual(['电话回访居民'])
    expect((await c.communityWorkerA.delete(`/api/request-templates/${created.body.id}`)).status).toBe(200)
  })

  it('keeps the rollups equal to a rebuild from the requests', async () => {
    const load = async () => (await t.dbHandle.db.selectFrom('request_rollup').selectAll().where('county_id', '=', c.county.id).where('submitted', '>', 0).orderBy('dim').orderBy('unit_id').orderBy('day').execute())
    const incremental = await load()
    expect(incremental.length).toBeGreaterThan(0)
    await rebuildRollups(t.dbHandle.db, { countyId: c.county.id })
    expect(await load()).toEqual(incremental)
    const res = await c.countyAdmin.post('/api/request-rollups/rebuild', { countyId: c.county.id })
    expect(res.status).toBe(200)
    expect(res.body.requests).toBe(await count(t, 'request'))
    expect((await c.townAdmin.post('/api/request-rollups/rebuild', { countyId: c.county.id })).status).toBe(403)
  })
})

describe.each(dialects)('intake rate limits on %s', (dialect) => {
  let t: TestApp
  let c: County
  let dataDir: string
  let saved: Record<string, string | undefined>
  beforeAll(async () => {
    saved = { a: process.env.CHORUS_INTAKE_PER_ADDRESS_HOUR, d: process.env.CHORUS_INTAKE_PER_DEVICE_HOUR }
    process.env.CHORUS_INTAKE_PER_ADDRESS_HOUR = '4'
    process.env.CHORUS_INTAKE_PER_DEVICE_HOUR = '2'
    dataDir = tempDir()
    t = await buildTestApp(dialect, { dataDir })
    c = await requestCounty(t)
  })
  afterAll(async () => {
    process.env.CHORUS_INTAKE_PER_ADDRESS_HOUR = saved.a
    process.env.CHORUS_INTAKE_PER_DEVICE_HOUR = saved.d
    await t?.close()
    fs.rmSync(dataDir, { recursive: true, force: true })
  })

  it('limits submits per device and per address with a clear message and Retry-After; retries of a key are not counted', async () => {
    const body = { locationCode: c.compoundA.code, itemId: c.items.repair.id, description: '频率', phone: '13800138000' }
    const phone = { 'x-device-id': 'phone-one-123', 'idempotency-key': 'same-key-123' }
    expect((await t.anon.post('/api/public/requests', body, phone)).status).toBe(201)
    expect((await t.anon.post('/api/public/requests', body, phone)).status).toBe(201) // a retry
    expect((await t.anon.post('/api/public/requests', body, { 'x-device-id': 'phone-one-123' })).status).toBe(201)
    const refused = await t.anon.post('/api/public/requests', body, { 'x-device-id': 'phone-one-123', 'accept-language': 'en' })
    expect(refused.status).toBe(429)
    expect(refused.body.error.code).toBe('rate_limited')
    expect(refused.body.error.message).toMatch(/phone; try again in \d+ minute/)
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0)
    expect((await t.anon.post('/api/public/requests', body, { 'x-device-id': 'phone-two-456' })).status).toBe(201)
    expect((await t.anon.post('/api/public/requests', body, { 'x-device-id': 'phone-three-789' })).status).toBe(201)
    const network = await t.anon.post('/api/public/requests', body, { 'x-device-id': 'phone-four-000' })
    expect(network.status).toBe(429)
    expect(network.body.error.details.limit).toBe('address')
    const noDevice = await t.anon.post('/api/public/requests', body)
    expect(String(noDevice.headers['set-cookie'])).toMatch(/chorus_device=/)
  })
})
