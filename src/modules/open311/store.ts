import { sql, type ExpressionBuilder, type Insertable } from 'kysely'
import type { Db } from '../../db/connect.js'
import type { Database } from '../../db/database.js'
import type { Open311RequestTable } from '../../db/tables/open311.js'
import type { Open311KeyTable } from '../../db/tables/requests.js'
import { inSubtrees, subtreeUpperBound, type SubtreeFilter } from '../../db/subtree.js'
import { unpublishedSources } from './publication.js'

// --- places -------------------------------------------------------------------------------------

const unitColumns = ['id', 'parent_id', 'county_id', 'type', 'name', 'code', 'path', 'depth', 'status'] as const

export type UnitRow = NonNullable<Awaited<ReturnType<typeof findUnit>>>

export const findUnit = (db: Db, id: number) => db.selectFrom('unit').select(unitColumns).where('id', '=', id).executeTakeFirst()

export const findUnitByCode = (db: Db, code: string) => db.selectFrom('unit').select(unitColumns).where('code', '=', code).executeTakeFirst()

export const listCounties = (db: Db) =>
  db.selectFrom('unit').select(unitColumns).where('type', '=', 'county').where('status', '=', 'active').orderBy('id').execute()

export async function findUnitNames(db: Db, ids: number[]): Promise<Map<number, { name: string; code: string | null }>> {
  if (ids.length === 0) return new Map()
  const rows = await db.selectFrom('unit').select(['id', 'name', 'code']).where('id', 'in', [...new Set(ids)]).execute()
  return new Map(rows.map((r) => [r.id, { name: r.name, code: r.code }]))
}

const inside = (path: string) => (eb: ExpressionBuilder<Database, 'unit'>) =>
  eb.and([eb('unit.path', '>=', path), eb('unit.path', '<', subtreeUpperBound(path))])

/** Active units under a path whose name or code is one of the words. */
export const findUnitsNamed = (db: Db, underPath: string, words: string[]) =>
  db.selectFrom('unit').select(unitColumns).where(inside(underPath)).where('status', '=', 'active')
    .where((eb) => eb.or([eb('name', 'in', words), eb('code', 'in', words)]))
    .orderBy('depth', 'desc').orderBy('id').limit(200).execute()

/** Active units under a path that have a drawn boundary. */
export const listBoundedUnits = (db: Db, underPath: string) =>
  db.selectFrom('unit').select([...unitColumns, 'boundary']).where(inside(underPath)).where('status', '=', 'active')
    .where('boundary', 'is not', null).execute()

// --- keys ---------------------------------------------------------------------------------------

export const insertKey = (db: Db, row: Insertable<Open311KeyTable>) =>
  db.insertInto('open311_key').values(row).returning('id').executeTakeFirstOrThrow()

const keyQuery = (db: Db) =>
  db.selectFrom('open311_key as k')
    .innerJoin('unit as u', 'u.id', 'k.unit_id')
    .leftJoin('account as cb', 'cb.id', 'k.created_by')
    .leftJoin('account as rb', 'rb.id', 'k.revoked_by')
    .select([
      'k.id', 'k.name', 'k.unit_id', 'k.created_at', 'k.revoked_at', 'k.last_used_at', 'k.created_by', 'k.revoked_by',
      'cb.display_name as created_by_name', 'rb.display_name as revoked_by_name',
      'u.name as unit_name', 'u.code as unit_code', 'u.path as unit_path', 'u.status as unit_status', 'u.county_id as unit_county_id', 'u.type as unit_type',
    ])
    .select((eb) => eb.selectFrom('open311_request as o').select((e) => e.fn.countAll<number>().as('n')).whereRef('o.key_id', '=', 'k.id').as('request_count'))

export type KeyRow = NonNullable<Awaited<ReturnType<typeof findKeyById>>>

export const findKeyById = (db: Db, id: number) => keyQuery(db).where('k.id', '=', id).executeTakeFirst()

export const findKeyByHash = (db: Db, hash: string) => keyQuery(db).where('k.key_hash', '=', hash).executeTakeFirst()

export interface KeyFilter {
  scope: SubtreeFilter
  status: 'active' | 'revoked' | 'all'
  underPath: string | null
}

export async function listKeys(db: Db, f: KeyFilter, page: { limit: number; offset: number }) {
  let q = keyQuery(db).where((eb) => inSubtrees(eb, 'u.path', f.scope))
  if (f.status === 'active') q = q.where('k.revoked_at', 'is', null)
  if (f.status === 'revoked') q = q.where('k.revoked_at', 'is not', null)
  if (f.underPath !== null) q = q.where('u.path', '>=', f.underPath).where('u.path', '<', subtreeUpperBound(f.underPath))
  const [rows, count] = await Promise.all([
    q.orderBy('k.id', 'desc').limit(page.limit).offset(page.offset).execute(),
    q.clearSelect().select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ])
  return { rows, total: Number(count.n) }
}

/** Revokes a key that is not revoked yet; false when it already was. */
export async function revokeKey(db: Db, id: number, now: string, by: number | null): Promise<boolean> {
  const result = await db.updateTable('open311_key').set({ revoked_at: now, revoked_by: by }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

export const touchKey = (db: Db, id: number, now: string) =>
  db.updateTable('open311_key').set({ last_used_at: now }).where('id', '=', id).execute()

// --- what an Open311 POST carried ---------------------------------------------------------------

/** Once per request: a replayed POST (same Idempotency-Key) finds the row already there. */
export const insertOpen311Request = (db: Db, row: Insertable<Open311RequestTable>) =>
  db.insertInto('open311_request').values(row).onConflict((oc) => oc.column('request_id').doNothing()).execute()

// --- published requests (see publication.ts for the rule) ---------------------------------------

export interface RequestFilter {
  countyId: number
  ids: number[] | null
  itemCodes: string[] | null
  /** Inclusive ISO bounds on the submit time, with the Asia/Shanghai days they fall on (for the index). */
  window: { from: string; to: string; fromDay: string; toDay: string } | null
  statuses: string[] | null
}

const publishedRequests = (db: Db, countyId: number) =>
  db.selectFrom('request as r')
    .leftJoin('service_item as i', 'i.id', 'r.item_id')
    .where('r.county_id', '=', countyId)
    .where('r.source', 'not in', [...unpublishedSources])
    .where((eb) => eb.or([eb('r.item_id', 'is', null), eb('i.visibility', '=', 'public')]))

export async function listPublishedRequests(db: Db, f: RequestFilter, page: { limit: number; offset: number }) {
  let q = publishedRequests(db, f.countyId)
    .leftJoin('unit as l', 'l.id', 'r.location_unit_id')
    .leftJoin('unit as h', 'h.id', 'r.handler_unit_id')
    .leftJoin('open311_request as o', 'o.request_id', 'r.id')
    .select([
      'r.id', 'r.status', 'r.source', 'r.item_id', 'r.description', 'r.address', 'r.lat', 'r.lng', 'r.submitted_at', 'r.updated_at',
      'r.resolution_due_at', 'r.location_path', 'r.priority', 'i.code as item_code', 'i.name as item_name', 'l.code as location_code',
      'h.name as handler_name', 'o.media_url',
    ])
    .select((eb) => eb.selectFrom('request_event as n').select('n.note').whereRef('n.request_id', '=', 'r.id')
      .where('n.visibility', '=', 'public').where('n.actor_id', 'is not', null).where('n.note', 'is not', null)
      .orderBy('n.id', 'desc').limit(1).as('status_note'))
  if (f.ids !== null) q = q.where('r.id', 'in', f.ids.length > 0 ? f.ids : [-1])
  if (f.itemCodes !== null) q = q.where('i.code', 'in', f.itemCodes.length > 0 ? f.itemCodes : [''])
  if (f.statuses !== null) q = q.where('r.status', 'in', f.statuses)
  if (f.window !== null) {
    q = q.where('r.submitted_day', '>=', f.window.fromDay).where('r.submitted_day', '<=', f.window.toDay)
      .where('r.submitted_at', '>=', f.window.from).where('r.submitted_at', '<=', f.window.to)
  }
  return q.orderBy('r.submitted_at', 'desc').orderBy('r.id', 'desc').limit(page.limit).offset(page.offset).execute()
}

export type PublishedRequestRow = Awaited<ReturnType<typeof listPublishedRequests>>[number]

export async function findPublishedIdByTracking(db: Db, countyId: number, trackingCode: string): Promise<number | null> {
  const row = await publishedRequests(db, countyId).select('r.id').where('r.tracking_code', '=', trackingCode).executeTakeFirst()
  return row?.id ?? null
}

export interface UpdateFilter {
  countyId: number
  ids: number[] | null
  window: { from: string; to: string }
}

/** Public steps of published requests after their submission, oldest first, with the status each left the request in. */
export async function listPublishedUpdates(db: Db, f: UpdateFilter, page: { limit: number; offset: number }) {
  let q = db.selectFrom('request_event as e')
    .innerJoin('request as r', 'r.id', 'e.request_id')
    .leftJoin('service_item as i', 'i.id', 'r.item_id')
    .leftJoin('unit as u', 'u.id', 'e.unit_id')
    .select(['e.id', 'e.request_id', 'e.kind', 'e.at', 'e.note', 'e.actor_id', 'u.name as unit_name'])
    .select(sql<string>`coalesce(e.to_status, (select e2.to_status from request_event e2 where e2.request_id = e.request_id and e2.id < e.id and e2.to_status is not null order by e2.id desc limit 1), 'submitted')`.as('status_after'))
    .where('e.county_id', '=', f.countyId)
    .where('e.at', '>=', f.window.from).where('e.at', '<=', f.window.to)
    .where('e.visibility', '=', 'public')
    .where('e.kind', '<>', 'submitted')
    .where('r.county_id', '=', f.countyId)
    .where('r.source', 'not in', [...unpublishedSources])
    .where((eb) => eb.or([eb('r.item_id', 'is', null), eb('i.visibility', '=', 'public')]))
  if (f.ids !== null) q = q.where('e.request_id', 'in', f.ids.length > 0 ? f.ids : [-1])
  return q.orderBy('e.at').orderBy('e.id').limit(page.limit).offset(page.offset).execute()
}
