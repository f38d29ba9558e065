import { pathIds } from '../../lib/unit-path.js'
import type { Db } from '../../db/connect.js'
import { AppError } from '../../server/errors.js'
import { nowIso, shanghaiDay } from '../../lib/time.js'
import { pageOf } from '../../lib/paging.js'
import { recordAudit } from '../audit/service.js'
import { can, requireActionOnPath, subtreeFilter, type Actor } from '../access/service.js'
import { roleAllows, type Action } from '../access/roles.js'
import { assertDuration, type Duration } from '../calendar/working-time.js'
import { priorityDefaults, ownerLevelTypes, type OwnerUnitType, type Priority } from './priorities.js'
import { fallbackUnit, nearestOfTypes, rankRules } from './routing.js'
import type {
  AssignPropertyInput, CategoryQuery, CategoryView, CompoundPropertyView, CreateCategoryInput, CreateItemInput, CreateRuleInput, ItemQuery,
  PropertyAssignmentView, PropertyCompoundsView, PublicCatalogQuery, PublicCatalogView, PublicItemView, RouteQuery, RouteView, RoutingRuleView,
  RuleQuery, ServiceItemView, UpdateCategoryInput, UpdateItemInput, UpdateRuleInput,
} from './schema.js'
import * as store from './store.js'

const flag = (b: boolean | undefined, fallback = 0): number => (b === undefined ? fallback : b ? 1 : 0)
const today = (): string => shanghaiDay(nowIso())

// --- scope ------------------------------------------------------------------------------------

/** The caller's subtrees for an action, plus the ancestors of their units (items offered above them reach them). */
export function itemScope(actor: Actor, action: Action): store.ItemScope {
  const subtrees = subtreeFilter(actor, action)
  if (subtrees.all) return { subtrees, ancestorIds: [] }
  const ids = actor.grants.filter((g) => g.unitPath !== null && roleAllows(g.role, action)).flatMap((g) => pathIds(g.unitPath as string))
  return { subtrees, ancestorIds: [...new Set(ids)] }
}

const seesScopeUnit = (actor: Actor, action: Action, unitId: number | null, unitPath: string | null): boolean => {
  const scope = itemScope(actor, action)
  return scope.subtrees.all || unitId === null || scope.ancestorIds.includes(unitId) || (unitPath !== null && can(actor, action, unitPath))
}

/** Editing something offered in a subtree needs catalog.manage there; offered everywhere needs a deployment-wide grant. */
function requireManageAt(actor: Actor, unit: { path: string } | null): void {
  if (unit) requireActionOnPath(actor, 'catalog.manage', unit.path)
  else if (!subtreeFilter(actor, 'catalog.manage').all) throw new AppError('forbidden', { action: 'catalog.manage', scope: 'everywhere' })
}

function requireDeploymentManage(actor: Actor): void {
  // Categories are one taxonomy for the whole deployment (a province's counties share it).
  if (!subtreeFilter(actor, 'catalog.manage').all) throw new AppError('forbidden', { action: 'catalog.manage', scope: 'categories' })
}

async function activeUnit(db: Db, id: number): Promise<store.UnitRow> {
  const unit = await store.findUnit(db, id)
  if (!unit) throw new AppError('unit_not_found', { unitId: id })
  if (unit.status !== 'active') throw new AppError('unit_archived', { unitId: id })
  return unit
}

/** Compounds and buildings are places, not organizations: they cannot handle a request. */
const PLACE_TYPES = ['compound', 'building']

async function handlingUnit(db: Db, id: number, countyId: number | null, field: string): Promise<store.UnitRow> {
  const unit = await store.findUnit(db, id)
  if (!unit) throw new AppError('unit_not_found', { unitId: id, field })
  if (unit.status !== 'active' || PLACE_TYPES.includes(unit.type)) throw new AppError('invalid_handling_unit', { unitId: id, field, type: unit.type, status: unit.status })
  if (countyId !== null && unit.county_id !== countyId) throw new AppError('unit_outside_county', { unitId: id, field })
  return unit
}

function checkedDuration(d: Duration | null | undefined, field: string): Duration | null {
  if (d === undefined || d === null) return null
  try {
    assertDuration(d)
  } catch (e) {
    if (e instanceof RangeError) throw new AppError('invalid_duration', { field, problem: e.message })
    throw e
  }
  return { amount: d.amount, unit: d.unit }
}

// --- categories -------------------------------------------------------------------------------

const toCategoryView = (r: store.CategoryRow, counts: Map<number, number>): CategoryView => ({
  id: r.id, parentId: r.parent_id, code: r.code, name: r.name, description: r.description, sortOrder: r.sort_order,
  status: r.status === 'archived' ? 'archived' : 'active', itemCount: counts.get(r.id) ?? 0,
})

export async function listCategories(db: Db, actor: Actor, query: CategoryQuery): Promise<CategoryView[]> {
  const [rows, counts] = await Promise.all([store.listCategories(db, query.status ?? 'active'), store.countItemsByCategory(db, itemScope(actor, 'catalog.read'))])
  return rows.map((r) => toCategoryView(r, counts))
}

async function checkedParent(db: Db, parentId: number | null | undefined, selfId: number | null): Promise<number | null> {
  if (parentId === undefined || parentId === null) return null
  if (parentId === selfId) throw new AppError('invalid_category_parent', { problem: 'a category cannot be its own parent' })
  const parent = await store.findCategory(db, parentId)
  if (!parent) throw new AppError('category_not_found', { categoryId: parentId })
  if (parent.parent_id !== null) throw new AppError('invalid_category_parent', { problem: 'the parent is itself a subcategory' })
  if (parent.status !== 'active') throw new AppError('category_archived', { categoryId: parentId })
  return parent.id
}

export async function createCategory(db: Db, actor: Actor, input: CreateCategoryInput): Promise<CategoryView> {
  requireDeploymentManage(actor)
  return db.transaction().execute(async (trx) => {
    if (await store.findCategoryByCode(trx, input.code)) throw new AppError('category_code_taken', { code: input.code })
    const parentId = await checkedParent(trx, input.parentId, null)
    const now = nowIso()
    const { id } = await store.insertCategory(trx, {
      code: input.code, name: input.name, parent_id: parentId, description: input.description ?? null, sort_order: input.sortOrder ?? 0, created_at: now, updated_at: now,
    })
    const row = (await store.findCategory(trx, id))!
    const view = toCategoryView(row, new Map())
    await recordAudit(trx, actor, { action: 'catalog.category_create', entityType: 'service_category', entityId: id, after: view })
    return view
  })
}

export async function updateCategory(db: Db, actor: Actor, id: number, input: UpdateCategoryInput): Promise<CategoryView> {
  requireDeploymentManage(actor)
  return db.transaction().execute(async (trx) => {
    const before = await store.findCategory(trx, id)
    if (!before) throw new AppError('category_not_found', { categoryId: id })
    let parentId = before.parent_id
    if (input.parentId !== undefined) {
      parentId = await checkedParent(trx, input.parentId, id)
      if (parentId !== null && (await store.countChildren(trx, id, false)) > 0) {
        throw new AppError('invalid_category_parent', { problem: 'the category has subcategories' })
      }
    }
    if (input.status === 'archived' && before.status !== 'archived') {
      const [items, children] = await Promise.all([store.countActiveItemsIn(trx, id), store.countChildren(trx, id, true)])
      if (items > 0 || children > 0) throw new AppError('category_in_use', { activeItems: items, activeSubcategories: children })
    }
    if (input.status === 'active' && before.parent_id !== null && parentId !== null) {
      const parent = await store.findCategory(trx, parentId)
      if (parent?.status !== 'active') throw new AppError('category_archived', { categoryId: parentId })
    }
    await store.updateCategory(trx, id, {
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.sortOrder !== undefined ? { sort_order: input.sortOrder } : {}),
      ...(input.status !== undefined ? { status: input.status } : {}),
      parent_id: parentId,
      updated_at: nowIso(),
    })
    const counts = await store.countItemsByCategory(trx, itemScope(actor, 'catalog.read'))
    const after = toCategoryView((await store.findCategory(trx, id))!, counts)
    await recordAudit(trx, actor, { action: 'catalog.category_update', entityType: 'service_category', entityId: id, before: toCategoryView(before, counts), after })
    return after
  })
}

// --- items ------------------------------------------------------------------------------------

const overrideOf = (amount: number | null, unit: string | null): Duration | null =>
  amount !== null && unit !== null ? { amount, unit: unit as Duration['unit'] } : null

export function toItemView(r: store.ItemRow): ServiceItemView {
  const priority = r.priority as Priority
  const defaults = priorityDefaults[priority] ?? priorityDefaults.general
  const responseOverride = overrideOf(r.response_amount, r.response_unit)
  const resolutionOverride = overrideOf(r.resolution_amount, r.resolution_unit)
  return {
    id: r.id, code: r.code, categoryId: r.category_id, categoryName: r.category_name, parentCategoryId: r.parent_category_id,
    name: r.name, description: r.description, unitId: r.unit_id, unitName: r.unit_name, ownerUnitType: r.owner_unit_type as OwnerUnitType,
    defaultUnitId: r.default_unit_id, defaultUnitName: r.default_unit_name, priority,
    responseTime: responseOverride ?? defaults.response, resolutionTime: resolutionOverride ?? defaults.resolution,
    responseTimeOverride: responseOverride, resolutionTimeOverride: resolutionOverride,
    materials: JSON.parse(r.materials_json) as string[], feeNote: r.fee_note,
    proxyHandling: r.proxy_handling === 1, crossRegion: r.cross_region === 1, elderlyCare: r.elderly_care === 1, anonymousAllowed: r.anonymous_allowed === 1,
    visibility: r.visibility === 'internal' ? 'internal' : 'public', status: r.status === 'archived' ? 'archived' : 'active',
    sortOrder: r.sort_order, createdAt: r.created_at, updatedAt: r.updated_at,
  }
}

const toPublicItemView = (v: ServiceItemView): PublicItemView => ({
  id: v.id, code: v.code, name: v.name, description: v.description, categoryId: v.categoryId, categoryName: v.categoryName, priority: v.priority,
  responseTime: v.responseTime, resolutionTime: v.resolutionTime, materials: v.materials, feeNote: v.feeNote,
  proxyHandling: v.proxyHandling, crossRegion: v.crossRegion, elderlyCare: v.elderlyCare, anonymousAllowed: v.anonymousAllowed,
})

export async function listItems(db: Db, actor: Actor, query: ItemQuery): Promise<{ items: ServiceItemView[]; total: number }> {
  let offeredAtIds: number[] | null = null
  if (query.offeredAt !== undefined) {
    const location = await store.findUnit(db, query.offeredAt)
    if (!location) throw new AppError('unit_not_found', { unitId: query.offeredAt })
    offeredAtIds = pathIds(location.path)
  }
  const { rows, total } = await store.listItems(db, {
    scope: itemScope(actor, 'catalog.read'), q: query.q ?? null, categoryId: query.categoryId ?? null, priority: query.priority ?? null,
    ownerUnitType: query.ownerUnitType ?? null, proxyHandling: query.proxyHandling ?? null, crossRegion: query.crossRegion ?? null,
    elderlyCare: query.elderlyCare ?? null, visibility: query.visibility ?? null, status: query.status ?? 'active', offeredAtIds, unitId: query.unitId ?? null,
  }, pageOf(query))
  return { total, items: rows.map(toItemView) }
}

export async function getItem(db: Db, actor: Actor, id: number): Promise<ServiceItemView> {
  const row = await store.findItemById(db, id)
  if (!row) throw new AppError('service_item_not_found', { itemId: id })
  if (!seesScopeUnit(actor, 'catalog.read', row.unit_id, row.unit_path)) throw new AppError('forbidden', { action: 'catalog.read' })
  return toItemView(row)
}

interface ItemFields {
  categoryId: number
  unitId: number | null
  ownerUnitType: OwnerUnitType
  defaultUnitId: number | null
}

/** Checks the references of an item's final state; returns the county the item belongs to. */
async function checkItemFields(db: Db, actor: Actor, f: ItemFields): Promise<{ countyId: number | null; scopeUnit: store.UnitRow | null }> {
  const scopeUnit = f.unitId === null ? null : await activeUnit(db, f.unitId)
  requireManageAt(actor, scopeUnit)
  const category = await store.findCategory(db, f.categoryId)
  if (!category) throw new AppError('category_not_found', { categoryId: f.categoryId })
  if (category.status !== 'active') throw new AppError('category_archived', { categoryId: f.categoryId })
  const countyId = scopeUnit?.county_id ?? null
  if (f.defaultUnitId !== null) await handlingUnit(db, f.defaultUnitId, countyId, 'defaultUnitId')
  if (f.ownerUnitType === 'agency' && f.defaultUnitId === null) {
    throw new AppError('validation_failed', [{ in: 'body', field: 'defaultUnitId', problem: 'required', message: 'an item handled by an agency names the agency as its default handling unit' }])
  }
  return { countyId, scopeUnit }
}

export async function createItem(db: Db, actor: Actor, input: CreateItemInput): Promise<ServiceItemView> {
  const response = checkedDuration(input.responseTime, 'responseTime')
  const resolution = checkedDuration(input.resolutionTime, 'resolutionTime')
  return db.transaction().execute(async (trx) => {
    const { countyId, scopeUnit } = await checkItemFields(trx, actor, {
      categoryId: input.categoryId, unitId: input.unitId, ownerUnitType: input.ownerUnitType, defaultUnitId: input.defaultUnitId ?? null,
    })
    if (await store.itemCodeExists(trx, input.code)) throw new AppError('service_item_code_taken', { code: input.code })
    const now = nowIso()
    const { id } = await store.insertItem(trx, {
      code: input.code, category_id: input.categoryId, unit_id: input.unitId, county_id: countyId, name: input.name, description: input.description ?? null,
      owner_unit_type: input.ownerUnitType, default_unit_id: input.defaultUnitId ?? null, priority: input.priority,
      response_amount: response?.amount ?? null, response_unit: response?.unit ?? null,
      resolution_amount: resolution?.amount ?? null, resolution_unit: resolution?.unit ?? null,
      materials_json: JSON.stringify(input.materials ?? []), fee_note: input.feeNote ?? null,
      proxy_handling: flag(input.proxyHandling), cross_region: flag(input.crossRegion), elderly_care: flag(input.elderlyCare),
      anonymous_allowed: flag(input.anonymousAllowed), visibility: input.visibility ?? 'public', sort_order: input.sortOrder ?? 0,
      created_at: now, updated_at: now,
    })
    const view = toItemView((await store.findItemById(trx, id))!)
    await recordAudit(trx, actor, { action: 'catalog.item_create', entityType: 'service_item', entityId: id, unitId: scopeUnit?.id ?? null, unitPath: scopeUnit?.path ?? null, after: view })
    return view
  })
}

export async function updateItem(db: Db, actor: Actor, id: number, input: UpdateItemInput): Promise<ServiceItemView> {
  const response = checkedDuration(input.responseTime, 'responseTime')
  const resolution = checkedDuration(input.resolutionTime, 'resolutionTime')
  return db.transaction().execute(async (trx) => {
    const row = await store.findItemById(trx, id)
    if (!row) throw new AppError('service_item_not_found', { itemId: id })
    if (!seesScopeUnit(actor, 'catalog.read', row.unit_id, row.unit_path)) throw new AppError('forbidden', { action: 'catalog.read' })
    // Both where it is offered now and where it will be offered must be the caller's to manage.
    requireManageAt(actor, row.unit_id === null ? null : { path: row.unit_path as string })
    const before = toItemView(row)
    const { countyId, scopeUnit } = await checkItemFields(trx, actor, {
      categoryId: input.categoryId ?? row.category_id,
      unitId: input.unitId !== undefined ? input.unitId : row.unit_id,
      ownerUnitType: input.ownerUnitType ?? before.ownerUnitType,
      defaultUnitId: input.defaultUnitId !== undefined ? input.defaultUnitId : row.default_unit_id,
    })
    await store.updateItem(trx, id, {
      ...(input.categoryId !== undefined ? { category_id: input.categoryId } : {}),
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.unitId !== undefined ? { unit_id: input.unitId, county_id: countyId } : {}),
      ...(input.ownerUnitType !== undefined ? { owner_unit_type: input.ownerUnitType } : {}),
      ...(input.defaultUnitId !== undefined ? { default_unit_id: input.defaultUnitId } : {}),
      ...(input.priority !== undefined ? { priority: input.priority } : {}),
      ...(input.responseTime !== undefined ? { response_amount: response?.amount ?? null, response_unit: response?.unit ?? null } : {}),
      ...(input.resolutionTime !== undefined ? { resolution_amount: resolution?.amount ?? null, resolution_unit: resolution?.unit ?? null } : {}),
      ...(input.materials !== undefined ? { materials_json: JSON.stringify(input.materials) } : {}),
      ...(input.feeNote !== undefined ? { fee_note: input.feeNote } : {}),
      ...(input.proxyHandling !== undefined ? { proxy_handling: flag(input.proxyHandling) } : {}),
      ...(input.crossRegion !== undefined ? { cross_region: flag(input.crossRegion) } : {}),
      ...(input.elderlyCare !== undefined ? { elderly_care: flag(input.elderlyCare) } : {}),
      ...(input.anonymousAllowed !== undefined ? { anonymous_allowed: flag(input.anonymousAllowed) } : {}),
      ...(input.visibility !== undefined ? { visibility: input.visibility } : {}),
      ...(input.status !== undefined ? { status: input.status } : {}),
      ...(input.sortOrder !== undefined ? { sort_order: input.sortOrder } : {}),
      updated_at: nowIso(),
    })
    const after = toItemView((await store.findItemById(trx, id))!)
    await recordAudit(trx, actor, {
      action: input.status === 'archived' && before.status !== 'archived' ? 'catalog.item_archive' : 'catalog.item_update',
      entityType: 'service_item', entityId: id, unitId: scopeUnit?.id ?? null, unitPath: scopeUnit?.path ?? null, before, after,
    })
    return after
  })
}

// --- for other modules: intake, Open311 -------------------------------------------------------

/** One item by id, no access check (callers check their own). Throws service_item_not_found. */
export async function getServiceItem(db: Db, id: number): Promise<ServiceItemView> {
  const row = await store.findItemById(db, id)
  if (!row) throw new AppError('service_item_not_found', { itemId: id })
  return toItemView(row)
}

/** One item by its stable code (the Open311 service_code), or null. */
export async function findServiceItemByCode(db: Db, code: string): Promise<ServiceItemView | null> {
  const row = await store.findItemByCode(db, code)
  return row ? toItemView(row) : null
}

export type Audience = 'public' | 'staff'

/**
 * The item a request at this location may use: it exists, is active (and so is its category), is
 * offered at the location, and for residents is public. Throws service_item_not_found (also for
 * internal items asked for by the public) or service_item_not_offered.
 */
export async function findOfferedItem(
  db: Db, input: { itemId?: number; code?: string; locationUnitId: number; audience: Audience },
): Promise<ServiceItemView> {
  const location = await store.findUnit(db, input.locationUnitId)
  if (!location) throw new AppError('unit_not_found', { unitId: input.locationUnitId })
  const row = input.itemId !== undefined ? await store.findItemById(db, input.itemId) : input.code !== undefined ? await store.findItemByCode(db, input.code) : undefined
  return toItemView(checkOffered(location, row, input.audience, input.itemId ?? input.code ?? null))
}

/** The same check for a location the caller has read already; the item row comes back for routing (resolveRouteAt). */
export async function findOfferedItemAt(db: Db, location: store.UnitRow, itemId: number, audience: Audience): Promise<{ view: ServiceItemView; row: store.ItemRow }> {
  const row = checkOffered(location, await store.findItemById(db, itemId), audience, itemId)
  return { view: toItemView(row), row }
}

function checkOffered(location: store.UnitRow, row: store.ItemRow | undefined, audience: Audience, key: number | string | null): store.ItemRow {
  if (!row || row.status !== 'active' || row.category_status !== 'active') throw new AppError('service_item_not_found', { item: key })
  if (audience === 'public' && row.visibility !== 'public') throw new AppError('service_item_not_found', { item: key })
  if (row.unit_id !== null && !pathIds(location.path).includes(row.unit_id)) throw new AppError('service_item_not_offered', { item: key, locationUnitId: location.id })
  return row
}

/** Active items offered at a location (null: every active item), for the public or for staff. */
export async function listOfferedItems(db: Db, input: { locationUnitId: number | null; audience: Audience }): Promise<ServiceItemView[]> {
  let offeredAtIds: number[] | null = null
  if (input.locationUnitId !== null) {
    const location = await store.findUnit(db, input.locationUnitId)
    if (!location) throw new AppError('unit_not_found', { unitId: input.locationUnitId })
    offeredAtIds = pathIds(location.path)
  }
  const { rows } = await store.listItems(db, {
    scope: { subtrees: { all: true, paths: [] }, ancestorIds: [] }, q: null, categoryId: null, priority: null, ownerUnitType: null,
    proxyHandling: null, crossRegion: null, elderlyCare: null, visibility: input.audience === 'public' ? 'public' : null, status: 'active',
    offeredAtIds, unitId: null,
  }, null)
  return rows.filter((r) => r.category_status === 'active').map(toItemView)
}

/** The resident's menu at a location: public, active items offered there. No login. */
export async function publicCatalog(db: Db, query: PublicCatalogQuery): Promise<PublicCatalogView> {
  const location = await store.findUnit(db, query.unitId)
  if (!location || location.status !== 'active') throw new AppError('unit_not_found', { unitId: query.unitId })
  const ids = pathIds(location.path)
  const [{ rows }, chain, categories] = await Promise.all([
    store.listItems(db, {
      scope: { subtrees: { all: true, paths: [] }, ancestorIds: [] }, q: query.q ?? null, categoryId: query.categoryId ?? null, priority: null,
      ownerUnitType: null, proxyHandling: null, crossRegion: null, elderlyCare: null, visibility: 'public', status: 'active', offeredAtIds: ids, unitId: null,
    }, null),
    store.findUnits(db, ids),
    store.listCategories(db, 'active'),
  ])
  const items = rows.filter((r) => r.category_status === 'active').map((r) => toPublicItemView(toItemView(r)))
  const used = new Set(items.map((i) => i.categoryId))
  const parents = new Set(categories.filter((c) => used.has(c.id) && c.parent_id !== null).map((c) => c.parent_id as number))
  return {
    location: { id: location.id, name: location.name, type: location.type, trail: ids.map((id) => chain.get(id)?.name ?? '').filter(Boolean) },
    categories: categories.filter((c) => used.has(c.id) || parents.has(c.id)).map((c) => ({ id: c.id, parentId: c.parent_id, name: c.name })),
    items,
  }
}

// --- routing ----------------------------------------------------------------------------------

const toRuleView = (r: store.RuleRow, units: Map<number, store.UnitRow>): RoutingRuleView => ({
  id: r.id, locationUnitId: r.location_unit_id, locationUnitName: r.location_unit_name, categoryId: r.category_id, categoryName: r.category_name,
  itemId: r.item_id, itemName: r.item_name, targetKind: r.target_kind === 'property_company' ? 'property_company' : 'unit',
  targetUnitId: r.target_unit_id, targetUnitName: r.target_unit_name,
  coUnits: coUnitIdsOf(r).map((id) => ({ id, name: units.get(id)?.name ?? '' })),
  priority: r.priority, note: r.note, active: r.active === 1, createdAt: r.created_at, updatedAt: r.updated_at,
})

const coUnitIdsOf = (r: { co_unit_ids_json: string }): number[] => JSON.parse(r.co_unit_ids_json) as number[]

async function ruleViews(db: Db, rows: store.RuleRow[]): Promise<RoutingRuleView[]> {
  const units = await store.findUnits(db, rows.flatMap(coUnitIdsOf))
  return rows.map((r) => toRuleView(r, units))
}

export async function listRules(db: Db, actor: Actor, query: RuleQuery): Promise<{ items: RoutingRuleView[]; total: number }> {
  const { rows, total } = await store.listRules(db, {
    scope: itemScope(actor, 'catalog.read'), locationUnitId: query.locationUnitId ?? null, categoryId: query.categoryId ?? null, itemId: query.itemId ?? null,
  }, pageOf(query))
  return { total, items: await ruleViews(db, rows) }
}

interface RuleFields {
  categoryId: number | null
  itemId: number | null
  targetKind: 'unit' | 'property_company'
  targetUnitId: number | null
  coUnitIds: number[]
}

async function checkRuleFields(db: Db, location: store.UnitRow, f: RuleFields): Promise<number[]> {
  if (f.categoryId !== null && f.itemId !== null) throw new AppError('invalid_routing_rule', { problem: 'name a category or an item, not both' })
  if (f.categoryId !== null && !(await store.findCategory(db, f.categoryId))) throw new AppError('category_not_found', { categoryId: f.categoryId })
  if (f.itemId !== null && !(await store.findItemById(db, f.itemId))) throw new AppError('service_item_not_found', { itemId: f.itemId })
  if (f.targetKind === 'unit') {
    if (f.targetUnitId === null) throw new AppError('invalid_routing_rule', { field: 'targetUnitId', problem: 'a rule to a unit names the unit' })
    await handlingUnit(db, f.targetUnitId, location.county_id, 'targetUnitId')
  } else if (f.targetUnitId !== null) {
    throw new AppError('invalid_routing_rule', { field: 'targetUnitId', problem: 'a rule to the property company finds it from the compound; leave targetUnitId empty' })
  }
  const co = [...new Set(f.coUnitIds)]
  for (const id of co) {
    if (id === f.targetUnitId) throw new AppError('invalid_routing_rule', { field: 'coUnitIds', problem: 'the lead unit cannot also be a co-unit' })
    await handlingUnit(db, id, location.county_id, 'coUnitIds')
  }
  return co
}

async function manageableRuleLocation(db: Db, actor: Actor, unitId: number): Promise<store.UnitRow> {
  const location = await store.findUnit(db, unitId)
  if (!location) throw new AppError('unit_not_found', { unitId })
  requireActionOnPath(actor, 'catalog.manage', location.path)
  return location
}

export async function createRule(db: Db, actor: Actor, input: CreateRuleInput): Promise<RoutingRuleView> {
  return db.transaction().execute(async (trx) => {
    const location = await manageableRuleLocation(trx, actor, input.locationUnitId)
    if (location.status !== 'active') throw new AppError('unit_archived', { unitId: location.id })
    const fields: RuleFields = {
      categoryId: input.categoryId ?? null, itemId: input.itemId ?? null, targetKind: input.targetKind,
      targetUnitId: input.targetUnitId ?? null, coUnitIds: input.coUnitIds ?? [],
    }
    const coUnitIds = await checkRuleFields(trx, location, fields)
    const now = nowIso()
    const { id } = await store.insertRule(trx, {
      location_unit_id: location.id, category_id: fields.categoryId, item_id: fields.itemId, target_kind: fields.targetKind,
      target_unit_id: fields.targetUnitId, co_unit_ids_json: JSON.stringify(coUnitIds), priority: input.priority ?? 0,
      note: input.note ?? null, active: flag(input.active, 1), created_at: now, updated_at: now,
    })
    const [view] = await ruleViews(trx, [(await store.findRule(trx, id))!])
    await recordAudit(trx, actor, { action: 'catalog.rule_create', entityType: 'routing_rule', entityId: id, unitId: location.id, unitPath: location.path, after: view })
    return view!
  })
}

export async function updateRule(db: Db, actor: Actor, id: number, input: UpdateRuleInput): Promise<RoutingRuleView> {
  return db.transaction().execute(async (trx) => {
    const row = await store.findRule(trx, id)
    if (!row) throw new AppError('routing_rule_not_found', { ruleId: id })
    const location = await manageableRuleLocation(trx, actor, row.location_unit_id)
    const [before] = await ruleViews(trx, [row])
    const fields: RuleFields = {
      categoryId: input.categoryId !== undefined ? input.categoryId : row.category_id,
      itemId: input.itemId !== undefined ? input.itemId : row.item_id,
      targetKind: input.targetKind ?? (row.target_kind === 'property_company' ? 'property_company' : 'unit'),
      targetUnitId: input.targetUnitId !== undefined ? input.targetUnitId : input.targetKind === 'property_company' ? null : row.target_unit_id,
      coUnitIds: input.coUnitIds ?? coUnitIdsOf(row),
    }
    const coUnitIds = await checkRuleFields(trx, location, fields)
    await store.updateRule(trx, id, {
      category_id: fields.categoryId, item_id: fields.itemId, target_kind: fields.targetKind, target_unit_id: fields.targetUnitId,
      co_unit_ids_json: JSON.stringify(coUnitIds),
      ...(input.priority !== undefined ? { priority: input.priority } : {}),
      ...(input.note !== undefined ? { note: input.note } : {}),
      ...(input.active !== undefined ? { active: flag(input.active) } : {}),
      updated_at: nowIso(),
    })
    const [after] = await ruleViews(trx, [(await store.findRule(trx, id))!])
    await recordAudit(trx, actor, { action: 'catalog.rule_update', entityType: 'routing_rule', entityId: id, unitId: location.id, unitPath: location.path, before, after })
    return after!
  })
}

export async function deleteRule(db: Db, actor: Actor, id: number): Promise<{ ok: true }> {
  await db.transaction().execute(async (trx) => {
    const row = await store.findRule(trx, id)
    if (!row) throw new AppError('routing_rule_not_found', { ruleId: id })
    const location = await manageableRuleLocation(trx, actor, row.location_unit_id)
    const [before] = await ruleViews(trx, [row])
    await store.deleteRule(trx, id)
    await recordAudit(trx, actor, { action: 'catalog.rule_delete', entityType: 'routing_rule', entityId: id, unitId: location.id, unitPath: location.path, before })
  })
  return { ok: true }
}

/**
 * The unit responsible for an item at a location (see routing.ts for the order of precedence).
 * No access check: intake calls it for anonymous residents. `date` (YYYY-MM-DD, default today in
 * Asia/Shanghai) picks the property company in force.
 */
export async function resolveRoute(db: Db, input: { locationUnitId: number; itemId: number; date?: string }): Promise<RouteView> {
  const location = await store.findUnit(db, input.locationUnitId)
  if (!location) throw new AppError('unit_not_found', { unitId: input.locationUnitId })
  const item = await store.findItemById(db, input.itemId)
  if (!item) throw new AppError('service_item_not_found', { itemId: input.itemId })
  return (await resolveRouteAt(db, location, item, input.date)).view
}

/** resolveRoute for a location and an item already read (the intake has both); also gives the winning unit's row. */
export async function resolveRouteAt(
  db: Db, location: store.UnitRow, item: Pick<store.ItemRow, 'id' | 'category_id' | 'parent_category_id' | 'default_unit_id' | 'owner_unit_type'>, day?: string,
): Promise<{ view: RouteView; unit: store.UnitRow }> {
  const date = day ?? today()
  const chainIds = pathIds(location.path)
  const units = await store.findUnits(db, chainIds)
  const chain = chainIds.map((id) => units.get(id)).filter((u): u is store.UnitRow => u !== undefined).reverse()

  let property: { unit: store.UnitRow; compoundId: number } | null | undefined
  const propertyCompany = async () => {
    if (property !== undefined) return property
    const compound = chain.find((u) => u.type === 'compound')
    const assignment = compound ? await store.findAssignmentOn(db, compound.id, date) : undefined
    const unit = assignment ? await store.findUnit(db, assignment.property_unit_id) : undefined
    property = unit && compound && unit.status === 'active' ? { unit, compoundId: compound.id } : null
    return property
  }
  const answer = async (unit: store.UnitRow, via: RouteView['via'], ruleId: number | null, coUnitIds: number[], compoundId: number | null) => {
    const co = await store.findUnits(db, coUnitIds)
    const view: RouteView = {
      unitId: unit.id, unitName: unit.name, unitType: unit.type, unitPath: unit.path, via, ruleId, compoundUnitId: compoundId,
      coUnits: coUnitIds.map((id) => co.get(id)).filter((u): u is store.UnitRow => u?.status === 'active' && u.id !== unit.id).map((u) => ({ id: u.id, name: u.name })),
    }
    return { view, unit }
  }

  const rules = rankRules(
    (await store.findActiveRulesAt(db, chainIds)).map((r) => ({ ...r, locationUnitId: r.location_unit_id, locationDepth: r.location_depth, categoryId: r.category_id, itemId: r.item_id })),
    { id: item.id, categoryId: item.category_id, parentCategoryId: item.parent_category_id },
  )
  for (const rule of rules) {
    if (rule.target_kind === 'property_company') {
      const p = await propertyCompany()
      if (p) return answer(p.unit, 'rule', rule.id, coUnitIdsOf(rule), p.compoundId)
    } else if (rule.target_unit_id !== null) {
      const target = await store.findUnit(db, rule.target_unit_id)
      if (target?.status === 'active') return answer(target, 'rule', rule.id, coUnitIdsOf(rule), null)
    }
  }

  if (item.default_unit_id !== null) {
    const unit = await store.findUnit(db, item.default_unit_id)
    if (unit?.status === 'active') return answer(unit, 'default_unit', null, [], null)
  }

  const owner = item.owner_unit_type as OwnerUnitType
  if (owner === 'property_company') {
    const p = await propertyCompany()
    if (p) return answer(p.unit, 'owner_type', null, [], p.compoundId)
  } else if (owner !== 'agency') {
    const unit = nearestOfTypes(chain, ownerLevelTypes[owner])
    if (unit) return answer(unit, 'owner_type', null, [], null)
  }

  const fallback = fallbackUnit(chain)
  if (!fallback) throw new AppError('unit_archived', { unitId: location.id })
  return answer(fallback, 'fallback', null, [], null)
}

/** Route preview for staff: who would handle this item here. */
export async function previewRoute(db: Db, actor: Actor, query: RouteQuery): Promise<RouteView> {
  const location = await store.findUnit(db, query.locationUnitId)
  if (!location) throw new AppError('unit_not_found', { unitId: query.locationUnitId })
  requireActionOnPath(actor, 'catalog.read', location.path)
  return resolveRoute(db, { locationUnitId: query.locationUnitId, itemId: query.itemId })
}

// --- compounds and their property companies ---------------------------------------------------

const toAssignmentView = (a: store.AssignmentRow): PropertyAssignmentView => ({
  id: a.id, compoundUnitId: a.compound_unit_id, propertyUnitId: a.property_unit_id, propertyName: a.property_name,
  since: a.since, until: a.until, note: a.note, createdAt: a.created_at,
})

async function compoundUnit(db: Db, id: number): Promise<store.UnitRow> {
  const unit = await store.findUnit(db, id)
  if (!unit) throw new AppError('unit_not_found', { unitId: id })
  if (unit.type !== 'compound') throw new AppError('not_a_compound', { unitId: id, type: unit.type })
  return unit
}

async function compoundPropertyView(db: Db, compound: store.UnitRow): Promise<CompoundPropertyView> {
  const [history, current] = await Promise.all([store.findAssignments(db, compound.id), store.findAssignmentOn(db, compound.id, today())])
  return {
    compoundUnitId: compound.id, compoundName: compound.name,
    current: current ? toAssignmentView(current) : null,
    history: history.map(toAssignmentView),
  }
}

export async function getCompoundProperty(db: Db, actor: Actor, compoundId: number): Promise<CompoundPropertyView> {
  const compound = await compoundUnit(db, compoundId)
  requireActionOnPath(actor, 'units.read', compound.path)
  return compoundPropertyView(db, compound)
}

/**
 * From `since`, the compound is served by this property company (or by none): the open
 * assignment ends that day. History is kept; a correction on the same day leaves a zero-length entry.
 */
export async function assignPropertyCompany(db: Db, actor: Actor, compoundId: number, input: AssignPropertyInput): Promise<CompoundPropertyView> {
  return db.transaction().execute(async (trx) => {
    const compound = await compoundUnit(trx, compoundId)
    requireActionOnPath(actor, 'units.manage', compound.path)
    if (compound.status !== 'active') throw new AppError('unit_archived', { unitId: compound.id })
    let property: store.UnitRow | null = null
    if (input.propertyUnitId !== null) {
      property = (await store.findUnit(trx, input.propertyUnitId)) ?? null
      if (!property) throw new AppError('unit_not_found', { unitId: input.propertyUnitId })
      if (property.type !== 'enterprise') throw new AppError('not_a_property_company', { unitId: property.id, type: property.type })
      if (property.status !== 'active') throw new AppError('unit_archived', { unitId: property.id })
      if (property.county_id !== compound.county_id) throw new AppError('unit_outside_county', { unitId: property.id })
    }
    const open = await store.findOpenAssignment(trx, compound.id)
    if (open && input.since < open.since) throw new AppError('invalid_assignment_date', { currentSince: open.since, since: input.since })
    if (open?.property_unit_id === input.propertyUnitId) return compoundPropertyView(trx, compound)
    if (!open && input.propertyUnitId === null) return compoundPropertyView(trx, compound)
    if (open) await store.closeAssignment(trx, open.id, input.since)
    if (property) {
      await store.insertAssignment(trx, {
        compound_unit_id: compound.id, property_unit_id: property.id, since: input.since, until: null, note: input.note ?? null,
        actor_id: actor.accountId, created_at: nowIso(),
      })
    }
    await recordAudit(trx, actor, {
      action: 'units.property_assign', entityType: 'unit', entityId: compound.id, unitId: compound.id, unitPath: compound.path,
      before: open ? { propertyUnitId: open.property_unit_id, since: open.since } : null,
      after: { propertyUnitId: input.propertyUnitId, since: input.since, note: input.note ?? null },
    })
    return compoundPropertyView(trx, compound)
  })
}

export async function propertyCompounds(db: Db, actor: Actor, propertyId: number): Promise<PropertyCompoundsView> {
  const property = await store.findUnit(db, propertyId)
  if (!property) throw new AppError('unit_not_found', { unitId: propertyId })
  if (property.type !== 'enterprise') throw new AppError('not_a_property_company', { unitId: propertyId, type: property.type })
  requireActionOnPath(actor, 'units.read', property.path)
  const rows = await store.compoundsServedOn(db, property.id, today())
  return {
    propertyUnitId: property.id, propertyName: property.name,
    compounds: rows.map((r) => ({ compoundUnitId: r.compound_unit_id, compoundName: r.compound_name, since: r.since })),
  }
}

/** The property company serving a compound on a date (default today), or null. */
export async function propertyCompanyOf(db: Db, compoundUnitId: number, date = today()): Promise<{ unitId: number; name: string; since: string } | null> {
  const a = await store.findAssignmentOn(db, compoundUnitId, date)
  return a ? { unitId: a.property_unit_id, name: a.property_name, since: a.since } : null
}

/** Compounds a property company serves on a date (default today): what its staff and its evaluations cover. */
export async function compoundsOfPropertyCompany(db: Db, propertyUnitId: number, date = today()): Promise<{ compoundUnitId: number; name: string; since: string }[]> {
  return (await store.compoundsServedOn(db, propertyUnitId, date)).map((r) => ({ compoundUnitId: r.compound_unit_id, name: r.compound_name, since: r.since }))
}
