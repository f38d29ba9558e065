import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, dialects, type Client, type TestApp } from '../../../test/support/app.js'
import type { KyselyPlugin } from 'kysely'
import { createUnit, requestCounty, submitPublicRequest } from '../../../test/support/factories.js'
import { addMinutes } from '../../lib/time.js'
import { pathIds } from '../../lib/unit-path.js'
import { contribution, followSubtreeMove, rebuildRollups, rollupDeltas, type RollupSource } from './rollup.js'
import { runSweep } from './sweep.js'

process.env.CHORUS_INTAKE_PER_ADDRESS_HOUR = '100000'
process.env.CHORUS_INTAKE_PER_DEVICE_HOUR = '100000'

const base: RollupSource = {
  county_id: 1, location_path: '/1/2/3/', handler_path: '/1/2/', submitted_day: '2026-11-30', status: 'submitted', is_open: 1, excluded: 0,
  accepted_at: null, response_due_at: '2026-11-30T04:00:00.000Z', resolved_at: null, resolution_due_at: '2026-12-09T09:30:00.000Z',
  resolution_overdue: 0, reopen_count: 0, rating_solved: null, rating_satisfaction: null, handling_minutes: null, working_minutes: null,
}

describe('a request\'s contribution to the rollups', () => {
  it('counts a new case as submitted, counted and open', () => {
    expect(contribution(base)).toMatchObject({ submitted: 1, counted: 1, open: 1, responded: 0, resolved: 0 })
  })

  it('counts responses and resolutions on time against their deadlines', () => {
    const done = contribution({
      ...base, status: 'rated', is_open: 0, accepted_at: '2026-11-30T03:00:00.000Z', resolved_at: '2026-12-10T01:00:00.000Z',
      rating_solved: 1, rating_satisfaction: 'basically_satisfied', handling_minutes: 900, working_minutes: 300, reopen_count: 2,
    })
    expect(done).toMatchObject({
      responded: 1, responded_on_time: 1, resolved: 1, resolved_on_time: 0, solved: 1, rated: 1, basically_satisfied: 1, satisfied: 0,
      open: 0, reopened: 1, handling_minutes: 900, working_minutes: 300,
    })
  })

  it('leaves excluded and merged cases out of everything but submitted', () => {
    for (const r of [{ ...base, excluded: 1 }, { ...base, status: 'merged', is_open: 0 }]) {
      const c = contribution({ ...r, accepted_at: '2026-11-30T03:00:00.000Z' })
      expect(c.submitted).toBe(1)
      expect(Object.entries(c).filter(([k, v]) => k !== 'submitted' && v !== 0)).toEqual([])
    }
  })

  it('moves counts between handlers: the old handler\'s ancestors lose what the new one gains', () => {
    const deltas = rollupDeltas(base, { ...base, handler_path: '/1/7/', status: 'accepted', accepted_at: '2026-11-30T03:00:00.000Z' })
    const byKey = Object.fromEntries(deltas.map((d) => [`${d.dim}:${d.unitId}`, d.counters]))
    expect(byKey['handler:2']!.submitted).toBe(-1)
    expect(byKey['handler:7']!).toMatchObject({ submitted: 1, responded: 1 })
    expect(byKey['handler:1']).toMatchObject({ submitted: 0, responded: 1 })
    expect(byKey['area:3']).toMatchObject({ submitted: 0, responded: 1 })
    expect(pathIds('/1/2/3/')).toEqual([1, 2, 3])
  })
})

/** A small deterministic generator, so a failing sequence can be replayed. */
function prng(seed: number) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let x = a
    x = Math.imul(x ^ (x >>> 15), x | 1)
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61)
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
}

describe.each(dialects)('rollups after random operations on %s', (dialect) => {
  let t: TestApp
  let c: Awaited<ReturnType<typeof requestCounty>>
  let dataDir: string
  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chorus-rollup-'))
    t = await buildTestApp(dialect, { dataDir })
    c = await requestCounty(t)
  })
  afterAll(async () => {
    await t?.close()
    fs.rmSync(dataDir, { recursive: true, force: true })
  })

  const snapshot = async () =>
    t.dbHandle.db.selectFrom('request_rollup').selectAll().where('county_id', '=', c.county.id).where('submitted', '!=', 0)
      .orderBy('dim').orderBy('unit_id').orderBy('day').execute()

  it('keeps request_rollup equal to a rebuild from the requests', async () => {
    const random = prng(dialect === 'sqlite' ? 20261130 : 4242)
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T
    const cases: { id: number; code: string }[] = []
    const actors: Client[] = [c.countyAdmin, c.townAdmin, c.communityWorkerA, c.communityWorkerB, c.gridWorkerA, c.agencyStaff]
    const bodyFor = (action: string, others: number[]): Record<string, unknown> | null => {
      switch (action) {
        case 'accept': case 'start': case 'resume': case 'close': return {}
        case 'return': case 'pause': case 'reopen': return { reason: '随机' }
        case 'resolve': return { note: '随机办结' }
        case 'dispatch': return { toUnitId: pick([c.gridA.id, c.gridB.id, c.agency.id, c.communityA.id]) }
        case 'transfer': return { toUnitId: pick([c.agency.id, c.communityB.id, c.subdistrict.id]), reason: '随机转办' }
        case 'merge': return others.length > 0 ? { intoId: pick(others) } : null
        case 'co-units': return { unitIds: [pick([c.agency.id, c.gridB.id])] }
        case 'extensions': return { extra: { amount: pick([1, 2]), unit: pick(['working_days', 'hours']) }, reason: '随机延期' }
        default: return null
      }
    }
    const routeOf: Record<string, string> = { add_co_units: 'co-units', request_extension: 'extensions' }

    // A scripted start, so every kind of change happens at least once; then chance takes over.
    const add = async (code: string) => {
      const s = await submitPublicRequest(t, { locationCode: code, itemId: c.items.repair.id, description: '脚本' })
      const row = await t.dbHandle.db.selectFrom('request').select('id').where('tracking_code', '=', s.trackingCode).executeTakeFirstOrThrow()
      cases.push({ id: row.id, code: s.trackingCode })
      return cases[cases.length - 1]!
    }
    const act = async (who: Client, id: number, action: string, body: Record<string, unknown> = {}) => {
      const { version } = (await who.get(`/api/requests/${id}`)).body
      const res = await who.post(`/api/requests/${id}/${action}`, { version, ...body })
      expect(res.status, `${action}: ${res.text}`).toBe(200)
      return res.body
    }
    const one = await add(c.compoundA.code)
    await act(c.communityWorkerA, one.id, 'accept')
    await act(c.communityWorkerA, one.id, 'resolve', { note: '好了' })
    await t.anon.post(`/api/public/requests/${one.code}/rating`, { contacted: true, solved: false, satisfaction: 'dissatisfied' })
    await act(c.communityWorkerA, one.id, 'resolve', { note: '真的好了' })
    await t.anon.post(`/api/public/requests/${one.code}/rating`, { contacted: true, solved: true, satisfaction: 'satisfied' })
    const two = await add(c.compoundB.code)
    await c.communityWorkerB.post(`/api/requests/${two.id}/appeals`, { kind: 'malicious', reason: '恶意' })
    const appealId = (await c.countyAdmin.get(`/api/requests/${two.id}`)).body.appeals[0].id
    await c.countyAdmin.post(`/api/requests/${two.id}/appeals/${appealId}/decision`, { approve: true })
    const three = await add(c.compoundA.code)
    await act(c.communityWorkerA, three.id, 'merge', { intoId: one.id })
    const four = await add(c.compoundA.code)
    await act(c.communityWorkerA, four.id, 'accept')
    await act(c.communityWorkerA, four.id, 'dispatch', { toUnitId: c.gridA.id })
    await act(c.gridWorkerA, four.id, 'accept')

    for (let i = 0; i < 160; i++) {
      const roll = random()
      if (cases.length < 4 || roll < 0.25) {
        const s = await submitPublicRequest(t, { locationCode: pick([c.compoundA.code, c.compoundB.code]), itemId: pick([c.items.repair.id, c.items.elderly.id]), description: `随机${i}` })
        const row = await t.dbHandle.db.selectFrom('request').select('id').where('tracking_code', '=', s.trackingCode).executeTakeFirstOrThrow()
        cases.push({ id: row.id, code: s.trackingCode })
        continue
      }
      const target = pick(cases)
      if (roll < 0.35) {
        await t.anon.post(`/api/public/requests/${target.code}/rating`, { contacted: random() < 0.8, solved: random() < 0.7, satisfaction: pick(['satisfied', 'basically_satisfied', 'dissatisfied']) })
        continue
      }
      if (roll < 0.4) {
        await runSweep(t.dbHandle.db, { now: addMinutes(new Date().toISOString(), Math.floor(random() * 40 * 1440)), holder: `random-${i}` })
        continue
      }
      const actor = pick(actors)
      const d = await actor.get(`/api/requests/${target.id}`)
      if (d.status !== 200) continue
      const allowed: string[] = d.body.allowedActions
      if (allowed.length === 0) continue
      // Progress is likelier than detours, so the cases reach every status.
      const weights: Record<string, number> = {
        accept: 6, start: 4, resolve: 6, dispatch: 2, transfer: 1, return: 1, merge: 0.8, pause: 1, resume: 3, close: 2, reopen: 1, add_co_units: 1,
        co_done: 3, request_extension: 1, decide_extension: 2, callback: 2, appeal: 1, decide_appeal: 3,
      }
      const candidates = allowed.filter((a) => (weights[a] ?? 0) > 0)
      if (candidates.length === 0) continue
      let r = random() * candidates.reduce((sum, a) => sum + weights[a]!, 0)
      const action = candidates.find((a) => (r -= weights[a]!) < 0) ?? candidates[0]!
      if (action === 'callback') {
        await actor.post(`/api/requests/${target.id}/callbacks`, { contacted: true, solved: random() < 0.6, satisfaction: pick(['satisfied', 'dissatisfied']) })
      } else if (action === 'appeal') {
        await actor.post(`/api/requests/${target.id}/appeals`, { kind: pick(['malicious', 'duplicate', 'not_our_duty']), reason: '随机申诉' })
      } else if (action === 'decide_appeal') {
        const appeal = d.body.appeals.find((a: any) => a.status === 'pending')
        await actor.post(`/api/requests/${target.id}/appeals/${appeal.id}/decision`, { approve: random() < 0.6 })
      } else if (action === 'decide_extension') {
        const ext = d.body.extensions.find((x: any) => x.status === 'pending')
        await actor.post(`/api/requests/${target.id}/extensions/${ext.id}/decision`, { approve: random() < 0.7 })
      } else if (action === 'co_done') {
        const unit = d.body.coUnits.find((u: any) => u.role === 'co' && u.status !== 'done')
        await actor.post(`/api/requests/${target.id}/co-units/${unit.unitId}/done`, { note: '协办完成' })
      } else {
        const body = bodyFor(routeOf[action] ?? action, cases.map((x) => x.id).filter((x) => x !== target.id))
        if (body) await actor.post(`/api/requests/${target.id}/${routeOf[action] ?? action}`, { version: d.body.version, ...body })
      }
      if (i === 80) {
        const mid = await snapshot()
        await rebuildRollups(t.dbHandle.db, { countyId: c.county.id })
        expect(await snapshot()).toEqual(mid)
      }
    }
    // The sequence went through the interesting changes (the final statuses are mostly closed by the sweep's auto-close).
    const kinds = new Set((await t.dbHandle.db.selectFrom('request_event').select('kind').execute()).map((r) => r.kind))
    expect([...kinds]).toEqual(expect.arrayContaining(['accepted', 'handoff_accepted', 'resolved', 'rated', 'reopened', 'merged', 'overdue', 'closed', 'appeal_approved']))
    // No row is left behind with nothing in it (a handler change empties the old handler's rows).
    expect(await t.dbHandle.db.selectFrom('request_rollup').select('unit_id').where('submitted', '=', 0).execute()).toEqual([])
    const incremental = await snapshot()
    const result = await rebuildRollups(t.dbHandle.db, { countyId: c.county.id })
    expect(result.requests).toBe(cases.length)
    expect(await snapshot()).toEqual(incremental)
  }, 180_000) // a long random walk; the machine may be busy

  it('keeps the rollups equal to a rebuild when whole subtrees with cases held, waiting and located in them move', async () => {
    const months = () => t.dbHandle.db.selectFrom('request_rollup_month').selectAll().where('county_id', '=', c.county.id).where('submitted', '!=', 0)
      .orderBy('dim').orderBy('unit_id').orderBy('month').execute()
    const act = async (who: Client, id: number, action: string, body: Record<string, unknown> = {}) => {
      const { version } = (await who.get(`/api/requests/${id}`)).body
      const res = await who.post(`/api/requests/${id}/${action}`, { version, ...body })
      expect(res.status, `${action}: ${res.text}`).toBe(200)
    }
    const newCase = async (code: string) => {
      const s = await submitPublicRequest(t, { locationCode: code, itemId: c.items.repair.id, description: '调整' })
      return (await t.dbHandle.db.selectFrom('request').select('id').where('tracking_code', '=', s.trackingCode).executeTakeFirstOrThrow()).id
    }
    // Held by grid A and waiting for it (dispatched inside community A, transferred in from community B).
    const held = await newCase(c.compoundA.code)
    await act(c.communityWorkerA, held, 'accept')
    await act(c.communityWorkerA, held, 'dispatch', { toUnitId: c.gridA.id })
    await act(c.gridWorkerA, held, 'accept')
    const waiting = await newCase(c.compoundA.code)
    await act(c.communityWorkerA, waiting, 'accept')
    await act(c.communityWorkerA, waiting, 'dispatch', { toUnitId: c.gridA.id })
    const transferred = await newCase(c.compoundB.code)
    await act(c.communityWorkerB, transferred, 'transfer', { toUnitId: c.gridA.id, reason: '属地' })

    const town2 = await createUnit(t, { parentId: c.county.id, type: 'subdistrict', name: '新城街道' })
    const empty = await createUnit(t, { parentId: c.communityB.id, type: 'grid', name: '空网格' })
    const moves: [number, number][] = [[c.communityA.id, town2.id], [c.compoundB.id, c.gridA.id], [empty.id, c.communityA.id], [c.gridB.id, c.communityA.id]]
    for (const [unitId, newParentId] of moves) {
      const res = await c.countyAdmin.post('/api/restructure/move', { unitId, newParentId })
      expect(res.status, res.text).toBe(201)
      // Every case's copied paths are its units' paths now.
      const stale = await t.dbHandle.db.selectFrom('request as r')
        .innerJoin('unit as l', 'l.id', 'r.location_unit_id')
        .leftJoin('unit as h', 'h.id', 'r.handler_unit_id')
        .leftJoin('unit as p', 'p.id', 'r.pending_unit_id')
        .select(['r.id', 'r.location_path', 'l.path as lp', 'r.handler_path', 'h.path as hp', 'r.pending_path', 'p.path as pp', 'r.is_open'])
        .where('r.county_id', '=', c.county.id).execute()
      for (const r of stale) {
        expect(r.location_path).toBe(r.lp)
        expect(r.handler_path).toBe(r.hp ?? null)
        if (r.is_open === 1) expect(r.pending_path).toBe(r.pp ?? null)
      }
      const maintained = await snapshot()
      const maintainedMonths = await months()
      expect(maintained.some((r) => r.unit_id === town2.id)).toBe(true)
      await rebuildRollups(t.dbHandle.db, { countyId: c.county.id })
      expect(await snapshot()).toEqual(maintained)
      expect(await months()).toEqual(maintainedMonths)
    }
    // Nothing is left at the old sub-district for community A's history; it is all at the new one.
    const community = (await t.dbHandle.db.selectFrom('unit').select('path').where('id', '=', c.communityA.id).executeTakeFirstOrThrow()).path
    expect(community.startsWith(`/${c.county.id}/${town2.id}/`)).toBe(true)

    // A unit without any request under it costs one statement (the probe), whatever its move.
    let statements = 0
    // transformResult runs once per statement executed (transformQuery also runs for every subquery built).
    const counting: KyselyPlugin = { transformQuery: (args) => args.node, transformResult: (args) => { statements++; return Promise.resolve(args.result) } }
    const bare = await createUnit(t, { parentId: c.communityB.id, type: 'grid', name: '又一空网格' })
    const before = await snapshot()
    await followSubtreeMove(t.dbHandle.db.withPlugin(counting), { unitId: bare.id, oldPath: bare.path, newPath: `/${c.county.id}/${town2.id}/${bare.id}/` })
    expect(statements).toBe(1)
    expect(await snapshot()).toEqual(before)
  }, 120_000)
})
