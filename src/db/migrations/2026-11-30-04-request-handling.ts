// Frozen in time: never import application code here, never edit after it has landed.
import { type Kysely, sql, PostgresAdapter } from 'kysely'

const isPg = (db: Kysely<any>) => db.getExecutor().adapter instanceof PostgresAdapter

/**
 * What handling a request needs beyond 2026-11-30-02:
 * - request.pending_*: a hand-off (dispatch or transfer) waiting for the receiving unit to sign;
 *   until it does, the holding unit stays responsible (首接负责). pending_path allows subtree inboxes.
 * - request.dispatcher_unit_id: the unit that handed the case to its holder (where 退单 sends it back);
 *   request.first_unit_id: the first unit that received it.
 * - request.clock_json: what the deadlines are computed from (durations, the resolution clock's
 *   start, pauses, approved extensions), so a deadline can always be recomputed exactly.
 * - idempotency_key.fingerprint: a hash of the submitted body; the same key with another body is refused.
 * - request_upload: photos uploaded before the submit that claims them (unclaimed ones expire).
 */
export async function up(db: Kysely<any>): Promise<void> {
  const pg = isPg(db)
  const ts = pg ? 'timestamptz' : 'text'
  const pathType = pg ? sql`text collate "C"` : sql`text`
  const id = (c: any) => (pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement())

  // SQLite adds one column per statement.
  await db.schema.alterTable('request').addColumn('pending_unit_id', 'integer', (c) => c.references('unit.id')).execute()
  await db.schema.alterTable('request').addColumn('pending_path', pathType).execute()
  await db.schema.alterTable('request').addColumn('pending_kind', 'text').execute() // dispatch | transfer
  await db.schema.alterTable('request').addColumn('pending_from_status', 'text').execute()
  await db.schema.alterTable('request').addColumn('dispatcher_unit_id', 'integer').execute()
  await db.schema.alterTable('request').addColumn('first_unit_id', 'integer').execute()
  await db.schema.alterTable('request').addColumn('clock_json', 'text').execute()
  await db.schema.createIndex('request_pending_idx').on('request').columns(['pending_path']).execute()
  await db.schema.createIndex('request_resolution_due_idx').on('request').columns(['is_open', 'resolution_due_at']).execute()
  await db.schema.createIndex('request_response_due_idx').on('request').columns(['is_open', 'response_due_at']).execute()
  await db.schema.createIndex('request_merged_idx').on('request').columns(['merged_into_id']).execute()

  await db.schema.alterTable('idempotency_key').addColumn('fingerprint', 'text').execute()

  await db.schema
    .createTable('request_upload')
    .addColumn('id', 'integer', id)
    .addColumn('token_hash', 'text', (c) => c.notNull().unique()) // sha256 of the token the uploader holds
    .addColumn('stored_name', 'text', (c) => c.notNull())
    .addColumn('mime', 'text', (c) => c.notNull())
    .addColumn('bytes', 'integer', (c) => c.notNull())
    .addColumn('request_id', 'integer') // set when a submit claims it
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('expires_at', ts, (c) => c.notNull())
    .execute()
  await db.schema.createIndex('request_upload_expires_idx').on('request_upload').columns(['request_id', 'expires_at']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('request_upload').ifExists().execute()
  for (const name of ['request_pending_idx', 'request_resolution_due_idx', 'request_response_due_idx', 'request_merged_idx']) {
    await db.schema.dropIndex(name).ifExists().execute()
  }
  await db.schema.alterTable('idempotency_key').dropColumn('fingerprint').execute()
  for (const column of ['clock_json', 'first_unit_id', 'dispatcher_unit_id', 'pending_from_status', 'pending_kind', 'pending_path', 'pending_unit_id']) {
    await db.schema.alterTable('request').dropColumn(column).execute()
  }
}
