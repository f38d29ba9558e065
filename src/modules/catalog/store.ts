import { sql, type ExpressionBuilder, type Insertable, type SqlBool, type Expression, type Updateable } from 'kysely'
import type { Db } from '../../db/connect.js'
import type { Database } from '../../db/database.js'
import type { CompoundPropertyTable, RoutingRuleTable, ServiceCategoryTable, ServiceItemTable } from '../../db/tables/catalog.js'
import { inSubtrees, type SubtreeFilter } from '../../db/subtree.js'
import { containsText } from '../../db/text.js'

// --- units (read only: names, types and paths for scoping and routing) ---------------------------

export type UnitRow = NonNullable<Awaited<ReturnType<typeof findUnit>>>

const unitColumns = ['id', 'parent_id', 'county_id', 'type', 'name', 'code', 'path', 'depth', 'status'] as const

export const findUnit = (db: Db, id: number) => db.selectFrom('unit').select(unitColumns).where('id', '=', id).executeTakeFirst()

export async function findUnits(db: Db, ids: number[]): Promise<Map<number, UnitRow>> {
  if (ids.length === 0) return new Map()
  const rows = await db.selectFrom('unit').select(unitColumns).where('id', 'in', [...new Set(ids)]).execute()
  return new Map(rows.map((r) => [r.id, r]))
}

export const findUnitByName = (db: Db, scope: SubtreeFilter, type: string, name: string) =>
  db.selectFrom('unit').select(unitColumns).where('type', '=', type).where('name', '=', name).where('status', '=', 'active')
    .where((eb) => inSubtrees(eb, 'unit.path', scope)).orderBy('id').executeTakeFirst()

// --- categories -------------------------------------------------------------------------------

export type CategoryRow = NonNullable<Awaited<ReturnType<typeof findCategory>>>

export const findCategory = (db: Db, id: number) => db.selectFrom('service_category').selectAll().where('id', '=', id).executeTakeFirst()
export const findCategoryByCode = (db: Db, code: string) => db.selectFrom('service_category').selectAll().where('code', '=', code).executeTakeFirst()

export const listCategories = (db: Db, status: 'active' | 'archived' | 'all') =>
  db.selectFrom('service_category').selectAll()
    .$if(status !== 'all', (q) => q.where('status', '=', status))
    .orderBy('sort_order').orderBy('id').execute()

export const insertCategory = (db: Db, row: Insertable<ServiceCategoryTable>) =>
  db.insertInto('service_category').values(row).returning('id').executeTakeFirstOrThrow()

export const updateCategory = (db: Db, id: number, patch: Updateable<ServiceCategoryTable>) =>
  db.updateTable('service_category').set(patch).where('id', '=', id).execute()

export const countChildren = async (db: Db, id: number, activeOnly: boolean): Promise<number> =>
  Number((await db.selectFrom('service_category').select((eb) => eb.fn.countAll<number>().as('n')).where('parent_id', '=', id)
    .$if(activeOnly, (q) => q.where('status', '=', 'active')).executeTakeFirstOrThrow()).n)

export const countActiveItemsIn = async (db: Db, categoryId: number): Promise<number> =>
  Number((await db.selectFrom('service_item').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('category_id', '=', categoryId).where('status', '=', 'active').executeTakeFirstOrThrow()).n)

// --- items ------------------------------------------------------------------------------------

/**
 * Which items a caller sees: those offered everywhere, those offered at an ancestor of one of
 * their units (a county-wide item reaches every community), and those inside their subtrees.
 */
export interface ItemScope {
  subtrees: SubtreeFilter
  ancestorIds: number[]
}

type ItemEb = ExpressionBuilder<Database & { i: ServiceItemTable; ou: Database['unit'] }, 'i' | 'ou'>

function inItemScope(eb: ItemEb, scope: ItemScope): Expression<SqlBool> {
  if (scope.subtrees.all) return sql<SqlBool>`1 = 1`
  const parts: Expression<SqlBool>[] = [eb('i.unit_id', 'is', null), inSubtrees(eb, 'ou.path', scope.subtrees)]
  if (scope.ancestorIds.length > 0) parts.push(eb('i.unit_id', 'in', scope.ancestorIds))
  return eb.or(parts)
}

const itemBase = (db: Db) =>
  db
    .selectFrom('service_item as i')
    .innerJoin('service_category as c', 'c.id', 'i.category_id')
    .leftJoin('unit as ou', 'ou.id', 'i.unit_id')
    .leftJoin('unit as du', 'du.id', 'i.default_unit_id')

const itemSelection = [
  'i.id', 'i.code', 'i.category_id', 'i.unit_id', 'i.county_id', 'i.name', 'i.description', 'i.owner_unit_type', 'i.default_unit_id',
  'i.priority', 'i.response_amount', 'i.response_unit', 'i.resolution_amount', 'i.resolution_unit', 'i.materials_json', 'i.fee_note',
  'i.proxy_handling', 'i.cross_region', 'i.elderly_care', 'i.anonymous_allowed', 'i.visibility', 'i.status', 'i.sort_order',
  'i.created_at', 'i.updated_at',
  'c.name as category_name', 'c.parent_id as parent_category_id', 'c.status as category_status',
  'ou.name as unit_name', 'ou.path as unit_path', 'du.name as default_unit_name',
] as const

export type ItemRow = NonNullable<Awaited<ReturnType<typeof findItemById>>>

export const findItemById = (db: Db, id: number) => itemBase(db).select(itemSelection).where('i.id', '=', id).executeTakeFirst()
export const findItemByCode = (db: Db, code: string) => itemBase(db).select(itemSelection).where('i.code', '=', code).executeTakeFirst()
export const itemCodeExists = async (db: Db, code: string) =>
  (await db.selectFrom('service_item').select('id').where('code', '=', code).executeTakeFirst()) !== undefined
export const existingItemCodes = async (db: Db, codes: string[]): Promise<Set<string>> => {
  const found = new Set<string>()
  for (let i = 0; i < codes.length; i += 500) {
    const rows = await db.selectFrom('service_item').select('code').where('code', 'in', codes.slice(i, i + 500)).execute()
    for (const r of rows) found.add(r.code)
  }
  return found
}

export interface ItemFilter {
  scope: ItemScope
  q: string | null
  categoryId: number | null
  priority: string | null
  ownerUnitType: string | null
  proxyHandling: boolean | null
  crossRegion: boolean | null
  elderlyCare: boolean | null
  visibility: string | null
  status: 'active' | 'archived' | 'all'
  /** Only items offered at a location: offered everywhere, or at one of these (the location and its ancestors). */
  offeredAtIds: number[] | null
  unitId: number | null
}

function filteredItems(db: Db, f: ItemFilter) {
  let q = itemBase(db).where((eb) => inItemScope(eb as unknown as ItemEb, f.scope))
  if (f.q) q = q.where((eb) => eb.or([containsText('i.name', f.q as string), containsText('i.code', f.q as string), containsText('i.description', f.q as string)]))
  if (f.categoryId !== null) q = q.where((eb) => eb.or([eb('i.category_id', '=', f.categoryId as number), eb('c.parent_id', '=', f.categoryId as number)]))
  if (f.priority) q = q.where('i.priority', '=', f.priority)
  if (f.ownerUnitType) q = q.where('i.owner_unit_type', '=', f.ownerUnitType)
  if (f.proxyHandling !== null) q = q.where('i.proxy_handling', '=', f.proxyHandling ? 1 : 0)
  if (f.crossRegion !== null) q = q.where('i.cross_region', '=', f.crossRegion ? 1 : 0)
  if (f.elderlyCare !== null) q = q.where('i.elderly_care', '=', f.elderlyCare ? 1 : 0)
  if (f.visibility) q = q.where('i.visibility', '=', f.visibility)
  if (f.status !== 'all') q = q.where('i.status', '=', f.status)
  if (f.offeredAtIds) {
    const ids = f.offeredAtIds
    q = q.where((eb) => (ids.length > 0 ? eb.or([eb('i.unit_id', 'is', null), eb('i.unit_id', 'in', ids)]) : eb('i.unit_id', 'is', null)))
  }
  if (f.unitId !== null) q = q.where('i.unit_id', '=', f.unitId)
  return q
}

export async function listItems(db: Db, f: ItemFilter, page: { limit: number; offset: number } | null) {
  const q = filteredItems(db, f)
  const rowsQuery = q.select(itemSelection).orderBy('c.sort_order').orderBy('i.category_id').orderBy('i.sort_order').orderBy('i.code')
  if (page === null) {
    const rows = await rowsQuery.execute()
    return { rows, total: rows.length }
  }
  const [rows, count] = await Promise.all([
    rowsQuery.limit(page.limit).offset(page.offset).execute(),
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ])
  return { rows, total: Number(count.n) }
}

/** Active items per category within a scope (for the category list). */
export async function countItemsByCategory(db: Db, scope: ItemScope): Promise<Map<number, number>> {
  const rows = await db
    .selectFrom('service_item as i')
    .leftJoin('unit as ou', 'ou.id', 'i.unit_id')
    .where((eb) => inItemScope(eb as unknown as ItemEb, scope))
    .where('i.status', '=', 'active')
    .select(['i.category_id', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('i.category_id')
    .execute()
  return new Map(rows.map((r) => [r.category_id, Number(r.n)]))
}

export const insertItem = (db: Db, row: Insertable<ServiceItemTable>) =>
  db.insertInto('service_item').values(row).returning('id').executeTakeFirstOrThrow()

export async function insertItems(db: Db, rows: Insertable<ServiceItemTable>[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 50) await db.insertInto('service_item').values(rows.slice(i, i + 50)).execute()
}

export const updateItem = (db: Db, id: number, patch: Updateable<ServiceItemTable>) =>
  db.updateTable('service_item').set(patch).where('id', '=', id).execute()

// --- routing rules ----------------------------------------------------------------------------

const ruleBase = (db: Db) =>
  db
    .selectFrom('routing_rule as r')
    .innerJoin('unit as lu', 'lu.id', 'r.location_unit_id')
    .leftJoin('service_category as c', 'c.id', 'r.category_id')
    .leftJoin('service_item as i', 'i.id', 'r.item_id')
    .leftJoin('unit as tu', 'tu.id', 'r.target_unit_id')

const ruleSelection = [
  'r.id', 'r.location_unit_id', 'r.category_id', 'r.item_id', 'r.target_kind', 'r.target_unit_id', 'r.co_unit_ids_json', 'r.priority',
  'r.note', 'r.active', 'r.created_at', 'r.updated_at',
  'lu.name as location_unit_name', 'lu.path as location_path', 'lu.depth as location_depth',
  'c.name as category_name', 'i.name as item_name', 'tu.name as target_unit_name',
] as const

export type RuleRow = NonNullable<Awaited<ReturnType<typeof findRule>>>

export const findRule = (db: Db, id: number) => ruleBase(db).select(ruleSelection).where('r.id', '=', id).executeTakeFirst()

export interface RuleFilter {
  scope: ItemScope
  locationUnitId: number | null
  categoryId: number | null
  itemId: number | null
}

export async function listRules(db: Db, f: RuleFilter, page: { limit: number; offset: number }) {
  let q = ruleBase(db)
  if (!f.scope.subtrees.all) {
    const ids = f.scope.ancestorIds
    q = q.where((eb) => eb.or([inSubtrees(eb, 'lu.path', f.scope.subtrees), ...(ids.length > 0 ? [eb('r.location_unit_id', 'in', ids)] : [])]))
  }
  if (f.locationUnitId !== null) q = q.where('r.location_unit_id', '=', f.locationUnitId)
  if (f.categoryId !== null) q = q.where('r.category_id', '=', f.categoryId)
  if (f.itemId !== null) q = q.where('r.item_id', '=', f.itemId)
  const [rows, count] = await Promise.all([
    q.select(ruleSelection).orderBy('lu.path').orderBy('r.priority', 'desc').orderBy('r.id').limit(page.limit).offset(page.offset).execute(),
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ])
  return { rows, total: Number(count.n) }
}

/** Active rules anchored at any of these units (the location and its ancestors). */
export const findActiveRulesAt = (db: Db, locationIds: number[]) =>
  locationIds.length === 0
    ? Promise.resolve([] as RuleRow[])
    : ruleBase(db).select(ruleSelection).where('r.location_unit_id', 'in', locationIds).where('r.active', '=', 1).execute()

export const insertRule = (db: Db, row: Insertable<RoutingRuleTable>) =>
  db.insertInto('routing_rule').values(row).returning('id').executeTakeFirstOrThrow()

export const updateRule = (db: Db, id: number, patch: Updateable<RoutingRuleTable>) =>
  db.updateTable('routing_rule').set(patch).where('id', '=', id).execute()

export const deleteRule = (db: Db, id: number) => db.deleteFrom('routing_rule').where('id', '=', id).execute()

// --- compounds and property companies ---------------------------------------------------------

const assignmentBase = (db: Db) =>
  db
    .selectFrom('compound_property as a')
    .innerJoin('unit as p', 'p.id', 'a.property_unit_id')
    .select(['a.id', 'a.compound_unit_id', 'a.property_unit_id', 'a.since', 'a.until', 'a.note', 'a.created_at', 'p.name as property_name'])

export type AssignmentRow = Awaited<ReturnType<typeof findAssignments>>[number]

export const findAssignments = (db: Db, compoundId: number) =>
  assignmentBase(db).where('a.compound_unit_id', '=', compoundId).orderBy('a.since', 'desc').orderBy('a.id', 'desc').execute()

/** The assignment still open (no end date), if any. */
export const findOpenAssignment = (db: Db, compoundId: number) =>
  assignmentBase(db).where('a.compound_unit_id', '=', compoundId).where('a.until', 'is', null).orderBy('a.id', 'desc').executeTakeFirst()

/** The assignment in force on a date: since ≤ date < until. */
export const findAssignmentOn = (db: Db, compoundId: number, date: string) =>
  assignmentBase(db)
    .where('a.compound_unit_id', '=', compoundId)
    .where('a.since', '<=', date)
    .where((eb) => eb.or([eb('a.until', 'is', null), eb('a.until', '>', date)]))
    .orderBy('a.since', 'desc').orderBy('a.id', 'desc')
    .executeTakeFirst()

export const closeAssignment = (db: Db, id: number, until: string) =>
  db.updateTable('compound_property').set({ until }).where('id', '=', id).execute()

export const insertAssignment = (db: Db, row: Insertable<CompoundPropertyTable>) =>
  db.insertInto('compound_property').values(row).returning('id').executeTakeFirstOrThrow()

export const compoundsServedOn = (db: Db, propertyId: number, date: string) =>
  db
    .selectFrom('compound_property as a')
    .innerJoin('unit as c', 'c.id', 'a.compound_unit_id')
    .select(['a.compound_unit_id', 'c.name as compound_name', 'a.since'])
    .where('a.property_unit_id', '=', propertyId)
    .where('a.since', '<=', date)
    .where((eb) => eb.or([eb('a.until', 'is', null), eb('a.until', '>', date)]))
    .orderBy('c.name')
    .execute()
