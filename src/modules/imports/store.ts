import { sql } from 'kysely'
import type { Db } from '../../db/connect.js'

/*
 * The importer writes only through the owning modules' services, inside its own transaction. Its own
 * SQL is the savepoint around each row or batch, so a refused row leaves nothing behind while the
 * batch's transaction goes on (on PostgreSQL a failed statement would otherwise abort the transaction).
 */
export const savepoint = (trx: Db, name = 'import_row') => sql`savepoint ${sql.id(name)}`.execute(trx)
export const releaseSavepoint = (trx: Db, name = 'import_row') => sql`release savepoint ${sql.id(name)}`.execute(trx)
export const rollbackToSavepoint = (trx: Db, name = 'import_row') => sql`rollback to savepoint ${sql.id(name)}`.execute(trx)
