import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { officialSchedules, standardDayHours, standardWeeklyHours } from '../calendar/official-schedules.js'
import { compileCalendar, durationUnits, type WorkingCalendar } from '../calendar/working-time.js'
import { freshDeadlines, newClock, resolutionDeadlines, responseDueAt } from './deadlines.js'

const calendar: WorkingCalendar = compileCalendar({
  id: 1, revision: 'deadlines-test', countyUnitId: null, weeklyHours: standardWeeklyHours(), adjustedWorkdayHours: standardDayHours,
  periods: officialSchedules.flatMap((s) => s.periods),
})

const FROM = Date.parse('2024-12-20T00:00:00Z')
const TO = Date.parse('2026-12-20T00:00:00Z')
// Anywhere, and just around whole minutes (where working periods begin and end).
const instant = fc.oneof(
  fc.integer({ min: FROM, max: TO }),
  fc.tuple(fc.integer({ min: FROM / 60_000, max: TO / 60_000 }), fc.integer({ min: -2, max: 2 })).map(([m, d]) => m * 60_000 + d),
).map((ms) => new Date(ms).toISOString())
const duration = fc.record({ amount: fc.integer({ min: 1, max: 40 }), unit: fc.constantFrom(...durationUnits) })

describe('freshDeadlines', () => {
  it('gives exactly what the full computation gives, for any start and allowance', () => {
    fc.assert(fc.property(instant, duration, duration, (at, response, resolution) => {
      const item = { priority: 'general' as const, response, resolution }
      const clock = newClock(item, at)
      // The second call of a minute comes from the kept shape.
      for (let i = 0; i < 2; i++) {
        expect(freshDeadlines(at, item, calendar)).toEqual({ responseDueAt: responseDueAt(at, clock, calendar), resolutionDueAt: resolutionDeadlines(clock, calendar)!.dueAt })
      }
    }), { numRuns: 3000 })
  })

  it('is right at the end of a working day, where a later start jumps past the night', () => {
    const item = { priority: 'general' as const, response: { amount: 1, unit: 'working_hours' as const } }
    // 16:30 Shanghai on a working day: due 17:30; a moment later it is due the next working morning.
    for (const local of ['2026-11-26T16:29:59.999', '2026-11-26T16:30:00.000', '2026-11-26T16:30:00.001', '2026-11-26T16:30:59.999']) {
      const at = new Date(`${local}+08:00`).toISOString()
      expect(freshDeadlines(at, item, calendar).responseDueAt).toBe(responseDueAt(at, newClock(item, at), calendar))
    }
  })
})
