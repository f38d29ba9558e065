import { AppError } from '../../server/errors.js'

/**
 * Date-times on the wire: W3C-DTF (a subset of ISO 8601) with the zone always stated. We answer in
 * Asia/Shanghai (+08:00, no daylight saving), and read any zone a client sends.
 */

const SHANGHAI_OFFSET_MS = 8 * 3_600_000
const DAY_MS = 86_400_000
export const MAX_SPAN_DAYS = 90

/** '2026-12-01T01:30:00.000Z' → '2026-12-01T09:30:00+08:00'. */
export function toW3c(iso: string): string {
  const local = new Date(Date.parse(iso) + SHANGHAI_OFFSET_MS).toISOString()
  return `${local.slice(0, 19)}+08:00`
}

export const toW3cOrNull = (iso: string | null): string | null => (iso === null ? null : toW3c(iso))

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+\- ]\d{2}:?\d{2}))?$/

/**
 * Parses a W3C date-time into an ISO UTC string. A bare date is midnight in Asia/Shanghai; a time
 * needs a zone. A '+' that arrived unescaped in a query string reads as a space, so ' 08:00' is +08:00.
 */
export function parseW3c(text: string, field: string): string {
  const m = DATE_TIME.exec(text.trim())
  if (!m) throw new AppError('open311_invalid_date', { field, value: text })
  const [, y, mo, d, h, mi, s, frac, zone] = m
  let offsetMinutes = 8 * 60
  if (h !== undefined) {
    if (zone === undefined) throw new AppError('open311_invalid_date', { field, value: text })
    if (zone === 'Z') offsetMinutes = 0
    else {
      const sign = zone.startsWith('-') ? -1 : 1
      const digits = zone.slice(1).replace(':', '')
      offsetMinutes = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)))
    }
  }
  const [year, month, day, hour, minute, second] = [y, mo, d, h ?? '0', mi ?? '0', s ?? '0'].map(Number) as [number, number, number, number, number, number]
  const ms = Number((frac ?? '0').padEnd(3, '0').slice(0, 3))
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, ms)
  const check = new Date(utc)
  // Date.UTC rolls 2026-02-30 over to March: a calendar date that does not exist is an error.
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) {
    throw new AppError('open311_invalid_date', { field, value: text })
  }
  return new Date(utc - offsetMinutes * 60_000).toISOString()
}

export interface Window {
  from: string
  to: string
}

/**
 * The period a query covers (both ends inclusive): as given, at most 90 days; one end given, 90
 * days from it; neither, the last 90 days.
 */
export function windowOf(start: string | undefined, end: string | undefined, now: string): Window {
  const from = start === undefined ? null : parseW3c(start, 'start_date')
  const to = end === undefined ? null : parseW3c(end, 'end_date')
  const span = MAX_SPAN_DAYS * DAY_MS
  if (from !== null && to !== null) {
    const ms = Date.parse(to) - Date.parse(from)
    if (ms < 0 || ms > span) throw new AppError('open311_invalid_date_range', { start_date: start, end_date: end })
    return { from, to }
  }
  if (from !== null) return { from, to: new Date(Date.parse(from) + span).toISOString() }
  if (to !== null) return { from: new Date(Date.parse(to) - span).toISOString(), to }
  return { from: new Date(Date.parse(now) - span).toISOString(), to: now }
}
