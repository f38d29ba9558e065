import { sql, type Insertable, type Updateable } from 'kysely'
import type { Db } from '../../db/connect.js'
import type { PartyMemberTable, PartyOrgTable, PartyTransferTable, RepStudioTable } from '../../db/tables/county.js'
import { inSubtrees, subtreeUpperBound, type SubtreeFilter } from '../../db/subtree.js'
import { containsText } from '../../db/text.js'

type Page = { limit: number; offset: number }

// --- units ----------------------------------------------------------------------------------

export interface UnitFacts { id: number; path: string; type: string; name: string; status: string; countyId: number | null }

export async function findUnitFacts(db: Db, ids: number[]): Promise<Map<number, UnitFacts>> {
  if (ids.length === 0) return new Map()
  const rows = await db.selectFrom('unit').select(['id', 'path', 'type', 'name', 'status', 'county_id as countyId']).where('id', 'in', [...new Set(ids)]).execute()
  return new Map(rows.map((r) => [r.id, r]))
}

// --- organizations --------------------------------------------------------------------------

const orgWithUnit = (db: Db) =>
  db.selectFrom('party_org as o')
    .innerJoin('unit as u', 'u.id', 'o.unit_id')
    .leftJoin('party_org as parent', 'parent.id', 'o.parent_id')
    .selectAll('o')
    .select(['u.path as unit_path', 'u.name as unit_name', 'u.type as unit_type', 'parent.name as parent_name'])
    .select((eb) => eb.selectFrom('party_org as c').select((e2) => e2.fn.countAll<number>().as('n')).whereRef('c.parent_id', '=', 'o.id').where('c.status', '=', 'active').as('child_count'))

export type OrgRow = NonNullable<Awaited<ReturnType<typeof findOrgById>>>

export const findOrgById = (db: Db, id: number) => orgWithUnit(db).where('o.id', '=', id).executeTakeFirst()
export const findOrgsByIds = (db: Db, ids: number[]) =>
  ids.length === 0 ? Promise.resolve([]) : orgWithUnit(db).where('o.id', 'in', [...new Set(ids)]).execute()

export const insertOrg = (db: Db, row: Insertable<PartyOrgTable>) => db.insertInto('party_org').values(row).returning('id').executeTakeFirstOrThrow()
export const updateOrg = (db: Db, id: number, patch: Updateable<PartyOrgTable>) => db.updateTable('party_org').set(patch).where('id', '=', id).execute()

/** Rewrites the paths of an organization and everything below it: oldPath… → newPath…. */
export async function moveOrgPaths(db: Db, oldPath: string, newPath: string, now: string): Promise<void> {
  await db.updateTable('party_org')
    .set({ path: sql<string>`${newPath} || substr(path, ${oldPath.length + 1})`, updated_at: now })
    .where('path', '>=', oldPath).where('path', '<', subtreeUpperBound(oldPath))
    .execute()
}

export interface OrgListFilter {
  scope: SubtreeFilter
  underUnit: string | null
  kind: string | null
  parentId: number | null
  q: string | null
  status: string | null
}

export async function listOrgs(db: Db, f: OrgListFilter, page: Page) {
  let rows = orgWithUnit(db).where((eb) => inSubtrees(eb, 'u.path', f.scope))
  let count = db.selectFrom('party_org as o').innerJoin('unit as u', 'u.id', 'o.unit_id').where((eb) => inSubtrees(eb, 'u.path', f.scope))
  if (f.underUnit) {
    const p = f.underUnit
    rows = rows.where('u.path', '>=', p).where('u.path', '<', subtreeUpperBound(p))
    count = count.where('u.path', '>=', p).where('u.path', '<', subtreeUpperBound(p))
  }
  if (f.kind) { rows = rows.where('o.kind', '=', f.kind); count = count.where('o.kind', '=', f.kind) }
  if (f.parentId) { rows = rows.where('o.parent_id', '=', f.parentId); count = count.where('o.parent_id', '=', f.parentId) }
  if (f.status) { rows = rows.where('o.status', '=', f.status); count = count.where('o.status', '=', f.status) }
  if (f.q) { rows = rows.where(containsText('o.name', f.q)); count = count.where(containsText('o.name', f.q)) }
  const [items, n] = await Promise.all([
    rows.orderBy('o.path').limit(page.limit).offset(page.offset).execute(),
    count.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ])
  return { rows: items, total: Number(n.n) }
}

/** Organizations for the tree: inside the scope, optionally below one organization path, in path order. */
export function orgsForTree(db: Db, scope: SubtreeFilter, underPath: string | null, status: string | null) {
  let q = db.selectFrom('party_org as o')
    .innerJoin('unit as u', 'u.id', 'o.unit_id')
    .select(['o.id', 'o.parent_id', 'o.name', 'o.kind', 'o.unit_id', 'u.name as unit_name', 'o.path', 'o.status'])
    .where((eb) => inSubtrees(eb, 'u.path', scope))
  if (underPath) q = q.where('o.path', '>=', underPath).where('o.path', '<', subtreeUpperBound(underPath))
  if (status) q = q.where('o.status', '=', status)
  return q.orderBy('o.path').execute()
}

/** Active members per organization and stage, for organizations below a path (or the given ids). */
export async function stageCountsByOrg(db: Db, opts: { underPath?: string; orgIds?: number[] }) {
  let q = db.selectFrom('party_member as m')
    .innerJoin('party_org as o', 'o.id', 'm.org_id')
    .select(['m.org_id as orgId', 'o.path', 'm.stage'])
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('m.status', '=', 'active')
  if (opts.underPath) q = q.where('o.path', '>=', opts.underPath).where('o.path', '<', subtreeUpperBound(opts.underPath))
  if (opts.orgIds) {
    if (opts.orgIds.length === 0) return []
    q = q.where('m.org_id', 'in', opts.orgIds)
  }
  const rows = await q.groupBy(['m.org_id', 'o.path', 'm.stage']).execute()
  return rows.map((r) => ({ ...r, n: Number(r.n) }))
}

export const countActiveChildren = async (db: Db, orgId: number): Promise<number> =>
  Number((await db.selectFrom('party_org').select((eb) => eb.fn.countAll<number>().as('n')).where('parent_id', '=', orgId).where('status', '=', 'active').executeTakeFirstOrThrow()).n)

export const countPresentMembers = async (db: Db, orgId: number): Promise<number> =>
  Number((await db.selectFrom('party_member').select((eb) => eb.fn.countAll<number>().as('n')).where('org_id', '=', orgId).where('status', 'in', ['active', 'incoming']).executeTakeFirstOrThrow()).n)

/** Active organizations of the given kinds attached to any of the units. */
export const findActiveOrgsAtUnits = (db: Db, unitIds: number[], kinds: string[]) =>
  unitIds.length === 0 ? Promise.resolve([]) : orgWithUnit(db).where('o.unit_id', 'in', unitIds).where('o.kind', 'in', kinds).where('o.status', '=', 'active').orderBy('o.id').execute()

/** Units of a kind (grid) that contain a unit path, deepest first. */
export const findUnitsOnPath = (db: Db, ids: number[]) =>
  ids.length === 0 ? Promise.resolve([]) : db.selectFrom('unit').select(['id', 'path', 'type', 'name', 'status', 'county_id as countyId']).where('id', 'in', ids).execute()

// --- officers -------------------------------------------------------------------------------

export const listOfficers = (db: Db, orgId: number) =>
  db.selectFrom('party_org_officer as f')
    .innerJoin('person as p', 'p.id', 'f.person_id')
    .select(['f.id', 'f.person_id as personId', 'p.name', 'f.role', 'f.since', 'f.until'])
    .where('f.org_id', '=', orgId)
    .orderBy('f.id')
    .execute()

export async function replaceOfficers(db: Db, orgId: number, officers: { personId: number; role: string; since: string | null; until: string | null }[]): Promise<void> {
  await db.deleteFrom('party_org_officer').where('org_id', '=', orgId).execute()
  if (officers.length > 0) {
    await db.insertInto('party_org_officer').values(officers.map((o) => ({ org_id: orgId, person_id: o.personId, role: o.role, since: o.since, until: o.until }))).execute()
  }
}

// --- members --------------------------------------------------------------------------------

const memberBase = (db: Db) =>
  db.selectFrom('party_member as m')
    .innerJoin('person as p', 'p.id', 'm.person_id')
    .innerJoin('party_org as o', 'o.id', 'm.org_id')
    .innerJoin('unit as ou', 'ou.id', 'o.unit_id')
    .leftJoin('party_member_check as c', 'c.member_id', 'm.id')

const memberColumns = (q: ReturnType<typeof memberBase>) =>
  q.selectAll('m')
    .select([
      'p.name', 'p.gender', 'p.birth_date', 'p.phone_masked', 'p.id_number_masked', 'p.unit_id as person_unit_id',
      'o.name as org_name', 'o.path as org_path', 'o.unit_id as org_unit_id', 'o.kind as org_kind', 'o.status as org_status', 'ou.path as org_unit_path',
      'c.flags', 'c.overdue_flag', 'c.overdue_after',
    ])
    .select((eb) => eb.selectFrom('party_transfer as t').select('t.id').whereRef('t.member_id', '=', 'm.id').where('t.status', '=', 'in_transit').limit(1).as('open_transfer_id'))

export type MemberRow = NonNullable<Awaited<ReturnType<typeof findMemberById>>>

export const findMemberById = (db: Db, id: number) => memberColumns(memberBase(db)).where('m.id', '=', id).executeTakeFirst()
export const findMemberByPersonId = (db: Db, personId: number) => memberColumns(memberBase(db)).where('m.person_id', '=', personId).executeTakeFirst()
export const findMembersByPersonIds = (db: Db, personIds: number[]) =>
  personIds.length === 0 ? Promise.resolve([]) : memberColumns(memberBase(db)).where('m.person_id', 'in', personIds).execute()

export const insertMember = (db: Db, row: Insertable<PartyMemberTable>) => db.insertInto('party_member').values(row).returning('id').executeTakeFirstOrThrow()
export const updateMember = (db: Db, id: number, patch: Updateable<PartyMemberTable>) => db.updateTable('party_member').set(patch).where('id', '=', id).execute()

export interface MemberListFilter {
  scope: SubtreeFilter
  underOrgPath: string | null
  underUnit: string | null
  stage: string | null
  stages: string[] | null
  status: string | null
  q: string | null
  flag: string | null
  flagged: boolean
  isRepresentative: boolean | null
  today: string
}

export async function listMembers(db: Db, f: MemberListFilter, sort: string, page: Page | null) {
  let q = memberBase(db).where((eb) => inSubtrees(eb, 'ou.path', f.scope))
  if (f.underOrgPath) { const p = f.underOrgPath; q = q.where('o.path', '>=', p).where('o.path', '<', subtreeUpperBound(p)) }
  if (f.underUnit) { const p = f.underUnit; q = q.where('ou.path', '>=', p).where('ou.path', '<', subtreeUpperBound(p)) }
  if (f.stage) q = q.where('m.stage', '=', f.stage)
  if (f.stages) q = q.where('m.stage', 'in', f.stages)
  if (f.status) q = q.where('m.status', '=', f.status)
  if (f.q) q = q.where(containsText('p.name', f.q))
  if (f.isRepresentative !== null) q = q.where('m.is_representative', '=', f.isRepresentative ? 1 : 0)
  if (f.flag) {
    const flag = f.flag
    q = q.where((eb) => eb.or([
      eb('c.flags', 'like', `%,${flag},%`),
      eb.and([eb('c.overdue_flag', '=', flag), eb('c.overdue_after', '<', f.today)]),
    ]))
  } else if (f.flagged) {
    q = q.where((eb) => eb.or([eb('c.flags', '<>', ''), eb('c.overdue_after', '<', f.today)]))
  }
  let rows = memberColumns(q)
  switch (sort) {
    case 'name': rows = rows.orderBy('p.name'); break
    case 'joinedDate': rows = rows.orderBy('m.joined_date', 'asc'); break
    case '-joinedDate': rows = rows.orderBy('m.joined_date', 'desc'); break
    case 'stage': rows = rows.orderBy(sql`case m.stage when 'applicant' then 1 when 'activist' then 2 when 'candidate' then 3 when 'probationary' then 4 else 5 end`); break
    default: break
  }
  rows = rows.orderBy('m.id')
  if (page) rows = rows.limit(page.limit).offset(page.offset)
  const [items, n] = await Promise.all([
    rows.execute(),
    page ? q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow() : Promise.resolve(null),
  ])
  return { rows: items, total: n ? Number(n.n) : items.length }
}

// --- steps and checks -----------------------------------------------------------------------

export const listSteps = (db: Db, memberId: number) =>
  db.selectFrom('party_member_step').selectAll().where('member_id', '=', memberId).orderBy('id').execute()

export const insertStep = (db: Db, row: { member_id: number; step: string; date: string; sponsors_json: string | null; note: string | null; actor_id: number | null; created_at: string }) =>
  db.insertInto('party_member_step').values(row).returning('id').executeTakeFirstOrThrow()

export const deleteStep = (db: Db, id: number) => db.deleteFrom('party_member_step').where('id', '=', id).execute()

export async function saveCheck(db: Db, memberId: number, check: { flags: string; overdue_flag: string | null; overdue_after: string | null; updated_at: string }): Promise<void> {
  await db.insertInto('party_member_check')
    .values({ member_id: memberId, ...check })
    .onConflict((oc) => oc.column('member_id').doUpdateSet(check))
    .execute()
}

/** Members after an id, with what the pipeline rules need, for batch re-evaluation. */
export const memberFactsBatch = (db: Db, afterId: number, limit: number, ids: number[] | null) =>
  db.selectFrom('party_member as m')
    .innerJoin('person as p', 'p.id', 'm.person_id')
    .select(['m.id', 'm.stage', 'm.joined_date', 'p.birth_date'])
    .where('m.id', '>', afterId)
    .$if(ids !== null, (q) => q.where('m.id', 'in', ids as number[]))
    .orderBy('m.id').limit(limit)
    .execute()

export const stepsOfMembers = (db: Db, memberIds: number[]) =>
  memberIds.length === 0 ? Promise.resolve([]) : db.selectFrom('party_member_step').selectAll().where('member_id', 'in', memberIds).orderBy('member_id').orderBy('id').execute()

export async function saveChecks(db: Db, rows: { member_id: number; flags: string; overdue_flag: string | null; overdue_after: string | null; updated_at: string }[]): Promise<void> {
  if (rows.length === 0) return
  await db.insertInto('party_member_check').values(rows)
    .onConflict((oc) => oc.column('member_id').doUpdateSet((eb) => ({
      flags: eb.ref('excluded.flags'), overdue_flag: eb.ref('excluded.overdue_flag'), overdue_after: eb.ref('excluded.overdue_after'), updated_at: eb.ref('excluded.updated_at'),
    })))
    .execute()
}

// --- transfers ------------------------------------------------------------------------------

const transferBase = (db: Db) =>
  db.selectFrom('party_transfer as t')
    .innerJoin('party_member as m', 'm.id', 't.member_id')
    .innerJoin('person as p', 'p.id', 'm.person_id')
    .leftJoin('party_org as fo', 'fo.id', 't.from_org_id')
    .leftJoin('unit as fu', 'fu.id', 'fo.unit_id')
    .leftJoin('party_org as tog', 'tog.id', 't.to_org_id')
    .leftJoin('unit as tu', 'tu.id', 'tog.unit_id')
    .selectAll('t')
    .select(['m.person_id', 'p.name', 'fo.name as from_org_name', 'fu.path as from_unit_path', 'tog.name as to_org_name', 'tu.path as to_unit_path'])

export type TransferRow = NonNullable<Awaited<ReturnType<typeof findTransferById>>>

export const findTransferById = (db: Db, id: number) => transferBase(db).where('t.id', '=', id).executeTakeFirst()
export const transfersOfMember = (db: Db, memberId: number) => transferBase(db).where('t.member_id', '=', memberId).orderBy('t.id', 'desc').execute()
export const insertTransfer = (db: Db, row: Insertable<PartyTransferTable>) => db.insertInto('party_transfer').values(row).returning('id').executeTakeFirstOrThrow()
export const updateTransfer = (db: Db, id: number, patch: Updateable<PartyTransferTable>) => db.updateTable('party_transfer').set(patch).where('id', '=', id).execute()

export interface TransferListFilter {
  scope: SubtreeFilter
  status: string | null
  direction: string | null
  orgId: number | null
  memberId: number | null
}

export async function listTransfers(db: Db, f: TransferListFilter, page: Page) {
  let q = transferBase(db).where((eb) => eb.or([inSubtrees(eb, 'fu.path', f.scope), inSubtrees(eb, 'tu.path', f.scope)]))
  if (f.status) q = q.where('t.status', '=', f.status)
  if (f.direction) q = q.where('t.direction', '=', f.direction)
  if (f.orgId) { const id = f.orgId; q = q.where((eb) => eb.or([eb('t.from_org_id', '=', id), eb('t.to_org_id', '=', id)])) }
  if (f.memberId) q = q.where('t.member_id', '=', f.memberId)
  const [rows, n] = await Promise.all([
    q.orderBy('t.id', 'desc').limit(page.limit).offset(page.offset).execute(),
    q.clearSelect().select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ])
  return { rows, total: Number(n.n) }
}

// --- studios --------------------------------------------------------------------------------

const studioBase = (db: Db) =>
  db.selectFrom('rep_studio as s')
    .innerJoin('unit as u', 'u.id', 's.unit_id')
    .innerJoin('party_member as m', 'm.id', 's.member_id')
    .innerJoin('person as p', 'p.id', 'm.person_id')
    .selectAll('s')
    .select(['u.name as unit_name', 'u.path as unit_path', 'p.name as representative_name'])

export type StudioRow = NonNullable<Awaited<ReturnType<typeof findStudioById>>>

export const findStudioById = (db: Db, id: number) => studioBase(db).where('s.id', '=', id).executeTakeFirst()
export const findStudiosOfMember = (db: Db, memberId: number) => studioBase(db).where('s.member_id', '=', memberId).orderBy('s.id', 'desc').execute()
export const insertStudio = (db: Db, row: Insertable<RepStudioTable>) => db.insertInto('rep_studio').values(row).returning('id').executeTakeFirstOrThrow()
export const updateStudio = (db: Db, id: number, patch: Updateable<RepStudioTable>) => db.updateTable('rep_studio').set(patch).where('id', '=', id).execute()
export const closeStudiosOfMember = (db: Db, memberId: number, now: string) =>
  db.updateTable('rep_studio').set({ status: 'closed', updated_at: now }).where('member_id', '=', memberId).where('status', '=', 'active').execute()

export interface StudioListFilter { scope: SubtreeFilter; underUnit: string | null; q: string | null; status: string | null }

export async function listStudios(db: Db, f: StudioListFilter, page: Page) {
  let q = studioBase(db).where((eb) => inSubtrees(eb, 'u.path', f.scope))
  if (f.underUnit) { const p = f.underUnit; q = q.where('u.path', '>=', p).where('u.path', '<', subtreeUpperBound(p)) }
  if (f.q) { const text = f.q; q = q.where((eb) => eb.or([containsText('s.name', text), containsText('s.specialty', text)])) }
  if (f.status) q = q.where('s.status', '=', f.status)
  const [rows, n] = await Promise.all([
    q.orderBy('u.path').orderBy('s.id').limit(page.limit).offset(page.offset).execute(),
    q.clearSelect().select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ])
  return { rows, total: Number(n.n) }
}
