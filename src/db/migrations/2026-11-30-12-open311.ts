// Frozen in time: never import application code here, never edit after it has landed.
import type { Kysely } from 'kysely'
import { PostgresAdapter } from 'kysely'

const isPg = (db: Kysely<any>) => db.getExecutor().adapter instanceof PostgresAdapter

/**
 * Open311 GeoReport v2:
 * - open311_request: what a request posted through Open311 carried beyond the request itself —
 *   the key that posted it, the client's media_url (published with the request), the submitter's
 *   email (personal information: encrypted) and the client's own account id (echoed back).
 * - an index on request_event (county_id, at) for the servicerequestupdates feed, which clients
 *   poll by time window across a county.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const ts = isPg(db) ? 'timestamptz' : 'text'
  await db.schema
    .createTable('open311_request')
    .addColumn('request_id', 'integer', (c) => c.primaryKey().references('request.id'))
    .addColumn('key_id', 'integer', (c) => c.notNull().references('open311_key.id'))
    .addColumn('media_url', 'text')
    .addColumn('email_enc', 'text')
    .addColumn('account_id', 'text')
    .addColumn('device_hash', 'text')
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute()
  await db.schema.createIndex('open311_request_key_idx').on('open311_request').columns(['key_id', 'created_at']).execute()
  await db.schema.createIndex('open311_key_unit_idx').on('open311_key').column('unit_id').execute()
  await db.schema.createIndex('request_event_county_at_idx').on('request_event').columns(['county_id', 'at']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('request_event_county_at_idx').execute()
  await db.schema.dropIndex('open311_key_unit_idx').execute()
  await db.schema.dropTable('open311_request').execute()
}
