/**
 * The platform's process-level promises, proven with real processes: the CLI runs as child processes
 * (`node --import tsx src/cli/index.ts …`, no build needed) on free ports of 127.0.0.1, each engine in a
 * temp data directory (and, on PostgreSQL, a schema of its own named in DATABASE_URL), CHORUS_DEMO=off.
 *
 * Per engine, one database lives through these steps in order (processes are shared between them):
 *  1. two servers start together on the empty database: both serve, one administrator, its generated
 *     password printed once (by one of them), one personal-information key;
 *  2. SIGTERM: a request in flight is answered, new connections are refused, exit code 0, the database
 *     is closed (SQLite: the last closer checkpoints and removes the WAL file);
 *  3. a third start prints nothing about the administrator; SIGKILL while six clients create units;
 *     after a restart the database is consistent (integrity_check, every unit has its final path and its
 *     audit entry, every acknowledged write is there) and /api/health is 200;
 *  4. `chorus backup` while the server runs and is written to; `chorus restore` brings that state back;
 * and separately, a first start with CHORUS_ADMIN_PASSWORD uses it and prints no password.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { connect, type DbHandle, type DialectName } from '../db/connect.js'
import { randomToken } from '../lib/tokens.js'

// Each test starts processes (~2 s of CPU each); a machine busy with other work stretches that.
vi.setConfig({ testTimeout: 120_000 })

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const dialects: DialectName[] = ['sqlite', ...(process.env.TEST_DATABASE_URL ? (['postgres'] as const) : [])]
const hasPgTools = ['pg_dump', 'pg_restore'].every((tool) =>
  (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir && fs.existsSync(path.join(dir, tool))))

const ADMIN_PRINTED = /administrator "admin" created, password: (\S+)/g
const PII_KEY_GENERATED = /generated a personal-information key/g

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer()
    probe.unref()
    probe.on('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo
      probe.close(() => resolve(port))
    })
  })
}

interface Child {
  process: ChildProcess
  output(): string
  /** Resolves when the process has exited: its code, or the signal that ended it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

/** `chorus ARGS` as a child process, the server itself (not a launcher), so signals reach it. */
function spawnCli(args: string[], env: NodeJS.ProcessEnv): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let log = ''
  child.stdout.on('data', (d: Buffer) => (log += d.toString()))
  child.stderr.on('data', (d: Buffer) => (log += d.toString()))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })))
  return { process: child, output: () => log, exited }
}

async function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  const child = spawnCli(args, env)
  const { code } = await child.exited
  return { code, output: child.output() }
}

interface Server extends Child {
  baseUrl: string
  port: number
}

async function serve(env: NodeJS.ProcessEnv): Promise<Server> {
  const port = await freePort()
  const child = spawnCli(['serve'], { ...env, PORT: String(port) })
  const baseUrl = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 45_000
  for (;;) {
    if (child.process.exitCode !== null) throw new Error(`server exited with ${child.process.exitCode}:\n${child.output()}`)
    if (Date.now() > deadline) {
      child.process.kill('SIGKILL')
      throw new Error(`server did not answer /api/health:\n${child.output()}`)
    }
    try {
      if ((await fetch(`${baseUrl}/api/health`)).status === 200) return { ...child, baseUrl, port }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100))
  }
}

async function stop(server: Child, signal: NodeJS.Signals = 'SIGTERM') {
  if (server.process.exitCode === null && server.process.signalCode === null) server.process.kill(signal)
  return server.exited
}

interface Session { cookie: string; csrf: string }

async function login(baseUrl: string, password: string): Promise<Session> {
  const res = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }),
  })
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`)
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('chorus_session='))!.split(';')[0]!
  return { cookie, csrf: ((await res.json()) as { csrfToken: string }).csrfToken }
}

function createCounty(baseUrl: string, session: Session, name: string): Promise<Response> {
  return fetch(`${baseUrl}/api/units`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: session.cookie, 'x-csrf-token': session.csrf },
    body: JSON.stringify({ parentId: null, type: 'county', name }),
  })
}

/** Clients creating units in a loop until stopped (or the server dies); counts acknowledged creations. */
function hammer(baseUrl: string, session: Session, prefix: string, clients = 6) {
  const acked: string[] = []
  let running = true
  let n = 0
  const loops = Array.from({ length: clients }, async () => {
    while (running) {
      const name = `${prefix}-${n++}`
      try {
        const res = await createCounty(baseUrl, session, name)
        if (res.status === 201) acked.push(name)
        else if (res.status !== 503) throw new Error(`unexpected ${res.status}: ${await res.text()}`)
      } catch (err) {
        if (err instanceof TypeError) return // the connection went away: the server was killed or stopped
        throw err
      }
    }
  })
  return {
    acked,
    async stop() {
      running = false
      await Promise.all(loops)
    },
  }
}

/**
 * A login whose headers are sent but whose body is not, so it is in flight until `finish`. It asks for
 * `100 Continue`: Node answers that when it has parsed the headers and handed the request to Fastify,
 * so `started` resolves once the server is really handling it.
 */
function inFlightLogin(port: number, password: string) {
  const body = JSON.stringify({ username: 'admin', password })
  const req = http.request({
    host: '127.0.0.1', port, method: 'POST', path: '/api/auth/login',
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), expect: '100-continue' },
  })
  const started = new Promise<void>((resolve) => req.once('continue', () => resolve()))
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let text = ''
      res.on('data', (d: Buffer) => (text += d.toString()))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }))
    })
    req.on('error', reject)
  })
  req.flushHeaders()
  const half = Math.floor(body.length / 2)
  return { started, response, finish: async () => {
    req.write(body.slice(0, half))
    await new Promise((r) => setTimeout(r, 100))
    req.end(body.slice(half))
  } }
}

async function refusesConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1')
    socket.once('connect', () => (socket.destroy(), resolve(false)))
    socket.once('error', () => resolve(true))
  })
}

/** DATABASE_URL naming a schema the libpq way (`%20`, not `+`: pg_dump reads the same URL). */
function withSchema(url: string, schema: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`
}

const count = (rows: { n: unknown }[]) => Number(rows[0]!.n)

/** The invariants a non-transactional unit creation would break after a kill, and the count. */
async function inspect(handle: DbHandle) {
  const units = count((await sql<{ n: unknown }>`select count(*) as n from unit`.execute(handle.db)).rows)
  const withoutAudit = count((await sql<{ n: unknown }>`select count(*) as n from unit u where not exists (
    select 1 from audit_log a where a.entity_type = 'unit' and a.action = 'units.create' and a.entity_id = cast(u.id as text))`.execute(handle.db)).rows)
  const placeholderPaths = count((await sql<{ n: unknown }>`select count(*) as n from unit where path like '%new-%'`.execute(handle.db)).rows)
  const names = new Set((await sql<{ name: string }>`select name from unit`.execute(handle.db)).rows.map((r) => r.name))
  const integrity = handle.sqlite ? String(handle.sqlite.pragma('integrity_check', { simple: true })) : 'ok'
  return { units, withoutAudit, placeholderPaths, names, integrity }
}

describe.each(dialects)('the chorus process (%s)', (dialect) => {
  let dataDir: string
  let schema: string | null = null
  let databaseUrl = ''
  let env: NodeJS.ProcessEnv
  const open = () => connect(dialect === 'postgres' ? { databaseUrl, poolSize: 1 } : { databaseUrl: null, sqliteFile: path.join(dataDir, 'chorus.db') })
  const children: Child[] = []
  const track = <T extends Child>(child: T): T => (children.push(child), child)
  let adminPassword = ''

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chorus-process-'))
    if (dialect === 'postgres') {
      schema = `p_${randomToken(9).toLowerCase().replace(/[^a-z0-9]/g, '')}`
      const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL })
      await client.connect()
      await client.query(`create schema ${schema}`)
      await client.end()
      databaseUrl = withSchema(process.env.TEST_DATABASE_URL as string, schema)
    }
    env = { ...process.env, HOST: '127.0.0.1', CHORUS_DATA_DIR: dataDir, CHORUS_DEMO: 'off', LOG_LEVEL: 'warn', CHORUS_SWEEP_SECONDS: '0', DATABASE_URL: databaseUrl }
    for (const name of ['CHORUS_ADMIN_PASSWORD', 'CHORUS_PII_KEY', 'CHORUS_WEB_DIR', 'PORT']) delete env[name]
  })

  afterAll(async () => {
    await Promise.all(children.map((c) => stop(c, 'SIGKILL')))
    fs.rmSync(dataDir, { recursive: true, force: true })
    if (schema) {
      const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL })
      await client.connect()
      await client.query(`drop schema ${schema} cascade`)
      await client.end()
    }
  })

  let first: Server
  let second: Server

  it('two processes starting together on an empty database both serve, with one administrator whose generated password is printed once', async () => {
    ;[first, second] = await Promise.all([serve(env).then(track), serve(env).then(track)])
    const printed = [...(first.output() + second.output()).matchAll(ADMIN_PRINTED)].map((m) => m[1]!)
    expect(printed, first.output() + second.output()).toHaveLength(1)
    adminPassword = printed[0]!
    // The printed password is the one that works, on both processes.
    await login(first.baseUrl, adminPassword)
    await login(second.baseUrl, adminPassword)
    // One personal-information key for the data directory, generated (and announced) by one process.
    expect([...(first.output() + second.output()).matchAll(PII_KEY_GENERATED)]).toHaveLength(1)
    expect(fs.existsSync(path.join(dataDir, 'keys', 'pii.key'))).toBe(true)
    // PORT chose the ports; CHORUS_DATA_DIR (SQLite) or DATABASE_URL's schema holds the database.
    expect(new URL(first.baseUrl).port).toBe(String(first.port))
    const handle = open()
    try {
      const accounts = await sql<{ username: string }>`select username from account`.execute(handle.db)
      expect(accounts.rows.map((r) => r.username)).toEqual(['admin'])
      const created = await sql<{ n: unknown }>`select count(*) as n from audit_log where action = 'accounts.create_admin'`.execute(handle.db)
      expect(count(created.rows)).toBe(1)
    } finally {
      await handle.close()
    }
    if (dialect === 'sqlite') expect(fs.existsSync(path.join(dataDir, 'chorus.db'))).toBe(true)
  })

  it('SIGTERM finishes the request in flight, refuses new connections, closes the database and exits 0', async () => {
    const inFlight = inFlightLogin(first.port, adminPassword)
    await inFlight.started
    first.process.kill('SIGTERM')
    // Shutting down: no new connections, while the started request waits for the rest of its body.
    const deadline = Date.now() + 5_000
    while (!(await refusesConnections(first.port)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    expect(await refusesConnections(first.port)).toBe(true)
    expect(first.process.exitCode).toBe(null)
    await inFlight.finish()
    const answer = await inFlight.response
    expect(answer.status, answer.body).toBe(200)
    expect(JSON.parse(answer.body)).toMatchObject({ username: 'admin' })
    expect(await first.exited).toEqual({ code: 0, signal: null })
    // The other process never noticed.
    expect((await fetch(`${second.baseUrl}/api/health`)).status).toBe(200)
    expect(await stop(second)).toEqual({ code: 0, signal: null })
    // Both closed their connection: SQLite's last closer checkpoints the WAL into the file and removes it.
    if (dialect === 'sqlite') expect(fs.existsSync(path.join(dataDir, 'chorus.db-wal'))).toBe(false)
  })

  let restarted: Server
  let session: Session

  it('SIGKILL during writes leaves the database consistent, and a restart serves again', async () => {
    const third = track(await serve(env))
    // The administrator exists: the second start says nothing about it.
    expect(third.output()).not.toMatch(/administrator|password/)
    const load = hammer(third.baseUrl, await login(third.baseUrl, adminPassword), 'killed')
    const deadline = Date.now() + 15_000
    while (load.acked.length < 25 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    third.process.kill('SIGKILL')
    expect(await third.exited).toEqual({ code: null, signal: 'SIGKILL' })
    await load.stop()
    expect(load.acked.length).toBeGreaterThanOrEqual(25)

    restarted = track(await serve(env))
    expect((await fetch(`${restarted.baseUrl}/api/health`)).status).toBe(200)
    const handle = open()
    try {
      const state = await inspect(handle)
      expect(state.integrity).toBe('ok')
      expect(state.withoutAudit).toBe(0)
      expect(state.placeholderPaths).toBe(0)
      // Every acknowledged creation survived the kill; some in flight may have committed too, none half.
      expect(load.acked.filter((name) => !state.names.has(name))).toEqual([])
      expect(state.units).toBeGreaterThanOrEqual(load.acked.length)
    } finally {
      await handle.close()
    }
    session = await login(restarted.baseUrl, adminPassword)
    expect((await createCounty(restarted.baseUrl, session, 'after-restart')).status).toBe(201)
  })

  it.skipIf(dialect === 'postgres' && !hasPgTools)('backup gives a consistent copy while the server runs and writes; restore brings it back', async () => {
    const file = path.join(dataDir, dialect === 'sqlite' ? 'backup.db' : 'backup.dump')
    const load = hammer(restarted.baseUrl, session, 'during-backup', 3)
    while (load.acked.length < 5) await new Promise((r) => setTimeout(r, 20))
    const ackedBefore = [...load.acked]
    const backup = await runCli(['backup', file], env)
    await load.stop()
    expect(backup.code, backup.output).toBe(0)
    expect(backup.output).toContain('backup written to')
    let inBackup: Awaited<ReturnType<typeof inspect>> | null = null
    if (dialect === 'sqlite') {
      const copy = connect({ databaseUrl: null, sqliteFile: file })
      try {
        inBackup = await inspect(copy)
      } finally {
        await copy.close()
      }
      expect(inBackup.integrity).toBe('ok')
      expect(inBackup.withoutAudit).toBe(0)
      expect(inBackup.placeholderPaths).toBe(0)
    }
    // Written after the backup: gone after the restore.
    expect((await createCounty(restarted.baseUrl, session, 'after-backup')).status).toBe(201)
    expect(await stop(restarted)).toEqual({ code: 0, signal: null })

    const restore = await runCli(['restore', file], env)
    expect(restore.code, restore.output).toBe(0)
    const back = track(await serve(env))
    expect((await fetch(`${back.baseUrl}/api/health`)).status).toBe(200)
    await login(back.baseUrl, adminPassword)
    const handle = open()
    try {
      const state = await inspect(handle)
      expect(state.integrity).toBe('ok')
      expect(state.withoutAudit).toBe(0)
      expect(state.names.has('after-restart')).toBe(true)
      expect(state.names.has('after-backup')).toBe(false)
      expect(ackedBefore.filter((name) => !state.names.has(name))).toEqual([])
      if (inBackup) expect(state.names).toEqual(inBackup.names)
    } finally {
      await handle.close()
    }
    expect(await stop(back)).toEqual({ code: 0, signal: null })
  })
})

// The choice between CHORUS_ADMIN_PASSWORD and a generated password is the same code on both engines;
// creating the administrator in an empty database is proven on both above.
describe.each(['sqlite'] as const)('first start with CHORUS_ADMIN_PASSWORD (%s)', (dialect: DialectName) => {
  it('creates admin with that password and prints none', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chorus-process-'))
    let schema: string | null = null
    let databaseUrl = ''
    const admin = pg.Client
    if (dialect === 'postgres') {
      schema = `p_${randomToken(9).toLowerCase().replace(/[^a-z0-9]/g, '')}`
      const client = new admin({ connectionString: process.env.TEST_DATABASE_URL })
      await client.connect()
      await client.query(`create schema ${schema}`)
      await client.end()
      databaseUrl = withSchema(process.env.TEST_DATABASE_URL as string, schema)
    }
    const password = 'configured-admin-password-2026'
    const env: NodeJS.ProcessEnv = {
      ...process.env, HOST: '127.0.0.1', CHORUS_DATA_DIR: dataDir, CHORUS_DEMO: 'off', LOG_LEVEL: 'warn', CHORUS_SWEEP_SECONDS: '0',
      DATABASE_URL: databaseUrl, CHORUS_ADMIN_PASSWORD: password, CHORUS_PII_KEY: Buffer.alloc(32, 7).toString('base64'),
    }
    const server = await serve(env)
    try {
      expect(server.output()).not.toMatch(/administrator|password/)
      await login(server.baseUrl, password)
    } finally {
      expect(await stop(server)).toEqual({ code: 0, signal: null })
      fs.rmSync(dataDir, { recursive: true, force: true })
      if (schema) {
        const client = new admin({ connectionString: process.env.TEST_DATABASE_URL })
        await client.connect()
        await client.query(`drop schema ${schema} cascade`)
        await client.end()
      }
    }
  })
})
