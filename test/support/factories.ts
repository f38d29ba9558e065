import type { TestApp, Client } from './app.js'
import { idCheckChar } from '../../src/lib/pii.js'

let sequence = 0
const next = () => ++sequence

export interface UnitSpec { parentId: number | null; type: string; name?: string; code?: string }

export async function createUnit(t: TestApp, spec: UnitSpec): Promise<{ id: number; path: string; name: string }> {
  const res = await t.admin.post('/api/units', { parentId: spec.parentId, type: spec.type, name: spec.name ?? `${spec.type}-${next()}`, ...(spec.code ? { code: spec.code } : {}) })
  if (res.status !== 201) throw new Error(`createUnit: ${res.status} ${res.text}`)
  return res.body
}

/** A small county: county → subdistrict → two communities, each with a grid. */
export async function smallCounty(t: TestApp) {
  const county = await createUnit(t, { parentId: null, type: 'county', name: '测试县' })
  const subdistrict = await createUnit(t, { parentId: county.id, type: 'subdistrict', name: '铜城街道' })
  const communityA = await createUnit(t, { parentId: subdistrict.id, type: 'community', name: '吉祥苑社区' })
  const communityB = await createUnit(t, { parentId: subdistrict.id, type: 'community', name: '洛神湖社区' })
  const gridA = await createUnit(t, { parentId: communityA.id, type: 'grid', name: '第一网格' })
  const gridB = await createUnit(t, { parentId: communityB.id, type: 'grid', name: '第一网格' })
  return { county, subdistrict, communityA, communityB, gridA, gridB }
}

export const TEST_PASSWORD = 'a-long-test-password'

/** Creates an account with one grant and returns a logged-in client for it. */
export async function userWith(t: TestApp, role: string, unitId: number | null, username = `${role}_${next()}`): Promise<Client> {
  const res = await t.admin.post('/api/accounts', { username, displayName: username, password: TEST_PASSWORD, grants: [{ role, unitId }] })
  if (res.status !== 201) throw new Error(`userWith: ${res.status} ${res.text}`)
  // Accounts made by an administrator must choose a password first; tests skip that step.
  await t.dbHandle.db.updateTable('account').set({ must_change_password: 0 }).where('username', '=', username).execute()
  return t.anon.login(username, TEST_PASSWORD)
}

// --- residents and party (residents/party engineer) -------------------------------------------

/** A valid 18-character identity number (GB 11643 check digit) for a birth date; odd 17th digit = male. */
export function validIdNumber(birthDate = '1980-05-17', gender: 'male' | 'female' = 'male', seq = next()): string {
  const order = String(seq % 100).padStart(2, '0') + String(gender === 'male' ? 1 + 2 * (seq % 5) : 2 * (seq % 5))
  const first17 = `371524${birthDate.replaceAll('-', '')}${order}`
  return first17 + idCheckChar(first17)
}

/** A valid, unique-per-run mainland mobile number. */
export const validMobile = (seq = next()): string => `138${String(seq).padStart(8, '0').slice(-8)}`

export interface ResidentSpec {
  unitId?: number
  householdId?: number
  relation?: string
  name?: string
  idNumber?: string | null
  phone?: string | null
  birthDate?: string
  gender?: string
  tagIds?: number[]
  room?: string
}

/** Registers a resident through the API (as the admin unless a client is given); returns the masked view. */
export async function createResident(t: TestApp, spec: ResidentSpec, client: Client = t.admin): Promise<any> {
  const res = await client.post('/api/residents', { ...spec, name: spec.name ?? `居民${next()}` })
  if (res.status !== 201) throw new Error(`createResident: ${res.status} ${res.text}`)
  return res.body
}

export async function createPartyOrg(t: TestApp, spec: { unitId: number; kind: string; parentId?: number | null; name?: string }): Promise<any> {
  const res = await t.admin.post('/api/party/orgs', { name: spec.name ?? `${spec.kind}-${next()}`, kind: spec.kind, unitId: spec.unitId, parentId: spec.parentId ?? null })
  if (res.status !== 201) throw new Error(`createPartyOrg: ${res.status} ${res.text}`)
  return res.body
}

/** A person registered at the unit and enrolled in the organization (a full member unless a stage is given). */
export async function createPartyMember(
  t: TestApp,
  spec: { unitId: number; orgId: number; stage?: string; applicationDate?: string; joinedDate?: string; fullDate?: string; name?: string; birthDate?: string },
): Promise<any> {
  const person = await createResident(t, { unitId: spec.unitId, name: spec.name, birthDate: spec.birthDate ?? '1975-03-02' })
  const stage = spec.stage ?? 'full'
  const res = await t.admin.post('/api/party/members', {
    personId: person.id, orgId: spec.orgId, stage,
    ...(stage === 'applicant' ? { applicationDate: spec.applicationDate ?? '2024-01-10' } : {}),
    ...(stage === 'probationary' || stage === 'full' ? { joinedDate: spec.joinedDate ?? '2010-07-01' } : {}),
    ...(spec.fullDate ? { fullDate: spec.fullDate } : {}),
  })
  if (res.status !== 201) throw new Error(`createPartyMember: ${res.status} ${res.text}`)
  return res.body
}

// --- units and restructuring (units engineer) -------------------------------------------------
// Direct inserts, so unit tests do not depend on the residents and party routes.

/** Inserts households, each with `peoplePerHousehold` residents, registered directly on the unit. */
export async function insertHouseholds(t: TestApp, unitId: number, households: number, peoplePerHousehold = 2): Promise<void> {
  const db = t.dbHandle.db
  const now = new Date().toISOString()
  const unit = await db.selectFrom('unit').select('county_id').where('id', '=', unitId).executeTakeFirstOrThrow()
  for (let h = 0; h < households; h++) {
    const { id } = await db.insertInto('household').values({ county_id: unit.county_id, unit_id: unitId, room: `${h + 1}01`, created_at: now, updated_at: now })
      .returning('id').executeTakeFirstOrThrow()
    const people = Array.from({ length: peoplePerHousehold }, (_, i) => ({
      county_id: unit.county_id, unit_id: unitId, household_id: id, relation: i === 0 ? 'head' : 'other', name: `居民${next()}`, created_at: now, updated_at: now,
    }))
    if (people.length) await db.insertInto('person').values(people).execute()
  }
}

/** Inserts a party organization on a unit (path built like the party module builds it). */
export async function insertPartyOrg(t: TestApp, spec: { unitId: number; kind: string; name?: string; parentId?: number | null }): Promise<{ id: number; path: string }> {
  const db = t.dbHandle.db
  const now = new Date().toISOString()
  const parent = spec.parentId ? await db.selectFrom('party_org').select('path').where('id', '=', spec.parentId).executeTakeFirstOrThrow() : null
  const { id } = await db.insertInto('party_org').values({
    unit_id: spec.unitId, parent_id: spec.parentId ?? null, path: `/tmp-${next()}/`, kind: spec.kind, name: spec.name ?? `${spec.kind}-${next()}`, created_at: now, updated_at: now,
  }).returning('id').executeTakeFirstOrThrow()
  const path = `${parent?.path ?? '/'}${id}/`
  await db.updateTable('party_org').set({ path }).where('id', '=', id).execute()
  return { id, path }
}

/** Inserts `count` people on the unit, each a member of the organization at the given stage. */
export async function insertPartyMembers(t: TestApp, orgId: number, unitId: number, count: number, stage = 'full'): Promise<void> {
  const db = t.dbHandle.db
  const now = new Date().toISOString()
  for (let i = 0; i < count; i++) {
    const { id } = await db.insertInto('person').values({ unit_id: unitId, name: `党员${next()}`, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow()
    await db.insertInto('party_member').values({ person_id: id, org_id: orgId, stage, created_at: now, updated_at: now }).execute()
  }
}

/**
 * The article's geography in miniature, through the API: 东阿县 (371524) → 铜城街道 (371524001) with
 * 吉祥苑社区 (371524001001: `grids` grids, `compoundsPerGrid` compounds each with `buildingsPerCompound`
 * buildings) and 洛神湖社区 (one grid, one compound); 姜楼镇 (371524101) with three villages.
 */
export async function dongECounty(t: TestApp, opts: { grids?: number; compoundsPerGrid?: number; buildingsPerCompound?: number } = {}) {
  const county = await createUnit(t, { parentId: null, type: 'county', name: '东阿县', code: '371524' })
  const tongcheng = await createUnit(t, { parentId: county.id, type: 'subdistrict', name: '铜城街道', code: '371524001' })
  const jixiangyuan = await createUnit(t, { parentId: tongcheng.id, type: 'community', name: '吉祥苑社区', code: '371524001001' })
  const luoshenhu = await createUnit(t, { parentId: tongcheng.id, type: 'community', name: '洛神湖社区', code: '371524001002' })
  const grids: { id: number; path: string; name: string; compounds: { id: number; path: string; name: string; buildings: { id: number; path: string; name: string }[] }[] }[] = []
  for (let g = 1; g <= (opts.grids ?? 5); g++) {
    const grid = await createUnit(t, { parentId: jixiangyuan.id, type: 'grid', name: `吉祥苑第${g}网格` })
    const compounds = []
    for (let c = 1; c <= (opts.compoundsPerGrid ?? 2); c++) {
      const compound = await createUnit(t, { parentId: grid.id, type: 'compound', name: `吉祥苑${g}-${c}小区` })
      const buildings = []
      for (let b = 1; b <= (opts.buildingsPerCompound ?? 1); b++) buildings.push(await createUnit(t, { parentId: compound.id, type: 'building', name: `${g}-${c}-${b}号楼` }))
      compounds.push({ ...compound, buildings })
    }
    grids.push({ ...grid, compounds })
  }
  const luoshenhuGrid = await createUnit(t, { parentId: luoshenhu.id, type: 'grid', name: '洛神湖第1网格' })
  const luoshenhuCompound = await createUnit(t, { parentId: luoshenhuGrid.id, type: 'compound', name: '洛神湖小区' })
  const jianglou = await createUnit(t, { parentId: county.id, type: 'town', name: '姜楼镇', code: '371524101' })
  const villages = []
  for (const [i, name] of ['陈店村', '前屯村', '后屯村'].entries()) {
    villages.push(await createUnit(t, { parentId: jianglou.id, type: 'village', name, code: `3715241012${String(i + 1).padStart(2, '0')}` }))
  }
  return { county, tongcheng, jixiangyuan, luoshenhu, grids, luoshenhuGrid, luoshenhuCompound, jianglou, villages }
}

// --- service requests -----------------------------------------------------------------------------

/** A catalog category and item through the catalog API (as the admin); returns the item view. */
export async function createServiceItem(t: TestApp, spec: {
  name?: string; priority?: 'emergency' | 'urgent' | 'general' | 'complex'; anonymousAllowed?: boolean; visibility?: 'public' | 'internal';
  ownerUnitType?: string; unitId?: number | null; defaultUnitId?: number | null; categoryId?: number; resolutionTime?: { amount: number; unit: string } | null;
}): Promise<any> {
  let categoryId = spec.categoryId
  if (categoryId === undefined) {
    const cat = await t.admin.post('/api/catalog/categories', { code: `cat-${next()}`, name: `类别${next()}` })
    if (cat.status !== 201) throw new Error(`createServiceItem category: ${cat.status} ${cat.text}`)
    categoryId = cat.body.id as number
  }
  const res = await t.admin.post('/api/catalog/items', {
    code: `item-${next()}`, categoryId, name: spec.name ?? `事项${next()}`, unitId: spec.unitId ?? null, ownerUnitType: spec.ownerUnitType ?? 'community',
    priority: spec.priority ?? 'general', anonymousAllowed: spec.anonymousAllowed ?? false, visibility: spec.visibility ?? 'public',
    ...(spec.defaultUnitId !== undefined ? { defaultUnitId: spec.defaultUnitId } : {}),
    ...(spec.resolutionTime !== undefined ? { resolutionTime: spec.resolutionTime } : {}),
  })
  if (res.status !== 201) throw new Error(`createServiceItem: ${res.status} ${res.text}`)
  return res.body
}

/**
 * The request loop's county: smallCounty plus a compound (with a QR code) in each community's
 * grid, catalog items, and one logged-in worker per role and community.
 */
export async function requestCounty(t: TestApp) {
  const units = await smallCounty(t)
  const n = next()
  const compoundA = { ...(await createUnit(t, { parentId: units.gridA.id, type: 'compound', name: '吉祥苑小区', code: `QA${n}` })), code: `QA${n}` }
  const compoundB = { ...(await createUnit(t, { parentId: units.gridB.id, type: 'compound', name: '洛神湖小区', code: `QB${n}` })), code: `QB${n}` }
  const agency = await createUnit(t, { parentId: units.county.id, type: 'agency', name: '县住建局' })
  const repair = await createServiceItem(t, { name: '水电维修', priority: 'general', anonymousAllowed: true })
  const elderly = await createServiceItem(t, { name: '助老陪诊', priority: 'urgent', anonymousAllowed: false, categoryId: repair.categoryId })
  const internal = await createServiceItem(t, { name: '内部事项', visibility: 'internal', categoryId: repair.categoryId })
  return {
    ...units, compoundA, compoundB, agency, items: { repair, elderly, internal },
    communityWorkerA: await userWith(t, 'community_worker', units.communityA.id),
    communityWorkerB: await userWith(t, 'community_worker', units.communityB.id),
    gridWorkerA: await userWith(t, 'grid_worker', units.gridA.id),
    gridWorkerB: await userWith(t, 'grid_worker', units.gridB.id),
    townAdmin: await userWith(t, 'town_admin', units.subdistrict.id),
    countyAdmin: await userWith(t, 'county_admin', units.county.id),
    agencyStaff: await userWith(t, 'agency_staff', agency.id),
  }
}

/** A resident's submit from the QR page; returns the body (tracking code …) or throws. */
export async function submitPublicRequest(t: TestApp, body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<any> {
  const res = await t.anon.post('/api/public/requests', { description: '楼道灯坏了', phone: '13800138000', ...body }, { 'x-device-id': `device-${next()}-abcdef`, ...headers })
  if (res.status !== 201) throw new Error(`submitPublicRequest: ${res.status} ${res.text}`)
  return res.body
}

/** The staff id of a case known by its tracking code (straight from the database: tests only). */
export async function requestIdOf(t: TestApp, trackingCode: string): Promise<number> {
  const row = await t.dbHandle.db.selectFrom('request').select('id').where('tracking_code', '=', trackingCode).executeTakeFirstOrThrow()
  return row.id
}

/** A structurally valid JPEG carrying EXIF (with GPS and an orientation), XMP and a comment — what a phone camera sends. */
export function jpegWithExif(orientation = 6): Buffer {
  const seg = (marker: number, body: Buffer) => Buffer.concat([Buffer.from([0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 0xff]), body])
  const tiff = Buffer.alloc(50)
  tiff.write('II', 0, 'latin1'); tiff.writeUInt16LE(42, 2); tiff.writeUInt32LE(8, 4)
  tiff.writeUInt16LE(2, 8) // two IFD0 entries: Orientation and the GPS IFD pointer
  tiff.writeUInt16LE(0x0112, 10); tiff.writeUInt16LE(3, 12); tiff.writeUInt32LE(1, 14); tiff.writeUInt16LE(orientation, 18)
  tiff.writeUInt16LE(0x8825, 22); tiff.writeUInt16LE(4, 24); tiff.writeUInt32LE(1, 26); tiff.writeUInt32LE(38, 30)
  tiff.writeUInt32LE(0, 34)
  tiff.write('GPS36.3N116.2E', 36, 'latin1')
  const exif = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff])
  const xmp = Buffer.from('http://ns.adobe.com/xap/1.0/\0<x:xmpmeta><exif:GPSLatitude>36,18N</exif:GPSLatitude></x:xmpmeta>', 'latin1')
  const jfif = Buffer.from([0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00])
  const dqt = Buffer.concat([Buffer.from([0x00]), Buffer.alloc(64, 1)])
  const sof = Buffer.from([0x08, 0x00, 0x01, 0x00, 0x01, 0x01, 0x01, 0x11, 0x00])
  const sos = Buffer.from([0x01, 0x01, 0x00, 0x00, 0x3f, 0x00])
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]), seg(0xe0, jfif), seg(0xe1, exif), seg(0xe1, xmp), seg(0xfe, Buffer.from('taken at 36.3N', 'latin1')),
    seg(0xdb, dqt), seg(0xc0, sof), seg(0xda, sos), Buffer.from([0x12, 0xff, 0x00, 0x34, 0xff, 0xd0, 0x56]), Buffer.from([0xff, 0xd9]),
  ])
}
