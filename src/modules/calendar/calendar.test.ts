import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, dialects, type TestApp } from '../../../test/support/app.js'
import { createUnit, smallCounty, userWith } from '../../../test/support/factories.js'
import { officialSchedules } from './official-schedules.js'
import { loadCalendar } from './service.js'
import { addWorkingTime } from './working-time.js'

const at = (local: string): string => new Date(`${local}+08:00`).toISOString()

const year2027 = {
  source: '测试用 2027 年安排',
  holidays: [{ name: '元旦', startDate: '2027-01-01', endDate: '2027-01-03' }, { name: '春节', startDate: '2027-02-05', endDate: '2027-02-12' }],
  workdays: [{ name: '春节调休上班', startDate: '2027-02-13', endDate: '2027-02-13' }],
}

describe.each(dialects)('working calendar on %s', (dialect) => {
  let t: TestApp
  let county: { id: number; path: string }
  let units: Awaited<ReturnType<typeof smallCounty>>
  const auditCount = async () => Number((await t.dbHandle.db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)

  beforeAll(async () => {
    t = await buildTestApp(dialect)
    units = await smallCounty(t)
    county = units.county
  })
  afterAll(async () => { await t?.close() })

  it('ships the official 2025 and 2026 schedules with the default hours', async () => {
    const res = await t.admin.get('/api/calendar')
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({
      countyUnitId: null, ownCalendar: false, timeZone: 'Asia/Shanghai',
      weeklyHours: { mon: [{ start: '08:30', end: '12:00' }, { start: '13:30', end: '17:30' }], sat: [], sun: [] },
    })
    for (const schedule of officialSchedules) {
      const year = res.body.years.find((y: any) => y.year === schedule.year)
      expect(year.source).toBe(schedule.source)
      const expected = (kind: string) => schedule.periods.filter((p) => p.kind === kind).map(({ name, startDate, endDate }) => ({ name, startDate, endDate }))
      expect(year.holidays).toEqual(expected('holiday'))
      expect(year.workdays).toEqual(expected('workday'))
    }
    const calendar = await loadCalendar(t.dbHandle.db)
    expect(addWorkingTime(at('2026-02-13T16:30:00'), 120, calendar)).toBe(at('2026-02-14T09:30:00'))
  })

  it('previews deadlines and rejects impossible durations', async () => {
    const ok = await t.admin.get(`/api/calendar/preview?start=${encodeURIComponent(at('2025-09-30T16:00:00'))}&amount=4&unit=working_hours`)
    expect(ok.status).toBe(200)
    expect(ok.body).toMatchObject({ dueAt: at('2025-10-09T11:00:00'), workingMinutes: 240 })
    const days = await t.admin.get(`/api/calendar/preview?start=${encodeURIComponent(at('2026-02-13T10:00:00'))}&amount=7&unit=working_days`)
    expect(days.body.dueAt).toBe(at('2026-03-02T17:30:00'))
    const natural = await t.admin.get(`/api/calendar/preview?start=${encodeURIComponent(at('2026-02-14T16:30:00'))}&amount=24&unit=hours`)
    expect(natural.body).toMatchObject({ dueAt: at('2026-02-15T16:30:00'), calendarMinutes: 1440 })
    const fractional = await t.admin.get('/api/calendar/preview?amount=2.5&unit=working_days')
    expect(fractional.status).toBe(400)
    expect(fractional.body.error.code).toBe('invalid_duration')
    expect((await t.admin.get('/api/calendar/preview?amount=2&unit=fortnights')).status).toBe(400)
    expect((await t.admin.get('/api/calendar/preview?amount=0&unit=hours')).status).toBe(400)
    expect((await t.admin.get('/api/calendar/preview?amount=2&unit=hours&start=yesterday')).status).toBe(400)
    expect((await t.anon.get('/api/calendar/preview?amount=2&unit=hours')).status).toBe(401)
  })

  it('edits a year (audited), and every process sees the change through the revision', async () => {
    const before = await loadCalendar(t.dbHandle.db)
    const audits = await auditCount()
    const res = await t.admin.put('/api/calendar/years/2027', year2027)
    expect(res.status).toBe(200)
    expect(res.body.years.map((y: any) => y.year)).toEqual([2025, 2026, 2027])
    expect(res.body.revision).not.toBe(before.revision)
    expect(await auditCount()).toBe(audits + 1)
    const after = await loadCalendar(t.dbHandle.db)
    expect(after.revision).toBe(res.body.revision)
    // Friday 2027-02-12 is a holiday, Saturday 2/13 an adjusted working day.
    expect(addWorkingTime(at('2027-02-04T17:00:00'), 60, after)).toBe(at('2027-02-13T09:00:00'))

    // Another process edits the database (a new revision): this process's next load must see it.
    const row = await t.dbHandle.db.selectFrom('work_calendar').select(['id']).where('code', '=', 'default').executeTakeFirstOrThrow()
    await t.dbHandle.db.deleteFrom('calendar_period').where('calendar_id', '=', row.id).where('year', '=', 2027).where('kind', '=', 'workday').execute()
    await t.dbHandle.db.updateTable('work_calendar').set({ revision: 'edited-elsewhere' }).where('id', '=', row.id).execute()
    const reloaded = await loadCalendar(t.dbHandle.db)
    expect(reloaded.revision).toBe('edited-elsewhere')
    expect(addWorkingTime(at('2027-02-04T17:00:00'), 60, reloaded)).toBe(at('2027-02-15T09:00:00'))
    // Put the year back as the API would.
    expect((await t.admin.put('/api/calendar/years/2027', year2027)).status).toBe(200)
  })

  it('rejects bad schedules with 400 and writes nothing', async () => {
    const before = await t.admin.get('/api/calendar')
    const audits = await auditCount()
    const cases: [unknown, string][] = [
      [{ holidays: [{ name: '春节', startDate: '2028-01-26', endDate: '2028-02-02' }], workdays: [{ name: '调休', startDate: '2028-01-30', endDate: '2028-01-30' }] }, 'invalid_calendar_period'],
      [{ holidays: [{ name: '错年', startDate: '2026-05-01', endDate: '2026-05-03' }], workdays: [] }, 'invalid_calendar_period'],
      [{ holidays: [{ name: '倒序', startDate: '2028-05-05', endDate: '2028-05-01' }], workdays: [] }, 'invalid_calendar_period'],
      [{ holidays: [{ name: '太长', startDate: '2028-07-01', endDate: '2028-08-15' }], workdays: [] }, 'invalid_calendar_period'],
      // 2027's 元旦 is already listed under 2027; the 2028 notice cannot claim the same date.
      [{ holidays: [{ name: '元旦', startDate: '2027-01-01', endDate: '2027-01-01' }], workdays: [] }, 'invalid_calendar_period'],
      [{ holidays: [{ name: '没有这天', startDate: '2028-02-30', endDate: '2028-02-30' }], workdays: [] }, 'validation_failed'],
      [{ holidays: [], workdays: [], extra: true }, 'validation_failed'],
      [{ holidays: [{ name: '', startDate: '2028-05-01', endDate: '2028-05-01' }], workdays: [] }, 'validation_failed'],
    ]
    for (const [body, code] of cases) {
      const res = await t.admin.put('/api/calendar/years/2028', body)
      expect(res.status, JSON.stringify(body)).toBe(400)
      expect(res.body.error.code).toBe(code)
    }
    expect((await t.admin.put('/api/calendar/years/1999', { holidays: [], workdays: [] })).body.error.code).toBe('invalid_calendar_year')
    expect((await t.admin.put('/api/calendar/years/1', { holidays: [], workdays: [] })).body.error.code).toBe('invalid_calendar_year')
    expect((await t.admin.delete('/api/calendar/years/1')).body.error.code).toBe('invalid_calendar_year')
    const after = await t.admin.get('/api/calendar')
    expect(after.body.revision).toBe(before.body.revision)
    expect(after.body.years.map((y: any) => y.year)).toEqual([2025, 2026, 2027])
    expect(await auditCount()).toBe(audits)
  })

  it('changes weekly hours (summer hours) and rejects overlapping or empty weeks', async () => {
    const summer = [{ start: '08:30', end: '12:00' }, { start: '14:00', end: '18:00' }]
    const week = { mon: summer, tue: summer, wed: summer, thu: summer, fri: summer, sat: [], sun: [] }
    const overlap = await t.admin.put('/api/calendar/hours', { weeklyHours: { ...week, mon: [{ start: '08:00', end: '12:00' }, { start: '11:00', end: '13:00' }] }, adjustedWorkdayHours: summer })
    expect(overlap.status).toBe(400)
    expect(overlap.body.error.code).toBe('invalid_working_hours')
    const backwards = await t.admin.put('/api/calendar/hours', { weeklyHours: { ...week, tue: [{ start: '12:00', end: '08:00' }] }, adjustedWorkdayHours: summer })
    expect(backwards.body.error.code).toBe('invalid_working_hours')
    const empty = await t.admin.put('/api/calendar/hours', { weeklyHours: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] }, adjustedWorkdayHours: summer })
    expect(empty.body.error.code).toBe('invalid_working_hours')
    expect((await t.admin.put('/api/calendar/hours', { weeklyHours: { ...week, mon: [{ start: '25:00', end: '26:00' }] }, adjustedWorkdayHours: summer })).status).toBe(400)

    const ok = await t.admin.put('/api/calendar/hours', { weeklyHours: week, adjustedWorkdayHours: summer })
    expect(ok.status).toBe(200)
    const preview = await t.admin.get(`/api/calendar/preview?start=${encodeURIComponent(at('2026-03-02T11:00:00'))}&amount=2&unit=working_hours`)
    expect(preview.body.dueAt).toBe(at('2026-03-02T15:00:00'))
    const standard = [{ start: '08:30', end: '12:00' }, { start: '13:30', end: '17:30' }]
    await t.admin.put('/api/calendar/hours', { weeklyHours: { mon: standard, tue: standard, wed: standard, thu: standard, fri: standard, sat: [], sun: [] }, adjustedWorkdayHours: standard })
  })

  it('lets a county keep its own calendar; only that county (or the whole deployment) may edit it', async () => {
    const countyAdmin = await userWith(t, 'county_admin', county.id)
    const townAdmin = await userWith(t, 'town_admin', units.subdistrict.id)
    const worker = await userWith(t, 'community_worker', units.communityA.id)
    const otherCounty = await createUnit(t, { parentId: null, type: 'county', name: '邻县' })

    // The default calendar is the deployment's: a county-level grant is not enough.
    expect((await countyAdmin.put('/api/calendar/years/2029', { holidays: [], workdays: [] })).status).toBe(403)
    expect((await townAdmin.put('/api/calendar/years/2029', { holidays: [], workdays: [] })).status).toBe(403)
    expect((await worker.put('/api/calendar/years/2029', { holidays: [], workdays: [] })).status).toBe(403)

    expect((await countyAdmin.put(`/api/calendar/years/2027?countyId=${county.id}`, year2027)).body.error.code).toBe('calendar_not_found')
    expect((await townAdmin.post('/api/calendar/overrides', { countyId: county.id })).status).toBe(403)
    expect((await countyAdmin.post('/api/calendar/overrides', { countyId: otherCounty.id })).status).toBe(403)
    expect((await countyAdmin.post('/api/calendar/overrides', { countyId: units.subdistrict.id })).body.error.code).toBe('not_a_county')
    expect((await countyAdmin.post('/api/calendar/overrides', { countyId: 999999 })).body.error.code).toBe('unit_not_found')

    const created = await countyAdmin.post('/api/calendar/overrides', { countyId: county.id })
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({ countyUnitId: county.id, ownCalendar: true })
    expect(created.body.years.map((y: any) => y.year)).toEqual([2025, 2026, 2027])
    expect((await countyAdmin.post('/api/calendar/overrides', { countyId: county.id })).body.error.code).toBe('calendar_override_exists')

    // A local holiday only in this county (e.g. a county anniversary), 2026-03-02 (Monday).
    const local = {
      source: '县政府通知',
      holidays: [...officialSchedules[1]!.periods.filter((p) => p.kind === 'holiday').map(({ name, startDate, endDate }) => ({ name, startDate, endDate })), { name: '县庆', startDate: '2026-03-02', endDate: '2026-03-02' }],
      workdays: officialSchedules[1]!.periods.filter((p) => p.kind === 'workday').map(({ name, startDate, endDate }) => ({ name, startDate, endDate })),
    }
    expect((await townAdmin.put(`/api/calendar/years/2026?countyId=${county.id}`, local)).status).toBe(403)
    const edited = await countyAdmin.put(`/api/calendar/years/2026?countyId=${county.id}`, local)
    expect(edited.status).toBe(200)

    const own = await loadCalendar(t.dbHandle.db, county.id)
    const standard = await loadCalendar(t.dbHandle.db, otherCounty.id)
    expect(addWorkingTime(at('2026-02-27T17:00:00'), 60, own)).toBe(at('2026-02-28T09:00:00'))
    expect(addWorkingTime(at('2026-03-01T12:00:00'), 60, own)).toBe(at('2026-03-03T09:30:00'))
    expect(addWorkingTime(at('2026-03-01T12:00:00'), 60, standard)).toBe(at('2026-03-02T09:30:00'))
    expect((await t.admin.get(`/api/calendar?countyId=${county.id}`)).body.ownCalendar).toBe(true)
    expect((await t.admin.get(`/api/calendar?countyId=${otherCounty.id}`)).body).toMatchObject({ ownCalendar: false, countyUnitId: null })
    expect((await t.admin.get('/api/calendar')).body.overrides).toEqual([{ countyUnitId: county.id, countyName: '测试县' }])
    const preview = await worker.get(`/api/calendar/preview?start=${encodeURIComponent(at('2026-03-01T12:00:00'))}&amount=1&unit=working_hours&countyId=${county.id}`)
    expect(preview.body.dueAt).toBe(at('2026-03-03T09:30:00'))

    const audit = await t.admin.get('/api/audit?action=calendar')
    expect(audit.body.items.map((e: any) => e.action)).toEqual(expect.arrayContaining(['calendar.override_create', 'calendar.year_set', 'calendar.hours_set']))

    expect((await townAdmin.delete(`/api/calendar/overrides/${county.id}`)).status).toBe(403)
    expect((await countyAdmin.delete(`/api/calendar/overrides/${county.id}`)).status).toBe(200)
    expect((await countyAdmin.delete(`/api/calendar/overrides/${county.id}`)).body.error.code).toBe('calendar_not_found')
    const back = await loadCalendar(t.dbHandle.db, county.id)
    expect(back.countyUnitId).toBeNull()
  })

  it('removes a year, once', async () => {
    await t.admin.put('/api/calendar/years/2030', { holidays: [{ name: '元旦', startDate: '2030-01-01', endDate: '2030-01-01' }], workdays: [] })
    const removed = await t.admin.delete('/api/calendar/years/2030')
    expect(removed.status).toBe(200)
    expect(removed.body.years.map((y: any) => y.year)).not.toContain(2030)
    const again = await t.admin.delete('/api/calendar/years/2030')
    expect(again.status).toBe(404)
    expect(again.body.error.code).toBe('calendar_year_not_found')
  })
})
