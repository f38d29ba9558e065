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
  const res = await client.post('/api/residents', { name: spec.name ?? `居民${next()}`, ...spec })
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
