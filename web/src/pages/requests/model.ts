/**
 * Types and small pure helpers of the request pages: statuses, priorities, timeline kinds and the
 * due-time badge (green, amber from the 80 % warning, red when overdue).
 */
import dayjs from 'dayjs'
import type { ApiBody, ApiQuery, ApiResult } from '../../api/client'
import { TIME_ZONE, type MessageKey } from '../../app/i18n'

export type RequestSummary = ApiResult<'/api/requests', 'get'>['items'][number]
export type RequestDetail = ApiResult<'/api/requests/{id}', 'get'>
export type RequestQuery = ApiQuery<'/api/requests', 'get'>
export type TimelineEvent = RequestDetail['timeline'][number]
export type ActionName = RequestDetail['allowedActions'][number]
export type LocationView = ApiResult<'/api/public/locations/{code}', 'get'>
export type MenuItem = LocationView['items'][number]
export type SubmitResult = ApiResult<'/api/public/requests', 'post'>
export type PublicSubmitInput = ApiBody<'/api/public/requests', 'post'>
export type ResidentCase = ApiResult<'/api/public/requests/{trackingCode}', 'get'>
export type RatingInput = ApiBody<'/api/public/requests/{trackingCode}/rating', 'post'>
export type Satisfaction = RatingInput['satisfaction']
export type RequestStatus = RequestSummary['status']
export type Priority = RequestSummary['priority']
export type Box = NonNullable<RequestQuery['box']>

export const BOXES: Box[] = ['mine', 'unit', 'overdue', 'all']
export const STATUSES: RequestStatus[] = ['submitted', 'accepted', 'dispatched', 'in_progress', 'resolved', 'rated', 'closed', 'merged']
export const PRIORITIES: Priority[] = ['emergency', 'urgent', 'general', 'complex']
export const SATISFACTIONS: Satisfaction[] = ['satisfied', 'basically_satisfied', 'dissatisfied']
export const STAFF_SOURCES = ['hotline', 'walk_in', 'patrol'] as const

export const statusColor: Record<RequestStatus, string> = {
  submitted: 'blue', accepted: 'cyan', dispatched: 'geekblue', in_progress: 'processing', resolved: 'green', rated: 'success', closed: 'default', merged: 'default',
}
export const priorityColor: Record<Priority, string> = { emergency: 'red', urgent: 'orange', general: 'default', complex: 'purple' }

export const statusKeys: Record<RequestStatus, MessageKey> = {
  submitted: 'requests.status.submitted', accepted: 'requests.status.accepted', dispatched: 'requests.status.dispatched',
  in_progress: 'requests.status.in_progress', resolved: 'requests.status.resolved', rated: 'requests.status.rated',
  closed: 'requests.status.closed', merged: 'requests.status.merged',
}
export const priorityKeys: Record<Priority, MessageKey> = {
  emergency: 'requests.priority.emergency', urgent: 'requests.priority.urgent', general: 'requests.priority.general', complex: 'requests.priority.complex',
}
export const satisfactionKeys: Record<Satisfaction, MessageKey> = {
  satisfied: 'requests.satisfaction.satisfied', basically_satisfied: 'requests.satisfaction.basically_satisfied', dissatisfied: 'requests.satisfaction.dissatisfied',
}
export const sourceKeys: Record<RequestSummary['source'], MessageKey> = {
  qr: 'requests.source.qr', hotline: 'requests.source.hotline', walk_in: 'requests.source.walk_in', patrol: 'requests.source.patrol',
  enterprise: 'requests.source.enterprise', open311: 'requests.source.open311', staff: 'requests.source.staff',
}

/** Timeline kinds written by the requests module; others are shown by their code. */
const eventKeys: Record<string, MessageKey | undefined> = {
  submitted: 'requests.event.submitted', recorded: 'requests.event.recorded', routed: 'requests.event.routed', assigned: 'requests.event.assigned',
  accepted: 'requests.event.accepted', handoff_accepted: 'requests.event.handoff_accepted', returned: 'requests.event.returned',
  dispatched: 'requests.event.dispatched', transferred: 'requests.event.transferred', started: 'requests.event.started', paused: 'requests.event.paused',
  resumed: 'requests.event.resumed', resolved: 'requests.event.resolved', closed: 'requests.event.closed', reopened: 'requests.event.reopened',
  merged: 'requests.event.merged', merged_from: 'requests.event.merged_from', co_units_added: 'requests.event.co_units_added', co_done: 'requests.event.co_done',
  extension_requested: 'requests.event.extension_requested', extension_decided: 'requests.event.extension_decided',
  extension_approved: 'requests.event.extension_approved', extension_rejected: 'requests.event.extension_rejected', note: 'requests.event.note',
  reminded: 'requests.event.reminded', callback: 'requests.event.callback', rated: 'requests.event.rated', appeal_requested: 'requests.event.appeal_requested',
  appeal_decided: 'requests.event.appeal_decided', escalated: 'requests.event.escalated', deadline_warning: 'requests.event.deadline_warning',
  overdue: 'requests.event.overdue', response_overdue: 'requests.event.response_overdue',
}
export const eventKey = (kind: string): MessageKey | null => (Object.hasOwn(eventKeys, kind) ? (eventKeys[kind] ?? null) : null)

/** The step of the resident's progress bar: submitted, accepted, in progress, resolved, rated. */
export function progressStep(status: RequestStatus): number {
  switch (status) {
    case 'submitted': return 0
    case 'accepted':
    case 'dispatched': return 1
    case 'in_progress': return 2
    case 'resolved': return 3
    default: return 4
  }
}

export type DueState = 'none' | 'ok' | 'warning' | 'overdue' | 'paused' | 'done'

/** How the resolution deadline stands now: overdue (red), past the 80 % warning (amber), in time (green). */
export function dueState(r: Pick<RequestSummary, 'isOpen' | 'paused' | 'resolutionDueAt' | 'warnAt' | 'warned' | 'resolutionOverdue'>, now = Date.now()): DueState {
  if (!r.isOpen) return 'done'
  if (r.paused) return 'paused'
  if (!r.resolutionDueAt) return 'none'
  if (r.resolutionOverdue || Date.parse(r.resolutionDueAt) <= now) return 'overdue'
  if (r.warned || (r.warnAt !== null && Date.parse(r.warnAt) <= now)) return 'warning'
  return 'ok'
}

export const dueKeys: Record<DueState, MessageKey> = {
  none: 'requests.due.none', ok: 'requests.due.ok', warning: 'requests.due.warning', overdue: 'requests.due.overdue', paused: 'requests.due.paused', done: 'requests.due.done',
}
export const dueColor: Record<DueState, string> = { none: 'default', ok: 'green', warning: 'orange', overdue: 'red', paused: 'default', done: 'default' }

/** "3 天 4 小时" / "5 小时" / "20 分钟": a distance in time for people, not machines. */
export function spanParts(ms: number): { days: number; hours: number; minutes: number } {
  const minutes = Math.max(0, Math.round(Math.abs(ms) / 60_000))
  return { days: Math.floor(minutes / 1440), hours: Math.floor((minutes % 1440) / 60), minutes: minutes % 60 }
}

/** A fresh random key for one submit (reused on its retries), as the Idempotency-Key header expects. */
export function newIdempotencyKey(): string {
  const bytes = new Uint8Array(18)
  crypto.getRandomValues(bytes)
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

/** The absolute address of a server-relative link (tracking links are relative unless CHORUS_PUBLIC_URL is set). */
export const absoluteUrl = (url: string): string => (/^https?:\/\//.test(url) ? url : `${window.location.origin}${url.startsWith('/') ? '' : '/'}${url}`)

/** The address a QR poster encodes. */
export const qrUrl = (code: string, origin = window.location.origin): string => `${origin.replace(/\/+$/, '')}/r/${encodeURIComponent(code)}`

/** Tracking links this phone has received, newest first (kept in localStorage so a resident finds them again). */
export interface SavedCase {
  code: string
  title: string
  at: string
}
const SAVED_KEY = 'chorus.myRequests'

export function savedCases(): SavedCase[] {
  try {
    const raw: unknown = JSON.parse(localStorage.getItem(SAVED_KEY) ?? '[]')
    return Array.isArray(raw) ? (raw as SavedCase[]).filter((c) => typeof c?.code === 'string').slice(0, 10) : []
  } catch {
    return []
  }
}

export function saveCase(entry: SavedCase): void {
  try {
    localStorage.setItem(SAVED_KEY, JSON.stringify([entry, ...savedCases().filter((c) => c.code !== entry.code)].slice(0, 10)))
  } catch {
    // Private mode: the success page still shows the link to copy.
  }
}

/** A time residents read at a glance: "12月3日 17:30" (the year only when it is not this year), Beijing time. */
export function friendlyTime(iso: string | null | undefined, lang: 'zh' | 'en'): string {
  if (!iso) return ''
  const time = dayjs(iso).tz(TIME_ZONE)
  if (!time.isValid()) return iso
  const sameYear = time.year() === dayjs().tz(TIME_ZONE).year()
  if (lang === 'zh') return time.format(sameYear ? 'M月D日 HH:mm' : 'YYYY年M月D日 HH:mm')
  return time.locale('en').format(sameYear ? 'MMM D, HH:mm' : 'MMM D YYYY, HH:mm')
}

/** 11-digit mainland mobile; +86, spaces and dashes tolerated (as the server does). */
export function normalizePhone(raw: string): string | null {
  const digits = raw.replace(/[\s-]/g, '').replace(/^(\+?86)(?=1\d{10}$)/, '')
  return /^1[3-9]\d{9}$/.test(digits) ? digits : null
}
