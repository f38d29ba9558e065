import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, dialects, type TestApp, type TestResponse } from './support/app.js'
import { smallCounty, userWith } from './support/factories.js'
import { operationsOf, sampleFor, wrongTypeFor, type Operation } from './support/openapi.js'
import { actionCatalog, rolePermissions } from '../src/modules/access/roles.js'

/** Open311 GeoReport operations answer in the specification's error format; their stable code rides in X-Error-Code. */
const isOpen311 = (op: Operation) => op.path.startsWith('/open311/')
const errorCodeOf = (res: TestResponse, op: Operation): unknown => (isOpen311(op) ? res.headers['x-error-code'] : res.body?.error?.code)
const open311Errors = (res: TestResponse): { code: number; description: string }[] =>
  String(res.headers['content-type']).startsWith('text/xml')
    ? [...res.text.matchAll(/<error>\s*<code>(\d+)<\/code>\s*<description>([^<]*)<\/description>\s*<\/error>/g)].map((m) => ({ code: Number(m[1]), description: m[2] as string }))
    : res.body

const expectErrorShape = (res: TestResponse, status: number | '4xx', op: Operation) => {
  const label = `${op.method} ${op.path} → ${res.status} ${res.text.slice(0, 200)}`
  if (status === '4xx') expect(res.status, label).toBeGreaterThanOrEqual(400)
  if (status === '4xx') expect(res.status, label).toBeLessThan(500)
  else expect(res.status, label).toBe(status)
  if (isOpen311(op)) {
    expect(errorCodeOf(res, op), label).toMatch(/^[a-z][a-z0-9_]*$/)
    const errors = open311Errors(res)
    expect(errors.length, label).toBeGreaterThan(0)
    for (const e of errors) expect([e.code, typeof e.description], label).toEqual([res.status, 'string'])
    return
  }
  expect(res.body?.error?.code, label).toMatch(/^[a-z][a-z0-9_]*$/)
  expect(typeof res.body?.error?.message, label).toBe('string')
}

describe.each(dialects)('API contract on %s: every operation in the OpenAPI document', (dialect) => {
  let t: TestApp
  let ops: Operation[]
  let auditCount: () => Promise<number>

  beforeAll(async () => {
    t = await buildTestApp(dialect)
    await smallCounty(t)
    const doc = await t.anon.get('/api/openapi.json')
    expect(doc.status).toBe(200)
    ops = operationsOf(doc.body)
    auditCount = async () => Number((await t.dbHandle.db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)
  })
  afterAll(async () => { await t?.close() })

  it('declares an access rule for every operation', () => {
    expect(ops.length).toBeGreaterThan(5)
    const known = new Set([...Object.keys(actionCatalog), 'public', 'authenticated'])
    const missing = ops.filter((op) => !op.action || !known.has(op.action)).map((op) => `${op.method} ${op.path}`)
    expect(missing).toEqual([])
  })

  it('answers 401 in the error shape to every non-public operation without a session', async () => {
    for (const op of ops.filter((o) => o.action !== 'public' && !o.op['x-own-auth'])) {
      const res = await t.anon.request(op.method, op.url, op.bodyIsJson ? sampleFor(op.bodySchema ?? undefined) ?? {} : undefined)
      expectErrorShape(res, 401, op)
    }
  })

  it('rejects malformed JSON, wrong types, unknown fields and oversized bodies with 4xx and writes nothing', async () => {
    const before = await auditCount()
    for (const op of ops.filter((o) => o.bodyIsJson)) {
      const client = op.action === 'public' ? t.anon : t.admin
      const malformed = await client.request(op.method, op.url, '{"broken": ', { 'content-type': 'application/json' })
      expectErrorShape(malformed, 400, op)
      expect(errorCodeOf(malformed, op)).toBe('invalid_json')

      const array = await client.request(op.method, op.url, [1, 2, 3])
      expectErrorShape(array, '4xx', op)

      const schema = op.bodySchema as Record<string, any>
      if (schema?.type === 'object') {
        const sample = (sampleFor(schema) ?? {}) as Record<string, unknown>
        const unknown = await client.request(op.method, op.url, { ...sample, zzzUnknownField: 1 })
        expectErrorShape(unknown, '4xx', op)
        if (unknown.status === 400 && isOpen311(op)) expect(open311Errors(unknown).some((e) => e.description.includes('zzzUnknownField'))).toBe(true)
        else if (unknown.status === 400) expect(unknown.body.error.details).toContainEqual(expect.objectContaining({ field: 'zzzUnknownField', problem: 'additionalProperties' }))
        for (const [name, propSchema] of Object.entries<Record<string, any>>(schema.properties ?? {})) {
          const wrong = wrongTypeFor(propSchema)
          if (wrong === undefined) continue
          const res = await client.request(op.method, op.url, { ...sample, [name]: wrong })
          expectErrorShape(res, '4xx', op)
        }
      }
      const huge = await client.request(op.method, op.url, JSON.stringify({ blob: 'x'.repeat(t.config.bodyLimitBytes + 10) }), { 'content-type': 'application/json' })
      expectErrorShape(huge, 413, op)
      expect(errorCodeOf(huge, op)).toBe('payload_too_large')

      const text = await client.request(op.method, op.url, 'plain words', { 'content-type': 'text/plain' })
      expectErrorShape(text, 415, op)
    }
    expect(await auditCount()).toBe(before)
  })

  it('rejects wrongly typed path and query parameters with 400', async () => {
    for (const op of ops) {
      const client = op.action === 'public' ? t.anon : t.admin
      if (op.hasPathParams && op.op.parameters?.some((p: any) => p.in === 'path' && p.schema?.type === 'integer')) {
        const res = await client.request(op.method, op.path.replace(/\{[^}]+\}/g, 'not-a-number'), op.bodyIsJson ? {} : undefined)
        expectErrorShape(res, 400, op)
      }
      for (const q of op.querySchema) {
        const wrong = q.schema.type === 'integer' ? 'abc' : q.schema.enum || q.schema.anyOf ? 'no-such-value' : null
        if (wrong === null) continue
        const res = await client.request(op.method, `${op.url}?${q.name}=${wrong}`, op.bodyIsJson ? {} : undefined)
        expectErrorShape(res, 400, op)
      }
    }
  })

  it('answers 403 to a role that lacks the action, for every role-guarded operation', async () => {
    // enterprise_user holds the fewest permissions; every guarded action outside them must be refused.
    const weakest = await userWith(t, 'enterprise_user', null)
    const allowed = new Set<string>(rolePermissions.enterprise_user)
    for (const op of ops.filter((o) => o.action && o.action !== 'public' && o.action !== 'authenticated' && !allowed.has(o.action))) {
      const body = op.bodyIsJson ? sampleFor(op.bodySchema ?? undefined) : undefined
      const res = await weakest.request(op.method, op.url, body ?? (op.bodyIsJson ? {} : undefined))
      // 400 is the right answer when our sample body is not valid input: validation comes first.
      if (res.status === 400) continue
      expectErrorShape(res, 403, op)
      expect(res.body.error.code).toBe('forbidden')
      // The HEAD twin Fastify adds to each GET route is checked as well (the check is attached route by route).
      if (op.method === 'GET') expect((await weakest.request('HEAD', op.url)).status, `HEAD ${op.path}`).toBe(403)
    }
  })

  it('answers unknown routes with 404 route_not_found', async () => {
    const res = await t.admin.get('/api/no-such-thing')
    expect(res.status).toBe(404)
    expect(res.body.error.code).toBe('route_not_found')
    const post = await t.admin.post('/api/no-such-thing', {})
    expect(post.status).toBe(404)
  })
})
