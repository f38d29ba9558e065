import type { Db } from '../../db/connect.js'
import { AppError } from '../../server/errors.js'
import { nowIso, shanghaiDay } from '../../lib/time.js'
import { pageOf } from '../../lib/paging.js'
import { isValidIdNumber, maskIdNumber, maskMobile, normalizeIdNumber, normalizeMobile, type PiiCipher } from '../../lib/pii.js'
import { recordAudit } from '../audit/service.js'
import { can, requireActionOnPath, subtreeFilter, type Actor } from '../access/service.js'
import { roleAllows } from '../access/roles.js'
import { ageOn, bornOnOrBefore, relations, validatePersonInput, type FieldProblem, type Gender, type NormalizedPerson, type PersonStatus, type Relation } from './person-input.js'
import * as store from './store.js'
import type {
  CreateHouseholdInput, CreatePersonInput, CreatePersonTagInput, HouseholdDetail, HouseholdMemberInput, HouseholdQuery, HouseholdView,
  MoveHouseholdInput, PersonDetail, PersonTagQuery, PersonTagView, PersonView, ResidentFilters, ResidentQuery, UnmaskInput,
  UpdateHouseholdInput, UpdatePersonInput, UpdatePersonTagInput,
} from './schema.js'

/** A home address is one of these unit types (the deepest unit known for the person). */
export const residentUnitTypes = ['village', 'grid', 'compound', 'building'] as const
/** Levels above the village/community are left out of an address line. */
const ADDRESS_SKIPS = new Set(['county', 'town', 'subdistrict'])

const today = (): string => shanghaiDay(new Date())

// --- views ----------------------------------------------------------------------------------

type TagRow = Awaited<ReturnType<typeof store.tagsOfPersons>>[number]
type Names = Map<number, { name: string; type: string }>

function addressLine(path: string, names: Names, room: string | null): string {
  const parts = path.split('/').filter(Boolean).map((id) => names.get(Number(id))).filter((u): u is { name: string; type: string } => !!u && !ADDRESS_SKIPS.has(u.type))
  return [...parts.map((u) => u.name), ...(room ? [room] : [])].join(' ')
}

function toPersonView(r: store.PersonRow, tags: TagRow[], names: Names, day: string): PersonView {
  return {
    id: r.id, name: r.name, gender: (r.gender as Gender | null) ?? null, birthDate: r.birth_date, age: r.birth_date ? ageOn(r.birth_date, day) : null,
    ethnicity: r.ethnicity, idNumberMasked: r.id_number_masked, phoneMasked: r.phone_masked,
    unitId: r.unit_id, unitName: r.unit_name, unitType: r.unit_type, address: addressLine(r.unit_path, names, r.room), room: r.room,
    householdId: r.household_id, relation: (r.relation as Relation | null) ?? null, status: r.status as PersonStatus,
    tags: tags.filter((t) => t.personId === r.id).map(({ id, code, nameZh, nameEn }) => ({ id, code, nameZh, nameEn })),
    note: r.note, createdAt: r.created_at, updatedAt: r.updated_at,
  }
}

async function personViews(db: Db, rows: store.PersonRow[]): Promise<PersonView[]> {
  const [tags, names] = await Promise.all([store.tagsOfPersons(db, rows.map((r) => r.id)), store.unitNamesOnPaths(db, [...new Set(rows.map((r) => r.unit_path))])])
  const day = today()
  return rows.map((r) => toPersonView(r, tags, names, day))
}

const toTagView = (t: NonNullable<Awaited<ReturnType<typeof store.findTagById>>>): PersonTagView => ({
  id: t.id, code: t.code, nameZh: t.name_zh, nameEn: t.name_en, needsCare: t.needs_care === 1, sortOrder: t.sort_order, archived: t.archived === 1,
})

/** What the audit log keeps about a person: never a clear identity or phone number. */
const auditablePerson = (p: { name: string; gender: string | null; birth_date: string | null; unit_id: number; room: string | null; household_id: number | null; relation: string | null; status: string; id_number_masked: string | null; phone_masked: string | null; note?: string | null }, tagIds?: number[]) => ({
  name: p.name, gender: p.gender, birthDate: p.birth_date, unitId: p.unit_id, room: p.room, householdId: p.household_id, relation: p.relation,
  status: p.status, idNumberMasked: p.id_number_masked, phoneMasked: p.phone_masked, ...(tagIds ? { tagIds } : {}),
})

// --- rules shared by writes -----------------------------------------------------------------

const API_CODES = new Set(['invalid_id_number', 'invalid_mobile', 'birth_date_mismatch', 'gender_mismatch'])

/** The field problems of a person as one API error: the most specific code first, every problem in the details. */
export function personProblemsError(problems: FieldProblem[]): AppError {
  const specific = problems.find((p) => API_CODES.has(p.code))
  return new AppError(specific?.code ?? 'validation_failed', problems.map((p) => ({ in: 'body', field: p.field, problem: p.code, message: p.message })))
}

/** The unit of a home address: it exists, is a village/grid/compound/building, is not archived, and the actor may do `action` there. */
async function residentUnit(db: Db, actor: Actor, unitId: number, action: 'residents.manage' | 'residents.read' = 'residents.manage'): Promise<store.UnitFacts> {
  return checkResidentUnit((await store.findUnitFacts(db, [unitId])).get(unitId), unitId, actor, action)
}

function checkResidentUnit(unit: store.UnitFacts | undefined, unitId: number, actor: Actor, action: 'residents.manage' | 'residents.read' = 'residents.manage'): store.UnitFacts {
  if (!unit) throw new AppError('unit_not_found', { unitId })
  requireActionOnPath(actor, action, unit.path)
  if (!(residentUnitTypes as readonly string[]).includes(unit.type)) throw new AppError('invalid_resident_unit', { unitId, type: unit.type })
  if (unit.status === 'archived') throw new AppError('unit_archived', { unitId })
  return unit
}

async function checkTags(db: Db, tagIds: number[], previous: number[] = []): Promise<void> {
  if (tagIds.length === 0) return
  const found = await store.findTagsByIds(db, tagIds)
  // An archived tag stays on the people who have it, but is not given to anyone new.
  const usable = new Set(found.filter((t) => t.archived === 0 || previous.includes(t.id)).map((t) => t.id))
  const missing = tagIds.filter((id) => !usable.has(id))
  if (missing.length > 0) throw new AppError('person_tag_not_found', { tagIds: missing })
}

async function assertIdNumberFree(db: Db, hash: string, exceptPersonId: number | null): Promise<void> {
  const owner = await store.findPersonIdByIdHash(db, hash)
  if (owner !== null && owner !== exceptPersonId) throw new AppError('id_number_taken')
}

const isUniqueViolation = (err: unknown): boolean => {
  const code = (err as { code?: unknown } | null)?.code
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE'
}

function piiColumns(pii: PiiCipher, p: { idNumber: string | null; phone: string | null }, idNumberHash?: string | null) {
  return {
    id_number_enc: p.idNumber ? pii.encrypt(p.idNumber) : null,
    id_number_hash: p.idNumber ? idNumberHash ?? pii.lookupHash(p.idNumber) : null,
    id_number_masked: p.idNumber ? maskIdNumber(p.idNumber) : null,
    phone_enc: p.phone ? pii.encrypt(p.phone) : null,
    phone_hash: p.phone ? pii.lookupHash(p.phone) : null,
    phone_masked: p.phone ? maskMobile(p.phone) : null,
  }
}

// --- persons --------------------------------------------------------------------------------

export interface WriteOptions {
  /** Write an audit entry for this row (an importer may write one summary entry instead). Default true. */
  audit?: boolean
}

/**
 * Registers one person inside the caller's transaction (`db` may be a transaction; this function
 * opens none). Everything is checked before the first write, so an AppError leaves nothing behind.
 * `input` may be loosely typed (a spreadsheet row with the API field names): it is validated here.
 */
export async function createPerson(db: Db, pii: PiiCipher, actor: Actor, input: CreatePersonInput | Record<string, unknown>, options: WriteOptions = {}): Promise<{ id: number }> {
  const checked = validatePersonInput(input, today())
  if (!checked.ok) throw personProblemsError(checked.problems)
  const p = checked.value
  let unit: store.UnitFacts
  let room = p.room
  if (p.householdId !== null) {
    const household = await store.findHouseholdById(db, p.householdId)
    if (!household) throw new AppError('household_not_found', { householdId: p.householdId })
    requireActionOnPath(actor, 'residents.manage', household.unit_path)
    if (household.status !== 'active') throw new AppError('household_dissolved')
    if ((p.unitId !== null && p.unitId !== household.unit_id) || (p.room !== null && p.room !== household.room)) throw new AppError('address_follows_household')
    if (p.relation === 'head' && household.head_person_id !== null) throw new AppError('household_has_head')
    unit = await residentUnit(db, actor, household.unit_id)
    room = household.room
  } else {
    unit = await residentUnit(db, actor, p.unitId as number)
  }
  await checkTags(db, p.tagIds)
  if (p.idNumber) await assertIdNumberFree(db, pii.lookupHash(p.idNumber), null)

  const now = nowIso()
  const row = {
    county_id: unit.countyId, unit_id: unit.id, household_id: p.householdId, relation: p.householdId !== null ? (p.relation ?? 'other') : null,
    name: p.name, gender: p.gender, birth_date: p.birthDate, ethnicity: p.ethnicity, room, status: p.status, note: p.note,
    ...piiColumns(pii, p), created_at: now, updated_at: now,
  }
  let id: number
  try {
    id = (await store.insertPerson(db, row)).id
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError('id_number_taken')
    throw err
  }
  await store.replaceTagLinks(db, id, p.tagIds)
  if (p.householdId !== null && row.relation === 'head') await store.updateHousehold(db, p.householdId, { head_person_id: id, updated_at: now })
  if (options.audit !== false) {
    await recordAudit(db, actor, { action: 'residents.create', entityType: 'person', entityId: id, unitId: unit.id, unitPath: unit.path, after: auditablePerson(row, p.tagIds) })
  }
  return { id }
}

// --- many persons at once (importers) ---------------------------------------------------------

/** What createPersonsBatch and checkPersonsBatch take. */
export interface PersonsBatch {
  /** Households this call creates; a person names one by its index. One that receives no person is not created. */
  households: CreateHouseholdInput[]
  /**
   * Each person: the fields of CreatePersonInput (loosely typed allowed; validated here). With
   * `newHousehold` the person joins that household of this call (with `relation`, default 'other')
   * and takes its address; `householdId` in the fields names an existing household.
   */
  persons: { input: CreatePersonInput | Record<string, unknown>; newHousehold?: number | null }[]
}

/** Per person, in order: the id written, or why this person alone was refused (nothing of theirs written). */
export type PersonBatchOutcome = { id: number; refused?: undefined } | { id?: undefined; refused: AppError }

/** The database returned a batch's rows in another order than they were sent; nothing usable was written (the caller rolls back). */
export class PersonsBatchOrderError extends Error {
  constructor() { super('rows came back in a different order than sent') }
}

interface PlannedPerson {
  p: NormalizedPerson
  unit: store.UnitFacts
  room: string | null
  /** An existing household's id, or the index of one this call creates. */
  household: { id: number } | { fresh: number } | null
  relation: Relation | null
  idHash: string | null
}

/**
 * Judges every person of a batch by createPerson's rules (fields, household or unit with the actor's
 * right there, usable tags, an identity number free in the registry and within the batch), with a few
 * queries for the whole batch. Reads only.
 */
async function planPersonsBatch(db: Db, pii: PiiCipher, actor: Actor, batch: PersonsBatch): Promise<(PlannedPerson | AppError)[]> {
  const day = today()
  const checked = batch.persons.map(({ input, newHousehold }) => {
    const raw = input as Record<string, unknown>
    if (newHousehold === undefined || newHousehold === null) return { raw, fresh: null, v: validatePersonInput(raw, day) }
    const household = batch.households[newHousehold]
    if (!household) throw new Error(`person names household ${newHousehold}, which the batch does not have`)
    // The household gives the address; the relation is judged like createPerson's (a value of `relations`).
    const v = validatePersonInput({ ...raw, householdId: null, relation: null, unitId: household.unitId, room: household.room ?? null }, day)
    const relation = raw.relation ?? null
    if (v.ok && relation !== null && !(relations as readonly unknown[]).includes(relation)) {
      return { raw, fresh: newHousehold, v: { ok: false as const, value: null, problems: [{ field: 'relation', code: 'invalid_value' as const, message: `one of ${relations.join(', ')}` }] } }
    }
    return { raw, fresh: newHousehold, v }
  })
  const households = new Map((await store.findHouseholdsByIds(db, checked.flatMap((c) => (c.v.ok && c.v.value.householdId !== null ? [c.v.value.householdId] : [])))).map((h) => [h.id, h]))
  const unitIds = [
    ...batch.households.map((h) => h.unitId), ...[...households.values()].map((h) => h.unit_id),
    ...checked.flatMap((c) => (c.v.ok && c.v.value.unitId !== null ? [c.v.value.unitId] : [])),
  ]
  const tagIds = [...new Set(checked.flatMap((c) => (c.v.ok ? c.v.value.tagIds : [])))]
  const hashes = checked.map((c) => (c.v.ok && c.v.value.idNumber ? pii.lookupHash(c.v.value.idNumber) : null))
  const [units, tags, taken] = await Promise.all([
    store.findUnitFacts(db, unitIds), store.findTagsByIds(db, tagIds), store.takenIdHashes(db, hashes.filter((h): h is string => h !== null)),
  ])
  const usableTags = new Set(tags.filter((t) => t.archived === 0).map((t) => t.id))
  const headed = new Set<string>()
  const seenHashes = new Set<string>()
  return checked.map(({ raw, fresh, v }, i): PlannedPerson | AppError => {
    try {
      if (!v.ok) throw personProblemsError(v.problems)
      const p = v.value
      let unit: store.UnitFacts
      let room = p.room
      let household: PlannedPerson['household'] = null
      let relation: Relation | null = null
      if (fresh !== null) {
        const h = batch.households[fresh] as CreateHouseholdInput
        unit = checkResidentUnit(units.get(h.unitId), h.unitId, actor)
        const hRoom = h.room?.trim() || null
        const askedRoom = typeof raw.room === 'string' ? raw.room.trim() || null : null
        if ((raw.unitId != null && raw.unitId !== h.unitId) || (askedRoom !== null && askedRoom !== hRoom)) throw new AppError('address_follows_household')
        room = hRoom
        household = { fresh }
        relation = (raw.relation as Relation | null | undefined) ?? 'other'
        if (relation === 'head' && headed.has(`new:${fresh}`)) throw new AppError('household_has_head')
      } else if (p.householdId !== null) {
        const h = households.get(p.householdId)
        if (!h) throw new AppError('household_not_found', { householdId: p.householdId })
        requireActionOnPath(actor, 'residents.manage', h.unit_path)
        if (h.status !== 'active') throw new AppError('household_dissolved')
        if ((p.unitId !== null && p.unitId !== h.unit_id) || (p.room !== null && p.room !== h.room)) throw new AppError('address_follows_household')
        relation = p.relation ?? 'other'
        if (relation === 'head' && (h.head_person_id !== null || headed.has(`id:${h.id}`))) throw new AppError('household_has_head')
        unit = checkResidentUnit(units.get(h.unit_id), h.unit_id, actor)
        room = h.room
        household = { id: h.id }
      } else {
        unit = checkResidentUnit(units.get(p.unitId as number), p.unitId as number, actor)
      }
      const missing = p.tagIds.filter((id) => !usableTags.has(id))
      if (missing.length > 0) throw new AppError('person_tag_not_found', { tagIds: missing })
      const idHash = hashes[i] ?? null
      if (idHash !== null && (taken.has(idHash) || seenHashes.has(idHash))) throw new AppError('id_number_taken')
      if (idHash !== null) seenHashes.add(idHash)
      if (relation === 'head' && household) headed.add('fresh' in household ? `new:${household.fresh}` : `id:${household.id}`)
      return { p, unit, room, household, relation, idHash }
    } catch (err) {
      if (err instanceof AppError) return err
      throw err
    }
  })
}

/** What createPersonsBatch would refuse, per person (null where it would register them); writes nothing. */
export async function checkPersonsBatch(db: Db, pii: PiiCipher, actor: Actor, batch: PersonsBatch): Promise<(AppError | null)[]> {
  return (await planPersonsBatch(db, pii, actor, batch)).map((r) => (r instanceof AppError ? r : null))
}

/**
 * Registers many persons, with new households, inside the caller's transaction (opens none), by the
 * rules of createPerson and createHousehold: each person is judged on its own (see the outcomes), the
 * accepted ones are written with a few statements for the whole batch, encrypted, hashed and masked
 * as one by one, and audited the same way unless `audit: false`. Throws PersonsBatchOrderError, or a
 * unique violation when someone registered the same identity number meanwhile; the caller rolls back.
 */
export async function createPersonsBatch(
  db: Db, pii: PiiCipher, actor: Actor, batch: PersonsBatch, options: WriteOptions = {},
): Promise<{ households: (number | null)[]; persons: PersonBatchOutcome[] }> {
  const planned = await planPersonsBatch(db, pii, actor, batch)
  const accepted = planned.filter((r): r is PlannedPerson => !(r instanceof AppError))
  const householdIds: (number | null)[] = batch.households.map(() => null)
  const now = nowIso()

  // Households that receive at least one person, in order of their index.
  const used = [...new Set(accepted.flatMap((r) => (r.household && 'fresh' in r.household ? [r.household.fresh] : [])))].sort((a, b) => a - b)
  const householdUnits = new Map(accepted.flatMap((r) => (r.household && 'fresh' in r.household ? [[r.household.fresh, r.unit] as const] : [])))
  const householdRows = used.map((i) => {
    const unit = householdUnits.get(i) as store.UnitFacts
    return { county_id: unit.countyId, unit_id: unit.id, room: batch.households[i]?.room?.trim() || null, head_person_id: null, status: 'active', created_at: now, updated_at: now }
  })
  const madeHouseholds = await store.insertHouseholds(db, householdRows)
  used.forEach((index, i) => {
    const made = madeHouseholds[i]
    const row = householdRows[i] as { unit_id: number; room: string | null }
    if (!made || made.unit_id !== row.unit_id || (made.room ?? null) !== row.room) throw new PersonsBatchOrderError()
    householdIds[index] = made.id
  })

  const personRows = accepted.map(({ p, unit, room, household, relation, idHash }) => ({
    county_id: unit.countyId, unit_id: unit.id,
    household_id: household === null ? null : 'fresh' in household ? householdIds[household.fresh] as number : household.id,
    relation: household === null ? null : relation, name: p.name, gender: p.gender, birth_date: p.birthDate, ethnicity: p.ethnicity,
    room, status: p.status, note: p.note, ...piiColumns(pii, p, idHash), created_at: now, updated_at: now,
  }))
  const inserted = await store.insertPersons(db, personRows)
  const same = (a: unknown, b: unknown) => (a ?? null) === (b ?? null)
  personRows.forEach((row, i) => {
    const got = inserted[i]
    const matches = got && same(got.name, row.name) && same(got.household_id, row.household_id) && same(got.relation, row.relation) && same(got.unit_id, row.unit_id)
      && same(got.room, row.room) && same(got.id_number_hash, row.id_number_hash) && same(got.phone_hash, row.phone_hash) && same(got.birth_date, row.birth_date)
    if (!matches) throw new PersonsBatchOrderError()
  })

  const links: { person_id: number; tag_id: number }[] = []
  const heads: { householdId: number; personId: number }[] = []
  accepted.forEach((r, i) => {
    const id = (inserted[i] as { id: number }).id
    for (const tagId of r.p.tagIds) links.push({ person_id: id, tag_id: tagId })
    const row = personRows[i] as { household_id: number | null; relation: string | null }
    if (row.household_id !== null && row.relation === 'head') heads.push({ householdId: row.household_id, personId: id })
  })
  await store.insertTagLinks(db, links)
  await store.setHouseholdHeads(db, heads, now)

  if (options.audit !== false) {
    for (const [i, index] of used.entries()) {
      const unit = householdUnits.get(index) as store.UnitFacts
      const room = (householdRows[i] as { room: string | null }).room
      await recordAudit(db, actor, { action: 'residents.household_create', entityType: 'household', entityId: householdIds[index], unitId: unit.id, unitPath: unit.path, after: { unitId: unit.id, room } })
    }
    for (const [i, r] of accepted.entries()) {
      await recordAudit(db, actor, {
        action: 'residents.create', entityType: 'person', entityId: (inserted[i] as { id: number }).id, unitId: r.unit.id, unitPath: r.unit.path,
        after: auditablePerson(personRows[i] as Parameters<typeof auditablePerson>[0], r.p.tagIds),
      })
    }
  }

  let next = 0
  const persons = planned.map((r): PersonBatchOutcome => (r instanceof AppError ? { refused: r } : { id: (inserted[next++] as { id: number }).id }))
  return { households: householdIds, persons }
}

/** POST /api/residents: one transaction around createPerson. */
export async function registerPerson(db: Db, pii: PiiCipher, actor: Actor, input: CreatePersonInput): Promise<PersonDetail> {
  const { id } = await db.transaction().execute((trx) => createPerson(trx, pii, actor, input))
  return personDetail(db, id)
}

async function personDetail(db: Db, id: number): Promise<PersonDetail> {
  const row = await store.findPersonById(db, id)
  if (!row) throw new AppError('person_not_found')
  const [view] = await personViews(db, [row])
  const household = row.household_id ? await store.findHouseholdById(db, row.household_id) : null
  return {
    ...(view as PersonView),
    household: household
      ? { id: household.id, room: household.room, headPersonId: household.head_person_id, headName: household.head_name, memberCount: Number(household.member_count ?? 0) }
      : null,
  }
}

export async function getPerson(db: Db, actor: Actor, id: number): Promise<PersonDetail> {
  const row = await store.findPersonById(db, id)
  if (!row) throw new AppError('person_not_found')
  requireActionOnPath(actor, 'residents.read', row.unit_path)
  return personDetail(db, id)
}

async function listFilter(db: Db, pii: PiiCipher, actor: Actor, query: ResidentFilters): Promise<store.PersonListFilter> {
  let idNumberHash: string | null = null
  if (query.idNumber !== undefined) {
    const id = normalizeIdNumber(query.idNumber)
    if (!isValidIdNumber(id)) throw new AppError('invalid_id_number', [{ in: 'querystring', field: 'idNumber', problem: 'invalid_id_number' }])
    idNumberHash = pii.lookupHash(id)
  }
  let phoneHash: string | null = null
  if (query.phone !== undefined) {
    const phone = normalizeMobile(query.phone)
    if (phone === null) throw new AppError('invalid_mobile', [{ in: 'querystring', field: 'phone', problem: 'invalid_mobile' }])
    phoneHash = pii.lookupHash(phone)
  }
  let under: string | null = null
  if (query.unitId !== undefined) {
    const unit = (await store.findUnitFacts(db, [query.unitId])).get(query.unitId)
    if (!unit) throw new AppError('unit_not_found', { unitId: query.unitId })
    under = unit.path
  }
  const day = today()
  const status = query.status ?? 'active'
  return {
    scope: subtreeFilter(actor, 'residents.read'), under, q: query.q?.trim() || null, idNumberHash, phoneHash,
    householdId: query.householdId ?? null, tagId: query.tagId ?? null, gender: query.gender ?? null,
    bornOnOrBefore: query.ageMin !== undefined ? bornOnOrBefore(day, query.ageMin) : null,
    bornAfter: query.ageMax !== undefined ? bornOnOrBefore(day, query.ageMax + 1) : null,
    status: status === 'all' ? null : status,
  }
}

/** Residents inside the caller's `residents.read` subtrees, masked. */
export async function listResidents(db: Db, pii: PiiCipher, actor: Actor, query: ResidentQuery): Promise<{ items: PersonView[]; total: number }> {
  const filter = await listFilter(db, pii, actor, query)
  const { rows, total } = await store.listPersons(db, filter, query.sort ?? 'id', pageOf(query))
  return { total, items: await personViews(db, rows) }
}

export async function updatePerson(db: Db, pii: PiiCipher, actor: Actor, id: number, input: UpdatePersonInput): Promise<PersonDetail> {
  await db.transaction().execute(async (trx) => {
    const row = await store.findPersonById(trx, id)
    if (!row) throw new AppError('person_not_found')
    requireActionOnPath(actor, 'residents.manage', row.unit_path)
    const currentTags = (await store.tagsOfPersons(trx, [id])).map((t) => t.id)
    const has = (k: keyof UpdatePersonInput) => Object.prototype.hasOwnProperty.call(input, k) && input[k] !== undefined
    const idChanged = has('idNumber')
    const merged: Record<string, unknown> = {
      name: row.name,
      // A new identity number re-derives the birth date and gender unless they are given too.
      gender: idChanged && !has('gender') ? null : row.gender,
      birthDate: idChanged && !has('birthDate') ? null : row.birth_date,
      idNumber: row.id_number_enc ? pii.decrypt(row.id_number_enc) : null,
      phone: row.phone_enc ? pii.decrypt(row.phone_enc) : null,
      ethnicity: row.ethnicity, unitId: row.unit_id, room: row.room, householdId: row.household_id, relation: row.relation,
      status: row.status, tagIds: currentTags, note: row.note,
    }
    for (const [k, v] of Object.entries(input)) if (v !== undefined) merged[k] = v
    const checked = validatePersonInput(merged, today())
    if (!checked.ok) throw personProblemsError(checked.problems)
    const p: NormalizedPerson = checked.value
    const moved = p.unitId !== row.unit_id || p.room !== row.room
    if (moved && row.household_id !== null) throw new AppError('address_follows_household')
    const unit = p.unitId !== row.unit_id ? await residentUnit(trx, actor, p.unitId as number) : null
    if (has('tagIds')) await checkTags(trx, p.tagIds, currentTags)
    const pii2 = piiColumns(pii, p)
    if (p.idNumber && pii2.id_number_hash !== row.id_number_hash) await assertIdNumberFree(trx, pii2.id_number_hash as string, id)
    const now = nowIso()
    const patch = {
      name: p.name, gender: p.gender, birth_date: p.birthDate, ethnicity: p.ethnicity, room: p.room, status: p.status, note: p.note,
      ...(unit ? { unit_id: unit.id, county_id: unit.countyId } : {}),
      // Unchanged numbers keep their ciphertext (a fresh encryption would differ for no reason).
      ...(pii2.id_number_hash !== row.id_number_hash ? { id_number_enc: pii2.id_number_enc, id_number_hash: pii2.id_number_hash, id_number_masked: pii2.id_number_masked } : {}),
      ...(pii2.phone_hash !== row.phone_hash ? { phone_enc: pii2.phone_enc, phone_hash: pii2.phone_hash, phone_masked: pii2.phone_masked } : {}),
      updated_at: now,
    }
    try {
      await store.updatePerson(trx, id, patch)
    } catch (err) {
      if (isUniqueViolation(err)) throw new AppError('id_number_taken')
      throw err
    }
    if (has('tagIds')) await store.replaceTagLinks(trx, id, p.tagIds)
    const after = (await store.findPersonById(trx, id))!
    await recordAudit(trx, actor, {
      action: 'residents.update', entityType: 'person', entityId: id, unitId: after.unit_id, unitPath: after.unit_path,
      before: auditablePerson(row, currentTags), after: auditablePerson(after, has('tagIds') ? p.tagIds : currentTags),
    })
  })
  return personDetail(db, id)
}

/** Reveals one clear number to a holder of `residents.unmask` on the person's unit; the reveal (never the value) is audited. */
export async function unmaskPerson(db: Db, pii: PiiCipher, actor: Actor, id: number, input: UnmaskInput): Promise<{ personId: number; field: 'idNumber' | 'phone'; value: string }> {
  const row = await store.findPersonById(db, id)
  if (!row) throw new AppError('person_not_found')
  requireActionOnPath(actor, 'residents.unmask', row.unit_path)
  const stored = input.field === 'idNumber' ? row.id_number_enc : row.phone_enc
  if (!stored) throw new AppError('pii_not_recorded', { field: input.field })
  const value = pii.decrypt(stored)
  await db.transaction().execute((trx) =>
    recordAudit(trx, actor, {
      action: 'residents.unmask', entityType: 'person', entityId: id, unitId: row.unit_id, unitPath: row.unit_path,
      reason: input.reason.trim(), after: { field: input.field },
    }),
  )
  return { personId: id, field: input.field, value }
}

/** Short facts about people for other modules (party officers, members): masked, no access check — the caller checks. */
export interface PersonBrief {
  id: number
  name: string
  gender: Gender | null
  birthDate: string | null
  unitId: number
  unitPath: string
  unitName: string
  idNumberMasked: string | null
  phoneMasked: string | null
  status: PersonStatus
}

export async function findPersonsBrief(db: Db, ids: number[]): Promise<Map<number, PersonBrief>> {
  const rows = await store.findPersonsByIds(db, ids)
  return new Map(rows.map((r) => [r.id, {
    id: r.id, name: r.name, gender: (r.gender as Gender | null) ?? null, birthDate: r.birth_date, unitId: r.unit_id, unitPath: r.unit_path,
    unitName: r.unit_name, idNumberMasked: r.id_number_masked, phoneMasked: r.phone_masked, status: r.status as PersonStatus,
  }]))
}

// --- export ---------------------------------------------------------------------------------

export interface ResidentExportRow extends PersonView {
  /** Clear only when this row was unmasked; the masked form otherwise. */
  idNumber: string | null
  phone: string | null
  unmasked: boolean
}

/**
 * Every resident matching the filters inside the actor's `residents.read` subtrees, for an export.
 * Masked unless `unmasked` is asked for; then rows are unmasked only where the actor holds
 * `residents.unmask`. Writes no audit entry: the export that asks for these rows writes one for the
 * whole export (filters, rows, unmaskedRows from here, the reason), and a second would double it.
 */
export async function residentRowsForExport(
  db: Db, pii: PiiCipher, actor: Actor, filters: ResidentFilters, options: { unmasked: boolean },
): Promise<{ rows: ResidentExportRow[]; unmasked: boolean; unmaskedRows: number }> {
  const filter = await listFilter(db, pii, actor, filters)
  const { rows } = await store.listPersons(db, filter, filters.sort ?? 'address', null)
  const views = await personViews(db, rows)
  let unmaskedRows = 0
  const out = views.map((v, i): ResidentExportRow => {
    const r = rows[i] as store.PersonRow
    const reveal = options.unmasked && can(actor, 'residents.unmask', r.unit_path)
    if (reveal && (r.id_number_enc || r.phone_enc)) unmaskedRows++
    return {
      ...v, unmasked: reveal,
      idNumber: reveal && r.id_number_enc ? pii.decrypt(r.id_number_enc) : r.id_number_masked,
      phone: reveal && r.phone_enc ? pii.decrypt(r.phone_enc) : r.phone_masked,
    }
  })
  return { rows: out, unmasked: options.unmasked && out.some((r) => r.unmasked), unmaskedRows }
}

// --- households -----------------------------------------------------------------------------

function toHouseholdView(h: store.HouseholdRow, names: Names): HouseholdView {
  return {
    id: h.id, unitId: h.unit_id, unitName: h.unit_name, unitType: h.unit_type, address: addressLine(h.unit_path, names, h.room), room: h.room,
    headPersonId: h.head_person_id, headName: h.head_name, memberCount: Number(h.member_count ?? 0),
    status: h.status === 'dissolved' ? 'dissolved' : 'active', createdAt: h.created_at, updatedAt: h.updated_at,
  }
}

async function householdDetail(db: Db, id: number): Promise<HouseholdDetail> {
  const h = await store.findHouseholdById(db, id)
  if (!h) throw new AppError('household_not_found')
  const [names, members] = await Promise.all([store.unitNamesOnPaths(db, [h.unit_path]), store.membersOfHousehold(db, id)])
  const day = today()
  const rank = (r: string | null) => (r === 'head' ? 0 : 1)
  return {
    ...toHouseholdView(h, names),
    members: members.sort((a, b) => rank(a.relation) - rank(b.relation) || a.id - b.id).map((m) => ({
      personId: m.id, name: m.name, relation: (m.relation as Relation | null) ?? null, gender: (m.gender as Gender | null) ?? null,
      birthDate: m.birth_date, age: m.birth_date ? ageOn(m.birth_date, day) : null, idNumberMasked: m.id_number_masked, phoneMasked: m.phone_masked,
      status: m.status as PersonStatus,
    })),
  }
}

/** Creates a household inside the caller's transaction (opens none). */
export async function createHousehold(db: Db, actor: Actor, input: CreateHouseholdInput, options: WriteOptions = {}): Promise<{ id: number }> {
  const unit = await residentUnit(db, actor, input.unitId)
  const room = input.room?.trim() || null
  const now = nowIso()
  const { id } = await store.insertHousehold(db, { county_id: unit.countyId, unit_id: unit.id, room, head_person_id: null, status: 'active', created_at: now, updated_at: now })
  if (options.audit !== false) {
    await recordAudit(db, actor, { action: 'residents.household_create', entityType: 'household', entityId: id, unitId: unit.id, unitPath: unit.path, after: { unitId: unit.id, room } })
  }
  return { id }
}

export async function registerHousehold(db: Db, actor: Actor, input: CreateHouseholdInput): Promise<HouseholdDetail> {
  const { id } = await db.transaction().execute((trx) => createHousehold(trx, actor, input))
  return householdDetail(db, id)
}

export async function getHousehold(db: Db, actor: Actor, id: number): Promise<HouseholdDetail> {
  const h = await store.findHouseholdById(db, id)
  if (!h) throw new AppError('household_not_found')
  requireActionOnPath(actor, 'residents.read', h.unit_path)
  return householdDetail(db, id)
}

export async function listHouseholds(db: Db, actor: Actor, query: HouseholdQuery): Promise<{ items: HouseholdView[]; total: number }> {
  let under: string | null = null
  if (query.unitId !== undefined) {
    const unit = (await store.findUnitFacts(db, [query.unitId])).get(query.unitId)
    if (!unit) throw new AppError('unit_not_found', { unitId: query.unitId })
    under = unit.path
  }
  const status = query.status ?? 'active'
  const { rows, total } = await store.listHouseholds(db, {
    scope: subtreeFilter(actor, 'residents.read'), under, q: query.q?.trim() || null, status: status === 'all' ? null : status,
  }, pageOf(query))
  const names = await store.unitNamesOnPaths(db, [...new Set(rows.map((r) => r.unit_path))])
  return { total, items: rows.map((r) => toHouseholdView(r, names)) }
}

async function manageableHousehold(db: Db, actor: Actor, id: number) {
  const h = await store.findHouseholdById(db, id)
  if (!h) throw new AppError('household_not_found')
  requireActionOnPath(actor, 'residents.manage', h.unit_path)
  return h
}

/** Changes the head (the previous head becomes "other") or dissolves an empty household. */
export async function updateHousehold(db: Db, actor: Actor, id: number, input: UpdateHouseholdInput): Promise<HouseholdDetail> {
  await db.transaction().execute(async (trx) => {
    const h = await manageableHousehold(trx, actor, id)
    const now = nowIso()
    if (input.headPersonId !== undefined && input.headPersonId !== h.head_person_id) {
      if (h.status !== 'active') throw new AppError('household_dissolved')
      const person = await store.findPersonById(trx, input.headPersonId)
      if (!person || person.household_id !== id) throw new AppError('person_not_found', { personId: input.headPersonId, problem: 'not a member of this household' })
      if (h.head_person_id !== null) await store.updatePerson(trx, h.head_person_id, { relation: 'other', updated_at: now })
      await store.updatePerson(trx, person.id, { relation: 'head', updated_at: now })
      await store.updateHousehold(trx, id, { head_person_id: person.id, updated_at: now })
    }
    if (input.status !== undefined && input.status !== h.status) {
      if (input.status === 'dissolved' && Number(h.member_count ?? 0) > 0) throw new AppError('household_not_empty')
      await store.updateHousehold(trx, id, { status: input.status, updated_at: now })
    }
    await recordAudit(trx, actor, {
      action: 'residents.household_update', entityType: 'household', entityId: id, unitId: h.unit_id, unitPath: h.unit_path,
      before: { headPersonId: h.head_person_id, status: h.status }, after: { headPersonId: input.headPersonId ?? h.head_person_id, status: input.status ?? h.status },
    })
  })
  return householdDetail(db, id)
}

/** Moves a household, with everyone in it, to another unit and room. */
export async function moveHousehold(db: Db, actor: Actor, id: number, input: MoveHouseholdInput): Promise<HouseholdDetail> {
  await db.transaction().execute(async (trx) => {
    const h = await manageableHousehold(trx, actor, id)
    if (h.status !== 'active') throw new AppError('household_dissolved')
    const unit = await residentUnit(trx, actor, input.unitId)
    const room = input.room === undefined ? h.room : input.room?.trim() || null
    const now = nowIso()
    await store.updateHousehold(trx, id, { unit_id: unit.id, county_id: unit.countyId, room, updated_at: now })
    await store.moveHouseholdMembers(trx, id, { unit_id: unit.id, room, county_id: unit.countyId, updated_at: now })
    await recordAudit(trx, actor, {
      action: 'residents.household_move', entityType: 'household', entityId: id, unitId: unit.id, unitPath: unit.path,
      before: { unitId: h.unit_id, room: h.room }, after: { unitId: unit.id, room, members: Number(h.member_count ?? 0) },
    })
  })
  return householdDetail(db, id)
}

/** Puts a person into the household (taking its address) or changes their relation to the head. */
export async function addHouseholdMember(db: Db, actor: Actor, id: number, input: HouseholdMemberInput): Promise<HouseholdDetail> {
  await db.transaction().execute(async (trx) => {
    const h = await manageableHousehold(trx, actor, id)
    if (h.status !== 'active') throw new AppError('household_dissolved')
    const person = await store.findPersonById(trx, input.personId)
    if (!person) throw new AppError('person_not_found')
    requireActionOnPath(actor, 'residents.manage', person.unit_path)
    if (person.household_id !== null && person.household_id !== id) throw new AppError('person_in_other_household', { householdId: person.household_id })
    if (input.relation === 'head' && h.head_person_id !== null && h.head_person_id !== person.id) throw new AppError('household_has_head')
    const now = nowIso()
    await store.updatePerson(trx, person.id, { household_id: id, relation: input.relation, unit_id: h.unit_id, room: h.room, county_id: h.county_id, updated_at: now })
    if (input.relation === 'head') await store.updateHousehold(trx, id, { head_person_id: person.id, updated_at: now })
    else if (h.head_person_id === person.id) await store.updateHousehold(trx, id, { head_person_id: null, updated_at: now })
    await recordAudit(trx, actor, {
      action: 'residents.household_member', entityType: 'household', entityId: id, unitId: h.unit_id, unitPath: h.unit_path,
      before: { personId: person.id, householdId: person.household_id, relation: person.relation, unitId: person.unit_id, room: person.room },
      after: { personId: person.id, householdId: id, relation: input.relation },
    })
  })
  return householdDetail(db, id)
}

/** Takes a person out of the household; they keep their address. */
export async function removeHouseholdMember(db: Db, actor: Actor, id: number, personId: number): Promise<HouseholdDetail> {
  await db.transaction().execute(async (trx) => {
    const h = await manageableHousehold(trx, actor, id)
    const person = await store.findPersonById(trx, personId)
    if (!person || person.household_id !== id) throw new AppError('person_not_found', { personId, problem: 'not a member of this household' })
    const now = nowIso()
    await store.updatePerson(trx, personId, { household_id: null, relation: null, updated_at: now })
    if (h.head_person_id === personId) await store.updateHousehold(trx, id, { head_person_id: null, updated_at: now })
    await recordAudit(trx, actor, {
      action: 'residents.household_member_remove', entityType: 'household', entityId: id, unitId: h.unit_id, unitPath: h.unit_path,
      before: { personId, relation: person.relation },
    })
  })
  return householdDetail(db, id)
}

// --- tags -----------------------------------------------------------------------------------

/** The tag list is county-wide: editing it needs `residents.manage` at county level (or deployment-wide). */
function requireTagManager(actor: Actor): void {
  const ok = actor.grants.some((g) => roleAllows(g.role, 'residents.manage') && (g.unitPath === null || g.unitPath.split('/').filter(Boolean).length === 1))
  if (!ok) throw new AppError('forbidden', { action: 'residents.manage', scope: 'county' })
}

export async function listPersonTags(db: Db, query: PersonTagQuery): Promise<{ items: PersonTagView[] }> {
  return { items: (await store.listTags(db, query.includeArchived ?? false)).map(toTagView) }
}

export async function createPersonTag(db: Db, actor: Actor, input: CreatePersonTagInput): Promise<PersonTagView> {
  requireTagManager(actor)
  return db.transaction().execute(async (trx) => {
    if (await store.findTagByCode(trx, input.code)) throw new AppError('person_tag_code_taken')
    const { id } = await store.insertTag(trx, {
      code: input.code, name_zh: input.nameZh.trim(), name_en: input.nameEn.trim(), needs_care: input.needsCare === false ? 0 : 1, sort_order: input.sortOrder ?? 100, archived: 0,
    })
    const tag = toTagView((await store.findTagById(trx, id))!)
    await recordAudit(trx, actor, { action: 'residents.tag_create', entityType: 'person_tag', entityId: id, after: tag })
    return tag
  })
}

export async function updatePersonTag(db: Db, actor: Actor, id: number, input: UpdatePersonTagInput): Promise<PersonTagView> {
  requireTagManager(actor)
  return db.transaction().execute(async (trx) => {
    const before = await store.findTagById(trx, id)
    if (!before) throw new AppError('person_tag_not_found')
    await store.updateTag(trx, id, {
      ...(input.nameZh !== undefined ? { name_zh: input.nameZh.trim() } : {}),
      ...(input.nameEn !== undefined ? { name_en: input.nameEn.trim() } : {}),
      ...(input.needsCare !== undefined ? { needs_care: input.needsCare ? 1 : 0 } : {}),
      ...(input.sortOrder !== undefined ? { sort_order: input.sortOrder } : {}),
      ...(input.archived !== undefined ? { archived: input.archived ? 1 : 0 } : {}),
    })
    const tag = toTagView((await store.findTagById(trx, id))!)
    await recordAudit(trx, actor, { action: 'residents.tag_update', entityType: 'person_tag', entityId: id, before: toTagView(before), after: tag })
    return tag
  })
}

/** Tag ids for tag names or codes (Chinese or English names, or codes), for importers; unknown names come back in `unknown`. */
export async function resolveTagNames(db: Db, names: string[]): Promise<{ ids: number[]; unknown: string[] }> {
  const tags = await store.listTags(db, false)
  const ids: number[] = []
  const unknown: string[] = []
  for (const raw of names) {
    const name = raw.trim()
    if (!name) continue
    const tag = tags.find((t) => t.name_zh === name || t.code === name || t.name_en.toLowerCase() === name.toLowerCase())
    if (tag) { if (!ids.includes(tag.id)) ids.push(tag.id) } else unknown.push(name)
  }
  return { ids, unknown }
}
