import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_PASSWORD, buildTestApp, dialects, type Client, type TestApp } from '../../../test/support/app.js'
import { createUnit, requestCounty, requestIdOf, submitPublicRequest } from '../../../test/support/factories.js'
import { addMinutes, shanghaiDay } from '../../lib/time.js'
import { systemActor } from '../access/service.js'
import { requestSettings } from '../requests/settings.js'
import { acceptRequest, resolveRequest } from '../requests/service.js'
import { contribution, rebuildRollups } from '../requests/rollup.js'
import { runSweep } from '../requests/sweep.js'
import { caseCounters, compositeOf, defaultWeights, drillMetrics, drillParts, figuresOf, ratesOf, zeroCounters, type Counters } from './definitions.js'
import { bucketsOf, defaultGranularity, resolvePeriod, splitByMonths, weekStart } from './periods.js'
import { getBoardCounters, getReferenceFigures } from './service.js'

process.env.CHORUS_INTAKE_PER_ADDRESS_HOUR = '100000'
process.env.CHORUS_INTAKE_PER_DEVICE_HOUR = '100000'

describe('periods (Asia/Shanghai dates)', () => {
  it('turns presets into date ranges', () => {
    const today = '2026-11-30'
    expect(resolvePeriod({}, today)).toEqual({ preset: 'this_month', from: '2026-11-01', to: '2026-11-30' })
    expect(resolvePeriod({ period: 'last_month' }, '2026-01-15')).toMatchObject({ from: '2025-12-01', to: '2025-12-31' })
    expect(resolvePeriod({ period: 'this_quarter' }, today)).toMatchObject({ from: '2026-10-01', to: '2026-12-31' })
    expect(resolvePeriod({ period: 'last_quarter' }, '2026-02-01')).toMatchObject({ from: '2025-10-01', to: '2025-12-31' })
    expect(resolvePeriod({ period: 'h1', year: 2025 }, today)).toMatchObject({ from: '2025-01-01', to: '2025-06-30' })
    expect(resolvePeriod({ period: 'h2' }, today)).toMatchObject({ from: '2026-07-01', to: '2026-12-31' })
    expect(resolvePeriod({ period: 'this_half' }, '2026-03-03')).toMatchObject({ from: '2026-01-01', to: '2026-06-30' })
    expect(resolvePeriod({ period: 'last_half' }, '2026-03-03')).toMatchObject({ from: '2025-07-01', to: '2025-12-31' })
    expect(resolvePeriod({ period: 'last_month' }, '2024-03-31')).toMatchObject({ from: '2024-02-01', to: '2024-02-29' })
    expect(resolvePeriod({ period: 'last_year' }, today)).toMatchObject({ from: '2025-01-01', to: '2025-12-31' })
    expect(resolvePeriod({ from: '2026-02-03', to: '2026-02-03' }, today)).toEqual({ preset: null, from: '2026-02-03', to: '2026-02-03' })
  })

  it('refuses contradictory or impossible periods', () => {
    for (const input of [
      { period: 'this_month' as const, from: '2026-01-01', to: '2026-01-31' }, { from: '2026-01-01' }, { from: '2026-02-01', to: '2026-01-01' },
      { from: '2026-02-30', to: '2026-03-01' }, { from: '2000-01-01', to: '2026-01-01' }, { period: 'this_year' as const, year: 2025 },
    ]) {
      expect(() => resolvePeriod(input, '2026-11-30'), JSON.stringify(input)).toThrow(expect.objectContaining({ code: 'invalid_period' }))
    }
  })

  it('splits a period into whole months and edge days', () => {
    expect(splitByMonths({ from: '2024-11-29', to: '2026-11-28' })).toEqual({ months: ['2024-12', '2026-10'], days: [['2024-11-29', '2024-11-30'], ['2026-11-01', '2026-11-28']] })
    expect(splitByMonths({ from: '2026-01-01', to: '2026-06-30' })).toEqual({ months: ['2026-01', '2026-06'], days: [] })
    expect(splitByMonths({ from: '2026-02-03', to: '2026-02-27' })).toEqual({ months: null, days: [['2026-02-03', '2026-02-27']] })
    expect(splitByMonths({ from: '2025-12-31', to: '2026-01-30' })).toEqual({ months: null, days: [['2025-12-31', '2026-01-30']] })
    expect(splitByMonths({ from: '2025-12-02', to: '2026-01-31' })).toEqual({ months: ['2026-01', '2026-01'], days: [['2025-12-02', '2025-12-31']] })
  })

  it('cuts trends into days, Monday weeks and months clipped to the period', () => {
    expect(weekStart('2026-11-29')).toBe('2026-11-23') // a Sunday
    expect(weekStart('2026-11-30')).toBe('2026-11-30') // a Monday
    expect(bucketsOf({ from: '2026-11-25', to: '2026-12-02' }, 'week')).toEqual([
      { key: '2026-11-23', from: '2026-11-25', to: '2026-11-29' }, { key: '2026-11-30', from: '2026-11-30', to: '2026-12-02' },
    ])
    expect(bucketsOf({ from: '2026-01-15', to: '2026-03-02' }, 'month').map((b) => [b.key, b.from, b.to])).toEqual([
      ['2026-01', '2026-01-15', '2026-01-31'], ['2026-02', '2026-02-01', '2026-02-28'], ['2026-03', '2026-03-01', '2026-03-02'],
    ])
    expect(bucketsOf({ from: '2026-11-01', to: '2026-11-30' }, 'day')).toHaveLength(30)
    expect(defaultGranularity({ from: '2026-01-01', to: '2026-12-31' })).toBe('month')
    expect(() => bucketsOf({ from: '2020-01-01', to: '2026-12-31' }, 'day')).toThrow(expect.objectContaining({ code: 'too_many_buckets' }))
  })
})

describe('definitions (counters → rates)', () => {
  const counters = (over: Partial<Counters>): Counters => ({ ...zeroCounters(), ...over })

  it('computes the three rates and the weighted composite', () => {
    const c = counters({ submitted: 12, counted: 10, responded: 9, responded_on_time: 8, rated: 5, solved: 4, satisfied: 2, basically_satisfied: 2, dissatisfied: 1 })
    const r = ratesOf(c, defaultWeights)
    expect(r.responseRate).toBeCloseTo(0.8, 12)
    expect(r.resolutionRate).toBeCloseTo(0.8, 12)
    expect(r.satisfactionRate).toBeCloseTo((2 + 0.8 * 2) / 5, 12)
    expect(r.composite).toBeCloseTo(0.2 * 0.8 + 0.4 * 0.8 + 0.4 * 0.72, 12)
    expect(figuresOf(c, defaultWeights).counts.excluded).toBe(2)
  })

  it('shows "—" for an empty denominator and renormalizes the remaining weights', () => {
    const r = ratesOf(counters({ submitted: 4, counted: 4, responded_on_time: 3 }), defaultWeights)
    expect(r.resolutionRate).toBeNull()
    expect(r.satisfactionRate).toBeNull()
    expect(r.composite).toBeCloseTo(0.75, 12) // the response rate alone, its weight scaled to 1
    expect(ratesOf(zeroCounters(), defaultWeights).composite).toBeNull()
    expect(compositeOf({ responseRate: 1, resolutionRate: null, satisfactionRate: 0.5 }, defaultWeights)).toBeCloseTo((0.2 * 1 + 0.4 * 0.5) / 0.6, 12)
    expect(compositeOf({ responseRate: 1, resolutionRate: null, satisfactionRate: null }, { ...defaultWeights, response: 0, resolution: 0.5, satisfaction: 0.5 })).toBeNull()
  })

  it('offers a numerator and a denominator for every metric', () => {
    for (const m of drillMetrics) {
      expect(drillParts[m].numerator.length).toBeGreaterThan(0)
      expect(caseCounters).toContain(drillParts[m].denominator)
    }
  })
})

type County = Awaited<ReturnType<typeof requestCounty>>

async function ok(client: Client, id: number, action: string, body: Record<string, unknown> = {}) {
  const { version } = (await client.get(`/api/requests/${id}`)).body
  const res = await client.post(`/api/requests/${id}/${action}`, { version, ...body })
  if (res.status !== 200) throw new Error(`${action} ${id}: ${res.status} ${res.text}`)
  return res.body
}

describe.each(dialects)('three-rates board on %s', (dialect) => {
  let t: TestApp
  let c: County
  let dataDir: string
  let today: string
  const ids: Record<string, number> = {}
  const codes: Record<string, string> = {}

  const period = () => `from=${today}&to=${today}`
  const board = async (client: Client, unitId: number, extra = '') => {
    const res = await client.get(`/api/board?unitId=${unitId}&${period()}${extra}`)
    if (res.status !== 200) throw new Error(`board ${unitId}: ${res.status} ${res.text}`)
    return res.body
  }

  /** Submits at a compound (or records at any unit) and returns the case id. */
  const newCase = async (name: string, where: 'A' | 'B' = 'A') => {
    const code = where === 'A' ? c.compoundA.code : c.compoundB.code
    const sent = await submitPublicRequest(t, { locationCode: code, itemId: c.items.repair.id, description: `case ${name}` })
    codes[name] = sent.trackingCode
    ids[name] = await requestIdOf(t, sent.trackingCode)
    return ids[name]
  }
  const rate = (name: string, solved: boolean, satisfaction: string) =>
    t.anon.post(`/api/public/requests/${codes[name]}/rating`, { contacted: true, solved, satisfaction }).then((r) => {
      if (r.status !== 200) throw new Error(`rate ${name}: ${r.status} ${r.text}`)
    })
  const resolveAs = async (client: Client, name: string) => {
    await ok(client, ids[name]!, 'accept')
    await ok(client, ids[name]!, 'resolve', { note: '已处理' })
  }

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chorus-board-'))
    t = await buildTestApp(dialect, { dataDir })
    c = await requestCounty(t)
    today = shanghaiDay(new Date())
    const worker = c.communityWorkerA

    // 吉祥苑社区 (community A): eight cases, each telling one part of the story.
    await newCase('c1'); await resolveAs(worker, 'c1'); await rate('c1', true, 'satisfied')
    await newCase('c2'); await resolveAs(worker, 'c2'); await rate('c2', true, 'basically_satisfied')
    await newCase('c3'); await resolveAs(worker, 'c3'); await rate('c3', false, 'dissatisfied') // not solved: reopened
    await newCase('c4'); await ok(worker, ids.c4!, 'accept') // responded on time, still open
    await newCase('c5') // never signed for
    // c6 is signed for after its first-response deadline, then resolved: responded late, not rated.
    await newCase('c6')
    const row6 = await t.dbHandle.db.selectFrom('request').selectAll().where('id', '=', ids.c6!).executeTakeFirstOrThrow()
    const late = addMinutes(row6.response_due_at!, 30)
    const ctx = { db: t.dbHandle.db, pii: t.pii, settings: requestSettings(dataDir), now: () => late }
    await acceptRequest(ctx, systemActor(), ids.c6!, { version: row6.version })
    await resolveRequest({ ...ctx, now: () => addMinutes(late, 90) }, systemActor(), ids.c6!, { version: row6.version + 1, note: '已处理' })
    // c7 is excluded by an approved appeal; c8 is merged into c4 as a duplicate.
    await newCase('c7')
    const appealed = await c.communityWorkerA.post(`/api/requests/${ids.c7}/appeals`, { kind: 'malicious', reason: '恶意重复投诉' })
    expect(appealed.status).toBe(200)
    const decided = await c.countyAdmin.post(`/api/requests/${ids.c7}/appeals/${appealed.body.appeals[0].id}/decision`, { approve: true })
    expect(decided.status).toBe(200)
    await newCase('c8'); await ok(worker, ids.c8!, 'merge', { intoId: ids.c4 })

    // 洛神湖社区 (community B): one satisfied case.
    await newCase('b1', 'B'); await resolveAs(c.communityWorkerB, 'b1'); await rate('b1', true, 'satisfied')

    // The deadline sweep, a month from now, flags every open case overdue (c3, c4, c5; and nothing in B).
    await runSweep(t.dbHandle.db, { now: addMinutes(new Date().toISOString(), 60 * 24 * 31) })
  })
  afterAll(async () => {
    await t?.close()
    fs.rmSync(dataDir, { recursive: true, force: true })
  })

  it('computes a community\'s rates, counts and hours exactly as by hand', async () => {
    const b = await board(c.communityWorkerA, c.communityA.id)
    expect(b.unit).toMatchObject({ id: c.communityA.id, name: '吉祥苑社区' })
    expect(b.period).toEqual({ preset: null, from: today, to: today })
    expect(b.figures.counts).toEqual({
      submitted: 8, counted: 6, excluded: 2, responded: 5, respondedOnTime: 4, resolved: 3, resolvedOnTime: 3, rated: 3, solved: 2,
      satisfied: 1, basicallySatisfied: 1, dissatisfied: 1, overdue: 3, open: 3, reopened: 1,
    })
    expect(b.figures.rates.responseRate).toBeCloseTo(4 / 6, 12)
    expect(b.figures.rates.resolutionRate).toBeCloseTo(2 / 3, 12)
    expect(b.figures.rates.satisfactionRate).toBeCloseTo((1 + 0.8 * 1) / 3, 12)
    expect(b.figures.rates.composite).toBeCloseTo(0.2 * (4 / 6) + 0.4 * (2 / 3) + 0.4 * 0.6, 12)
    expect(b.figures.rates.onTimeResolutionRate).toBe(1)
    // Average hours over the resolved cases (c1, c2, c6), from their recorded minutes.
    const resolved = await t.dbHandle.db.selectFrom('request').select(['handling_minutes', 'working_minutes'])
      .where('id', 'in', [ids.c1!, ids.c2!, ids.c6!]).execute()
    expect(b.figures.hours.avgHandling).toBeCloseTo(resolved.reduce((a, r) => a + r.handling_minutes!, 0) / 3 / 60, 12)
    expect(b.figures.hours.avgWorking).toBeCloseTo(resolved.reduce((a, r) => a + r.working_minutes!, 0) / 3 / 60, 12)
    expect(resolved.some((r) => r.handling_minutes! >= 90)).toBe(true) // c6 took 90 minutes after a late start

    // The sub-district sees both communities; its ranking puts B (all 100 %) first.
    const sub = await board(c.townAdmin, c.subdistrict.id)
    expect(sub.figures.counts.submitted).toBe(9)
    expect(sub.ranking.of).toBe('children')
    expect(sub.ranking.items.map((i: any) => [i.rank, i.unit.id])).toEqual([[1, c.communityB.id], [2, c.communityA.id]])
    expect(sub.ranking.items[1].figures).toEqual(b.figures)
    expect(sub.ranking.items[0].figures.rates).toMatchObject({ responseRate: 1, resolutionRate: 1, satisfactionRate: 1, composite: 1 })
  })

  it('ranks handling units by the handler dimension, and any unit type inside the subtree', async () => {
    const byHandler = await board(c.countyAdmin, c.county.id, '&dim=handler&rankType=community')
    expect(byHandler.dim).toBe('handler')
    expect(byHandler.ranking.of).toBe('community')
    expect(byHandler.ranking.items.map((i: any) => i.unit.id).sort()).toEqual([c.communityA.id, c.communityB.id].sort())
    const a = byHandler.ranking.items.find((i: any) => i.unit.id === c.communityA.id)
    // Every case of A was handled by A itself (routed to the community).
    expect(a.figures.counts.submitted).toBe(8)
    const grids = await board(c.countyAdmin, c.county.id, '&rankType=grid')
    expect(grids.ranking.items.map((i: any) => i.unit.id).sort()).toEqual([c.gridA.id, c.gridB.id].sort())
  })

  it('gives exactly the figures of one plain SQL query over the requests, for every unit and both dimensions', async () => {
    const actor = systemActor()
    // Days only, whole months only (the month rollups), and months with edge days.
    const thisMonth = resolvePeriod({ period: 'this_month' }, today)
    const periods = [{ from: today, to: today }, { from: thisMonth.from, to: thisMonth.to }, { from: '2020-01-15', to: thisMonth.to }, { from: '2020-02-01', to: today }]
    for (const unit of [c.county, c.subdistrict, c.communityA, c.communityB, c.gridA, c.gridB, c.compoundA, c.compoundB, c.agency]) {
      for (const dim of ['area', 'handler'] as const) {
        for (const p of periods) {
          const query = { unitId: unit.id, dim, ...p }
          const reference = await getReferenceFigures(t.dbHandle.db, actor, query)
          expect(await getBoardCounters(t.dbHandle.db, actor, query), `${unit.name} ${dim} ${p.from}`).toEqual(reference.counters)
        }
        if (dim === 'area') expect((await board(c.countyAdmin, unit.id)).figures).toEqual((await getReferenceFigures(t.dbHandle.db, actor, { unitId: unit.id, from: today, to: today })).figures)
      }
    }
    expect((await getBoardCounters(t.dbHandle.db, actor, { unitId: c.communityA.id, from: thisMonth.from, to: thisMonth.to })).submitted).toBe(8)
  })

  it('drills every number down to exactly the cases behind it', async () => {
    const rows = await t.dbHandle.db.selectFrom('request').selectAll().execute()
    const inA = rows.filter((r) => r.location_path.startsWith(c.communityA.path) && r.submitted_day === today)
    const b = await board(c.communityWorkerA, c.communityA.id)
    for (const metric of drillMetrics) {
      for (const part of ['numerator', 'denominator'] as const) {
        const res = await c.communityWorkerA.get(`/api/board/cases?unitId=${c.communityA.id}&${period()}&metric=${metric}&part=${part}&pageSize=500`)
        expect(res.status, `${metric} ${part} ${res.text}`).toBe(200)
        const counters = part === 'numerator' ? drillParts[metric].numerator : [drillParts[metric].denominator]
        const expected = inA.filter((r) => counters.some((k) => contribution(r)[k] > 0)).map((r) => r.id).sort((x, y) => x - y)
        expect(res.body.items.map((i: any) => i.id).sort((x: number, y: number) => x - y), `${metric} ${part}`).toEqual(expected)
        expect(res.body.total).toBe(expected.length)
        expect(res.body.counters).toEqual(counters)
      }
    }
    // The numbers on the board are the drill-down totals.
    const total = async (metric: string, part = 'numerator') =>
      (await c.communityWorkerA.get(`/api/board/cases?unitId=${c.communityA.id}&${period()}&metric=${metric}&part=${part}`)).body.total
    expect(await total('responded_on_time')).toBe(b.figures.counts.respondedOnTime)
    expect(await total('response_rate', 'denominator')).toBe(b.figures.counts.counted)
    expect(await total('overdue')).toBe(3)
    expect(await total('solved')).toBe(2)
    expect(new Set((await c.communityWorkerA.get(`/api/board/cases?unitId=${c.communityA.id}&${period()}&metric=response_rate`)).body.items.map((i: any) => i.id)))
      .toEqual(new Set([ids.c1, ids.c2, ids.c3, ids.c4]))
    // Paging: the first page of two, then the rest.
    const page1 = await c.communityWorkerA.get(`/api/board/cases?unitId=${c.communityA.id}&${period()}&metric=submitted&pageSize=2`)
    const page2 = await c.communityWorkerA.get(`/api/board/cases?unitId=${c.communityA.id}&${period()}&metric=submitted&pageSize=2&page=2`)
    expect(page1.body.items).toHaveLength(2)
    expect(page1.body.total).toBe(8)
    expect(page2.body.items.map((i: any) => i.id)).not.toContain(page1.body.items[0].id)
  })

  it('serves a trend whose points add up to the board', async () => {
    const res = await c.communityWorkerA.get(`/api/board/trend?unitId=${c.communityA.id}&period=this_month`)
    expect(res.status).toBe(200)
    expect(res.body.granularity).toBe('day')
    const thisMonth = resolvePeriod({ period: 'this_month' }, today)
    expect(res.body.points[0].key).toBe(thisMonth.from)
    expect(res.body.points.at(-1).key).toBe(thisMonth.to)
    const point = res.body.points.find((p: any) => p.key === today)
    expect(point.figures.counts.submitted).toBe(8)
    expect(res.body.points.reduce((a: number, p: any) => a + p.figures.counts.counted, 0)).toBe(6)
    const months = await c.communityWorkerA.get(`/api/board/trend?unitId=${c.communityA.id}&period=this_year&granularity=month`)
    expect(months.body.points).toHaveLength(12)
    expect(months.body.points.find((p: any) => p.key === today.slice(0, 7)).figures.rates.responseRate).toBeCloseTo(4 / 6, 12)
    const tooFine = await c.communityWorkerA.get(`/api/board/trend?unitId=${c.communityA.id}&from=2020-01-01&to=${today}&granularity=day`)
    expect(tooFine.status).toBe(400)
    expect(tooFine.body.error.code).toBe('too_many_buckets')
  })

  it('keeps a community worker inside its own subtree: 401 → 400 → 403 → 200', async () => {
    expect((await t.anon.get(`/api/board?unitId=${c.communityA.id}`)).status).toBe(401)
    const bad = await c.communityWorkerA.get(`/api/board?unitId=${c.communityA.id}&from=${today}`)
    expect(bad.status).toBe(400)
    expect(bad.body.error.code).toBe('invalid_period')
    expect((await c.communityWorkerA.get(`/api/board?unitId=${c.communityA.id}&period=someday`)).status).toBe(400)
    for (const url of [
      `/api/board?unitId=${c.communityB.id}`, `/api/board?unitId=${c.subdistrict.id}`, `/api/board/trend?unitId=${c.communityB.id}`,
      `/api/board/cases?unitId=${c.communityB.id}&metric=submitted`, `/api/board/export.xlsx?unitId=${c.communityB.id}`, `/api/board/weights?unitId=${c.communityB.id}`,
    ]) {
      const res = await c.communityWorkerA.get(url)
      expect(res.status, url).toBe(403)
      expect(res.body.error.code).toBe('forbidden')
    }
    // A grid worker has no board at all; the other community sees its own.
    expect((await c.gridWorkerA.get(`/api/board?unitId=${c.gridA.id}`)).status).toBe(403)
    expect((await c.communityWorkerB.get(`/api/board?unitId=${c.communityB.id}&${period()}`)).body.figures.counts.submitted).toBe(1)
    expect((await c.communityWorkerA.get('/api/board?unitId=999999')).status).toBe(404)
    // Within its subtree, the ranking shows its own grid only.
    const own = await board(c.communityWorkerA, c.communityA.id)
    expect(own.ranking.items.map((i: any) => i.unit.id)).toEqual([c.gridA.id])
  })

  it('stores the county\'s weights (county level only), audits the change and uses them', async () => {
    const before = await c.communityWorkerA.get(`/api/board/weights?unitId=${c.communityA.id}`)
    expect(before.status).toBe(200)
    expect(before.body).toMatchObject({ countyId: c.county.id, weights: defaultWeights, isDefault: true, updatedAt: null })
    const body = { unitId: c.communityA.id, response: 0.5, resolution: 0.25, satisfaction: 0.25, basicallySatisfied: 0.5 }
    // community workers manage their community's catalog, but not the county's weights
    const refused = await c.communityWorkerA.put('/api/board/weights', body)
    expect(refused.status).toBe(403)
    const wrongSum = await c.countyAdmin.put('/api/board/weights', { ...body, response: 0.6 })
    expect(wrongSum.status).toBe(400)
    expect(wrongSum.body.error.code).toBe('invalid_weights')
    expect((await c.countyAdmin.put('/api/board/weights', { ...body, response: 2 })).status).toBe(400)
    expect((await c.countyAdmin.put('/api/board/weights', { ...body, extra: 1 })).status).toBe(400)
    const audits = async () => t.dbHandle.db.selectFrom('audit_log').selectAll().where('action', '=', 'board.weights').execute()
    expect(await audits()).toHaveLength(0)

    const set = await c.countyAdmin.put('/api/board/weights', body)
    expect(set.status).toBe(200)
    expect(set.body).toMatchObject({ countyId: c.county.id, isDefault: false, weights: { response: 0.5, resolution: 0.25, satisfaction: 0.25, basicallySatisfied: 0.5 } })
    const entries = await audits()
    expect(entries).toHaveLength(1)
    expect(JSON.parse(entries[0]!.before_json!)).toEqual(defaultWeights)
    expect(JSON.parse(entries[0]!.after_json!)).toMatchObject({ response: 0.5, basicallySatisfied: 0.5 })
    expect(entries[0]!.unit_id).toBe(c.county.id)

    const b = await board(c.communityWorkerA, c.communityA.id)
    expect(b.weights).toMatchObject({ response: 0.5, basicallySatisfied: 0.5 })
    expect(b.figures.rates.satisfactionRate).toBeCloseTo((1 + 0.5) / 3, 12)
    expect(b.figures.rates.composite).toBeCloseTo(0.5 * (4 / 6) + 0.25 * (2 / 3) + 0.25 * 0.5, 12)
    await c.countyAdmin.put('/api/board/weights', { ...body, ...defaultWeights })
  })

  it('explains its definitions in both languages', async () => {
    const res = await c.communityWorkerA.get('/api/board/definitions')
    expect(res.status).toBe(200)
    const keys = res.body.definitions.map((d: any) => d.key)
    expect(keys).toEqual(expect.arrayContaining(['counted', 'response_rate', 'resolution_rate', 'satisfaction_rate', 'composite', 'overdue']))
    const resolution = res.body.definitions.find((d: any) => d.key === 'resolution_rate')
    expect(resolution.name).toEqual({ zh: '解决率', en: 'Resolution rate' })
    expect(res.body.defaultWeights).toEqual(defaultWeights)
  })

  it('exports the board and the ranking to .xlsx with Chinese headers', async () => {
    const login = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: ADMIN_PASSWORD } })
    const cookie = String([login.headers['set-cookie']].flat().find((v) => String(v).startsWith('chorus_session='))).split(';')[0]!
    const res = await t.app.inject({ method: 'GET', url: `/api/board/export.xlsx?unitId=${c.subdistrict.id}&${period()}`, headers: { cookie } })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toContain('spreadsheetml')
    expect(String(res.headers['content-disposition'])).toContain(encodeURIComponent('铜城街道'))
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer)
    const ranking = wb.getWorksheet('下级排名')!
    expect(ranking.getRow(1).values).toEqual(expect.arrayContaining(['排名', '单位', '响应率', '解决率', '满意率', '综合得分']))
    expect(ranking.getRow(2).getCell(2).value).toBe('洛神湖社区')
    expect(ranking.getRow(3).getCell(2).value).toBe('吉祥苑社区')
    expect(ranking.getRow(3).getCell(6).value).toBeCloseTo(4 / 6, 12)
    const summary = wb.getWorksheet('三率汇总')!
    const labels = summary.getColumn(1).values
    expect(labels).toEqual(expect.arrayContaining(['响应率', '解决率', '满意率', '综合得分', '超期件数']))
  })

  it('follows a restructuring: a moved compound takes its history to the new grid; a merged grid\'s own cases come with "including predecessors"', async () => {
    // One case recorded at the grid itself (a patrol finding), so grid A has history of its own.
    const patrol = await c.communityWorkerA.post('/api/requests', { source: 'patrol', locationUnitId: c.gridA.id, title: '井盖缺失', description: '网格巡查发现', phone: '13800138001' })
    expect(patrol.status).toBe(201)
    const gridA2 = await createUnit(t, { parentId: c.communityA.id, type: 'grid', name: '第二网格' })
    const before = await board(c.countyAdmin, c.communityA.id)
    const compoundBefore = await board(c.countyAdmin, c.compoundA.id)
    expect(compoundBefore.figures.counts.submitted).toBe(8)

    const moved = await c.countyAdmin.post('/api/restructure/move', { unitId: c.compoundA.id, newParentId: gridA2.id })
    expect(moved.status, moved.text).toBe(201)
    const grid2 = await board(c.countyAdmin, gridA2.id)
    expect(grid2.figures).toEqual(compoundBefore.figures)
    expect((await board(c.countyAdmin, c.gridA.id)).figures.counts.submitted).toBe(1) // the patrol case only
    expect((await board(c.countyAdmin, c.communityA.id)).figures).toEqual(before.figures)
    // The cases' own paths followed: the new grid's drill-down lists them, the maintained rollups equal a rebuild.
    const drilled = await c.countyAdmin.get(`/api/board/cases?unitId=${gridA2.id}&${period()}&metric=submitted&pageSize=100`)
    expect(drilled.body.total).toBe(8)
    const snapshot = () => t.dbHandle.db.selectFrom('request_rollup').selectAll().where('county_id', '=', c.county.id).where('submitted', '!=', 0)
      .orderBy('dim').orderBy('unit_id').orderBy('day').execute()
    const months = () => t.dbHandle.db.selectFrom('request_rollup_month').selectAll().where('county_id', '=', c.county.id).where('submitted', '!=', 0)
      .orderBy('dim').orderBy('unit_id').orderBy('month').execute()
    const maintained = await snapshot()
    const maintainedMonths = await months()
    // The month rows are the day rows summed by month.
    const summed = new Map<string, Record<string, unknown>>()
    for (const r of maintained) {
      const key = `${r.dim}|${r.unit_id}|${r.day.slice(0, 7)}`
      const acc = summed.get(key) ?? { ...r, day: undefined, month: r.day.slice(0, 7), submitted: 0 }
      summed.set(key, { ...acc, submitted: (acc.submitted as number) + r.submitted })
    }
    expect(maintainedMonths.map((m) => `${m.dim}|${m.unit_id}|${m.month}:${m.submitted}`).sort())
      .toEqual([...summed.entries()].map(([k, v]) => `${k}:${v.submitted as number}`).sort())
    await rebuildRollups(t.dbHandle.db, { countyId: c.county.id })
    expect(await snapshot()).toEqual(maintained)
    expect(await months()).toEqual(maintainedMonths)
    const actor = systemActor()
    for (const unit of [gridA2, c.gridA, c.communityA]) {
      const q = { unitId: unit.id, from: today, to: today }
      expect(await getBoardCounters(t.dbHandle.db, actor, q)).toEqual((await getReferenceFigures(t.dbHandle.db, actor, q)).counters)
    }

    // Grid A merges into the second grid: archived, its own patrol case stays on it.
    const merged = await c.countyAdmin.post('/api/restructure/merge-grids', { gridIds: [c.gridA.id, gridA2.id], targetGridId: gridA2.id })
    expect(merged.status, merged.text).toBe(201)
    const plain = await board(c.countyAdmin, gridA2.id)
    expect(plain.figures.counts.submitted).toBe(8)
    expect(plain.predecessors).toEqual([])
    const withHistory = await board(c.countyAdmin, gridA2.id, '&includePredecessors=true')
    expect(withHistory.figures.counts.submitted).toBe(9)
    expect(withHistory.predecessors.map((p: any) => [p.unit.id, p.unit.status])).toEqual([[c.gridA.id, 'archived']])
    const q = { unitId: gridA2.id, from: today, to: today, includePredecessors: true }
    expect(await getBoardCounters(t.dbHandle.db, actor, q)).toEqual((await getReferenceFigures(t.dbHandle.db, actor, q)).counters)
    const cases = await c.countyAdmin.get(`/api/board/cases?unitId=${gridA2.id}&${period()}&metric=submitted&includePredecessors=true&pageSize=100`)
    expect(cases.body.total).toBe(9)
    // The community's ranking: the active grid with its predecessor's history; the parent's total is unchanged.
    const community = await board(c.countyAdmin, c.communityA.id, '&includePredecessors=true')
    expect(community.figures.counts.submitted).toBe(9)
    expect(community.ranking.items.map((i: any) => [i.unit.id, i.figures.counts.submitted, i.predecessorIds])).toEqual([[gridA2.id, 9, [c.gridA.id]]])
  })
})
