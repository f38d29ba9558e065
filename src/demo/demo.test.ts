import crypto from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, dialects, type TestApp } from '../../test/support/app.js'
import { connect } from '../db/connect.js'
import { migrateToLatest } from '../db/migrate.js'
import { idNumberFacts, isValidIdNumber, maskIdNumber, maskMobile, PiiCipher } from '../lib/pii.js'
import { shanghaiDay } from '../lib/time.js'
import { addYears } from '../modules/party/development-rules.js'
import { COMMUNITIES, JIXIANGYUAN } from './county.js'
import { DemoExistsError, demoDigest, generateDemo, type DemoResult } from './generate.js'
import { weightedSample } from './members.js'
import { creditCode, isValidCreditCode } from './names.js'
import { Random } from './random.js'
import { seedDemoOnStart } from './seed.js'

const PASSWORD = 'demo-password-for-tests'
const asOf = shanghaiDay(new Date())

describe('demo generator pieces', () => {
  it('draws exactly the requested number, favouring the heavy', () => {
    const rng = new Random(7)
    const weights = Array.from({ length: 1000 }, (_, i) => (i < 500 ? 1 : 3))
    const picked = weightedSample(rng, weights, 100)
    expect(picked).toHaveLength(100)
    expect(new Set(picked).size).toBe(100)
    expect(picked.filter((i) => i >= 500).length).toBeGreaterThan(60)
    expect(weightedSample(new Random(7), weights, 100)).toEqual(picked)
  })

  it('makes unified social credit codes with valid check characters', () => {
    const rng = new Random(1)
    for (let i = 0; i < 200; i++) {
      const code = creditCode(rng, i % 2 ? '91' : '11', '371524')
      expect(code).toMatch(/^(91|11)371524/)
      expect(isValidCreditCode(code)).toBe(true)
    }
    // a real one (国家税务总局公布的示例) and a corrupted copy
    expect(isValidCreditCode('91350100M000100Y43')).toBe(true)
    expect(isValidCreditCode('91350100M000100Y44')).toBe(false)
  })
})

describe.each(dialects)('demo county on %s', (dialect) => {
  let t: TestApp
  let result: DemoResult
  const progress: string[] = []

  beforeAll(async () => {
    t = await buildTestApp(dialect)
    result = await generateDemo(t.dbHandle.db, t.pii, {
      scale: 'tiny', password: PASSWORD, asOf, onProgress: (e) => { if (e.state === 'end') progress.push(e.phase) },
    })
  }, 180_000)
  afterAll(async () => {
    await t?.close()
  })

  const unitByName = async (type: string, name: string) => {
    const res = await t.admin.get(`/api/units?type=${type}&q=${encodeURIComponent(name)}&pageSize=50`)
    expect(res.status).toBe(200)
    const unit = res.body.items.find((u: { name: string }) => u.name === name)
    expect(unit, `${type} ${name}`).toBeDefined()
    return unit as { id: number; path: string; code: string; name: string }
  }

  it('reports every phase', () => {
    expect(progress).toEqual(['units', 'party', 'residents', 'members', 'restructuring', 'catalog', 'studios', 'accounts', 'checks', 'requests'])
    expect(result.accounts.map((a) => a.username)).toContain('demo_community_worker')
  })

  it('builds 东阿县 with its towns, exactly 12 communities and 220 compounds', async () => {
    const county = await unitByName('county', '东阿县')
    expect(county.code).toBe('371524')
    const towns = await t.admin.get('/api/units?type=town&pageSize=50')
    const subdistricts = await t.admin.get('/api/units?type=subdistrict&pageSize=50')
    expect(subdistricts.body.items.map((u: { name: string }) => u.name).sort()).toEqual(['新城街道', '铜城街道'])
    expect(towns.body.items.map((u: { name: string }) => u.name)).toEqual(expect.arrayContaining(['刘集镇', '牛角店镇', '姜楼镇', '鱼山镇', '油坊镇']))
    for (const u of [...towns.body.items, ...subdistricts.body.items]) expect(u.code).toMatch(/^371524\d{3}$/)
    const communities = await t.admin.get('/api/units?type=community&pageSize=50')
    expect(communities.body.total).toBe(12)
    expect((await t.admin.get('/api/units?type=compound&pageSize=1')).body.total).toBe(220)
    const villages = await t.admin.get('/api/units?type=village&pageSize=500')
    expect(villages.body.total).toBeGreaterThan(100)
    for (const v of villages.body.items) expect(v.code).toMatch(/^371524\d{6}$/)
    const grids = await t.admin.get('/api/units?type=grid&pageSize=500')
    for (const g of grids.body.items) expect(g.code).toMatch(/^371524\d{9}$/)
  })

  it('re-divided 吉祥苑社区 from 5 grids into 13 through the restructuring, with the party chain', async () => {
    const community = await unitByName('community', JIXIANGYUAN)
    const active = await t.admin.get(`/api/units/${community.id}/children?type=grid&pageSize=100`)
    expect(active.body.total).toBe(13)
    const archived = await t.admin.get(`/api/units/${community.id}/children?type=grid&status=archived&pageSize=100`)
    expect(archived.body.total).toBe(5)
    const lineage = await t.admin.get(`/api/units/${active.body.items[0].id}/lineage`)
    expect(lineage.status).toBe(200)
    expect(lineage.body.edges.some((e: { relation: string }) => e.relation === 'redivided_into')).toBe(true)
    expect(lineage.body.events.some((e: { kind: string }) => e.kind === 'redivide_grids')).toBe(true)
    // 社区党委 — 13 网格党支部 — a 楼院党小组 per compound; the old branches are dissolved
    const orgs = await t.admin.get(`/api/party/orgs?unitId=${community.id}&pageSize=200`)
    expect(orgs.status).toBe(200)
    const kinds = orgs.body.items.reduce((m: Record<string, number>, o: { kind: string }) => ({ ...m, [o.kind]: (m[o.kind] ?? 0) + 1 }), {})
    expect(kinds).toMatchObject({ committee: 1, branch: 13, group: 53 })
    // 23 resident units (驻区单位)
    expect((await t.admin.get(`/api/units/${community.id}/children?type=enterprise&pageSize=100`)).body.total).toBe(23)
  })

  it('merged villages into 陈店新村 and 店子新村 (with the 黄起元 grid village) through the real operation', async () => {
    const chendian = await unitByName('new_village', '陈店新村')
    const dianzi = await unitByName('new_village', '店子新村')
    const chendianGrids = await t.admin.get(`/api/units/${chendian.id}/children?type=grid&pageSize=50`)
    expect(chendianGrids.body.total).toBe(5)
    for (const g of chendianGrids.body.items) expect(g.code.startsWith(chendian.code)).toBe(true)
    const dianziGrids = await t.admin.get(`/api/units/${dianzi.id}/children?type=grid&pageSize=50`)
    const huang = dianziGrids.body.items.find((g: { name: string }) => g.name.startsWith('黄起元'))
    expect(huang).toBeDefined()
    const lineage = await t.admin.get(`/api/units/${huang.id}/lineage`)
    const merge = lineage.body.events.find((e: { kind: string }) => e.kind === 'merge_villages')
    expect(merge).toBeDefined()
    expect(merge.note).toContain('2000余亩')
    expect(lineage.body.edges.some((e: { relation: string; successorId: number }) => e.relation === 'became_grid_of' && e.successorId === dianzi.id)).toBe(true)
    // people moved with their villages
    const stats = await t.admin.get(`/api/units/${chendian.id}/stats`)
    expect(stats.body.people).toBeGreaterThan(0)
    expect(stats.body.partyOrgs).toBeGreaterThan(5)
  })

  it('has 153 enterprises in the development zone, among them 山东东阿东方阿胶股份有限公司, and the agencies', async () => {
    const park = await unitByName('park', '东阿经济开发区')
    const enterprises = await t.admin.get(`/api/units/${park.id}/children?type=enterprise&pageSize=200`)
    expect(enterprises.body.total).toBe(153)
    expect(enterprises.body.items.some((e: { name: string }) => e.name === '山东东阿东方阿胶股份有限公司')).toBe(true)
    for (const e of enterprises.body.items) expect(isValidCreditCode(e.code)).toBe(true)
    for (const name of ['东阿县公安局', '东阿县行政审批服务局', '东阿黄河河务局', '东阿县邮政分公司', '中共东阿县委组织部']) await unitByName('agency', name)
  })

  it('stores valid, encrypted identity numbers and phones, and about 6 % of adults are party members', async () => {
    const db = t.dbHandle.db
    const persons = await db.selectFrom('person').select(['id_number_enc', 'id_number_hash', 'id_number_masked', 'phone_enc', 'phone_hash', 'phone_masked', 'birth_date', 'gender']).execute()
    expect(persons.length).toBeGreaterThan(1000)
    let local = 0
    for (const p of persons) {
      expect(p.id_number_enc).toMatch(/^v1\./)
      const id = t.pii.decrypt(p.id_number_enc as string)
      expect(isValidIdNumber(id)).toBe(true)
      expect(p.id_number_hash).toBe(t.pii.lookupHash(id))
      expect(p.id_number_masked).toBe(maskIdNumber(id))
      expect(idNumberFacts(id)).toEqual({ birthDate: p.birth_date, gender: p.gender })
      if (id.startsWith('371524')) local++
      if (p.phone_enc) {
        const phone = t.pii.decrypt(p.phone_enc)
        expect(phone).toMatch(/^1[3-9]\d{9}$/)
        expect(p.phone_masked).toBe(maskMobile(phone))
        expect(p.phone_hash).toBe(t.pii.lookupHash(phone))
      }
    }
    expect(local / persons.length).toBeGreaterThan(0.9)
    const adults = persons.filter((p) => (p.birth_date as string) <= addYears(asOf, -18)).length
    const members = Number((await db.selectFrom('party_member').select((eb) => eb.fn.countAll<number>().as('n')).where('stage', 'in', ['full', 'probationary']).executeTakeFirstOrThrow()).n)
    expect(members / adults).toBeGreaterThan(0.055)
    expect(members / adults).toBeLessThan(0.065)
    // some in the pipeline, a few flagged, representatives with studios in every community
    const pipeline = await db.selectFrom('party_member').select('stage').where('stage', 'in', ['applicant', 'activist', 'candidate']).execute()
    expect(pipeline.length).toBeGreaterThan(0)
    const studios = await t.admin.get('/api/party/studios?pageSize=100')
    expect(studios.body.total).toBe(COMMUNITIES.length)
    // care tags at plausible rates
    const tags = await db.selectFrom('person_tag_link as l').innerJoin('person_tag as g', 'g.id', 'l.tag_id').select(['g.code']).execute()
    expect(tags.filter((x) => x.code === 'living_alone_elderly').length).toBeGreaterThan(0)
    expect(tags.filter((x) => x.code === 'disabled').length / persons.length).toBeLessThan(0.12)
  })

  it('gives every role a demo account that sees only its own subtree', async () => {
    const login = (role: string) => t.anon.login(`demo_${role}`, PASSWORD)
    const community = await unitByName('community', JIXIANGYUAN)
    const worker = await login('community_worker')
    const compounds = await worker.get('/api/units?type=compound&pageSize=100')
    expect(compounds.status).toBe(200)
    expect(compounds.body.total).toBe(53)
    for (const c of compounds.body.items) expect(c.path.startsWith(community.path)).toBe(true)
    // a 洛神湖社区 resident is out of reach
    const luoshenhu = await unitByName('community', '洛神湖社区')
    const outsider = await t.admin.get(`/api/residents?unitId=${luoshenhu.id}&pageSize=1`)
    expect(outsider.body.items.length).toBe(1)
    expect((await worker.get(`/api/residents/${outsider.body.items[0].id}`)).status).toBe(403)

    const grid = await login('grid_worker')
    const gridCompounds = await grid.get('/api/units?type=compound&pageSize=100')
    expect(gridCompounds.body.total).toBeGreaterThanOrEqual(4)
    expect(gridCompounds.body.total).toBeLessThanOrEqual(5)
    const town = await login('town_admin')
    const townCompounds = await town.get('/api/units?type=compound&pageSize=1')
    expect(townCompounds.body.total).toBe(COMMUNITIES.filter((c) => c.town === '铜城街道').reduce((a, c) => a + c.compounds, 0))
    const officer = await login('enterprise_officer')
    expect((await officer.get('/api/units?type=enterprise&pageSize=1')).body.total).toBe(153)
    for (const role of ['county_admin', 'org_dept', 'agency_staff', 'enterprise_user', 'property_staff', 'auditor']) {
      const me = await (await login(role)).get('/api/auth/me')
      expect(me.status).toBe(200)
      expect(me.body.grants.map((g: { role: string }) => g.role)).toEqual([role])
    }
  })

  it('leaves a history of requests, mostly closed and rated, some open, with consistent rollups', async () => {
    const db = t.dbHandle.db
    const rows = await db.selectFrom('request').select(['status', 'is_open', 'resolution_overdue', 'rating_satisfaction', 'assignee_id']).execute()
    expect(rows.length).toBe(result.requests)
    expect(rows.length).toBeGreaterThan(150)
    const done = rows.filter((r) => r.status === 'closed' || r.status === 'rated' || r.status === 'resolved').length
    expect(done / rows.length).toBeGreaterThan(0.7)
    expect(rows.filter((r) => r.is_open === 1).length).toBeGreaterThan(0)
    expect(rows.filter((r) => r.rating_satisfaction !== null).length / rows.length).toBeGreaterThan(0.5)
    // units with a demo account worked their cases through it
    expect(rows.filter((r) => r.assignee_id !== null).length).toBeGreaterThan(0)
    // the community worker's inbox holds only cases of 吉祥苑社区
    const community = await unitByName('community', JIXIANGYUAN)
    const worker = await t.anon.login('demo_community_worker', PASSWORD)
    const list = await worker.get('/api/requests?box=all&pageSize=100')
    expect(list.status).toBe(200)
    const locations = new Set(list.body.items.map((r: { locationUnitId: number }) => r.locationUnitId))
    const paths = await db.selectFrom('unit').select('path').where('id', 'in', [...locations, 0] as number[]).execute()
    for (const p of paths) expect(p.path.startsWith(community.path)).toBe(true)
    // rollups match a recount from the requests
    const submitted = await db.selectFrom('request_rollup').select((eb) => eb.fn.sum<number>('submitted').as('n'))
      .where('dim', '=', 'area').where('unit_id', '=', result.countyId).executeTakeFirstOrThrow()
    expect(Number(submitted.n)).toBe(rows.length)
  })

  it('refuses a second county and leaves a non-empty database alone at start', async () => {
    await expect(generateDemo(t.dbHandle.db, t.pii, { scale: 'tiny', password: PASSWORD })).rejects.toBeInstanceOf(DemoExistsError)
    expect(await seedDemoOnStart(t.dbHandle.db, t.pii, { demo: 'small', demoPassword: null }, () => undefined)).toBeNull()
  })

  it('gives the same county for the same seed (and another for another seed)', async () => {
    const digest = await demoDigest(t.dbHandle.db)
    const again = connect({ databaseUrl: null, sqliteFile: ':memory:' })
    try {
      await migrateToLatest(again)
      await generateDemo(again.db, new PiiCipher(crypto.randomBytes(32)), { scale: 'tiny', password: PASSWORD, asOf, requests: false })
      expect(await demoDigest(again.db)).toBe(digest)
    } finally {
      await again.close()
    }
    if (dialect !== 'sqlite') return
    const other = connect({ databaseUrl: null, sqliteFile: ':memory:' })
    try {
      await migrateToLatest(other)
      await generateDemo(other.db, new PiiCipher(crypto.randomBytes(32)), { scale: 'tiny', seed: 42, password: PASSWORD, asOf, requests: false })
      expect(await demoDigest(other.db)).not.toBe(digest)
    } finally {
      await other.close()
    }
  }, 180_000)
})
