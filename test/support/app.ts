import crypto from 'node:crypto'
import pg from 'pg'
import { PiiCipher } from '../../src/lib/pii.js'
import type { InjectOptions } from 'fastify'
import { loadConfig, type Config } from '../../src/config.js'
import { connect, type DbHandle, type DialectName } from '../../src/db/connect.js'
import { migrateToLatest } from '../../src/db/migrate.js'
import { buildApp } from '../../src/server/app.js'
import type { App } from '../../src/server/types.js'
import { randomToken } from '../../src/lib/tokens.js'
import { createAdminAccount } from '../../src/modules/accounts/service.js'

/** SQLite always; PostgreSQL too when TEST_DATABASE_URL is set (CI sets it). */
export const dialects: DialectName[] = ['sqlite', ...(process.env.TEST_DATABASE_URL ? (['postgres'] as const) : [])]

export const ADMIN_PASSWORD = 'admin-password-for-tests'

export interface TestResponse<T = any> {
  status: number
  body: T
  headers: Record<string, string | string[] | number | undefined>
  text: string
  /** The body's bytes as sent (e.g. gzipped when the request accepted it). */
  raw: Buffer
}

/** A caller of the API: anonymous, or holding a session cookie and its CSRF token. */
export class Client {
  constructor(
    readonly app: App,
    private cookie: string | null = null,
    private csrf: string | null = null,
  ) {}

  async request<T = any>(method: InjectOptions['method'], url: string, body?: unknown, headers: Record<string, string> = {}): Promise<TestResponse<T>> {
    const res = await this.app.inject({
      method,
      url,
      headers: {
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...(this.csrf ? { 'x-csrf-token': this.csrf } : {}),
        ...(body !== undefined && typeof body !== 'string' && !Buffer.isBuffer(body) ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body === undefined ? {} : { payload: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body) }),
    })
    let parsed: unknown = undefined
    const type = String(res.headers['content-type'] ?? '')
    if (type.includes('json') && res.body && res.headers['content-encoding'] === undefined) parsed = JSON.parse(res.body)
    return { status: res.statusCode, body: parsed as T, headers: res.headers, text: res.body, raw: res.rawPayload }
  }

  get<T = any>(url: string, headers?: Record<string, string>) { return this.request<T>('GET', url, undefined, headers) }
  post<T = any>(url: string, body?: unknown, headers?: Record<string, string>) { return this.request<T>('POST', url, body ?? {}, headers) }
  put<T = any>(url: string, body?: unknown) { return this.request<T>('PUT', url, body ?? {}) }
  patch<T = any>(url: string, body?: unknown) { return this.request<T>('PATCH', url, body ?? {}) }
  delete<T = any>(url: string) { return this.request<T>('DELETE', url) }

  /** Logs in and returns a client that carries the session. */
  async login(username: string, password: string): Promise<Client> {
    const res = await this.post('/api/auth/login', { username, password })
    if (res.status !== 200) throw new Error(`login ${username} failed: ${res.status} ${res.text}`)
    const setCookie = [res.headers['set-cookie']].flat().find((c) => String(c).startsWith('chorus_session='))
    return new Client(this.app, String(setCookie).split(';')[0] ?? null, res.body.csrfToken)
  }
}

export interface TestApp {
  pii: PiiCipher
  app: App
  dbHandle: DbHandle
  dialect: DialectName
  anon: Client
  admin: Client
  config: Config
  close(): Promise<void>
}

/** A fresh, migrated database of its own (SQLite in memory, or a new PostgreSQL schema) behind the real HTTP stack. */
export async function buildTestApp(dialect: DialectName, overrides: Partial<Config> = {}): Promise<TestApp> {
  let schema: string | null = null
  let dbHandle: DbHandle
  if (dialect === 'postgres') {
    const url = process.env.TEST_DATABASE_URL as string
    schema = `t_${randomToken(9).toLowerCase().replace(/[^a-z0-9]/g, '')}`
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    await client.query(`create schema ${schema}`)
    await client.end()
    dbHandle = connect({ databaseUrl: url, pgSchema: schema, poolSize: 4 })
  } else {
    dbHandle = connect({ databaseUrl: null, sqliteFile: ':memory:' })
  }
  await migrateToLatest(dbHandle)
  await createAdminAccount(dbHandle.db, 'admin', '系统管理员', ADMIN_PASSWORD, false)
  const config: Config = { ...loadConfig({}), ...overrides }
  const pii = new PiiCipher(crypto.randomBytes(32))
  const app = await buildApp({ config, dbHandle, pii, logger: false })
  await app.ready()
  const anon = new Client(app)
  const admin = await anon.login('admin', ADMIN_PASSWORD)
  return {
    app, dbHandle, dialect, anon, admin, config, pii,
    async close() {
      await app.close()
      await dbHandle.close()
      if (schema) {
        const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL })
        await client.connect()
        await client.query(`drop schema ${schema} cascade`)
        await client.end()
      }
    },
  }
}
