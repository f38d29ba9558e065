import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, dialects, type TestApp } from '../../../test/support/app.js'
import { requestCounty, requestIdOf, submitPublicRequest } from '../../../test/support/factories.js'
import { AppError } from '../../server/errors.js'
import { compileCalendar } from '../calendar/working-time.js'
import { officialSchedules, standardDayHours, standardWeeklyHours } from '../calendar/official-schedules.js'
import { extendClock, newClock, pauseClock, resolutionDeadlines, responseDueAt, restartClock, resumeClock, handlingMinutes } from './deadlines.js'
import { assertTransition, canTransition, requestStatuses, transitionNames, transitions, type CaseShape } from './lifecycle.js'

process.env.CHORUS_INTAKE_PER_ADDRESS_HOUR = '100000'
process.env.CHORUS_INTAKE_PER_DEVICE_HOUR = '100000'

const shape = (status: string, paused = false, pending = false): CaseShape => ({ status, paused, pending })

describe('the state machine table', () => {
  it('allows the main path and nothing that skips a step', () => {
    expect(canTransition('accept', shape('submitted'))).toBe(true)
    expect(canTransition('start', shape('accepted'))).toBe(true)
    expect(canTransition('resolve', shape('in_progress'))).toBe(true)
    expect(canTransition('rate', shape('resolved'))).toBe(true)
    expect(canTransition('close', shape('rated'))).toBe(true)
    expect(canTransition('resolve', shape('submitted'))).toBe(false)
    expect(canTransition('start', shape('submitted'))).toBe(false)
    expect(canTransition('close', shape('in_progress'))).toBe(false)
    expect(canTransition('rate', shape('in_progress'))).toBe(false)
  })

  it('lets nothing happen to a merged case except notes and appeal decisions', () => {
    const allowed = transitionNames.filter((t) => canTransition(t, shape('merged')))
    expect(allowed.sort()).toEqual(['decide_appeal', 'note'])
  })

  it('keeps a pending hand-off for the receiving unit: only it may accept or refuse, the sender may not act around it', () => {
    expect(canTransition('accept_handoff', shape('dispatched', false, true))).toBe(true)
    expect(canTransition('return_handoff', shape('dispatched', false, true))).toBe(true)
    for (const t of ['accept', 'dispatch', 'transfer', 'assign', 'start', 'resolve', 'merge', 'return_upward', 'return_assignment'] as const) {
      expect(canTransition(t, shape('dispatched', false, true)), t).toBe(false)
    }
    expect(canTransition('accept_handoff', shape('dispatched'))).toBe(false)
  })

  it('stops the clock only on cases being worked on, and allows only resume, resolve and a few others while paused', () => {
    for (const s of ['accepted', 'dispatched', 'in_progress']) expect(canTransition('pause', shape(s)), s).toBe(true)
    for (const s of ['submitted', 'resolved', 'closed', 'merged']) expect(canTransition('pause', shape(s)), s).toBe(false)
    expect(canTransition('resume', shape('in_progress'))).toBe(false)
    const whilePaused = transitionNames.filter((t) => canTransition(t, shape('in_progress', true)))
    expect(whilePaused).toEqual(expect.arrayContaining(['resume', 'resolve', 'note', 'remind', 'assign']))
    for (const t of ['pause', 'start', 'dispatch', 'transfer', 'request_extension', 'escalate'] as const) expect(whilePaused, t).not.toContain(t)
  })

  it('has an exit from every open status and names only known statuses', () => {
    for (const [name, rule] of Object.entries(transitions)) {
      for (const s of rule.from) expect(requestStatuses, name).toContain(s)
      if (rule.to !== 'same' && rule.to !== 'computed') expect(requestStatuses, name).toContain(rule.to)
    }
    for (const s of ['submitted', 'accepted', 'dispatched', 'in_progress']) {
      expect(transitionNames.filter((t) => canTransition(t, shape(s)) && !['note', 'remind', 'appeal', 'decide_appeal', 'decide_extension'].includes(t)).length, s).toBeGreaterThan(1)
    }
  })

  it('throws 409 invalid_transition with the reason', () => {
    try {
      assertTransition('resolve', shape('submitted'))
      expect.unreachable()
    } catch (e) {
      expect(e).toBeInstanceOf(AppError)
      expect((e as AppError).status).toBe(409)
      expect((e as AppError).code).toBe('invalid_transition')
      expect((e as AppError).details).toMatchObject({ transition: 'resolve', status: 'submitted' })
    }
  })
})

describe('deadlines on the working calendar', () => {
  const calendar = compileCalendar({
    id: 1, revision: 'test', countyUnitId: null, weeklyHours: standardWeeklyHours(), adjustedWorkdayHours: standardDayHours,
    periods: officialSchedules.flatMap((s) => s.periods),
  })
  // Wednesday 30 September 2026, 10:00 in Dong'e: the National Day holiday starts the next day.
  const submitted = '2026-09-30T02:00:00.000Z'

  it('counts 7 working days over the National Day holiday and its adjusted Saturday', () => {
    const clock = newClock({ priority: 'general' }, submitted)
    // Oct 8, 9, 10 (adjusted working Saturday), 12, 13, 14, 15: due at 17:30 on the 15th.
    expect(resolutionDeadlines(clock, calendar)!.dueAt).toBe('2026-10-15T09:30:00.000Z')
    // First response within 2 working hours: 10:00 → 12:00 the same day.
    expect(responseDueAt(submitted, clock, calendar)).toBe('2026-09-30T04:00:00.000Z')
  })

  it('warns at 80 % of the working time, before the deadline', () => {
    const due = resolutionDeadlines(newClock({ priority: 'general' }, submitted), calendar)!
    expect(Date.parse(due.warnAt)).toBeLessThan(Date.parse(due.dueAt))
    // 6 h left on the 30th + 7 × 7.5 h = 58.5 working hours; 80 % = 46.8 h lands at 11:48 on Wednesday 14 October.
    expect(due.warnAt).toBe('2026-10-14T03:48:00.000Z')
  })

  it('runs emergencies and urgent matters on natural hours', () => {
    const clock = newClock({ priority: 'emergency' }, submitted)
    expect(resolutionDeadlines(clock, calendar)!.dueAt).toBe('2026-09-30T04:00:00.000Z')
    expect(responseDueAt(submitted, clock, calendar)).toBe('2026-09-30T02:30:00.000Z')
    expect(resolutionDeadlines(newClock({ priority: 'urgent' }, submitted), calendar)!.dueAt).toBe('2026-10-01T02:00:00.000Z')
    // 15 working days: Oct 8, 9, 10, 12–16, 19–23, 26, 27.
    expect(resolutionDeadlines(newClock({ priority: 'complex' }, submitted), calendar)!.dueAt).toBe('2026-10-27T09:30:00.000Z')
  })

  it('stops the clock while waiting for the resident: two working hours paused move the deadline by two working hours', () => {
    let clock = newClock({ priority: 'general' }, submitted)
    clock = pauseClock(clock, '2026-10-12T01:00:00.000Z') // Monday 09:00
    expect(resolutionDeadlines(clock, calendar)).toBeNull()
    clock = resumeClock(clock, '2026-10-12T03:00:00.000Z') // 11:00
    // From 17:30 on the 15th, two working hours more: Friday 16th, 08:30 + 2 h = 10:30.
    expect(resolutionDeadlines(clock, calendar)!.dueAt).toBe('2026-10-16T02:30:00.000Z')
    // A pause outside working hours costs nothing.
    const night = resumeClock(pauseClock(newClock({ priority: 'general' }, submitted), '2026-10-12T12:00:00.000Z'), '2026-10-12T22:00:00.000Z')
    expect(resolutionDeadlines(night, calendar)!.dueAt).toBe('2026-10-15T09:30:00.000Z')
    // Working minutes to resolution leave the waiting out.
    const minutes = handlingMinutes(submitted, '2026-10-12T05:00:00.000Z', clock, calendar)
    expect(minutes.handling).toBe(Math.round((Date.parse('2026-10-12T05:00:00.000Z') - Date.parse(submitted)) / 60_000))
    const unpaused = handlingMinutes(submitted, '2026-10-12T05:00:00.000Z', newClock({ priority: 'general' }, submitted), calendar)
    expect(unpaused.working - minutes.working).toBe(120)
  })

  it('adds approved extensions on top of the deadline, and restarts the clock on reopening', () => {
    const base = newClock({ priority: 'general' }, submitted)
    const extended = extendClock(base, { amount: 3, unit: 'working_days' })
    // 15th + 3 working days: 16, 19, 20 October.
    expect(resolutionDeadlines(extended, calendar)!.dueAt).toBe('2026-10-20T09:30:00.000Z')
    const reopened = restartClock(extended, '2026-10-19T02:00:00.000Z')
    expect(reopened.extensions).toEqual([])
    // Seven working days from Monday 19th: the 28th.
    expect(resolutionDeadlines(reopened, calendar)!.dueAt).toBe('2026-10-28T09:30:00.000Z')
  })

  it('uses an item\'s own allowances over its priority\'s defaults', () => {
    const clock = newClock({ priority: 'general', response: { amount: 1, unit: 'hours' }, resolution: { amount: 1, unit: 'working_days' } }, submitted)
    expect(responseDueAt(submitted, clock, calendar)).toBe('2026-09-30T03:00:00.000Z')
    expect(resolutionDeadlines(clock, calendar)!.dueAt).toBe('2026-10-08T09:30:00.000Z')
  })
})

describe.each(dialects)('forbidden steps over HTTP on %s', (dialect) => {
  let t: TestApp
  let c: Awaited<ReturnType<typeof requestCounty>>
  let dataDir: string
  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chorus-lifecycle-'))
    t = await buildTestApp(dialect, { dataDir })
    c = await requestCounty(t)
  })
  afterAll(async () => {
    await t?.close()
    fs.rmSync(dataDir, { recursive: true, force: true })
  })

  const bodies = (id: number): Record<string, Record<string, unknown>> => ({
    accept: {}, start: {}, resume: {}, close: {}, pause: { reason: '等待' }, reopen: { reason: 'x' }, return: { reason: 'x' },
    resolve: { note: 'x' }, dispatch: { toUnitId: c.gridA.id }, transfer: { toUnitId: c.agency.id, reason: 'x' }, merge: { intoId: id + 1 },
    'co-units': { unitIds: [c.agency.id] }, extensions: { extra: { amount: 1, unit: 'working_days' }, reason: 'x' }, assign: { assigneeId: 1 },
  })

  /** Every step but the allowed ones must answer 409 invalid_transition and leave the row and the timeline as they were. */
  async function refusesAll(id: number, except: string[]) {
    const row = () => t.dbHandle.db.selectFrom('request').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
    const events = async () => (await t.dbHandle.db.selectFrom('request_event').select('id').where('request_id', '=', id).execute()).length
    const before = { row: await row(), events: await events() }
    for (const [action, body] of Object.entries(bodies(id)).filter(([a]) => !except.includes(a))) {
      const res = await c.countyAdmin.post(`/api/requests/${id}/${action}`, { version: before.row.version, ...body })
      expect(res.status, `${action}: ${res.text}`).toBe(409)
      expect(res.body.error.code, action).toBe('invalid_transition')
    }
    expect(await row()).toEqual(before.row)
    expect(await events()).toBe(before.events)
  }

  it('refuses every step from a closed case except reopen, and changes nothing', async () => {
    const s = await submitPublicRequest(t, { locationCode: c.compoundA.code, itemId: c.items.repair.id })
    const id = await requestIdOf(t, s.trackingCode)
    for (const [action, body] of [['accept', {}], ['resolve', { note: '好了' }], ['close', {}]] as const) {
      const v = (await c.countyAdmin.get(`/api/requests/${id}`)).body.version
      expect((await c.countyAdmin.post(`/api/requests/${id}/${action}`, { version: v, ...body })).status).toBe(200)
    }
    await refusesAll(id, ['reopen'])
  })

  it('keeps the timeline and the ratings append-only in the database itself', async () => {
    const s = await submitPublicRequest(t, { locationCode: c.compoundA.code, itemId: c.items.repair.id })
    const id = await requestIdOf(t, s.trackingCode)
    await expect(t.dbHandle.db.updateTable('request_event').set({ note: 'rewritten' }).where('request_id', '=', id).execute()).rejects.toThrow(/append-only/)
    await expect(t.dbHandle.db.deleteFrom('request_event').where('request_id', '=', id).execute()).rejects.toThrow(/append-only/)
    const v = (await c.countyAdmin.get(`/api/requests/${id}`)).body.version
    await c.countyAdmin.post(`/api/requests/${id}/accept`, { version: v })
    await c.countyAdmin.post(`/api/requests/${id}/resolve`, { version: v + 1, note: '好' })
    await t.anon.post(`/api/public/requests/${s.trackingCode}/rating`, { contacted: true, solved: true, satisfaction: 'satisfied' })
    await expect(t.dbHandle.db.updateTable('request_rating').set({ satisfaction: 'dissatisfied' }).execute()).rejects.toThrow(/append-only/)
  })

  it('refuses every step on a merged case, and changes nothing', async () => {
    const a = await requestIdOf(t, (await submitPublicRequest(t, { locationCode: c.compoundA.code, itemId: c.items.repair.id })).trackingCode)
    const b = await requestIdOf(t, (await submitPublicRequest(t, { locationCode: c.compoundA.code, itemId: c.items.repair.id })).trackingCode)
    const v = (await c.countyAdmin.get(`/api/requests/${b}`)).body.version
    expect((await c.countyAdmin.post(`/api/requests/${b}/merge`, { version: v, intoId: a })).status).toBe(200)
    await refusesAll(b, [])
    const rating = await t.anon.post(`/api/public/requests/${(await t.dbHandle.db.selectFrom('request').select('tracking_code').where('id', '=', b).executeTakeFirstOrThrow()).tracking_code}/rating`, { contacted: true, solved: true, satisfaction: 'satisfied' })
    expect(rating.status).toBe(409)
    expect(rating.body.error.code).toBe('invalid_transition')
  })
})
