import { pathIds as idsOfPath } from '../../lib/unit-path.js'
import type { Db } from '../../db/connect.js'
import type { PiiCipher } from '../../lib/pii.js'
import { pageOf } from '../../lib/paging.js'
import { shanghaiDay } from '../../lib/time.js'
import { randomToken, sha256 } from '../../lib/tokens.js'
import { AppError } from '../../server/errors.js'
import { recordAudit } from '../audit/service.js'
import { anonymousActor, requireActionOnPath, subtreeFilter, unitPaths, type Actor } from '../access/service.js'
import { findOfferedItem, listOfferedItems } from '../catalog/service.js'
import type { ServiceItemView } from '../catalog/schema.js'
import { priorityDefaults, type Priority } from '../catalog/priorities.js'
import { checkedIdempotencyKey, intakeRequest } from '../requests/intake.js'
import type { RequestsContext } from '../requests/case.js'
import { toW3c, toW3cOrNull, windowOf } from './dates.js'
import { resolveLocation, type Jurisdiction } from './location.js'
import {
  addressOf, freeTextServiceName, open311Status, redact, redactOrNull, serviceNotice, statusesFor, stepDescription, type Open311Status,
} from './publication.js'
import type {
  CreateKeyInput, CreatedKey, Discovery, KeyQuery, KeyView, PostQuery, PostRequestInput, PostResult, RequestUpdate, RequestsQuery,
  Service, ServiceDefinition, ServiceRequest, TokenResult, UpdatesQuery,
} from './schema.js'
import * as store from './store.js'

export const SPECIFICATION = 'http://wiki.open311.org/GeoReport_v2'
const DEFAULT_PAGE_SIZE = 1000
const MAX_LIST = 1000
const KEY_PREFIX = 'o311_'

/** What the Open311 use cases need; routes build it once from the app. */
export interface Open311Context {
  db: Db
  pii: PiiCipher
  requests: RequestsContext
  /** CHORUS_PUBLIC_URL: the origin announced in discovery; else the origin the client called. */
  publicUrl: string | null
  /** CHORUS_OPEN311_CONTACT / CHORUS_OPEN311_KEY_SERVICE: the discovery texts, when the county sets its own. */
  contact: string | null
  keyService: string | null
  now?: () => string
}

/** Who calls a GeoReport method: anonymous but for the api_key a POST carries. */
export interface Caller {
  ip: string
  requestId: string
  lang: 'zh' | 'en'
  /** scheme://host the client used, for discovery when no public URL is configured. */
  origin: string
}

const nowOf = (ctx: Open311Context): string => (ctx.now ? ctx.now() : new Date().toISOString())
const say = (lang: Caller['lang'], zh: string, en: string) => (lang === 'zh' ? zh : en)

// --- jurisdiction -----------------------------------------------------------------------------------

const toJurisdiction = (u: store.UnitRow): Jurisdiction => ({ id: u.id, name: u.name, code: u.code, path: u.path })

/**
 * The county a call is about: the one its code names (404 when none does), else the county of the
 * key that posts, else the only county of the deployment; with several counties it must be named.
 */
async function jurisdictionOf(db: Db, code: string | undefined, fallbackCountyId: number | null = null): Promise<Jurisdiction> {
  const counties = await store.listCounties(db)
  if (code !== undefined) {
    const county = counties.find((c) => c.code === code.trim())
    if (!county) throw new AppError('open311_jurisdiction_not_found', { jurisdiction_id: code })
    return toJurisdiction(county)
  }
  const fallback = fallbackCountyId === null ? undefined : counties.find((c) => c.id === fallbackCountyId)
  if (fallback) return toJurisdiction(fallback)
  if (counties.length === 1) return toJurisdiction(counties[0]!)
  if (counties.length === 0) throw new AppError('open311_jurisdiction_not_found', { jurisdiction_id: null })
  throw new AppError('open311_jurisdiction_required', { jurisdictions: counties.map((c) => c.code).filter(Boolean) })
}

// --- services -----------------------------------------------------------------------------------------

/** Public, active items of active categories offered somewhere in the county, by code. */
async function countyServices(db: Db, county: Jurisdiction): Promise<Map<string, ServiceItemView>> {
  const items = await listOfferedItems(db, { locationUnitId: null, audience: 'public' })
  const paths = await unitPaths(db, items.flatMap((i) => (i.unitId === null ? [] : [i.unitId])))
  const inCounty = items.filter((i) => i.unitId === null || (paths.get(i.unitId) ?? '').startsWith(county.path))
  return new Map(inCounty.map((i) => [i.code, i]))
}

const flagWords = (item: ServiceItemView, lang: Caller['lang']): string[] => [
  ...(item.proxyHandling ? [say(lang, '帮办代办', 'proxy handling')] : []),
  ...(item.crossRegion ? [say(lang, '跨域通办', 'cross-region')] : []),
  ...(item.elderlyCare ? [say(lang, '爱老助老', 'elderly care')] : []),
]

function toService(item: ServiceItemView, lang: Caller['lang']): Service {
  const where = item.unitName ? say(lang, `服务范围:${item.unitName}。`, `Offered in ${item.unitName}.`) : ''
  const description = [item.description?.trim(), where].filter(Boolean).join(' ')
  return {
    service_code: item.code, service_name: item.name, description: description || null,
    // The catalog has no per-service form fields yet, so no client needs the service definition.
    metadata: false, type: 'realtime',
    keywords: [item.categoryName, ...flagWords(item, lang)].join(', '), group: item.categoryName,
  }
}

export async function listServices(ctx: Open311Context, caller: Caller, jurisdictionId: string | undefined): Promise<Service[]> {
  const county = await jurisdictionOf(ctx.db, jurisdictionId)
  return [...(await countyServices(ctx.db, county)).values()].map((i) => toService(i, caller.lang))
}

async function serviceByCode(db: Db, county: Jurisdiction, code: string): Promise<ServiceItemView> {
  const item = (await countyServices(db, county)).get(code)
  if (!item) throw new AppError('open311_service_not_found', { service_code: code }, { en: `service_code "${code}" was not found in this jurisdiction.`, zh: `在该辖区未找到 service_code“${code}”。` })
  return item
}

export async function getServiceDefinition(ctx: Open311Context, code: string, jurisdictionId: string | undefined): Promise<ServiceDefinition> {
  const county = await jurisdictionOf(ctx.db, jurisdictionId)
  const item = await serviceByCode(ctx.db, county, code)
  return { service_code: item.code, attributes: [] }
}

// --- discovery ---------------------------------------------------------------------------------------

export async function discovery(ctx: Open311Context, caller: Caller, jurisdictionId: string | undefined): Promise<Discovery> {
  const counties = await store.listCounties(ctx.db)
  const county = jurisdictionId !== undefined || counties.length === 1 ? await jurisdictionOf(ctx.db, jurisdictionId) : null
  const items = county ? [...(await countyServices(ctx.db, county)).values()] : await listOfferedItems(ctx.db, { locationUnitId: null, audience: 'public' })
  const latest = items.reduce<string | null>((max, i) => (max === null || Date.parse(i.updatedAt) > Date.parse(max) ? i.updatedAt : max), null)
  const changeset = toW3c(latest ?? '2026-01-01T00:00:00.000Z')
  const who = county ? `${county.name}${county.code ? `(${county.code})` : ''}` : say(caller.lang, '本平台', 'this deployment')
  return {
    changeset,
    contact: ctx.contact ?? say(caller.lang, `${who}基层治理平台管理员`, `The administrators of ${who}`),
    key_service: ctx.keyService ?? say(caller.lang,
      'api_key 由县级或街道(乡镇)管理员签发:在平台“开放接口密钥”页面中创建,或在服务器上运行 chorus open311-key create --name 名称 --unit 单位代码;每个密钥只能提交其单位辖区内的诉求。',
      'Keys are issued by the county or sub-district administrators (the Open311 API keys page of the web app, or `chorus open311-key create --name NAME --unit CODE` on the server); a key submits only for places inside its unit.'),
    endpoints: [{
      specification: SPECIFICATION, url: `${ctx.publicUrl ?? caller.origin}/open311/v2`, changeset, type: 'production',
      formats: ['text/xml', 'application/json'],
    }],
  }
}

// --- reading requests -----------------------------------------------------------------------------------

const ID = /^\d{1,12}$/

function listOf(text: string | undefined): string[] | null {
  if (text === undefined) return null
  const parts = text.split(',').map((p) => p.trim())
  if (parts.length > MAX_LIST || parts.some((p) => p === '')) throw new AppError('open311_invalid_list', { value: text.slice(0, 100) })
  return [...new Set(parts)]
}

/** Ids that cannot exist (not a number) match nothing rather than failing the whole query. */
const idsOf = (text: string | undefined): number[] | null => listOf(text)?.filter((p) => ID.test(p)).map(Number) ?? null

function statusesOf(text: string | undefined): string[] | null {
  const parts = listOf(text)
  if (parts === null) return null
  if (parts.some((p) => p !== 'open' && p !== 'closed')) throw new AppError('open311_invalid_status', { status: text })
  return parts.length === 2 ? null : statusesFor(parts[0] as Open311Status)
}

const pageOfQuery = (q: { page?: number; page_size?: number }) => pageOf({ page: q.page ?? 1, pageSize: q.page_size ?? DEFAULT_PAGE_SIZE })

async function toServiceRequests(ctx: Open311Context, county: Jurisdiction, rows: store.PublishedRequestRow[], lang: Caller['lang']): Promise<ServiceRequest[]> {
  if (rows.length === 0) return []
  const [names, services] = await Promise.all([
    store.findUnitNames(ctx.db, rows.flatMap((r) => idsOfPath(r.location_path))),
    countyServices(ctx.db, county),
  ])
  return rows.map((r) => {
    const service = r.item_code === null ? undefined : services.get(r.item_code)
    const resolution = service?.resolutionTime ?? (priorityDefaults[r.priority as Priority] ?? priorityDefaults.general).resolution
    const fromOpen311 = r.source === 'open311'
    const place = addressOf(idsOfPath(r.location_path).map((id) => names.get(id)?.name ?? '').filter(Boolean))
    const typed = fromOpen311 && r.address ? redact(r.address) : null
    return {
      service_request_id: String(r.id), status: open311Status(r.status), status_notes: redactOrNull(r.status_note),
      service_name: r.item_name ?? freeTextServiceName(lang), service_code: r.item_code,
      description: fromOpen311 && r.description.trim() !== '' ? redact(r.description) : null,
      agency_responsible: r.handler_name, service_notice: serviceNotice(resolution, lang),
      requested_datetime: toW3c(r.submitted_at), updated_datetime: toW3c(r.updated_at), expected_datetime: toW3cOrNull(r.resolution_due_at),
      address: typed ? `${typed}, ${place}` : place, address_id: r.location_code, zipcode: null,
      lat: r.lat, long: r.lng, media_url: r.media_url,
    }
  })
}

/** GET requests: by ids (which override everything), or by service, status and a period of at most 90 days; newest first. */
export async function listRequests(ctx: Open311Context, caller: Caller, q: RequestsQuery): Promise<{ items: ServiceRequest[]; more: boolean }> {
  const county = await jurisdictionOf(ctx.db, q.jurisdiction_id)
  const ids = idsOf(q.service_request_id)
  let filter: store.RequestFilter
  if (ids !== null) {
    filter = { countyId: county.id, ids, itemCodes: null, window: null, statuses: null }
  } else {
    const window = windowOf(q.start_date, q.end_date, nowOf(ctx))
    filter = {
      countyId: county.id, ids: null, itemCodes: listOf(q.service_code), statuses: statusesOf(q.status),
      window: { ...window, fromDay: shanghaiDay(window.from), toDay: shanghaiDay(window.to) },
    }
  }
  const page = pageOfQuery(q)
  const rows = await store.listPublishedRequests(ctx.db, filter, { limit: page.limit + 1, offset: page.offset })
  return { items: await toServiceRequests(ctx, county, rows.slice(0, page.limit), caller.lang), more: rows.length > page.limit }
}

export async function getRequest(ctx: Open311Context, caller: Caller, id: string, jurisdictionId: string | undefined): Promise<ServiceRequest[]> {
  const county = await jurisdictionOf(ctx.db, jurisdictionId)
  const notFound = () => new AppError('open311_request_not_found', { service_request_id: id }, {
    en: `service_request_id "${id}" was not found in this jurisdiction.`, zh: `在该辖区未找到 service_request_id“${id}”。`,
  })
  if (!ID.test(id)) throw notFound()
  const rows = await store.listPublishedRequests(ctx.db, { countyId: county.id, ids: [Number(id)], itemCodes: null, window: null, statuses: null }, { limit: 1, offset: 0 })
  if (rows.length === 0) throw notFound()
  return toServiceRequests(ctx, county, rows, caller.lang)
}

/** Tokens are the tracking codes (查询码) residents are given: an app that holds one learns the public id of that request. */
export async function lookupToken(ctx: Open311Context, token: string, jurisdictionId: string | undefined): Promise<TokenResult> {
  const county = await jurisdictionOf(ctx.db, jurisdictionId)
  const id = await store.findPublishedIdByTracking(ctx.db, county.id, token)
  if (id === null) throw new AppError('open311_token_not_found')
  return [{ service_request_id: String(id), token }]
}

/** GET servicerequestupdates: the public steps of published requests in a period (at most 90 days), oldest first. */
export async function listUpdates(ctx: Open311Context, caller: Caller, q: UpdatesQuery): Promise<{ items: RequestUpdate[]; more: boolean }> {
  const county = await jurisdictionOf(ctx.db, q.jurisdiction_id)
  const window = windowOf(q.start_date, q.end_date, nowOf(ctx))
  const page = pageOfQuery(q)
  const rows = await store.listPublishedUpdates(ctx.db, { countyId: county.id, ids: idsOf(q.service_request_id), window }, { limit: page.limit + 1, offset: page.offset })
  const items = rows.slice(0, page.limit).map((e): RequestUpdate => ({
    update_id: String(e.id), service_request_id: String(e.request_id), status: open311Status(e.status_after), updated_datetime: toW3c(e.at),
    description: stepDescription({ kind: e.kind, note: e.note, byStaff: e.actor_id !== null, unitName: e.unit_name }, caller.lang), media_url: null,
  }))
  return { items, more: rows.length > page.limit }
}

// --- creating a request -------------------------------------------------------------------------------

interface AuthenticatedKey {
  id: number
  name: string
  unitPath: string
  countyId: number | null
}

async function authenticate(db: Db, apiKey: string | undefined): Promise<AuthenticatedKey> {
  if (apiKey === undefined || apiKey.trim() === '') throw new AppError('open311_api_key_missing')
  const key = await store.findKeyByHash(db, sha256(apiKey.trim()))
  if (!key || key.revoked_at !== null || key.unit_status !== 'active') throw new AppError('open311_api_key_invalid')
  return { id: key.id, name: key.name, unitPath: key.unit_path, countyId: key.unit_county_id }
}

function coordinates(lat: number | string | undefined, lng: number | string | undefined): { lat: number; lng: number } | null {
  if (lat === undefined && lng === undefined) return null
  const la = Number(lat)
  const lo = Number(lng)
  if (lat === undefined || lng === undefined || !Number.isFinite(la) || !Number.isFinite(lo) || Math.abs(la) > 90 || Math.abs(lo) > 180) {
    throw new AppError('open311_invalid_coordinates', { lat: lat ?? null, long: lng ?? null })
  }
  return { lat: la, lng: lo }
}

const CJK = /^[\u3400-\u9fff·]+$/u

/** 姓 then 名 for Chinese names (张 三 → 张三), given then family name otherwise. */
function contactNameOf(first: string | undefined, last: string | undefined): string | null {
  const parts = [first?.trim(), last?.trim()].filter((p): p is string => Boolean(p))
  if (parts.length === 0) return null
  if (parts.every((p) => CJK.test(p))) return [last?.trim(), first?.trim()].filter(Boolean).join('')
  return parts.join(' ')
}

function attributesOf(input: PostRequestInput): string[] {
  const codes = Object.keys(input.attribute ?? {})
  for (const key of Object.keys(input)) if (key.startsWith('attribute[')) codes.push(key.slice('attribute['.length, -1))
  return codes
}

/**
 * POST requests: the key says who posts and where it may post; the service, the place and the
 * resident's contact go through the same intake as every other channel (routing, deadlines,
 * timeline, notifications; the phone is validated and encrypted there). The answer is the public id.
 */
export async function postRequest(
  ctx: Open311Context, caller: Caller, input: PostRequestInput, query: PostQuery, idempotencyHeader: string | string[] | undefined,
): Promise<PostResult> {
  const named = input.jurisdiction_id ?? query.jurisdiction_id
  let county = named !== undefined ? await jurisdictionOf(ctx.db, named) : null
  const key = await authenticate(ctx.db, input.api_key ?? query.api_key)
  county ??= await jurisdictionOf(ctx.db, undefined, key.countyId)
  const item = await serviceByCode(ctx.db, county, input.service_code)
  const attributes = attributesOf(input)
  if (attributes.length > 0) throw new AppError('open311_no_attributes', { service_code: item.code, attributes: attributes.slice(0, 20) })
  if (input.media_url !== undefined && !/^https?:\/\//i.test(input.media_url)) throw new AppError('open311_invalid_media_url')
  const point = coordinates(input.lat, input.long)
  const location = await resolveLocation(ctx.db, county, {
    addressId: input.address_id?.trim() || null, addressString: input.address_string?.trim() || null, point,
  }, key.unitPath)
  if (!location.path.startsWith(key.unitPath)) throw new AppError('open311_outside_key_area', { location: location.code ?? location.name })
  try {
    await findOfferedItem(ctx.db, { itemId: item.id, locationUnitId: location.id, audience: 'public' })
  } catch (err) {
    if (err instanceof AppError && (err.code === 'service_item_not_offered' || err.code === 'service_item_not_found')) {
      throw new AppError('open311_service_not_offered', { service_code: item.code, location: location.code ?? location.name })
    }
    throw err
  }
  const idempotency = checkedIdempotencyKey(idempotencyHeader)
  const actor: Actor = { ...anonymousActor(caller.ip, caller.requestId, caller.lang), username: `open311:${key.name}`, displayName: `Open311 · ${key.name}` }
  const { row } = await intakeRequest(ctx.requests, actor, {
    source: 'open311', audience: 'public', location, itemId: item.id, description: input.description ?? '',
    address: input.address_string?.trim() || null, phone: input.phone ?? null, contactName: contactNameOf(input.first_name, input.last_name),
    lat: point?.lat ?? null, lng: point?.lng ?? null, recordedBy: null,
    idempotencyKey: idempotency ? `open311:${key.id}:${idempotency}` : null,
  })
  const now = nowOf(ctx)
  await ctx.db.transaction().execute(async (trx) => {
    await store.insertOpen311Request(trx, {
      request_id: row.id, key_id: key.id, media_url: input.media_url ?? null, email_enc: input.email ? ctx.pii.encrypt(input.email) : null,
      account_id: input.account_id ?? null, device_hash: input.device_id ? ctx.pii.lookupHash(`open311-device:${input.device_id}`) : null, created_at: now,
    })
    await store.touchKey(trx, key.id, now)
  })
  return [{ service_request_id: String(row.id), service_notice: serviceNotice(item.resolutionTime, caller.lang), account_id: input.account_id ?? null }]
}

// --- keys (staff) -------------------------------------------------------------------------------------

/** revoked, or unusable because its unit was archived or merged away (authenticate refuses both), else active. */
const keyStatus = (k: store.KeyRow): KeyView['status'] => (k.revoked_at !== null ? 'revoked' : k.unit_status !== 'active' ? 'unit_inactive' : 'active')

const toKeyView = (k: store.KeyRow): KeyView => ({
  id: k.id, name: k.name, unitId: k.unit_id, unitName: k.unit_name, unitCode: k.unit_code, status: keyStatus(k),
  createdAt: k.created_at, createdById: k.created_by, createdByName: k.created_by_name,
  revokedAt: k.revoked_at, revokedById: k.revoked_by, revokedByName: k.revoked_by_name,
  lastUsedAt: k.last_used_at, requestCount: Number(k.request_count ?? 0),
})

/** Keys issued in the caller's subtrees. */
export async function listKeys(db: Db, actor: Actor, query: KeyQuery): Promise<{ items: KeyView[]; total: number }> {
  let underPath: string | null = null
  if (query.unitId !== undefined) {
    const unit = await store.findUnit(db, query.unitId)
    if (!unit) throw new AppError('unit_not_found', { unitId: query.unitId })
    underPath = unit.path
  }
  const { rows, total } = await store.listKeys(db, { scope: subtreeFilter(actor, 'open311.manage'), status: query.status ?? 'active', underPath }, pageOf(query))
  return { items: rows.map(toKeyView), total }
}

/** Issues a key for a unit's subtree; the key is in the answer once, only its hash is kept. Audited. */
export async function createKey(db: Db, actor: Actor, input: CreateKeyInput): Promise<CreatedKey> {
  return db.transaction().execute(async (trx) => {
    const unit = await store.findUnit(trx, input.unitId)
    if (!unit) throw new AppError('unit_not_found', { unitId: input.unitId })
    requireActionOnPath(actor, 'open311.manage', unit.path)
    if (unit.status !== 'active' || unit.county_id === null) throw new AppError('open311_key_unit_invalid', { unitId: unit.id })
    const key = `${KEY_PREFIX}${randomToken(32)}`
    const { id } = await store.insertKey(trx, {
      name: input.name.trim(), key_hash: sha256(key), unit_id: unit.id, created_at: new Date().toISOString(), created_by: actor.accountId,
    })
    const view = toKeyView((await store.findKeyById(trx, id))!)
    await recordAudit(trx, actor, { action: 'open311.key_create', entityType: 'open311_key', entityId: id, unitId: unit.id, unitPath: unit.path, after: view })
    return { ...view, key }
  })
}

/** Issues a key for the unit with this code (the command line). */
export async function createKeyForUnitCode(db: Db, actor: Actor, name: string, unitCode: string): Promise<CreatedKey> {
  const unit = await store.findUnitByCode(db, unitCode)
  if (!unit) throw new AppError('unit_not_found', { code: unitCode })
  return createKey(db, actor, { name, unitId: unit.id })
}

/** Revokes a key at once: its next POST is refused with 403 (open311_api_key_invalid). Audited. */
export async function revokeKey(db: Db, actor: Actor, id: number): Promise<KeyView> {
  return db.transaction().execute(async (trx) => {
    const key = await store.findKeyById(trx, id)
    if (!key) throw new AppError('open311_key_not_found', { id })
    requireActionOnPath(actor, 'open311.manage', key.unit_path)
    const before = toKeyView(key)
    if (!(await store.revokeKey(trx, id, new Date().toISOString(), actor.accountId))) throw new AppError('open311_key_revoked', { id })
    const after = toKeyView((await store.findKeyById(trx, id))!)
    await recordAudit(trx, actor, { action: 'open311.key_revoke', entityType: 'open311_key', entityId: id, unitId: key.unit_id, unitPath: key.unit_path, before, after })
    return after
  })
}
