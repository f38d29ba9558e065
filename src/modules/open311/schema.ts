import { Type, type Static, type TSchema } from 'typebox'
import { PageQuery, Paged } from '../../lib/paging.js'
import { registerErrors } from '../../server/errors.js'

/**
 * Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2), as the specification names things:
 * snake_case fields, the `<services><service>…`, `<service_requests><request>…` and
 * `<errors><error><code><description>` documents, and the JSON that maps them (Spark convention).
 * The staff side (API keys) follows the house style under /api/open311-keys.
 */

registerErrors({
  open311_jurisdiction_required: { status: 400, en: 'jurisdiction_id was not provided: this endpoint serves several counties; send the county code.', zh: '未提供 jurisdiction_id:本接口服务多个县,请传入县的行政区划代码。' },
  open311_jurisdiction_not_found: { status: 404, en: 'jurisdiction_id was not found: no county has that code.', zh: '未找到 jurisdiction_id:没有该代码的县。' },
  open311_api_key_missing: { status: 403, en: 'api_key is missing: creating a request needs the key issued to your organisation.', zh: '缺少 api_key:提交诉求须使用发放给贵单位的密钥。' },
  open311_api_key_invalid: { status: 403, en: 'Invalid api_key received (unknown or revoked); cannot proceed with create_request.', zh: 'api_key 无效(不存在或已吊销),无法提交诉求。' },
  open311_outside_key_area: { status: 403, en: 'This api_key may only submit requests for places inside the unit it was issued for.', zh: '该 api_key 只能提交其所属单位辖区内的诉求。' },
  open311_service_not_found: { status: 404, en: 'service_code was not found in this jurisdiction.', zh: '在该辖区未找到此 service_code。' },
  open311_service_not_offered: { status: 400, en: 'That service is not offered at this location.', zh: '该服务不在此地点提供。' },
  open311_no_attributes: { status: 400, en: 'This service has no attributes (metadata is false); leave attribute[...] out.', zh: '该服务没有附加属性(metadata 为 false),请勿传 attribute[...]。' },
  open311_location_required: { status: 400, en: 'Send a location: address_id (a place code), address_string, or both lat and long.', zh: '请提供地点:address_id(地点代码)、address_string,或同时提供 lat 和 long。' },
  open311_unknown_address_id: { status: 400, en: 'address_id is not the code of any place in this jurisdiction.', zh: 'address_id 不是本辖区任何地点的代码。' },
  open311_unknown_address: { status: 400, en: 'address_string does not name a place in this jurisdiction; send the place code as address_id.', zh: 'address_string 未能对应到本辖区的地点,请以 address_id 传入地点代码。' },
  open311_ambiguous_address: { status: 400, en: 'address_string names several places; send the place code as address_id, or add the community name.', zh: 'address_string 对应多个地点,请以 address_id 传入地点代码,或加上社区名称。' },
  open311_point_outside: { status: 400, en: 'No place with a known boundary contains lat/long; send the place code as address_id.', zh: '没有已登记边界的地点包含该经纬度,请以 address_id 传入地点代码。' },
  open311_location_outside_jurisdiction: { status: 400, en: 'The location lies outside this jurisdiction.', zh: '该地点不在本辖区内。' },
  open311_invalid_coordinates: { status: 400, en: 'lat and long must be sent together, as WGS 84 degrees (lat −90…90, long −180…180).', zh: 'lat 与 long 须同时提供,为 WGS 84 经纬度(纬度 −90…90,经度 −180…180)。' },
  open311_invalid_date: { status: 400, en: 'Dates must be W3C date-times with a time zone, e.g. 2026-01-01T00:00:00+08:00 or 2026-01-01T00:00:00Z.', zh: '日期须为带时区的 W3C 格式,例如 2026-01-01T00:00:00+08:00 或 2026-01-01T00:00:00Z。' },
  open311_invalid_date_range: { status: 400, en: 'start_date must not be after end_date, and the range may not span more than 90 days.', zh: 'start_date 不能晚于 end_date,且时间范围不能超过 90 天。' },
  open311_invalid_status: { status: 400, en: 'status must be open or closed (comma-separated for both).', zh: 'status 只能是 open 或 closed(两者都要时用逗号分隔)。' },
  open311_invalid_list: { status: 400, en: 'A comma-separated list is too long or has an empty entry.', zh: '逗号分隔的列表过长或含有空项。' },
  open311_invalid_media_url: { status: 400, en: 'media_url must be an http or https URL.', zh: 'media_url 须为 http 或 https 地址。' },
  open311_request_not_found: { status: 404, en: 'service_request_id was not found in this jurisdiction.', zh: '在该辖区未找到此 service_request_id。' },
  open311_token_not_found: { status: 404, en: 'token was not found.', zh: '未找到该 token。' },
  open311_route_not_found: { status: 404, en: 'No such Open311 resource; every address ends in .json or .xml (see discovery.json).', zh: '不存在该 Open311 资源;每个地址均以 .json 或 .xml 结尾(见 discovery.json)。' },
  open311_key_not_found: { status: 404, en: 'No such Open311 API key.', zh: 'Open311 密钥不存在。' },
  open311_key_revoked: { status: 409, en: 'The key is already revoked.', zh: '该密钥已吊销。' },
  open311_key_unit_invalid: { status: 400, en: 'A key is issued for an active unit inside a county.', zh: '密钥只能发放给县内在用的单位。' },
})

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])
const Text = (maxLength: number, description?: string) => Type.String({ maxLength, ...(description ? { description } : {}) })
const W3cTime = Type.String({ description: 'ISO 8601 / W3C date-time with the +08:00 offset (Asia/Shanghai)', examples: ['2026-12-01T09:30:00+08:00'] })

// --- inputs -------------------------------------------------------------------------------------

const Jurisdiction = Text(100, 'The county code (e.g. 371524); optional while the deployment serves one county')
const Page = Type.Integer({ minimum: 1, maximum: 100000, description: 'Page number, from 1 (extension)' })
const PageSize = Type.Integer({ minimum: 1, maximum: 1000, description: 'Requests per page, at most 1000 (extension; default 1000)' })
const DateParam = Text(40, 'W3C date-time with a time zone, e.g. 2026-01-01T00:00:00+08:00 (a bare date is midnight in Asia/Shanghai)')

export const JurisdictionQuery = Type.Object({ jurisdiction_id: Type.Optional(Jurisdiction) })
export type JurisdictionQuery = Static<typeof JurisdictionQuery>

export const ServiceCodeParams = Type.Object({ service_code: Type.String({ minLength: 1, maxLength: 64 }) })
export type ServiceCodeParams = Static<typeof ServiceCodeParams>

export const RequestIdParams = Type.Object({ service_request_id: Type.String({ minLength: 1, maxLength: 64 }) })
export type RequestIdParams = Static<typeof RequestIdParams>

export const TokenParams = Type.Object({ token: Type.String({ minLength: 1, maxLength: 200, description: 'A tracking code (查询码) given to the resident' }) })
export type TokenParams = Static<typeof TokenParams>

export const RequestsQuery = Type.Object({
  jurisdiction_id: Type.Optional(Jurisdiction),
  service_request_id: Type.Optional(Text(2000, 'Comma-separated ids; overrides every other filter')),
  service_code: Type.Optional(Text(2000, 'Comma-separated service codes')),
  start_date: Type.Optional(DateParam),
  end_date: Type.Optional(DateParam),
  status: Type.Optional(Type.String({ maxLength: 20, description: 'open, closed, or open,closed' })),
  page: Type.Optional(Page),
  page_size: Type.Optional(PageSize),
})
export type RequestsQuery = Static<typeof RequestsQuery>

export const UpdatesQuery = Type.Object({
  jurisdiction_id: Type.Optional(Jurisdiction),
  service_request_id: Type.Optional(Text(2000, 'Comma-separated ids: only their updates')),
  start_date: Type.Optional(DateParam),
  end_date: Type.Optional(DateParam),
  page: Type.Optional(Page),
  page_size: Type.Optional(PageSize),
})
export type UpdatesQuery = Static<typeof UpdatesQuery>

export const PostQuery = Type.Object({
  api_key: Type.Optional(Text(200, 'May also be sent here instead of in the body')),
  jurisdiction_id: Type.Optional(Jurisdiction),
})
export type PostQuery = Static<typeof PostQuery>

const Coordinate = Type.Union([Type.Number(), Type.String({ maxLength: 30, pattern: '^\\s*[-+]?\\d{1,3}(\\.\\d+)?\\s*$' })], { description: 'WGS 84 degrees' })
const AttributeValue = Type.Union([Type.String({ maxLength: 2000 }), Type.Array(Type.String({ maxLength: 2000 }), { maxItems: 50 })])

/** POST Service Request, sent as application/x-www-form-urlencoded (the specification) or as a JSON object. */
export const PostRequestInput = Type.Object({
  api_key: Type.Optional(Text(200, 'The key issued to your organisation (chorus open311-key create)')),
  jurisdiction_id: Type.Optional(Jurisdiction),
  service_code: Type.String({ minLength: 1, maxLength: 64, description: 'From GET services' }),
  lat: Type.Optional(Coordinate),
  long: Type.Optional(Coordinate),
  address_string: Type.Optional(Text(500, 'A place name or code, optionally with the names above it (吉祥苑社区 第一网格)')),
  address_id: Type.Optional(Text(64, 'The code of a unit: compound, building, grid, village …')),
  email: Type.Optional(Type.String({ maxLength: 254, format: 'email' })),
  device_id: Type.Optional(Text(200)),
  account_id: Type.Optional(Text(200)),
  first_name: Type.Optional(Text(50)),
  last_name: Type.Optional(Text(50)),
  phone: Type.Optional(Text(30, '11-digit mainland mobile; +86, spaces and dashes are tolerated')),
  description: Type.Optional(Text(4000)),
  media_url: Type.Optional(Type.String({ maxLength: 2000, format: 'uri' })),
  attribute: Type.Optional(Type.Record(Type.String({ maxLength: 100 }), AttributeValue, { description: 'JSON form of attribute[code]=value' })),
}, { additionalProperties: false, patternProperties: { '^attribute\\[[^\\]]{1,100}\\]$': AttributeValue } })
export type PostRequestInput = Static<typeof PostRequestInput> & { [attribute: `attribute[${string}]`]: string | string[] }

// --- outputs (JSON; the XML documents carry the same fields) -------------------------------------

export const Open311Errors = Type.Array(Type.Object({
  code: Type.Integer({ description: 'The HTTP status (the stable snake_case code is in the X-Error-Code header)' }),
  description: Type.String(),
}), { description: 'GeoReport v2 errors: `[{"code","description"}]` or `<errors><error><code/><description/></error></errors>`' })
export type Open311Errors = Static<typeof Open311Errors>

export const Discovery = Type.Object({
  changeset: Type.String(),
  contact: Type.String(),
  key_service: Type.String(),
  endpoints: Type.Array(Type.Object({
    specification: Type.String(),
    url: Type.String(),
    changeset: Type.String(),
    type: Type.String(),
    formats: Type.Array(Type.String()),
  })),
})
export type Discovery = Static<typeof Discovery>

export const Service = Type.Object({
  service_code: Type.String(),
  service_name: Type.String(),
  description: Nullable(Type.String()),
  metadata: Type.Boolean(),
  type: Type.String({ description: 'realtime: the service_request_id is returned by POST requests' }),
  keywords: Type.String(),
  group: Type.String(),
})
export type Service = Static<typeof Service>
export const ServiceList = Type.Array(Service)

export const ServiceDefinition = Type.Object({
  service_code: Type.String(),
  attributes: Type.Array(Type.Object({
    variable: Type.Boolean(),
    code: Type.String(),
    datatype: Type.String(),
    required: Type.Boolean(),
    datatype_description: Nullable(Type.String()),
    order: Type.Integer(),
    description: Type.String(),
    values: Type.Array(Type.Object({ key: Type.String(), name: Type.String() })),
  })),
})
export type ServiceDefinition = Static<typeof ServiceDefinition>

export const ServiceRequest = Type.Object({
  service_request_id: Type.String(),
  status: Type.Union([Type.Literal('open'), Type.Literal('closed')]),
  status_notes: Nullable(Type.String()),
  service_name: Type.String(),
  service_code: Nullable(Type.String()),
  description: Nullable(Type.String({ description: 'Published for requests submitted through Open311 only' })),
  agency_responsible: Nullable(Type.String()),
  service_notice: Nullable(Type.String()),
  requested_datetime: W3cTime,
  updated_datetime: W3cTime,
  expected_datetime: Nullable(W3cTime),
  address: Type.String({ description: 'The place, from the most specific unit to the county' }),
  address_id: Nullable(Type.String({ description: 'The place code (unit code)' })),
  zipcode: Nullable(Type.String()),
  lat: Nullable(Type.Number()),
  long: Nullable(Type.Number()),
  media_url: Nullable(Type.String()),
})
export type ServiceRequest = Static<typeof ServiceRequest>
export const ServiceRequests = Type.Array(ServiceRequest)

export const PostResult = Type.Array(Type.Object({
  service_request_id: Type.String(),
  service_notice: Nullable(Type.String()),
  account_id: Nullable(Type.String()),
}))
export type PostResult = Static<typeof PostResult>

export const TokenResult = Type.Array(Type.Object({ service_request_id: Type.String(), token: Type.String() }))
export type TokenResult = Static<typeof TokenResult>

export const RequestUpdate = Type.Object({
  update_id: Type.String(),
  service_request_id: Type.String(),
  status: Type.Union([Type.Literal('open'), Type.Literal('closed')]),
  updated_datetime: W3cTime,
  description: Type.String(),
  media_url: Nullable(Type.String()),
})
export type RequestUpdate = Static<typeof RequestUpdate>
export const RequestUpdates = Type.Array(RequestUpdate)

// --- staff: API keys ------------------------------------------------------------------------------

export const KeyView = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  unitId: Type.Integer({ description: 'The key may submit requests for places in this unit\'s subtree' }),
  unitName: Type.String(),
  unitCode: Nullable(Type.String()),
  status: Type.Union([Type.Literal('active'), Type.Literal('revoked'), Type.Literal('unit_inactive')], {
    description: 'active; revoked; unit_inactive: its unit was archived or merged away, so the key is refused like a revoked one',
  }),
  createdAt: Type.String({ format: 'date-time' }),
  createdById: Nullable(Type.Integer({ description: 'The account that issued it; null: the command line' })),
  createdByName: Nullable(Type.String()),
  revokedAt: Nullable(Type.String({ format: 'date-time' })),
  revokedById: Nullable(Type.Integer({ description: 'The account that revoked it; null: not revoked, or revoked on the command line' })),
  revokedByName: Nullable(Type.String()),
  lastUsedAt: Nullable(Type.String({ format: 'date-time' })),
  requestCount: Type.Integer({ description: 'Requests submitted with this key' }),
})
export type KeyView = Static<typeof KeyView>
export const KeyPage = Paged(KeyView)

export const CreatedKey = Type.Object({
  ...KeyView.properties,
  key: Type.String({ description: 'The api_key; shown this once, only its hash is stored' }),
})
export type CreatedKey = Static<typeof CreatedKey>

export const KeyQuery = Type.Intersect([
  PageQuery,
  Type.Object({
    status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('revoked'), Type.Literal('all')], {
      default: 'active', description: 'active: not revoked (a key whose unit is no longer active is listed, with status unit_inactive); revoked; all',
    })),
    unitId: Type.Optional(Type.Integer({ minimum: 1, description: 'Keys issued in this unit\'s subtree' })),
  }),
])
export type KeyQuery = Static<typeof KeyQuery>

export const CreateKeyInput = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 100, description: 'Who uses it, e.g. 12345 热线对接 or 社区小程序' }),
  unitId: Type.Integer({ minimum: 1, description: 'The unit whose subtree the key may submit for' }),
}, { additionalProperties: false })
export type CreateKeyInput = Static<typeof CreateKeyInput>
