import { Migrator, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely'
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
}

const provider: MigrationProvider = { getMigrations: () => Promise.resolve(migrations) }

/** Applies pending migrations. Kysely's migrator holds a lock row, so concurrent starts are safe. */
export async function migrateToLatest(handle: DbHandle): Promise<MigrationResultSet> {
  // Kysely looks for its own tables in every schema unless told which one is ours. Migrations written
  // in parallel may land out of date order; each is independent, so order among them is not enforced.
  const migrator = new Migrator({ db: handle.db, provider, allowUnorderedMigrations: true, ...(handle.schema ? { migrationTableSchema: handle.schema } : {}) })
  const result = await migrator.migrateToLatest()
  if (result.error) throw result.error instanceof Error ? result.error : new Error(`migration failed: ${JSON.stringify(result.error)}`)
  return result
}
