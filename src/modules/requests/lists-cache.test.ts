import zlib from 'node:zlib'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, dialects, type Client, type TestApp } from '../../../test/support/app.js'
import { requestCounty, requestIdOf, submitPublicRequest } from '../../../test/support/factories.js'

// Case lists and sessions are answered from memory while the database is unchanged (DbHandle.dataVersion):
// every write, by this process or another connection, shows at once.

process.env.CHORUS_INTAKE_PER_ADDRESS_HOUR = '100000'
process.env.CHORUS_INTAKE_PER_DEVICE_HOUR = '100000'

describe.each(dialects)('case lists and sessions kept in memory on %s', (dialect) => {
  let t: TestApp
  let c: Awaited<ReturnType<typeof requestCounty>>

  beforeAll(async () => {
    t = await buildTestApp(dialect)
    c = await requestCounty(t)
  })
  afterAll(async () => {
    await t?.close()
  })

  const inbox = async (client: Client, query = '') => {
    const res = await client.get(`/api/requests?box=unit${query}`)
    expect(res.status, res.text).toBe(200)
    return res.body as { items: { id: number; status: string; title: string }[]; total: number }
  }
  const submit = async (code: string, description: string) =>
    requestIdOf(t, (await submitPublicRequest(t, { locationCode: code, itemId: c.items.repair.id, description })).trackingCode)

  it('shows a new case, a step and a change through another connection on the next read', async () => {
    const before = await inbox(c.communityWorkerA)
    expect(await inbox(c.communityWorkerA)).toEqual(before) // the same answer again, from memory
    const id = await submit(c.compoundA.code, '缓存之后的新诉求')
    const after = await inbox(c.communityWorkerA)
    expect(after.total).toBe(before.total + 1)
    expect(after.items.find((i) => i.id === id)?.status).toBe('submitted')

    const { version } = (await c.communityWorkerA.get(`/api/requests/${id}`)).body
    expect((await c.communityWorkerA.post(`/api/requests/${id}/accept`, { version })).status).toBe(200)
    expect((await inbox(c.communityWorkerA)).items.find((i) => i.id === id)?.status).toBe('accepted')

    // Another process writing to the same database (PostgreSQL: a connection of its own; SQLite's
    // test database lives in memory, so the write goes through the app's connection without the app).
    if (t.dbHandle.pool) {
      const other = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL })
      await other.connect()
      try {
        await other.query(`update "${t.dbHandle.schema}".request set title = '另一进程改的标题' where id = $1`, [id])
      } finally {
        await other.end()
      }
    } else {
      t.dbHandle.sqlite!.prepare("update request set title = '另一进程改的标题' where id = ?").run(id)
    }
    expect((await inbox(c.communityWorkerA)).items.find((i) => i.id === id)?.title).toBe('另一进程改的标题')
  })

  it('keeps each caller\'s list apart: the same query by workers of two communities', async () => {
    const a = await inbox(c.communityWorkerA)
    const b = await inbox(c.communityWorkerB)
    const idB = await submit(c.compoundB.code, '乙社区的诉求')
    const a2 = await inbox(c.communityWorkerA)
    const b2 = await inbox(c.communityWorkerB)
    expect(a2.items.map((i) => i.id)).not.toContain(idB)
    expect(a2.total).toBe(a.total)
    expect(b2.items.map((i) => i.id)).toContain(idB)
    expect(b2.total).toBe(b.total + 1)
    expect((await inbox(c.gridWorkerB)).items.map((i) => i.id)).not.toEqual(a2.items.map((i) => i.id))
  })

  it('gzips a list for clients that accept it, the same JSON as plain', async () => {
    await submit(c.compoundA.code, '让列表足够长,值得压缩')
    const plain = await c.communityWorkerA.get('/api/requests?box=unit')
    const zipped = await c.communityWorkerA.get('/api/requests?box=unit', { 'accept-encoding': 'gzip, deflate, br' })
    expect(zipped.status).toBe(200)
    expect(zipped.headers['content-encoding']).toBe('gzip')
    expect(zipped.headers.vary).toBe('accept-encoding')
    expect(zipped.raw.length).toBeLessThan(Buffer.byteLength(plain.text))
    expect(JSON.parse(zlib.gunzipSync(zipped.raw).toString('utf8'))).toEqual(plain.body)
    expect(plain.headers['content-encoding']).toBeUndefined()
  })

  it('ends a session at once when it logs out, its account is disabled or its grants change', async () => {
    const username = `cache_worker_${dialect}`
    const created = await t.admin.post('/api/accounts', {
      username, displayName: '缓存测试', password: 'a-long-test-password', grants: [{ role: 'community_worker', unitId: c.communityA.id }],
    })
    expect(created.status, created.text).toBe(201)
    const accountId = created.body.id as number
    // Accounts made by an administrator choose their own password first.
    let first = await t.anon.login(username, 'a-long-test-password')
    expect((await first.post('/api/auth/password', { currentPassword: 'a-long-test-password', newPassword: 'another-long-password-1' })).status).toBe(200)
    first = await t.anon.login(username, 'another-long-password-1')
    const second = await t.anon.login(username, 'another-long-password-1')
    expect((await first.get('/api/requests?box=unit')).status).toBe(200)
    expect((await second.get('/api/requests?box=unit')).status).toBe(200)

    expect((await first.post('/api/auth/logout')).status).toBe(200)
    expect((await first.get('/api/requests?box=unit')).status).toBe(401)
    expect((await second.get('/api/requests?box=unit')).status).toBe(200)

    // Moved to community B: the same session sees B's cases on its next read.
    expect((await t.admin.put(`/api/accounts/${accountId}/grants`, { grants: [{ role: 'community_worker', unitId: c.communityB.id }] })).status).toBe(200)
    const seen = (await second.get('/api/requests?box=unit')).body.items.map((i: { id: number }) => i.id)
    expect(seen).toEqual((await inbox(c.communityWorkerB)).items.map((i) => i.id))

    expect((await t.admin.patch(`/api/accounts/${accountId}`, { status: 'disabled' })).status).toBe(200)
    expect((await second.get('/api/requests?box=unit')).status).toBe(401)
  })
})
