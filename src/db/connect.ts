import fs from 'node:fs'
import path from 'node:path'
import SQLite from 'better-sqlite3'
import pg from 'pg'
import { Kysely, PostgresDialect, SqliteDialect, PostgresAdapter, sql } from 'kysely'
import type { Database } from './database.js'
import type { Config } from '../config.js'
import { oncePerTurn } from '../lib/versioned-cache.js'

export type Db = Kysely<Database>
export type DialectName = 'sqlite' | 'postgres'

export interface DbHandle {
  db: Db
  dialect: DialectName
  /** The raw SQLite connection (backup, prepared hot paths); null on PostgreSQL. */
  sqlite: SQLite.Database | null
  /** The PostgreSQL pool (advisory locks, COPY); null on SQLite. */
  pool: pg.Pool | null
  /** The PostgreSQL schema in use when not the default (tests). */
  schema: string | null
  /**
   * A token that differs whenever a write may have been committed since it was last read, by this
   * process or another: read caches (sessions, inbox pages) keep an entry only while it is unchanged.
   * Read it before computing what is cached; an entry stored under an older token is just a miss.
   * On SQLite another process's commit shows from the next turn of the event loop (one read of the
   * file per turn); this process's own writes show at once.
   */
  dataVersion: () => Promise<string>
  /**
   * A transaction whose writes no cached read depends on (the intake journal): on SQLite it does not
   * move dataVersion, so a surge of submits leaves the caches alone. The rows it changes are counted
   * between its BEGIN and COMMIT, while it holds the one connection, so nothing else is discounted.
   * PostgreSQL's token moves anyway (conservative).
   */
  unseenTransaction: <T>(run: (trx: Db) => Promise<T>) => Promise<T>
  close(): Promise<void>
}

export function dialectOf(db: Kysely<unknown>): DialectName {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite'
}

/** Timestamps come back as ISO strings on both engines, counts as numbers. */
function postgresTypes(): pg.CustomTypesConfig {
  const parsers = new Map<number, (value: string) => unknown>([
    [20, (v) => Number(v)], // int8: counts and sums
    [1700, (v) => Number(v)], // numeric
    [1184, (v) => new Date(v).toISOString()], // timestamptz
    [1114, (v) => new Date(v + 'Z').toISOString()], // timestamp without zone, stored as UTC
  ])
  return {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
      const parser = parsers.get(oid)
      if (parser && (format === undefined || format === 'text')) return parser
      return pg.types.getTypeParser(oid, format) as (value: string) => unknown
    }) as pg.CustomTypesConfig['getTypeParser'],
  }
}

export interface ConnectOptions {
  databaseUrl: string | null
  /** SQLite file, or ':memory:'. Ignored on PostgreSQL. */
  sqliteFile?: string
  /** PostgreSQL schema to use (tests isolate each run in its own schema). */
  pgSchema?: string
  poolSize?: number
}

/**
 * The schema a DATABASE_URL names through libpq's options (`?options=-c search_path=NAME`), or null
 * for the default one. Migrations, backups and restores then stay inside that schema.
 */
export function schemaFromUrl(databaseUrl: string): string | null {
  let options: string | null
  try {
    options = new URL(databaseUrl).searchParams.get('options')
  } catch {
    return null
  }
  const match = options?.match(/(?:-c\s*|--)search_path=([A-Za-z_][A-Za-z0-9_]*)/)
  return match?.[1] ?? null
}

export function connect(options: ConnectOptions): DbHandle {
  if (options.databaseUrl) {
    const schema = options.pgSchema ?? schemaFromUrl(options.databaseUrl)
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
      types: postgresTypes(),
      ...(schema ? { options: `-c search_path=${schema}` } : {}),
    })
    // An idle client that loses its server must not crash the process.
    pool.on('error', () => undefined)
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
    // The cluster's current snapshot (xmin:xmax:running xids) changes whenever a transaction takes an
    // id or ends anywhere on the server: conservative (other databases count too), never stale. Read
    // once per turn of the event loop (a round trip per request cost more than the cached answer): a
    // turn's callbacks all run after the commits whose answers they handle, so a read sent in the turn
    // sees them; requests answered in one turn are concurrent with each other.
    const dataVersion = oncePerTurn(async () => (await pool.query<{ v: string }>('select pg_current_snapshot()::text as v')).rows[0]!.v)
    return { db, dialect: 'postgres', sqlite: null, pool, schema, dataVersion, unseenTransaction: (run) => db.transaction().execute(run), close: () => db.destroy() }
  }
  const file = options.sqliteFile ?? ':memory:'
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true })
  const sqlite = new SQLite(file)
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma('busy_timeout = 10000')
  // Durability: WAL with synchronous=NORMAL. A commit appends to the log without an fsync; the log is
  // synced when it is copied back into the database (checkpoint). A power cut can lose the last
  // commits before that sync, never corrupt the file; a crash of the process alone loses nothing.
  sqlite.pragma('synchronous = NORMAL')
  // A checkpoint (with its fsyncs) every ~40 MiB of log instead of every ~4 MiB: it blocks the one
  // connection while it runs, and pages written again and again (today's rollup rows, index tails)
  // are copied back once per checkpoint instead of once per few commits.
  sqlite.pragma('wal_autocheckpoint = 10000')
  // 64 MiB of page cache (better-sqlite3's default is 16 MiB): the request indexes of a large county stay in memory.
  sqlite.pragma('cache_size = -65536')
  // Statement journals (a multi-row INSERT inside a transaction keeps one to undo itself) and temporary
  // tables in memory: on disk each spilled statement journal cost a file created, written and unlinked.
  sqlite.pragma('temp_store = MEMORY')
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) })
  // Rows this connection changed (counted even before commit, never decreasing) and data_version,
  // which moves when another connection (another process) commits to the file. Two plain statements:
  // the pragma_data_version table function costs several times more.
  const ownChanges = sqlite.prepare('select total_changes()').pluck()
  const otherCommits = sqlite.prepare('pragma data_version').pluck()
  // Rows changed inside unseenTransaction are subtracted; a rolled-back change moved nothing either.
  let unseen = 0
  // Other processes' commits are read once per turn of the event loop (a read takes the file's locks,
  // several µs): the requests answered in one turn see the file as it was when the turn began reading.
  // This connection's own changes are counted afresh every time.
  let othersThisTurn: number | null = null
  const forgetOthers = () => { othersThisTurn = null }
  const dataVersion = () => {
    if (othersThisTurn === null) {
      othersThisTurn = otherCommits.get() as number
      setImmediate(forgetOthers)
    }
    return Promise.resolve(`${(ownChanges.get() as number) - unseen}:${othersThisTurn}`)
  }
  const unseenTransaction = <T>(run: (trx: Db) => Promise<T>): Promise<T> => db.transaction().execute(async (trx) => {
    const before = ownChanges.get() as number
    try {
      return await run(trx)
    } finally {
      unseen += (ownChanges.get() as number) - before
    }
  })
  return { db, dialect: 'sqlite', sqlite, pool: null, schema: null, dataVersion, unseenTransaction, close: () => db.destroy() }
}

const STATEMENT_CACHE_SIZE = 1000

/**
 * Kysely prepares every query anew; on SQLite preparing costs more than running a small query.
 * Statements are kept by their SQL text (least recently used go first); a statement still being
 * iterated is never handed out twice.
 *
 * Transactions begin IMMEDIATE: one process has one connection (Kysely queues its transactions), but
 * another process on the same file (a second server, `chorus create-admin`) may write too. A deferred
 * transaction that read first and writes second fails at once with SQLITE_BUSY when the other wrote
 * in between; an immediate one waits for the write lock (busy_timeout) and then reads fresh data.
 */
function withStatementCache(sqlite: SQLite.Database): { prepare(sql: string): SQLite.Statement; close(): void } {
  const cache = new Map<string, SQLite.Statement>()
  return {
    prepare(text: string) {
      if (text === 'begin') text = 'begin immediate'
      const hit = cache.get(text)
      if (hit && !hit.busy) {
        cache.delete(text)
        cache.set(text, hit)
        return hit
      }
      const statement = sqlite.prepare(text)
      if (!hit) {
        cache.set(text, statement)
        if (cache.size > STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string)
      }
      return statement
    },
    close() {
      cache.clear()
      sqlite.close()
    },
  }
}

/** The deployment's database: DATABASE_URL, else chorus.db in CHORUS_DATA_DIR. */
export function openDatabase(config: Pick<Config, 'databaseUrl' | 'dataDir'>): DbHandle {
  return connect({ databaseUrl: config.databaseUrl, sqliteFile: path.join(config.dataDir, 'chorus.db') })
}

export async function ping(db: Db): Promise<void> {
  await sql`select 1`.execute(db)
}
