import { PostgresAdapter, sql, type Insertable, type Updateable } from 'kysely'
import type { Db } from '../../db/connect.js'
import type { UnitTable } from '../../db/tables/platform.js'
import type { PartyOrgTable, RestructureEventTable, UnitLineageTable } from '../../db/tables/county.js'
import type { RestructureEventUnitTable } from '../../db/tables/units.js'
import { inSubtrees, subtreeUpperBound, type SubtreeFilter } from '../../db/subtree.js'
import { containsText } from '../../db/text.js'

/*
 * SQL of the units module. Besides its own tables it reads household, person, party_org and
 * party_member (counts for stats and restructuring previews) and, inside a restructuring, moves
 * party organizations (party_org parent and path) in the same transaction as the units.
 */

export type UnitRow = NonNullable<Awaited<ReturnType<typeof findUnitById>>>
type Page = { limit: number; offset: number }
const subtreeOf = (path: string): SubtreeFilter => ({ all: false, paths: [path] })

/** Restructurings and unit creation run one at a time on PostgreSQL (SQLite has a single writer anyway). */
export async function lockUnitTree(db: Db): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) await sql`select pg_advisory_xact_lock(7420111)`.execute(db)
}

export const findUnitById = (db: Db, id: number) => db.selectFrom('unit').selectAll().where('id', '=', id).executeTakeFirst()
export const findUnitByCode = (db: Db, code: string) => db.selectFrom('unit').selectAll().where('code', '=', code).executeTakeFirst()
export const findUnitsByIds = (db: Db, ids: number[]) =>
  ids.length === 0 ? Promise.resolve([]) : db.selectFrom('unit').selectAll().where('id', 'in', [...new Set(ids)]).execute()

export const insertUnit = (db: Db, row: Insertable<UnitTable>) => db.insertInto('unit').values(row).returning('id').executeTakeFirstOrThrow()
export const updateUnit = (db: Db, id: number, patch: Updateable<UnitTable>) => db.updateTable('unit').set(patch).where('id', '=', id).execute()

export interface UnitListFilter {
  scope: SubtreeFilter
  type: string | null
  parentId: number | null
  q: string | null
  status: 'active' | 'archived' | 'all'
}

export async function listUnits(db: Db, f: UnitListFilter, page: Page) {
  let q = db.selectFrom('unit').where((eb) => inSubtrees(eb, 'unit.path', f.scope))
  if (f.type) q = q.where('type', '=', f.type)
  if (f.parentId) q = q.where('parent_id', '=', f.parentId)
  if (f.status !== 'all') q = q.where('status', '=', f.status)
  if (f.q) q = q.where((eb) => eb.or([containsText('unit.name', f.q as string), containsText('unit.code', f.q as string)]))
  const [rows, count] = await Promise.all([
    q.selectAll().orderBy('path').limit(page.limit).offset(page.offset).execute(),
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ])
  return { rows, total: Number(count.n) }
}

export async function listChildren(db: Db, parentId: number, f: { type: string | null; status: 'active' | 'archived' | 'all' }, page: Page) {
  let q = db.selectFrom('unit').where('parent_id', '=', parentId)
  if (f.type) q = q.where('type', '=', f.type)
  if (f.status !== 'all') q = q.where('status', '=', f.status)
  const [rows, count] = await Promise.all([
    q.selectAll().orderBy('sort_order').orderBy('id').limit(page.limit).offset(page.offset).execute(),
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ])
  return { rows, total: Number(count.n) }
}

/** Active children per parent, for tree expanders. */
export async function activeChildCounts(db: Db, parentIds: number[]): Promise<Map<number, number>> {
  if (parentIds.length === 0) return new Map()
  const rows = await db.selectFrom('unit').select(['parent_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('parent_id', 'in', [...new Set(parentIds)]).where('status', '=', 'active').groupBy('parent_id').execute()
  return new Map(rows.map((r) => [r.parent_id as number, Number(r.n)]))
}

export const rootUnits = (db: Db) => db.selectFrom('unit').selectAll().where('parent_id', 'is', null).orderBy('sort_order').orderBy('id').execute()

/** The first levels of a subtree, in path order, at most `limit` rows. */
export function treeLevels(db: Db, root: { path: string; depth: number }, levels: number, status: 'active' | 'all', limit: number) {
  let q = db.selectFrom('unit').selectAll()
    .where((eb) => inSubtrees(eb, 'unit.path', subtreeOf(root.path)))
    .where('depth', '<=', root.depth + levels)
  if (status === 'active') q = q.where('status', '=', 'active')
  return q.orderBy('path').limit(limit).execute()
}

// --- stats ---------------------------------------------------------------------------------------

export async function subtreeUnitCounts(db: Db, path: string, unitId: number) {
  return db.selectFrom('unit').select(['type', 'status', (eb) => eb.fn.countAll<number>().as('n')])
    .where((eb) => inSubtrees(eb, 'unit.path', subtreeOf(path))).where('id', '<>', unitId)
    .groupBy(['type', 'status']).execute()
}

export async function subtreeResidentCounts(db: Db, path: string): Promise<{ households: number; people: number }> {
  const [h, p] = await Promise.all([
    db.selectFrom('household').innerJoin('unit', 'unit.id', 'household.unit_id')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where((eb) => inSubtrees(eb, 'unit.path', subtreeOf(path))).where('household.status', '=', 'active').executeTakeFirstOrThrow(),
    db.selectFrom('person').innerJoin('unit', 'unit.id', 'person.unit_id')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where((eb) => inSubtrees(eb, 'unit.path', subtreeOf(path))).where('person.status', '=', 'active').executeTakeFirstOrThrow(),
  ])
  return { households: Number(h.n), people: Number(p.n) }
}

export const MEMBER_STAGES = ['probationary', 'full'] as const
export const DEVELOPMENT_STAGES = ['applicant', 'activist', 'candidate'] as const

export async function subtreePartyCounts(db: Db, path: string): Promise<{ orgs: number; members: number; developing: number }> {
  const [orgs, members] = await Promise.all([
    db.selectFrom('party_org').innerJoin('unit', 'unit.id', 'party_org.unit_id')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where((eb) => inSubtrees(eb, 'unit.path', subtreeOf(path))).where('party_org.status', '=', 'active').executeTakeFirstOrThrow(),
    db.selectFrom('party_member').innerJoin('party_org', 'party_org.id', 'party_member.org_id').innerJoin('unit', 'unit.id', 'party_org.unit_id')
      .select(['party_member.stage', (eb) => eb.fn.countAll<number>().as('n')])
      .where((eb) => inSubtrees(eb, 'unit.path', subtreeOf(path))).where('party_member.status', '=', 'active')
      .where('party_org.status', '=', 'active').groupBy('party_member.stage').execute(),
  ])
  const sum = (stages: readonly string[]) => members.filter((m) => stages.includes(m.stage)).reduce((a, m) => a + Number(m.n), 0)
  return { orgs: Number(orgs.n), members: sum(MEMBER_STAGES), developing: sum(DEVELOPMENT_STAGES) }
}

// --- snapshots for restructuring ----------------------------------------------------------------

/** Every unit (any status) inside the given subtrees. */
export const unitsInSubtrees = (db: Db, paths: string[]) =>
  paths.length === 0 ? Promise.resolve([]) : db.selectFrom('unit').selectAll().where((eb) => inSubtrees(eb, 'unit.path', { all: false, paths })).execute()

/** Active households and people registered directly on each unit of the subtrees. */
export async function directResidentCounts(db: Db, paths: string[]) {
  if (paths.length === 0) return { households: new Map<number, number>(), people: new Map<number, number>() }
  const scope: SubtreeFilter = { all: false, paths }
  const [h, p] = await Promise.all([
    db.selectFrom('household').innerJoin('unit', 'unit.id', 'household.unit_id')
      .select(['household.unit_id as unitId', (eb) => eb.fn.countAll<number>().as('n')])
      .where((eb) => inSubtrees(eb, 'unit.path', scope)).where('household.status', '=', 'active').groupBy('household.unit_id').execute(),
    db.selectFrom('person').innerJoin('unit', 'unit.id', 'person.unit_id')
      .select(['person.unit_id as unitId', (eb) => eb.fn.countAll<number>().as('n')])
      .where((eb) => inSubtrees(eb, 'unit.path', scope)).where('person.status', '=', 'active').groupBy('person.unit_id').execute(),
  ])
  return {
    households: new Map(h.map((r) => [r.unitId, Number(r.n)])),
    people: new Map(p.map((r) => [r.unitId, Number(r.n)])),
  }
}

export const activeOrgsOfUnits = (db: Db, unitIds: number[]) =>
  unitIds.length === 0 ? Promise.resolve([]) : db.selectFrom('party_org').selectAll()
    .where('unit_id', 'in', [...new Set(unitIds)]).where('status', '=', 'active').orderBy('id').execute()

export const findOrgsByIds = (db: Db, ids: number[]) =>
  ids.length === 0 ? Promise.resolve([]) : db.selectFrom('party_org').selectAll().where('id', 'in', [...new Set(ids)]).execute()

/** Full and probationary members per organization. */
export async function memberCounts(db: Db, orgIds: number[]): Promise<Map<number, number>> {
  if (orgIds.length === 0) return new Map()
  const rows = await db.selectFrom('party_member').select(['org_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('org_id', 'in', [...new Set(orgIds)]).where('status', '=', 'active').where('stage', 'in', [...MEMBER_STAGES])
    .groupBy('org_id').execute()
  return new Map(rows.map((r) => [r.org_id, Number(r.n)]))
}

/** Codes in use among the given ones and inside the given ranges, with their owners. */
export async function codeOwners(db: Db, codes: string[], ranges: [string, string][]): Promise<Map<string, number>> {
  if (codes.length === 0 && ranges.length === 0) return new Map()
  const rows = await db.selectFrom('unit').select(['id', 'code']).where((eb) => eb.or([
    ...(codes.length ? [eb('code', 'in', [...new Set(codes)])] : []),
    ...ranges.map(([from, to]) => eb.and([eb('code', '>=', from), eb('code', '<=', to)])),
  ])).execute()
  return new Map(rows.map((r) => [r.code as string, r.id]))
}

// --- restructuring writes -----------------------------------------------------------------------

/**
 * Moves a whole subtree in one statement: every path under oldPath is rewritten to start with
 * newPath and every depth shifts by the same amount. Households and people hang off units by id,
 * so nothing else has to change.
 */
export async function moveSubtree(db: Db, oldPath: string, newPath: string, depthDelta: number, now: string): Promise<void> {
  await db.updateTable('unit')
    .set({
      path: sql<string>`${newPath} || substr(path, cast(${oldPath.length + 1} as integer))`,
      depth: sql<number>`depth + cast(${depthDelta} as integer)`,
      updated_at: now,
    })
    .where('path', '>=', oldPath).where('path', '<', subtreeUpperBound(oldPath))
    .execute()
}

export const insertPartyOrg = (db: Db, row: Insertable<PartyOrgTable>) => db.insertInto('party_org').values(row).returning('id').executeTakeFirstOrThrow()
export const updatePartyOrg = (db: Db, id: number, patch: Updateable<PartyOrgTable>) => db.updateTable('party_org').set(patch).where('id', '=', id).execute()
export const findOrgById = (db: Db, id: number) => db.selectFrom('party_org').selectAll().where('id', '=', id).executeTakeFirst()

/** Re-parents a party organization's subtree in one statement, like moveSubtree. */
export async function moveOrgSubtree(db: Db, oldPath: string, newPath: string, now: string): Promise<void> {
  await db.updateTable('party_org')
    .set({ path: sql<string>`${newPath} || substr(path, cast(${oldPath.length + 1} as integer))`, updated_at: now })
    .where('path', '>=', oldPath).where('path', '<', subtreeUpperBound(oldPath))
    .execute()
}

export const insertEvent = (db: Db, row: Insertable<RestructureEventTable>) =>
  db.insertInto('restructure_event').values(row).returning('id').executeTakeFirstOrThrow()

export async function insertEventUnits(db: Db, rows: RestructureEventUnitTable[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) await db.insertInto('restructure_event_unit').values(rows.slice(i, i + 500)).execute()
}

export async function insertLineage(db: Db, rows: Insertable<UnitLineageTable>[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) await db.insertInto('unit_lineage').values(rows.slice(i, i + 500)).execute()
}

// --- restructuring reads ------------------------------------------------------------------------

const eventColumns = [
  'restructure_event.id', 'restructure_event.kind', 'restructure_event.title', 'restructure_event.effective_date',
  'restructure_event.note', 'restructure_event.summary_json', 'restructure_event.unit_id', 'restructure_event.actor_id',
  'restructure_event.actor_username', 'restructure_event.created_at', 'anchor.name as anchor_name',
] as const

export interface EventFilter {
  /** The caller sees an event when it touched a unit inside these subtrees. */
  scope: SubtreeFilter
  /** Only events that touched a unit inside this subtree. */
  subtree: string | null
  kind: string | null
  from: string | null
  to: string | null
  /** Only events that touched one of these units. */
  unitIds: number[] | null
}

export async function listEvents(db: Db, f: EventFilter, page: Page) {
  let q = db.selectFrom('restructure_event').leftJoin('unit as anchor', 'anchor.id', 'restructure_event.unit_id')
  const touching = (filter: SubtreeFilter) => q.where((eb) => eb.exists(
    eb.selectFrom('restructure_event_unit as eu').innerJoin('unit as u', 'u.id', 'eu.unit_id').select(sql`1`.as('one'))
      .whereRef('eu.event_id', '=', 'restructure_event.id').where((e2) => inSubtrees(e2, 'u.path', filter)),
  ))
  if (!f.scope.all) q = touching(f.scope)
  if (f.subtree) q = touching(subtreeOf(f.subtree))
  if (f.unitIds) {
    const ids = f.unitIds
    if (ids.length === 0) return { rows: [], total: 0 }
    q = q.where((eb) => eb.exists(
      eb.selectFrom('restructure_event_unit as eu2').select(sql`1`.as('one')).whereRef('eu2.event_id', '=', 'restructure_event.id').where('eu2.unit_id', 'in', ids),
    ))
  }
  if (f.kind) q = q.where('restructure_event.kind', '=', f.kind)
  if (f.from) q = q.where('restructure_event.effective_date', '>=', f.from)
  if (f.to) q = q.where('restructure_event.effective_date', '<=', f.to)
  const [rows, count] = await Promise.all([
    q.select(eventColumns).orderBy('restructure_event.effective_date', 'desc').orderBy('restructure_event.id', 'desc')
      .limit(page.limit).offset(page.offset).execute(),
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ])
  return { rows, total: Number(count.n) }
}
export type EventRow = Awaited<ReturnType<typeof listEvents>>['rows'][number]

export const findEvent = (db: Db, id: number) =>
  db.selectFrom('restructure_event').leftJoin('unit as anchor', 'anchor.id', 'restructure_event.unit_id')
    .select(eventColumns).where('restructure_event.id', '=', id).executeTakeFirst()

/** Paths of the units an event touched (to decide whether the caller may see it). */
export const eventUnitPaths = (db: Db, eventId: number) =>
  db.selectFrom('restructure_event_unit').innerJoin('unit', 'unit.id', 'restructure_event_unit.unit_id')
    .select(['unit.id', 'unit.path', 'restructure_event_unit.role']).where('restructure_event_unit.event_id', '=', eventId).execute()

const lineageColumns = [
  'l.predecessor_id', 'l.successor_id', 'l.relation', 'l.event_id', 'l.effective_date', 'p.name as predecessor_name', 's.name as successor_name',
] as const
const lineageBase = (db: Db) => db.selectFrom('unit_lineage as l')
  .innerJoin('unit as p', 'p.id', 'l.predecessor_id').innerJoin('unit as s', 's.id', 'l.successor_id')

export const lineageOfEvent = (db: Db, eventId: number) =>
  lineageBase(db).select(lineageColumns).where('l.event_id', '=', eventId).orderBy('l.id').execute()

/** Lineage edges leading into (successor in ids) or out of (predecessor in ids) the given units; self-rows excluded. */
export function lineageEdges(db: Db, ids: number[], direction: 'into' | 'out_of') {
  if (ids.length === 0) return Promise.resolve([])
  return lineageBase(db).select(lineageColumns)
    .where(direction === 'into' ? 'l.successor_id' : 'l.predecessor_id', 'in', ids)
    .whereRef('l.predecessor_id', '<>', 'l.successor_id').orderBy('l.id').execute()
}
export type LineageRow = Awaited<ReturnType<typeof lineageEdges>>[number]

/** Lineage rows of one unit about itself (renamed, moved). */
export const selfLineage = (db: Db, unitId: number) =>
  lineageBase(db).select(lineageColumns).where('l.predecessor_id', '=', unitId).where('l.successor_id', '=', unitId).orderBy('l.id').execute()

