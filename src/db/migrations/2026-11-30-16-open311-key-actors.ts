// Frozen in time: never import application code here, never edit after it has landed.
import type { Kysely } from 'kysely'

/**
 * Open311 API keys say who issued and who revoked them (the keys page lists them): the account,
 * or null for the command line and keys issued before this migration (the audit log still has those).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('open311_key').addColumn('created_by', 'integer', (c) => c.references('account.id')).execute()
  await db.schema.alterTable('open311_key').addColumn('revoked_by', 'integer', (c) => c.references('account.id')).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('open311_key').dropColumn('revoked_by').execute()
  await db.schema.alterTable('open311_key').dropColumn('created_by').execute()
}
