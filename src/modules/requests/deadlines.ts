import { clockMinutesBetween, computeDeadline, type Duration, type Pause, type WorkingCalendar } from '../calendar/working-time.js'
import { priorityDefaults, type Priority } from '../catalog/priorities.js'

/**
 * A request's two clocks, in pure arithmetic over the working calendar:
 * - first response (签收): from submission, by the item's response allowance;
 * - resolution (办结): from submission (or from the latest reopening), by the resolution allowance,
 *   stopped while the case waits for the resident, lengthened by approved extensions.
 * Everything a deadline depends on is kept in the request's clock (request.clock_json), so it can
 * be recomputed exactly after any change. A warning is due at 80 % of the allowance.
 */

export const WARN_FRACTION = 0.8

export interface Clock {
  response: Duration
  resolution: Duration
  /** When the resolution clock started: the submission, or the latest reopening. */
  resolutionStart: string
  /** Waiting for the resident; `to` null while still waiting. */
  pauses: { from: string; to: string | null }[]
  /** Approved extensions in the order they were granted. */
  extensions: Duration[]
}

export interface ItemClocks {
  priority: Priority
  response?: Duration | null
  resolution?: Duration | null
}

/** The allowances for an item: its own when it sets them, otherwise its priority's defaults. */
export function allowancesFor(item: ItemClocks): { response: Duration; resolution: Duration } {
  const defaults = priorityDefaults[item.priority]
  return { response: item.response ?? defaults.response, resolution: item.resolution ?? defaults.resolution }
}

export const newClock = (item: ItemClocks, submittedAt: string): Clock => ({ ...allowancesFor(item), resolutionStart: submittedAt, pauses: [], extensions: [] })

const MINUTE = 60_000

/**
 * How a fresh clock's deadline moves with its start inside one minute, found from the minute's two
 * ends: working periods begin and end on whole minutes, so within a minute the start is all working
 * time (the deadline moves with it, unless it crosses a break: a jump of a minute or more) or all
 * outside it (the deadline stands still). Equal ends: it stands still; ends 59.999 s apart: it moves
 * one for one; anything else (a jump inside): no shortcut.
 */
type MinuteShape = { fixed: number; fixedIso: string } | { shifted: number } | null

function minuteShape(minute: number, d: Duration, calendar: WorkingCalendar): MinuteShape {
  const first = computeDeadline(new Date(minute).toISOString(), d, calendar)
  const last = computeDeadline(new Date(minute + MINUTE - 1).toISOString(), d, calendar)
  if (first === null || last === null) return null
  const a = Date.parse(first)
  const b = Date.parse(last)
  if (b === a) return { fixed: a, fixedIso: first }
  if (b - a === MINUTE - 1) return { shifted: a - minute }
  return null
}

const shapes = new WeakMap<WorkingCalendar, Map<string, MinuteShape>>()

/** The last shape found for an allowance object (the same object comes with every submit of an item): no key to build. */
const lastShapes = new WeakMap<Duration, { calendar: WorkingCalendar; minute: number; amount: number; unit: string; shape: MinuteShape }>()

function shapeOf(minute: number, d: Duration, calendar: WorkingCalendar): MinuteShape {
  const last = lastShapes.get(d)
  if (last !== undefined && last.minute === minute && last.calendar === calendar && last.amount === d.amount && last.unit === d.unit) return last.shape
  let byKey = shapes.get(calendar)
  if (!byKey) shapes.set(calendar, (byKey = new Map<string, MinuteShape>()))
  const key = `${minute}|${d.amount}|${d.unit}`
  let shape = byKey.get(key)
  if (shape === undefined) {
    if (byKey.size >= 256) byKey.clear()
    byKey.set(key, (shape = minuteShape(minute, d, calendar)))
  }
  lastShapes.set(d, { calendar, minute, amount: d.amount, unit: d.unit, shape })
  return shape
}

function deadlineFrom(at: number, d: Duration, calendar: WorkingCalendar): string {
  const minute = at - (at % MINUTE)
  const shape = shapeOf(minute, d, calendar)
  if (shape === null) return computeDeadline(new Date(at).toISOString(), d, calendar) as string
  return 'fixed' in shape ? shape.fixedIso : new Date(at + shape.shifted).toISOString()
}

/**
 * A new case's first-response and resolution deadlines, as responseDueAt and resolutionDeadlines give
 * them, computed once per minute and allowance (a surge of QR submits asks for them thousands of times a second).
 */
export function freshDeadlines(submittedAt: string, item: ItemClocks, calendar: WorkingCalendar): { responseDueAt: string; resolutionDueAt: string } {
  const at = Date.parse(submittedAt)
  const { response, resolution } = allowancesFor(item)
  return { responseDueAt: deadlineFrom(at, response, calendar), resolutionDueAt: deadlineFrom(at, resolution, calendar) }
}

export function parseClock(json: string | null, fallback: () => Clock): Clock {
  if (!json) return fallback()
  return JSON.parse(json) as Clock
}

export const isPaused = (clock: Clock): boolean => clock.pauses.some((p) => p.to === null)

const pausesOf = (clock: Clock): Pause[] => clock.pauses.map((p) => ({ from: p.from, to: p.to }))

export const responseDueAt = (submittedAt: string, clock: Clock, calendar: WorkingCalendar): string =>
  computeDeadline(submittedAt, clock.response, calendar) as string

export interface ResolutionDeadlines {
  dueAt: string
  warnAt: string
}

/**
 * The resolution deadline and the warning instant; null while the clock is stopped (the deadline
 * is not known until it runs again). Each approved extension adds its allowance on top of the
 * deadline it extends; after an extension the warning comes at 80 % of the extension.
 */
export function resolutionDeadlines(clock: Clock, calendar: WorkingCalendar): ResolutionDeadlines | null {
  const pauses = pausesOf(clock)
  let due = computeDeadline(clock.resolutionStart, clock.resolution, calendar, { pauses })
  let warn = computeDeadline(clock.resolutionStart, clock.resolution, calendar, { pauses, fraction: WARN_FRACTION })
  for (const extra of clock.extensions) {
    if (due === null) return null
    warn = computeDeadline(due, extra, calendar, { pauses, fraction: WARN_FRACTION })
    due = computeDeadline(due, extra, calendar, { pauses })
  }
  return due === null || warn === null ? null : { dueAt: due, warnAt: warn }
}

/** Working minutes from submission to resolution with the waiting time left out, and the plain minutes. */
export function handlingMinutes(submittedAt: string, resolvedAt: string, clock: Clock, calendar: WorkingCalendar): { handling: number; working: number } {
  const handling = Math.max(0, Math.round((Date.parse(resolvedAt) - Date.parse(submittedAt)) / 60_000))
  const working = Math.round(clockMinutesBetween(submittedAt, resolvedAt, 'working_hours', calendar, pausesOf(clock)))
  return { handling, working }
}

export const pauseClock = (clock: Clock, at: string): Clock => ({ ...clock, pauses: [...clock.pauses, { from: at, to: null }] })
export const resumeClock = (clock: Clock, at: string): Clock => ({ ...clock, pauses: clock.pauses.map((p) => (p.to === null ? { ...p, to: at } : p)) })
export const extendClock = (clock: Clock, extra: Duration): Clock => ({ ...clock, extensions: [...clock.extensions, extra] })
/**
 * Reopening starts a fresh resolution clock; extensions belonged to the old one. Earlier pauses stay
 * (they lie before the new start, so deadlines ignore them, and the working time spent still excludes them).
 */
export const restartClock = (clock: Clock, at: string): Clock => ({ ...clock, resolutionStart: at, extensions: [] })
