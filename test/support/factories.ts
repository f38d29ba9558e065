import type { TestApp, Client } from './app.js'

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
