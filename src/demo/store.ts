import { PostgresAdapter, sql, type Insertable } from 'kysely'
import type { Db } from '../db/connect.js'
import type { UnitTable } from '../db/tables/platform.js'
import type { HouseholdTable, PartyMemberStepTable, PartyMemberTable, PartyOrgOfficerTable, PersonTable } from '../db/tables/county.js'
import type { RequestEventTable, RequestRatingTable, RequestTable, RequestUnitTable } from '../db/tables/requests.js'
import { subtreeUpperBound } from '../db/subtree.js'

/*
 * The demo generator's own SQL: batched multi-row inserts for what exists in the thousands (units
 * below the town level, households, people, party members and their steps, accounts), and the reads
 * the generator and its tests need. Semantic operations (restructuring, party chains, catalog,
 * property companies, studios) go through the modules' services instead.
 */

/** Rows per INSERT: well under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters for ~20 columns. */
const BATCH = 500

const chunks = <T>(rows: readonly T[], size = BATCH): T[][] => {
  const out: T[][] = []
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size))
  return out
}

const isPg = (db: Db) => db.getExecutor().adapter instanceof PostgresAdapter

/** The same lock the units module takes: unit inserts never interleave with a restructuring on PostgreSQL. */
export async function lockUnitTree(db: Db): Promise<void> {
  if (isPg(db)) await sql`select pg_advisory_xact_lock(7420111)`.execute(db)
}

export interface UnitDraft {
  parent: { id: number; path: string; depth: number; countyId: number }
  type: string
  name: string
  code: string | null
  address: string | null
  sortOrder: number
}

/**
 * Inserts units under existing parents; returns their ids in the order given. Each row first holds a
 * unique placeholder path, then one UPDATE per batch sets path = parent's path + id + '/'.
 */
export async function insertUnits(db: Db, drafts: readonly UnitDraft[], now: string): Promise<number[]> {
  const ids: number[] = []
  let seq = 0
  for (const batch of chunks(drafts)) {
    const rows: Insertable<UnitTable>[] = batch.map((d) => ({
      parent_id: d.parent.id, county_id: d.parent.countyId, type: d.type, name: d.name, code: d.code,
      path: `~demo/${seq++}/`, depth: d.parent.depth + 1, address: d.address, sort_order: d.sortOrder, created_at: now, updated_at: now,
    }))
    const inserted = await db.insertInto('unit').values(rows).returning(['id', 'path']).execute()
    const byPath = new Map(inserted.map((r) => [r.path, r.id]))
    for (const r of rows) ids.push(byPath.get(r.path) as number)
    await sql`update unit set path = (select p.path from unit p where p.id = unit.parent_id) || cast(unit.id as text) || '/'
      where unit.path >= '~demo/' and unit.path < '~demo0'`.execute(db)
  }
  return ids
}

export const findUnitPathsByIds = async (db: Db, ids: number[]): Promise<Map<number, { path: string; depth: number; countyId: number | null }>> => {
  const out = new Map<number, { path: string; depth: number; countyId: number | null }>()
  for (const batch of chunks([...new Set(ids)], 1000)) {
    const rows = await db.selectFrom('unit').select(['id', 'path', 'depth', 'county_id']).where('id', 'in', batch).execute()
    for (const r of rows) out.set(r.id, { path: r.path, depth: r.depth, countyId: r.county_id })
  }
  return out
}

export const findUnitByCode = (db: Db, code: string) =>
  db.selectFrom('unit').select(['id', 'name', 'path', 'type', 'county_id']).where('code', '=', code).executeTakeFirst()

export const countUnits = async (db: Db): Promise<number> =>
  Number((await db.selectFrom('unit').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)

/** Units of a type in a subtree (active unless `all`), in path order. */
export const unitsInSubtree = (db: Db, path: string, type: string, all = false) =>
  db.selectFrom('unit').select(['id', 'name', 'code', 'path', 'parent_id', 'status'])
    .where('path', '>=', path).where('path', '<', subtreeUpperBound(path)).where('type', '=', type)
    .$if(!all, (q) => q.where('status', '=', 'active'))
    .orderBy('path').execute()

// --- people --------------------------------------------------------------------------------------

/** Inserts households; returns their ids in the order given (unit and room are unique per demo household). */
export async function insertHouseholds(db: Db, rows: Insertable<HouseholdTable>[]): Promise<number[]> {
  const ids: number[] = []
  for (const batch of chunks(rows)) {
    const inserted = await db.insertInto('household').values(batch).returning(['id', 'unit_id', 'room']).execute()
    const byKey = new Map(inserted.map((r) => [`${r.unit_id}|${r.room}`, r.id]))
    for (const r of batch) ids.push(byKey.get(`${r.unit_id}|${r.room}`) as number)
  }
  return ids
}

/** Inserts people; returns their ids in the order given (matched back through the unique identity-number hash). */
export async function insertPersons(db: Db, rows: Insertable<PersonTable>[]): Promise<number[]> {
  const ids: number[] = []
  for (const batch of chunks(rows, 400)) {
    const inserted = await db.insertInto('person').values(batch).returning(['id', 'id_number_hash']).execute()
    const byHash = new Map(inserted.map((r) => [r.id_number_hash, r.id]))
    for (const r of batch) ids.push(byHash.get(r.id_number_hash ?? null) as number)
  }
  return ids
}

export async function insertTagLinks(db: Db, rows: { person_id: number; tag_id: number }[]): Promise<void> {
  for (const batch of chunks(rows, 2000)) await db.insertInto('person_tag_link').values(batch).execute()
}

/** Every household of the given units without a head gets its head member. */
export async function setHouseholdHeads(db: Db, householdIds: number[]): Promise<void> {
  for (const batch of chunks(householdIds, 1000)) {
    await db.updateTable('household')
      .set((eb) => ({
        head_person_id: eb.selectFrom('person').select((e) => e.fn.min('person.id').as('m'))
          .whereRef('person.household_id', '=', 'household.id').where('person.relation', '=', 'head'),
      }))
      .where('id', 'in', batch).execute()
  }
}

export const personTags = (db: Db) => db.selectFrom('person_tag').select(['id', 'code']).execute()

// --- party ---------------------------------------------------------------------------------------

export async function insertMembers(db: Db, rows: Insertable<PartyMemberTable>[]): Promise<number[]> {
  const ids: number[] = []
  for (const batch of chunks(rows)) {
    const inserted = await db.insertInto('party_member').values(batch).returning(['id', 'person_id']).execute()
    const byPerson = new Map(inserted.map((r) => [r.person_id, r.id]))
    for (const r of batch) ids.push(byPerson.get(r.person_id) as number)
  }
  return ids
}

export async function insertSteps(db: Db, rows: Insertable<PartyMemberStepTable>[]): Promise<void> {
  for (const batch of chunks(rows, 1000)) await db.insertInto('party_member_step').values(batch).execute()
}

export async function insertOfficers(db: Db, rows: Insertable<PartyOrgOfficerTable>[]): Promise<void> {
  for (const batch of chunks(rows, 1000)) await db.insertInto('party_org_officer').values(batch).execute()
}

/** Active organizations under the county, with their unit. */
export const orgsInCounty = (db: Db, countyId: number) =>
  db.selectFrom('party_org as o').innerJoin('unit as u', 'u.id', 'o.unit_id')
    .select(['o.id', 'o.kind', 'o.name', 'o.path', 'o.parent_id', 'o.unit_id', 'u.type as unit_type', 'u.path as unit_path'])
    .where('o.county_id', '=', countyId).where('o.status', '=', 'active').orderBy('o.id').execute()

// --- accounts ------------------------------------------------------------------------------------

export const findAccountsByUsernames = (db: Db, usernames: string[]) =>
  db.selectFrom('account').select(['id', 'username']).where('username', 'in', usernames).execute()

export async function insertAccount(db: Db, row: { username: string; display_name: string; password_hash: string; now: string }): Promise<number> {
  const { id } = await db.insertInto('account').values({
    username: row.username, display_name: row.display_name, password_hash: row.password_hash, must_change_password: 0,
    password_changed_at: row.now, created_at: row.now, updated_at: row.now,
  }).returning('id').executeTakeFirstOrThrow()
  return id
}

export async function resetAccount(db: Db, id: number, row: { display_name: string; password_hash: string; now: string }): Promise<void> {
  await db.updateTable('account').set({
    display_name: row.display_name, password_hash: row.password_hash, status: 'active', must_change_password: 0, failed_logins: 0,
    failed_window_start: null, locked_until: null, password_changed_at: row.now, updated_at: row.now,
  }).where('id', '=', id).execute()
}

export async function replaceGrants(db: Db, accountId: number, grants: { role: string; unitId: number }[], now: string): Promise<void> {
  await db.deleteFrom('account_grant').where('account_id', '=', accountId).execute()
  await db.insertInto('account_grant').values(grants.map((g) => ({ account_id: accountId, role: g.role, unit_id: g.unitId, created_at: now }))).execute()
}

// --- settings (the record that a demo was generated) -----------------------------------------------

export const readSetting = async (db: Db, key: string): Promise<string | null> =>
  (await db.selectFrom('setting').select('value').where('key', '=', key).executeTakeFirst())?.value ?? null

/** Inserts the setting unless it exists; true when this call created it (of two racing processes, one wins). */
export async function claimSetting(db: Db, key: string, value: string, now: string): Promise<boolean> {
  const rows = await db.insertInto('setting').values({ key, value, updated_at: now }).onConflict((oc) => oc.column('key').doNothing()).returning('key').execute()
  return rows.length === 1
}

export async function writeSetting(db: Db, key: string, value: string, now: string): Promise<void> {
  await db.insertInto('setting').values({ key, value, updated_at: now })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: now })).execute()
}

// --- digests and facts (determinism checks, the end-of-run summary) ------------------------------------

/** What must come out the same for the same seed: every unit and person of the county, without ids or ciphertexts. */
export async function digestRows(db: Db, countyPath: string) {
  const upper = subtreeUpperBound(countyPath)
  const units = await db.selectFrom('unit as u').leftJoin('unit as p', 'p.id', 'u.parent_id')
    .select(['u.type', 'u.name', 'u.code', 'u.status', 'u.depth', 'p.name as parent_name', 'p.code as parent_code'])
    .where('u.path', '>=', countyPath).where('u.path', '<', upper).execute()
  const persons = await db.selectFrom('person as p').innerJoin('unit as u', 'u.id', 'p.unit_id')
    .select(['p.name', 'p.gender', 'p.birth_date', 'p.id_number_masked', 'p.phone_masked', 'p.relation', 'p.room', 'u.code as unit_code', 'u.name as unit_name'])
    .where('u.path', '>=', countyPath).where('u.path', '<', upper).execute()
  const members = await db.selectFrom('party_member as m').innerJoin('person as p', 'p.id', 'm.person_id')
    .innerJoin('party_org as o', 'o.id', 'm.org_id').innerJoin('unit as u', 'u.id', 'o.unit_id')
    .select(['p.id_number_masked', 'p.name', 'm.stage', 'm.joined_date', 'm.full_date', 'm.is_representative', 'o.name as org_name'])
    .where('u.path', '>=', countyPath).where('u.path', '<', upper).execute()
  return { units, persons, members }
}

export interface CountyFacts {
  units: Record<string, number>
  households: number
  persons: number
  adults: number
  partyOrgs: number
  partyMembers: number
  inDevelopment: number
}

/** Counts over the county for the closing summary. */
export async function countyFacts(db: Db, countyPath: string, adultBornOnOrBefore: string): Promise<CountyFacts> {
  const upper = subtreeUpperBound(countyPath)
  const units = await db.selectFrom('unit').select(['type', (eb) => eb.fn.countAll<number>().as('n')])
    .where('path', '>=', countyPath).where('path', '<', upper).where('status', '=', 'active').groupBy('type').execute()
  const people = await db.selectFrom('person as p').innerJoin('unit as u', 'u.id', 'p.unit_id')
    .select([
      (eb) => eb.fn.countAll<number>().as('n'),
      (eb) => eb.fn.sum<number>(eb.case().when('p.birth_date', '<=', adultBornOnOrBefore).then(1).else(0).end()).as('adults'),
    ])
    .where('u.path', '>=', countyPath).where('u.path', '<', upper).executeTakeFirstOrThrow()
  const households = await db.selectFrom('household as h').innerJoin('unit as u', 'u.id', 'h.unit_id').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('u.path', '>=', countyPath).where('u.path', '<', upper).executeTakeFirstOrThrow()
  const orgs = await db.selectFrom('party_org as o').innerJoin('unit as u', 'u.id', 'o.unit_id').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('u.path', '>=', countyPath).where('u.path', '<', upper).where('o.status', '=', 'active').executeTakeFirstOrThrow()
  const members = await db.selectFrom('party_member as m').innerJoin('party_org as o', 'o.id', 'm.org_id').innerJoin('unit as u', 'u.id', 'o.unit_id')
    .select(['m.stage', (eb) => eb.fn.countAll<number>().as('n')])
    .where('u.path', '>=', countyPath).where('u.path', '<', upper).where('m.status', '=', 'active').groupBy('m.stage').execute()
  const memberCount = members.filter((m) => m.stage === 'full' || m.stage === 'probationary').reduce((a, m) => a + Number(m.n), 0)
  return {
    units: Object.fromEntries(units.map((u) => [u.type, Number(u.n)])),
    households: Number(households.n),
    persons: Number(people.n),
    adults: Number(people.adults ?? 0),
    partyOrgs: Number(orgs.n),
    partyMembers: memberCount,
    inDevelopment: members.reduce((a, m) => a + Number(m.n), 0) - memberCount,
  }
}

// --- request history -------------------------------------------------------------------------------

/** Where requests can come from: compounds, villages and grid villages, enterprises (and the communities and zone, to group them). */
export const requestLocations = (db: Db, countyPath: string) =>
  db.selectFrom('unit as u').leftJoin('unit as p', 'p.id', 'u.parent_id')
    .select(['u.id', 'u.type', 'u.name', 'u.path', 'u.parent_id', 'p.type as parent_type'])
    .where('u.path', '>=', countyPath).where('u.path', '<', subtreeUpperBound(countyPath)).where('u.status', '=', 'active')
    .where('u.type', 'in', ['compound', 'village', 'grid', 'enterprise', 'community', 'park'])
    .orderBy('u.path').execute()

/** Inserts requests; returns their ids in the order given (matched through the unique tracking code). */
export async function insertRequests(db: Db, rows: Insertable<RequestTable>[]): Promise<number[]> {
  const ids: number[] = []
  for (const batch of chunks(rows, 250)) {
    const inserted = await db.insertInto('request').values(batch).returning(['id', 'tracking_code']).execute()
    const byCode = new Map(inserted.map((r) => [r.tracking_code, r.id]))
    for (const r of batch) ids.push(byCode.get(r.tracking_code) as number)
  }
  return ids
}

export async function insertRequestEvents(db: Db, rows: Insertable<RequestEventTable>[]): Promise<void> {
  for (const batch of chunks(rows, 1000)) await db.insertInto('request_event').values(batch).execute()
}

export async function insertRequestRatings(db: Db, rows: Insertable<RequestRatingTable>[]): Promise<void> {
  for (const batch of chunks(rows, 1000)) await db.insertInto('request_rating').values(batch).execute()
}

export async function insertRequestLeads(db: Db, rows: Insertable<RequestUnitTable>[]): Promise<void> {
  for (const batch of chunks(rows, 1000)) await db.insertInto('request_unit').values(batch).execute()
}

/** Whether routing rules name single items, or are anchored at compounds (either stops routes being shared among equals). */
export async function routingAnchors(db: Db, countyId: number): Promise<{ itemRules: boolean; compoundRules: boolean; ruleCategories: Set<number> }> {
  const rules = await db.selectFrom('routing_rule as r').innerJoin('unit as u', 'u.id', 'r.location_unit_id')
    .select(['r.item_id', 'r.category_id', 'u.type']).where('u.county_id', '=', countyId).where('r.active', '=', 1).execute()
  const items = await db.selectFrom('service_item as i').innerJoin('unit as u', 'u.id', 'i.unit_id')
    .select('i.id').where('u.county_id', '=', countyId).where('u.type', 'in', ['compound', 'building']).execute()
  return {
    itemRules: rules.some((r) => r.item_id !== null),
    compoundRules: items.length > 0 || rules.some((r) => r.type === 'compound' || r.type === 'building'),
    ruleCategories: new Set(rules.map((r) => r.category_id).filter((c): c is number => c !== null)),
  }
}

/** The property company serving each compound of the county on a day. */
export async function propertyCompaniesOn(db: Db, countyPath: string, day: string): Promise<Map<number, number>> {
  const rows = await db.selectFrom('compound_property as a').innerJoin('unit as u', 'u.id', 'a.compound_unit_id')
    .select(['a.compound_unit_id', 'a.property_unit_id'])
    .where('u.path', '>=', countyPath).where('u.path', '<', subtreeUpperBound(countyPath))
    .where('a.since', '<=', day).where((eb) => eb.or([eb('a.until', 'is', null), eb('a.until', '>', day)]))
    .orderBy('a.since').orderBy('a.id').execute()
  return new Map(rows.map((r) => [r.compound_unit_id, r.property_unit_id]))
}

/** Accounts that work on cases, by the unit their grant names (the demo accounts): unit → the first such account. */
export async function unitWorkerAccounts(db: Db, countyPath: string, roles: readonly string[]): Promise<Map<number, { id: number; name: string }>> {
  const rows = await db.selectFrom('account_grant as g').innerJoin('account as a', 'a.id', 'g.account_id').innerJoin('unit as u', 'u.id', 'g.unit_id')
    .select(['g.unit_id', 'a.id', 'a.display_name'])
    .where('g.role', 'in', [...roles]).where('a.status', '=', 'active')
    .where('u.path', '>=', countyPath).where('u.path', '<', subtreeUpperBound(countyPath))
    .orderBy('a.id').execute()
  const out = new Map<number, { id: number; name: string }>()
  for (const r of rows) if (r.unit_id !== null && !out.has(r.unit_id)) out.set(r.unit_id, { id: r.id, name: r.display_name })
  return out
}
