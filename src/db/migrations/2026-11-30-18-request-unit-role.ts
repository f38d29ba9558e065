// Frozen in time: never import application code here, never edit after it has landed.
import type { Kysely } from 'kysely'

/**
 * The inbox's co-handling branch asks for the co-handling rows (role 'co') of the units in a subtree.
 * Every request has a lead row, so with only (unit_id, status) to go by that read walked every lead
 * row a unit ever had (tens of thousands per community at a million requests) to find the few co
 * rows; by (role, unit_id, request_id) it is one short covering range per unit.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('request_unit_role_unit_idx').on('request_unit').columns(['role', 'unit_id', 'request_id']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('request_unit_role_unit_idx').ifExists().execute()
}
