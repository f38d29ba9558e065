import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { officialSchedules, standardWeeklyHours, standardDayHours } from './official-schedules.js'
import {
  addDuration, addWorkingDays, addWorkingTime, clockBudgetMinutes, clockMinutesBetween, compileCalendar, computeDeadline, dayKind,
  isWorkingDay, isWorkingInstant, localDate, nextWorkingInstant, workingMinutesBetween, type Duration, type WorkingCalendar,
} from './working-time.js'

const calendar: WorkingCalendar = compileCalendar({
  id: 1, revision: 'test', countyUnitId: null, weeklyHours: standardWeeklyHours(), adjustedWorkdayHours: standardDayHours,
  periods: officialSchedules.flatMap((s) => s.periods),
})

/** Asia/Shanghai wall time → ISO instant. */
const at = (local: string): string => new Date(`${local}+08:00`).toISOString()

// --- an independent oracle: Intl's Asia/Shanghai wall clock and the published lists -------------

const expand = (kind: 'holiday' | 'workday'): Set<string> => {
  const out = new Set<string>()
  for (const p of officialSchedules.flatMap((s) => s.periods).filter((x) => x.kind === kind)) {
    for (let d = new Date(`${p.startDate}T00:00:00Z`); d <= new Date(`${p.endDate}T00:00:00Z`); d = new Date(d.getTime() + 86_400_000)) {
      out.add(d.toISOString().slice(0, 10))
    }
  }
  return out
}
const holidays = expand('holiday')
const workdays = expand('workday')
const wall = new Intl.DateTimeFormat('en-US', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', weekday: 'short', hourCycle: 'h23' })
const hourCache = new Map<number, { date: string; hour: number; weekday: string }>()
/** Local date, hour and weekday, asked of Intl once per UTC hour (Shanghai's offset is whole hours). */
function wallClock(ms: number) {
  const key = Math.floor(ms / 3_600_000)
  let v = hourCache.get(key)
  if (!v) {
    const parts = Object.fromEntries(wall.formatToParts(new Date(key * 3_600_000)).map((p) => [p.type, p.value]))
    v = { date: `${parts.year}-${parts.month}-${parts.day}`, hour: Number(parts.hour), weekday: parts.weekday as string }
    hourCache.set(key, v)
  }
  return v
}
function oracleWorkingDay(date: string, weekday: string): boolean {
  if (holidays.has(date)) return false
  if (workdays.has(date)) return true
  return !['Sat', 'Sun'].includes(weekday)
}
function oracleIsWorking(ms: number): boolean {
  const { date, hour, weekday } = wallClock(ms)
  if (!oracleWorkingDay(date, weekday)) return false
  const minute = hour * 60 + (ms % 3_600_000) / 60_000
  return (minute >= 8 * 60 + 30 && minute < 12 * 60) || (minute >= 13 * 60 + 30 && minute < 17 * 60 + 30)
}

const FROM = Date.parse('2024-11-20T00:00:00Z')
const TO = Date.parse('2027-01-20T00:00:00Z')
const instant = fc.integer({ min: FROM, max: TO }).map((ms) => new Date(ms).toISOString())
const minuteAligned = fc.integer({ min: FROM / 60_000, max: TO / 60_000 }).map((m) => new Date(m * 60_000).toISOString())
const minutes = fc.integer({ min: 0, max: 20_000 })

describe('working time: properties', () => {
  it('isWorkingInstant agrees with an Intl-based reading of the official schedules', () => {
    fc.assert(fc.property(instant, (t) => isWorkingInstant(t, calendar) === oracleIsWorking(Date.parse(t))), { numRuns: 3000 })
  })

  it('workingMinutesBetween inverts addWorkingTime, forwards and backwards', () => {
    fc.assert(fc.property(instant, minutes, (s, m) => {
      expect(workingMinutesBetween(s, addWorkingTime(s, m, calendar), calendar)).toBe(m)
      expect(workingMinutesBetween(addWorkingTime(s, -m, calendar), s, calendar)).toBe(m)
    }), { numRuns: 1000 })
  })

  it('is monotonic in the minutes and in the start', () => {
    fc.assert(fc.property(instant, minutes, minutes, (s, a, b) => {
      const [lo, hi] = a <= b ? [a, b] : [b, a]
      expect(Date.parse(addWorkingTime(s, lo, calendar))).toBeLessThanOrEqual(Date.parse(addWorkingTime(s, hi, calendar)))
    }), { numRuns: 500 })
    fc.assert(fc.property(instant, instant, minutes, (x, y, m) => {
      const [s1, s2] = Date.parse(x) <= Date.parse(y) ? [x, y] : [y, x]
      expect(Date.parse(addWorkingTime(s1, m, calendar))).toBeLessThanOrEqual(Date.parse(addWorkingTime(s2, m, calendar)))
    }), { numRuns: 500 })
  })

  it('never ends inside non-working time: the millisecond before a deadline is working time', () => {
    fc.assert(fc.property(instant, fc.integer({ min: 1, max: 20_000 }), (s, m) => {
      const end = Date.parse(addWorkingTime(s, m, calendar))
      expect(end).toBeGreaterThan(Date.parse(s))
      expect(oracleIsWorking(end - 1)).toBe(true)
    }), { numRuns: 1000 })
  })

  it('counts exactly the working minutes a minute-by-minute walk counts (holidays skipped, adjusted days worked)', () => {
    fc.assert(fc.property(minuteAligned, fc.integer({ min: 1, max: 2_500 }), (s, m) => {
      let t = Date.parse(s)
      let counted = 0
      while (counted < m) {
        if (oracleIsWorking(t)) counted++
        t += 60_000
      }
      expect(addWorkingTime(s, m, calendar)).toBe(new Date(t).toISOString())
    }), { numRuns: 60 })
  })

  it('measures any interval as the oracle does', () => {
    fc.assert(fc.property(minuteAligned, fc.integer({ min: 0, max: 20 * 1440 }), (s, span) => {
      const start = Date.parse(s)
      let expected = 0
      for (let t = start; t < start + span * 60_000; t += 60_000) if (oracleIsWorking(t)) expected++
      expect(workingMinutesBetween(s, new Date(start + span * 60_000).toISOString(), calendar)).toBe(expected)
    }), { numRuns: 40 })
  })

  it('nextWorkingInstant is the first working instant at or after the given one', () => {
    fc.assert(fc.property(minuteAligned, (s) => {
      const next = Date.parse(nextWorkingInstant(s, calendar))
      expect(oracleIsWorking(next)).toBe(true)
      for (let t = Date.parse(s); t < next; t += 60_000) expect(oracleIsWorking(t)).toBe(false)
    }), { numRuns: 200 })
  })

  it('addWorkingDays ends at the close of the n-th working day after the day of receipt', () => {
    fc.assert(fc.property(instant, fc.integer({ min: 1, max: 30 }), (s, n) => {
      const due = addWorkingDays(s, n, calendar)
      const dueDate = localDate(due)
      expect(new Date(Date.parse(due) + 8 * 3_600_000).toISOString().slice(11, 16)).toBe('17:30')
      let count = 0
      for (let d = Date.parse(`${localDate(s)}T00:00:00Z`) + 86_400_000; d <= Date.parse(`${dueDate}T00:00:00Z`); d += 86_400_000) {
        const date = new Date(d).toISOString().slice(0, 10)
        const weekday = new Date(d).toUTCString().slice(0, 3)
        if (oracleWorkingDay(date, weekday)) count++
      }
      expect(count).toBe(n)
      expect(isWorkingDay(dueDate, calendar)).toBe(true)
    }), { numRuns: 500 })
  })

  it('computeDeadline without pauses equals addDuration, and its clock measures the full allowance', () => {
    const duration = fc.oneof(
      fc.record({ amount: fc.integer({ min: 1, max: 48 }), unit: fc.constant('hours' as const) }),
      fc.record({ amount: fc.integer({ min: 1, max: 80 }), unit: fc.constant('working_hours' as const) }),
      fc.record({ amount: fc.integer({ min: 1, max: 20 }), unit: fc.constant('working_days' as const) }),
    )
    fc.assert(fc.property(instant, duration, (s, d: Duration) => {
      const due = computeDeadline(s, d, calendar)!
      expect(due).toBe(addDuration(s, d, calendar))
      expect(clockMinutesBetween(s, due, d.unit, calendar)).toBeCloseTo(clockBudgetMinutes(s, d, calendar), 6)
    }), { numRuns: 500 })
  })

  it('pauses stop the clock: the deadline moves by exactly the clock time paused', () => {
    const duration = fc.oneof(
      fc.record({ amount: fc.integer({ min: 1, max: 48 }), unit: fc.constant('hours' as const) }),
      fc.record({ amount: fc.integer({ min: 1, max: 80 }), unit: fc.constant('working_hours' as const) }),
      fc.record({ amount: fc.integer({ min: 1, max: 20 }), unit: fc.constant('working_days' as const) }),
    )
    fc.assert(fc.property(instant, duration, fc.integer({ min: 0, max: 5 * 1440 }), fc.integer({ min: 1, max: 3 * 1440 }), (s, d: Duration, offset, length) => {
      const from = new Date(Date.parse(s) + offset * 60_000).toISOString()
      const to = new Date(Date.parse(from) + length * 60_000).toISOString()
      const plain = computeDeadline(s, d, calendar)!
      const paused = computeDeadline(s, d, calendar, { pauses: [{ from, to }] })!
      expect(Date.parse(paused)).toBeGreaterThanOrEqual(Date.parse(plain))
      // The clock time the pause swallowed before the new deadline is exactly the extra allowance.
      const swallowed = clockMinutesBetween(from, Date.parse(to) < Date.parse(paused) ? to : paused, d.unit, calendar)
      const extra = Date.parse(from) < Date.parse(paused) ? swallowed : 0
      expect(computeDeadline(s, d, calendar, { pausedClockMinutes: extra })).toBe(paused)
      // Run down on a paused clock, the allowance is used exactly.
      expect(clockMinutesBetween(s, paused, d.unit, calendar, [{ from, to }])).toBeCloseTo(clockBudgetMinutes(s, d, calendar), 6)
    }), { numRuns: 500 })
  })
})

describe('working time: examples', () => {
  it('春节 2026: Saturday 2/14 is worked, 2/15–2/23 are skipped, Saturday 2/28 is worked', () => {
    expect(addWorkingTime(at('2026-02-13T16:30:00'), 120, calendar)).toBe(at('2026-02-14T09:30:00'))
    expect(addWorkingTime(at('2026-02-14T16:30:00'), 120, calendar)).toBe(at('2026-02-24T09:30:00'))
    expect(workingMinutesBetween(at('2026-02-14T17:30:00'), at('2026-02-24T08:30:00'), calendar)).toBe(0)
    // 7 working days from Friday 2/13: 2/14, 2/24, 2/25, 2/26, 2/27, 2/28, 3/2.
    expect(addWorkingDays(at('2026-02-13T10:00:00'), 7, calendar)).toBe(at('2026-03-02T17:30:00'))
    expect(addDuration(at('2026-02-13T10:00:00'), { amount: 7, unit: 'working_days' }, calendar)).toBe(at('2026-03-02T17:30:00'))
    expect(dayKind('2026-02-14', calendar)).toBe('workday')
    expect(dayKind('2026-02-16', calendar)).toBe('holiday')
    expect(dayKind('2026-02-13', calendar)).toBe('ordinary')
  })

  it('国庆 2025: Sunday 9/28 and Saturday 10/11 are worked, 10/1–10/8 are skipped', () => {
    expect(addWorkingTime(at('2025-09-27T10:00:00'), 60, calendar)).toBe(at('2025-09-28T09:30:00'))
    expect(addWorkingTime(at('2025-09-30T16:00:00'), 240, calendar)).toBe(at('2025-10-09T11:00:00'))
    // General matter received Tuesday 9/30: 10/9, 10/10, 10/11 (Sat, worked), 10/13, 10/14, 10/15, 10/16.
    expect(addWorkingDays(at('2025-09-30T09:00:00'), 7, calendar)).toBe(at('2025-10-16T17:30:00'))
    expect(isWorkingInstant(at('2025-10-08T10:00:00'), calendar)).toBe(false)
    expect(isWorkingInstant(at('2025-10-11T10:00:00'), calendar)).toBe(true)
  })

  it('元旦 2026 spans the year end: 12/31 17:00 + 1 h lands on Sunday 1/4', () => {
    expect(addWorkingTime(at('2025-12-31T17:00:00'), 60, calendar)).toBe(at('2026-01-04T09:00:00'))
  })

  it('ends on the end of a working interval rather than after lunch, and adding 0 changes nothing', () => {
    expect(addWorkingTime(at('2026-03-02T10:00:00'), 120, calendar)).toBe(at('2026-03-02T12:00:00'))
    expect(addWorkingTime(at('2026-03-02T10:00:00'), 121, calendar)).toBe(at('2026-03-02T13:31:00'))
    expect(addWorkingTime(at('2026-03-07T10:00:00'), 0, calendar)).toBe(at('2026-03-07T10:00:00'))
    expect(addWorkingTime(at('2026-03-02T13:30:00'), -1, calendar)).toBe(at('2026-03-02T11:59:00'))
  })

  it('natural hours run through nights and holidays; working hours do not', () => {
    const start = at('2026-02-14T16:30:00')
    expect(addDuration(start, { amount: 24, unit: 'hours' }, calendar)).toBe(at('2026-02-15T16:30:00'))
    expect(addDuration(start, { amount: 2, unit: 'working_hours' }, calendar)).toBe(at('2026-02-24T09:30:00'))
    expect(addDuration(start, { amount: 0.5, unit: 'hours' }, calendar)).toBe(at('2026-02-14T17:00:00'))
  })

  it('a pause in non-working time changes nothing on a working clock; an open pause leaves the deadline unknown', () => {
    const start = at('2026-03-06T16:00:00') // Friday
    const d: Duration = { amount: 2, unit: 'working_hours' }
    const weekend = { from: at('2026-03-07T09:00:00'), to: at('2026-03-08T18:00:00') }
    expect(computeDeadline(start, d, calendar, { pauses: [weekend] })).toBe(computeDeadline(start, d, calendar))
    expect(computeDeadline(start, d, calendar)).toBe(at('2026-03-09T09:00:00'))
    // Waiting for the resident Friday 17:00 → Monday 10:00 stops the clock for two working hours (17:00–17:30, 08:30–10:00).
    expect(computeDeadline(start, d, calendar, { pauses: [{ from: at('2026-03-06T17:00:00'), to: at('2026-03-09T10:00:00') }] })).toBe(at('2026-03-09T11:00:00'))
    expect(computeDeadline(start, d, calendar, { pauses: [{ from: at('2026-03-06T17:00:00'), to: null }] })).toBeNull()
    // Overlapping pauses count once.
    const overlapping = [{ from: at('2026-03-06T16:10:00'), to: at('2026-03-06T16:40:00') }, { from: at('2026-03-06T16:20:00'), to: at('2026-03-06T16:50:00') }]
    expect(computeDeadline(start, d, calendar, { pauses: overlapping })).toBe(at('2026-03-09T09:40:00'))
  })

  it('warns at 80 % of the allowance', () => {
    const start = at('2026-03-02T08:30:00')
    // 7 working days = 7 × 7.5 h of working time from Monday morning; 80 % = 42 h = 5.6 days.
    expect(clockBudgetMinutes(start, { amount: 7, unit: 'working_days' }, calendar)).toBe(8 * 450)
    expect(computeDeadline(start, { amount: 7, unit: 'working_days' }, calendar, { fraction: 0.8 })).toBe(addWorkingTime(start, 0.8 * 8 * 450, calendar))
  })

  it('rejects nonsense instead of looping or guessing', () => {
    expect(() => addWorkingTime('not a date', 10, calendar)).toThrow(RangeError)
    expect(() => addWorkingTime(at('2026-03-02T10:00:00'), Number.NaN, calendar)).toThrow(RangeError)
    expect(() => addWorkingDays(at('2026-03-02T10:00:00'), 1.5, calendar)).toThrow(RangeError)
    expect(() => addDuration(at('2026-03-02T10:00:00'), { amount: 2.5, unit: 'working_days' }, calendar)).toThrow(RangeError)
    expect(() => computeDeadline(at('2026-03-02T10:00:00'), { amount: 1, unit: 'hours' }, calendar, { pauses: [{ from: at('2026-03-02T12:00:00'), to: at('2026-03-02T11:00:00') }] })).toThrow(RangeError)
    const broken = { id: 2, revision: 'x', countyUnitId: null, weeklyHours: standardWeeklyHours(), adjustedWorkdayHours: standardDayHours, periods: [] }
    expect(() => compileCalendar({ ...broken, weeklyHours: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] } })).toThrow(/no working hours/)
    expect(() => compileCalendar({ ...broken, adjustedWorkdayHours: [{ start: '09:00', end: '12:00' }, { start: '11:00', end: '13:00' }] })).toThrow(/overlap/)
    expect(() => compileCalendar({
      ...broken, periods: [{ kind: 'holiday', name: 'a', startDate: '2026-05-01', endDate: '2026-05-03' }, { kind: 'workday', name: 'b', startDate: '2026-05-03', endDate: '2026-05-03' }],
    })).toThrow(/listed twice/)
    // A year of holidays with nothing else: the arithmetic stops with an error instead of spinning.
    const allHoliday = compileCalendar({ ...broken, periods: Array.from({ length: 20 }, (_, i) => {
      const first = new Date(Date.UTC(2026, 0, 1) + i * 31 * 86_400_000).toISOString().slice(0, 10)
      const last = new Date(Date.UTC(2026, 0, 1) + (i * 31 + 30) * 86_400_000).toISOString().slice(0, 10)
      return { kind: 'holiday' as const, name: `h${i}`, startDate: first, endDate: last }
    }) })
    expect(() => addWorkingTime(at('2026-01-01T10:00:00'), 60, allHoliday)).toThrow(/no working time/)
  })
})
