// Frozen in time: never import application code here, never edit after it has landed.
import { type Kysely, PostgresAdapter, sql } from 'kysely'

const isPg = (db: Kysely<any>) => db.getExecutor().adapter instanceof PostgresAdapter

/**
 * A leaner intake journal: every commit of a surge wrote each of the journal's b-trees, and a row's
 * answer was stored twice over (its tracking code, time and place are in the row already).
 * - result_json may be null: a row now keeps only what its answer adds to the row (in command_json),
 *   and the answer is rebuilt from both; rows written before keep their stored answer.
 * - The (state, id) index becomes an index of the pending rows only (what adoption reads); routed rows
 *   leave it, so it stays small instead of growing with every submit of the last 30 days.
 * - On SQLite the ids lose AUTOINCREMENT (its counter row was one more page written per commit); ids still
 *   only grow while the newest row is kept, which the clean-up does.
 */
export async function up(db: Kysely<any>): Promise<void> {
  if (isPg(db)) {
    await sql`alter table intake_journal alter column result_json drop not null`.execute(db)
    await db.schema.dropIndex('intake_journal_state_idx').execute()
  } else {
    // SQLite changes a column's constraints and a key's kind only by rebuilding the table.
    await db.schema
      .createTable('intake_journal_lean')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('tracking_code', 'text', (c) => c.notNull().unique())
      .addColumn('idempotency_key', 'text', (c) => c.unique())
      .addColumn('fingerprint', 'text', (c) => c.notNull())
      .addColumn('location_unit_id', 'integer', (c) => c.notNull())
      .addColumn('command_json', 'text', (c) => c.notNull())
      .addColumn('result_json', 'text')
      .addColumn('submitted_at', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull()) // pending | routed | failed
      .addColumn('request_id', 'integer')
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('error', 'text')
      .execute()
    await sql`insert into intake_journal_lean select id, tracking_code, idempotency_key, fingerprint, location_unit_id, command_json, result_json,
      submitted_at, state, request_id, attempts, error from intake_journal`.execute(db)
    await db.schema.dropTable('intake_journal').execute()
    await sql`alter table intake_journal_lean rename to intake_journal`.execute(db)
  }
  await sql`create index intake_journal_pending_idx on intake_journal (id) where state = 'pending'`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('intake_journal_pending_idx').ifExists().execute()
  await db.schema.createIndex('intake_journal_state_idx').on('intake_journal').columns(['state', 'id']).execute()
}
