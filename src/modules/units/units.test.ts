import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { buildTestApp, dialects, type TestApp } from '../../../test/support/app.js'
import { createUnit, dongECounty, insertHouseholds, insertPartyMembers, insertPartyOrg, userWith } from '../../../test/support/factories.js'
import { systemActor } from '../access/service.js'
import { createUnit as createUnitService, createUnitIn, lineageClosure } from './service.js'
import { codeProblem, nextGridCode, rebaseCode } from './codes.js'
import { canBeChildOf } from './hierarchy.js'
import { boundaryProblem } from './geojson.js'
import { commonAncestorPath } from './planning.js'

// --- pure rules ------------------------------------------------------------------------------------

describe('unit rules', () => {
  it('checks codes against the type and the parent code', () => {
    expect(codeProblem('county', '371524', null)).toBeNull()
    expect(codeProblem('county', '37152', null)).toMatch(/6 digits/)
    expect(codeProblem('subdistrict', '371524001', '371524')).toBeNull()
    expect(codeProblem('subdistrict', '371525001', '371524')).toMatch(/starting with/)
    expect(codeProblem('community', '371524001001', '371524001')).toBeNull()
    expect(codeProblem('grid', '371524001001001', '371524001001')).toBeNull()
    expect(codeProblem('grid', '37152400100100', '371524001001')).toMatch(/15 digits/)
    // no standard parent code: only the length is checked
    expect(codeProblem('grid', '999999999999001', null)).toBeNull()
    expect(codeProblem('compound', 'JXY-01', null)).toBeNull()
  })

  it('numbers grids one past the highest code in use and rebases codes built on a prefix', () => {
    expect(nextGridCode('371524001001', [])).toBe('371524001001001')
    expect(nextGridCode('371524001001', ['371524001001001', '371524001001007', '371524001002009'])).toBe('371524001001008')
    expect(() => nextGridCode('371524001001', ['371524001001999'])).toThrow()
    expect(rebaseCode('371524001001003', '371524001001', '371524101301')).toBe('371524101301003')
    expect(rebaseCode('JXY-01', '371524001001', '371524101301')).toBe('JXY-01')
  })

  it('knows which unit may sit under which', () => {
    expect(canBeChildOf('county', null)).toBe(true)
    expect(canBeChildOf('grid', 'community')).toBe(true)
    expect(canBeChildOf('grid', 'new_village')).toBe(true)
    expect(canBeChildOf('compound', 'building')).toBe(false)
    expect(canBeChildOf('village', 'county')).toBe(false)
    expect(canBeChildOf('enterprise', 'park')).toBe(true)
  })

  it('validates GeoJSON rings and finds common ancestors', () => {
    const square = [[116.2, 36.3], [116.3, 36.3], [116.3, 36.4], [116.2, 36.3]]
    expect(boundaryProblem({ type: 'Polygon', coordinates: [square] })).toBeNull()
    expect(boundaryProblem({ type: 'Polygon', coordinates: [square.slice(0, 3).concat([[116.25, 36.35]])] })).toMatch(/end where it starts/)
    expect(boundaryProblem({ type: 'MultiPolygon', coordinates: [[square], [[[0, 95], [1, 95], [1, 96], [0, 95]]]] })).toMatch(/latitude/)
    expect(commonAncestorPath(['/1/4/9/', '/1/4/12/30/'])).toBe('/1/4/')
    expect(commonAncestorPath(['/1/4/9/'])).toBe('/1/4/9/')
  })
})

// --- through the HTTP stack, on both databases ---------------------------------------------------

type Fixture = Awaited<ReturnType<typeof dongECounty>>

describe.each(dialects)('units and restructuring on %s', (dialect) => {
  let t: TestApp
  beforeEach(async () => { t = await buildTestApp(dialect) })
  afterEach(async () => { await t.close() })

  const db = () => t.dbHandle.db
  const unitRow = (id: number) => db().selectFrom('unit').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
  const orgRow = (id: number) => db().selectFrom('party_org').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
  const count = async (table: 'unit' | 'party_org' | 'restructure_event' | 'unit_lineage' | 'restructure_event_unit' | 'audit_log' | 'person' | 'household') =>
    Number((await db().selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)

  /** Everything a failed restructuring must leave exactly as it was. */
  const state = async () => ({
    units: await db().selectFrom('unit').selectAll().orderBy('id').execute(),
    orgs: await db().selectFrom('party_org').selectAll().orderBy('id').execute(),
    members: await db().selectFrom('party_member').select(['id', 'org_id']).orderBy('id').execute(),
    events: await count('restructure_event'),
    lineage: await count('unit_lineage'),
    eventUnits: await count('restructure_event_unit'),
    audit: await count('audit_log'),
  })

  /** Every path is its parent's path plus its id, every depth one more than its parent's — for units and party organizations. */
  const assertTreesConsistent = async () => {
    const units = await db().selectFrom('unit').select(['id', 'parent_id', 'path', 'depth']).execute()
    const byId = new Map(units.map((u) => [u.id, u]))
    for (const u of units) {
      const parent = u.parent_id === null ? null : byId.get(u.parent_id)
      expect(u.path, `unit ${u.id}`).toBe(`${parent?.path ?? '/'}${u.id}/`)
      expect(u.depth, `unit ${u.id}`).toBe((parent?.depth ?? -1) + 1)
    }
    const orgs = await db().selectFrom('party_org').select(['id', 'parent_id', 'path']).execute()
    const orgById = new Map(orgs.map((o) => [o.id, o]))
    for (const o of orgs) expect(o.path, `org ${o.id}`).toBe(`${o.parent_id === null ? '/' : orgById.get(o.parent_id)?.path}${o.id}/`)
  }

  const expectUnchanged = async (before: Awaited<ReturnType<typeof state>>) => expect(await state()).toEqual(before)

  describe('the tree', () => {
    let f: Fixture
    beforeEach(async () => { f = await dongECounty(t, { grids: 3, compoundsPerGrid: 2, buildingsPerCompound: 2 }) })

    it('generates grid codes, checks codes and types on create, and refuses duplicates', async () => {
      expect(f.grids.map((g) => (g as any).code)).toEqual(['371524001001001', '371524001001002', '371524001001003'])
      expect((f.luoshenhuGrid as any).code).toBe('371524001002001')

      const badCounty = await t.admin.post('/api/units', { parentId: null, type: 'county', name: '某县', code: '37152' })
      expect(badCounty.status).toBe(400)
      expect(badCounty.body.error.code).toBe('unit_code_invalid')
      const wrongPrefix = await t.admin.post('/api/units', { parentId: f.county.id, type: 'town', name: '某镇', code: '371525102' })
      expect(wrongPrefix.body.error.code).toBe('unit_code_invalid')
      const taken = await t.admin.post('/api/units', { parentId: f.jianglou.id, type: 'village', name: '重号村', code: '371524101201' })
      expect(taken.status).toBe(409)
      expect(taken.body.error.code).toBe('unit_code_taken')
      const wrongParent = await t.admin.post('/api/units', { parentId: f.tongcheng.id, type: 'compound', name: '街道下的小区' })
      expect(wrongParent.status).toBe(400)
      expect(wrongParent.body.error.code).toBe('invalid_unit_parent')
      expect(wrongParent.body.error.details.allowedParentTypes).toContain('community')
      const notRoot = await t.admin.post('/api/units', { parentId: null, type: 'town', name: '无主镇' })
      expect(notRoot.body.error.code).toBe('invalid_unit_parent')
      const explicit = await t.admin.post('/api/units', { parentId: f.jixiangyuan.id, type: 'grid', name: '手编网格', code: '371524001001050' })
      expect(explicit.status).toBe(201)
      const afterExplicit = await t.admin.post('/api/units', { parentId: f.jixiangyuan.id, type: 'grid', name: '下一个网格' })
      expect(afterExplicit.body.code).toBe('371524001001051')
    })

    it('creates units inside the caller’s transaction (an importer’s): a refusal there rolls back every unit and audit entry', async () => {
      const actor = systemActor('import-test')
      const before = { units: await count('unit'), audit: await count('audit_log') }
      await expect(db().transaction().execute(async (trx) => {
        const compound = await createUnitIn(trx, actor, { parentId: f.grids[0]!.id, type: 'compound', name: '导入小区', code: 'DR-01' })
        // createUnit joins a transaction it is given instead of opening a nested one
        await createUnitService(trx, actor, { parentId: compound.id, type: 'building', name: '1号楼' })
        await createUnitIn(trx, actor, { parentId: compound.id, type: 'building', name: '重号楼', code: 'DR-01' })
      })).rejects.toMatchObject({ code: 'unit_code_taken' })
      expect({ units: await count('unit'), audit: await count('audit_log') }).toEqual(before)

      const made = await db().transaction().execute(async (trx) => {
        const compound = await createUnitIn(trx, actor, { parentId: f.grids[0]!.id, type: 'compound', name: '导入小区', code: 'DR-01' })
        return [compound, await createUnitIn(trx, actor, { parentId: compound.id, type: 'building', name: '1号楼' })]
      })
      expect({ units: await count('unit'), audit: await count('audit_log') }).toEqual({ units: before.units + 2, audit: before.audit + 2 })
      expect(made[1]!.path).toBe(`${made[0]!.path}${made[1]!.id}/`)
      await assertTreesConsistent()
    })

    it('stores a GeoJSON boundary and refuses broken ones', async () => {
      const boundary = { type: 'Polygon', coordinates: [[[116.24, 36.33], [116.26, 36.33], [116.26, 36.35], [116.24, 36.33]]] }
      const created = await t.admin.post('/api/units', { parentId: f.grids[0]!.id, type: 'compound', name: '带边界小区', boundary, address: '铜城街道 1 号' })
      expect(created.status).toBe(201)
      expect(created.body.hasBoundary).toBe(true)
      const got = await t.admin.get(`/api/units/${created.body.id}`)
      expect(got.body).toMatchObject({ boundary, address: '铜城街道 1 号', childCount: 0 })
      const open = await t.admin.post('/api/units', { parentId: f.grids[0]!.id, type: 'compound', name: '开口', boundary: { type: 'Polygon', coordinates: [[[1, 1], [2, 1], [2, 2], [1, 2]]] } })
      expect(open.status).toBe(400)
      expect(open.body.error.code).toBe('invalid_boundary')
      const point = await t.admin.post('/api/units', { parentId: f.grids[0]!.id, type: 'compound', name: '点', boundary: { type: 'Point', coordinates: [1, 1] } })
      expect(point.status).toBe(400)
      expect(point.body.error.code).toBe('validation_failed')
      const patched = await t.admin.patch(`/api/units/${created.body.id}`, { boundary: null })
      expect(patched.body.boundary).toBeNull()
    })

    it('lists children with child counts, the first levels of the tree, and subtree stats', async () => {
      const children = await t.admin.get(`/api/units/${f.jixiangyuan.id}/children`)
      expect(children.status).toBe(200)
      expect(children.body.total).toBe(3)
      expect(children.body.items.map((c: any) => [c.name, c.childCount])).toEqual([['吉祥苑第1网格', 2], ['吉祥苑第2网格', 2], ['吉祥苑第3网格', 2]])

      const tree = await t.admin.get(`/api/units/tree?rootId=${f.county.id}&levels=1`)
      expect(tree.body.roots).toEqual([f.county.id])
      expect(tree.body.items.map((i: any) => i.name)).toEqual(['东阿县', '铜城街道', '姜楼镇'])
      expect(tree.body.items.find((i: any) => i.id === f.tongcheng.id).childCount).toBe(2)
      expect(tree.body.truncated).toBe(false)
      const full = await t.admin.get('/api/units/tree?levels=4')
      expect(full.body.roots).toEqual([f.county.id])
      // levels=4 reaches the compounds (depth 4), not the buildings
      expect(full.body.items.length).toBe(await count('unit') - 12)
      expect(full.body.items.every((i: any) => i.type !== 'building')).toBe(true)

      const compound = f.grids[0]!.compounds[0]!
      await insertHouseholds(t, compound.id, 3, 2)
      await insertHouseholds(t, compound.buildings[0]!.id, 1, 4)
      const branch = await insertPartyOrg(t, { unitId: f.grids[0]!.id, kind: 'branch' })
      await insertPartyMembers(t, branch.id, compound.id, 2)
      await insertPartyMembers(t, branch.id, compound.id, 1, 'activist')
      const stats = await t.admin.get(`/api/units/${f.jixiangyuan.id}/stats`)
      expect(stats.body).toMatchObject({
        unitId: f.jixiangyuan.id, unitsTotal: 3 + 6 + 12, archivedUnits: 0, households: 4, people: 6 + 4 + 3,
        partyOrgs: 1, partyMembers: 2, partyMembersInDevelopment: 1,
      })
      expect(stats.body.units).toMatchObject({ grid: 3, compound: 6, building: 12, community: 0 })
    })

    it('limits a 吉祥苑社区 worker to its subtree: lists, tree, breadcrumb, 403 elsewhere', async () => {
      const worker = await userWith(t, 'community_worker', f.jixiangyuan.id)
      const compounds = await worker.get('/api/units?type=compound&pageSize=500')
      expect(compounds.status).toBe(200)
      expect(compounds.body.total).toBe(6)
      expect(compounds.body.items.every((c: any) => c.path.startsWith(f.jixiangyuan.path))).toBe(true)
      const all = await t.admin.get('/api/units?type=compound')
      expect(all.body.total).toBe(7)

      for (const url of [`/api/units/${f.luoshenhu.id}`, `/api/units/${f.luoshenhuCompound.id}/children`, `/api/units/${f.luoshenhu.id}/stats`,
        `/api/units/${f.luoshenhu.id}/ancestors`, `/api/units/${f.luoshenhu.id}/lineage`, `/api/units/tree?rootId=${f.luoshenhu.id}`,
        `/api/restructure-events?unitId=${f.luoshenhu.id}`]) {
        const res = await worker.get(url)
        expect(res.status, url).toBe(403)
        expect(res.body.error.code).toBe('forbidden')
      }
      const tree = await worker.get('/api/units/tree')
      expect(tree.body.roots).toEqual([f.jixiangyuan.id])
      const crumbs = await worker.get(`/api/units/${f.grids[1]!.compounds[0]!.buildings[0]!.id}/ancestors`)
      expect(crumbs.body.items.map((u: any) => u.name)).toEqual(['吉祥苑社区', '吉祥苑第2网格', '吉祥苑2-1小区', '2-1-1号楼'])
      const adminCrumbs = await t.admin.get(`/api/units/${f.grids[1]!.id}/ancestors`)
      expect(adminCrumbs.body.items.map((u: any) => u.name)).toEqual(['东阿县', '铜城街道', '吉祥苑社区', '吉祥苑第2网格'])

      // writes: its own units yes, the neighbour's no
      expect((await worker.patch(`/api/units/${f.grids[0]!.compounds[0]!.id}`, { address: '吉祥苑路 8 号' })).status).toBe(200)
      expect((await worker.patch(`/api/units/${f.luoshenhuCompound.id}`, { address: 'x' })).status).toBe(403)
      expect((await worker.post('/api/units', { parentId: f.luoshenhuGrid.id, type: 'compound', name: '越界小区' })).status).toBe(403)
    })

    it('corrects a unit (PATCH): audited, descendants’ codes follow a new code, archived units refuse', async () => {
      const before = await count('audit_log')
      const res = await t.admin.patch(`/api/units/${f.jixiangyuan.id}`, { name: '吉祥苑社区(更正)', code: '371524001009' })
      expect(res.status).toBe(200)
      expect(res.body).toMatchObject({ name: '吉祥苑社区(更正)', code: '371524001009', childCount: 3 })
      expect((await unitRow(f.grids[2]!.id)).code).toBe('371524001009003')
      expect(await count('audit_log')).toBe(before + 1)
      const bad = await t.admin.patch(`/api/units/${f.jixiangyuan.id}`, { code: '371524101009' })
      expect(bad.body.error.code).toBe('unit_code_invalid')
      const taken = await t.admin.patch(`/api/units/${f.jixiangyuan.id}`, { code: '371524001002' })
      expect(taken.body.error.code).toBe('unit_code_taken')
      const empty = await t.admin.patch(`/api/units/${f.jixiangyuan.id}`, {})
      expect(empty.status).toBe(400)
    })
  })

  describe('restructuring', () => {
    it('merges three villages into 陈店新村: preview equals the result, party branches move under the new committee', async () => {
      const f = await dongECounty(t, { grids: 1, compoundsPerGrid: 1 })
      const [v1, v2, v3] = f.villages as [Fixture['villages'][0], Fixture['villages'][0], Fixture['villages'][0]]
      const townCommittee = await insertPartyOrg(t, { unitId: f.jianglou.id, kind: 'committee', name: '姜楼镇党委' })
      const b1 = await insertPartyOrg(t, { unitId: v1.id, kind: 'branch', name: '陈店村党支部', parentId: townCommittee.id })
      const g1 = await insertPartyOrg(t, { unitId: v1.id, kind: 'group', name: '陈店村第一党小组', parentId: b1.id })
      const b2 = await insertPartyOrg(t, { unitId: v2.id, kind: 'branch', name: '前屯村党支部', parentId: townCommittee.id })
      await insertPartyMembers(t, b1.id, v1.id, 3)
      await insertPartyMembers(t, b2.id, v2.id, 2)
      await insertHouseholds(t, v1.id, 4, 2)
      await insertHouseholds(t, v2.id, 2, 3)
      const townAdmin = await userWith(t, 'town_admin', f.jianglou.id)

      const body = { villageIds: [v1.id, v2.id, v3.id], newVillage: { townId: f.jianglou.id, name: '陈店新村', code: '371524101201' }, effectiveDate: '2026-06-01', note: '六联六促' }
      const preview = await townAdmin.post('/api/restructure/merge-villages/preview', body)
      expect(preview.status).toBe(200)
      const plan = preview.body
      expect(plan).toMatchObject({
        kind: 'merge_villages', effectiveDate: '2026-06-01', title: '陈店村、前屯村、后屯村合并为陈店新村', anchor: { id: f.jianglou.id },
        counts: { unitsCreated: 1, unitsMoved: 3, unitsArchived: 0, households: 6, people: 8 + 6 + 5, partyOrgs: 3, partyMembers: 5 },
        created: [{ ref: 'new_village', type: 'new_village', name: '陈店新村', code: '371524101201', parent: { id: f.jianglou.id } }],
      })
      // the new village takes over 陈店村's code; the villages become grids numbered under it
      expect(plan.changed.map((c: any) => [c.unit.id, c.type, c.code])).toEqual([
        [v1.id, { from: 'village', to: 'grid' }, { from: '371524101201', to: '371524101201001' }],
        [v2.id, { from: 'village', to: 'grid' }, { from: '371524101202', to: '371524101201002' }],
        [v3.id, { from: 'village', to: 'grid' }, { from: '371524101203', to: '371524101201003' }],
      ])
      expect(plan.party.created).toEqual([{ ref: 'committee', kind: 'committee', name: '陈店新村党委', unit: { id: null, ref: 'new_village', name: '陈店新村' }, parent: { id: townCommittee.id, ref: null, name: '姜楼镇党委' } }])
      expect(plan.party.reparented.map((r: any) => r.org.id)).toEqual([b1.id, b2.id])
      expect(plan.lineage.map((l: any) => [l.predecessor.id, l.successor.ref, l.relation])).toEqual([v1.id, v2.id, v3.id].map((id) => [id, 'new_village', 'became_grid_of']))
      expect(await count('unit_lineage')).toBe(0)

      const auditBefore = await count('audit_log')
      const done = await townAdmin.post('/api/restructure/merge-villages', { ...body, planHash: plan.planHash })
      expect(done.status).toBe(201)
      expect(done.body.plan).toEqual(plan)
      const newVillageId = done.body.createdUnits[0].id
      const newVillage = await unitRow(newVillageId)
      expect(newVillage).toMatchObject({ type: 'new_village', name: '陈店新村', code: '371524101201', parent_id: f.jianglou.id })
      for (const [i, v] of [v1, v2, v3].entries()) {
        expect(await unitRow(v.id)).toMatchObject({ id: v.id, name: v.name, type: 'grid', parent_id: newVillageId, path: `${newVillage.path}${v.id}/`, code: `37152410120100${i + 1}` })
      }
      // people and households stay on their (former) village
      expect(Number((await db().selectFrom('person').select((eb) => eb.fn.countAll<number>().as('n')).where('unit_id', '=', v1.id).executeTakeFirstOrThrow()).n)).toBe(8 + 3)
      const committeeId = done.body.createdPartyOrgs[0].id
      const committee = await orgRow(committeeId)
      expect(committee).toMatchObject({ kind: 'committee', name: '陈店新村党委', unit_id: newVillageId, parent_id: townCommittee.id, established_date: '2026-06-01' })
      expect((await orgRow(b1.id)).parent_id).toBe(committeeId)
      expect((await orgRow(g1.id)).path).toBe(`${committee.path}${b1.id}/${g1.id}/`)
      await assertTreesConsistent()

      const stats = await townAdmin.get(`/api/units/${newVillageId}/stats`)
      expect(stats.body).toMatchObject({ units: { grid: 3, village: 0 }, households: 6, people: 19, partyOrgs: 4, partyMembers: 5 })

      expect(await count('audit_log')).toBe(auditBefore + 1)
      const audit = await t.admin.get('/api/audit?action=units.restructure')
      expect(audit.body.total).toBe(1)
      expect(audit.body.items[0]).toMatchObject({ action: 'units.restructure.merge_villages', entityType: 'restructure_event', entityId: String(done.body.event.id), reason: '六联六促' })
      expect(audit.body.items[0].before.units.find((u: any) => u.id === v1.id)).toMatchObject({ type: 'village', parentId: f.jianglou.id })
      expect(audit.body.items[0].after.units.find((u: any) => u.id === v1.id)).toMatchObject({ type: 'grid', parentId: newVillageId })

      const lineage = await townAdmin.get(`/api/units/${newVillageId}/lineage`)
      expect(lineage.body.predecessors.map((p: any) => [p.unit.id, p.insideSubtree, p.shared])).toEqual([[v1.id, true, false], [v2.id, true, false], [v3.id, true, false]])
      expect(lineage.body.events.map((e: any) => e.id)).toEqual([done.body.event.id])
      const event = await townAdmin.get(`/api/restructure-events/${done.body.event.id}`)
      expect(event.body).toMatchObject({ kind: 'merge_villages', effectiveDate: '2026-06-01', anchorUnitId: f.jianglou.id, anchorUnitName: '姜楼镇', actorUsername: expect.any(String) })
      expect(event.body.plan).toEqual(plan)
      expect(event.body.lineage).toHaveLength(3)

      // a fourth village joins the existing new village and its grids continue the numbering
      const v4 = await createUnit(t, { parentId: f.jianglou.id, type: 'village', name: '后李村', code: '371524101204' })
      const b4 = await insertPartyOrg(t, { unitId: v4.id, kind: 'branch', name: '后李村党支部', parentId: townCommittee.id })
      const join = await townAdmin.post('/api/restructure/merge-villages', { villageIds: [v4.id], newVillageId })
      expect(join.status).toBe(201)
      expect(join.body.plan.party.created).toEqual([])
      expect(await unitRow(v4.id)).toMatchObject({ type: 'grid', code: '371524101201004', parent_id: newVillageId })
      expect((await orgRow(b4.id)).parent_id).toBe(committeeId)
      await assertTreesConsistent()
    })

    it('re-divides 吉祥苑社区 from 3 grids to 5 with the party chain 社区党委—网格党支部—楼院党小组', async () => {
      const f = await dongECounty(t, { grids: 3, compoundsPerGrid: 2, buildingsPerCompound: 2 })
      const [g1, g2, g3] = f.grids as [Fixture['grids'][0], Fixture['grids'][0], Fixture['grids'][0]]
      const c = (g: number, i: number) => f.grids[g - 1]!.compounds[i - 1]!
      const committee = await insertPartyOrg(t, { unitId: f.jixiangyuan.id, kind: 'committee', name: '吉祥苑社区党委' })
      const oldBranch = await insertPartyOrg(t, { unitId: g1.id, kind: 'branch', name: '吉祥苑第1网格党支部', parentId: committee.id })
      const oldGroup = await insertPartyOrg(t, { unitId: c(1, 1).id, kind: 'group', name: '吉祥苑1-1小区党小组', parentId: oldBranch.id })
      await insertPartyMembers(t, oldBranch.id, c(1, 1).id, 2)
      await insertHouseholds(t, c(1, 1).id, 3, 2)
      await insertHouseholds(t, c(3, 2).buildings[1]!.id, 2, 3)
      const townAdmin = await userWith(t, 'town_admin', f.tongcheng.id)
      const loneBuilding = c(3, 2).buildings[1]!
      const body = {
        communityId: f.jixiangyuan.id, partyChain: true, effectiveDate: '2026-03-15',
        grids: [
          { name: '新第1网格', compoundIds: [c(1, 1).id], buildingIds: [loneBuilding.id] },
          { name: '新第2网格', compoundIds: [c(1, 2).id, c(2, 1).id] },
          { name: '新第3网格', compoundIds: [c(2, 2).id] },
          { name: '新第4网格', compoundIds: [c(3, 1).id] },
          { name: '新第5网格', compoundIds: [c(3, 2).id] },
        ],
      }
      const preview = await townAdmin.post('/api/restructure/redivide-grids/preview', body)
      expect(preview.status).toBe(200)
      const plan = preview.body
      expect(plan.title).toBe('吉祥苑社区网格重新划分(3个→5个)')
      expect(plan.counts).toMatchObject({ unitsCreated: 5, unitsMoved: 7, unitsArchived: 3, compounds: 6, buildings: 12, households: 5, people: 6 + 6 + 2, partyOrgs: 1, partyMembers: 0 })
      expect(plan.lists.compounds.map((u: any) => u.id).sort()).toEqual(f.grids.flatMap((g) => g.compounds.map((x) => x.id)).sort())
      expect(plan.created.map((g: any) => g.code)).toEqual(['371524001001004', '371524001001005', '371524001001006', '371524001001007', '371524001001008'])
      expect(plan.archived.map((u: any) => u.id)).toEqual([g1.id, g2.id, g3.id])
      expect(plan.lineage.map((l: any) => `${l.predecessor.id}>${l.successor.ref}`).sort()).toEqual([
        `${g1.id}>grid-1`, `${g1.id}>grid-2`, `${g2.id}>grid-2`, `${g2.id}>grid-3`, `${g3.id}>grid-1`, `${g3.id}>grid-4`, `${g3.id}>grid-5`,
      ].sort())
      expect(plan.party.created.filter((o: any) => o.kind === 'branch').map((o: any) => o.name)).toEqual(['新第1网格党支部', '新第2网格党支部', '新第3网格党支部', '新第4网格党支部', '新第5网格党支部'])
      expect(plan.party.created.filter((o: any) => o.kind === 'group')).toHaveLength(5)
      expect(plan.party.reparented).toEqual([expect.objectContaining({ org: expect.objectContaining({ id: oldGroup.id }), to: expect.objectContaining({ ref: 'branch-1' }) })])
      expect(plan.warnings).toEqual([expect.objectContaining({ code: 'party_org_stays', unitId: g1.id, orgId: oldBranch.id })])

      const done = await townAdmin.post('/api/restructure/redivide-grids', { ...body, planHash: plan.planHash })
      expect(done.status).toBe(201)
      expect(done.body.plan).toEqual(plan)
      const ids = new Map<string, number>(done.body.createdUnits.map((x: any) => [x.ref, x.id]))
      expect((await unitRow(c(1, 1).id)).parent_id).toBe(ids.get('grid-1'))
      expect((await unitRow(c(2, 1).id)).parent_id).toBe(ids.get('grid-2'))
      expect((await unitRow(c(3, 2).id)).parent_id).toBe(ids.get('grid-5'))
      expect(await unitRow(loneBuilding.id)).toMatchObject({ parent_id: ids.get('grid-1'), depth: 4 })
      expect((await unitRow(c(3, 2).buildings[0]!.id)).parent_id).toBe(c(3, 2).id)
      for (const g of [g1, g2, g3]) expect(await unitRow(g.id)).toMatchObject({ status: 'archived', archived_at: expect.any(String) })
      await assertTreesConsistent()

      const orgIds = new Map<string, number>(done.body.createdPartyOrgs.map((x: any) => [x.ref, x.id]))
      const branch1 = await orgRow(orgIds.get('branch-1')!)
      expect(branch1).toMatchObject({ kind: 'branch', name: '新第1网格党支部', unit_id: ids.get('grid-1'), parent_id: committee.id })
      expect(await orgRow(oldGroup.id)).toMatchObject({ parent_id: branch1.id, path: `${branch1.path}${oldGroup.id}/` })
      expect(await orgRow(orgIds.get(`group-${c(2, 1).id}`)!)).toMatchObject({ kind: 'group', name: '吉祥苑2-1小区党小组', unit_id: c(2, 1).id, parent_id: orgIds.get('branch-2') })

      const children = await townAdmin.get(`/api/units/${f.jixiangyuan.id}/children`)
      expect(children.body.items.map((u: any) => [u.name, u.childCount])).toEqual([['新第1网格', 2], ['新第2网格', 2], ['新第3网格', 1], ['新第4网格', 1], ['新第5网格', 1]])
      const withArchived = await townAdmin.get(`/api/units/${f.jixiangyuan.id}/children?status=all`)
      expect(withArchived.body.total).toBe(8)

      // lineage: old grid 3 was shared out among three new grids; new grid 1 descends from old grids 1 and 3
      const closure = await lineageClosure(db(), ids.get('grid-1')!)
      expect(closure.predecessors.map((p) => [p.unitId, p.distance, p.insideSubtree, p.shared])).toEqual([[g1.id, 1, false, true], [g3.id, 1, false, true]])
      const oldLineage = await townAdmin.get(`/api/units/${g3.id}/lineage`)
      expect(oldLineage.body.successors.map((s: any) => s.unit.name)).toEqual(['新第1网格', '新第4网格', '新第5网格'])

      const worker = await userWith(t, 'community_worker', f.luoshenhu.id)
      expect((await worker.get('/api/restructure-events')).body.total).toBe(0)
      expect((await worker.get(`/api/restructure-events/${done.body.event.id}`)).status).toBe(403)
      const jxyWorker = await userWith(t, 'community_worker', f.jixiangyuan.id)
      expect((await jxyWorker.get('/api/restructure-events')).body.items.map((e: any) => e.id)).toEqual([done.body.event.id])
    })

    it('refuses an incomplete re-division, a taken grid code and a stale preview, changing nothing', async () => {
      const f = await dongECounty(t, { grids: 2, compoundsPerGrid: 2 })
      const townAdmin = await userWith(t, 'town_admin', f.tongcheng.id)
      const [a, b] = f.grids as [Fixture['grids'][0], Fixture['grids'][0]]
      const before = await state()
      const incomplete = await townAdmin.post('/api/restructure/redivide-grids', {
        communityId: f.jixiangyuan.id, grids: [{ name: 'A', compoundIds: [a.compounds[0]!.id, a.compounds[1]!.id] }, { name: 'B', compoundIds: [b.compounds[0]!.id] }],
      })
      expect(incomplete.status).toBe(400)
      expect(incomplete.body.error.code).toBe('restructure_incomplete')
      expect(incomplete.body.error.details.unassigned.map((u: any) => u.id)).toEqual([b.compounds[1]!.id])
      const all = [{ name: 'A', compoundIds: [a.compounds[0]!.id, a.compounds[1]!.id] }, { name: 'B', compoundIds: [b.compounds[0]!.id, b.compounds[1]!.id] }]
      const taken = await townAdmin.post('/api/restructure/redivide-grids', { communityId: f.jixiangyuan.id, grids: [{ ...all[0], code: '371524001001001' }, all[1]] })
      expect(taken.status).toBe(409)
      expect(taken.body.error.code).toBe('unit_code_taken')
      const twice = await townAdmin.post('/api/restructure/redivide-grids', { communityId: f.jixiangyuan.id, grids: [all[0], { name: 'B', compoundIds: [a.compounds[0]!.id, b.compounds[0]!.id, b.compounds[1]!.id] }] })
      expect(twice.body.error.code).toBe('restructure_invalid')
      const foreign = await townAdmin.post('/api/restructure/redivide-grids', { communityId: f.jixiangyuan.id, grids: [...all, { name: 'C', compoundIds: [f.luoshenhuCompound.id] }] })
      expect(foreign.body.error.code).toBe('restructure_invalid')
      const notCompound = await townAdmin.post('/api/restructure/redivide-grids', { communityId: f.jixiangyuan.id, grids: [...all, { name: 'C', compoundIds: [a.compounds[0]!.buildings[0]!.id] }] })
      expect(notCompound.body.error.code).toBe('unit_wrong_type')
      await expectUnchanged(before)

      const preview = await townAdmin.post('/api/restructure/redivide-grids/preview', { communityId: f.jixiangyuan.id, grids: all })
      await insertHouseholds(t, a.compounds[0]!.id, 1, 1)
      const stale = await townAdmin.post('/api/restructure/redivide-grids', { communityId: f.jixiangyuan.id, grids: all, planHash: preview.body.planHash })
      expect(stale.status).toBe(409)
      expect(stale.body.error.code).toBe('restructure_plan_changed')
      const fresh = await townAdmin.post('/api/restructure/redivide-grids/preview', { communityId: f.jixiangyuan.id, grids: all })
      expect(fresh.body.counts.households).toBe(preview.body.counts.households + 1)
      expect((await townAdmin.post('/api/restructure/redivide-grids', { communityId: f.jixiangyuan.id, grids: all, planHash: fresh.body.planHash })).status).toBe(201)
    })

    it('walks the ladder: 401 without a session, 400 on bad input, 403 without units.restructure or outside the subtree', async () => {
      const f = await dongECounty(t, { grids: 1, compoundsPerGrid: 1 })
      const body = { unitId: f.grids[0]!.compounds[0]!.id, newParentId: f.luoshenhuGrid.id }
      expect((await t.anon.post('/api/restructure/move/preview', body)).status).toBe(401)
      const bad = await t.admin.post('/api/restructure/move/preview', { ...body, effectiveDate: '2026-02-30' })
      expect(bad.status).toBe(400)
      expect((await t.admin.post('/api/restructure/move', { ...body, extra: 1 })).status).toBe(400)
      const worker = await userWith(t, 'community_worker', f.jixiangyuan.id)
      expect((await worker.post('/api/restructure/move/preview', body)).status).toBe(403)
      const otherTown = await userWith(t, 'town_admin', f.jianglou.id)
      const outside = await otherTown.post('/api/restructure/move/preview', body)
      expect(outside.status).toBe(403)
      expect(outside.body.error.code).toBe('forbidden')
      const before = await state()
      expect((await otherTown.post('/api/restructure/move', body)).status).toBe(403)
      await expectUnchanged(before)
      const townAdmin = await userWith(t, 'town_admin', f.tongcheng.id)
      expect((await townAdmin.post('/api/restructure/move/preview', body)).status).toBe(200)
    })

    it('moves a compound, and a grid to another community with a new grid code; refuses cycles, wrong parents and stale codes', async () => {
      const f = await dongECounty(t, { grids: 2, compoundsPerGrid: 1, buildingsPerCompound: 2 })
      const compound = f.grids[0]!.compounds[0]!
      const before = await state()
      const cycle = await t.admin.post('/api/restructure/move', { unitId: f.jixiangyuan.id, newParentId: f.grids[0]!.id })
      expect(cycle.status).toBe(400)
      expect(cycle.body.error.code).toBe('unit_cycle')
      const cycle2 = await t.admin.post('/api/restructure/move', { unitId: f.grids[0]!.id, newParentId: compound.buildings[0]!.id })
      expect(cycle2.body.error.code).toBe('unit_cycle')
      const intoBuilding = await t.admin.post('/api/restructure/move', { unitId: compound.id, newParentId: f.grids[1]!.compounds[0]!.buildings[0]!.id })
      expect(intoBuilding.status).toBe(400)
      expect(intoBuilding.body.error.code).toBe('invalid_unit_parent')
      const mismatch = await t.admin.post('/api/restructure/move', { unitId: f.jixiangyuan.id, newParentId: f.jianglou.id })
      expect(mismatch.body.error.code).toBe('unit_code_mismatch')
      const missing = await t.admin.post('/api/restructure/move', { unitId: 999999, newParentId: f.jianglou.id })
      expect(missing.status).toBe(404)
      await expectUnchanged(before)

      const preview = await t.admin.post('/api/restructure/move/preview', { unitId: compound.id, newParentId: f.grids[1]!.id })
      expect(preview.body.counts).toMatchObject({ unitsMoved: 1, compounds: 1, buildings: 2 })
      expect(preview.body.anchor.id).toBe(f.jixiangyuan.id)
      const moved = await t.admin.post('/api/restructure/move', { unitId: compound.id, newParentId: f.grids[1]!.id })
      expect(moved.status).toBe(201)
      expect(moved.body.plan).toEqual(preview.body)
      expect((await unitRow(compound.buildings[1]!.id)).path).toBe(`${f.grids[1]!.path}${compound.id}/${compound.buildings[1]!.id}/`)

      const grid = await t.admin.post('/api/restructure/move', { unitId: f.grids[0]!.id, newParentId: f.luoshenhu.id })
      expect(grid.status).toBe(201)
      expect(await unitRow(f.grids[0]!.id)).toMatchObject({ parent_id: f.luoshenhu.id, code: '371524001002002' })

      // a community changes sub-district with a new code; its grids' codes follow
      const town = await t.admin.post('/api/restructure/move', { unitId: f.jixiangyuan.id, newParentId: f.jianglou.id, code: '371524101301' })
      expect(town.status).toBe(201)
      expect((await unitRow(f.grids[1]!.id)).code).toBe('371524101301002')
      await assertTreesConsistent()
      const lineage = await t.admin.get(`/api/units/${f.jixiangyuan.id}/lineage`)
      expect(lineage.body.edges.map((e: any) => e.relation)).toEqual(['moved'])
      // the compound's move happened inside the community too
      expect(lineage.body.events.map((e: any) => e.kind)).toEqual(['move', 'move', 'move'])
    })

    it('merges grids, splits one, renames and archives; lineage is transitive; bad input changes nothing', async () => {
      const f = await dongECounty(t, { grids: 3, compoundsPerGrid: 2 })
      const [g1, g2, g3] = f.grids as [Fixture['grids'][0], Fixture['grids'][0], Fixture['grids'][0]]
      await insertHouseholds(t, g2.id, 1, 1)
      const before = await state()
      const notEmpty = await t.admin.post('/api/restructure/merge-grids', { gridIds: [g1.id, g2.id], targetGridId: g1.id })
      expect(notEmpty.status).toBe(409)
      expect(notEmpty.body.error.code).toBe('unit_not_empty')
      const wrongType = await t.admin.post('/api/restructure/merge-grids', { gridIds: [g1.id, g1.compounds[0]!.id], targetGridId: g1.id })
      expect(wrongType.body.error.code).toBe('unit_wrong_type')
      const notVillages = await t.admin.post('/api/restructure/merge-villages', { villageIds: [f.jixiangyuan.id, f.villages[0]!.id], newVillage: { townId: f.jianglou.id, name: '错村' } })
      expect(notVillages.body.error.code).toBe('unit_wrong_type')
      const takenCode = await t.admin.post('/api/restructure/merge-villages', { villageIds: [f.villages[0]!.id, f.villages[1]!.id], newVillage: { townId: f.jianglou.id, name: '新村', code: '371524101203' } })
      expect(takenCode.status).toBe(409)
      expect(takenCode.body.error.code).toBe('unit_code_taken')
      const both = await t.admin.post('/api/restructure/merge-grids', { gridIds: [g1.id, g3.id], targetGridId: g1.id, newGrid: { name: 'x' } })
      expect(both.body.error.code).toBe('restructure_invalid')
      await expectUnchanged(before)

      // g3 splits into two; then part 1 merges into g1: g1 ← part-1 ← g3
      const split = await t.admin.post('/api/restructure/split', {
        unitId: g3.id, parts: [{ name: '第3网格东', childIds: [g3.compounds[0]!.id] }, { name: '第3网格西', childIds: [g3.compounds[1]!.id] }],
      })
      expect(split.status).toBe(201)
      expect(split.body.plan.created.map((p: any) => p.code)).toEqual(['371524001001004', '371524001001005'])
      const east = split.body.createdUnits[0].id
      const merge = await t.admin.post('/api/restructure/merge-grids', { gridIds: [g1.id, east], targetGridId: g1.id })
      expect(merge.status).toBe(201)
      expect((await unitRow(g3.compounds[0]!.id)).parent_id).toBe(g1.id)
      expect(await unitRow(east)).toMatchObject({ status: 'archived' })
      const lineage = await t.admin.get(`/api/units/${g1.id}/lineage`)
      expect(lineage.body.predecessors.map((p: any) => [p.unit.id, p.distance, p.shared])).toEqual([[east, 1, false], [g3.id, 2, true]])
      const forward = await lineageClosure(db(), g3.id)
      expect(forward.successors.map((s) => s.unitId)).toEqual([east, split.body.createdUnits[1].id, g1.id])

      // a merge into a brand-new grid
      const west = split.body.createdUnits[1].id
      await db().deleteFrom('person').where('unit_id', '=', g2.id).execute()
      await db().deleteFrom('household').where('unit_id', '=', g2.id).execute()
      const fresh = await t.admin.post('/api/restructure/merge-grids', { gridIds: [g2.id, west], newGrid: { name: '合并网格' } })
      expect(fresh.status).toBe(201)
      expect(fresh.body.plan.created[0]).toMatchObject({ code: '371524001001006', parent: { id: f.jixiangyuan.id } })
      expect(fresh.body.plan.archived.map((u: any) => u.id)).toEqual([g2.id, west])

      const rename = await t.admin.post('/api/restructure/rename', { unitId: g1.id, name: '红旗网格', effectiveDate: '2026-01-01' })
      expect(rename.status).toBe(201)
      expect(rename.body.event.title).toBe('吉祥苑第1网格更名为红旗网格')
      expect((await unitRow(g1.id)).name).toBe('红旗网格')
      const renamedLineage = await t.admin.get(`/api/units/${g1.id}/lineage`)
      expect(renamedLineage.body.edges.map((e: any) => e.relation)).toContain('renamed')

      const hasChildren = await t.admin.post('/api/restructure/archive', { unitId: g1.id })
      expect(hasChildren.status).toBe(409)
      expect(hasChildren.body.error.code).toBe('unit_has_active_children')
      const building = await createUnit(t, { parentId: g1.compounds[0]!.id, type: 'building', name: '待拆楼' })
      const archived = await t.admin.post('/api/restructure/archive', { unitId: building.id })
      expect(archived.status).toBe(201)
      const again = await t.admin.post('/api/restructure/rename', { unitId: building.id, name: '又一楼' })
      expect(again.status).toBe(409)
      expect(again.body.error.code).toBe('unit_archived')
      const under = await t.admin.post('/api/restructure/move', { unitId: g1.compounds[1]!.id, newParentId: g3.id })
      expect(under.body.error.code).toBe('unit_archived')
      await assertTreesConsistent()

      const events = await t.admin.get(`/api/restructure-events?unitId=${f.jixiangyuan.id}`)
      expect(events.body.items.map((e: any) => e.kind).sort()).toEqual(['archive', 'merge_grids', 'merge_grids', 'rename', 'split'])
      const renames = await t.admin.get('/api/restructure-events?kind=rename&from=2026-01-01&to=2026-01-01')
      expect(renames.body.total).toBe(1)
      const audit = await t.admin.get('/api/audit?action=units.restructure')
      expect(audit.body.total).toBe(5)
    })
  })
})
