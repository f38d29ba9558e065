import { AppError } from '../../server/errors.js'

/*
 * Periods of the board, as calendar dates (YYYY-MM-DD) in Asia/Shanghai — the same dates the
 * requests carry as submitted_day. Pure: "today" comes from the caller.
 */

export const periodPresets = ['this_month', 'last_month', 'this_quarter', 'last_quarter', 'this_half', 'last_half', 'h1', 'h2', 'this_year', 'last_year'] as const
export type PeriodPreset = (typeof periodPresets)[number]
export const granularities = ['day', 'week', 'month'] as const
export type Granularity = (typeof granularities)[number]

export interface PeriodInput {
  period?: PeriodPreset
  /** For h1 / h2: which year (default this year). */
  year?: number
  from?: string
  to?: string
}

export interface Period {
  preset: PeriodPreset | null
  from: string
  to: string
}

/** Longest custom period: ten years and a bit (the board's queries stay bounded). */
export const MAX_PERIOD_DAYS = 3700
/** Most points a trend answers with. */
export const MAX_BUCKETS = 800

const DAY_MS = 86_400_000
const pad = (n: number) => String(n).padStart(2, '0')
const ymd = (y: number, m: number, d: number) => `${y}-${pad(m)}-${pad(d)}`
const parse = (day: string): { y: number; m: number; d: number } => ({ y: Number(day.slice(0, 4)), m: Number(day.slice(5, 7)), d: Number(day.slice(8, 10)) })
const lastDayOf = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate()
const monthRange = (y: number, m1: number, m2: number): [string, string] => [ymd(y, m1, 1), ymd(y, m2, lastDayOf(y, m2))]

export const dayNumber = (day: string): number => Date.parse(`${day}T00:00:00Z`) / DAY_MS
export const dayOfNumber = (n: number): string => new Date(n * DAY_MS).toISOString().slice(0, 10)
export const addDays = (day: string, days: number): string => dayOfNumber(dayNumber(day) + days)

/** A real calendar date (the schema checks the format; this rejects 2026-02-30). */
export const isCalendarDay = (day: string): boolean => /^\d{4}-\d{2}-\d{2}$/.test(day) && dayOfNumber(dayNumber(day)) === day

function presetRange(preset: PeriodPreset, today: string, year: number | undefined): [string, string] {
  const { y, m } = parse(today)
  const q = Math.floor((m - 1) / 3)
  const h = m <= 6 ? 0 : 1
  switch (preset) {
    case 'this_month': return monthRange(y, m, m)
    case 'last_month': return m === 1 ? monthRange(y - 1, 12, 12) : monthRange(y, m - 1, m - 1)
    case 'this_quarter': return monthRange(y, q * 3 + 1, q * 3 + 3)
    case 'last_quarter': return q === 0 ? monthRange(y - 1, 10, 12) : monthRange(y, q * 3 - 2, q * 3)
    case 'this_half': return h === 0 ? monthRange(y, 1, 6) : monthRange(y, 7, 12)
    case 'last_half': return h === 0 ? monthRange(y - 1, 7, 12) : monthRange(y, 1, 6)
    case 'h1': return monthRange(year ?? y, 1, 6)
    case 'h2': return monthRange(year ?? y, 7, 12)
    case 'this_year': return monthRange(y, 1, 12)
    case 'last_year': return monthRange(y - 1, 1, 12)
  }
}

const invalid = (problem: string, details: Record<string, unknown> = {}) => new AppError('invalid_period', { problem, ...details })

/** A preset (default: this month), or an explicit from–to; never both. */
export function resolvePeriod(input: PeriodInput, today: string): Period {
  const explicit = input.from !== undefined || input.to !== undefined
  if (explicit && input.period !== undefined) throw invalid('send either period or from/to, not both')
  if (input.year !== undefined && input.period !== 'h1' && input.period !== 'h2') throw invalid('year goes with period=h1 or period=h2')
  if (explicit) {
    if (input.from === undefined || input.to === undefined) throw invalid('send both from and to')
    if (!isCalendarDay(input.from) || !isCalendarDay(input.to)) throw invalid('from and to must be calendar dates (YYYY-MM-DD)')
    if (input.from > input.to) throw invalid('from must not be after to', { from: input.from, to: input.to })
    if (dayNumber(input.to) - dayNumber(input.from) + 1 > MAX_PERIOD_DAYS) throw invalid(`a period spans at most ${MAX_PERIOD_DAYS} days`)
    return { preset: null, from: input.from, to: input.to }
  }
  const preset = input.period ?? 'this_month'
  const [from, to] = presetRange(preset, today, input.year)
  return { preset, from, to }
}

/**
 * A period as the whole months inside it and the days at its edges outside them: the board sums
 * whole months from the month rollups and only the edges from the daily ones.
 */
export function splitByMonths(period: { from: string; to: string }): { months: [string, string] | null; days: [string, string][] } {
  const f = parse(period.from)
  const t = parse(period.to)
  const firstStart = f.d === 1 ? period.from : (f.m === 12 ? ymd(f.y + 1, 1, 1) : ymd(f.y, f.m + 1, 1))
  const lastEnd = t.d === lastDayOf(t.y, t.m) ? period.to : addDays(ymd(t.y, t.m, 1), -1)
  if (firstStart > lastEnd) return { months: null, days: [[period.from, period.to]] }
  const days: [string, string][] = []
  if (period.from < firstStart) days.push([period.from, addDays(firstStart, -1)])
  if (lastEnd < period.to) days.push([addDays(lastEnd, 1), period.to])
  return { months: [firstStart.slice(0, 7), lastEnd.slice(0, 7)], days }
}

/** Monday of the ISO week a day falls in. */
export function weekStart(day: string): string {
  const n = dayNumber(day)
  const weekday = (new Date(n * DAY_MS).getUTCDay() + 6) % 7 // Monday 0 … Sunday 6
  return dayOfNumber(n - weekday)
}

/** The bucket a day belongs to: the day, its week's Monday, or YYYY-MM. */
export function bucketOf(day: string, g: Granularity): string {
  if (g === 'day') return day
  if (g === 'week') return weekStart(day)
  return day.slice(0, 7)
}

export interface Bucket {
  key: string
  /** First and last day of the bucket inside the period. */
  from: string
  to: string
}

/** Every bucket of the period in order, empty ones included, clipped to the period. */
export function bucketsOf(period: { from: string; to: string }, g: Granularity): Bucket[] {
  const out: Bucket[] = []
  let day = period.from
  while (day <= period.to) {
    const key = bucketOf(day, g)
    let end: string
    if (g === 'day') end = day
    else if (g === 'week') end = addDays(key, 6)
    else { const { y, m } = parse(day); end = ymd(y, m, lastDayOf(y, m)) }
    if (end > period.to) end = period.to
    out.push({ key, from: day, to: end })
    if (out.length > MAX_BUCKETS) throw new AppError('too_many_buckets', { max: MAX_BUCKETS, granularity: g })
    day = addDays(end, 1)
  }
  return out
}

/** The finest granularity that keeps a period's trend readable (≤ 62 days by day, ≤ 26 weeks by week). */
export function defaultGranularity(period: { from: string; to: string }): Granularity {
  const days = dayNumber(period.to) - dayNumber(period.from) + 1
  return days <= 62 ? 'day' : days <= 182 ? 'week' : 'month'
}
