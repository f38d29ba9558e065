import { pathIds as idsOfPath } from '../../lib/unit-path.js'
import type { Db } from '../../db/connect.js'
import { AppError } from '../../server/errors.js'
import { nowIso } from '../../lib/time.js'
import { randomToken } from '../../lib/tokens.js'
import { pageOf } from '../../lib/paging.js'
import { recordAudit } from '../audit/service.js'
import { can, requireActionOnPath, subtreeFilter, type Actor } from '../access/service.js'
import { assertParentAllowed } from './hierarchy.js'
import { assertCodeFits, canGenerateGridCode, gridCodeRange, nextGridCode, codeDigits, rebaseCode } from './codes.js'
import { assertBoundary } from './geojson.js'
import * as store from './store.js'
import {
  unitTypes,
  type Boundary, type ChildrenQuery, type CreateUnitInput, type TreeQuery, type UnitBrief, type UnitDetail, type UnitLineage,
  type UnitNode, type UnitQuery, type UnitStats, type UnitTree, type UnitType, type UnitView, type UpdateUnitInput,
} from './schema.js'
import { eventViewsForUnits, toLineageEdge } from './restructuring.js'

export const toUnitView = (r: store.UnitRow): UnitView => ({
  id: r.id, parentId: r.parent_id, type: r.type as UnitType, name: r.name, code: r.code, path: r.path, depth: r.depth,
  status: r.status === 'archived' ? 'archived' : 'active', address: r.address, hasBoundary: r.boundary !== null, sortOrder: r.sort_order,
  archivedAt: r.archived_at, createdAt: r.created_at, updatedAt: r.updated_at,
})
export const toUnitBrief = (r: store.UnitRow): UnitBrief => ({
  id: r.id, type: r.type as UnitType, name: r.name, code: r.code, status: r.status === 'archived' ? 'archived' : 'active',
})
const parseBoundary = (text: string | null): Boundary | null => (text === null ? null : (JSON.parse(text) as Boundary))

async function readableUnit(db: Db, actor: Actor, id: number): Promise<store.UnitRow> {
  const unit = await store.findUnitById(db, id)
  if (!unit) throw new AppError('unit_not_found')
  requireActionOnPath(actor, 'units.read', unit.path)
  return unit
}

async function withChildCounts(db: Db, rows: store.UnitRow[]): Promise<UnitNode[]> {
  const counts = await store.activeChildCounts(db, rows.map((r) => r.id))
  return rows.map((r) => ({ ...toUnitView(r), childCount: counts.get(r.id) ?? 0 }))
}

export async function listUnits(db: Db, actor: Actor, query: UnitQuery) {
  const { rows, total } = await store.listUnits(db, {
    scope: subtreeFilter(actor, 'units.read'), type: query.type ?? null, parentId: query.parentId ?? null, q: query.q ?? null, status: query.status ?? 'active',
  }, pageOf(query))
  const ancestorIds = [...new Set(rows.flatMap((r) => idsOfPath(r.path).slice(0, -1)))]
  const names = new Map((await store.findUnitsByIds(db, ancestorIds)).map((r) => [r.id, r.name]))
  return {
    total,
    items: rows.map((r) => ({ ...toUnitView(r), ancestorNames: idsOfPath(r.path).slice(0, -1).map((i) => names.get(i) ?? '') })),
  }
}

export async function getUnit(db: Db, actor: Actor, id: number): Promise<UnitDetail> {
  const unit = await readableUnit(db, actor, id)
  const counts = await store.activeChildCounts(db, [id])
  return { ...toUnitView(unit), boundary: parseBoundary(unit.boundary), childCount: counts.get(id) ?? 0 }
}

/** Units directly under one the caller may read, each with its own child count (for lazy trees). */
export async function listChildren(db: Db, actor: Actor, id: number, query: ChildrenQuery) {
  await readableUnit(db, actor, id)
  const { rows, total } = await store.listChildren(db, id, { type: query.type ?? null, status: query.status ?? 'active' }, pageOf(query))
  return { total, items: await withChildCounts(db, rows) }
}

/** The breadcrumb: ancestors the caller may read (from its highest readable one) and the unit itself. */
export async function getAncestors(db: Db, actor: Actor, id: number): Promise<{ items: UnitBrief[] }> {
  const unit = await readableUnit(db, actor, id)
  const rows = new Map((await store.findUnitsByIds(db, idsOfPath(unit.path))).map((r) => [r.id, r]))
  const items = idsOfPath(unit.path).map((i) => rows.get(i)).filter((r): r is store.UnitRow => r !== undefined && can(actor, 'units.read', r.path))
  return { items: items.map(toUnitBrief) }
}

const TREE_LIMIT = 2000

/** The first levels of the tree under a root, or under each top unit the caller may read. */
export async function getTree(db: Db, actor: Actor, query: TreeQuery): Promise<UnitTree> {
  const levels = query.levels ?? 2
  const status = query.status ?? 'active'
  let roots: store.UnitRow[]
  if (query.rootId !== undefined) roots = [await readableUnit(db, actor, query.rootId)]
  else {
    const scope = subtreeFilter(actor, 'units.read')
    roots = scope.all
      ? await store.rootUnits(db)
      : (await store.findUnitsByIds(db, scope.paths.map((p) => idsOfPath(p).pop() as number))).sort((a, b) => (a.path < b.path ? -1 : 1))
    if (status === 'active') roots = roots.filter((r) => r.status === 'active')
  }
  const items: store.UnitRow[] = []
  let truncated = false
  for (const root of roots) {
    const rows = await store.treeLevels(db, root, levels, status, TREE_LIMIT - items.length + 1)
    if (items.length + rows.length > TREE_LIMIT) {
      truncated = true
      items.push(...rows.slice(0, TREE_LIMIT - items.length))
      break
    }
    items.push(...rows)
  }
  return { roots: roots.map((r) => r.id), items: await withChildCounts(db, items), truncated }
}

/** Counts over the unit's subtree: units below it by type, households, people, party organizations and members. */
export async function getStats(db: Db, actor: Actor, id: number): Promise<UnitStats> {
  const unit = await readableUnit(db, actor, id)
  const [unitRows, residents, party] = await Promise.all([
    store.subtreeUnitCounts(db, unit.path, unit.id), store.subtreeResidentCounts(db, unit.path), store.subtreePartyCounts(db, unit.path),
  ])
  const units = Object.fromEntries(unitTypes.map((t) => [t, 0])) as Record<UnitType, number>
  let archivedUnits = 0
  for (const r of unitRows) {
    if (r.status === 'archived') archivedUnits += Number(r.n)
    else if (r.type in units) units[r.type as UnitType] += Number(r.n)
  }
  return {
    unitId: unit.id, units, unitsTotal: Object.values(units).reduce((a, b) => a + b, 0), archivedUnits,
    households: residents.households, people: residents.people,
    partyOrgs: party.orgs, partyMembers: party.members, partyMembersInDevelopment: party.developing,
  }
}

/** Creates a unit under a parent (a county may be a root) in one transaction of its own, or inside `db` when it is one. */
export async function createUnit(db: Db, actor: Actor, input: CreateUnitInput): Promise<UnitView> {
  return db.isTransaction ? createUnitIn(db, actor, input) : db.transaction().execute((trx) => createUnitIn(trx, actor, input))
}

/**
 * Creates a unit inside the caller's transaction (opens none; `trx` must be one, for the tree lock),
 * with its audit entry: an importer writes many units, all or nothing, in its own transaction.
 * Everything is checked before the first write. Its path is the parent's path plus its id.
 */
export async function createUnitIn(trx: Db, actor: Actor, input: CreateUnitInput): Promise<UnitView> {
  assertBoundary(input.boundary)
  await store.lockUnitTree(trx)
  const parent = input.parentId === null ? null : await store.findUnitById(trx, input.parentId)
  if (input.parentId !== null && !parent) throw new AppError('unit_not_found', { unitId: input.parentId })
  if (parent) {
    requireActionOnPath(actor, 'units.manage', parent.path)
    if (parent.status === 'archived') throw new AppError('unit_archived', { unitId: parent.id })
  } else if (!subtreeFilter(actor, 'units.manage').all) {
    throw new AppError('forbidden', { action: 'units.manage' })
  }
  assertParentAllowed(input.type, (parent?.type as UnitType | undefined) ?? null)
  let code = input.code ?? null
  if (code === null && input.type === 'grid' && canGenerateGridCode(parent?.code ?? null)) {
    const prefix = parent?.code as string
    code = nextGridCode(prefix, (await store.codeOwners(trx, [], [gridCodeRange(prefix)])).keys())
  }
  if (code !== null) {
    assertCodeFits(input.type, code, parent?.code ?? null)
    if (await store.findUnitByCode(trx, code)) throw new AppError('unit_code_taken', { code })
  }
  const now = nowIso()
  const { id } = await store.insertUnit(trx, {
    parent_id: parent?.id ?? null, county_id: parent?.county_id ?? null, type: input.type, name: input.name, code,
    // The id is known only after the insert; a unique placeholder holds the path until then.
    path: `${parent?.path ?? '/'}new-${randomToken(9)}/`, depth: (parent?.depth ?? -1) + 1, address: input.address ?? null,
    boundary: input.boundary ? JSON.stringify(input.boundary) : null, sort_order: input.sortOrder ?? 0,
    created_at: now, updated_at: now,
  })
  const path = `${parent?.path ?? '/'}${id}/`
  await store.updateUnit(trx, id, { path, county_id: parent ? parent.county_id : id })
  const unit = (await store.findUnitById(trx, id))!
  await recordAudit(trx, actor, { action: 'units.create', entityType: 'unit', entityId: id, unitId: id, unitPath: path, after: toUnitView(unit) })
  return toUnitView(unit)
}

/** Which of these codes belong to a unit already (any status), for an importer checking a file before writing. */
export async function unitCodesTaken(db: Db, codes: string[]): Promise<Set<string>> {
  return new Set((await store.codeOwners(db, codes, [])).keys())
}

/**
 * Corrects a unit's name, address, boundary, code or order. A new code must fit the type and the
 * parent; codes of descendants built on the old code follow it (a community's grids). An official
 * renaming with an effective date is a restructuring (POST /api/restructure/rename).
 */
export async function updateUnit(db: Db, actor: Actor, id: number, input: UpdateUnitInput): Promise<UnitDetail> {
  assertBoundary(input.boundary)
  return db.transaction().execute(async (trx) => {
    await store.lockUnitTree(trx)
    const unit = await store.findUnitById(trx, id)
    if (!unit) throw new AppError('unit_not_found')
    requireActionOnPath(actor, 'units.manage', unit.path)
    if (unit.status === 'archived') throw new AppError('unit_archived', { unitId: id })
    const now = nowIso()
    const patch: Parameters<typeof store.updateUnit>[2] = { updated_at: now }
    if (input.name !== undefined) patch.name = input.name
    if (input.address !== undefined) patch.address = input.address
    if (input.boundary !== undefined) patch.boundary = input.boundary === null ? null : JSON.stringify(input.boundary)
    if (input.sortOrder !== undefined) patch.sort_order = input.sortOrder
    const codeChanges: { id: number; from: string | null; to: string | null }[] = []
    if (input.code !== undefined && input.code !== unit.code) {
      if (input.code !== null) {
        const parent = unit.parent_id === null ? undefined : await store.findUnitById(trx, unit.parent_id)
        assertCodeFits(unit.type as UnitType, input.code, parent?.code ?? null)
        const owner = await store.findUnitByCode(trx, input.code)
        if (owner && owner.id !== id) throw new AppError('unit_code_taken', { code: input.code })
      }
      codeChanges.push({ id, from: unit.code, to: input.code })
      if (unit.code !== null && input.code !== null && codeDigits[unit.type as UnitType] !== undefined) {
        for (const d of await store.unitsInSubtrees(trx, [unit.path])) {
          const rebased = d.id === id ? d.code : rebaseCode(d.code, unit.code, input.code)
          if (rebased !== d.code) codeChanges.push({ id: d.id, from: d.code, to: rebased })
        }
        const owners = await store.codeOwners(trx, codeChanges.slice(1).map((c) => c.to as string), [])
        const changing = new Set(codeChanges.map((c) => c.id))
        for (const [code, ownerId] of owners) if (!changing.has(ownerId)) throw new AppError('unit_code_taken', { code })
      }
      // Free every old code before setting the new ones, so a swap inside the subtree cannot collide.
      for (const c of codeChanges) await store.updateUnit(trx, c.id, { code: null })
      for (const c of codeChanges.slice(1)) await store.updateUnit(trx, c.id, { code: c.to, updated_at: now })
      patch.code = input.code
    }
    await store.updateUnit(trx, id, patch)
    const after = (await store.findUnitById(trx, id))!
    await recordAudit(trx, actor, {
      action: 'units.update', entityType: 'unit', entityId: id, unitId: id, unitPath: after.path,
      before: toUnitView(unit), after: { ...toUnitView(after), ...(codeChanges.length > 1 ? { descendantCodes: codeChanges.slice(1) } : {}) },
    })
    const counts = await store.activeChildCounts(trx, [id])
    return { ...toUnitView(after), boundary: parseBoundary(after.boundary), childCount: counts.get(id) ?? 0 }
  })
}

// --- lineage -------------------------------------------------------------------------------------

export interface LineageClosure {
  unitId: number
  /** Units this one descends from through restructurings, nearest first. */
  predecessors: {
    unitId: number
    distance: number
    /** Already inside the unit's current subtree, so its rows are counted through the path. */
    insideSubtree: boolean
    /** Has several successors (a re-divided or split unit): its history is shared among them. */
    shared: boolean
  }[]
  /** Units that continue this one (for an archived unit: where it went). */
  successors: { unitId: number; distance: number }[]
  edges: store.LineageRow[]
}

const LINEAGE_ROUNDS = 50

/**
 * Predecessors and successors of a unit through restructurings, transitively. No access check:
 * callers (the request board, assessments) check the unit themselves.
 *
 * How a board sums a unit's history across restructurings:
 * 1. Sum rows by the CURRENT path of the unit they are attached to. Units keep their ids when they
 *    move (a compound re-assigned to a new grid, a village that became a grid village), so their
 *    history moves with them into the new tree.
 * 2. Dissolved units (old grids after a re-division, merged grids, split units) are archived, never
 *    deleted, and stay where they were; their ancestors' totals therefore stay whole.
 * 3. To show one unit "including its predecessors", add the rows in the current subtree of every
 *    predecessor with insideSubtree = false (the rows left on the dissolved unit itself). When
 *    summing several siblings, skip predecessors with shared = true — their history cannot be
 *    divided among the successors and is already in the parent's total through step 2.
 */
export async function lineageClosure(db: Db, unitId: number): Promise<LineageClosure> {
  const edges = new Map<string, store.LineageRow>()
  const walk = async (direction: 'into' | 'out_of') => {
    const distance = new Map<number, number>([[unitId, 0]])
    let frontier = [unitId]
    for (let round = 1; round <= LINEAGE_ROUNDS && frontier.length; round++) {
      const rows = await store.lineageEdges(db, frontier, direction)
      const next: number[] = []
      for (const r of rows) {
        edges.set(`${r.event_id}:${r.predecessor_id}:${r.successor_id}:${r.relation}`, r)
        const other = direction === 'into' ? r.predecessor_id : r.successor_id
        if (!distance.has(other)) {
          distance.set(other, round)
          next.push(other)
        }
      }
      frontier = next
    }
    distance.delete(unitId)
    return distance
  }
  const preds = await walk('into')
  const succs = await walk('out_of')
  const unit = await store.findUnitById(db, unitId)
  const predRows = new Map((await store.findUnitsByIds(db, [...preds.keys()])).map((r) => [r.id, r]))
  const outgoing = await store.lineageEdges(db, [...preds.keys()], 'out_of')
  const successorCount = new Map<number, Set<number>>()
  for (const e of outgoing) successorCount.set(e.predecessor_id, (successorCount.get(e.predecessor_id) ?? new Set()).add(e.successor_id))
  return {
    unitId,
    predecessors: [...preds.entries()].sort((a, b) => a[1] - b[1] || a[0] - b[0]).map(([id, distance]) => ({
      unitId: id, distance,
      insideSubtree: unit !== undefined && (predRows.get(id)?.path.startsWith(unit.path) ?? false),
      shared: (successorCount.get(id)?.size ?? 0) > 1,
    })),
    successors: [...succs.entries()].sort((a, b) => a[1] - b[1] || a[0] - b[0]).map(([id, distance]) => ({ unitId: id, distance })),
    edges: [...edges.values()].sort((a, b) => a.event_id - b.event_id),
  }
}

/** The lineage of a unit the caller may read; units of the lineage outside the caller's subtree are left out. */
export async function getLineage(db: Db, actor: Actor, id: number): Promise<UnitLineage> {
  const unit = await readableUnit(db, actor, id)
  const closure = await lineageClosure(db, id)
  const related = await store.findUnitsByIds(db, [...closure.predecessors.map((p) => p.unitId), ...closure.successors.map((s) => s.unitId)])
  const visible = new Map(related.filter((r) => can(actor, 'units.read', r.path)).map((r) => [r.id, r]))
  visible.set(unit.id, unit)
  const self = await store.selfLineage(db, id)
  const edges = [...closure.edges, ...self].filter((e) => visible.has(e.predecessor_id) && visible.has(e.successor_id))
  return {
    unit: toUnitBrief(unit),
    predecessors: closure.predecessors.filter((p) => visible.has(p.unitId)).map((p) => ({
      unit: toUnitBrief(visible.get(p.unitId) as store.UnitRow), distance: p.distance, insideSubtree: p.insideSubtree, shared: p.shared,
    })),
    successors: closure.successors.filter((s) => visible.has(s.unitId)).map((s) => ({ unit: toUnitBrief(visible.get(s.unitId) as store.UnitRow), distance: s.distance })),
    edges: edges.map(toLineageEdge).sort((a, b) => a.eventId - b.eventId),
    events: await eventViewsForUnits(db, actor, [...visible.keys()]),
  }
}
