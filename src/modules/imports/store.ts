import { sql, type Insertable } from 'kysely'
import type { Db } from '../../db/connect.js'
import type { HouseholdTable, PersonTable } from '../../db/tables/county.js'

/*
 * The importer writes through the owning modules' services. Its own SQL is:
 *  - the savepoint around each row or batch, so a refused row leaves nothing behind while the batch's
 *    transaction goes on (on PostgreSQL a failed statement would otherwise abort the transaction);
 *  - the residents batch path: the residents module writes one person per call (about 2 ms each with
 *    its checks), too slow for 50,000 rows, and offers no batch function yet. Rows are validated with
 *    its pure validator (validatePersonInput) and encrypted per row exactly as createPerson does; these
 *    statements then insert a few hundred households and persons per statement.
 */
export const savepoint = (trx: Db, name = 'import_row') => sql`savepoint ${sql.id(name)}`.execute(trx)
export const releaseSavepoint = (trx: Db, name = 'import_row') => sql`release savepoint ${sql.id(name)}`.execute(trx)
export const rollbackToSavepoint = (trx: Db, name = 'import_row') => sql`rollback to savepoint ${sql.id(name)}`.execute(trx)

/** Which of these identity-number hashes are registered already. */
export async function takenIdHashes(db: Db, hashes: string[]): Promise<Set<string>> {
  if (hashes.length === 0) return new Set()
  const rows = await db.selectFrom('person').select('id_number_hash').where('id_number_hash', 'in', hashes).execute()
  return new Set(rows.map((r) => r.id_number_hash as string))
}

/** Inserts households; returns their ids with the columns that identify them, in insertion order. */
export const insertHouseholds = (db: Db, rows: Insertable<HouseholdTable>[]) =>
  rows.length === 0 ? Promise.resolve([]) : db.insertInto('household').values(rows).returning(['id', 'unit_id', 'room']).execute()

/** Inserts persons; returns ids with identifying columns, so the caller can check the order it relies on. */
export const insertPersons = (db: Db, rows: Insertable<PersonTable>[]) =>
  rows.length === 0
    ? Promise.resolve([])
    : db.insertInto('person').values(rows).returning(['id', 'name', 'household_id', 'relation', 'unit_id', 'room', 'id_number_hash', 'phone_hash', 'birth_date']).execute()

export async function insertTagLinks(db: Db, links: { person_id: number; tag_id: number }[]): Promise<void> {
  for (let i = 0; i < links.length; i += 1000) await db.insertInto('person_tag_link').values(links.slice(i, i + 1000)).execute()
}

/** Sets the head of each household (only where none is set yet), one statement for the batch. */
export async function setHouseholdHeads(db: Db, heads: { householdId: number; personId: number }[], now: string): Promise<void> {
  if (heads.length === 0) return
  const cases = sql.join(heads.map((h) => sql`when ${h.householdId} then ${h.personId}`), sql` `)
  await db.updateTable('household')
    .set({ head_person_id: sql<number>`cast(case id ${cases} end as integer)`, updated_at: now })
    .where('id', 'in', heads.map((h) => h.householdId))
    .where('head_person_id', 'is', null)
    .execute()
}
