import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, dialects, type Client, type TestApp } from '../../../test/support/app.js'
import { createUnit, requestCounty, requestIdOf, submitPublicRequest, userWith } from '../../../test/support/factories.js'

// 派单 / 转办 targets: any active unit of the case's county that takes cases, not only the caller's subtree.

process.env.CHORUS_INTAKE_PER_ADDRESS_HOUR = '100000'
process.env.CHORUS_INTAKE_PER_DEVICE_HOUR = '100000'

interface Target { id: number; name: string; code: string | null; type: string; pathNames: string[]; reason: string | null }
interface Targets { suggested: Target[]; items: Target[]; total: number }

describe.each(dialects)('hand-off targets on %s', (dialect) => {
  let t: TestApp
  let c: Awaited<ReturnType<typeof requestCounty>>
  let dataDir: string
  let caseId: number
  let freeTextId: number
  let propertyCo: { id: number }
  let factory: { id: number }
  let archived: { id: number }
  let police: { id: number }
  let otherCountyWorker: Client

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chorus-handoff-'))
    t = await buildTestApp(dialect, { dataDir })
    c = await requestCounty(t)
    police = await createUnit(t, { parentId: c.county.id, type: 'agency', name: '县公安局', code: 'GA-01' })
    propertyCo = await createUnit(t, { parentId: c.county.id, type: 'enterprise', name: '红旗物业' })
    factory = await createUnit(t, { parentId: c.county.id, type: 'enterprise', name: '红旗机械厂' }) // an enterprise, not a property company
    archived = await createUnit(t, { parentId: c.county.id, type: 'agency', name: '县撤并局' })
    expect((await t.admin.post('/api/restructure/archive', { unitId: archived.id })).status).toBe(201)
    const assign = await t.admin.put(`/api/compounds/${c.compoundA.id}/property-company`, { propertyUnitId: propertyCo.id, since: '2020-01-01' })
    expect(assign.status, assign.text).toBe(200)
    const other = await createUnit(t, { parentId: null, type: 'county', name: '邻县' })
    const otherTown = await createUnit(t, { parentId: other.id, type: 'subdistrict', name: '邻县街道' })
    const otherCommunity = await createUnit(t, { parentId: otherTown.id, type: 'community', name: '邻县社区' })
    otherCountyWorker = await userWith(t, 'community_worker', otherCommunity.id)
    caseId = await requestIdOf(t, (await submitPublicRequest(t, { locationCode: c.compoundA.code, itemId: c.items.repair.id })).trackingCode)
    freeTextId = await requestIdOf(t, (await submitPublicRequest(t, { locationCode: c.compoundA.code, title: '噪音扰民' })).trackingCode)
  })
  afterAll(async () => {
    await t?.close()
    fs.rmSync(dataDir, { recursive: true, force: true })
  })

  const targets = async (client: Client, id: number, query = '') => {
    const res = await client.get(`/api/requests/${id}/handoff-targets${query}`)
    expect(res.status, res.text).toBe(200)
    return res.body as Targets
  }

  it('offers a community worker the county agencies and the property company, never archived units or other enterprises', async () => {
    const all = await targets(c.communityWorkerA, caseId, '?pageSize=50')
    const ids = all.items.map((u) => u.id)
    expect(ids).toEqual(expect.arrayContaining([c.agency.id, police.id, propertyCo.id, c.subdistrict.id, c.communityB.id, c.gridA.id, c.gridB.id]))
    expect(ids).not.toContain(archived.id)
    expect(ids).not.toContain(factory.id)
    expect(ids).not.toContain(c.county.id)
    expect(ids).not.toContain(c.compoundA.id)
    expect(ids).not.toContain(c.communityA.id) // it holds the case
    expect(all.total).toBe(ids.length)
    // Names only, with the breadcrumb below the county.
    const grid = all.items.find((u) => u.id === c.gridA.id)!
    expect(Object.keys(grid).sort()).toEqual(['code', 'id', 'name', 'pathNames', 'reason', 'type'])
    expect(grid.pathNames).toEqual(['铜城街道', '吉祥苑社区', '第一网格'])
    expect(all.items.find((u) => u.id === police.id)).toMatchObject({ name: '县公安局', code: 'GA-01', type: 'agency', pathNames: ['县公安局'] })
  })

  it('suggests the property company and the sub-district first; the holder itself is not offered', async () => {
    const dispatch = await targets(c.communityWorkerA, caseId, '?kind=dispatch')
    // The repair item has no rule here: routing falls back to the community, which holds the case.
    expect(dispatch.suggested.map((u) => [u.id, u.reason])).toEqual([[propertyCo.id, 'property_company'], [c.subdistrict.id, 'subdistrict']])
    const rule = await t.admin.post('/api/catalog/routing-rules', { locationUnitId: c.communityA.id, itemId: c.items.repair.id, targetKind: 'unit', targetUnitId: c.agency.id })
    expect(rule.status, rule.text).toBe(201)
    const routed = await targets(c.communityWorkerA, caseId, '?kind=transfer')
    expect(routed.suggested.map((u) => [u.id, u.reason])).toEqual([[c.agency.id, 'route'], [c.subdistrict.id, 'subdistrict'], [propertyCo.id, 'property_company']])
    // A grid worker holding nothing cannot hand on the community's case.
    const grid = await c.gridWorkerA.get(`/api/requests/${caseId}/handoff-targets`)
    expect(grid.status).toBe(403)
    // Free text: no routing suggestion, the rest still.
    const free = await targets(c.communityWorkerA, freeTextId)
    expect(free.suggested.map((u) => u.reason)).toEqual(['property_company', 'subdistrict'])
  })

  it('searches by name or code, suggestions included, page by page', async () => {
    const byName = await targets(c.communityWorkerA, caseId, `?q=${encodeURIComponent('物业')}`)
    expect(byName.items.map((u) => u.id)).toEqual([propertyCo.id])
    expect(byName.suggested.map((u) => u.id)).toEqual([propertyCo.id])
    const byCode = await targets(c.communityWorkerA, caseId, '?q=ga-0')
    expect(byCode.items.map((u) => u.id)).toEqual([police.id])
    expect(byCode.suggested).toEqual([])
    const first = await targets(c.communityWorkerA, caseId, '?pageSize=2&page=1')
    const second = await targets(c.communityWorkerA, caseId, '?pageSize=2&page=2')
    expect(first.items).toHaveLength(2)
    expect(second.items.map((u) => u.id).some((id) => first.items.some((u) => u.id === id))).toBe(false)
    expect(first.total).toBe(second.total)
    expect((await c.communityWorkerA.get(`/api/requests/${caseId}/handoff-targets?pageSize=51`)).status).toBe(400)
    expect((await c.communityWorkerA.get(`/api/requests/${caseId}/handoff-targets?kind=merge`)).status).toBe(400)
  })

  it('refuses workers of another county, callers without a grant on the case, and unknown cases alike (403)', async () => {
    expect((await otherCountyWorker.get(`/api/requests/${caseId}/handoff-targets`)).status).toBe(403)
    expect((await c.communityWorkerB.get(`/api/requests/${caseId}/handoff-targets`)).status).toBe(403)
    expect((await c.communityWorkerA.get('/api/requests/99999999/handoff-targets')).status).toBe(403)
    expect((await t.anon.get(`/api/requests/${caseId}/handoff-targets`)).status).toBe(401)
  })

  it('offers for co-handling (kind=co_unit) the same county units less every unit already on the case, and addCoUnits takes them', async () => {
    const id = await requestIdOf(t, (await submitPublicRequest(t, { locationCode: c.compoundA.code, title: '楼道堆放杂物' })).trackingCode)
    const { version } = (await c.communityWorkerA.get(`/api/requests/${id}`)).body
    const accepted = await c.communityWorkerA.post(`/api/requests/${id}/accept`, { version })
    expect(accepted.status, accepted.text).toBe(200)
    const before = await targets(c.communityWorkerA, id, '?kind=co_unit&pageSize=50')
    expect(before.suggested.map((u) => [u.id, u.reason])).toEqual([[propertyCo.id, 'property_company'], [c.subdistrict.id, 'subdistrict']])
    expect(before.items.map((u) => u.id)).toEqual(expect.arrayContaining([c.agency.id, police.id, propertyCo.id, c.communityB.id]))
    expect(before.items.map((u) => u.id)).not.toContain(c.communityA.id) // it holds the case
    // A county agency outside the worker's subtree, found by name, becomes a co-unit.
    const found = (await targets(c.communityWorkerA, id, `?kind=co_unit&q=${encodeURIComponent('公安')}`)).items.map((u) => u.id)
    expect(found).toEqual([police.id])
    const added = await c.communityWorkerA.post(`/api/requests/${id}/co-units`, { version: accepted.body.version, unitIds: [police.id, propertyCo.id] })
    expect(added.status, added.text).toBe(200)
    const after = await targets(c.communityWorkerA, id, '?kind=co_unit&pageSize=50')
    expect(after.items.map((u) => u.id)).not.toContain(police.id)
    expect(after.items.map((u) => u.id)).not.toContain(propertyCo.id)
    expect(after.suggested.map((u) => u.id)).toEqual([c.subdistrict.id])
    expect(after.total).toBe(before.total - 2)
    // Dispatch still offers them: only co-handling leaves out the units already involved.
    expect((await targets(c.communityWorkerA, id, '?kind=dispatch&pageSize=50')).items.map((u) => u.id)).toContain(police.id)
    // A grid worker below the holding community may not pick co-units for it.
    expect((await c.gridWorkerA.get(`/api/requests/${id}/handoff-targets?kind=co_unit`)).status).toBe(403)
  })

  it('lets the worker hand the case to the county agency it found', async () => {
    const { version } = (await c.communityWorkerA.get(`/api/requests/${caseId}`)).body
    const accepted = await c.communityWorkerA.post(`/api/requests/${caseId}/accept`, { version })
    expect(accepted.status, accepted.text).toBe(200)
    // Units the picker never offers are refused by the step too, and the case is left as it was.
    for (const unitId of [c.compoundA.id, factory.id, c.county.id]) {
      for (const [step, body] of [['transfer', { reason: '试试' }], ['dispatch', {}], ['co-units', { unitIds: [unitId] }]] as const) {
        const refused = await c.communityWorkerA.post(`/api/requests/${caseId}/${step}`, { version: accepted.body.version, ...(step === 'co-units' ? {} : { toUnitId: unitId }), ...body })
        expect(refused.status, refused.text).toBe(400)
        expect(refused.body.error.code).toBe('invalid_target_unit')
      }
    }
    expect((await c.communityWorkerA.get(`/api/requests/${caseId}`)).body.version).toBe(accepted.body.version)
    const to = (await targets(c.communityWorkerA, caseId, `?kind=transfer&q=${encodeURIComponent('公安')}`)).items[0]!
    const res = await c.communityWorkerA.post(`/api/requests/${caseId}/transfer`, { version: accepted.body.version, toUnitId: to.id, reason: '涉及治安' })
    expect(res.status, res.text).toBe(200)
    expect(res.body.pendingUnitId).toBe(police.id)
  })
})
