import type { Db } from '../../db/connect.js'
import { AppError } from '../../server/errors.js'
import { nowIso } from '../../lib/time.js'
import { randomToken } from '../../lib/tokens.js'
import { recordAudit } from '../audit/service.js'
import { requireActionOnPath, subtreeFilter, type Actor } from '../access/service.js'
import {
  addDuration, assertDuration, compileCalendar, compileRanges, dayNumber, weekdays, workingMinutesBetween,
  type CalendarPeriod, type CalendarSpec, type PeriodKind, type TimeRange, type WeeklyHours, type WorkingCalendar,
} from './working-time.js'
import type { CalendarView, CalendarYearView, CountyQuery, CreateOverrideInput, PeriodInput, PreviewQuery, PreviewView, SetHoursInput, SetYearInput } from './schema.js'
import * as store from './store.js'

// --- loading, with a cache that is correct across processes ------------------------------------

/**
 * Compiled calendars by revision. Every edit writes a new random revision, so a process that
 * reads the current revision from the database (one indexed lookup) never serves a stale
 * calendar, whichever process made the edit; a revision is unique, so one map serves every
 * database the process talks to.
 */
const cache = new Map<string, WorkingCalendar>()
const CACHE_LIMIT = 32

function remember(calendar: WorkingCalendar): WorkingCalendar {
  cache.delete(calendar.revision)
  cache.set(calendar.revision, calendar)
  while (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value as string)
  return calendar
}

const parseHours = (json: string): WeeklyHours => {
  const raw = JSON.parse(json) as Partial<WeeklyHours>
  return Object.fromEntries(weekdays.map((d) => [d, raw[d] ?? []])) as WeeklyHours
}

async function specOf(db: Db, row: store.CalendarRow): Promise<CalendarSpec> {
  const periods = await store.listPeriods(db, row.id)
  return {
    id: row.id,
    revision: row.revision,
    countyUnitId: row.county_unit_id,
    weeklyHours: parseHours(row.weekly_hours_json),
    adjustedWorkdayHours: JSON.parse(row.adjusted_hours_json) as TimeRange[],
    periods: periods.map((p) => ({ kind: p.kind as PeriodKind, name: p.name, startDate: p.start_date, endDate: p.end_date })),
  }
}

/**
 * The working calendar that applies in a county: its own when it has one, otherwise the
 * deployment's default. Cheap to call per request: one indexed read, then the cached compilation.
 */
export async function loadCalendar(db: Db, countyUnitId: number | null = null): Promise<WorkingCalendar> {
  const codes = countyUnitId ? [store.countyCode(countyUnitId), store.DEFAULT_CODE] : [store.DEFAULT_CODE]
  const heads = await store.findCalendarHeads(db, codes)
  const head = heads.find((h) => h.code !== store.DEFAULT_CODE) ?? heads[0]
  if (!head) throw new Error('the default working calendar is missing (run the migrations)')
  const hit = cache.get(head.revision)
  if (hit) return remember(hit)
  const row = await store.findCalendarById(db, head.id)
  if (!row) throw new Error('the working calendar changed while loading; try again')
  return remember(compileCalendar(await specOf(db, row)))
}

// --- access -----------------------------------------------------------------------------------

/** The default calendar belongs to the whole deployment; a county's own calendar to that county. */
async function requireCalendarManage(db: Db, actor: Actor, countyUnitId: number | null): Promise<void> {
  if (countyUnitId === null) {
    if (!subtreeFilter(actor, 'catalog.manage').all) throw new AppError('forbidden', { action: 'catalog.manage', calendar: 'default' })
    return
  }
  const county = await requireCounty(db, countyUnitId)
  requireActionOnPath(actor, 'catalog.manage', county.path)
}

async function requireCounty(db: Db, countyUnitId: number) {
  const county = await store.findUnit(db, countyUnitId)
  if (!county) throw new AppError('unit_not_found', { unitId: countyUnitId })
  if (county.type !== 'county') throw new AppError('not_a_county', { unitId: countyUnitId, type: county.type })
  return county
}

/** The calendar row to edit: the county's own (404 when it has none) or the default. */
async function editableCalendar(db: Db, countyUnitId: number | null): Promise<store.CalendarRow> {
  const row = await store.findCalendarByCode(db, countyUnitId === null ? store.DEFAULT_CODE : store.countyCode(countyUnitId))
  if (!row) {
    if (countyUnitId === null) throw new Error('the default working calendar is missing (run the migrations)')
    throw new AppError('calendar_not_found', { countyId: countyUnitId })
  }
  return row
}

// --- views ------------------------------------------------------------------------------------

const toPeriodView = (p: { name: string; start_date: string; end_date: string }) => ({ name: p.name, startDate: p.start_date, endDate: p.end_date })

async function calendarView(db: Db, row: store.CalendarRow, ownCalendar: boolean): Promise<CalendarView> {
  const [years, periods, overrides] = await Promise.all([store.listYears(db, row.id), store.listPeriods(db, row.id), store.listOverrides(db)])
  const yearViews: CalendarYearView[] = years.map((y) => ({
    year: y.year,
    source: y.source,
    holidays: periods.filter((p) => p.year === y.year && p.kind === 'holiday').map(toPeriodView),
    workdays: periods.filter((p) => p.year === y.year && p.kind === 'workday').map(toPeriodView),
    updatedAt: y.updated_at,
  }))
  return {
    id: row.id,
    name: row.name,
    countyUnitId: row.county_unit_id,
    ownCalendar,
    timeZone: 'Asia/Shanghai',
    weeklyHours: parseHours(row.weekly_hours_json),
    adjustedWorkdayHours: JSON.parse(row.adjusted_hours_json) as TimeRange[],
    years: yearViews,
    overrides: overrides.filter((o): o is { countyUnitId: number; countyName: string } => o.countyUnitId !== null),
    revision: row.revision,
    updatedAt: row.updated_at,
  }
}

/** The calendar that applies in a county (its own or the default), or the default calendar. */
export async function getCalendar(db: Db, _actor: Actor, query: CountyQuery): Promise<CalendarView> {
  if (query.countyId !== undefined) {
    await requireCounty(db, query.countyId)
    const own = await store.findCalendarByCode(db, store.countyCode(query.countyId))
    if (own) return calendarView(db, own, true)
  }
  return calendarView(db, await editableCalendar(db, null), false)
}

// --- editing ----------------------------------------------------------------------------------

function checkYear(year: number): void {
  if (!Number.isInteger(year) || year < 2000 || year > 2100) throw new AppError('invalid_calendar_year', { year })
}

/** Dates of a year's schedule may reach into the neighbouring months (元旦 2024 began on 2023-12-30). */
function checkYearPeriods(year: number, input: SetYearInput): CalendarPeriod[] {
  checkYear(year)
  const first = dayNumber(`${year - 1}-12-01`)
  const last = dayNumber(`${year + 1}-01-31`)
  const out: CalendarPeriod[] = []
  const check = (list: PeriodInput[], kind: PeriodKind) => list.forEach((p, index) => {
    const field = `${kind === 'holiday' ? 'holidays' : 'workdays'}.${index}`
    let start: number
    let end: number
    try {
      start = dayNumber(p.startDate)
      end = dayNumber(p.endDate)
    } catch {
      throw new AppError('invalid_calendar_period', { field, problem: 'not a calendar date' })
    }
    if (end < start) throw new AppError('invalid_calendar_period', { field, problem: 'ends before it starts' })
    if (end - start > 30) throw new AppError('invalid_calendar_period', { field, problem: 'longer than 31 days' })
    if (start < first || end > last) throw new AppError('invalid_calendar_period', { field, problem: `outside ${year - 1}-12-01 … ${year + 1}-01-31` })
    out.push({ kind, name: p.name.trim() || p.name, startDate: p.startDate, endDate: p.endDate })
  })
  check(input.holidays, 'holiday')
  check(input.workdays, 'workday')
  return out
}

function compileOrExplain(spec: CalendarSpec, code: 'invalid_calendar_period' | 'invalid_working_hours'): void {
  try {
    compileCalendar(spec)
  } catch (e) {
    if (e instanceof RangeError) throw new AppError(code, { problem: e.message })
    throw e
  }
}

/** Replaces one year's holidays and adjusted working days (the notice of that year). */
export async function setYear(db: Db, actor: Actor, year: number, query: CountyQuery, input: SetYearInput): Promise<CalendarView> {
  const countyId = query.countyId ?? null
  return db.transaction().execute(async (trx) => {
    await requireCalendarManage(trx, actor, countyId)
    const row = await editableCalendar(trx, countyId)
    const periods = checkYearPeriods(year, input)
    const current = await specOf(trx, row)
    const before = await store.listPeriods(trx, row.id)
    const others = before.filter((p) => p.year !== year).map((p) => ({ kind: p.kind as PeriodKind, name: p.name, startDate: p.start_date, endDate: p.end_date }))
    // The whole calendar must still compile: no date may be both a holiday and a working day, in this year or another.
    compileOrExplain({ ...current, periods: [...others, ...periods] }, 'invalid_calendar_period')
    const now = nowIso()
    await store.replaceYear(trx, row.id, year, input.source ?? null, periods.map((p) => ({ kind: p.kind, name: p.name, start_date: p.startDate, end_date: p.endDate })), now)
    await store.updateCalendar(trx, row.id, { revision: randomToken(12), updated_at: now })
    const county = countyId === null ? null : await store.findUnit(trx, countyId)
    await recordAudit(trx, actor, {
      action: 'calendar.year_set', entityType: 'calendar', entityId: row.id, unitId: countyId, unitPath: county?.path ?? null,
      before: { year, periods: before.filter((p) => p.year === year).map((p) => ({ kind: p.kind, ...toPeriodView(p) })) },
      after: { year, source: input.source ?? null, periods },
    })
    return calendarView(trx, (await store.findCalendarById(trx, row.id))!, countyId !== null)
  })
}

export async function deleteYear(db: Db, actor: Actor, year: number, query: CountyQuery): Promise<CalendarView> {
  const countyId = query.countyId ?? null
  checkYear(year)
  return db.transaction().execute(async (trx) => {
    await requireCalendarManage(trx, actor, countyId)
    const row = await editableCalendar(trx, countyId)
    const before = (await store.listPeriods(trx, row.id)).filter((p) => p.year === year)
    if ((await store.deleteYear(trx, row.id, year)) === 0) throw new AppError('calendar_year_not_found', { year })
    const now = nowIso()
    await store.updateCalendar(trx, row.id, { revision: randomToken(12), updated_at: now })
    const county = countyId === null ? null : await store.findUnit(trx, countyId)
    await recordAudit(trx, actor, {
      action: 'calendar.year_delete', entityType: 'calendar', entityId: row.id, unitId: countyId, unitPath: county?.path ?? null,
      before: { year, periods: before.map((p) => ({ kind: p.kind, ...toPeriodView(p) })) },
    })
    return calendarView(trx, (await store.findCalendarById(trx, row.id))!, countyId !== null)
  })
}

/** Replaces the weekly working hours and the hours of an adjusted working day. */
export async function setHours(db: Db, actor: Actor, query: CountyQuery, input: SetHoursInput): Promise<CalendarView> {
  const countyId = query.countyId ?? null
  try {
    for (const d of weekdays) compileRanges(input.weeklyHours[d], d)
    compileRanges(input.adjustedWorkdayHours, 'adjusted working day')
  } catch (e) {
    if (e instanceof RangeError) throw new AppError('invalid_working_hours', { problem: e.message })
    throw e
  }
  return db.transaction().execute(async (trx) => {
    await requireCalendarManage(trx, actor, countyId)
    const row = await editableCalendar(trx, countyId)
    const current = await specOf(trx, row)
    compileOrExplain({ ...current, weeklyHours: input.weeklyHours, adjustedWorkdayHours: input.adjustedWorkdayHours }, 'invalid_working_hours')
    const now = nowIso()
    await store.updateCalendar(trx, row.id, {
      weekly_hours_json: JSON.stringify(input.weeklyHours), adjusted_hours_json: JSON.stringify(input.adjustedWorkdayHours),
      revision: randomToken(12), updated_at: now,
    })
    const county = countyId === null ? null : await store.findUnit(trx, countyId)
    await recordAudit(trx, actor, {
      action: 'calendar.hours_set', entityType: 'calendar', entityId: row.id, unitId: countyId, unitPath: county?.path ?? null,
      before: { weeklyHours: current.weeklyHours, adjustedWorkdayHours: current.adjustedWorkdayHours },
      after: input,
    })
    return calendarView(trx, (await store.findCalendarById(trx, row.id))!, countyId !== null)
  })
}

/** Gives a county a calendar of its own, starting as a copy of the default. */
export async function createOverride(db: Db, actor: Actor, input: CreateOverrideInput): Promise<CalendarView> {
  return db.transaction().execute(async (trx) => {
    const county = await requireCounty(trx, input.countyId)
    requireActionOnPath(actor, 'catalog.manage', county.path)
    if (await store.findCalendarByCode(trx, store.countyCode(county.id))) throw new AppError('calendar_override_exists', { countyId: county.id })
    const base = await editableCalendar(trx, null)
    const now = nowIso()
    const { id } = await store.insertCalendar(trx, {
      code: store.countyCode(county.id), county_unit_id: county.id, name: `${county.name}工作日历`,
      weekly_hours_json: base.weekly_hours_json, adjusted_hours_json: base.adjusted_hours_json, revision: randomToken(12), created_at: now, updated_at: now,
    })
    await store.copyDays(trx, base.id, id, now)
    await recordAudit(trx, actor, {
      action: 'calendar.override_create', entityType: 'calendar', entityId: id, unitId: county.id, unitPath: county.path, after: { countyId: county.id, copiedFrom: base.id },
    })
    return calendarView(trx, (await store.findCalendarById(trx, id))!, true)
  })
}

/** The county goes back to the default calendar. */
export async function deleteOverride(db: Db, actor: Actor, countyUnitId: number): Promise<{ ok: true }> {
  await db.transaction().execute(async (trx) => {
    const county = await requireCounty(trx, countyUnitId)
    requireActionOnPath(actor, 'catalog.manage', county.path)
    const row = await editableCalendar(trx, county.id)
    const spec = await specOf(trx, row)
    await store.deleteCalendar(trx, row.id)
    await recordAudit(trx, actor, {
      action: 'calendar.override_delete', entityType: 'calendar', entityId: row.id, unitId: county.id, unitPath: county.path,
      before: { weeklyHours: spec.weeklyHours, adjustedWorkdayHours: spec.adjustedWorkdayHours, periods: spec.periods },
    })
  })
  return { ok: true }
}

/** Computes a deadline on the calendar that applies (for the UI: "due by …"). */
export async function previewDeadline(db: Db, _actor: Actor, query: PreviewQuery): Promise<PreviewView> {
  const duration = { amount: query.amount, unit: query.unit }
  try {
    assertDuration(duration)
  } catch (e) {
    if (e instanceof RangeError) throw new AppError('invalid_duration', { problem: e.message })
    throw e
  }
  const start = query.start ? new Date(query.start).toISOString() : nowIso()
  const calendar = await loadCalendar(db, query.countyId ?? null)
  const dueAt = addDuration(start, duration, calendar)
  return {
    start, amount: query.amount, unit: query.unit, dueAt,
    workingMinutes: workingMinutesBetween(start, dueAt, calendar),
    calendarMinutes: (Date.parse(dueAt) - Date.parse(start)) / 60_000,
    calendarId: calendar.id,
  }
}
