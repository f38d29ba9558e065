import { pathIds as idsOfPath } from '../../lib/unit-path.js'
import type { Db } from '../../db/connect.js'
import { AppError } from '../../server/errors.js'
import { nowIso, shanghaiDay } from '../../lib/time.js'
import { randomToken, sha256 } from '../../lib/tokens.js'
import { pageOf } from '../../lib/paging.js'
import { outermostPaths } from '../../db/subtree.js'
import { recordAudit } from '../audit/service.js'
import { can, requireActionOnPath, subtreeFilter, type Actor } from '../access/service.js'
import { followSubtreeMove } from '../requests/service.js'
import { gridCodeRange } from './codes.js'
import {
  planArchive, planMergeGrids, planMergeVillages, planMove, planRedivideGrids, planRename, planSplit,
  type OrgSnap, type Plan, type PlanMeta, type Snapshot, type UnitSnap,
} from './planning.js'
import * as store from './store.js'
import type {
  ArchiveUnitInput, EventQuery, LineageEdge, MergeGridsInput, MergeVillagesInput, MoveUnitInput, RedivideGridsInput, RenameUnitInput,
  RestructureEventDetail, RestructureEventView, RestructureKind, RestructurePlan, RestructureResult, SplitUnitInput, UnitType,
} from './schema.js'

/*
 * Restructuring use cases. Preview and execution share `prepare`: load a snapshot, plan (pure,
 * planning.ts), check the caller's grants on every unit the plan touches, check codes against the
 * whole table. Execution then applies that very plan inside the same transaction, records the event,
 * its lineage and one audit entry.
 */

interface Operation<I> {
  /** Ids named in the input: each must exist and the caller needs units.restructure on it. */
  inputIds(input: I): number[]
  /** Units whose whole subtree the planner needs, and single units it needs besides. */
  snapshot(input: I): { subtrees: number[]; units: number[]; codes: string[] }
  plan(snap: Snapshot, input: I, meta: PlanMeta): Plan
}

const operations: { [K in RestructureKind]: Operation<never> } = {
  merge_villages: {
    inputIds: (i: MergeVillagesInput) => [...i.villageIds, ...(i.newVillageId ? [i.newVillageId] : []), ...(i.newVillage ? [i.newVillage.townId] : [])],
    snapshot: (i: MergeVillagesInput) => ({
      subtrees: [...i.villageIds, ...(i.newVillageId ? [i.newVillageId] : [])], units: i.newVillage ? [i.newVillage.townId] : [],
      codes: i.newVillage?.code ? [i.newVillage.code] : [],
    }),
    plan: planMergeVillages,
  } satisfies Operation<MergeVillagesInput>,
  redivide_grids: {
    inputIds: (i: RedivideGridsInput) => [i.communityId, ...i.grids.flatMap((g) => [...g.compoundIds, ...(g.buildingIds ?? [])])],
    snapshot: (i: RedivideGridsInput) => ({ subtrees: [i.communityId], units: [], codes: i.grids.flatMap((g) => (g.code ? [g.code] : [])) }),
    plan: planRedivideGrids,
  } satisfies Operation<RedivideGridsInput>,
  merge_grids: {
    inputIds: (i: MergeGridsInput) => i.gridIds,
    snapshot: (i: MergeGridsInput) => ({ subtrees: i.gridIds, units: [], codes: i.newGrid?.code ? [i.newGrid.code] : [] }),
    plan: planMergeGrids,
  } satisfies Operation<MergeGridsInput>,
  move: {
    inputIds: (i: MoveUnitInput) => [i.unitId, i.newParentId],
    snapshot: (i: MoveUnitInput) => ({ subtrees: [i.unitId], units: [i.newParentId], codes: i.code ? [i.code] : [] }),
    plan: planMove,
  } satisfies Operation<MoveUnitInput>,
  rename: {
    inputIds: (i: RenameUnitInput) => [i.unitId],
    snapshot: (i: RenameUnitInput) => ({ subtrees: [], units: [i.unitId], codes: [] }),
    plan: planRename,
  } satisfies Operation<RenameUnitInput>,
  archive: {
    inputIds: (i: ArchiveUnitInput) => [i.unitId],
    snapshot: (i: ArchiveUnitInput) => ({ subtrees: [i.unitId], units: [], codes: [] }),
    plan: planArchive,
  } satisfies Operation<ArchiveUnitInput>,
  split: {
    inputIds: (i: SplitUnitInput) => [i.unitId, ...i.parts.flatMap((p) => p.childIds)],
    snapshot: (i: SplitUnitInput) => ({ subtrees: [i.unitId], units: [], codes: i.parts.flatMap((p) => (p.code ? [p.code] : [])) }),
    plan: planSplit,
  } satisfies Operation<SplitUnitInput>,
}

export type InputOf<K extends RestructureKind> = {
  merge_villages: MergeVillagesInput; redivide_grids: RedivideGridsInput; merge_grids: MergeGridsInput; move: MoveUnitInput
  rename: RenameUnitInput; archive: ArchiveUnitInput; split: SplitUnitInput
}[K]


const toUnitSnap = (r: store.UnitRow): UnitSnap => ({
  id: r.id, parentId: r.parent_id, countyId: r.county_id, type: r.type as UnitType, name: r.name, code: r.code, path: r.path, depth: r.depth,
  status: r.status === 'archived' ? 'archived' : 'active', sortOrder: r.sort_order,
})
type OrgRow = Awaited<ReturnType<typeof store.findOrgsByIds>>[number]
const toOrgSnap = (o: OrgRow): OrgSnap => ({ id: o.id, unitId: o.unit_id, parentId: o.parent_id, path: o.path, kind: o.kind, name: o.name, status: o.status })

/** The units of the given subtrees, the given single units, all their ancestors, with resident and party counts. */
async function loadSnapshot(db: Db, spec: { subtrees: number[]; units: number[]; codes: string[] }): Promise<Snapshot> {
  const named = await store.findUnitsByIds(db, [...spec.subtrees, ...spec.units])
  const subtreeIds = new Set(spec.subtrees)
  const paths = outermostPaths(named.filter((r) => subtreeIds.has(r.id)).map((r) => r.path))
  const rows = new Map<number, store.UnitRow>(named.map((r) => [r.id, r]))
  for (const r of await store.unitsInSubtrees(db, paths)) rows.set(r.id, r)
  const missing = [...new Set([...rows.values()].flatMap((r) => idsOfPath(r.path)))].filter((id) => !rows.has(id))
  for (const r of await store.findUnitsByIds(db, missing)) rows.set(r.id, r)

  const residents = await store.directResidentCounts(db, paths)
  const orgRows = await store.activeOrgsOfUnits(db, [...rows.keys()])
  const orgs = new Map(orgRows.map((o) => [o.id, toOrgSnap(o)]))
  const parentOrgIds = orgRows.map((o) => o.parent_id).filter((id): id is number => id !== null && !orgs.has(id))
  for (const o of await store.findOrgsByIds(db, parentOrgIds)) orgs.set(o.id, toOrgSnap(o))
  const members = await store.memberCounts(db, [...orgs.keys()])

  const prefixes = new Set([...rows.values()].map((r) => r.code).concat(spec.codes).filter((c): c is string => c !== null && /^\d{12}$/.test(c)))
  const gridCodes = new Set((await store.codeOwners(db, [], [...prefixes].map(gridCodeRange))).keys())
  return {
    units: new Map([...rows.values()].map((r) => [r.id, toUnitSnap(r)])),
    households: residents.households, people: residents.people, orgs, members, gridCodes,
  }
}

/** Codes the plan hands out must be free in the whole table, except those the plan itself frees. */
async function assertCodesFree(db: Db, plan: Plan): Promise<void> {
  const handedOut = [...plan.created.map((c) => c.code), ...plan.changed.map((c) => c.code?.to ?? null)].filter((c): c is string => c !== null)
  const owners = await store.codeOwners(db, handedOut, [])
  const freed = new Set(plan.changed.filter((c) => c.code !== null).map((c) => c.unit.id))
  for (const [code, owner] of owners) if (!freed.has(owner)) throw new AppError('unit_code_taken', { code, unitId: owner })
}

const planHashOf = (plan: Omit<Plan, 'touched'>): string => sha256(JSON.stringify(plan))

const publicPlan = (plan: Plan): RestructurePlan => {
  const { touched: _touched, ...view } = plan
  return { ...view, planHash: planHashOf(view) }
}

async function prepare<K extends RestructureKind>(db: Db, actor: Actor, kind: K, input: InputOf<K>): Promise<Plan> {
  const op = operations[kind] as unknown as Operation<InputOf<K>>
  const ids = op.inputIds(input)
  const named = new Map((await store.findUnitsByIds(db, ids)).map((r) => [r.id, r]))
  for (const id of ids) {
    const unit = named.get(id)
    if (!unit) throw new AppError('unit_not_found', { unitId: id })
    requireActionOnPath(actor, 'units.restructure', unit.path)
  }
  const snapshot = await loadSnapshot(db, op.snapshot(input))
  const meta: PlanMeta = { effectiveDate: input.effectiveDate ?? shanghaiDay(new Date()), note: input.note ?? null }
  const plan = op.plan(snapshot, input, meta)
  for (const id of plan.touched) requireActionOnPath(actor, 'units.restructure', (snapshot.units.get(id) as UnitSnap).path)
  await assertCodesFree(db, plan)
  return plan
}

/** What the operation would change, computed exactly as the execution computes it; writes nothing. */
export async function previewRestructure<K extends RestructureKind>(db: Db, actor: Actor, kind: K, input: InputOf<K>): Promise<RestructurePlan> {
  return db.transaction().execute(async (trx) => publicPlan(await prepare(trx, actor, kind, input)))
}

/** A unique-index race (another writer took a code between our check and our write) still answers as a taken code. */
function mapUniqueViolation(err: unknown): never {
  const e = err as { code?: string; constraint?: string; message?: string }
  const unique = e.code === '23505' || e.code === 'SQLITE_CONSTRAINT_UNIQUE'
  if (unique && (e.constraint === 'unit_code_idx' || /unit\.code/.test(e.message ?? ''))) throw new AppError('unit_code_taken')
  throw err
}

/** Runs the operation: plan, apply, event, lineage and one audit entry, all in one transaction. */
export async function executeRestructure<K extends RestructureKind>(
  db: Db, actor: Actor, kind: K, input: InputOf<K>,
): Promise<RestructureResult> {
  try {
    return await db.transaction().execute(async (trx) => {
      await store.lockUnitTree(trx)
      const plan = await prepare(trx, actor, kind, input)
      const view = publicPlan(plan)
      if (input.planHash !== undefined && input.planHash !== view.planHash) {
        throw new AppError('restructure_plan_changed', { planHash: view.planHash })
      }
      const before = await store.findUnitsByIds(trx, plan.touched.concat(plan.moved.map((m) => m.unit.id)))
      const now = nowIso()
      const { unitIds, orgIds } = await applyPlan(trx, plan, now)
      const resolve = (ref: { id: number | null; ref: string | null }) => ref.id ?? (unitIds.get(ref.ref as string) as number)

      const anchor = (await store.findUnitById(trx, plan.anchor.id))!
      const createdUnits = [...unitIds.entries()].map(([ref, id]) => ({ ref, id }))
      const createdPartyOrgs = [...orgIds.entries()].map(([ref, id]) => ({ ref, id }))
      const { id: eventId } = await store.insertEvent(trx, {
        county_id: anchor.county_id, kind, effective_date: plan.effectiveDate, title: plan.title, note: plan.note,
        summary_json: JSON.stringify({ plan: view, createdUnits, createdPartyOrgs }),
        actor_id: actor.accountId, actor_username: actor.username, unit_id: anchor.id, created_at: now,
      })
      const roles: { unit_id: number; role: string }[] = [{ unit_id: anchor.id, role: 'anchor' }]
      for (const c of createdUnits) roles.push({ unit_id: c.id, role: 'created' })
      for (const m of plan.moved) roles.push({ unit_id: m.unit.id, role: 'moved' }, { unit_id: resolve(m.from), role: 'from_parent' }, { unit_id: resolve(m.to), role: 'to_parent' })
      for (const c of plan.changed) roles.push({ unit_id: c.unit.id, role: 'changed' })
      for (const a of plan.archived) roles.push({ unit_id: a.id, role: 'archived' })
      const unique = new Map(roles.map((r) => [`${r.unit_id}:${r.role}`, { event_id: eventId, ...r }]))
      await store.insertEventUnits(trx, [...unique.values()])
      await store.insertLineage(trx, plan.lineage.map((l) => ({
        event_id: eventId, predecessor_id: resolve(l.predecessor), successor_id: resolve(l.successor), relation: l.relation, effective_date: plan.effectiveDate,
      })))

      const brief = (r: store.UnitRow) => ({ id: r.id, parentId: r.parent_id, type: r.type, name: r.name, code: r.code, status: r.status })
      const after = await store.findUnitsByIds(trx, [...before.map((r) => r.id), ...unitIds.values()])
      await recordAudit(trx, actor, {
        action: `units.restructure.${kind}`, entityType: 'restructure_event', entityId: eventId, unitId: anchor.id, unitPath: anchor.path,
        before: { units: before.map(brief) },
        after: { title: plan.title, effectiveDate: plan.effectiveDate, counts: plan.counts, units: after.map(brief), createdUnits, createdPartyOrgs },
        reason: plan.note,
      })
      const event = (await store.findEvent(trx, eventId))!
      return { event: toEventView(event), plan: view, createdUnits, createdPartyOrgs }
    })
  } catch (err) {
    return mapUniqueViolation(err)
  }
}

/** Applies a plan: frees codes, creates units, moves subtrees (one UPDATE each), changes, archives, then the party organizations. */
async function applyPlan(db: Db, plan: Plan, now: string): Promise<{ unitIds: Map<string, number>; orgIds: Map<string, number> }> {
  const unitIds = new Map<string, number>()
  const orgIds = new Map<string, number>()
  const unitOf = (ref: { id: number | null; ref: string | null }) => ref.id ?? (unitIds.get(ref.ref as string) as number)
  const orgOf = (ref: { id: number | null; ref: string | null }) => ref.id ?? (orgIds.get(ref.ref as string) as number)
  const row = async (id: number) => (await store.findUnitById(db, id)) ?? (() => { throw new Error(`unit ${id} vanished`) })()

  // codes first leave the units that give them up, so a created unit may take one over
  for (const c of plan.changed) if (c.code !== null && c.code.from !== null) await store.updateUnit(db, c.unit.id, { code: null })

  for (const c of plan.created) {
    const parent = await row(unitOf(c.parent))
    const { id } = await store.insertUnit(db, {
      parent_id: parent.id, county_id: parent.county_id, type: c.type, name: c.name, code: c.code,
      path: `${parent.path}new-${randomToken(9)}/`, depth: parent.depth + 1, address: c.address, sort_order: c.sortOrder,
      created_at: now, updated_at: now,
    })
    await store.updateUnit(db, id, { path: `${parent.path}${id}/` })
    unitIds.set(c.ref, id)
  }

  for (const m of plan.moved) {
    const unit = await row(m.unit.id)
    const parent = await row(unitOf(m.to))
    await store.moveSubtree(db, unit.path, `${parent.path}${unit.id}/`, parent.depth + 1 - unit.depth, now)
    await store.updateUnit(db, unit.id, { parent_id: parent.id })
    // Requests copy their units' paths, and the board's rollups sum per ancestor: both follow the move.
    await followSubtreeMove(db, { unitId: unit.id, oldPath: unit.path, newPath: `${parent.path}${unit.id}/` })
  }

  for (const c of plan.changed) {
    await store.updateUnit(db, c.unit.id, {
      ...(c.type ? { type: c.type.to } : {}), ...(c.name ? { name: c.name.to } : {}), ...(c.code ? { code: c.code.to } : {}), updated_at: now,
    })
  }

  for (const a of plan.archived) await store.updateUnit(db, a.id, { status: 'archived', archived_at: now, updated_at: now })

  for (const o of plan.party.created) {
    const unit = await row(unitOf(o.unit))
    const parent = o.parent === null ? null : await store.findOrgById(db, orgOf(o.parent))
    const { id } = await store.insertPartyOrg(db, {
      county_id: unit.county_id, unit_id: unit.id, parent_id: parent?.id ?? null, path: `${parent?.path ?? '/'}new-${randomToken(9)}/`,
      kind: o.kind, name: o.name, established_date: plan.effectiveDate, created_at: now, updated_at: now,
    })
    await store.updatePartyOrg(db, id, { path: `${parent?.path ?? '/'}${id}/` })
    orgIds.set(o.ref, id)
  }
  for (const r of plan.party.reparented) {
    const org = await store.findOrgById(db, r.org.id)
    const parent = await store.findOrgById(db, orgOf(r.to))
    if (!org || !parent) throw new Error(`party organization ${r.org.id} or its new parent vanished`)
    await store.moveOrgSubtree(db, org.path, `${parent.path}${org.id}/`, now)
    await store.updatePartyOrg(db, org.id, { parent_id: parent.id })
  }
  return { unitIds, orgIds }
}

// --- events ----------------------------------------------------------------------------------------

interface StoredSummary {
  plan: RestructurePlan
  createdUnits: { ref: string; id: number }[]
  createdPartyOrgs: { ref: string; id: number }[]
}
const emptyCounts: RestructurePlan['counts'] = {
  unitsCreated: 0, unitsMoved: 0, unitsChanged: 0, unitsArchived: 0, compounds: 0, buildings: 0, households: 0, people: 0, partyOrgs: 0, partyMembers: 0,
}
const summaryOf = (row: store.EventRow): StoredSummary | null => (row.summary_json ? (JSON.parse(row.summary_json) as StoredSummary) : null)

export const toEventView = (r: store.EventRow): RestructureEventView => ({
  id: r.id, kind: r.kind as RestructureKind, title: r.title, effectiveDate: r.effective_date, note: r.note,
  anchorUnitId: r.unit_id, anchorUnitName: r.anchor_name, actorId: r.actor_id, actorUsername: r.actor_username, createdAt: r.created_at,
  counts: summaryOf(r)?.plan.counts ?? emptyCounts,
})

export const toLineageEdge = (r: store.LineageRow): LineageEdge => ({
  predecessorId: r.predecessor_id, predecessorName: r.predecessor_name, successorId: r.successor_id, successorName: r.successor_name,
  relation: r.relation as LineageEdge['relation'], eventId: r.event_id, effectiveDate: r.effective_date,
})

/** Events the caller may see: those that touched a unit inside one of the caller's units.read subtrees. */
export async function listEvents(db: Db, actor: Actor, query: EventQuery) {
  let subtree: string | null = null
  if (query.unitId !== undefined) {
    const unit = await store.findUnitById(db, query.unitId)
    if (!unit) throw new AppError('unit_not_found')
    requireActionOnPath(actor, 'units.read', unit.path)
    subtree = unit.path
  }
  const { rows, total } = await store.listEvents(db, {
    scope: subtreeFilter(actor, 'units.read'), subtree, kind: query.kind ?? null, from: query.from ?? null, to: query.to ?? null, unitIds: null,
  }, pageOf(query))
  return { total, items: rows.map(toEventView) }
}

/** Events that touched any of the given units and that the caller may see (for a unit's lineage). */
export async function eventViewsForUnits(db: Db, actor: Actor, unitIds: number[]): Promise<RestructureEventView[]> {
  const { rows } = await store.listEvents(db, {
    scope: subtreeFilter(actor, 'units.read'), subtree: null, kind: null, from: null, to: null, unitIds,
  }, { limit: 500, offset: 0 })
  return rows.map(toEventView)
}

export async function getEvent(db: Db, actor: Actor, id: number): Promise<RestructureEventDetail> {
  const row = await store.findEvent(db, id)
  if (!row) throw new AppError('restructure_event_not_found')
  const touched = await store.eventUnitPaths(db, id)
  if (!touched.some((u) => can(actor, 'units.read', u.path))) throw new AppError('forbidden', { action: 'units.read' })
  const summary = summaryOf(row)
  if (!summary) throw new Error(`restructure event ${id} has no summary`)
  const lineage = await store.lineageOfEvent(db, id)
  return { ...toEventView(row), plan: summary.plan, createdUnits: summary.createdUnits, createdPartyOrgs: summary.createdPartyOrgs, lineage: lineage.map(toLineageEdge) }
}
