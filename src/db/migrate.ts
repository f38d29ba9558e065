import { Migrator, sql, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely'
import type SQLite from 'better-sqlite3'
import type { DbHandle } from './connect.js'
import * as m20261129_01 from './migrations/2026-11-29-01-platform.js'
import * as m20261129_02 from './migrations/2026-11-29-02-county-model.js'
import * as m20261130_01 from './migrations/2026-11-30-01-catalog-calendar.js'
import * as m20261130_02 from './migrations/2026-11-30-02-requests.js'
import * as m20261130_03 from './migrations/2026-11-30-03-residents-party.js'
import * as m20261130_04 from './migrations/2026-11-30-04-request-handling.js'
import * as m20261130_05 from './migrations/2026-11-30-05-unit-restructure.js'
import * as m20261130_07 from './migrations/2026-11-30-07-jobs.js'
import * as m20261130_10 from './migrations/2026-11-30-10-request-timeline-append-only.js'
import * as m20261130_14 from './migrations/2026-11-30-14-request-rollup-months.js'
import * as m20261130_12 from './migrations/2026-11-30-12-open311.js'
import * as m20261130_16 from './migrations/2026-11-30-16-open311-key-actors.js'
import * as m20261130_18 from './migrations/2026-11-30-18-request-unit-role.js'
import * as m20261130_20 from './migrations/2026-11-30-20-intake-journal.js'
import * as m20261130_22 from './migrations/2026-11-30-22-intake-journal-lean.js'

/** The explicit, ordered list of migrations. Names are dated and never change. */
const migrations: Record<string, Migration> = {
  '2026-11-29-01-platform': m20261129_01,
  '2026-11-29-02-county-model': m20261129_02,
  '2026-11-30-01-catalog-calendar': m20261130_01,
  '2026-11-30-02-requests': m20261130_02,
  '2026-11-30-03-residents-party': m20261130_03,
  '2026-11-30-04-request-handling': m20261130_04,
  '2026-11-30-05-unit-restructure': m20261130_05,
  '2026-11-30-07-jobs': m20261130_07,
  '2026-11-30-10-request-timeline-append-only': m20261130_10,
  '2026-11-30-14-request-rollup-months': m20261130_14,
  '2026-11-30-12-open311': m20261130_12,
  '2026-11-30-16-open311-key-actors': m20261130_16,
  '2026-11-30-18-request-unit-role': m20261130_18,
  '2026-11-30-20-intake-journal': m20261130_20,
  '2026-11-30-22-intake-journal-lean': m20261130_22,
}

const provider: MigrationProvider = { getMigrations: () => Promise.resolve(migrations) }

/**
 * Applies pending migrations, under a lock, so processes starting together on one database are safe.
 * PostgreSQL: Kysely runs them in a transaction holding an advisory lock. SQLite: Kysely takes no lock
 * and no transaction there, so the whole run happens inside one BEGIN IMMEDIATE transaction on our
 * connection: a second process waits for the first to finish and then finds nothing left to do, and a
 * process killed halfway leaves no half-applied migration behind (SQLite DDL is transactional).
 * So a SQLite migration must not open transactions, VACUUM or rely on `PRAGMA foreign_keys` (a no-op there).
 */
export function migrateToLatest(handle: DbHandle): Promise<MigrationResultSet> {
  return migrate(handle, (migrator) => migrator.migrateToLatest())
}

/** Applies the migrations up to and including `name` (for tests of an upgrade from that point). */
export function migrateTo(handle: DbHandle, name: string): Promise<MigrationResultSet> {
  return migrate(handle, (migrator) => migrator.migrateTo(name))
}

async function migrate(handle: DbHandle, run: (migrator: Migrator) => Promise<MigrationResultSet>): Promise<MigrationResultSet> {
  // Kysely looks for its own tables in every schema unless told which one is ours (DATABASE_URL may
  // name one; otherwise the connection's current schema). Migrations written in parallel may land out
  // of date order; each is independent, so order among them is not enforced.
  const schema = handle.schema ?? (handle.dialect === 'postgres' ? await currentSchema(handle) : null)
  const migrator = new Migrator({ db: handle.db, provider, allowUnorderedMigrations: true, ...(schema ? { migrationTableSchema: schema } : {}) })
  const result = handle.sqlite ? await underWriteLock(handle.sqlite, () => run(migrator)) : await run(migrator)
  if (result.error) throw result.error instanceof Error ? result.error : new Error(`migration failed: ${JSON.stringify(result.error)}`)
  return result
}

async function currentSchema(handle: DbHandle): Promise<string | null> {
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(handle.db)
  return rows[0]?.schema ?? null
}

const LOCK_WAIT_MS = 10 * 60_000

/** Runs `work` inside BEGIN IMMEDIATE (waiting for another process's migrations), committing only if it succeeded. */
async function underWriteLock(sqlite: SQLite.Database, work: () => Promise<MigrationResultSet>): Promise<MigrationResultSet> {
  const deadline = Date.now() + LOCK_WAIT_MS
  for (;;) {
    try {
      sqlite.exec('begin immediate')
      break
    } catch (err) {
      // busy_timeout already waited; another process is still migrating a large database.
      if ((err as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw err
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  }
  let result: MigrationResultSet
  try {
    result = await work()
  } catch (err) {
    if (sqlite.inTransaction) sqlite.exec('rollback')
    throw err
  }
  if (sqlite.inTransaction) sqlite.exec(result.error ? 'rollback' : 'commit')
  return result
}
