// Frozen in time: never import application code here, never edit after it has landed.
import type { Kysely } from 'kysely'

/**
 * Restructuring events learn where they happened and whom they touched:
 * - restructure_event.unit_id: the unit the operation happened under (the lowest common ancestor
 *   of every unit it touched), shown as "where"; actor_username keeps the name even if the account goes.
 * - restructure_event_unit: every unit an event touched and how (created, moved, changed, archived,
 *   from_parent, to_parent, anchor), so events can be listed by subtree through the units' current paths.
 */
export async function up(db: Kysely<any>): Promise<void> {
  // SQLite adds one column per statement.
  await db.schema.alterTable('restructure_event').addColumn('unit_id', 'integer', (c) => c.references('unit.id')).execute()
  await db.schema.alterTable('restructure_event').addColumn('actor_username', 'text').execute()
  await db.schema.createIndex('restructure_event_unit_id_idx').on('restructure_event').column('unit_id').execute()

  await db.schema
    .createTable('restructure_event_unit')
    .addColumn('event_id', 'integer', (c) => c.notNull().references('restructure_event.id'))
    .addColumn('unit_id', 'integer', (c) => c.notNull().references('unit.id'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('restructure_event_unit_pk', ['event_id', 'unit_id', 'role'])
    .execute()
  await db.schema.createIndex('restructure_event_unit_unit_idx').on('restructure_event_unit').columns(['unit_id', 'event_id']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('restructure_event_unit').ifExists().execute()
  await db.schema.dropIndex('restructure_event_unit_id_idx').ifExists().execute()
  await db.schema.alterTable('restructure_event').dropColumn('actor_username').execute()
  await db.schema.alterTable('restructure_event').dropColumn('unit_id').execute()
}
