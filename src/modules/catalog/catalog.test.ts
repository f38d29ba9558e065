import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, dialects, type Client, type TestApp } from '../../../test/support/app.js'
import { createUnit, smallCounty, userWith } from '../../../test/support/factories.js'
import { seedCatalog } from './seed.js'
import { crossRegionItems, elderlyCareItems, proxyItems } from './seed-data.js'
import { findOfferedItem, resolveRoute } from './service.js'

type Unit = { id: number; path: string; name: string }

describe.each(dialects)('service catalog on %s', (dialect) => {
  let t: TestApp
  let u: Awaited<ReturnType<typeof smallCounty>> & {
    compoundA: Unit; compoundA2: Unit; compoundB: Unit; buildingA: Unit; agency: Unit; propertyCo: Unit; propertyCo2: Unit; otherCounty: Unit; otherAgency: Unit
  }
  let workerA: Client
  let workerB: Client
  let gridWorkerA: Client
  const auditCount = async () => Number((await t.dbHandle.db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)
  const itemId = async (name: string): Promise<number> =>
    (await t.dbHandle.db.selectFrom('service_item').select('id').where('name', '=', name).executeTakeFirstOrThrow()).id
  const categoryId = async (code: string): Promise<number> =>
    (await t.dbHandle.db.selectFrom('service_category').select('id').where('code', '=', code).executeTakeFirstOrThrow()).id
  const route = async (client: Client, locationUnitId: number, item: string) => client.get(`/api/catalog/route?locationUnitId=${locationUnitId}&itemId=${await itemId(item)}`)

  beforeAll(async () => {
    t = await buildTestApp(dialect)
    const base = await smallCounty(t) // 吉祥苑社区 (A) and 洛神湖社区 (B), a grid in each
    const compoundA = await createUnit(t, { parentId: base.gridA.id, type: 'compound', name: '阳光小区' })
    const compoundA2 = await createUnit(t, { parentId: base.gridA.id, type: 'compound', name: '幸福里小区' })
    const buildingA = await createUnit(t, { parentId: compoundA.id, type: 'building', name: '3号楼' })
    const compoundB = await createUnit(t, { parentId: base.gridB.id, type: 'compound', name: '湖畔小区' })
    const agency = await createUnit(t, { parentId: base.county.id, type: 'agency', name: '行政审批服务局' })
    const propertyCo = await createUnit(t, { parentId: base.county.id, type: 'enterprise', name: '红旗物业' })
    const propertyCo2 = await createUnit(t, { parentId: base.county.id, type: 'enterprise', name: '安居物业' })
    const otherCounty = await createUnit(t, { parentId: null, type: 'county', name: '邻县' })
    const otherAgency = await createUnit(t, { parentId: otherCounty.id, type: 'agency', name: '邻县民政局' })
    u = { ...base, compoundA, compoundA2, compoundB, buildingA, agency, propertyCo, propertyCo2, otherCounty, otherAgency }
    workerA = await userWith(t, 'community_worker', base.communityA.id)
    workerB = await userWith(t, 'community_worker', base.communityB.id)
    gridWorkerA = await userWith(t, 'grid_worker', base.gridA.id)
  })
  afterAll(async () => { await t?.close() })

  it('seeds the demo catalog once: 23 proxy items, the elderly-care menu, 154 cross-region items', async () => {
    const first = await seedCatalog(t.dbHandle.db, { countyUnitId: u.county.id })
    expect(first.items).toEqual({ proxy: 23, elderlyCare: elderlyCareItems.length, crossRegion: 154, community: expect.any(Number) })
    expect(first.skipped).toEqual([])
    expect(new Set(crossRegionItems.map((i) => i.name)).size).toBe(154)
    expect(proxyItems).toHaveLength(23)
    const again = await seedCatalog(t.dbHandle.db, { countyUnitId: u.county.id })
    expect(again).toMatchObject({ categories: 0, items: { proxy: 0, elderlyCare: 0, crossRegion: 0, community: 0 } })

    const cross = await t.admin.get('/api/catalog/items?crossRegion=true&pageSize=500')
    expect(cross.body.total).toBe(154)
    expect(cross.body.items.every((i: any) => i.defaultUnitId === u.agency.id && i.ownerUnitType === 'agency' && i.crossRegion)).toBe(true)
    expect(cross.body.items.every((i: any) => !/事项\d/.test(i.name))).toBe(true)
    const proxy = await t.admin.get('/api/catalog/items?proxyHandling=true&pageSize=100')
    expect(proxy.body.total).toBe(23)
    expect(proxy.body.items.map((i: any) => i.name)).toEqual(expect.arrayContaining(['高龄津贴申领', '城乡居民养老保险参保登记', '城乡居民医保参保缴费', '残疾人两项补贴申领', '最低生活保障申请', '临时救助申请', '新生儿落户']))
    const elderly = await t.admin.get('/api/catalog/items?elderlyCare=true')
    expect(elderly.body.items.every((i: any) => i.unitId === u.communityB.id)).toBe(true)
    const general = proxy.body.items.find((i: any) => i.name === '高龄津贴申领')
    expect(general).toMatchObject({ priority: 'general', responseTime: { amount: 2, unit: 'working_hours' }, resolutionTime: { amount: 7, unit: 'working_days' }, responseTimeOverride: null })
  })

  it("shows residents the public menu of their location: 洛神湖社区's elderly care only there", async () => {
    const atB = await t.anon.get(`/api/public/catalog?unitId=${u.compoundB.id}`)
    expect(atB.status).toBe(200)
    expect(atB.body.location).toMatchObject({ id: u.compoundB.id, name: '湖畔小区', trail: ['测试县', '铜城街道', '洛神湖社区', '第一网格', '湖畔小区'] })
    const namesB = atB.body.items.map((i: any) => i.name)
    expect(namesB).toEqual(expect.arrayContaining(['助餐服务', '助浴服务', '紧急呼叫响应', '水电维修', '高龄津贴申领']))
    const atA = await t.anon.get(`/api/public/catalog?unitId=${u.buildingA.id}`)
    const namesA = atA.body.items.map((i: any) => i.name)
    expect(namesA).toContain('水电维修')
    expect(namesA).not.toContain('助餐服务')
    expect(atA.body.items.some((i: any) => i.elderlyCare)).toBe(false)
    // Categories listed are those used, with their parents; no internal unit ids leak.
    expect(atB.body.categories.map((c: any) => c.name)).toEqual(expect.arrayContaining(['爱老助老', '生活照料']))
    expect(atB.body.items[0]).not.toHaveProperty('defaultUnitId')
    const search = await t.anon.get(`/api/public/catalog?unitId=${u.compoundB.id}&q=${encodeURIComponent('助浴')}`)
    expect(search.body.items.map((i: any) => i.name)).toEqual(['助浴服务'])

    expect((await t.anon.get('/api/public/catalog?unitId=999999')).body.error.code).toBe('unit_not_found')
    expect((await t.anon.get('/api/public/catalog?unitId=abc')).status).toBe(400)
    expect((await t.anon.get('/api/public/catalog')).status).toBe(400)
  })

  it('limits the staff list to what a community can see, and its edits to its own subtree', async () => {
    const listA = await workerA.get('/api/catalog/items?pageSize=500')
    expect(listA.status).toBe(200)
    expect(listA.body.items.some((i: any) => i.elderlyCare)).toBe(false)
    expect(listA.body.items.some((i: any) => i.name === '高龄津贴申领')).toBe(true)
    const listB = await workerB.get('/api/catalog/items?elderlyCare=true')
    expect(listB.body.total).toBe(elderlyCareItems.length)
    const meal = await itemId('助餐服务')
    expect((await workerA.get(`/api/catalog/items/${meal}`)).status).toBe(403)
    expect((await workerB.get(`/api/catalog/items/${meal}`)).status).toBe(200)
    expect((await gridWorkerA.get(`/api/catalog/items/${meal}`)).status).toBe(403)
    expect((await workerA.get('/api/catalog/items/999999')).body.error.code).toBe('service_item_not_found')

    const daily = await categoryId('daily-care')
    const input = { code: 'jxy-ha-01', categoryId: daily, name: '助行器具租借', unitId: u.communityA.id, ownerUnitType: 'community', priority: 'general', elderlyCare: true }
    const audits = await auditCount()
    expect((await workerA.post('/api/catalog/items', { ...input, unitId: u.communityB.id })).status).toBe(403)
    expect((await workerA.post('/api/catalog/items', { ...input, unitId: u.county.id })).status).toBe(403)
    expect((await workerA.post('/api/catalog/items', { ...input, unitId: null })).status).toBe(403)
    expect((await gridWorkerA.post('/api/catalog/items', input)).status).toBe(403)
    expect(await auditCount()).toBe(audits)
    const created = await workerA.post('/api/catalog/items', input)
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({ code: 'jxy-ha-01', unitId: u.communityA.id, unitName: '吉祥苑社区', elderlyCare: true })
    expect(await auditCount()).toBe(audits + 1)
    // Now 吉祥苑 residents see it and 洛神湖 residents do not.
    expect((await t.anon.get(`/api/public/catalog?unitId=${u.compoundA.id}`)).body.items.map((i: any) => i.name)).toContain('助行器具租借')
    expect((await t.anon.get(`/api/public/catalog?unitId=${u.compoundB.id}`)).body.items.map((i: any) => i.name)).not.toContain('助行器具租借')

    // County-wide items and the other community's items are out of reach.
    expect((await workerA.patch(`/api/catalog/items/${await itemId('高龄津贴申领')}`, { name: '改名' })).status).toBe(403)
    expect((await workerA.patch(`/api/catalog/items/${meal}`, { name: '改名' })).status).toBe(403)
    expect((await workerA.patch(`/api/catalog/items/${created.body.id}`, { unitId: u.county.id })).status).toBe(403)
    const renamed = await workerA.patch(`/api/catalog/items/${created.body.id}`, { name: '助行器具免费租借', resolutionTime: { amount: 3, unit: 'working_days' } })
    expect(renamed.status).toBe(200)
    expect(renamed.body).toMatchObject({ name: '助行器具免费租借', resolutionTime: { amount: 3, unit: 'working_days' }, resolutionTimeOverride: { amount: 3, unit: 'working_days' } })
    const archived = await workerA.patch(`/api/catalog/items/${created.body.id}`, { status: 'archived' })
    expect(archived.body.status).toBe('archived')
    expect((await t.anon.get(`/api/public/catalog?unitId=${u.compoundA.id}`)).body.items.map((i: any) => i.name)).not.toContain('助行器具免费租借')
    const audit = await t.admin.get(`/api/audit?entityType=service_item&entityId=${created.body.id}`)
    expect(audit.body.items.map((e: any) => e.action)).toEqual(['catalog.item_archive', 'catalog.item_update', 'catalog.item_create'])
  })

  it('rejects bad items with a stable code and writes nothing', async () => {
    const daily = await categoryId('daily-care')
    const good = { code: 'bad-01', categoryId: daily, name: '测试事项', unitId: u.county.id, ownerUnitType: 'community', priority: 'general' }
    const audits = await auditCount()
    const cases: [unknown, number, string][] = [
      [{ ...good, categoryId: 999999 }, 404, 'category_not_found'],
      [{ ...good, code: 'px-01' }, 409, 'service_item_code_taken'],
      [{ ...good, unitId: 999999 }, 404, 'unit_not_found'],
      [{ ...good, ownerUnitType: 'agency' }, 400, 'validation_failed'],
      [{ ...good, defaultUnitId: u.otherAgency.id }, 400, 'unit_outside_county'],
      [{ ...good, defaultUnitId: u.compoundA.id }, 400, 'invalid_handling_unit'],
      [{ ...good, resolutionTime: { amount: 1.5, unit: 'working_days' } }, 400, 'invalid_duration'],
      [{ ...good, resolutionTime: { amount: 0, unit: 'hours' } }, 400, 'validation_failed'],
      [{ ...good, priority: 'whenever' }, 400, 'validation_failed'],
      [{ ...good, code: '中文编码' }, 400, 'validation_failed'],
      [{ ...good, materials: ['x'.repeat(201)] }, 400, 'validation_failed'],
    ]
    for (const [body, status, code] of cases) {
      const res = await t.admin.post('/api/catalog/items', body)
      expect(res.status, JSON.stringify(body)).toBe(status)
      expect(res.body.error.code).toBe(code)
    }
    expect((await t.admin.patch('/api/catalog/items/999999', { name: 'x' })).body.error.code).toBe('service_item_not_found')
    expect((await t.admin.patch(`/api/catalog/items/${await itemId('水电维修')}`, { code: 'renamed' })).status).toBe(400)
    expect(await auditCount()).toBe(audits)
    expect(await t.dbHandle.db.selectFrom('service_item').select('id').where('code', '=', 'bad-01').executeTakeFirst()).toBeUndefined()
  })

  it('keeps categories to two levels, deployment administrators only, and never archives one in use', async () => {
    const parent = await categoryId('elderly-care')
    const child = await categoryId('daily-care')
    expect((await workerA.post('/api/catalog/categories', { code: 'x-local', name: '本社区' })).status).toBe(403)
    const created = await t.admin.post('/api/catalog/categories', { code: 'hobby', name: '兴趣活动', parentId: parent })
    expect(created.status).toBe(201)
    expect((await t.admin.post('/api/catalog/categories', { code: 'hobby', name: '重复' })).body.error.code).toBe('category_code_taken')
    expect((await t.admin.post('/api/catalog/categories', { code: 'deep', name: '三级', parentId: child })).body.error.code).toBe('invalid_category_parent')
    expect((await t.admin.patch(`/api/catalog/categories/${parent}`, { parentId: await categoryId('civil-affairs') })).body.error.code).toBe('invalid_category_parent')
    expect((await t.admin.patch(`/api/catalog/categories/${child}`, { status: 'archived' })).body.error.code).toBe('category_in_use')
    expect((await t.admin.patch(`/api/catalog/categories/${created.body.id}`, { status: 'archived' })).body.status).toBe('archived')
    const list = await workerA.get('/api/catalog/categories')
    expect(list.status).toBe(200)
    expect(list.body.some((c: any) => c.code === 'hobby')).toBe(false)
    const daily = list.body.find((c: any) => c.code === 'daily-care')
    // 吉祥苑's worker counts none of 洛神湖's daily-care items (its own archived item does not count either).
    expect(daily.itemCount).toBe(0)
    expect((await t.admin.get('/api/catalog/categories')).body.find((c: any) => c.code === 'daily-care').itemCount).toBeGreaterThan(0)
    expect((await t.admin.get('/api/catalog/categories?status=all')).body.some((c: any) => c.code === 'hobby')).toBe(true)
  })

  it('routes by owner type up the tree, to the default unit, and falls back to the community (兜底)', async () => {
    // No property company yet: repairs fall back to the community.
    const repairA = await route(t.admin, u.buildingA.id, '水电维修')
    expect(repairA.body).toMatchObject({ unitId: u.communityA.id, via: 'fallback' })
    expect((await route(t.admin, u.compoundA.id, '噪音扰民')).body).toMatchObject({ unitId: u.gridA.id, via: 'owner_type' })
    // A location above the grid: the grid cannot be found, the community answers.
    expect((await route(t.admin, u.communityA.id, '垃圾清运')).body).toMatchObject({ unitId: u.communityA.id, via: 'fallback' })
    expect((await route(t.admin, u.compoundB.id, '私搭乱建')).body).toMatchObject({ unitId: u.subdistrict.id, via: 'owner_type' })
    expect((await route(t.admin, u.compoundB.id, '营业执照变更登记(住所)')).body).toMatchObject({ unitId: u.agency.id, via: 'default_unit' })
    expect((await route(t.admin, u.compoundB.id, '助餐服务')).body).toMatchObject({ unitId: u.communityB.id, via: 'owner_type' })
    // At the county itself nothing below exists: the county answers.
    expect((await route(t.admin, u.county.id, '垃圾清运')).body).toMatchObject({ unitId: u.county.id, via: 'fallback' })
  })

  it("assigns a compound's property company with history, and routes repairs to it", async () => {
    const audits = await auditCount()
    expect((await workerB.put(`/api/compounds/${u.compoundA.id}/property-company`, { propertyUnitId: u.propertyCo.id, since: '2026-01-01' })).status).toBe(403)
    expect((await gridWorkerA.put(`/api/compounds/${u.compoundA.id}/property-company`, { propertyUnitId: u.propertyCo.id, since: '2026-01-01' })).status).toBe(403)
    expect((await workerA.put(`/api/compounds/${u.gridA.id}/property-company`, { propertyUnitId: u.propertyCo.id, since: '2026-01-01' })).body.error.code).toBe('not_a_compound')
    expect((await workerA.put(`/api/compounds/${u.compoundA.id}/property-company`, { propertyUnitId: u.agency.id, since: '2026-01-01' })).body.error.code).toBe('not_a_property_company')
    expect((await workerA.put(`/api/compounds/${u.compoundA.id}/property-company`, { propertyUnitId: u.propertyCo.id, since: '2026-13-01' })).status).toBe(400)
    expect(await auditCount()).toBe(audits)

    const first = await workerA.put(`/api/compounds/${u.compoundA.id}/property-company`, { propertyUnitId: u.propertyCo.id, since: '2025-01-01', note: '业主大会选聘' })
    expect(first.status).toBe(200)
    expect(first.body.current).toMatchObject({ propertyUnitId: u.propertyCo.id, propertyName: '红旗物业', since: '2025-01-01', until: null })
    expect((await workerA.put(`/api/compounds/${u.compoundA.id}/property-company`, { propertyUnitId: u.propertyCo2.id, since: '2024-06-01' })).body.error.code).toBe('invalid_assignment_date')
    expect((await route(t.admin, u.buildingA.id, '水电维修')).body).toMatchObject({ unitId: u.propertyCo.id, via: 'owner_type', compoundUnitId: u.compoundA.id })
    // The complaint about the property company goes to the community, not to the company.
    expect((await route(t.admin, u.buildingA.id, '物业服务投诉')).body).toMatchObject({ unitId: u.communityA.id })

    // The company is replaced (exit procedure): history is kept, routing follows the date.
    const second = await workerA.put(`/api/compounds/${u.compoundA.id}/property-company`, { propertyUnitId: u.propertyCo2.id, since: '2026-01-01' })
    expect(second.body.current.propertyUnitId).toBe(u.propertyCo2.id)
    expect(second.body.history.map((h: any) => [h.propertyName, h.since, h.until])).toEqual([['安居物业', '2026-01-01', null], ['红旗物业', '2025-01-01', '2026-01-01']])
    expect((await resolveRoute(t.dbHandle.db, { locationUnitId: u.buildingA.id, itemId: await itemId('水电维修'), date: '2025-06-01' })).unitId).toBe(u.propertyCo.id)
    expect((await resolveRoute(t.dbHandle.db, { locationUnitId: u.buildingA.id, itemId: await itemId('水电维修'), date: '2026-06-01' })).unitId).toBe(u.propertyCo2.id)
    expect(await auditCount()).toBe(audits + 2)

    const view = await gridWorkerA.get(`/api/compounds/${u.compoundA.id}/property-company`)
    expect(view.status).toBe(200)
    expect((await workerB.get(`/api/compounds/${u.compoundA.id}/property-company`)).status).toBe(403)
    const served = await t.admin.get(`/api/property-companies/${u.propertyCo2.id}/compounds`)
    expect(served.body.compounds).toEqual([{ compoundUnitId: u.compoundA.id, compoundName: '阳光小区', since: '2026-01-01' }])
    expect((await t.admin.get(`/api/property-companies/${u.communityA.id}/compounds`)).body.error.code).toBe('not_a_property_company')
    const staff = await userWith(t, 'property_staff', u.propertyCo2.id)
    expect((await staff.get(`/api/property-companies/${u.propertyCo2.id}/compounds`)).status).toBe(200)
    expect((await staff.get(`/api/property-companies/${u.propertyCo.id}/compounds`)).status).toBe(403)
  })

  it('applies the most specific routing rule, with co-units, skipping rules that cannot apply', async () => {
    const disputes = await categoryId('disputes')
    const sanitation = await categoryId('sanitation')
    const noise = await itemId('噪音扰民')
    // Outside the community's subtree, or to another county: refused.
    expect((await workerA.post('/api/catalog/routing-rules', { locationUnitId: u.communityB.id, categoryId: disputes, targetKind: 'unit', targetUnitId: u.communityB.id })).status).toBe(403)
    expect((await workerA.post('/api/catalog/routing-rules', { locationUnitId: u.communityA.id, categoryId: disputes, targetKind: 'unit', targetUnitId: u.otherAgency.id })).body.error.code).toBe('unit_outside_county')
    expect((await workerA.post('/api/catalog/routing-rules', { locationUnitId: u.communityA.id, categoryId: disputes, itemId: noise, targetKind: 'unit', targetUnitId: u.communityA.id })).body.error.code).toBe('invalid_routing_rule')
    expect((await workerA.post('/api/catalog/routing-rules', { locationUnitId: u.communityA.id, categoryId: disputes, targetKind: 'unit' })).body.error.code).toBe('invalid_routing_rule')
    expect((await workerA.post('/api/catalog/routing-rules', { locationUnitId: u.communityA.id, categoryId: disputes, targetKind: 'property_company', targetUnitId: u.propertyCo.id })).body.error.code).toBe('invalid_routing_rule')
    expect((await workerA.post('/api/catalog/routing-rules', { locationUnitId: u.communityA.id, categoryId: disputes, targetKind: 'unit', targetUnitId: u.compoundA.id })).body.error.code).toBe('invalid_handling_unit')
    expect((await workerA.post('/api/catalog/routing-rules', { locationUnitId: u.communityA.id, categoryId: 999999, targetKind: 'unit', targetUnitId: u.communityA.id })).body.error.code).toBe('category_not_found')

    // Category rule in 吉祥苑: disputes go to the community, with the grid co-handling.
    const categoryRule = await workerA.post('/api/catalog/routing-rules', {
      locationUnitId: u.communityA.id, categoryId: disputes, targetKind: 'unit', targetUnitId: u.communityA.id, coUnitIds: [u.gridA.id], note: '矛盾纠纷由社区调委会主办',
    })
    expect(categoryRule.status).toBe(201)
    expect((await route(t.admin, u.compoundA.id, '噪音扰民')).body).toMatchObject({ unitId: u.communityA.id, via: 'rule', ruleId: categoryRule.body.id, coUnits: [{ id: u.gridA.id, name: '第一网格' }] })
    expect((await route(t.admin, u.compoundB.id, '噪音扰民')).body).toMatchObject({ unitId: u.gridB.id, via: 'owner_type' })

    // An item rule at the county beats the category rule in the community; a deeper item rule beats it in turn.
    const countyItemRule = await t.admin.post('/api/catalog/routing-rules', { locationUnitId: u.county.id, itemId: noise, targetKind: 'unit', targetUnitId: u.subdistrict.id })
    expect((await route(t.admin, u.compoundA.id, '噪音扰民')).body).toMatchObject({ unitId: u.subdistrict.id, ruleId: countyItemRule.body.id })
    const gridItemRule = await workerA.post('/api/catalog/routing-rules', { locationUnitId: u.gridA.id, itemId: noise, targetKind: 'unit', targetUnitId: u.gridA.id })
    expect((await route(t.admin, u.compoundA.id, '噪音扰民')).body).toMatchObject({ unitId: u.gridA.id, ruleId: gridItemRule.body.id })
    // Same place and matter: the higher priority wins.
    const urgent = await workerA.post('/api/catalog/routing-rules', { locationUnitId: u.gridA.id, itemId: noise, targetKind: 'unit', targetUnitId: u.communityA.id, priority: 5 })
    expect((await route(t.admin, u.compoundA.id, '噪音扰民')).body.ruleId).toBe(urgent.body.id)
    // Inactive rules do not apply.
    expect((await workerA.patch(`/api/catalog/routing-rules/${urgent.body.id}`, { active: false })).body.active).toBe(false)
    expect((await route(t.admin, u.compoundA.id, '噪音扰民')).body.ruleId).toBe(gridItemRule.body.id)

    // "The compound's property company": applies where a company serves, skipped where none does.
    const toProperty = await workerA.post('/api/catalog/routing-rules', { locationUnitId: u.communityA.id, categoryId: sanitation, targetKind: 'property_company' })
    expect(toProperty.status).toBe(201)
    expect((await route(t.admin, u.buildingA.id, '垃圾清运')).body).toMatchObject({ via: 'rule', ruleId: toProperty.body.id, compoundUnitId: u.compoundA.id })
    expect((await route(t.admin, u.compoundA2.id, '垃圾清运')).body).toMatchObject({ unitId: u.gridA.id, via: 'owner_type' })

    // A rule whose unit was archived is skipped.
    await t.dbHandle.db.updateTable('unit').set({ status: 'archived' }).where('id', '=', u.subdistrict.id).execute()
    await workerA.delete(`/api/catalog/routing-rules/${gridItemRule.body.id}`)
    expect((await route(t.admin, u.compoundA.id, '噪音扰民')).body).toMatchObject({ unitId: u.communityA.id, ruleId: categoryRule.body.id })
    await t.dbHandle.db.updateTable('unit').set({ status: 'active' }).where('id', '=', u.subdistrict.id).execute()

    // Lists: 吉祥苑's worker sees its rules and the county's, 洛神湖's worker only the county's.
    const listA = await workerA.get('/api/catalog/routing-rules')
    expect(listA.body.items.map((r: any) => r.id)).toEqual(expect.arrayContaining([categoryRule.body.id, countyItemRule.body.id, toProperty.body.id]))
    const listB = await workerB.get('/api/catalog/routing-rules')
    expect(listB.body.items.map((r: any) => r.id)).toEqual([countyItemRule.body.id])
    expect((await workerB.patch(`/api/catalog/routing-rules/${categoryRule.body.id}`, { priority: 9 })).status).toBe(403)
    expect((await workerB.delete(`/api/catalog/routing-rules/${categoryRule.body.id}`)).status).toBe(403)
    expect((await workerA.delete(`/api/catalog/routing-rules/${countyItemRule.body.id}`)).status).toBe(403)
    expect((await workerA.delete('/api/catalog/routing-rules/999999')).body.error.code).toBe('routing_rule_not_found')
    // Route previews stay inside the caller's subtree.
    expect((await route(workerB, u.compoundA.id, '噪音扰民')).status).toBe(403)
    expect((await route(workerA, u.compoundA.id, '噪音扰民')).status).toBe(200)
    const audit = await t.admin.get('/api/audit?entityType=routing_rule&pageSize=100')
    expect(audit.body.items.map((e: any) => e.action)).toEqual(expect.arrayContaining(['catalog.rule_create', 'catalog.rule_update', 'catalog.rule_delete']))
  })

  it('gives intake the item a request may use at a location', async () => {
    const meal = await itemId('助餐服务')
    await expect(findOfferedItem(t.dbHandle.db, { itemId: meal, locationUnitId: u.compoundB.id, audience: 'public' })).resolves.toMatchObject({ name: '助餐服务' })
    await expect(findOfferedItem(t.dbHandle.db, { itemId: meal, locationUnitId: u.compoundA.id, audience: 'public' })).rejects.toMatchObject({ code: 'service_item_not_offered' })
    await expect(findOfferedItem(t.dbHandle.db, { code: 'xr-001', locationUnitId: u.compoundA.id, audience: 'public' })).resolves.toMatchObject({ crossRegion: true })
    await expect(findOfferedItem(t.dbHandle.db, { code: 'nope', locationUnitId: u.compoundA.id, audience: 'public' })).rejects.toMatchObject({ code: 'service_item_not_found' })
    const internal = await t.admin.post('/api/catalog/items', {
      code: 'internal-01', categoryId: await categoryId('safety'), name: '网格巡查发现隐患', unitId: u.county.id, ownerUnitType: 'grid', priority: 'urgent', visibility: 'internal',
    })
    expect(internal.status).toBe(201)
    await expect(findOfferedItem(t.dbHandle.db, { itemId: internal.body.id, locationUnitId: u.compoundA.id, audience: 'public' })).rejects.toMatchObject({ code: 'service_item_not_found' })
    await expect(findOfferedItem(t.dbHandle.db, { itemId: internal.body.id, locationUnitId: u.compoundA.id, audience: 'staff' })).resolves.toMatchObject({ visibility: 'internal' })
    expect((await t.anon.get(`/api/public/catalog?unitId=${u.compoundA.id}`)).body.items.map((i: any) => i.code)).not.toContain('internal-01')
  })
})
