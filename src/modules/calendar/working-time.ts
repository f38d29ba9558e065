/**
 * Working-time arithmetic on a calendar of Asia/Shanghai working hours, public holidays and
 * adjusted working days (调休). Pure: no database, no clock; every function takes the compiled
 * calendar (see `compileCalendar`, or `loadCalendar` in service.ts) and instants as Date or ISO.
 *
 * Conventions (the request deadlines depend on them):
 * - Working time is a set of half-open intervals [start, end) per local day. A deadline may fall
 *   exactly on the end of an interval (a 2-working-hour job started at 10:00 is due at 12:00, not at
 *   13:30): for m > 0, `addWorkingTime` returns the first instant by which m working minutes have
 *   elapsed, so the millisecond before it is always working time.
 * - Adding 0 returns the start unchanged, even outside working hours.
 * - Working days count as the law counts periods: the day of receipt is not counted (期间开始的当日
 *   不计入, 《民法典》第二百零一条); the deadline is the end of the last working interval of the n-th
 *   working day after it.
 * - Durations carry their unit: `hours` are natural hours (emergency 2 h and urgent 24 h run day
 *   and night), `working_hours` and `working_days` follow the calendar.
 * - The clock stops during pauses (waiting for the resident): pauses remove natural time from an
 *   `hours` clock and working time from a working clock.
 */

const MINUTE = 60_000
const DAY = 86_400_000
/** Asia/Shanghai has kept UTC+8 all year since 1991 (no daylight saving), so local time is a fixed offset. */
const SHANGHAI_OFFSET = 8 * 3_600_000
/** A calendar with no working time for this many consecutive days is broken; stop instead of looping. */
const MAX_IDLE_DAYS = 400

export const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const
export type Weekday = (typeof weekdays)[number]

/** Local clock times 'HH:MM' (end may be '24:00'); the interval is [start, end). */
export interface TimeRange {
  start: string
  end: string
}
export type WeeklyHours = Record<Weekday, TimeRange[]>

export type PeriodKind = 'holiday' | 'workday'
/** A run of calendar dates (YYYY-MM-DD, inclusive) that are holidays, or adjusted working days. */
export interface CalendarPeriod {
  kind: PeriodKind
  name: string
  startDate: string
  endDate: string
}

/** What a calendar is made of: the editable data. */
export interface CalendarSpec {
  id: number
  /** Changes on every edit; caches key on it. */
  revision: string
  countyUnitId: number | null
  weeklyHours: WeeklyHours
  /** Hours of an adjusted working day (调休上班), whatever weekday it falls on. */
  adjustedWorkdayHours: TimeRange[]
  periods: CalendarPeriod[]
}

type Minutes = readonly [number, number]

/** A calendar ready for arithmetic. Build with `compileCalendar`. */
export interface WorkingCalendar {
  readonly id: number
  readonly revision: string
  readonly countyUnitId: number | null
  readonly timeZone: 'Asia/Shanghai'
  readonly spec: CalendarSpec
  /** Intervals in minutes after local midnight, index 0 = Monday. */
  readonly weekly: readonly (readonly Minutes[])[]
  readonly adjusted: readonly Minutes[]
  /** Local day number (days since 1970-01-01 in Asia/Shanghai) → what the schedule says of it. */
  readonly days: ReadonlyMap<number, PeriodKind>
}

export const durationUnits = ['hours', 'working_hours', 'working_days'] as const
export type DurationUnit = (typeof durationUnits)[number]
/** A time allowance with its unit made explicit: natural hours, working hours or working days. */
export interface Duration {
  amount: number
  unit: DurationUnit
}

/** The clock stopped from `from` to `to`; `to` null: still stopped. */
export interface Pause {
  from: Date | string
  to: Date | string | null
}

export type Instant = Date | string

// --- local time ------------------------------------------------------------------------------

const TIME = /^(?:([01]\d|2[0-3]):([0-5]\d)|24:00)$/

/** 'HH:MM' → minutes after midnight; throws RangeError when malformed. */
export function parseClockTime(text: string): number {
  const m = TIME.exec(text)
  if (!m) throw new RangeError(`invalid time of day: ${text}`)
  return m[1] === undefined ? 24 * 60 : Number(m[1]) * 60 + Number(m[2])
}

const toMs = (t: Instant): number => {
  const ms = typeof t === 'string' ? Date.parse(t) : t instanceof Date ? t.getTime() : NaN
  if (!Number.isFinite(ms)) throw new RangeError(`invalid instant: ${String(t)}`)
  return ms
}
const iso = (ms: number): string => new Date(ms).toISOString()
const localDayOf = (ms: number): number => Math.floor((ms + SHANGHAI_OFFSET) / DAY)
const dayStartMs = (day: number): number => day * DAY - SHANGHAI_OFFSET
/** 0 = Monday … 6 = Sunday (1970-01-01 was a Thursday). */
const weekdayIndex = (day: number): number => (((day + 3) % 7) + 7) % 7

const DATE = /^\d{4}-\d{2}-\d{2}$/
/** 'YYYY-MM-DD' → local day number; throws RangeError for anything but a real date. */
export function dayNumber(date: string): number {
  const ms = DATE.test(date) ? Date.parse(`${date}T00:00:00Z`) : NaN
  if (!Number.isFinite(ms) || new Date(ms).toISOString().slice(0, 10) !== date) throw new RangeError(`invalid date: ${date}`)
  return ms / DAY
}
export const dateOfDayNumber = (day: number): string => new Date(day * DAY).toISOString().slice(0, 10)
/** The Asia/Shanghai calendar date of an instant. */
export const localDate = (at: Instant): string => dateOfDayNumber(localDayOf(toMs(at)))

// --- compiling -------------------------------------------------------------------------------

/** Sorted, non-overlapping intervals in minutes; throws RangeError describing the first problem. */
export function compileRanges(ranges: readonly TimeRange[], label: string): Minutes[] {
  const out = ranges
    .map((r): Minutes => {
      const start = parseClockTime(r.start)
      const end = parseClockTime(r.end)
      if (start >= end) throw new RangeError(`${label}: ${r.start}–${r.end} does not end after it starts`)
      return [start, end]
    })
    .sort((a, b) => a[0] - b[0])
  for (let i = 1; i < out.length; i++) {
    if (out[i]![0] < out[i - 1]![1]) throw new RangeError(`${label}: intervals overlap`)
  }
  return out
}

/** Checks and compiles a calendar; throws RangeError on invalid data (overlapping periods, bad times, no working time). */
export function compileCalendar(spec: CalendarSpec): WorkingCalendar {
  const weekly = weekdays.map((d) => compileRanges(spec.weeklyHours[d] ?? [], d))
  if (weekly.every((w) => w.length === 0)) throw new RangeError('the week has no working hours')
  const adjusted = compileRanges(spec.adjustedWorkdayHours, 'adjusted working day')
  if (adjusted.length === 0) throw new RangeError('an adjusted working day needs working hours')
  const days = new Map<number, PeriodKind>()
  for (const p of spec.periods) {
    const first = dayNumber(p.startDate)
    const last = dayNumber(p.endDate)
    if (last < first) throw new RangeError(`${p.name}: ends before it starts`)
    for (let d = first; d <= last; d++) {
      if (days.has(d)) throw new RangeError(`${dateOfDayNumber(d)} is listed twice`)
      days.set(d, p.kind)
    }
  }
  return { id: spec.id, revision: spec.revision, countyUnitId: spec.countyUnitId, timeZone: 'Asia/Shanghai', spec, weekly, adjusted, days }
}

const NONE: readonly Minutes[] = []
function intervalsOfDay(cal: WorkingCalendar, day: number): readonly Minutes[] {
  const kind = cal.days.get(day)
  if (kind === 'holiday') return NONE
  if (kind === 'workday') return cal.adjusted
  return cal.weekly[weekdayIndex(day)] ?? NONE
}

// --- segments: the stretches of time a clock counts --------------------------------------------

type Segment = readonly [number, number]

/** Working intervals from `fromMs` onwards, ascending, clipped to start at `fromMs`. */
function* workingForward(cal: WorkingCalendar, fromMs: number): Generator<Segment, void> {
  let idle = 0
  for (let day = localDayOf(fromMs); ; day++) {
    const intervals = intervalsOfDay(cal, day)
    if (intervals.length === 0) {
      if (++idle > MAX_IDLE_DAYS) throw new RangeError(`the calendar has no working time for ${MAX_IDLE_DAYS} days after ${localDate(iso(fromMs))}`)
      continue
    }
    idle = 0
    const base = dayStartMs(day)
    for (const [s, e] of intervals) {
      const end = base + e * MINUTE
      if (end <= fromMs) continue
      yield [Math.max(base + s * MINUTE, fromMs), end]
    }
  }
}

/** Working intervals before `fromMs`, descending, clipped to end at `fromMs`. */
function* workingBackward(cal: WorkingCalendar, fromMs: number): Generator<Segment, void> {
  let idle = 0
  for (let day = localDayOf(fromMs); ; day--) {
    const intervals = intervalsOfDay(cal, day)
    if (intervals.length === 0) {
      if (++idle > MAX_IDLE_DAYS) throw new RangeError(`the calendar has no working time for ${MAX_IDLE_DAYS} days before ${localDate(iso(fromMs))}`)
      continue
    }
    idle = 0
    const base = dayStartMs(day)
    for (let i = intervals.length - 1; i >= 0; i--) {
      const [s, e] = intervals[i]!
      const start = base + s * MINUTE
      if (start >= fromMs) continue
      yield [start, Math.min(base + e * MINUTE, fromMs)]
    }
  }
}

function* naturalForward(fromMs: number): Generator<Segment, void> {
  yield [fromMs, Infinity]
}

interface PauseMs {
  from: number
  to: number
}

/** Sorted, merged pauses as milliseconds; an open pause runs to +∞. */
function normalizePauses(pauses: readonly Pause[]): PauseMs[] {
  const list = pauses.map((p) => {
    const from = toMs(p.from)
    const to = p.to === null ? Infinity : toMs(p.to)
    if (to < from) throw new RangeError(`a pause ends before it starts: ${String(p.from)} → ${String(p.to)}`)
    return { from, to }
  }).sort((a, b) => a.from - b.from)
  const merged: PauseMs[] = []
  for (const p of list) {
    const last = merged[merged.length - 1]
    if (last && p.from <= last.to) last.to = Math.max(last.to, p.to)
    else merged.push({ ...p })
  }
  return merged
}

/** Ascending segments with the pauses cut out; ends for good at an open pause. */
function* minusPauses(segments: Iterable<Segment>, pauses: readonly PauseMs[]): Generator<Segment, void> {
  let i = 0
  for (const [segStart, segEnd] of segments) {
    let a = segStart
    while (a < segEnd) {
      while (i < pauses.length && pauses[i]!.to <= a) i++
      const p = pauses[i]
      if (!p || p.from >= segEnd) {
        yield [a, segEnd]
        break
      }
      if (p.from > a) yield [a, p.from]
      if (p.to === Infinity) return
      a = p.to
    }
  }
}

/** The instant at which `budget` ms of the ascending segments have elapsed; null when they run out. */
function consumeForward(segments: Iterable<Segment>, budget: number): number | null {
  let left = budget
  for (const [a, b] of segments) {
    if (left <= b - a) return a + left
    left -= b - a
  }
  return null
}

function consumeBackward(segments: Iterable<Segment>, budget: number): number {
  let left = budget
  for (const [a, b] of segments) {
    if (left <= b - a) return b - left
    left -= b - a
  }
  throw new RangeError('ran out of working time')
}

/** Milliseconds of the ascending segments that lie before `endMs`. */
function measure(segments: Iterable<Segment>, endMs: number): number {
  let total = 0
  for (const [a, b] of segments) {
    if (a >= endMs) break
    total += Math.min(b, endMs) - a
  }
  return total
}

const checkedMinutes = (minutes: number): number => {
  if (!Number.isFinite(minutes)) throw new RangeError(`invalid number of minutes: ${minutes}`)
  return Math.round(minutes * MINUTE)
}

// --- the public arithmetic -----------------------------------------------------------------------

/**
 * The instant `minutes` working minutes after `start` (before it when negative). Adding 0 returns
 * the start itself; for minutes > 0 the result is never inside non-working time (at most on the
 * end of a working interval).
 */
export function addWorkingTime(start: Instant, minutes: number, calendar: WorkingCalendar): string {
  const from = toMs(start)
  const budget = checkedMinutes(minutes)
  if (budget === 0) return iso(from)
  if (budget > 0) return iso(consumeForward(workingForward(calendar, from), budget)!)
  return iso(consumeBackward(workingBackward(calendar, from), -budget))
}

/** Working minutes from a to b (negative when b is before a): the inverse of `addWorkingTime`. */
export function workingMinutesBetween(a: Instant, b: Instant, calendar: WorkingCalendar): number {
  const x = toMs(a)
  const y = toMs(b)
  if (x === y) return 0
  if (x > y) return -workingMinutesBetween(b, a, calendar)
  return measure(workingForward(calendar, x), y) / MINUTE
}

/** Is this instant inside working time? (Interval ends are not: 12:00 is lunch.) */
export function isWorkingInstant(at: Instant, calendar: WorkingCalendar): boolean {
  const ms = toMs(at)
  const day = localDayOf(ms)
  const offset = ms - dayStartMs(day)
  return intervalsOfDay(calendar, day).some(([s, e]) => offset >= s * MINUTE && offset < e * MINUTE)
}

/** The instant itself when it is working time, otherwise the start of the next working interval. */
export function nextWorkingInstant(at: Instant, calendar: WorkingCalendar): string {
  for (const [a] of workingForward(calendar, toMs(at))) return iso(a)
  throw new RangeError('no working time ahead')
}

/** Does this date (YYYY-MM-DD, or the local date of an instant) have working hours? */
export function isWorkingDay(date: string | Date, calendar: WorkingCalendar): boolean {
  const day = typeof date === 'string' && DATE.test(date) ? dayNumber(date) : localDayOf(toMs(date))
  return intervalsOfDay(calendar, day).length > 0
}

/** What the schedule says of a date: a holiday, an adjusted working day, or an ordinary day. */
export function dayKind(date: string, calendar: WorkingCalendar): PeriodKind | 'ordinary' {
  return calendar.days.get(dayNumber(date)) ?? 'ordinary'
}

/**
 * The end of the working day `days` working days after the day of `start` (which does not count).
 * 0 returns the start itself.
 */
export function addWorkingDays(start: Instant, days: number, calendar: WorkingCalendar): string {
  const from = toMs(start)
  if (!Number.isInteger(days) || days < 0) throw new RangeError(`working days must be a whole number ≥ 0, got ${days}`)
  if (days === 0) return iso(from)
  let day = localDayOf(from)
  let counted = 0
  let idle = 0
  let intervals: readonly Minutes[] = NONE
  while (counted < days) {
    day++
    intervals = intervalsOfDay(calendar, day)
    if (intervals.length > 0) {
      counted++
      idle = 0
    } else if (++idle > MAX_IDLE_DAYS) {
      throw new RangeError(`the calendar has no working time for ${MAX_IDLE_DAYS} days`)
    }
  }
  return iso(dayStartMs(day) + intervals[intervals.length - 1]![1] * MINUTE)
}

// --- durations and clocks ----------------------------------------------------------------------

/** Throws RangeError unless the duration is usable: a positive finite amount, whole working days. */
export function assertDuration(d: Duration): void {
  if (!(durationUnits as readonly string[]).includes(d.unit)) throw new RangeError(`unknown duration unit: ${String(d.unit)}`)
  if (!Number.isFinite(d.amount) || d.amount < 0) throw new RangeError(`a duration must be a finite amount ≥ 0, got ${d.amount}`)
  if (d.unit === 'working_days' && !Number.isInteger(d.amount)) throw new RangeError('working days must be a whole number')
}

/** The deadline for a duration from `start`, no pauses. */
export function addDuration(start: Instant, d: Duration, calendar: WorkingCalendar): string {
  assertDuration(d)
  switch (d.unit) {
    case 'hours': return iso(toMs(start) + Math.round(d.amount * 60 * MINUTE))
    case 'working_hours': return addWorkingTime(start, d.amount * 60, calendar)
    case 'working_days': return addWorkingDays(start, d.amount, calendar)
  }
}

/** Natural time for `hours`, working time for the working units. */
const isWorkingClock = (unit: DurationUnit): boolean => unit !== 'hours'

function clockSegments(unit: DurationUnit, calendar: WorkingCalendar, fromMs: number, pauses: readonly Pause[]): Iterable<Segment> {
  const base = isWorkingClock(unit) ? workingForward(calendar, fromMs) : naturalForward(fromMs)
  return pauses.length === 0 ? base : minusPauses(base, normalizePauses(pauses))
}

/**
 * Minutes on the duration's clock that the full allowance grants from `start`: natural minutes
 * for `hours`, working minutes otherwise (working days convert through `addWorkingDays`).
 */
export function clockBudgetMinutes(start: Instant, d: Duration, calendar: WorkingCalendar): number {
  assertDuration(d)
  if (d.unit === 'working_days') return workingMinutesBetween(start, addWorkingDays(start, d.amount, calendar), calendar)
  return d.amount * 60
}

/** Minutes that elapsed on a clock of this unit from `a` to `b`, pauses excluded (0 when b ≤ a). */
export function clockMinutesBetween(a: Instant, b: Instant, unit: DurationUnit, calendar: WorkingCalendar, pauses: readonly Pause[] = []): number {
  const x = toMs(a)
  const y = toMs(b)
  if (y <= x) return 0
  return measure(clockSegments(unit, calendar, x, pauses), y) / MINUTE
}

export interface DeadlineOptions {
  /** Intervals during which the clock stood still (waiting for the resident). */
  pauses?: readonly Pause[]
  /** Clock minutes already spent paused, when the caller keeps a running total instead of the list. */
  pausedClockMinutes?: number
  /** A fraction of the allowance (0.8: when to warn). Default 1. */
  fraction?: number
}

/**
 * The instant by which the duration's clock, started at `start`, has run out — stopped during the
 * pauses. Null while a pause is still open (the deadline is not known until the clock runs again).
 * Without pauses and fraction this equals `addDuration`.
 */
export function computeDeadline(start: Instant, d: Duration, calendar: WorkingCalendar, options: DeadlineOptions = {}): string | null {
  const from = toMs(start)
  const fraction = options.fraction ?? 1
  if (!Number.isFinite(fraction) || fraction < 0) throw new RangeError(`invalid fraction: ${fraction}`)
  const extra = options.pausedClockMinutes ?? 0
  if (!Number.isFinite(extra) || extra < 0) throw new RangeError(`invalid paused minutes: ${extra}`)
  const budget = Math.round(clockBudgetMinutes(start, d, calendar) * fraction * MINUTE) + Math.round(extra * MINUTE)
  if (budget === 0) return iso(from)
  const end = consumeForward(clockSegments(d.unit, calendar, from, options.pauses ?? []), budget)
  return end === null ? null : iso(end)
}
