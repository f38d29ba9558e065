import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { App } from '../../server/types.js'
import { AppError } from '../../server/errors.js'
import { requestLang } from '../../server/plugins/errors.js'
import { IdParams } from '../../server/schemas.js'
import { requestSettings } from '../requests/settings.js'
import { contentType, formatOfUrl, formats, renderErrors, toXml, type Format, type Open311Error } from './format.js'
import {
  CreateKeyInput, CreatedKey, Discovery, JurisdictionQuery, KeyPage, KeyQuery, KeyView, Open311Errors, PostQuery, PostRequestInput, PostResult,
  RequestIdParams, RequestUpdates, RequestsQuery, ServiceCodeParams, ServiceDefinition, ServiceList, ServiceRequests, TokenParams, TokenResult, UpdatesQuery,
} from './schema.js'
import * as service from './service.js'

const tags = ['open311']
const XmlDocument = { description: 'The same document in GeoReport XML (UTF-8)', content: { 'text/xml': { schema: { type: 'string' } } } }
const XmlErrors = { description: 'GeoReport errors: <errors><error><code/><description/></error></errors> (the stable code is in X-Error-Code)', content: { 'text/xml': { schema: { type: 'string' } } } }
const idempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ description: 'Optional (extension): 8–100 letters, digits, - or _; a retried POST with the same key returns the first request' })),
})

/** Both documents of a method: JSON serialized by the schema, XML by the writer; errors in the GeoReport format of the same kind. */
const responses = (format: Format, json: unknown) =>
  format === 'json' ? { 200: json, '4xx': Open311Errors, '5xx': Open311Errors } : { 200: XmlDocument, '4xx': XmlErrors, '5xx': XmlErrors }

function send(reply: FastifyReply, format: Format, root: string, value: unknown): FastifyReply {
  if (format === 'xml') return reply.type(contentType.xml).send(toXml(root, value as never))
  return reply.type(contentType.json).send(value)
}

/** The next page's address (paging extension), as a Link header. */
function linkNext(req: FastifyRequest, reply: FastifyReply, page: number | undefined): void {
  const url = new URL(req.url, 'http://open311.invalid')
  url.searchParams.set('page', String((page ?? 1) + 1))
  reply.header('link', `<${url.pathname}${url.search}>; rel="next"`)
}

// --- errors in the GeoReport format ----------------------------------------------------------------

/** HTTP statuses GeoReport clients know; any other client error is a 400, as the specification asks. */
const KEPT_STATUSES = new Set([400, 403, 404, 413, 415, 429])

interface Problem {
  status: number
  code: string
  descriptions: string[]
}

function validationProblem(err: FastifyError, lang: 'zh' | 'en'): Problem {
  const byField = new Map<string, string>()
  for (const v of err.validation ?? []) {
    const params = v.params as { missingProperty?: string; additionalProperty?: string }
    const path = v.instancePath.replace(/^\//, '').replaceAll('/', '.')
    const field = [path, params.missingProperty ?? params.additionalProperty].filter(Boolean).join('.') || (err.validationContext ?? 'body')
    const text = v.keyword === 'required'
      ? (lang === 'zh' ? `未提供 ${field}` : `${field} was not provided`)
      : v.keyword === 'additionalProperties'
        ? (lang === 'zh' ? `不支持参数 ${field}` : `${field} is not a parameter of this method`)
        : (lang === 'zh' ? `${field} 无效:${v.message ?? ''}` : `${field}: ${v.message ?? 'invalid'}`)
    byField.set(`${v.keyword === 'required' || v.keyword === 'additionalProperties' ? v.keyword : 'value'}:${field}`, text)
  }
  return { status: 400, code: 'validation_failed', descriptions: [...byField.values()] }
}

/** Fastify's own failures (parsing, limits, validation) as the platform names them, or null for a programming error. */
function fastifyProblem(err: FastifyError, lang: 'zh' | 'en'): Problem | AppError | null {
  if (err.validation) return validationProblem(err, lang)
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY': return new AppError('invalid_json')
    case 'FST_ERR_CTP_EMPTY_JSON_BODY': return new AppError('empty_body')
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': return new AppError('unsupported_media_type', null, { en: 'Send the body as application/x-www-form-urlencoded (or application/json).', zh: '请以 application/x-www-form-urlencoded(或 application/json)格式发送请求内容。' })
    case 'FST_ERR_CTP_BODY_TOO_LARGE': return new AppError('payload_too_large')
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH': return new AppError('validation_failed', null, { en: 'The Content-Length header does not match the body.', zh: 'Content-Length 与请求内容不符。' })
  }
  if (err instanceof SyntaxError && err.statusCode === 400) return new AppError('invalid_json')
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
    const code = err.statusCode === 404 ? 'not_found' : err.statusCode === 413 ? 'payload_too_large' : err.statusCode === 415 ? 'unsupported_media_type' : err.statusCode === 429 ? 'rate_limited' : 'validation_failed'
    return new AppError(code)
  }
  return null
}

function sendProblem(req: FastifyRequest, reply: FastifyReply, problem: Problem | AppError): FastifyReply {
  const lang = requestLang(req)
  const p: Problem = problem instanceof AppError ? { status: problem.status, code: problem.code, descriptions: [problem.messageIn(lang)] } : problem
  const status = p.status >= 500 || KEPT_STATUSES.has(p.status) ? p.status : 400
  const errors: Open311Error[] = p.descriptions.map((description) => ({ code: status, description }))
  const format = formatOfUrl(req.url)
  return reply.status(status).header('x-error-code', p.code).type(contentType[format]).send(renderErrors(format, errors))
}

// --- form bodies (the specification's POST format) --------------------------------------------------

/**
 * application/x-www-form-urlencoded into an object: a repeated name or one ending in [] becomes a
 * list (attribute[code][]=a&attribute[code][]=b). Names are own properties, never prototypes.
 */
export function parseForm(text: string): Record<string, string | string[]> {
  const values = new Map<string, { list: boolean; items: string[] }>()
  for (const [raw, value] of new URLSearchParams(text)) {
    const list = raw.endsWith('[]')
    const name = list ? raw.slice(0, -2) : raw
    const entry = values.get(name) ?? { list: false, items: [] }
    entry.list ||= list
    entry.items.push(value)
    values.set(name, entry)
  }
  return Object.fromEntries([...values].map(([name, e]) => [name, e.list || e.items.length > 1 ? e.items : (e.items[0] as string)]))
}

/** "Optional means the same whether a parameter is passed empty or not at all": empty and null values are dropped. */
function dropEmpty(value: unknown): void {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return
  const record = value as Record<string, unknown>
  for (const key of Object.keys(record)) if (record[key] === '' || record[key] === null) delete record[key]
}

/** List parameters "can be declared multiple times, comma delimited": service_code=a&service_code=b is service_code=a,b. */
const LIST_PARAMS = ['service_request_id', 'service_code', 'status']
function joinLists(query: unknown): void {
  if (!query || typeof query !== 'object') return
  const record = query as Record<string, unknown>
  for (const key of LIST_PARAMS) {
    const value = record[key]
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) record[key] = value.filter((v) => v !== '').join(',')
  }
}

// --- routes -------------------------------------------------------------------------------------------

export async function open311Routes(app: App): Promise<void> {
  const settings = requestSettings(app.config.dataDir)
  const ctx: service.Open311Context = {
    db: app.db, pii: app.pii, requests: { db: app.db, pii: app.pii, settings },
    publicUrl: settings.publicUrl, contact: process.env.CHORUS_OPEN311_CONTACT?.trim() || null, keyService: process.env.CHORUS_OPEN311_KEY_SERVICE?.trim() || null,
  }
  const callerOf = (req: FastifyRequest): service.Caller => ({ ip: req.ip, requestId: req.id, lang: req.actor.lang, origin: `${req.protocol}://${req.host}` })

  // --- staff: the keys (house error format, session and CSRF as everywhere under /api) ---------------

  app.get('/api/open311-keys', {
    schema: { summary: 'Open311 API keys issued in your subtree', tags, querystring: KeyQuery, response: { 200: KeyPage } },
    config: { action: 'open311.manage' },
  }, (req) => service.listKeys(app.db, req.actor, req.query))

  app.post('/api/open311-keys', {
    schema: { summary: 'Issue an Open311 API key for a unit\'s subtree; the key is in this answer only', tags, body: CreateKeyInput, response: { 201: CreatedKey } },
    config: { action: 'open311.manage' },
  }, async (req, reply) => reply.status(201).send(await service.createKey(app.db, req.actor, req.body)))

  app.post('/api/open311-keys/:id/revoke', {
    schema: { summary: 'Revoke an Open311 API key (its next POST gets 403)', tags, params: IdParams, response: { 200: KeyView } },
    config: { action: 'open311.manage' },
  }, (req) => service.revokeKey(app.db, req.actor, req.params.id))

  // --- GeoReport v2 ---------------------------------------------------------------------------------

  await app.register((plugin, _options, ready) => {
    const scope = plugin.withTypeProvider<TypeBoxTypeProvider>()
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: app.config.bodyLimitBytes }, (_req, body, done) => {
      done(null, parseForm(body as string))
    })
    scope.addHook('preValidation', (req, _reply, done) => {
      joinLists(req.query)
      dropEmpty(req.query)
      dropEmpty(req.body)
      done()
    })
    // Public data: any web page may read it (no cookies are involved in what these routes answer).
    scope.addHook('onSend', (_req, reply, payload, done) => {
      reply.header('access-control-allow-origin', '*')
      reply.header('access-control-expose-headers', 'x-error-code, link')
      done(null, payload)
    })
    scope.setErrorHandler((err: FastifyError, req, reply) => {
      const known = err instanceof AppError ? err : fastifyProblem(err, requestLang(req))
      if (!known || known.status >= 500) req.log.error({ err }, 'open311 request failed')
      return sendProblem(req, reply, known ?? new AppError('internal_error'))
    })
    scope.setNotFoundHandler((req, reply) => sendProblem(req, reply, new AppError('open311_route_not_found', { url: req.url.split('?')[0] })))

    for (const format of formats) {
      scope.get(`/discovery.${format}`, {
        schema: { summary: `Service discovery (${format})`, tags, querystring: JurisdictionQuery, response: responses(format, Discovery) },
        config: { action: 'public' },
      }, async (req, reply) => send(reply, format, 'discovery', await service.discovery(ctx, callerOf(req), req.query.jurisdiction_id)))

      scope.get(`/services.${format}`, {
        schema: { summary: `GET Service List (${format}): the public catalog items of the county`, tags, querystring: JurisdictionQuery, response: responses(format, ServiceList) },
        config: { action: 'public' },
      }, async (req, reply) => send(reply, format, 'services', await service.listServices(ctx, callerOf(req), req.query.jurisdiction_id)))

      scope.get(`/services/:service_code.${format}`, {
        schema: { summary: `GET Service Definition (${format})`, tags, params: ServiceCodeParams, querystring: JurisdictionQuery, response: responses(format, ServiceDefinition) },
        config: { action: 'public' },
      }, async (req, reply) => send(reply, format, 'service_definition', await service.getServiceDefinition(ctx, req.params.service_code, req.query.jurisdiction_id)))

      scope.get(`/requests.${format}`, {
        schema: {
          summary: `GET Service Requests (${format}): by service_request_id, or by service_code, status and a period of at most 90 days (default: the last 90 days); page/page_size`,
          tags, querystring: RequestsQuery, response: responses(format, ServiceRequests),
        },
        config: { action: 'public' },
      }, async (req, reply) => {
        const { items, more } = await service.listRequests(ctx, callerOf(req), req.query)
        if (more) linkNext(req, reply, req.query.page)
        return send(reply, format, 'service_requests', items)
      })

      scope.post(`/requests.${format}`, {
        schema: {
          summary: `POST Service Request (${format}): needs api_key; the place is address_id (a unit code), address_string or lat/long`,
          tags, consumes: ['application/x-www-form-urlencoded', 'application/json'], headers: idempotencyHeaders, querystring: PostQuery, body: PostRequestInput,
          response: responses(format, PostResult),
        },
        // The api_key in the body authenticates, not a session cookie.
        config: { action: 'public', csrfExempt: true },
      }, async (req, reply) => send(reply, format, 'service_requests', await service.postRequest(ctx, callerOf(req), req.body, req.query, req.headers['idempotency-key'])))

      scope.get(`/requests/:service_request_id.${format}`, {
        schema: { summary: `GET Service Request (${format})`, tags, params: RequestIdParams, querystring: JurisdictionQuery, response: responses(format, ServiceRequests) },
        config: { action: 'public' },
      }, async (req, reply) => send(reply, format, 'service_requests', await service.getRequest(ctx, callerOf(req), req.params.service_request_id, req.query.jurisdiction_id)))

      scope.get(`/tokens/:token.${format}`, {
        schema: { summary: `GET service_request_id from a token (${format}); tokens are the residents' tracking codes`, tags, params: TokenParams, querystring: JurisdictionQuery, response: responses(format, TokenResult) },
        config: { action: 'public' },
      }, async (req, reply) => send(reply, format, 'service_requests', await service.lookupToken(ctx, req.params.token, req.query.jurisdiction_id)))

      scope.get(`/servicerequestupdates.${format}`, {
        schema: {
          summary: `GET Service Request Updates (${format}, extension): public steps of requests in a period of at most 90 days, oldest first; page/page_size`,
          tags, querystring: UpdatesQuery, response: responses(format, RequestUpdates),
        },
        config: { action: 'public' },
      }, async (req, reply) => {
        const { items, more } = await service.listUpdates(ctx, callerOf(req), req.query)
        if (more) linkNext(req, reply, req.query.page)
        return send(reply, format, 'service_request_updates', items)
      })
    }
    ready()
  }, { prefix: '/open311/v2' })
}
