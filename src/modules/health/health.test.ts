import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { buildTestApp, dialects, type TestApp } from '../../../test/support/app.js'

describe.each(dialects)('health on %s', (dialect) => {
  let t: TestApp
  beforeEach(async () => { t = await buildTestApp(dialect) })
  afterEach(async () => { await t.close() })

  it('reports the database and version', async () => {
    const res = await t.anon.get('/api/health')
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ status: 'ok', database: dialect, version: expect.stringMatching(/^\d+\.\d+\.\d+/) })
    expect(res.headers['x-content-type-options']).toBe('nosniff')
    // An API answer is never a document: it may load and frame nothing.
    expect(res.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'")
    expect(res.headers['cache-control']).toBe('no-store')
    expect(res.headers['x-request-id']).toBeTruthy()
    // The web app's pages keep the app's policy and the document headers.
    const page = await t.anon.get('/no-such-page')
    expect(String(page.headers['content-security-policy'])).toContain("script-src 'self'")
    expect(String(page.headers['content-security-policy'])).toContain("frame-ancestors 'none'")
    expect(page.headers['permissions-policy']).toBe('geolocation=(self), camera=(self), microphone=()')
    expect(page.headers['referrer-policy']).toBe('same-origin')
    expect(page.headers['cache-control']).toBeUndefined()
  })

  it('names the deployment and the public address posters and tracking links use', async () => {
    const res = await t.anon.get('/api/meta')
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ version: expect.stringMatching(/^\d+\.\d+\.\d+/), title: { zh: expect.any(String), en: expect.any(String) }, publicUrl: null })
    process.env.CHORUS_PUBLIC_URL = 'https://chorus.example.gov.cn/'
    try {
      const configured = await buildTestApp(dialect)
      try {
        expect((await configured.anon.get('/api/meta')).body.publicUrl).toBe('https://chorus.example.gov.cn')
      } finally {
        await configured.close()
      }
    } finally {
      delete process.env.CHORUS_PUBLIC_URL
    }
  })

  it('answers 503 in the error shape when the database is gone', async () => {
    await t.dbHandle.close()
    const res = await t.anon.get('/api/health')
    expect(res.status).toBe(503)
    expect(res.body.error.code).toBe('database_unavailable')
    // the app's own close must not fail on an already closed database
    t.dbHandle.close = () => Promise.resolve()
  })
})
