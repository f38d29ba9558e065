import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SaxesParser } from 'saxes'
import { buildTestApp, dialects, type Client, type TestApp, type TestResponse } from '../../../test/support/app.js'
import { createServiceItem, createUnit, submitPublicRequest, userWith } from '../../../test/support/factories.js'
import { open311KeyCli } from './cli.js'
import { parseForm } from './routes.js'
import { redact } from './publication.js'
import { parseW3c, toW3c, windowOf } from './dates.js'
import { boundaryContains } from './location.js'

// --- reading XML with a strict parser -----------------------------------------------------------------

interface XmlNode {
  name: string
  children: XmlNode[]
  text: string
}

function parseXml(text: string): { root: XmlNode; encoding: string | undefined } {
  const parser = new SaxesParser()
  const stack: XmlNode[] = []
  let root: XmlNode | null = null
  let encoding: string | undefined
  parser.on('xmldecl', (decl) => { encoding = decl.encoding })
  parser.on('opentag', (tag) => {
    const node: XmlNode = { name: tag.name, children: [], text: '' }
    stack[stack.length - 1]?.children.push(node)
    stack.push(node)
    root ??= node
  })
  parser.on('text', (t) => { const top = stack[stack.length - 1]; if (top) top.text += t })
  parser.on('closetag', () => { stack.pop() })
  parser.on('error', (err) => { throw err })
  parser.write(text).close()
  if (!root) throw new Error('no root element')
  return { root, encoding }
}
const kids = (n: XmlNode, name: string) => n.children.filter((c) => c.name === name)
const leaf = (n: XmlNode, name: string) => kids(n, name)[0]?.text

// --- helpers ------------------------------------------------------------------------------------------

const V2 = '/open311/v2'
const W3C_SHANGHAI = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/
const PHONE = '13912345678'

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString()

async function post311(client: Client, fields: Record<string, string>, format: 'json' | 'xml' = 'json', headers: Record<string, string> = {}): Promise<TestResponse> {
  return client.request('POST', `${V2}/requests.${format}`, form(fields), { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', ...headers })
}

describe.each(dialects)('Open311 GeoReport v2 on %s', (dialect) => {
  let t: TestApp
  let u: {
    county: { id: number }; subdistrict: { id: number }; communityA: { id: number; path: string }; communityB: { id: number }; gridA: { id: number }; gridB: { id: number }
    compoundA: { id: number; code: string }; buildingA: { id: number; code: string }; compoundB: { id: number; code: string }
  }
  let items: { repair: any; elderly: any; internal: any; restricted: any }
  let keyA: string
  let keyAId: number
  let keyCounty: string
  let workerA: Client
  /** Every Open311 answer body seen, to look for personal information at the end. */
  const seen: string[] = []
  const get = async (url: string, headers?: Record<string, string>) => {
    const res = await t.anon.get(url, headers)
    seen.push(res.text)
    return res
  }
  const post = async (fields: Record<string, string>, format: 'json' | 'xml' = 'json', headers: Record<string, string> = {}) => {
    const res = await post311(t.anon, fields, format, headers)
    seen.push(res.text)
    return res
  }
  const detail = async (client: Client, id: string | number) => (await client.get(`/api/requests/${id}`)).body
  const step = async (client: Client, id: string | number, action: string, body: Record<string, unknown> = {}) => {
    const res = await client.post(`/api/requests/${id}/${action}`, { version: (await detail(client, id)).version, ...body })
    expect(res.status, res.text).toBe(200)
    return res.body
  }

  beforeAll(async () => {
    t = await buildTestApp(dialect)
    const county = await createUnit(t, { parentId: null, type: 'county', name: '东阿县', code: '371524' })
    const subdistrict = await createUnit(t, { parentId: county.id, type: 'subdistrict', name: '铜城街道', code: '371524001' })
    const communityA = await createUnit(t, { parentId: subdistrict.id, type: 'community', name: '吉祥苑社区', code: '371524001001' })
    const communityB = await createUnit(t, { parentId: subdistrict.id, type: 'community', name: '洛神湖社区', code: '371524001002' })
    const gridA = await createUnit(t, { parentId: communityA.id, type: 'grid', name: '第一网格' })
    const gridB = await createUnit(t, { parentId: communityB.id, type: 'grid', name: '第一网格' })
    const boundary = { type: 'Polygon', coordinates: [[[116.24, 36.33], [116.25, 36.33], [116.25, 36.34], [116.24, 36.34], [116.24, 36.33]]] }
    const compoundA = await t.admin.post('/api/units', { parentId: gridA.id, type: 'compound', name: '幸福小区', code: 'XF-01', boundary })
    expect(compoundA.status, compoundA.text).toBe(201)
    const buildingA = await createUnit(t, { parentId: compoundA.body.id, type: 'building', name: '1号楼', code: 'XF-01-1' })
    const compoundB = await createUnit(t, { parentId: gridB.id, type: 'compound', name: '洛神湖小区', code: 'LSH-01' })
    u = {
      county, subdistrict, communityA, communityB, gridA, gridB,
      compoundA: { id: compoundA.body.id, code: 'XF-01' }, buildingA: { id: buildingA.id, code: 'XF-01-1' }, compoundB: { id: compoundB.id, code: 'LSH-01' },
    }
    const repair = await createServiceItem(t, { name: '水电维修', anonymousAllowed: true })
    items = {
      repair,
      elderly: await createServiceItem(t, { name: '助老陪诊', priority: 'urgent', anonymousAllowed: false, categoryId: repair.categoryId }),
      internal: await createServiceItem(t, { name: '内部事项', visibility: 'internal', categoryId: repair.categoryId }),
      restricted: await createServiceItem(t, { name: '洛神湖爱老助餐', unitId: communityB.id, categoryId: repair.categoryId }),
    }
    const a = await t.admin.post('/api/open311-keys', { name: '吉祥苑小程序', unitId: communityA.id })
    expect(a.status, a.text).toBe(201)
    keyA = a.body.key
    keyAId = a.body.id
    keyCounty = (await t.admin.post('/api/open311-keys', { name: '12345 热线对接', unitId: county.id })).body.key
    workerA = await userWith(t, 'community_worker', communityA.id)
  })
  afterAll(async () => { await t?.close() })

  it('answers discovery in JSON and XML, pointing at this endpoint', async () => {
    const json = await get(`${V2}/discovery.json`)
    expect(json.status).toBe(200)
    expect(json.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(json.body.changeset).toMatch(W3C_SHANGHAI)
    expect(json.body.endpoints).toEqual([expect.objectContaining({
      specification: 'http://wiki.open311.org/GeoReport_v2', type: 'production', formats: ['text/xml', 'application/json'],
    })])
    expect(json.body.endpoints[0].url).toMatch(/\/open311\/v2$/)
    expect(json.body.contact).toContain('东阿县')
    expect(json.body.key_service).toContain('open311-key create')

    const xml = await get(`${V2}/discovery.xml`)
    expect(xml.headers['content-type']).toBe('text/xml; charset=utf-8')
    const { root, encoding } = parseXml(xml.text)
    expect(encoding).toBe('UTF-8')
    expect(root.name).toBe('discovery')
    expect(root.children.map((c) => c.name)).toEqual(['changeset', 'contact', 'key_service', 'endpoints'])
    const endpoint = kids(kids(root, 'endpoints')[0]!, 'endpoint')[0]!
    expect(leaf(endpoint, 'specification')).toBe('http://wiki.open311.org/GeoReport_v2')
    expect(kids(kids(endpoint, 'formats')[0]!, 'format').map((f) => f.text)).toEqual(['text/xml', 'application/json'])
  })

  it('lists the public, active catalog items as services (JSON and XML) and defines one', async () => {
    const json = await get(`${V2}/services.json`)
    expect(json.status).toBe(200)
    const byCode = new Map<string, any>(json.body.map((s: any) => [s.service_code, s]))
    expect([...byCode.keys()].sort()).toEqual([items.repair.code, items.elderly.code, items.restricted.code].sort())
    expect(byCode.get(items.repair.code)).toEqual({
      service_code: items.repair.code, service_name: '水电维修', description: null, metadata: false, type: 'realtime',
      keywords: items.repair.categoryName, group: items.repair.categoryName,
    })
    expect(byCode.get(items.restricted.code).description).toContain('洛神湖社区')

    const xml = await get(`${V2}/services.xml?jurisdiction_id=371524`)
    const { root } = parseXml(xml.text)
    expect(root.name).toBe('services')
    const services = kids(root, 'service')
    expect(services).toHaveLength(3)
    expect(root.children.every((c) => c.name === 'service')).toBe(true)
    expect(services[0]!.children.map((c) => c.name)).toEqual(['service_code', 'service_name', 'description', 'metadata', 'type', 'keywords', 'group'])
    const repair = services.find((s) => leaf(s, 'service_code') === items.repair.code)!
    expect([leaf(repair, 'service_name'), leaf(repair, 'metadata'), leaf(repair, 'type')]).toEqual(['水电维修', 'false', 'realtime'])

    const definition = await get(`${V2}/services/${items.repair.code}.json`)
    expect(definition.body).toEqual({ service_code: items.repair.code, attributes: [] })
    const defXml = parseXml((await get(`${V2}/services/${items.repair.code}.xml`)).text).root
    expect(defXml.name).toBe('service_definition')
    expect(defXml.children.map((c) => [c.name, c.children.length])).toEqual([['service_code', 0], ['attributes', 0]])

    for (const code of [items.internal.code, 'NO-SUCH']) {
      const missing = await get(`${V2}/services/${code}.json`)
      expect(missing.status).toBe(404)
      expect(missing.body).toEqual([{ code: 404, description: expect.stringContaining(code) }])
      expect(missing.headers['x-error-code']).toBe('open311_service_not_found')
    }
  })

  it('accepts the county code as jurisdiction_id and refuses an unknown one with 404 in the error format', async () => {
    expect((await get(`${V2}/services.json?jurisdiction_id=371524`)).status).toBe(200)
    const json = await get(`${V2}/requests.json?jurisdiction_id=999999`)
    expect(json.status).toBe(404)
    expect(json.body).toEqual([{ code: 404, description: expect.any(String) }])
    const xml = await get(`${V2}/services.xml?jurisdiction_id=999999`, { 'accept-language': 'en' })
    expect(xml.status).toBe(404)
    const { root } = parseXml(xml.text)
    expect(root.name).toBe('errors')
    const error = kids(root, 'error')[0]!
    expect(error.children.map((c) => c.name)).toEqual(['code', 'description'])
    expect([leaf(error, 'code'), leaf(error, 'description')]).toEqual(['404', 'jurisdiction_id was not found: no county has that code.'])
    // An address that is not a method is a 404 in the same format.
    const nowhere = await get(`${V2}/services.html`)
    expect([nowhere.status, nowhere.headers['x-error-code']]).toEqual([404, 'open311_route_not_found'])
  })

  it('refuses a POST without a key, with an unknown key and with a revoked key (403), creating nothing', async () => {
    const count = async () => Number((await t.dbHandle.db.selectFrom('request').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)
    const before = await count()
    const fields = { service_code: items.repair.code, address_id: u.compoundA.code, description: '楼道灯坏了' }
    const none = await post(fields)
    expect([none.status, none.headers['x-error-code']]).toEqual([403, 'open311_api_key_missing'])
    expect(none.body).toEqual([{ code: 403, description: expect.any(String) }])
    const wrong = await post({ ...fields, api_key: 'o311_not-a-key' }, 'xml')
    expect([wrong.status, wrong.headers['x-error-code']]).toEqual([403, 'open311_api_key_invalid'])
    expect(leaf(kids(parseXml(wrong.text).root, 'error')[0]!, 'code')).toBe('403')

    const issued = await t.admin.post('/api/open311-keys', { name: '将被吊销', unitId: u.communityA.id })
    expect((await post({ ...fields, api_key: issued.body.key })).status).toBe(200)
    const revoked = await t.admin.post(`/api/open311-keys/${issued.body.id}/revoke`)
    expect([revoked.status, revoked.body.revokedAt !== null]).toEqual([200, true])
    expect((await t.admin.post(`/api/open311-keys/${issued.body.id}/revoke`)).body.error.code).toBe('open311_key_revoked')
    const after = await post({ ...fields, api_key: issued.body.key })
    expect([after.status, after.headers['x-error-code']]).toEqual([403, 'open311_api_key_invalid'])
    expect(await count()).toBe(before + 1)
  })

  it('creates a request from a form POST through the intake (source open311), visible to staff with the phone encrypted and masked', async () => {
    const res = await post({
      api_key: keyA, jurisdiction_id: '371524', service_code: items.repair.code, address_id: u.buildingA.code, lat: '36.3351', long: '116.2452',
      first_name: '三', last_name: '张', phone: PHONE, email: 'zhang.san@example.com', device_id: 'device-1', account_id: 'acct-9',
      description: '3号楼2单元楼道灯不亮', media_url: 'https://img.example.com/p/1.jpg',
    })
    expect(res.status, res.text).toBe(200)
    expect(res.body).toEqual([{ service_request_id: expect.stringMatching(/^\d+$/), service_notice: '承诺 7 个工作日内办结', account_id: 'acct-9' }])
    const id = res.body[0].service_request_id
    const staff = await detail(t.admin, id)
    expect(staff).toMatchObject({
      source: 'open311', status: 'submitted', itemId: items.repair.id, locationUnitId: u.buildingA.id, handlerUnitId: u.communityA.id,
      description: '3号楼2单元楼道灯不亮', contactName: '张三', phoneMasked: '139****5678',
    })
    expect(staff.timeline[0]).toMatchObject({ kind: 'submitted', actorName: 'Open311 · 吉祥苑小程序' })
    const row = await t.dbHandle.db.selectFrom('request').select(['phone_enc', 'lat', 'lng']).where('id', '=', Number(id)).executeTakeFirstOrThrow()
    expect(row.phone_enc).not.toContain(PHONE)
    expect(t.pii.decrypt(row.phone_enc!)).toBe(PHONE)
    expect([row.lat, row.lng]).toEqual([36.3351, 116.2452])
    const extra = await t.dbHandle.db.selectFrom('open311_request').selectAll().where('request_id', '=', Number(id)).executeTakeFirstOrThrow()
    expect(extra).toMatchObject({ key_id: keyAId, media_url: 'https://img.example.com/p/1.jpg', account_id: 'acct-9' })
    expect(t.pii.decrypt(extra.email_enc!)).toBe('zhang.san@example.com')
    expect(extra.device_hash).not.toContain('device-1')
    const keys = await t.admin.get('/api/open311-keys')
    expect(keys.body.items.find((k: any) => k.id === keyAId)).toMatchObject({ requestCount: 1, lastUsedAt: expect.any(String) })

    // JSON bodies are accepted too, and XML answers use the specification's element names.
    const json = await t.anon.post(`${V2}/requests.xml`, { api_key: keyA, service_code: items.repair.code, address_id: u.compoundA.code, description: '水管漏水', phone: PHONE })
    seen.push(json.text)
    expect(json.status, json.text).toBe(200)
    const { root } = parseXml(json.text)
    expect(root.name).toBe('service_requests')
    const request = kids(root, 'request')[0]!
    expect(request.children.map((c) => c.name)).toEqual(['service_request_id', 'service_notice', 'account_id'])
    expect(leaf(request, 'service_request_id')).toMatch(/^\d+$/)
  })

  it('limits a key to its unit subtree and resolves address_string and lat/long to places', async () => {
    const base = { api_key: keyA, service_code: items.repair.code, description: '路灯不亮', phone: PHONE }
    const outside = await post({ ...base, address_id: u.compoundB.code })
    expect([outside.status, outside.headers['x-error-code']]).toEqual([403, 'open311_outside_key_area'])
    // 第一网格 exists in both communities: the key's own subtree decides.
    const byName = await post({ ...base, address_string: '第一网格' })
    expect(byName.status, byName.text).toBe(200)
    expect((await detail(t.admin, byName.body[0].service_request_id)).locationUnitId).toBe(u.gridA.id)
    // With a county-wide key the namesakes are ambiguous until the community is named.
    const county = { ...base, api_key: keyCounty }
    expect((await post({ ...county, address_string: '第一网格' })).headers['x-error-code']).toBe('open311_ambiguous_address')
    const named = await post({ ...county, address_string: '第一网格, 洛神湖社区' })
    expect(named.status, named.text).toBe(200)
    expect((await detail(t.admin, named.body[0].service_request_id)).locationUnitId).toBe(u.gridB.id)
    expect((await post({ ...county, address_string: '不存在的小区' })).headers['x-error-code']).toBe('open311_unknown_address')
    expect((await post({ ...county, address_string: 'LSH-01' })).status).toBe(200)
    // A point inside 幸福小区's boundary is 幸福小区; a point nowhere is a clear 400.
    const point = await post({ ...base, lat: '36.335', long: '116.245' })
    expect(point.status, point.text).toBe(200)
    expect((await detail(t.admin, point.body[0].service_request_id)).locationUnitId).toBe(u.compoundA.id)
    const nowhere = await post({ ...base, lat: '30.1', long: '120.2' })
    expect([nowhere.status, nowhere.headers['x-error-code']]).toEqual([400, 'open311_point_outside'])
    expect((await post({ ...base, lat: '36.335' })).headers['x-error-code']).toBe('open311_invalid_coordinates')
    expect((await post(base)).headers['x-error-code']).toBe('open311_location_required')
    expect((await post({ ...base, address_id: 'NO-SUCH' })).headers['x-error-code']).toBe('open311_unknown_address_id')
  })

  it('refuses unknown services (404 as the specification lists), services not offered there, attributes and bad fields (400)', async () => {
    const base = { api_key: keyA, address_id: u.compoundA.code, description: '测试', phone: PHONE }
    const unknown = await post({ ...base, service_code: 'NO-SUCH' })
    expect([unknown.status, unknown.headers['x-error-code']]).toEqual([404, 'open311_service_not_found'])
    expect((await post({ ...base, service_code: items.internal.code })).status).toBe(404)
    const notHere = await post({ ...base, service_code: items.restricted.code })
    expect([notHere.status, notHere.headers['x-error-code']]).toEqual([400, 'open311_service_not_offered'])
    const attributes = await t.anon.request('POST', `${V2}/requests.json`, `${form({ ...base, service_code: items.repair.code })}&attribute%5BWHISPAWN%5D=1&attribute%5BMULTI%5D%5B%5D=a&attribute%5BMULTI%5D%5B%5D=b`, { 'content-type': 'application/x-www-form-urlencoded' })
    expect([attributes.status, attributes.headers['x-error-code']]).toEqual([400, 'open311_no_attributes'])
    const missing = await post({ api_key: keyA, address_id: u.compoundA.code }, 'json', { 'accept-language': 'en' })
    expect([missing.status, missing.body]).toEqual([400, [{ code: 400, description: 'service_code was not provided' }]])
    const extra = await post({ ...base, service_code: items.repair.code, colour: 'red' }, 'json', { 'accept-language': 'en' })
    expect(extra.body).toEqual([{ code: 400, description: 'colour is not a parameter of this method' }])
    expect((await post({ ...base, service_code: items.repair.code, phone: '12345' })).headers['x-error-code']).toBe('invalid_phone')
    expect((await post({ ...base, service_code: items.repair.code, media_url: 'ftp://x/y.jpg' })).headers['x-error-code']).toBe('open311_invalid_media_url')
    expect((await post({ ...base, service_code: items.repair.code, email: 'not-an-email' })).status).toBe(400)
    // A matter that needs a way back to the resident needs a phone.
    const anonymous = await post({ api_key: keyA, address_id: u.compoundA.code, service_code: items.elderly.code })
    expect([anonymous.status, anonymous.headers['x-error-code']]).toEqual([400, 'anonymous_not_allowed'])
    // Empty parameters count as absent.
    expect((await post({ ...base, service_code: items.repair.code, lat: '', long: '', email: '' })).status).toBe(200)
    const tooBig = await t.anon.request('POST', `${V2}/requests.json`, form({ ...base, service_code: items.repair.code, description: 'x'.repeat(t.config.bodyLimitBytes) }), { 'content-type': 'application/x-www-form-urlencoded' })
    expect([tooBig.status, tooBig.headers['x-error-code']]).toEqual([413, 'payload_too_large'])
    const text = await t.anon.request('POST', `${V2}/requests.xml`, 'service_code=x', { 'content-type': 'text/plain' })
    expect([text.status, parseXml(text.text).root.name]).toEqual([415, 'errors'])
  })

  it('returns the first request again for a retried POST with the same Idempotency-Key', async () => {
    const fields = { api_key: keyA, service_code: items.repair.code, address_id: u.compoundA.code, description: '重试测试', phone: PHONE }
    const first = await post(fields, 'json', { 'idempotency-key': 'retry-key-0001' })
    const again = await post(fields, 'json', { 'idempotency-key': 'retry-key-0001' })
    expect(first.status).toBe(200)
    expect(again.body[0].service_request_id).toBe(first.body[0].service_request_id)
    const n = await t.dbHandle.db.selectFrom('request').select((eb) => eb.fn.countAll<number>().as('n')).where('description', '=', '重试测试').executeTakeFirstOrThrow()
    expect(Number(n.n)).toBe(1)
  })

  it('lists requests with the specification\'s filters, paging and windows; shows one request; maps tokens', async () => {
    const created: string[] = []
    for (const description of ['分页一', '分页二', '分页三']) {
      const res = await post({ api_key: keyA, service_code: items.elderly.code, address_id: u.compoundA.code, description, phone: PHONE })
      created.push(res.body[0].service_request_id)
    }
    const all = await get(`${V2}/requests.json`)
    expect(all.status).toBe(200)
    expect(all.body.length).toBeGreaterThanOrEqual(10)
    const ids = all.body.map((r: any) => Number(r.service_request_id))
    expect(ids).toEqual([...ids].sort((a, b) => b - a)) // newest first

    const byService = await get(`${V2}/requests.json?service_code=${items.elderly.code}`)
    expect(byService.body.map((r: any) => r.service_request_id).sort()).toEqual([...created].sort())
    expect(byService.body[0]).toMatchObject({ service_name: '助老陪诊', service_code: items.elderly.code, status: 'open', agency_responsible: '吉祥苑社区', service_notice: '承诺 24 小时内办结' })

    const page1 = await get(`${V2}/requests.json?service_code=${items.elderly.code}&page_size=2`)
    const page2 = await get(`${V2}/requests.json?service_code=${items.elderly.code}&page_size=2&page=2`)
    expect([page1.body.length, page2.body.length]).toEqual([2, 1])
    expect(page1.headers.link).toBe(`</open311/v2/requests.json?service_code=${items.elderly.code}&page_size=2&page=2>; rel="next"`)
    expect(page2.headers.link).toBeUndefined()
    expect([...page1.body, ...page2.body].map((r: any) => r.service_request_id).sort()).toEqual([...created].sort())

    const some = await get(`${V2}/requests.json?service_request_id=${created[0]},${created[2]},abc&status=closed&service_code=NONE`)
    expect(some.body.map((r: any) => r.service_request_id).sort()).toEqual([created[0], created[2]].sort())
    expect((await get(`${V2}/requests.json?status=closed&service_code=${items.elderly.code}`)).body).toEqual([])
    expect((await get(`${V2}/requests.json?status=open,closed&service_code=${items.elderly.code}`)).body).toHaveLength(3)
    const repeated = await get(`${V2}/requests.json?status=open&status=closed&service_code=${items.elderly.code}&service_code=NONE`)
    expect(repeated.body).toHaveLength(3)

    const future = encodeURIComponent(toW3c(new Date(Date.now() + 3_600_000).toISOString()))
    expect((await get(`${V2}/requests.json?start_date=${future}`)).body).toEqual([])
    // An unescaped '+' arrives as a space; it still means +08:00.
    const today = toW3c(new Date(Date.now() - 3_600_000).toISOString())
    expect((await get(`${V2}/requests.json?start_date=${today}&service_code=${items.elderly.code}`)).body).toHaveLength(3)
    const tooLong = await get(`${V2}/requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z`)
    expect([tooLong.status, tooLong.headers['x-error-code']]).toEqual([400, 'open311_invalid_date_range'])
    expect((await get(`${V2}/requests.json?start_date=yesterday`)).headers['x-error-code']).toBe('open311_invalid_date')
    expect((await get(`${V2}/requests.json?status=pending`)).headers['x-error-code']).toBe('open311_invalid_status')
    expect((await get(`${V2}/requests.json?page_size=abc`)).status).toBe(400)

    const one = await get(`${V2}/requests/${created[0]}.json`)
    expect(one.body).toHaveLength(1)
    expect(one.body[0]).toMatchObject({ service_request_id: created[0], description: '分页一', address: '幸福小区, 第一网格, 吉祥苑社区, 铜城街道, 东阿县', address_id: 'XF-01', zipcode: null })
    const oneXml = parseXml((await get(`${V2}/requests/${created[0]}.xml`)).text).root
    expect(oneXml.name).toBe('service_requests')
    expect(kids(oneXml, 'request')[0]!.children.map((c) => c.name)).toEqual([
      'service_request_id', 'status', 'status_notes', 'service_name', 'service_code', 'description', 'agency_responsible', 'service_notice',
      'requested_datetime', 'updated_datetime', 'expected_datetime', 'address', 'address_id', 'zipcode', 'lat', 'long', 'media_url',
    ])
    for (const missing of ['999999', 'abc']) {
      const res = await get(`${V2}/requests/${missing}.json`)
      expect([res.status, res.headers['x-error-code']]).toEqual([404, 'open311_request_not_found'])
    }

    // Other channels are published without what the resident typed; internal items and enterprise problems not at all.
    const qr = await submitPublicRequest(t, { locationCode: u.compoundA.code, itemId: items.repair.id, description: '我家住3单元502,电话13800001111' })
    const qrId = String((await t.dbHandle.db.selectFrom('request').select('id').where('tracking_code', '=', qr.trackingCode).executeTakeFirstOrThrow()).id)
    const published = (await get(`${V2}/requests/${qrId}.json`)).body[0]
    expect(published).toMatchObject({ service_name: '水电维修', description: null, address: '幸福小区, 第一网格, 吉祥苑社区, 铜城街道, 东阿县', lat: null, media_url: null })
    const internal = await t.admin.post('/api/requests', { source: 'hotline', locationUnitId: u.compoundA.id, itemId: items.internal.id, description: '内部', phone: PHONE })
    expect(internal.status, internal.text).toBe(201)
    expect((await get(`${V2}/requests/${internal.body.id}.json`)).status).toBe(404)

    // Tokens are tracking codes: an app holding one learns the public id.
    const token = await get(`${V2}/tokens/${qr.trackingCode}.json`)
    expect(token.body).toEqual([{ service_request_id: qrId, token: qr.trackingCode }])
    const tokenXml = parseXml((await get(`${V2}/tokens/${qr.trackingCode}.xml`)).text).root
    expect([tokenXml.name, kids(tokenXml, 'request')[0]!.children.map((c) => c.name)]).toEqual(['service_requests', ['service_request_id', 'token']])
    expect((await get(`${V2}/tokens/not-a-tracking-code.json`)).headers['x-error-code']).toBe('open311_token_not_found')
  })

  it('publishes the public steps as servicerequestupdates after a worker adds a public note and resolves; internal notes stay inside', async () => {
    const res = await post({ api_key: keyA, service_code: items.repair.code, address_id: u.compoundA.code, description: '单元门禁坏了', phone: PHONE })
    const id = res.body[0].service_request_id
    await step(workerA, id, 'accept')
    const note = await workerA.post(`/api/requests/${id}/notes`, { text: '已联系物业,师傅电话13700001234', visibility: 'public' })
    expect(note.status).toBe(200)
    await workerA.post(`/api/requests/${id}/notes`, { text: '该户多次投诉,内部备忘', visibility: 'internal' })
    await step(workerA, id, 'resolve', { note: '门禁已更换' })

    const updates = await get(`${V2}/servicerequestupdates.json?service_request_id=${id}`)
    expect(updates.status).toBe(200)
    expect(updates.body.map((x: any) => [x.status, x.description])).toEqual([
      ['open', '已签收,正在安排办理'],
      ['open', '已联系物业,师傅电话137****1234'],
      ['closed', '门禁已更换'],
    ])
    for (const x of updates.body) {
      expect(x).toEqual({ update_id: expect.stringMatching(/^\d+$/), service_request_id: id, status: expect.any(String), updated_datetime: expect.stringMatching(W3C_SHANGHAI), description: expect.any(String), media_url: null })
    }
    const at = (ms: number) => encodeURIComponent(toW3c(new Date(Date.now() + ms).toISOString()))
    expect((await get(`${V2}/servicerequestupdates.json?start_date=${at(-3_600_000)}&end_date=${at(60_000)}&service_request_id=${id}`)).body).toHaveLength(3)
    expect((await get(`${V2}/servicerequestupdates.json?start_date=${at(60_000)}&service_request_id=${id}`)).body).toEqual([])
    expect((await get(`${V2}/servicerequestupdates.json?end_date=${at(-3_600_000)}&service_request_id=${id}`)).body).toEqual([])
    const xml = parseXml((await get(`${V2}/servicerequestupdates.xml?service_request_id=${id}`)).text).root
    expect(xml.name).toBe('service_request_updates')
    expect(kids(xml, 'request_update')).toHaveLength(3)
    expect(kids(xml, 'request_update')[0]!.children.map((c) => c.name)).toEqual(['update_id', 'service_request_id', 'status', 'updated_datetime', 'description', 'media_url'])

    const now = (await get(`${V2}/requests/${id}.json`)).body[0]
    expect(now).toMatchObject({ status: 'closed', status_notes: '门禁已更换' })
    expect(JSON.stringify(await get(`${V2}/servicerequestupdates.json`))).not.toContain('内部备忘')
  })

  it('writes every time with the +08:00 offset', async () => {
    const list = (await get(`${V2}/requests.json`)).body
    expect(list.length).toBeGreaterThan(0)
    for (const r of list) {
      for (const field of ['requested_datetime', 'updated_datetime', 'expected_datetime']) {
        if (r[field] !== null) expect(r[field]).toMatch(W3C_SHANGHAI)
      }
    }
    const staff = await detail(t.admin, list[0].service_request_id)
    expect(Date.parse(list[0].requested_datetime)).toBe(Math.floor(Date.parse(staff.submittedAt) / 1000) * 1000)
  })

  it('manages keys under /api/open311-keys: 401 → 400 → 403 → 200, limited to the subtree, audited', async () => {
    expect((await t.anon.get('/api/open311-keys')).status).toBe(401)
    expect((await t.admin.post('/api/open311-keys', { name: '', unitId: u.communityA.id })).status).toBe(400)
    expect((await t.admin.post('/api/open311-keys', { name: 'x', unitId: u.communityA.id, scope: 'all' })).status).toBe(400)
    const worker = await workerA.post('/api/open311-keys', { name: 'x', unitId: u.communityA.id })
    expect([worker.status, worker.body.error.code]).toEqual([403, 'forbidden'])
    // A county administrator of another county neither sees nor revokes this county's keys.
    const other = await createUnit(t, { parentId: null, type: 'county', name: '阳谷县', code: '371521' })
    const otherAdmin = await userWith(t, 'county_admin', other.id)
    expect((await otherAdmin.get('/api/open311-keys')).body).toEqual({ items: [], total: 0 })
    expect((await otherAdmin.post(`/api/open311-keys/${keyAId}/revoke`)).status).toBe(403)
    expect((await otherAdmin.post('/api/open311-keys', { name: 'x', unitId: u.communityA.id })).status).toBe(403)
    const own = await otherAdmin.post('/api/open311-keys', { name: '阳谷热线', unitId: other.id })
    expect(own.status).toBe(201)
    expect(own.body.key).toMatch(/^o311_/)
    const listed = await t.admin.get(`/api/open311-keys?unitId=${u.communityA.id}`)
    expect(listed.body.items.map((k: any) => k.name)).toEqual(['吉祥苑小程序'])
    expect(JSON.stringify(listed.body)).not.toContain(keyA)
    const stored = await t.dbHandle.db.selectFrom('open311_key').select('key_hash').where('id', '=', keyAId).executeTakeFirstOrThrow()
    expect(stored.key_hash).not.toContain(keyA)
    const audit = await t.admin.get('/api/audit?entityType=open311_key')
    expect(audit.body.items.map((e: any) => e.action)).toEqual(expect.arrayContaining(['open311.key_create', 'open311.key_revoke']))
    expect(JSON.stringify(audit.body)).not.toContain(keyA)

    // With two counties, a GeoReport call must name its jurisdiction; a POST may rely on its key's county.
    const unnamed = await get(`${V2}/services.json`)
    expect([unnamed.status, unnamed.headers['x-error-code']]).toEqual([400, 'open311_jurisdiction_required'])
    expect((await get(`${V2}/services.json?jurisdiction_id=371524`)).status).toBe(200)
    // Items offered everywhere are offered there too; 洛神湖社区's own menu is not.
    const there = (await get(`${V2}/services.json?jurisdiction_id=371521`)).body.map((s: any) => s.service_code)
    expect(there).toContain(items.repair.code)
    expect(there).not.toContain(items.restricted.code)
    const byKey = await post({ api_key: keyA, service_code: items.repair.code, address_id: u.compoundA.code, description: '按密钥定县', phone: PHONE })
    expect(byKey.status, byKey.text).toBe(200)
    const elsewhere = await post({ api_key: keyA, jurisdiction_id: '371521', service_code: items.repair.code, address_id: u.compoundA.code, phone: PHONE })
    expect(elsewhere.status).toBe(400)
  })

  it('issues, lists and revokes keys from the command line; the printed key works once issued and stops when revoked', async () => {
    const out: string[] = []
    expect(await open311KeyCli(t.dbHandle.db, ['create', '--name', '命令行密钥', '--unit', '371524001001'], (l) => out.push(l))).toBe(0)
    const key = out.find((l) => l.startsWith('o311_'))!
    const id = Number(/#(\d+)/.exec(out[0]!)![1])
    const fields = { api_key: key, service_code: items.repair.code, address_id: u.compoundA.code, description: '命令行', phone: PHONE }
    expect((await post(fields)).status).toBe(200)
    out.length = 0
    expect(await open311KeyCli(t.dbHandle.db, ['list'], (l) => out.push(l))).toBe(0)
    expect(out.some((l) => l.includes('命令行密钥') && l.includes('1 requests'))).toBe(true)
    expect(out.join('\n')).not.toContain(key)
    expect(await open311KeyCli(t.dbHandle.db, ['revoke', String(id)], () => undefined)).toBe(0)
    expect((await post(fields)).status).toBe(403)
    expect(await open311KeyCli(t.dbHandle.db, ['create', '--name', 'x'], () => undefined)).toBe(2)
    await expect(open311KeyCli(t.dbHandle.db, ['create', '--name', 'x', '--unit', 'NO-SUCH'], () => undefined)).rejects.toThrow()
  })

  it('lets a town administrator issue, list and revoke keys in their own sub-district only; the key works once and stops when revoked; audited', async () => {
    const townA = await userWith(t, 'town_admin', u.subdistrict.id, 'o311_town_a')
    const otherTown = await createUnit(t, { parentId: u.county.id, type: 'town', name: '刘集镇', code: '371524101' })
    const villageC = await createUnit(t, { parentId: otherTown.id, type: 'village', name: '前刘村', code: '371524101001' })
    const townB = await userWith(t, 'town_admin', otherTown.id, 'o311_town_b')

    // Keys only inside the caller's subtree: not for another town, not for the whole county.
    for (const unitId of [villageC.id, otherTown.id, u.county.id]) {
      const refused = await townA.post('/api/open311-keys', { name: '越权', unitId })
      expect([refused.status, refused.body.error.code]).toEqual([403, 'forbidden'])
    }
    expect((await townA.post('/api/open311-keys', { name: '无此单位', unitId: 999999 })).body.error.code).toBe('unit_not_found')

    const created = await townA.post('/api/open311-keys', { name: '  铜城街道小程序 ', unitId: u.communityA.id })
    expect(created.status, created.text).toBe(201)
    expect(created.body).toMatchObject({
      name: '铜城街道小程序', unitId: u.communityA.id, unitName: '吉祥苑社区', status: 'active', createdByName: 'o311_town_a',
      revokedAt: null, revokedById: null, lastUsedAt: null, requestCount: 0,
    })
    const secret: string = created.body.key
    expect(secret).toMatch(/^o311_[\w-]{20,}$/)
    const id: number = created.body.id

    // The list is the caller's subtree: the sub-district's keys, not the county-wide one nor another town's; paged.
    const own = await townB.post('/api/open311-keys', { name: '刘集镇对接', unitId: villageC.id })
    expect(own.status).toBe(201)
    const listA = await townA.get('/api/open311-keys?pageSize=100')
    expect(listA.status).toBe(200)
    const namesA = listA.body.items.map((k: any) => k.name)
    expect(namesA).toEqual(expect.arrayContaining(['铜城街道小程序', '吉祥苑小程序']))
    expect(namesA).not.toContain('12345 热线对接')
    expect(namesA).not.toContain('刘集镇对接')
    expect(listA.body.items.every((k: any) => !('key' in k))).toBe(true)
    expect(JSON.stringify(listA.body)).not.toContain(secret)
    const paged = await townA.get('/api/open311-keys?page=1&pageSize=1')
    expect([paged.body.items.length, paged.body.total]).toEqual([1, listA.body.total])
    expect(paged.body.items[0].id).toBe(listA.body.items[0].id) // newest first
    expect((await townB.get('/api/open311-keys')).body.items.map((k: any) => k.name)).toEqual(['刘集镇对接'])
    // Another town's administrator neither revokes it nor the county's keys are theirs to revoke.
    expect((await townB.post(`/api/open311-keys/${id}/revoke`)).status).toBe(403)
    const countyKey = (await t.admin.get('/api/open311-keys?pageSize=100')).body.items.find((k: any) => k.name === '12345 热线对接')
    expect((await townA.post(`/api/open311-keys/${countyKey.id}/revoke`)).status).toBe(403)

    // The key shown once works for POST requests.json, and the list counts its use.
    const fields = { service_code: items.repair.code, address_id: u.buildingA.code, description: '街道小程序提交', phone: PHONE }
    const ok = await post({ ...fields, api_key: secret })
    expect(ok.status, ok.text).toBe(200)
    expect(ok.body[0].service_request_id).toMatch(/^\d+$/)
    // Only inside its unit: the key of 吉祥苑社区 may not post for 洛神湖小区.
    expect((await post({ ...fields, address_id: u.compoundB.code, api_key: secret })).headers['x-error-code']).toBe('open311_outside_key_area')
    const used = (await townA.get('/api/open311-keys?pageSize=100')).body.items.find((k: any) => k.id === id)
    expect([used.requestCount, typeof used.lastUsedAt]).toEqual([1, 'string'])

    // Revoked: refused at once in the GeoReport error format (JSON and XML), listed as revoked, by whom.
    const revoked = await townA.post(`/api/open311-keys/${id}/revoke`)
    expect(revoked.status, revoked.text).toBe(200)
    expect(revoked.body).toMatchObject({ id, status: 'revoked', revokedByName: 'o311_town_a', requestCount: 1 })
    expect(typeof revoked.body.revokedAt).toBe('string')
    expect((await townA.post(`/api/open311-keys/${id}/revoke`)).body.error.code).toBe('open311_key_revoked')
    expect((await townA.post('/api/open311-keys/999999/revoke')).body.error.code).toBe('open311_key_not_found')
    const refused = await post({ ...fields, api_key: secret })
    expect([refused.status, refused.headers['x-error-code'], refused.body]).toEqual([403, 'open311_api_key_invalid', [{ code: 403, description: expect.any(String) }]])
    const refusedXml = await post({ ...fields, api_key: secret }, 'xml')
    expect([refusedXml.status, leaf(kids(parseXml(refusedXml.text).root, 'error')[0]!, 'code')]).toEqual([403, '403'])
    expect((await townA.get('/api/open311-keys?pageSize=100')).body.items.map((k: any) => k.id)).not.toContain(id)
    expect((await townA.get('/api/open311-keys?status=revoked&pageSize=100')).body.items.map((k: any) => k.id)).toContain(id)

    // Both steps are in the audit log, by the town administrator, without the secret.
    const audit = await t.admin.get(`/api/audit?entityType=open311_key&entityId=${id}`)
    expect(audit.body.items.map((e: any) => [e.action, e.actorUsername, e.unitId])).toEqual([
      ['open311.key_revoke', 'o311_town_a', u.communityA.id], ['open311.key_create', 'o311_town_a', u.communityA.id],
    ])
    expect(audit.body.items[0].after).toMatchObject({ status: 'revoked' })
    expect(JSON.stringify(audit.body)).not.toContain(secret)

    // Keys issued on the command line have no account behind them.
    const fromCli = (await t.admin.get('/api/open311-keys?status=all&pageSize=100')).body.items.find((k: any) => k.name === '命令行密钥')
    expect([fromCli.createdById, fromCli.createdByName, fromCli.revokedById, fromCli.status]).toEqual([null, null, null, 'revoked'])
  })

  it('never shows personal information: no phone, name, email, tracking code or internal note in any Open311 answer', async () => {
    expect(seen.length).toBeGreaterThan(40)
    const everything = seen.join('\n')
    for (const secret of [PHONE, '139****5678', '张三', 'zhang.san@example.com', 'device-1', '13800001111', '13700001234', '内部备忘', '3单元502']) {
      expect(everything).not.toContain(secret)
    }
    const codes = await t.dbHandle.db.selectFrom('request').select('tracking_code').execute()
    const listed = [...seen].filter((s) => !s.includes('"token"') && !s.includes('<token>')).join('\n')
    for (const { tracking_code } of codes) expect(listed).not.toContain(tracking_code)
  })
})

describe('Open311 pure parts', () => {
  it('parses forms with lists and keeps prototype names as plain fields', () => {
    expect(parseForm('a=1&b=2&b=3&c%5B%5D=x&__proto__=y&attribute%5Bk%5D=v')).toEqual({ a: '1', b: ['2', '3'], c: ['x'], ['__proto__']: 'y', 'attribute[k]': 'v' })
    expect(Object.getPrototypeOf(parseForm('__proto__=y'))).toBe(Object.prototype)
  })

  it('reads and writes W3C date-times and bounds windows to 90 days', () => {
    expect(toW3c('2026-12-01T01:30:05.123Z')).toBe('2026-12-01T09:30:05+08:00')
    expect(toW3c('2026-12-31T20:00:00.000Z')).toBe('2027-01-01T04:00:00+08:00')
    expect(parseW3c('2026-12-01T09:30:00+08:00', 'x')).toBe('2026-12-01T01:30:00.000Z')
    expect(parseW3c('2026-12-01T09:30:00 08:00', 'x')).toBe('2026-12-01T01:30:00.000Z')
    expect(parseW3c('2026-12-01T01:30:00Z', 'x')).toBe('2026-12-01T01:30:00.000Z')
    expect(parseW3c('2026-12-01', 'x')).toBe('2026-11-30T16:00:00.000Z')
    for (const bad of ['2026-02-30', '2026-12-01T09:30:00', '2026-13-01T00:00:00Z', 'yesterday', '2026-12-01T25:00:00Z']) expect(() => parseW3c(bad, 'x')).toThrow()
    expect(windowOf(undefined, undefined, '2026-12-01T00:00:00.000Z')).toEqual({ from: '2026-09-02T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' })
    expect(() => windowOf('2026-12-02T00:00:00Z', '2026-12-01T00:00:00Z', '2026-12-03T00:00:00.000Z')).toThrow()
  })

  it('masks phones, identity numbers and emails in published text', () => {
    expect(redact('电话 138 0013 8000 或 +86-13900001111,身份证 371524198005170011,邮箱 a.b@c.cn')).toBe('电话 138****8000 或 139****1111,身份证 3715**********0011,邮箱 ***@***')
    expect(redact('订单号 202612011234567890123 不是手机号')).toBe('订单号 202612011234567890123 不是手机号')
  })

  it('finds points inside polygons, not in their holes', () => {
    const square = JSON.stringify({ type: 'Polygon', coordinates: [[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]], [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]]] })
    expect(boundaryContains(square, { lng: 1, lat: 1 })).toBe(true)
    expect(boundaryContains(square, { lng: 5, lat: 5 })).toBe(false)
    expect(boundaryContains(square, { lng: 0, lat: 5 })).toBe(true)
    expect(boundaryContains(square, { lng: 11, lat: 5 })).toBe(false)
    expect(boundaryContains('not json', { lng: 1, lat: 1 })).toBe(false)
  })
})
