/**
 * `npm run bench`: the request loop's speed, on 1,000,000 historical requests.
 *
 * 1. Builds a county of the article's shape and writes BENCH_REQUESTS (default 1,000,000) requests of
 *    history into a fresh SQLite file under a temp dir (multi-row INSERTs in transactions) with each
 *    request's lead unit row, then builds the board rollups once with the requests module's rebuildRollups. With BENCH_DATABASE_URL set
 *    (postgres://…) the same runs again on PostgreSQL, in a schema of its own that is dropped after.
 * 2. Starts the real server (`chorus serve`: src/cli) as a child process on 127.0.0.1 with request
 *    logging at warn (the bare server logs nothing either), background sweeps off (CHORUS_SWEEP_SECONDS=0,
 *    so nothing else competes for the database) and the intake rate limits raised
 *    (CHORUS_INTAKE_PER_ADDRESS_HOUR / CHORUS_INTAKE_PER_DEVICE_HOUR), because every bench submit comes
 *    from one address and one device. A bare Fastify server (bench/bare-server.ts) is the yardstick.
 * 3. Loads them with autocannon from this process, against 127.0.0.1 only, 50 connections, BENCH_SECONDS
 *    (default 10) seconds each after a 2-second warm-up (then once more with one connection, for the time
 *    of one request on its own), waits until every acknowledged submit is routed (timing that too), and
 *    times the county board.
 * 4. Writes bench/results/requests.json with the machine facts.
 *
 * Environment: BENCH_REQUESTS, BENCH_SECONDS, BENCH_DATABASE_URL, BENCH_KEEP=1 (keep the temp dir and the PostgreSQL schema).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import { sql } from 'kysely'
import { connect, type DbHandle, type DialectName } from '../src/db/connect.js'
import { migrateToLatest } from '../src/db/migrate.js'
import { systemActor } from '../src/modules/access/service.js'
import { createAccount, createAdminAccount } from '../src/modules/accounts/service.js'
import { createCategory, createItem } from '../src/modules/catalog/service.js'
import { rebuildRollups } from '../src/modules/requests/service.js'
import { getBoard, getBoardCounters, getReferenceFigures } from '../src/modules/board/service.js'
import { buildCounty, historyColumns, prng, rowValues, writeHistory, type BenchCounty, type RowSink } from './history.js'
import { createBenchSchema, dropBenchSchema, logger, machineFacts, median, round, timed, writeResults } from './support.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const TOTAL = Number(process.env.BENCH_REQUESTS ?? 1_000_000)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10)
const CONNECTIONS = 50
const HISTORY_DAYS = 730
const PASSWORD = 'bench-password-0123456789'

const log = logger('bench')

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
    server.on('error', reject)
  })
}

/** Starts a child (tsx script) and waits until GET url answers 200. */
async function startChild(args: string[], env: NodeJS.ProcessEnv, readyUrl: string): Promise<ChildProcess> {
  // node --import tsx (not the tsx launcher), so the pid we signal is the server itself.
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (d: Buffer) => { output += d.toString() })
  child.stderr.on('data', (d: Buffer) => { output += d.toString() })
  const deadline = Date.now() + 120_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`child ${args.join(' ')} exited:\n${output}`)
    try {
      const res = await fetch(readyUrl)
      if (res.ok) return child
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) throw new Error(`child ${args.join(' ')} did not become ready:\n${output}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return
  const exited = new Promise((r) => child.once('exit', r))
  child.kill('SIGTERM')
  await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))])
  if (child.exitCode === null) child.kill('SIGKILL')
}

interface Load {
  rps: number
  mean_ms: number
  p50_ms: number
  p99_ms: number
  requests: number
  non2xx: number
  errors: number
}

/** Warm-up, then the measured run: 50 connections (or `connections`) for SECONDS seconds against 127.0.0.1. */
async function load(name: string, options: autocannon.Options, connections = CONNECTIONS): Promise<Load> {
  if (!options.url.startsWith('http://127.0.0.1:')) throw new Error('the bench loads 127.0.0.1 only')
  await autocannon({ ...options, connections, duration: 2 })
  const r = await autocannon({ ...options, connections, duration: SECONDS })
  const result: Load = {
    rps: round(r.requests.average, 1), mean_ms: round(r.latency.average), p50_ms: r.latency.p50, p99_ms: r.latency.p99, requests: r.requests.total,
    non2xx: r.non2xx, errors: r.errors + r.timeouts,
  }
  log(`${name}: ${result.rps} req/s, mean ${result.mean_ms} ms, p50 ${result.p50_ms} ms, p99 ${result.p99_ms} ms, ${result.requests} requests, ${result.non2xx} non-2xx, ${result.errors} errors`)
  return result
}

/**
 * Waits until no acknowledged submit is pending and checks that each journal row became exactly one
 * request under its tracking code. routedRps: the submits of the load (warm-up included) over the load's
 * wall time plus the time the backlog took, i.e. the end-to-end rate that surge actually got routed at.
 */
async function awaitRouting(handle: DbHandle, loadSeconds: number) {
  const pending = async () => Number((await handle.db.selectFrom('intake_journal').select((eb) => eb.fn.countAll<number>().as('n')).where('state', '=', 'pending').executeTakeFirstOrThrow()).n)
  const backlog = await pending()
  const started = performance.now()
  for (let left = backlog; left > 0; left = await pending()) {
    if (performance.now() - started > 30 * 60_000) throw new Error(`intake: ${left} acknowledged submits still not routed after 30 minutes`)
    await new Promise((r) => setTimeout(r, 250))
  }
  const drainSeconds = round((performance.now() - started) / 1000, 1)
  const { rows: [counts] } = await sql<{ journaled: number; routed: number; failed: number }>`
    select count(*) as journaled,
           count(r.id) as routed,
           sum(case when j.state = 'failed' then 1 else 0 end) as failed
    from intake_journal j left join request r on r.tracking_code = j.tracking_code and r.id = j.request_id`.execute(handle.db)
  const journaled = Number(counts!.journaled)
  const allRouted = Number(counts!.routed) === journaled && Number(counts!.failed ?? 0) === 0
  const routedRps = round(journaled / (loadSeconds + drainSeconds), 1)
  log(`intake routing: ${backlog} acknowledged submits waited after the load, routed in ${drainSeconds} s; ${journaled} journaled, all routed: ${allRouted}; end to end ${routedRps} submits/s`)
  return { backlog, drainSeconds, routedRps, allRouted }
}

async function login(base: string, username: string): Promise<{ cookie: string; csrf: string }> {
  const res = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: PASSWORD }) })
  if (!res.ok) throw new Error(`login ${username}: ${res.status} ${await res.text()}`)
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('chorus_session='))!.split(';')[0]!
  return { cookie, csrf: ((await res.json()) as { csrfToken: string }).csrfToken }
}

/**
 * The fast bulk path: one prepared multi-row INSERT, bound again and again inside one transaction per
 * chunk (better-sqlite3 on SQLite; a named, server-side prepared statement on PostgreSQL).
 */
function rowSink(handle: DbHandle): RowSink {
  const cols = historyColumns.join(', ')
  if (handle.sqlite) {
    const sqlite = handle.sqlite
    const per = 100
    const tuple = `(${historyColumns.map(() => '?').join(', ')})`
    const many = sqlite.prepare(`insert into request (${cols}) values ${Array.from({ length: per }, () => tuple).join(', ')}`)
    const one = sqlite.prepare(`insert into request (${cols}) values ${tuple}`)
    const write = sqlite.transaction((rows: Parameters<RowSink>[0]) => {
      let i = 0
      for (; i + per <= rows.length; i += per) many.run(rows.slice(i, i + per).flatMap(rowValues))
      for (; i < rows.length; i++) one.run(rowValues(rows[i]!))
    })
    return (rows) => {
      write(rows)
      return Promise.resolve()
    }
  }
  const pool = handle.pool!
  const per = 500
  const text = (n: number) => `insert into request (${cols}) values ${Array.from({ length: n }, (_, r) =>
    `(${historyColumns.map((_c, c) => `$${r * historyColumns.length + c + 1}`).join(', ')})`).join(', ')}`
  const full = text(per)
  return async (rows) => {
    const client = await pool.connect()
    try {
      await client.query('begin')
      let i = 0
      for (; i + per <= rows.length; i += per) await client.query({ name: 'bench_history_insert', text: full, values: rows.slice(i, i + per).flatMap(rowValues) })
      if (i < rows.length) await client.query(text(rows.length - i), rows.slice(i).flatMap(rowValues))
      await client.query('commit')
    } catch (err) {
      await client.query('rollback')
      throw err
    } finally {
      client.release()
    }
  }
}

/**
 * Bulk load with the request table's secondary indexes dropped and built again afterwards (one
 * sorted build each instead of a million random inserts), and a large page cache on SQLite.
 */
async function withoutSecondaryIndexes<T>(handle: DbHandle, load: () => Promise<T>): Promise<T> {
  let indexes: { name: string; sql: string }[]
  if (handle.sqlite) {
    indexes = handle.sqlite.prepare("select name, sql from sqlite_master where type = 'index' and tbl_name = 'request' and sql is not null").all() as { name: string; sql: string }[]
    handle.sqlite.pragma('cache_size = -262144')
  } else {
    const res = await sql<{ name: string; sql: string }>`select indexname as name, indexdef as sql from pg_indexes i
      where i.tablename = 'request' and i.schemaname = current_schema() and not exists (select 1 from pg_constraint c where c.conname = i.indexname)`.execute(handle.db)
    indexes = res.rows
  }
  for (const index of indexes) await sql`drop index ${sql.id(index.name)}`.execute(handle.db)
  try {
    return await load()
  } finally {
    const t0 = performance.now()
    for (const index of indexes) await sql.raw(index.sql).execute(handle.db)
    log(`indexes: ${indexes.length} secondary indexes of request built again (${round((performance.now() - t0) / 1000, 1)} s)`)
  }
}

interface Prepared {
  handle: DbHandle
  county: BenchCounty
  history: { from: string; to: string }
  itemId: number
  timings: { units_s: number; requests_s: number; rollups_s: number; rollup_rows: number; units: number }
}

async function prepare(handle: DbHandle): Promise<Prepared> {
  const db = handle.db
  await migrateToLatest(handle)
  await createAdminAccount(db, 'bench_admin', '基准管理员', PASSWORD, false)
  const random = prng(371524)
  const [county, unitsMs] = await timed(() => buildCounty(db, random))
  log(`county tree: ${county.units} units (${round(unitsMs / 1000, 1)} s)`)
  const actor = systemActor('bench')
  await createAccount(db, actor, { username: 'jxy_worker', displayName: '吉祥苑社区工作者', password: PASSWORD, grants: [{ role: 'community_worker', unitId: county.jixiangyuan.id }] })
  await createAccount(db, actor, { username: 'county_admin', displayName: '县管理员', password: PASSWORD, grants: [{ role: 'county_admin', unitId: county.county.id }] })
  // Accounts made by an administrator must choose their own password before anything else; these two did long ago.
  await db.updateTable('account').set({ must_change_password: 0 }).where('username', 'in', ['jxy_worker', 'county_admin']).execute()
  const category = await createCategory(db, actor, { code: 'bench', name: '基准类别' })
  const item = await createItem(db, actor, {
    code: 'bench-repair', categoryId: category.id, name: '水电维修', unitId: county.county.id, ownerUnitType: 'community', priority: 'general',
    anonymousAllowed: true, visibility: 'public',
  })

  const t0 = performance.now()
  let last = 0
  const history = await withoutSecondaryIndexes(handle, () => writeHistory(rowSink(handle), county, random, {
    total: TOTAL, days: HISTORY_DAYS, now: Date.now(),
    onProgress: (done) => {
      if (done - last >= 100_000 || done === TOTAL) {
        last = done
        const s = (performance.now() - t0) / 1000
        log(`requests: ${done.toLocaleString('en')} / ${TOTAL.toLocaleString('en')} (${round(s, 1)} s, ${Math.round(done / s).toLocaleString('en')} rows/s)`)
      }
    },
  }))
  // Every request has its lead unit's row (request_unit), as intake writes it: the inbox's co-handling branch reads that table.
  const [, leadMs] = await timed(() => sql`insert into request_unit (request_id, unit_id, role, status, created_at)
    select id, handler_unit_id, 'lead', case when is_open = 1 then (case when accepted_at is null then 'pending' else 'accepted' end) else 'done' end, submitted_at
    from request where handler_unit_id is not null order by id`.execute(db))
  log(`request units: a lead row for each request (${round(leadMs / 1000, 1)} s)`)
  const requestsMs = performance.now() - t0
  log(`rollups: rebuilding from ${TOTAL.toLocaleString('en')} requests …`)
  const heartbeat = setInterval(() => log(`rollups: still building (${round((performance.now() - t0 - requestsMs) / 1000)} s)`), 30_000)
  const [rebuilt, rollupsMs] = await timed(() => rebuildRollups(db, { countyId: county.county.id })).finally(() => clearInterval(heartbeat))
  log(`rollups: ${rebuilt.rows.toLocaleString('en')} rows from ${rebuilt.requests.toLocaleString('en')} requests (${round(rollupsMs / 1000, 1)} s)`)
  // Fresh statistics for the planner, and (SQLite) the write-ahead log folded into the database file, as after any bulk load.
  await sql`analyze`.execute(db)
  if (handle.sqlite) handle.sqlite.pragma('wal_checkpoint(TRUNCATE)')
  return {
    handle, county, history, itemId: item.id,
    timings: { units_s: round(unitsMs / 1000, 1), requests_s: round(requestsMs / 1000, 1), rollups_s: round(rollupsMs / 1000, 1), rollup_rows: rebuilt.rows, units: county.units },
  }
}

async function measure(dialect: DialectName, p: Prepared, databaseUrl: string | null, dataDir: string, bareLoad: () => Promise<Load>) {
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const env: NodeJS.ProcessEnv = {
    CHORUS_DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: databaseUrl ?? '', CHORUS_DEMO: 'off', LOG_LEVEL: 'warn',
    CHORUS_SWEEP_SECONDS: '0', CHORUS_INTAKE_PER_ADDRESS_HOUR: '1000000000', CHORUS_INTAKE_PER_DEVICE_HOUR: '1000000000',
    CHORUS_PII_KEY: crypto.randomBytes(32).toString('base64'), NODE_ENV: 'production',
  }
  log(`starting the server on ${base} (${dialect}) …`)
  const server = await startChild(['src/cli/index.ts', 'serve'], env, `${base}/api/health`)
  try {
    // The inbox: a community worker's first page of open cases held by the community.
    const worker = await login(base, 'jxy_worker')
    const first = await fetch(`${base}/api/requests?box=unit`, { headers: { cookie: worker.cookie } })
    const page = (await first.json()) as { items: unknown[]; total: number }
    if (!first.ok || page.items.length === 0) throw new Error(`inbox: ${first.status}, ${page.items?.length} items`)
    const pageBytes = Buffer.byteLength(JSON.stringify(page))
    log(`inbox: ${page.total} open cases for 吉祥苑社区, first page ${page.items.length} (${pageBytes} bytes of JSON)`)
    // The bare yardstick runs before, between and after, so a machine shared with other work is compared at like moments.
    const bares = [await bareLoad()]
    // As a browser asks for it: the page compressed (~15 KB of JSON, ~2 KB gzipped).
    const inboxOptions = { url: `${base}/api/requests?box=unit`, headers: { cookie: worker.cookie, 'accept-encoding': 'gzip, deflate, br' } }
    const inbox = await load('inbox', inboxOptions)
    // The same without compression: then the load generator's own reading of ~15 KB answers is the limit.
    const inboxPlain = await load('inbox, uncompressed', { url: inboxOptions.url, headers: { cookie: worker.cookie } })
    // One connection: the time of one inbox on its own (under 50 connections p50 is mostly the queue: 50 / rate).
    const inboxAlone = await load('inbox, 1 connection', inboxOptions, 1)
    bares.push(await bareLoad())

    // Intake: QR submits with unique Idempotency-Keys.
    const body = JSON.stringify({ locationCode: p.county.intakeCompound.code, itemId: p.itemId, description: '楼道灯不亮,请尽快维修', phone: '13800138000' })
    let seq = 0
    const run = crypto.randomBytes(4).toString('hex')
    const intakeOptions: autocannon.Options = {
      url: `${base}/api/public/requests`,
      requests: [{
        method: 'POST', path: '/api/public/requests', body,
        headers: { 'content-type': 'application/json', 'x-device-id': 'bench-device-000001' },
        setupRequest: (req) => ({ ...req, headers: { ...req.headers, 'idempotency-key': `bench-${run}-${++seq}` } }),
      }],
    }
    const loadStarted = performance.now()
    const intake = await load('intake', intakeOptions)
    const loadSeconds = (performance.now() - loadStarted) / 1000
    // A submit is answered once its journal row is committed; routing follows (at once when quiet,
    // from the backlog in a surge). Wait for every acknowledged submit to become a routed request.
    const routing = await awaitRouting(p.handle, loadSeconds)
    const intakeAlone = await load('intake, 1 connection', intakeOptions, 1)

    bares.push(await bareLoad())
    const bare: Load = { ...bares.sort((a, b) => a.rps - b.rps)[1]!, rps: median(bares.map((b) => b.rps)) }

    // The county board over the history (the intake's cases of today lie outside the period).
    const admin = await login(base, 'county_admin')
    const query = { unitId: p.county.county.id, from: p.history.from, to: p.history.to }
    const url = `${base}/api/board?unitId=${query.unitId}&from=${query.from}&to=${query.to}`
    const httpTimes: number[] = []
    let boardBody: any = null
    for (let i = 0; i < 33; i++) {
      const t0 = performance.now()
      const res = await fetch(url, { headers: { cookie: admin.cookie } })
      boardBody = await res.json()
      if (!res.ok) throw new Error(`board: ${res.status} ${JSON.stringify(boardBody)}`)
      if (i >= 3) httpTimes.push(performance.now() - t0)
    }
    const actor = systemActor('bench')
    const serviceTimes: number[] = []
    for (let i = 0; i < 33; i++) {
      const [, ms] = await timed(() => getBoard(p.handle.db, actor, query))
      if (i >= 3) serviceTimes.push(ms)
    }
    const referenceTimes: number[] = []
    let reference = null as Awaited<ReturnType<typeof getReferenceFigures>> | null
    for (let i = 0; i < 3; i++) {
      const [value, ms] = await timed(() => getReferenceFigures(p.handle.db, actor, query))
      reference = value
      referenceTimes.push(ms)
    }
    const counters = await getBoardCounters(p.handle.db, actor, query)
    const matches = isDeepStrictEqual(counters, reference!.counters) && isDeepStrictEqual(boardBody.figures, JSON.parse(JSON.stringify(reference!.figures)))
    log(`board: county over ${reference!.counters.submitted.toLocaleString('en')} requests, HTTP median ${round(median(httpTimes))} ms, service median ${round(median(serviceTimes))} ms; reference query median ${round(median(referenceTimes))} ms; identical: ${matches}`)
    if (reference!.counters.submitted !== TOTAL) log(`warning: the period holds ${reference!.counters.submitted} requests, not ${TOTAL}`)

    return {
      database: dialect,
      requests: TOTAL,
      bare_rps: bare.rps,
      intake_rps: intake.rps,
      intake_p99_ms: intake.p99_ms,
      intake_alone_mean_ms: intakeAlone.mean_ms,
      intake_vs_bare: round(intake.rps / bare.rps, 3),
      intake_backlog_after_load: routing.backlog,
      intake_drain_s: routing.drainSeconds,
      intake_routed_rps: routing.routedRps,
      intake_all_routed: routing.allRouted,
      inbox_rps: inbox.rps,
      inbox_vs_bare: round(inbox.rps / bare.rps, 3),
      inbox_alone_mean_ms: inboxAlone.mean_ms,
      inbox_uncompressed_rps: inboxPlain.rps,
      board_county_ms: round(median(httpTimes)),
      board_county_service_ms: round(median(serviceTimes)),
      board_reference_ms: round(median(referenceTimes)),
      board_matches_reference: matches,
      goals: {
        intake_vs_bare: { goal: '>= 0.30', met: intake.rps / bare.rps >= 0.3 },
        inbox_vs_bare: { goal: '>= 0.50', met: inbox.rps / bare.rps >= 0.5 },
        board_county_ms: { goal: '<= 20', met: median(httpTimes) <= 20 },
      },
      details: {
        bare_runs: bares.map((b) => b.rps), bare, intake, inbox, inbox_uncompressed: inboxPlain, intake_one_connection: intakeAlone, inbox_one_connection: inboxAlone,
        inbox_open_cases: page.total, inbox_page_bytes: pageBytes,
        board: { period: query, county_requests: reference!.counters.submitted, rollup_rows_summed: 'county row per day + its children', samples: httpTimes.length },
        generation: p.timings,
      },
    }
  } finally {
    await stopChild(server)
  }
}

async function runOn(dialect: DialectName, bareLoad: () => Promise<Load>) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chorus-bench-'))
  let databaseUrl: string | null = null
  let schema: string | null = null
  if (dialect === 'postgres') {
    const url = process.env.BENCH_DATABASE_URL as string
    schema = await createBenchSchema(url)
    const u = new URL(url)
    u.searchParams.set('options', `-c search_path=${schema}`)
    databaseUrl = u.toString()
  }
  log(`${dialect}: generating in ${dialect === 'sqlite' ? path.join(dataDir, 'chorus.db') : `schema ${schema}`}`)
  const handle = dialect === 'sqlite'
    ? connect({ databaseUrl: null, sqliteFile: path.join(dataDir, 'chorus.db') })
    : connect({ databaseUrl: process.env.BENCH_DATABASE_URL as string, pgSchema: schema as string, poolSize: 4 })
  try {
    const prepared = await prepare(handle)
    return await measure(dialect, prepared, databaseUrl, dataDir, bareLoad)
  } finally {
    await handle.close()
    if (process.env.BENCH_KEEP === '1') log(`kept ${dataDir}${schema ? ` and schema ${schema}` : ''}`)
    else {
      if (schema) await dropBenchSchema(process.env.BENCH_DATABASE_URL as string, schema)
      fs.rmSync(dataDir, { recursive: true, force: true })
    }
  }
}

async function main() {
  const started = Date.now()
  const barePort = await freePort()
  log('bare Fastify server …')
  const bareServer = await startChild(['bench/bare-server.ts', String(barePort)], {}, `http://127.0.0.1:${barePort}/bare`)
  const bareLoad = () => load('bare', { url: `http://127.0.0.1:${barePort}/bare` })
  let sqlite, postgres
  try {
    sqlite = await runOn('sqlite', bareLoad)
    postgres = process.env.BENCH_DATABASE_URL ? await runOn('postgres', bareLoad) : null
  } finally {
    await stopChild(bareServer)
  }
  const result = {
    ...sqlite,
    ...(postgres ? { postgresql: postgres } : {}),
    machine: machineFacts(root),
    notes: [
      'All figures of one run. Load: autocannon in the bench process against 127.0.0.1, 50 connections, ' + `${SECONDS} s after a 2 s warm-up; servers are child processes.`,
      'bare_rps is the median of three bare runs taken before, between and after the inbox and intake runs; the ratios divide by it.',
      'bare_rps: a bare Fastify JSON route (bench/bare-server.ts). intake: POST /api/public/requests with a unique Idempotency-Key each. inbox: GET /api/requests?box=unit as a community worker of 吉祥苑社区 (session cookie, Accept-Encoding: gzip, deflate, br as a browser sends).',
      'inbox: sessions and case lists are kept in memory while the database is unchanged (DbHandle.dataVersion: SQLite total_changes() + PRAGMA data_version, PostgreSQL pg_current_snapshot()), the page serialized and gzipped once; nothing writes during the inbox run, so it measures hits. inbox_uncompressed_rps: the same without Accept-Encoding (the load generator reading ~15 KB answers is then the limit: a bare Fastify route sending the same bytes reaches about the same rate on this machine).',
      'board_county_ms: median wall time of GET /api/board for the county over the whole history (HTTP on 127.0.0.1, sequential, figures + ranking of its children); board_county_service_ms: the same getBoard service call in process.',
      'board_reference_ms: the same counters by one plain SQL query over the request rows (getReferenceFigures); board_matches_reference: counters and figures identical.',
      'Server: the real `chorus serve` with LOG_LEVEL=warn, CHORUS_SWEEP_SECONDS=0 and the intake rate limits raised (CHORUS_INTAKE_PER_ADDRESS_HOUR, CHORUS_INTAKE_PER_DEVICE_HOUR).',
      'intake: a QR submit is answered once its row in intake_journal is committed (submits arriving together share one commit) and routed into a request afterwards: inline on a quiet server, from a backlog in a surge (src/modules/requests/journal.ts). intake_rps counts answered submits; the load (12 s with its warm-up) is shorter than the route lag (CHORUS_INTAKE_ROUTE_LAG_SECONDS, 30 s), past which every answer first routes one waiting submit and the rate falls to the routing rate. intake_backlog_after_load: submits still waiting when the load ended; intake_drain_s: the time to route them; intake_routed_rps: all submits of the load over load time + drain time (end to end); intake_all_routed: every journal row became exactly one request under its tracking code, none failed. intake_alone_mean_ms: one connection after the backlog, so each submit is routed before its answer.',
      'intake_alone_mean_ms / inbox_alone_mean_ms: mean latency of the same loads with one connection (details.*_one_connection): the time of one request on its own. Under 50 connections the server works one request at a time per process (one SQLite writer, one event loop), so p50 there is mostly the queue, about 50 / rate.',
      'The machine is shared (other work may run at the same time): compare ratios rather than absolute numbers.',
    ],
    total_seconds: Math.round((Date.now() - started) / 1000),
  }
  writeResults(root, 'requests', result)
}

await main()
