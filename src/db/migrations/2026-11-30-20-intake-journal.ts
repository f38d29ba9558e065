// Frozen in time: never import application code here, never edit after it has landed.
import { type Kysely, PostgresAdapter } from 'kysely'

const isPg = (db: Kysely<any>) => db.getExecutor().adapter instanceof PostgresAdapter

/**
 * The intake journal: a resident's QR submit is acknowledged once its row here is committed, and
 * routed into a request afterwards (at once when the server is idle, in batches during a surge).
 * The row is narrow and its key sequential, so many submits commit together cheaply; the tracking
 * code and the idempotency key are unique here, so a replay or the tracking page finds a submit that
 * is not routed yet. command_json holds the submit as checked (the phone encrypted), result_json the
 * answer the resident got; request_id is set in the transaction that creates the request.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const pg = isPg(db)
  const ts = pg ? 'timestamptz' : 'text'
  await db.schema
    .createTable('intake_journal')
    .addColumn('id', 'integer', (c) => (pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement()))
    .addColumn('tracking_code', 'text', (c) => c.notNull().unique())
    .addColumn('idempotency_key', 'text', (c) => c.unique())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('location_unit_id', 'integer', (c) => c.notNull())
    .addColumn('command_json', 'text', (c) => c.notNull())
    .addColumn('result_json', 'text', (c) => c.notNull())
    .addColumn('submitted_at', ts, (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull()) // pending | routed | failed
    .addColumn('request_id', 'integer')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('error', 'text')
    .execute()
  await db.schema.createIndex('intake_journal_state_idx').on('intake_journal').columns(['state', 'id']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('intake_journal').ifExists().execute()
}
