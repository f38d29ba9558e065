import type { Updateable } from 'kysely'
import type { Db } from '../../db/connect.js'
import type { RequestTable } from '../../db/tables/requests.js'
import type { PiiCipher } from '../../lib/pii.js'
import type { VersionedCache } from '../../lib/versioned-cache.js'
import { AppError } from '../../server/errors.js'
import { nowIso } from '../../lib/time.js'
import { can, type Actor } from '../access/service.js'
import type { Priority } from '../catalog/priorities.js'
import { newClock, parseClock, type Clock } from './deadlines.js'
import { canTransition, type RequestStatus, type Transition } from './lifecycle.js'
import { writeNotifications, type NotifyDraft } from './notify.js'
import { applyRollup } from './rollup.js'
import type { ActionName, RequestSummary, Source } from './schema.js'
import type { RequestSettings } from './settings.js'
import * as store from './store.js'

/** What every use case of the module needs; routes build it once from the app. */
export interface RequestsContext {
  db: Db
  pii: PiiCipher
  settings: RequestSettings
  /** The clock; tests and the sweep pass a fixed one. */
  now?: () => string
  /** Case lists answered from memory while the database is unchanged (the server's context; jobs and the sweep go without). */
  lists?: { dataVersion: () => Promise<string>; cache: VersionedCache<{ items: RequestSummary[]; total: number }> }
}

export const nowOf = (ctx: { now?: () => string }): string => (ctx.now ? ctx.now() : nowIso())

export type RequestRow = store.RequestRow
export type CaseUnit = Awaited<ReturnType<typeof store.listRequestUnits>>[number]

export interface LoadedCase {
  row: RequestRow
  units: CaseUnit[]
}

export async function loadCase(db: Db, id: number, forUpdate: boolean): Promise<LoadedCase | null> {
  const row = forUpdate ? await store.findRequestForUpdate(db, id) : await store.findRequestById(db, id)
  if (!row) return null
  return { row, units: await store.listRequestUnits(db, id) }
}

export const clockOf = (row: RequestRow): Clock =>
  parseClock(row.clock_json, () => newClock({ priority: row.priority as Priority }, row.submitted_at))

export const shapeOf = (row: RequestRow) => ({ status: row.status, paused: row.paused_at !== null, pending: row.pending_unit_id !== null })

// --- who may do what on a case ----------------------------------------------------------------

export interface Caps {
  read: boolean
  handler: boolean
  dispatcher: boolean
  pendingUnit: boolean
  /** Co-handling units the caller works for. */
  coUnits: number[]
  supervisor: boolean
  county: boolean
  unmask: boolean
}

const countyPath = (row: RequestRow) => `/${row.county_id}/`

export function capsOf(actor: Actor, row: RequestRow, units: CaseUnit[]): Caps {
  const on = (action: Parameters<typeof can>[1], path: string | null) => path !== null && can(actor, action, path)
  const assignee = row.assignee_id !== null && row.assignee_id === actor.accountId
  const coUnits = units.filter((u) => u.role === 'co' && on('requests.handle', u.unit_path)).map((u) => u.unit_id)
  return {
    read: assignee || on('requests.read', row.location_path) || on('requests.read', row.handler_path) || on('requests.read', row.pending_path)
      || units.some((u) => on('requests.read', u.unit_path)),
    handler: assignee || on('requests.handle', row.handler_path),
    dispatcher: on('requests.dispatch', row.handler_path),
    pendingUnit: on('requests.handle', row.pending_path),
    coUnits,
    supervisor: on('requests.supervise', row.handler_path) || on('requests.supervise', row.location_path),
    county: on('requests.supervise', countyPath(row)),
    unmask: row.phone_enc !== null && (on('residents.unmask', row.location_path) || on('residents.unmask', row.handler_path)),
  }
}

/** Loads a case the caller may see; anything else is "not found", so ids outside one's area reveal nothing. */
export async function visibleCase(db: Db, actor: Actor, id: number, forUpdate: boolean): Promise<LoadedCase & { caps: Caps }> {
  const loaded = await loadCase(db, id, forUpdate)
  if (!loaded) throw new AppError('request_not_found', { id })
  const caps = capsOf(actor, loaded.row, loaded.units)
  if (!caps.read) throw new AppError('request_not_found', { id })
  return { ...loaded, caps }
}

export function requireParty(ok: boolean, action: ActionName): void {
  if (!ok) throw new AppError('forbidden', { action })
}

export function checkVersion(row: RequestRow, expected: number | undefined): void {
  if (expected !== undefined && expected !== row.version) throw new AppError('version_conflict', { expected, current: row.version })
}

export interface CaseExtras {
  pendingExtension: boolean
  pendingAppeal: boolean
}

/** The actions the caller may take now: the state machine's answer combined with the caller's role on the case. */
export function allowedActions(row: RequestRow, units: CaseUnit[], caps: Caps, extras: CaseExtras): ActionName[] {
  const shape = shapeOf(row)
  const t = (name: Transition) => canTransition(name, shape)
  const out: ActionName[] = []
  const add = (name: ActionName, ok: boolean) => { if (ok) out.push(name) }
  add('accept', (t('accept') && caps.handler) || (t('accept_handoff') && caps.pendingUnit))
  add('return', (t('return_handoff') && caps.pendingUnit) || (t('return_assignment') && caps.handler && row.assignee_id !== null) || (t('return_upward') && caps.handler))
  add('dispatch', t('dispatch') && caps.dispatcher)
  add('transfer', t('transfer') && caps.dispatcher)
  add('assign', t('assign') && caps.dispatcher)
  add('start', t('start') && caps.handler)
  add('pause', t('pause') && caps.handler)
  add('resume', t('resume') && caps.handler)
  add('resolve', t('resolve') && caps.handler && units.every((u) => u.role !== 'co' || u.status === 'done'))
  add('close', t('close') && caps.handler)
  add('reopen', t('reopen') && (caps.handler || caps.supervisor))
  add('merge', t('merge') && caps.dispatcher)
  add('add_co_units', t('add_co_units') && caps.dispatcher)
  add('co_done', t('co_done') && units.some((u) => u.role === 'co' && u.status !== 'done' && caps.coUnits.includes(u.unit_id)))
  add('request_extension', t('request_extension') && caps.handler && !extras.pendingExtension)
  add('decide_extension', t('decide_extension') && caps.supervisor && extras.pendingExtension)
  add('note', t('note') && (caps.handler || caps.pendingUnit || caps.coUnits.length > 0 || caps.supervisor))
  add('remind', t('remind') && (caps.supervisor || caps.dispatcher))
  add('callback', t('rate') && (caps.handler || caps.dispatcher))
  add('appeal', t('appeal') && caps.handler && !extras.pendingAppeal && row.excluded === 0)
  add('decide_appeal', t('decide_appeal') && caps.county && extras.pendingAppeal)
  add('unmask_phone', caps.unmask)
  return out
}

// --- writing a change: the row, the rollups, the timeline, the notifications -------------------

export interface EventDraft {
  kind: string
  visibility?: 'internal' | 'public'
  note?: string | null
  unitId?: number | null
  data?: unknown
  /** Statuses to record; default: the row's before and after when they differ. */
  fromStatus?: string | null
  toStatus?: string | null
}

export interface Change {
  patch: Updateable<RequestTable>
  events: EventDraft[]
  notify?: NotifyDraft[]
}

export const actorName = (actor: Actor): string | null => (actor.accountId === null && actor.username === null ? null : actor.displayName || actor.username)

/**
 * Applies one change to a request inside the caller's transaction: the update wins only if the row
 * still has the version that was read (two workers acting at once cannot both win), the rollups
 * get contribution(after) − contribution(before), and the events and notifications are written.
 */
export async function commitChange(trx: Db, actor: Actor, row: RequestRow, change: Change, now: string): Promise<RequestRow> {
  const patch = { ...change.patch, updated_at: now }
  if (!(await store.updateRequestAt(trx, row.id, row.version, patch))) throw new AppError('version_conflict', { id: row.id })
  const after = { ...row, ...patch, version: row.version + 1 }
  await applyRollup(trx, row, after)
  await writeEvents(trx, actor, after, change.events, now, row.status)
  if (change.notify) await writeNotifications(trx, change.notify, now)
  return after
}

export async function writeEvents(trx: Db, actor: Actor, row: RequestRow, events: EventDraft[], now: string, beforeStatus: string | null): Promise<void> {
  const name = actorName(actor)
  await store.insertEvents(trx, events.map((e) => {
    const changed = beforeStatus !== row.status
    return {
      county_id: row.county_id, request_id: row.id, kind: e.kind, at: now, actor_id: actor.accountId, actor_name: name,
      unit_id: e.unitId ?? null,
      from_status: e.fromStatus !== undefined ? e.fromStatus : changed ? beforeStatus : null,
      to_status: e.toStatus !== undefined ? e.toStatus : changed ? row.status : null,
      visibility: e.visibility ?? 'internal', note: e.note ?? null, data_json: e.data === undefined ? null : JSON.stringify(e.data),
    }
  }))
}

// --- views ------------------------------------------------------------------------------------

const flag = (v: number | null) => v === 1

export function toSummary(r: store.SummaryRow): RequestSummary {
  return {
    id: r.id, countyId: r.county_id, source: r.source as Source, status: r.status as RequestStatus, priority: r.priority as Priority, title: r.title,
    itemId: r.item_id, categoryId: r.category_id, locationUnitId: r.location_unit_id, locationName: r.location_name,
    handlerUnitId: r.handler_unit_id, handlerName: r.handler_name ?? null, pendingUnitId: r.pending_unit_id, pendingUnitName: r.pending_unit_name ?? null,
    pendingKind: r.pending_kind === 'dispatch' || r.pending_kind === 'transfer' ? r.pending_kind : null,
    assigneeId: r.assignee_id, assigneeName: r.assignee_name ?? null, submittedAt: r.submitted_at, acceptedAt: r.accepted_at, resolvedAt: r.resolved_at,
    responseDueAt: r.response_due_at, resolutionDueAt: r.resolution_due_at, warnAt: r.warn_at, warned: flag(r.warned),
    responseOverdue: flag(r.response_overdue), resolutionOverdue: flag(r.resolution_overdue), paused: r.paused_at !== null, isOpen: flag(r.is_open),
    excluded: flag(r.excluded), mergedIntoId: r.merged_into_id, escalationLevel: r.escalation_level, reopenCount: r.reopen_count,
    ratingSatisfaction: (r.rating_satisfaction as RequestSummary['ratingSatisfaction']) ?? null, version: r.version,
  }
}
