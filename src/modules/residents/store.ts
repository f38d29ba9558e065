import { sql, type Insertable, type Updateable } from 'kysely'
import type { Db } from '../../db/connect.js'
import type { HouseholdTable, PersonTable, PersonTagTable } from '../../db/tables/county.js'
import { inSubtrees, subtreeUpperBound, type SubtreeFilter } from '../../db/subtree.js'
import { containsText } from '../../db/text.js'

// --- units (read-only facts this module needs about addresses) --------------------------------

export interface UnitFacts {
  id: number
  path: string
  type: string
  name: string
  status: string
  countyId: number | null
}

export async function findUnitFacts(db: Db, ids: number[]): Promise<Map<number, UnitFacts>> {
  if (ids.length === 0) return new Map()
  const rows = await db.selectFrom('unit')
    .select(['id', 'path', 'type', 'name', 'status', 'county_id as countyId'])
    .where('id', 'in', [...new Set(ids)])
    .execute()
  return new Map(rows.map((r) => [r.id, r]))
}

// --- tags -----------------------------------------------------------------------------------

export const listTags = (db: Db, includeArchived: boolean) =>
  db.selectFrom('person_tag').selectAll()
    .$if(!includeArchived, (q) => q.where('archived', '=', 0))
    .orderBy('sort_order').orderBy('id')
    .execute()

export const findTagById = (db: Db, id: number) => db.selectFrom('person_tag').selectAll().where('id', '=', id).executeTakeFirst()
export const findTagByCode = (db: Db, code: string) => db.selectFrom('person_tag').selectAll().where('code', '=', code).executeTakeFirst()
export const findTagsByIds = (db: Db, ids: number[]) =>
  ids.length === 0 ? Promise.resolve([]) : db.selectFrom('person_tag').selectAll().where('id', 'in', ids).execute()
export const insertTag = (db: Db, row: Insertable<PersonTagTable>) =>
  db.insertInto('person_tag').values(row).returning('id').executeTakeFirstOrThrow()
export const updateTag = (db: Db, id: number, patch: Updateable<PersonTagTable>) =>
  db.updateTable('person_tag').set(patch).where('id', '=', id).execute()

export async function replaceTagLinks(db: Db, personId: number, tagIds: number[]): Promise<void> {
  await db.deleteFrom('person_tag_link').where('person_id', '=', personId).execute()
  if (tagIds.length > 0) await db.insertInto('person_tag_link').values(tagIds.map((tagId) => ({ person_id: personId, tag_id: tagId }))).execute()
}

export async function tagsOfPersons(db: Db, personIds: number[]) {
  if (personIds.length === 0) return []
  return db.selectFrom('person_tag_link as l')
    .innerJoin('person_tag as t', 't.id', 'l.tag_id')
    .select(['l.person_id as personId', 't.id', 't.code', 't.name_zh as nameZh', 't.name_en as nameEn', 't.sort_order as sortOrder'])
    .where('l.person_id', 'in', personIds)
    .orderBy('t.sort_order').orderBy('t.id')
    .execute()
}

// --- persons --------------------------------------------------------------------------------

const personWithUnit = (db: Db) =>
  db.selectFrom('person as p')
    .innerJoin('unit as u', 'u.id', 'p.unit_id')
    .selectAll('p')
    .select(['u.path as unit_path', 'u.name as unit_name', 'u.type as unit_type'])

export type PersonRow = NonNullable<Awaited<ReturnType<typeof findPersonById>>>

export const findPersonById = (db: Db, id: number) => personWithUnit(db).where('p.id', '=', id).executeTakeFirst()

export const findPersonsByIds = (db: Db, ids: number[]) =>
  ids.length === 0 ? Promise.resolve([]) : personWithUnit(db).where('p.id', 'in', [...new Set(ids)]).execute()

export const findPersonIdByIdHash = async (db: Db, hash: string): Promise<number | null> =>
  (await db.selectFrom('person').select('id').where('id_number_hash', '=', hash).executeTakeFirst())?.id ?? null

export const insertPerson = (db: Db, row: Insertable<PersonTable>) =>
  db.insertInto('person').values(row).returning('id').executeTakeFirstOrThrow()

/** Which of these identity-number hashes are registered already. */
export async function takenIdHashes(db: Db, hashes: string[]): Promise<Set<string>> {
  if (hashes.length === 0) return new Set()
  const rows = await db.selectFrom('person').select('id_number_hash').where('id_number_hash', 'in', hashes).execute()
  return new Set(rows.map((r) => r.id_number_hash as string))
}

/** Inserts persons in one statement; returns ids with identifying columns, so the caller can check the order it relies on. */
export const insertPersons = (db: Db, rows: Insertable<PersonTable>[]) =>
  rows.length === 0
    ? Promise.resolve([])
    : db.insertInto('person').values(rows).returning(['id', 'name', 'household_id', 'relation', 'unit_id', 'room', 'id_number_hash', 'phone_hash', 'birth_date']).execute()

export async function insertTagLinks(db: Db, links: { person_id: number; tag_id: number }[]): Promise<void> {
  for (let i = 0; i < links.length; i += 1000) await db.insertInto('person_tag_link').values(links.slice(i, i + 1000)).execute()
}

export const updatePerson = (db: Db, id: number, patch: Updateable<PersonTable>) =>
  db.updateTable('person').set(patch).where('id', '=', id).execute()

export interface PersonListFilter {
  scope: SubtreeFilter
  /** Path of the unit whose subtree is asked for. */
  under: string | null
  q: string | null
  idNumberHash: string | null
  phoneHash: string | null
  householdId: number | null
  tagId: number | null
  gender: string | null
  /** Born on or before this date (minimum age). */
  bornOnOrBefore: string | null
  /** Born strictly after this date (maximum age). */
  bornAfter: string | null
  status: string | null
}

export type PersonOrder = 'id' | '-id' | 'name' | '-name' | 'birthDate' | '-birthDate' | 'createdAt' | '-createdAt' | 'address'

function filteredPersons(db: Db, f: PersonListFilter) {
  let q = db.selectFrom('person as p').innerJoin('unit as u', 'u.id', 'p.unit_id').where((eb) => inSubtrees(eb, 'u.path', f.scope))
  if (f.under) {
    const under = f.under
    q = q.where('u.path', '>=', under).where('u.path', '<', subtreeUpperBound(under))
  }
  if (f.q) q = q.where(containsText('p.name', f.q))
  if (f.idNumberHash) q = q.where('p.id_number_hash', '=', f.idNumberHash)
  if (f.phoneHash) q = q.where('p.phone_hash', '=', f.phoneHash)
  if (f.householdId) q = q.where('p.household_id', '=', f.householdId)
  if (f.gender) q = q.where('p.gender', '=', f.gender)
  if (f.bornOnOrBefore) q = q.where('p.birth_date', '<=', f.bornOnOrBefore)
  if (f.bornAfter) q = q.where('p.birth_date', '>', f.bornAfter)
  if (f.status) q = q.where('p.status', '=', f.status)
  if (f.tagId) {
    const tagId = f.tagId
    q = q.where((eb) => eb.exists(eb.selectFrom('person_tag_link as l').select('l.tag_id').whereRef('l.person_id', '=', 'p.id').where('l.tag_id', '=', tagId)))
  }
  return q
}

export async function listPersons(db: Db, f: PersonListFilter, order: PersonOrder, page: { limit: number; offset: number } | null) {
  const base = filteredPersons(db, f)
  let rowsQuery = base.selectAll('p').select(['u.path as unit_path', 'u.name as unit_name', 'u.type as unit_type'])
  switch (order) {
    case 'name': rowsQuery = rowsQuery.orderBy('p.name', 'asc'); break
    case '-name': rowsQuery = rowsQuery.orderBy('p.name', 'desc'); break
    case 'birthDate': rowsQuery = rowsQuery.orderBy('p.birth_date', 'asc'); break
    case '-birthDate': rowsQuery = rowsQuery.orderBy('p.birth_date', 'desc'); break
    case 'createdAt': rowsQuery = rowsQuery.orderBy('p.created_at', 'asc'); break
    case '-createdAt': rowsQuery = rowsQuery.orderBy('p.created_at', 'desc'); break
    case 'address': rowsQuery = rowsQuery.orderBy('u.path').orderBy('p.room'); break
    default: break
  }
  rowsQuery = rowsQuery.orderBy('p.id', order === '-id' ? 'desc' : 'asc')
  if (page) rowsQuery = rowsQuery.limit(page.limit).offset(page.offset)
  const [rows, count] = await Promise.all([
    rowsQuery.execute(),
    page ? base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow() : Promise.resolve(null),
  ])
  return { rows, total: count ? Number(count.n) : rows.length }
}

/** Names and types of the units along the given paths, for address lines. */
export async function unitNamesOnPaths(db: Db, paths: string[]): Promise<Map<number, { name: string; type: string }>> {
  const ids = new Set<number>()
  for (const p of paths) for (const part of p.split('/')) if (part) ids.add(Number(part))
  if (ids.size === 0) return new Map()
  const rows = await db.selectFrom('unit').select(['id', 'name', 'type']).where('id', 'in', [...ids]).execute()
  return new Map(rows.map((r) => [r.id, { name: r.name, type: r.type }]))
}

// --- households -----------------------------------------------------------------------------

const householdWithUnit = (db: Db) =>
  db.selectFrom('household as h')
    .innerJoin('unit as u', 'u.id', 'h.unit_id')
    .leftJoin('person as head', 'head.id', 'h.head_person_id')
    .selectAll('h')
    .select(['u.path as unit_path', 'u.name as unit_name', 'u.type as unit_type', 'head.name as head_name'])
    .select((eb) => eb.selectFrom('person as m').select((e2) => e2.fn.countAll<number>().as('n')).whereRef('m.household_id', '=', 'h.id').as('member_count'))

export type HouseholdRow = NonNullable<Awaited<ReturnType<typeof findHouseholdById>>>

export const findHouseholdById = (db: Db, id: number) => householdWithUnit(db).where('h.id', '=', id).executeTakeFirst()

export const insertHousehold = (db: Db, row: Insertable<HouseholdTable>) =>
  db.insertInto('household').values(row).returning('id').executeTakeFirstOrThrow()

export const findHouseholdsByIds = (db: Db, ids: number[]) =>
  ids.length === 0 ? Promise.resolve([]) : householdWithUnit(db).where('h.id', 'in', [...new Set(ids)]).execute()

/** Inserts households in one statement; returns their ids with the columns that identify them. */
export const insertHouseholds = (db: Db, rows: Insertable<HouseholdTable>[]) =>
  rows.length === 0 ? Promise.resolve([]) : db.insertInto('household').values(rows).returning(['id', 'unit_id', 'room']).execute()

/** Sets the head of each household (only where none is set yet), one statement for them all. */
export async function setHouseholdHeads(db: Db, heads: { householdId: number; personId: number }[], now: string): Promise<void> {
  if (heads.length === 0) return
  const cases = sql.join(heads.map((h) => sql`when ${h.householdId} then ${h.personId}`), sql` `)
  await db.updateTable('household')
    .set({ head_person_id: sql<number>`cast(case id ${cases} end as integer)`, updated_at: now })
    .where('id', 'in', heads.map((h) => h.householdId))
    .where('head_person_id', 'is', null)
    .execute()
}

export const updateHousehold = (db: Db, id: number, patch: Updateable<HouseholdTable>) =>
  db.updateTable('household').set(patch).where('id', '=', id).execute()

export interface HouseholdListFilter {
  scope: SubtreeFilter
  under: string | null
  q: string | null
  status: string | null
}

export async function listHouseholds(db: Db, f: HouseholdListFilter, page: { limit: number; offset: number }) {
  let q = householdWithUnit(db).where((eb) => inSubtrees(eb, 'u.path', f.scope))
  let c = db.selectFrom('household as h').innerJoin('unit as u', 'u.id', 'h.unit_id').leftJoin('person as head', 'head.id', 'h.head_person_id')
    .where((eb) => inSubtrees(eb, 'u.path', f.scope))
  if (f.under) {
    const under = f.under
    q = q.where('u.path', '>=', under).where('u.path', '<', subtreeUpperBound(under))
    c = c.where('u.path', '>=', under).where('u.path', '<', subtreeUpperBound(under))
  }
  if (f.q) {
    const text = f.q
    q = q.where((eb) => eb.or([containsText('h.room', text), containsText('head.name', text)]))
    c = c.where((eb) => eb.or([containsText('h.room', text), containsText('head.name', text)]))
  }
  if (f.status) {
    q = q.where('h.status', '=', f.status)
    c = c.where('h.status', '=', f.status)
  }
  const [rows, count] = await Promise.all([
    q.orderBy('u.path').orderBy('h.room').orderBy('h.id').limit(page.limit).offset(page.offset).execute(),
    c.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ])
  return { rows, total: Number(count.n) }
}

export const membersOfHousehold = (db: Db, householdId: number) =>
  db.selectFrom('person').selectAll().where('household_id', '=', householdId).orderBy('id').execute()

/** Everyone in the household takes its new address. */
export const moveHouseholdMembers = (db: Db, householdId: number, patch: { unit_id: number; room: string | null; county_id: number | null; updated_at: string }) =>
  db.updateTable('person').set(patch).where('household_id', '=', householdId).execute()
