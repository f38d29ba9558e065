import type { Insertable } from 'kysely'
import type { Db } from '../../db/connect.js'
import type { ServiceItemTable } from '../../db/tables/catalog.js'
import { nowIso } from '../../lib/time.js'
import { recordAudit } from '../audit/service.js'
import { systemActor } from '../access/service.js'
import { communityItems, crossRegionItems, elderlyCareItems, proxyItems, seedCategories, type SeedItem } from './seed-data.js'
import * as store from './store.js'

export interface SeedCatalogOptions {
  /** The county the items are offered in (county-wide items get this unit as their scope). */
  countyUnitId: number
  /** 行政审批服务局: default handling unit of the 154 cross-region items. Looked up by name in the county when omitted. */
  approvalAgencyUnitId?: number | null
  /** 洛神湖社区: the only place the elderly-care menu is offered. Looked up by name in the county when omitted. */
  elderlyCareCommunityUnitId?: number | null
  /** Prefix for item codes, so a second county's demo items do not collide with the first's. */
  codePrefix?: string
}

export interface SeedCatalogResult {
  categories: number
  items: { proxy: number; elderlyCare: number; crossRegion: number; community: number }
  /** Parts left out, and why (a unit they need does not exist). */
  skipped: string[]
}

/**
 * Demo catalog for a county: categories, the 23 proxy items, 洛神湖社区's elderly-care menu, the 154
 * cross-region items and everyday community items. Idempotent: categories and items whose code
 * exists are left alone. Joins the caller's transaction when given one.
 */
export async function seedCatalog(db: Db, options: SeedCatalogOptions): Promise<SeedCatalogResult> {
  return db.isTransaction ? seedIn(db, options) : db.transaction().execute((trx) => seedIn(trx, options))
}

async function seedIn(db: Db, options: SeedCatalogOptions): Promise<SeedCatalogResult> {
  const county = await store.findUnit(db, options.countyUnitId)
  if (!county) throw new Error(`seedCatalog: no unit ${options.countyUnitId}`)
  const inCounty = { all: false, paths: [county.path] }
  const now = nowIso()
  const prefix = options.codePrefix ?? ''
  const skipped: string[] = []

  let categoriesCreated = 0
  const categoryIds = new Map<string, number>()
  for (const [index, c] of seedCategories.entries()) {
    const existing = await store.findCategoryByCode(db, c.code)
    if (existing) {
      categoryIds.set(c.code, existing.id)
      continue
    }
    const { id } = await store.insertCategory(db, {
      code: c.code, name: c.name, parent_id: c.parent ? (categoryIds.get(c.parent) ?? null) : null, sort_order: index * 10, created_at: now, updated_at: now,
    })
    categoryIds.set(c.code, id)
    categoriesCreated++
  }

  const agency = options.approvalAgencyUnitId
    ? await store.findUnit(db, options.approvalAgencyUnitId)
    : await store.findUnitByName(db, inCounty, 'agency', '行政审批服务局')
  const elderlyCommunity = options.elderlyCareCommunityUnitId
    ? await store.findUnit(db, options.elderlyCareCommunityUnitId)
    : await store.findUnitByName(db, inCounty, 'community', '洛神湖社区')

  const rows = (items: SeedItem[], codeBase: string, digits: number, scopeUnitId: number, extra: Partial<Insertable<ServiceItemTable>>) =>
    items.map((item, i): Insertable<ServiceItemTable> => ({
      code: `${prefix}${codeBase}-${String(i + 1).padStart(digits, '0')}`,
      category_id: categoryIds.get(item.category) as number,
      unit_id: scopeUnitId,
      county_id: county.county_id,
      name: item.name,
      description: item.description ?? null,
      owner_unit_type: item.owner,
      default_unit_id: null,
      priority: item.priority,
      materials_json: JSON.stringify(item.materials),
      fee_note: item.feeNote ?? null,
      anonymous_allowed: item.anonymousAllowed ? 1 : 0,
      visibility: 'public',
      sort_order: i,
      created_at: now,
      updated_at: now,
      ...extra,
    }))

  const insertNew = async (list: Insertable<ServiceItemTable>[]): Promise<number> => {
    const existing = await store.existingItemCodes(db, list.map((r) => r.code))
    const fresh = list.filter((r) => !existing.has(r.code))
    await store.insertItems(db, fresh)
    return fresh.length
  }

  const proxy = await insertNew(rows(proxyItems, 'px', 2, county.id, { proxy_handling: 1 }))
  const community = await insertNew(rows(communityItems, 'cm', 2, county.id, {}))
  let elderlyCare = 0
  if (elderlyCommunity) elderlyCare = await insertNew(rows(elderlyCareItems, 'elder', 2, elderlyCommunity.id, { elderly_care: 1 }))
  else skipped.push('elderly-care menu: no 洛神湖社区 in the county')
  let crossRegion = 0
  if (agency) crossRegion = await insertNew(rows(crossRegionItems, 'xr', 3, county.id, { cross_region: 1, default_unit_id: agency.id }))
  else skipped.push('cross-region items: no 行政审批服务局 agency in the county')

  const result = { categories: categoriesCreated, items: { proxy, elderlyCare, crossRegion, community }, skipped }
  await recordAudit(db, systemActor('demo'), { action: 'catalog.seed', entityType: 'service_catalog', unitId: county.id, unitPath: county.path, after: result })
  return result
}
