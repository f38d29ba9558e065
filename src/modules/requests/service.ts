import { pathIds } from '../../lib/unit-path.js'
import type { Db } from '../../db/connect.js'
import { AppError } from '../../server/errors.js'
import { pageOf } from '../../lib/paging.js'
import { recordAudit } from '../audit/service.js'
import { can, subtreeFilter, type Actor } from '../access/service.js'
import { loadCalendar } from '../calendar/service.js'
import { clockMinutesBetween, type Duration } from '../calendar/working-time.js'
import { nearestOfTypes } from '../catalog/routing.js'
import { ownerLevelTypes } from '../catalog/priorities.js'
import { propertyCompanyOf, resolveRoute } from '../catalog/service.js'
import { nowIso, shanghaiDay } from '../../lib/time.js'
import {
  allowedActions, capsOf, checkVersion, clockOf, commitChange, loadCase, nowOf, requireParty, shapeOf, toSummary, visibleCase, writeEvents,
  type Caps, type Change, type LoadedCase, type RequestRow, type RequestsContext,
} from './case.js'
import { extendClock, handlingMinutes, pauseClock, resolutionDeadlines, resumeClock } from './deadlines.js'
import { recordRating, reopenPatch, toRatingView } from './intake.js'
import { assertTransition, doneStatuses } from './lifecycle.js'
import { writeNotifications, type NotifyDraft } from './notify.js'
import { rebuildRollups } from './rollup.js'
import { handlerRoles, pickAssignee, reachableWorkers, unitWorkers } from './routing.js'
import type {
  AppealInput, AppealQuery, AppealView, HandoffReason, HandoffTarget, HandoffTargetsQuery, HandoffTargetsView, AssignInput, AssignmentPolicy, AssignmentPolicyInput, AssignmentPolicyView, CallbackInput, CoDoneInput,
  CoUnitsInput, CreateTemplateInput, DecisionInput, DispatchInput, ExtensionInput, ExtensionQuery, ExtensionView, MergeInput, NoteInput,
  NotificationQuery, NotificationView, ReasonInput, RebuildRollupsInput, RemindInput, RequestDetail, RequestQuery, RequestSummary, ResolveInput,
  TemplateQuery, TemplateView, TransferInput, UnmaskInput, UpdateTemplateInput, VersionedNoteInput,
} from './schema.js'
import { handoffUnitTypes } from './schema.js'
import * as store from './store.js'
import { sha256 } from '../../lib/tokens.js'

export { getPublicLocation, uploadPhoto, submitPublicRequest, intakeByStaff, intakeRequest, getResidentCase, residentPhoto, rateByResident } from './intake.js'
export { rebuildRollups, contribution, followSubtreeMove } from './rollup.js'
export type { RequestsContext } from './case.js'

// --- reading ----------------------------------------------------------------------------------

/**
 * The worker inbox and the case lists. `mine` and `unit` show open cases by default, sorted by the
 * resolution deadline; every box is limited to the caller's subtrees (by location, holding unit,
 * pending hand-off or co-handling unit), `mine` to cases assigned to the caller.
 */
export async function listRequests(
  ctx: RequestsContext, actor: Actor, query: RequestQuery,
  /** ctx.lists.dataVersion() when the caller has already read it for this request. */
  readVersion?: string | null,
): Promise<{ items: RequestSummary[]; total: number }> {
  // 'due=warning' depends on the clock as well as on the data: never kept.
  if (!ctx.lists || query.due !== undefined) return queryRequests(ctx, actor, query)
  const key = listKey(actor, query)
  const version = readVersion ?? await ctx.lists.dataVersion()
  const hit = ctx.lists.cache.get(key, version)
  if (hit) return hit
  const page = await queryRequests(ctx, actor, query)
  ctx.lists.cache.set(key, version, page)
  return page
}

/** The page listRequests keeps for this caller and query under this data version, if any: no database work, no promise. */
export function cachedRequestList(ctx: RequestsContext, actor: Actor, query: RequestQuery, version: string): { items: RequestSummary[]; total: number } | undefined {
  if (!ctx.lists || query.due !== undefined) return undefined
  return ctx.lists.cache.get(listKey(actor, query), version)
}

const listKey = (actor: Actor, query: RequestQuery): string => `${actor.accountId ?? ''}|${JSON.stringify(query)}`

async function queryRequests(ctx: RequestsContext, actor: Actor, query: RequestQuery): Promise<{ items: RequestSummary[]; total: number }> {
  const box = query.box ?? 'unit'
  let unitPath: string | null = null
  if (query.unitId !== undefined) {
    const unit = await store.findUnit(ctx.db, query.unitId)
    if (!unit) throw new AppError('unit_not_found', { unitId: query.unitId })
    unitPath = unit.path
  }
  const status = query.status ?? (box === 'all' ? null : 'open')
  // 'open' is exactly is_open = 1, which the inbox indexes lead with; no status list needed then.
  const statuses = status === null || status === 'open' ? null : status === 'done' ? [...doneStatuses] : [status]
  const { rows, total } = await store.listRequests(ctx.db, {
    box, accountId: actor.accountId, scope: subtreeFilter(actor, 'requests.read'), statuses, openOnly: status === 'open',
    priority: query.priority ?? null, itemId: query.itemId ?? null, unitPath, fromDay: query.from ?? null, toDay: query.to ?? null,
    q: query.q ?? null, sort: query.sort ?? 'due',
    dueWarning: query.due === 'warning' ? { now: nowOf(ctx) } : null,
    awaitingIn: query.awaiting === 'acceptance' ? subtreeFilter(actor, 'requests.handle') : null,
  }, pageOf(query))
  return { total, items: rows.map(toSummary) }
}

const toExtensionView = (x: Awaited<ReturnType<typeof store.listExtensionsOf>>[number]): ExtensionView => ({
  id: x.id, requestId: x.request_id, requestedBy: x.requested_by, requestedAt: x.requested_at, amount: x.extra_amount,
  unit: x.extra_unit as Duration['unit'], reason: x.reason, status: x.status, decidedBy: x.decided_by, decidedAt: x.decided_at, decisionNote: x.decision_note,
})

const toAppealView = (a: store.AppealRow): AppealView => ({
  id: a.id, requestId: a.request_id, unitId: a.unit_id, unitName: a.unit_name ?? null, kind: a.kind as AppealView['kind'], reason: a.reason,
  status: a.status, requestedBy: a.requested_by, requestedAt: a.requested_at, decidedBy: a.decided_by, decidedAt: a.decided_at, decisionNote: a.decision_note,
})

async function detailOf(db: Db, c: LoadedCase & { caps: Caps }): Promise<RequestDetail> {
  const { row, units, caps } = c
  const [summary, events, photos, ratings, extensions, appeals] = await Promise.all([
    store.findSummaries(db, [row.id]), store.listEvents(db, row.id, false), store.listPhotos(db, row.id), store.listRatings(db, row.id),
    store.listExtensionsOf(db, row.id), store.listAppealsOf(db, row.id),
  ])
  const clock = clockOf(row)
  return {
    ...toSummary(summary[0]!),
    trackingCode: row.tracking_code, description: row.description, address: row.address, contactName: row.contact_name, phoneMasked: row.phone_masked,
    anonymous: row.anonymous === 1, recordedBy: row.recorded_by, firstUnitId: row.first_unit_id, dispatcherUnitId: row.dispatcher_unit_id,
    startedAt: row.started_at, closedAt: row.closed_at, handlingMinutes: row.handling_minutes, workingMinutes: row.working_minutes,
    clock: { response: clock.response, resolution: clock.resolution, resolutionStart: clock.resolutionStart, pauses: clock.pauses, extensions: clock.extensions },
    timeline: events.map((e) => ({
      id: e.id, at: e.at, kind: e.kind, actorId: e.actor_id, actorName: e.actor_name, unitId: e.unit_id, unitName: e.unit_name ?? null,
      fromStatus: e.from_status, toStatus: e.to_status, visibility: e.visibility === 'public' ? 'public' : 'internal', note: e.note,
      data: e.data_json === null ? null : (JSON.parse(e.data_json) as unknown),
    })),
    coUnits: units.map((u) => ({ unitId: u.unit_id, unitName: u.unit_name, role: u.role === 'co' ? 'co' : 'lead', status: u.status, createdAt: u.created_at })),
    photos: photos.map((p) => ({ id: p.id, stage: p.stage, mime: p.mime, bytes: p.bytes, url: `/api/requests/${row.id}/photos/${p.id}` })),
    ratings: ratings.map((r) => toRatingView(r, true)),
    extensions: extensions.map(toExtensionView),
    appeals: appeals.map(toAppealView),
    allowedActions: allowedActions(row, units, caps, {
      pendingExtension: extensions.some((x) => x.status === 'pending'), pendingAppeal: appeals.some((a) => a.status === 'pending'),
    }),
  }
}

/** One case with its timeline (internal notes included), units, photos, ratings, appeals and the caller's next actions. */
export async function getRequestDetail(ctx: RequestsContext, actor: Actor, id: number): Promise<RequestDetail> {
  return detailOf(ctx.db, await visibleCase(ctx.db, actor, id, false))
}

/** A photo of a case the caller may see. */
export async function staffPhoto(ctx: RequestsContext, actor: Actor, id: number, photoId: number) {
  await visibleCase(ctx.db, actor, id, false)
  const photo = await store.findPhoto(ctx.db, id, photoId)
  if (!photo) throw new AppError('photo_not_found')
  return photo
}

/** Reveals the resident's phone to a caller holding residents.unmask there, with a reason; audited. */
export async function unmaskPhone(ctx: RequestsContext, actor: Actor, id: number, input: UnmaskInput): Promise<{ phone: string }> {
  return ctx.db.transaction().execute(async (trx) => {
    const c = await visibleCase(trx, actor, id, false)
    requireParty(c.caps.unmask, 'unmask_phone')
    const phone = ctx.pii.decrypt(c.row.phone_enc as string)
    await recordAudit(trx, actor, { action: 'requests.unmask_phone', entityType: 'request', entityId: id, unitId: c.row.location_unit_id, unitPath: c.row.location_path, reason: input.reason })
    return { phone }
  })
}

// --- acting on a case -------------------------------------------------------------------------

type Step = (trx: Db, c: LoadedCase & { caps: Caps }, now: string) => Promise<Change | null> | Change | null

/** One transaction: lock and load the case, check the version the caller saw, run the step, write it. */
async function act(ctx: RequestsContext, actor: Actor, id: number, version: number | undefined, step: Step): Promise<RequestDetail> {
  await ctx.db.transaction().execute(async (trx) => {
    const c = await visibleCase(trx, actor, id, true)
    checkVersion(c.row, version)
    const now = nowOf(ctx)
    const change = await step(trx, c, now)
    if (change) await commitChange(trx, actor, c.row, change, now)
  })
  return detailAfterAction(ctx, actor, id)
}

/**
 * The case as it is after the caller's step. The caller may no longer see it (a unit that returned
 * or handed it on); it still gets the result of its own step.
 */
async function detailAfterAction(ctx: RequestsContext, actor: Actor, id: number): Promise<RequestDetail> {
  const loaded = await loadCase(ctx.db, id, false)
  if (!loaded) throw new AppError('request_not_found', { id })
  return detailOf(ctx.db, { ...loaded, caps: capsOf(actor, loaded.row, loaded.units) })
}

const workersOf = async (db: Db, unitId: number | null): Promise<number[]> => {
  if (unitId === null) return []
  const unit = await store.findUnit(db, unitId)
  return unit ? reachableWorkers(db, unit) : []
}

/**
 * A unit a case may be handed to: exists, active, in the same county, not the one holding it, and of a
 * kind that takes cases (the hand-off targets' rule: no compound, building or county, and an enterprise
 * only while it is a compound's property company) — a unit nobody there could sign for would strand it.
 */
async function targetUnit(db: Db, row: RequestRow, unitId: number, now: string): Promise<store.UnitRow> {
  const unit = await store.findUnit(db, unitId)
  if (!unit) throw new AppError('unit_not_found', { unitId })
  if (unit.status !== 'active' || unit.county_id !== row.county_id || unit.id === row.handler_unit_id) {
    throw new AppError('invalid_target_unit', { unitId, problem: unit.status !== 'active' ? 'archived' : unit.county_id !== row.county_id ? 'other_county' : 'same_unit' })
  }
  const takesCases = await store.listHandoffUnits(db, { countyId: row.county_id, types: handoffTypes, day: shanghaiDay(now), excludeIds: [], q: null, ids: [unit.id] }, { limit: 1, offset: 0 })
  if (takesCases.total === 0) throw new AppError('invalid_target_unit', { unitId, problem: 'takes_no_cases', type: unit.type })
  return unit
}

const handoffTypes = handoffUnitTypes.filter((t) => t !== 'enterprise')
const suggestionOrder: Record<NonNullable<HandoffTargetsQuery['kind']>, HandoffReason[]> = {
  dispatch: ['route', 'property_company', 'community', 'subdistrict'],
  co_unit: ['route', 'property_company', 'community', 'subdistrict'],
  transfer: ['route', 'community', 'subdistrict', 'property_company'],
}

/**
 * Units a case may be handed to (派单 / 转办): the active units of its county that take cases —
 * grids, communities, villages, towns, sub-districts, agencies and property companies — the ones
 * `targetUnit` accepts, not only the caller's subtree. Suggestions first: the routing's unit for the
 * case's item and place, the compound's property company, the community and sub-district above the
 * place (兜底). For co-handling (kind=co_unit) the units `addCoUnits` accepts: the same ones, less every
 * unit already involved in the case (lead, earlier lead, co-unit). Only for a caller who may hand the
 * case on or add co-units (requests.dispatch on the holding unit); anyone else, whether or not the case
 * exists, gets 403. Only names, codes, types and breadcrumbs.
 */
export async function listHandoffTargets(ctx: RequestsContext, actor: Actor, id: number, query: HandoffTargetsQuery): Promise<HandoffTargetsView> {
  const loaded = await loadCase(ctx.db, id, false)
  if (!loaded || !capsOf(actor, loaded.row, loaded.units).dispatcher) throw new AppError('forbidden', { action: 'requests.dispatch' })
  const { row } = loaded
  const kind = query.kind ?? 'dispatch'
  const day = shanghaiDay(ctx.now ? ctx.now() : nowIso())
  const chainIds = pathIds(row.location_path)
  const chainUnits = await store.findUnits(ctx.db, chainIds)
  const chain = chainIds.map((u) => chainUnits.get(u)).filter((u): u is store.UnitRow => u !== undefined).reverse()

  const found = new Map<HandoffReason, number>()
  if (row.item_id !== null) {
    try {
      found.set('route', (await resolveRoute(ctx.db, { locationUnitId: row.location_unit_id, itemId: row.item_id, date: day })).unitId)
    } catch (err) {
      if (!(err instanceof AppError)) throw err // an item or place gone since: no routing suggestion
    }
  }
  const compound = chain.find((u) => u.type === 'compound')
  const property = compound ? await propertyCompanyOf(ctx.db, compound.id, day) : null
  if (property) found.set('property_company', property.unitId)
  const community = nearestOfTypes(chain, ownerLevelTypes.community)
  if (community) found.set('community', community.id)
  const town = nearestOfTypes(chain, ownerLevelTypes.town)
  if (town) found.set('subdistrict', town.id)
  const reasons = new Map<number, HandoffReason>()
  for (const reason of suggestionOrder[kind]) {
    const unitId = found.get(reason)
    if (unitId !== undefined && !reasons.has(unitId)) reasons.set(unitId, reason)
  }

  const q = query.q?.trim() || null
  const excludeIds = [...new Set([...(row.handler_unit_id !== null ? [row.handler_unit_id] : []), ...(kind === 'co_unit' ? loaded.units.map((u) => u.unit_id) : [])])]
  const filter: store.HandoffUnitFilter = { countyId: row.county_id, types: handoffTypes, day, excludeIds, q, ids: null }
  const pageSize = query.pageSize ?? 20
  const [suggested, page] = await Promise.all([
    store.listHandoffUnits(ctx.db, { ...filter, ids: [...reasons.keys()] }, { limit: reasons.size || 1, offset: 0 }),
    store.listHandoffUnits(ctx.db, filter, { limit: pageSize, offset: ((query.page ?? 1) - 1) * pageSize }),
  ])
  const names = await store.unitNames(ctx.db, [...suggested.rows, ...page.rows].flatMap((u) => pathIds(u.path)))
  const view = (u: (typeof page.rows)[number], reason: HandoffReason | null): HandoffTarget => ({
    id: u.id, name: u.name, code: u.code, type: u.type as HandoffTarget['type'], reason,
    pathNames: pathIds(u.path).filter((a) => a !== row.county_id).map((a) => names.get(a) ?? ''),
  })
  const order = [...reasons.keys()]
  return {
    suggested: suggested.rows.sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id)).map((u) => view(u, reasons.get(u.id)!)),
    items: page.rows.map((u) => view(u, null)),
    total: page.total,
  }
}

/** 签收: the holding unit signs for a new case, or the unit a hand-off waits for takes it over. */
export async function acceptRequest(ctx: RequestsContext, actor: Actor, id: number, input: VersionedNoteInput): Promise<RequestDetail> {
  return act(ctx, actor, id, input.version, async (trx, { row, caps }, now) => {
    if (row.pending_unit_id !== null) {
      requireParty(caps.pendingUnit, 'accept')
      assertTransition('accept_handoff', shapeOf(row))
      const assignee = await pickAssignee(trx, row.pending_unit_id, now)
      if (row.handler_unit_id !== null) await store.deleteRequestUnit(trx, row.id, row.handler_unit_id)
      await store.setRequestUnit(trx, row.id, row.pending_unit_id, { role: 'lead', status: 'accepted' })
      return {
        patch: {
          status: 'accepted', handler_unit_id: row.pending_unit_id, handler_path: row.pending_path, dispatcher_unit_id: row.handler_unit_id,
          pending_unit_id: null, pending_path: null, pending_kind: null, pending_from_status: null, accepted_at: row.accepted_at ?? now, assignee_id: assignee,
        },
        events: [
          { kind: 'handoff_accepted', visibility: 'public', unitId: row.pending_unit_id, note: input.note ?? null, data: { from: row.handler_unit_id, kind: row.pending_kind } },
          ...(assignee !== null ? [{ kind: 'assigned', unitId: row.pending_unit_id, data: { assigneeId: assignee, by: 'policy' } }] : []),
        ],
        notify: assignee !== null ? [{ accountIds: [assignee], requestId: row.id, kind: 'assigned', title: `分派给您:${row.title}` }] : [],
      }
    }
    requireParty(caps.handler, 'accept')
    assertTransition('accept', shapeOf(row))
    if (row.handler_unit_id !== null) await store.setRequestUnit(trx, row.id, row.handler_unit_id, { status: 'accepted' })
    return {
      patch: { status: 'accepted', accepted_at: row.accepted_at ?? now, assignee_id: row.assignee_id ?? actor.accountId },
      events: [{ kind: 'accepted', visibility: 'public', unitId: row.handler_unit_id, note: input.note ?? null }],
    }
  })
}

/**
 * 退单 with a reason: the unit a hand-off waits for sends it back to the sender; a person sends an
 * assignment back to the unit; the holding unit sends a case that is not its own back to the unit
 * that dispatched it there, or one level up (兜底).
 */
export async function returnRequest(ctx: RequestsContext, actor: Actor, id: number, input: ReasonInput): Promise<RequestDetail> {
  return act(ctx, actor, id, input.version, async (trx, { row, caps }) => {
    const reason = input.reason
    if (row.pending_unit_id !== null) {
      requireParty(caps.pendingUnit, 'return')
      assertTransition('return_handoff', shapeOf(row))
      await store.deleteRequestUnit(trx, row.id, row.pending_unit_id)
      return {
        patch: { status: (row.pending_from_status ?? 'accepted'), pending_unit_id: null, pending_path: null, pending_kind: null, pending_from_status: null },
        events: [{ kind: 'returned', unitId: row.pending_unit_id, note: reason, data: { from: row.pending_unit_id, to: row.handler_unit_id, kind: 'handoff' } }],
        notify: [{ accountIds: await workersOf(trx, row.handler_unit_id), requestId: row.id, kind: 'returned', title: `诉求被退回:${row.title}`, body: reason }],
      }
    }
    requireParty(caps.handler, 'return')
    if (row.status === 'dispatched' && row.assignee_id !== null) {
      assertTransition('return_assignment', shapeOf(row))
      return {
        patch: { status: 'accepted', assignee_id: null },
        events: [{ kind: 'returned', unitId: row.handler_unit_id, note: reason, data: { from: row.assignee_id, kind: 'assignment' } }],
        notify: [{ accountIds: (await workersOf(trx, row.handler_unit_id)).filter((a) => a !== actor.accountId), requestId: row.id, kind: 'returned', title: `诉求被退回:${row.title}`, body: reason }],
      }
    }
    assertTransition('return_upward', shapeOf(row))
    const handler = row.handler_unit_id === null ? undefined : await store.findUnit(trx, row.handler_unit_id)
    const backId = row.dispatcher_unit_id ?? handler?.parent_id ?? null
    const back = backId === null ? undefined : await store.findUnit(trx, backId)
    if (!back || back.status !== 'active') throw new AppError('cannot_return')
    const assignee = await pickAssignee(trx, back.id, nowOf(ctx))
    if (row.handler_unit_id !== null) await store.deleteRequestUnit(trx, row.id, row.handler_unit_id)
    await store.insertRequestUnits(trx, [{ request_id: row.id, unit_id: back.id, role: 'lead', status: 'pending', created_at: nowOf(ctx) }])
    return {
      patch: { status: 'submitted', handler_unit_id: back.id, handler_path: back.path, dispatcher_unit_id: null, assignee_id: assignee },
      events: [{ kind: 'returned', unitId: back.id, note: reason, data: { from: row.handler_unit_id, to: back.id, kind: 'upward' } }],
      notify: [{ accountIds: await reachableWorkers(trx, back), requestId: row.id, kind: 'returned', title: `诉求被退回:${row.title}`, body: reason }],
    }
  })
}

async function handOff(ctx: RequestsContext, actor: Actor, id: number, version: number, kind: 'dispatch' | 'transfer', toUnitId: number, note: string | null): Promise<RequestDetail> {
  return act(ctx, actor, id, version, async (trx, { row, caps }, now) => {
    requireParty(caps.dispatcher, kind)
    assertTransition(kind, shapeOf(row))
    const target = await targetUnit(trx, row, toUnitId, now)
    await store.insertRequestUnits(trx, [{ request_id: row.id, unit_id: target.id, role: 'lead', status: 'pending', created_at: now }])
    return {
      patch: { status: 'dispatched', pending_unit_id: target.id, pending_path: target.path, pending_kind: kind, pending_from_status: row.status, dispatched_at: now },
      events: [{ kind: kind === 'dispatch' ? 'dispatched' : 'transferred', visibility: 'public', unitId: target.id, note, data: { from: row.handler_unit_id, to: target.id } }],
      notify: [{ accountIds: await reachableWorkers(trx, target), requestId: row.id, kind, title: `${kind === 'dispatch' ? '派单' : '转办'}:${row.title}`, body: note }],
    }
  })
}

/** 派单: hand the case to another unit (a grid, the property company, an agency); the sender holds it until they sign. */
export const dispatchRequest = (ctx: RequestsContext, actor: Actor, id: number, input: DispatchInput) =>
  handOff(ctx, actor, id, input.version, 'dispatch', input.toUnitId, input.note ?? null)

/** 转办: pass a case that is not ours to the right unit, with a reason; we stay responsible until it signs (首接负责). */
export const transferRequest = (ctx: RequestsContext, actor: Actor, id: number, input: TransferInput) =>
  handOff(ctx, actor, id, input.version, 'transfer', input.toUnitId, input.reason)

/** Gives the case to a person who works in the holding unit's subtree. */
export async function assignRequest(ctx: RequestsContext, actor: Actor, id: number, input: AssignInput): Promise<RequestDetail> {
  return act(ctx, actor, id, input.version, async (trx, { row, caps }, now) => {
    requireParty(caps.dispatcher, 'assign')
    assertTransition('assign', shapeOf(row))
    const grants = await store.findAccountGrantPaths(trx, input.assigneeId)
    const works = grants.some((g) => g.status === 'active' && (handlerRoles as readonly string[]).includes(g.role) && g.path !== null && row.handler_path !== null && g.path.startsWith(row.handler_path))
    if (!works) throw new AppError('assignee_not_in_unit', { assigneeId: input.assigneeId })
    return {
      patch: { assignee_id: input.assigneeId, ...(row.status === 'accepted' ? { status: 'dispatched', dispatched_at: now } : {}) },
      events: [{ kind: 'assigned', unitId: row.handler_unit_id, data: { assigneeId: input.assigneeId, name: grants[0]?.display_name ?? null, by: 'dispatcher' } }],
      notify: [{ accountIds: [input.assigneeId], requestId: row.id, kind: 'assigned', title: `分派给您:${row.title}` }],
    }
  })
}

export async function startRequest(ctx: RequestsContext, actor: Actor, id: number, input: VersionedNoteInput): Promise<RequestDetail> {
  return act(ctx, actor, id, input.version, (_trx, { row, caps }, now) => {
    requireParty(caps.handler, 'start')
    assertTransition('start', shapeOf(row))
    return {
      patch: { status: 'in_progress', started_at: row.started_at ?? now, assignee_id: row.assignee_id ?? actor.accountId },
      events: [{ kind: 'started', visibility: 'public', unitId: row.handler_unit_id, note: input.note ?? null }],
    }
  })
}

/** Waiting for the resident: the resolution clock stops until resumed. The reason is shown to the resident. */
export async function pauseRequest(ctx: RequestsContext, actor: Actor, id: number, input: ReasonInput): Promise<RequestDetail> {
  return act(ctx, actor, id, input.version, (_trx, { row, caps }, now) => {
    requireParty(caps.handler, 'pause')
    assertTransition('pause', shapeOf(row))
    return {
      patch: { paused_at: now, clock_json: JSON.stringify(pauseClock(clockOf(row), now)) },
      events: [{ kind: 'paused', visibility: 'public', unitId: row.handler_unit_id, note: input.reason }],
    }
  })
}

/** The patch that restarts a stopped clock: the deadline moves by the time spent waiting. */
async function resumePatch(trx: Db, row: RequestRow, now: string): Promise<Change['patch']> {
  const calendar = await loadCalendar(trx, row.county_id)
  const clock = resumeClock(clockOf(row), now)
  const due = resolutionDeadlines(clock, calendar)
  const waited = row.paused_at ? Math.round(clockMinutesBetween(row.paused_at, now, clock.resolution.unit, calendar)) : 0
  return {
    paused_at: null, paused_minutes: row.paused_minutes + waited, clock_json: JSON.stringify(clock),
    resolution_due_at: due?.dueAt ?? row.resolution_due_at, warn_at: due?.warnAt ?? row.warn_at,
  }
}

export async function resumeRequest(ctx: RequestsContext, actor: Actor, id: number, input: VersionedNoteInput): Promise<RequestDetail> {
  return act(ctx, actor, id, input.version, async (trx, { row, caps }, now) => {
    requireParty(caps.handler, 'resume')
    assertTransition('resume', shapeOf(row))
    return { patch: await resumePatch(trx, row, now), events: [{ kind: 'resumed', visibility: 'public', unitId: row.handler_unit_id, note: input.note ?? null }] }
  })
}

/** 办结: what was done (shown to the resident) and optional photos; every co-unit must have finished. */
export async function resolveRequest(ctx: RequestsContext, actor: Actor, id: number, input: ResolveInput): Promise<RequestDetail> {
  return act(ctx, actor, id, input.version, async (trx, { row, units, caps }, now) => {
    requireParty(caps.handler, 'resolve')
    assertTransition('resolve', shapeOf(row))
    const waiting = units.filter((u) => u.role === 'co' && u.status !== 'done')
    if (waiting.length > 0) throw new AppError('co_units_pending', { unitIds: waiting.map((u) => u.unit_id) })
    const resumed = row.paused_at !== null ? await resumePatch(trx, row, now) : {}
    const clock = resumed.clock_json ? (JSON.parse(resumed.clock_json) as ReturnType<typeof clockOf>) : clockOf(row)
    const minutes = handlingMinutes(row.submitted_at, now, clock, await loadCalendar(trx, row.county_id))
    const tokens = [...new Set(input.photoTokens ?? [])]
    if (tokens.length > 0) {
      const claimed = await store.claimUploads(trx, tokens.map(sha256), row.id, now)
      if (claimed.length !== tokens.length) throw new AppError('unknown_upload', { missing: tokens.length - claimed.length })
      await store.insertPhotos(trx, claimed.map((u) => ({ request_id: row.id, stage: 'resolution', stored_name: u.stored_name, mime: u.mime, bytes: u.bytes, created_at: now })))
    }
    if (row.handler_unit_id !== null) await store.setRequestUnit(trx, row.id, row.handler_unit_id, { status: 'done' })
    return {
      patch: {
        ...resumed, status: 'resolved', resolved_at: now, is_open: 0, handling_minutes: minutes.handling, working_minutes: minutes.working,
        started_at: row.started_at ?? now, accepted_at: row.accepted_at ?? now,
      },
      events: [
        ...(row.paused_at !== null ? [{ kind: 'resumed', visibility: 'public' as const, unitId: row.handler_unit_id }] : []),
        { kind: 'resolved', visibility: 'public', unitId: row.handler_unit_id, note: input.note, data: { photos: tokens.length } },
      ],
    }
  })
}

export async function closeRequest(ctx: RequestsContext, actor: Actor, id: number, input: VersionedNoteInput): Promise<RequestDetail> {
  return act(ctx, actor, id, input.version, (_trx, { row, caps }, now) => {
    requireParty(caps.handler, 'close')
    assertTransition('close', shapeOf(row))
    return { patch: { status: 'closed', closed_at: now }, events: [{ kind: 'closed', visibility: 'public', unitId: row.handler_unit_id, note: input.note ?? null }] }
  })
}

/** Staff reopen a resolved or closed case (e.g. the resident called back): a fresh resolution clock. */
export async function reopenRequest(ctx: RequestsContext, actor: Actor, id: number, input: ReasonInput): Promise<RequestDetail> {
  return act(ctx, actor, id, input.version, async (trx, { row, caps }, now) => {
    requireParty(caps.handler || caps.supervisor, 'reopen')
    assertTransition('reopen', shapeOf(row))
    return {
      patch: await reopenPatch(trx, row, now),
      events: [{ kind: 'reopened', visibility: 'public', unitId: row.handler_unit_id, note: input.reason, data: { by: 'staff' } }],
      notify: row.assignee_id !== null ? [{ accountIds: [row.assignee_id], requestId: row.id, kind: 'reopened', title: `诉求重办:${row.title}`, body: input.reason }] : [],
    }
  })
}

/** A duplicate: it stops counting (status merged) and points to the surviving case, whose timeline notes it. */
export async function mergeRequest(ctx: RequestsContext, actor: Actor, id: number, input: MergeInput): Promise<RequestDetail> {
  return act(ctx, actor, id, input.version, async (trx, { row, caps }, now) => {
    requireParty(caps.dispatcher, 'merge')
    assertTransition('merge', shapeOf(row))
    if (input.intoId === row.id) throw new AppError('invalid_merge_target', { intoId: input.intoId, problem: 'itself' })
    const target = await visibleCase(trx, actor, input.intoId, false)
    if (target.row.county_id !== row.county_id || target.row.status === 'merged' || target.row.status === 'closed') {
      throw new AppError('invalid_merge_target', { intoId: input.intoId, status: target.row.status })
    }
    await writeEvents(trx, actor, target.row, [{ kind: 'merged_from', data: { requestId: row.id, title: row.title } }], now, target.row.status)
    await recordAudit(trx, actor, { action: 'requests.merge', entityType: 'request', entityId: row.id, unitId: row.location_unit_id, unitPath: row.location_path, before: { status: row.status }, after: { status: 'merged', mergedIntoId: target.row.id } })
    return {
      patch: { status: 'merged', merged_into_id: target.row.id, is_open: 0, paused_at: null },
      events: [{ kind: 'merged', visibility: 'public', note: null, data: { intoId: target.row.id } }],
    }
  })
}

/** 协办: co-handling units join; each marks its own part done; the case resolves when all have. */
export async function addCoUnits(ctx: RequestsContext, actor: Actor, id: number, input: CoUnitsInput): Promise<RequestDetail> {
  return act(ctx, actor, id, input.version, async (trx, { row, units, caps }, now) => {
    requireParty(caps.dispatcher, 'add_co_units')
    assertTransition('add_co_units', shapeOf(row))
    const ids = [...new Set(input.unitIds)]
    const targets: store.UnitRow[] = []
    for (const unitId of ids) {
      const unit = await targetUnit(trx, row, unitId, now)
      if (units.some((u) => u.unit_id === unitId)) throw new AppError('invalid_target_unit', { unitId, problem: 'already_involved' })
      targets.push(unit)
    }
    await store.insertRequestUnits(trx, targets.map((u) => ({ request_id: row.id, unit_id: u.id, role: 'co', status: 'pending', created_at: now })))
    const notify: NotifyDraft[] = []
    for (const u of targets) notify.push({ accountIds: await reachableWorkers(trx, u), requestId: row.id, kind: 'co_handling', title: `协办诉求:${row.title}`, body: input.note ?? null })
    return { patch: {}, events: [{ kind: 'co_units_added', note: input.note ?? null, data: { unitIds: ids } }], notify }
  })
}

export async function markCoUnitDone(ctx: RequestsContext, actor: Actor, id: number, unitId: number, input: CoDoneInput): Promise<RequestDetail> {
  return act(ctx, actor, id, undefined, async (trx, { row, units, caps }) => {
    const unit = units.find((u) => u.unit_id === unitId && u.role === 'co')
    if (!unit) throw new AppError('co_unit_not_found', { unitId })
    requireParty(caps.coUnits.includes(unitId), 'co_done')
    assertTransition('co_done', shapeOf(row))
    if (unit.status === 'done') throw new AppError('invalid_transition', { transition: 'co_done', problem: 'this unit has already finished its part' })
    await store.setRequestUnit(trx, row.id, unitId, { status: 'done' })
    return {
      patch: {},
      events: [{ kind: 'co_done', unitId, note: input.note }],
      notify: [{ accountIds: await workersOf(trx, row.handler_unit_id), requestId: row.id, kind: 'co_done', title: `协办完成:${row.title}`, body: `${unit.unit_name}:${input.note}` }],
    }
  })
}

/** 延期申请: before the deadline only; a supervisor decides. */
export async function requestExtension(ctx: RequestsContext, actor: Actor, id: number, input: ExtensionInput): Promise<RequestDetail> {
  return act(ctx, actor, id, input.version, async (trx, { row, caps }, now) => {
    requireParty(caps.handler, 'request_extension')
    assertTransition('request_extension', shapeOf(row))
    if (row.resolution_due_at === null || Date.parse(now) >= Date.parse(row.resolution_due_at)) throw new AppError('extension_too_late', { dueAt: row.resolution_due_at })
    const existing = await store.listExtensionsOf(trx, row.id)
    if (existing.some((x) => x.status === 'pending')) throw new AppError('extension_pending')
    const { id: extensionId } = await store.insertExtension(trx, {
      request_id: row.id, requested_by: actor.accountId, requested_at: now, extra_amount: input.extra.amount, extra_unit: input.extra.unit,
      reason: input.reason, status: 'pending', decided_by: null, decided_at: null, decision_note: null,
    })
    const handler = row.handler_unit_id === null ? undefined : await store.findUnit(trx, row.handler_unit_id)
    const supervisors = handler?.parent_id ? await workersOf(trx, handler.parent_id) : []
    return {
      patch: {},
      events: [{ kind: 'extension_requested', unitId: row.handler_unit_id, note: input.reason, data: { extensionId, extra: input.extra } }],
      notify: [{ accountIds: supervisors, requestId: row.id, kind: 'extension_requested', title: `延期申请:${row.title}`, body: input.reason }],
    }
  })
}

export async function decideExtension(ctx: RequestsContext, actor: Actor, id: number, extensionId: number, input: DecisionInput): Promise<RequestDetail> {
  return act(ctx, actor, id, undefined, async (trx, { row, caps }, now) => {
    const ext = await store.findExtension(trx, extensionId)
    if (!ext || ext.request_id !== row.id) throw new AppError('extension_not_found')
    requireParty(caps.supervisor, 'decide_extension')
    if (ext.status !== 'pending') throw new AppError('extension_decided', { status: ext.status })
    if (ext.requested_by !== null && ext.requested_by === actor.accountId) throw new AppError('forbidden', { action: 'decide_extension', problem: 'own request' })
    assertTransition('decide_extension', shapeOf(row))
    if (!(await store.updateExtension(trx, ext.id, { status: input.approve ? 'approved' : 'rejected', decided_by: actor.accountId, decided_at: now, decision_note: input.note ?? null }))) {
      throw new AppError('extension_decided')
    }
    await recordAudit(trx, actor, {
      action: input.approve ? 'requests.extension_approved' : 'requests.extension_rejected', entityType: 'request', entityId: row.id,
      unitId: row.handler_unit_id, unitPath: row.handler_path, after: { extensionId: ext.id, amount: ext.extra_amount, unit: ext.extra_unit }, reason: input.note ?? null,
    })
    const notify: NotifyDraft[] = ext.requested_by !== null
      ? [{ accountIds: [ext.requested_by], requestId: row.id, kind: 'extension_decided', title: `延期申请${input.approve ? '已批准' : '未批准'}:${row.title}`, body: input.note ?? null }]
      : []
    if (!input.approve) return { patch: {}, events: [{ kind: 'extension_rejected', note: input.note ?? null, data: { extensionId: ext.id } }], notify }
    const clock = extendClock(clockOf(row), { amount: ext.extra_amount, unit: ext.extra_unit as Duration['unit'] })
    const due = resolutionDeadlines(clock, await loadCalendar(trx, row.county_id))
    const patch: Change['patch'] = { clock_json: JSON.stringify(clock) }
    if (due) {
      Object.assign(patch, { resolution_due_at: due.dueAt, warn_at: due.warnAt })
      if (Date.parse(due.warnAt) > Date.parse(now)) patch.warned = 0
      if (Date.parse(due.dueAt) > Date.parse(now)) Object.assign(patch, { resolution_overdue: 0, escalation_level: 0 })
    }
    return { patch, events: [{ kind: 'extension_approved', visibility: 'public', note: input.note ?? null, data: { extensionId: ext.id, dueAt: due?.dueAt ?? null } }], notify }
  })
}

/** A note on the timeline: internal, or public (shown on the resident's tracking page). */
export async function addNote(ctx: RequestsContext, actor: Actor, id: number, input: NoteInput): Promise<RequestDetail> {
  await ctx.db.transaction().execute(async (trx) => {
    const { row, caps } = await visibleCase(trx, actor, id, false)
    requireParty(caps.handler || caps.pendingUnit || caps.coUnits.length > 0 || caps.supervisor, 'note')
    assertTransition('note', shapeOf(row))
    if (input.templateId !== undefined && !(await store.findTemplate(trx, input.templateId))) throw new AppError('template_not_found')
    const unitId = caps.handler ? row.handler_unit_id : caps.pendingUnit ? row.pending_unit_id : caps.coUnits[0] ?? null
    await writeEvents(trx, actor, row, [{ kind: 'note', visibility: input.visibility, note: input.text, unitId, data: input.templateId ? { templateId: input.templateId } : undefined }], nowOf(ctx), row.status)
  })
  return getRequestDetail(ctx, actor, id)
}

/** 催办: remind whoever holds the case. */
export async function remindRequest(ctx: RequestsContext, actor: Actor, id: number, input: RemindInput): Promise<RequestDetail> {
  await ctx.db.transaction().execute(async (trx) => {
    const { row, caps } = await visibleCase(trx, actor, id, false)
    requireParty(caps.supervisor || caps.dispatcher, 'remind')
    assertTransition('remind', shapeOf(row))
    const now = nowOf(ctx)
    const people = row.assignee_id !== null ? [row.assignee_id] : await workersOf(trx, row.pending_unit_id ?? row.handler_unit_id)
    await writeEvents(trx, actor, row, [{ kind: 'reminded', note: input.note ?? null, unitId: row.pending_unit_id ?? row.handler_unit_id, data: { by: 'staff' } }], now, row.status)
    await writeNotifications(trx, [{ accountIds: people, requestId: row.id, kind: 'reminded', title: `催办:${row.title}`, body: input.note ?? null }], now)
  })
  return getRequestDetail(ctx, actor, id)
}

/** 回访: staff record the resident's answers from a phone follow-up; "not solved" reopens the case. */
export async function recordCallback(ctx: RequestsContext, actor: Actor, id: number, input: CallbackInput): Promise<RequestDetail> {
  await ctx.db.transaction().execute(async (trx) => {
    const { row, caps } = await visibleCase(trx, actor, id, true)
    requireParty(caps.handler || caps.dispatcher, 'callback')
    await recordRating(trx, ctx, actor, row, { ...input, source: 'callback' })
  })
  return getRequestDetail(ctx, actor, id)
}

/** 免考核申诉: the handling unit asks the county to leave the case out of its rates. */
export async function appealRequest(ctx: RequestsContext, actor: Actor, id: number, input: AppealInput): Promise<RequestDetail> {
  return act(ctx, actor, id, undefined, async (trx, { row, caps }, now) => {
    requireParty(caps.handler, 'appeal')
    assertTransition('appeal', shapeOf(row))
    if (row.excluded === 1) throw new AppError('appeal_decided', { problem: 'already excluded' })
    if ((await store.listAppealsOf(trx, row.id)).some((a) => a.status === 'pending')) throw new AppError('appeal_pending')
    const unitId = row.handler_unit_id ?? row.location_unit_id
    const { id: appealId } = await store.insertAppeal(trx, {
      request_id: row.id, unit_id: unitId, kind: input.kind, reason: input.reason, status: 'pending', requested_by: actor.accountId, requested_at: now,
      decided_by: null, decided_at: null, decision_note: null,
    })
    await recordAudit(trx, actor, { action: 'requests.appeal', entityType: 'request', entityId: row.id, unitId, unitPath: row.handler_path, after: { appealId, kind: input.kind }, reason: input.reason })
    return {
      patch: {},
      events: [{ kind: 'appeal_requested', unitId, note: input.reason, data: { appealId, kind: input.kind } }],
      notify: [{ accountIds: await workersOf(trx, row.county_id), requestId: row.id, kind: 'appeal_requested', title: `免考核申诉:${row.title}`, body: input.reason }],
    }
  })
}

/** The county decides an appeal; approved cases leave the rates (excluded) but stay visible, and the decision is audited. */
export async function decideAppeal(ctx: RequestsContext, actor: Actor, id: number, appealId: number, input: DecisionInput): Promise<RequestDetail> {
  return act(ctx, actor, id, undefined, async (trx, { row, caps }, now) => {
    const appeal = await store.findAppeal(trx, appealId)
    if (!appeal || appeal.request_id !== row.id) throw new AppError('appeal_not_found')
    requireParty(caps.county, 'decide_appeal')
    if (appeal.status !== 'pending') throw new AppError('appeal_decided', { status: appeal.status })
    assertTransition('decide_appeal', shapeOf(row))
    if (!(await store.updateAppeal(trx, appeal.id, { status: input.approve ? 'approved' : 'rejected', decided_by: actor.accountId, decided_at: now, decision_note: input.note ?? null }))) {
      throw new AppError('appeal_decided')
    }
    await recordAudit(trx, actor, {
      action: input.approve ? 'requests.appeal_approved' : 'requests.appeal_rejected', entityType: 'request', entityId: row.id, unitId: appeal.unit_id,
      unitPath: row.handler_path, before: { excluded: row.excluded === 1 }, after: { excluded: input.approve || row.excluded === 1, appealId: appeal.id, kind: appeal.kind },
      reason: input.note ?? null,
    })
    return {
      patch: input.approve ? { excluded: 1 } : {},
      events: [{ kind: input.approve ? 'appeal_approved' : 'appeal_rejected', unitId: appeal.unit_id, note: input.note ?? null, data: { appealId: appeal.id, kind: appeal.kind } }],
      notify: appeal.requested_by !== null ? [{ accountIds: [appeal.requested_by], requestId: row.id, kind: 'appeal_decided', title: `申诉${input.approve ? '已通过' : '未通过'}:${row.title}`, body: input.note ?? null }] : [],
    }
  })
}

// --- supervisors' lists -----------------------------------------------------------------------

export async function listAppeals(ctx: RequestsContext, actor: Actor, query: AppealQuery): Promise<{ items: AppealView[]; total: number }> {
  const { rows, total } = await store.listAppeals(ctx.db, subtreeFilter(actor, 'requests.supervise'), query.status ?? null, pageOf(query))
  return { total, items: rows.map(toAppealView) }
}

export async function listExtensions(ctx: RequestsContext, actor: Actor, query: ExtensionQuery): Promise<{ items: ExtensionView[]; total: number }> {
  const { rows, total } = await store.listExtensions(ctx.db, subtreeFilter(actor, 'requests.supervise'), query.status ?? null, pageOf(query))
  return { total, items: rows.map(toExtensionView) }
}

// --- response templates ----------------------------------------------------------------------

const toTemplateView = (t: store.TemplateRow): TemplateView => ({ id: t.id, unitId: t.unit_id, unitName: t.unit_name ?? null, title: t.title, body: t.body, createdAt: t.created_at })

/** Templates that apply to a unit (its own and its ancestors', and those offered everywhere), or everything the caller may read. */
export async function listTemplates(ctx: RequestsContext, actor: Actor, query: TemplateQuery): Promise<TemplateView[]> {
  if (query.unitId !== undefined) {
    const unit = await store.findUnit(ctx.db, query.unitId)
    if (!unit) throw new AppError('unit_not_found', { unitId: query.unitId })
    if (!can(actor, 'requests.read', unit.path)) throw new AppError('forbidden', { action: 'requests.read' })
    return (await store.listTemplates(ctx.db, pathIds(unit.path), { all: false, paths: [] })).map(toTemplateView)
  }
  const ancestors = actor.grants.flatMap((g) => (g.unitPath ? pathIds(g.unitPath) : []))
  return (await store.listTemplates(ctx.db, ancestors, subtreeFilter(actor, 'requests.read'))).map(toTemplateView)
}

function requireTemplateManage(actor: Actor, unitPath: string | null): void {
  const ok = unitPath === null ? subtreeFilter(actor, 'requests.dispatch').all : can(actor, 'requests.dispatch', unitPath)
  if (!ok) throw new AppError('forbidden', { action: 'requests.dispatch' })
}

export async function createTemplate(ctx: RequestsContext, actor: Actor, input: CreateTemplateInput): Promise<TemplateView> {
  return ctx.db.transaction().execute(async (trx) => {
    const unit = input.unitId === null ? null : await store.findUnit(trx, input.unitId)
    if (input.unitId !== null && !unit) throw new AppError('unit_not_found', { unitId: input.unitId })
    requireTemplateManage(actor, unit?.path ?? null)
    const { id } = await store.insertTemplate(trx, { unit_id: unit?.id ?? null, title: input.title, body: input.body, created_at: nowOf(ctx) })
    await recordAudit(trx, actor, { action: 'requests.template_create', entityType: 'response_template', entityId: id, unitId: unit?.id ?? null, unitPath: unit?.path ?? null, after: input })
    return toTemplateView((await store.findTemplate(trx, id))!)
  })
}

export async function updateTemplate(ctx: RequestsContext, actor: Actor, id: number, input: UpdateTemplateInput): Promise<TemplateView> {
  return ctx.db.transaction().execute(async (trx) => {
    const t = await store.findTemplate(trx, id)
    if (!t) throw new AppError('template_not_found')
    requireTemplateManage(actor, t.unit_path ?? null)
    await store.updateTemplate(trx, id, { ...(input.title !== undefined ? { title: input.title } : {}), ...(input.body !== undefined ? { body: input.body } : {}) })
    await recordAudit(trx, actor, { action: 'requests.template_update', entityType: 'response_template', entityId: id, unitId: t.unit_id, unitPath: t.unit_path ?? null, before: { title: t.title, body: t.body }, after: input })
    return toTemplateView((await store.findTemplate(trx, id))!)
  })
}

export async function deleteTemplate(ctx: RequestsContext, actor: Actor, id: number): Promise<{ ok: true }> {
  await ctx.db.transaction().execute(async (trx) => {
    const t = await store.findTemplate(trx, id)
    if (!t) throw new AppError('template_not_found')
    requireTemplateManage(actor, t.unit_path ?? null)
    await store.deleteTemplate(trx, id)
    await recordAudit(trx, actor, { action: 'requests.template_delete', entityType: 'response_template', entityId: id, unitId: t.unit_id, unitPath: t.unit_path ?? null, before: { title: t.title, body: t.body } })
  })
  return { ok: true }
}

// --- assignment policy ------------------------------------------------------------------------

async function policyView(db: Db, unitId: number): Promise<AssignmentPolicyView> {
  const [policy, workers] = await Promise.all([store.findAssignmentPolicy(db, unitId), unitWorkers(db, unitId)])
  const load = await store.countOpenAssigned(db, workers.map((w) => w.accountId))
  return {
    unitId, policy: (policy?.policy ?? 'manual') as AssignmentPolicy, lastAssigneeId: policy?.last_assignee_id ?? null, updatedAt: policy?.updated_at ?? null,
    workers: workers.map((w) => ({ accountId: w.accountId, displayName: w.displayName, openCases: load.get(w.accountId) ?? 0 })),
  }
}

async function dispatchableUnit(db: Db, actor: Actor, unitId: number): Promise<store.UnitRow> {
  const unit = await store.findUnit(db, unitId)
  if (!unit) throw new AppError('unit_not_found', { unitId })
  if (!can(actor, 'requests.dispatch', unit.path)) throw new AppError('forbidden', { action: 'requests.dispatch' })
  return unit
}

export async function getAssignmentPolicy(ctx: RequestsContext, actor: Actor, unitId: number): Promise<AssignmentPolicyView> {
  await dispatchableUnit(ctx.db, actor, unitId)
  return policyView(ctx.db, unitId)
}

/** How a unit hands new cases to its people: manual, round-robin, or the least open load. */
export async function setAssignmentPolicy(ctx: RequestsContext, actor: Actor, unitId: number, input: AssignmentPolicyInput): Promise<AssignmentPolicyView> {
  await ctx.db.transaction().execute(async (trx) => {
    const unit = await dispatchableUnit(trx, actor, unitId)
    const before = await store.findAssignmentPolicy(trx, unitId)
    await store.upsertAssignmentPolicy(trx, { unit_id: unitId, policy: input.policy, last_assignee_id: null, updated_at: nowOf(ctx) })
    await recordAudit(trx, actor, { action: 'requests.assignment_policy', entityType: 'unit', entityId: unitId, unitId, unitPath: unit.path, before: { policy: before?.policy ?? 'manual' }, after: input })
  })
  return policyView(ctx.db, unitId)
}

// --- notifications ----------------------------------------------------------------------------

const toNotificationView = (n: NonNullable<Awaited<ReturnType<typeof store.findNotification>>>): NotificationView => ({
  id: n.id, requestId: n.request_id, kind: n.kind, title: n.title, body: n.body, createdAt: n.created_at, readAt: n.read_at,
})

export async function listNotifications(ctx: RequestsContext, actor: Actor, query: NotificationQuery) {
  if (actor.accountId === null) throw new AppError('unauthenticated')
  const { rows, total, unread } = await store.listNotifications(ctx.db, actor.accountId, query.unread === true, pageOf(query))
  return { items: rows.map(toNotificationView), total, unread }
}

export async function markNotificationRead(ctx: RequestsContext, actor: Actor, id: number): Promise<NotificationView> {
  if (actor.accountId === null) throw new AppError('unauthenticated')
  await store.markNotificationRead(ctx.db, actor.accountId, id, nowOf(ctx))
  const n = await store.findNotification(ctx.db, actor.accountId, id)
  if (!n) throw new AppError('notification_not_found')
  return toNotificationView(n)
}

// --- rollups ----------------------------------------------------------------------------------

/** Recomputes a county's board rollups from its requests (after restructuring); county-level supervisors only. */
export async function rebuildCountyRollups(ctx: RequestsContext, actor: Actor, input: RebuildRollupsInput) {
  const county = await store.findUnit(ctx.db, input.countyId)
  if (!county || county.type !== 'county') throw new AppError('unit_not_found', { unitId: input.countyId })
  if (!can(actor, 'requests.supervise', county.path)) throw new AppError('forbidden', { action: 'requests.supervise' })
  const result = await rebuildRollups(ctx.db, { countyId: county.id })
  await recordAudit(ctx.db, actor, { action: 'requests.rollups_rebuilt', entityType: 'unit', entityId: county.id, unitId: county.id, unitPath: county.path, after: result })
  return result
}

