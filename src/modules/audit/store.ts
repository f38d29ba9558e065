import type { ExpressionBuilder, Expression, Insertable, SqlBool } from 'kysely'
import type { Db } from '../../db/connect.js'
import type { Database } from '../../db/database.js'
import type { AuditLogTable } from '../../db/tables/platform.js'

export const insertAuditEntry = (db: Db, row: Insertable<AuditLogTable>) =>
  db.insertInto('audit_log').values(row).execute()

export interface AuditFilters {
  scope: (eb: ExpressionBuilder<Database, 'audit_log'>) => Expression<SqlBool>
  actor: string | null
  action: string | null
  entityType: string | null
  entityId: string | null
  from: string | null
  to: string | null
}

export async function listAuditEntries(db: Db, f: AuditFilters, page: { limit: number; offset: number }) {
  let q = db.selectFrom('audit_log').where((eb) => f.scope(eb))
  if (f.actor) q = q.where('actor_username', '=', f.actor)
  if (f.action) q = q.where((eb) => eb.or([eb('action', '=', f.action as string), eb('action', 'like', `${f.action}.%`)]))
  if (f.entityType) q = q.where('entity_type', '=', f.entityType)
  if (f.entityId) q = q.where('entity_id', '=', f.entityId)
  if (f.from) q = q.where('at', '>=', f.from)
  if (f.to) q = q.where('at', '<', f.to)
  const [rows, count] = await Promise.all([
    q.selectAll().orderBy('id', 'desc').limit(page.limit).offset(page.offset).execute(),
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ])
  return { rows, total: Number(count.n) }
}
