import { PostgresAdapter, sql, type Insertable, type Updateable } from 'kysely'
import type { Db } from '../../db/connect.js'
import type { AccountTable, SessionTable } from '../../db/tables/platform.js'
import { inSubtrees, type SubtreeFilter } from '../../db/subtree.js'
import { containsText } from '../../db/text.js'

export const findAccountByUsername = (db: Db, username: string) =>
  db.selectFrom('account').selectAll().where('username', '=', username).executeTakeFirst()

export const findAccountById = (db: Db, id: number) =>
  db.selectFrom('account').selectAll().where('id', '=', id).executeTakeFirst()

export const insertAccount = (db: Db, row: Insertable<AccountTable>) =>
  db.insertInto('account').values(row).returning('id').executeTakeFirstOrThrow()

export const updateAccount = (db: Db, id: number, patch: Updateable<AccountTable>) =>
  db.updateTable('account').set(patch).where('id', '=', id).execute()

/**
 * Serializes first-administrator creation: on PostgreSQL a lock on the account table (reads go on);
 * on SQLite the transaction itself holds the write lock (it begins IMMEDIATE, see db/connect.ts).
 */
export async function lockAccountsForFirstAdmin(trx: Db): Promise<void> {
  if (trx.getExecutor().adapter instanceof PostgresAdapter) await sql`lock table account in exclusive mode`.execute(trx)
}

export const countAccounts = async (db: Db): Promise<number> =>
  Number((await db.selectFrom('account').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)

export interface GrantRow {
  accountId: number
  role: string
  unitId: number | null
  unitPath: string | null
  unitName: string | null
}

export async function findGrants(db: Db, accountIds: number[]): Promise<GrantRow[]> {
  if (accountIds.length === 0) return []
  return db
    .selectFrom('account_grant as g')
    .leftJoin('unit as u', 'u.id', 'g.unit_id')
    .select(['g.account_id as accountId', 'g.role', 'g.unit_id as unitId', 'u.path as unitPath', 'u.name as unitName'])
    .where('g.account_id', 'in', accountIds)
    .orderBy('g.id')
    .execute()
}

export async function replaceGrants(db: Db, accountId: number, grants: { role: string; unitId: number | null }[], now: string) {
  await db.deleteFrom('account_grant').where('account_id', '=', accountId).execute()
  if (grants.length > 0) {
    await db.insertInto('account_grant').values(grants.map((g) => ({ account_id: accountId, role: g.role, unit_id: g.unitId, created_at: now }))).execute()
  }
}

export interface AccountListFilter {
  scope: SubtreeFilter
  q: string | null
  role: string | null
  status: string | null
}

/** Accounts with at least one grant inside the scope (deployment-wide scope: every account). */
export async function listAccounts(db: Db, f: AccountListFilter, page: { limit: number; offset: number }) {
  let q = db.selectFrom('account as a')
  if (!f.scope.all || f.role) {
    q = q.where((eb) =>
      eb.exists(
        eb.selectFrom('account_grant as g')
          .leftJoin('unit as u', 'u.id', 'g.unit_id')
          .select('g.id')
          .whereRef('g.account_id', '=', 'a.id')
          .where((e2) => inSubtrees(e2, 'u.path', f.scope))
          .$if(f.role !== null, (sq) => sq.where('g.role', '=', f.role as string)),
      ),
    )
  }
  if (f.q) q = q.where((eb) => eb.or([containsText('a.username', f.q as string), containsText('a.display_name', f.q as string)]))
  if (f.status) q = q.where('a.status', '=', f.status)
  const [rows, count] = await Promise.all([
    q.selectAll('a').orderBy('a.username').limit(page.limit).offset(page.offset).execute(),
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ])
  return { rows, total: Number(count.n) }
}

// --- sessions -------------------------------------------------------------------------------

export const insertSession = (db: Db, row: Insertable<SessionTable>) => db.insertInto('session').values(row).execute()

export const findSessionWithAccount = (db: Db, id: string) =>
  db
    .selectFrom('session as s')
    .innerJoin('account as a', 'a.id', 's.account_id')
    .select([
      's.id', 's.account_id', 's.csrf_token', 's.last_seen_at', 's.idle_expires_at', 's.absolute_expires_at',
      'a.username', 'a.display_name', 'a.status', 'a.must_change_password',
    ])
    .where('s.id', '=', id)
    .executeTakeFirst()

export const touchSession = (db: Db, id: string, lastSeenAt: string, idleExpiresAt: string) =>
  db.updateTable('session').set({ last_seen_at: lastSeenAt, idle_expires_at: idleExpiresAt }).where('id', '=', id).execute()

export const deleteSession = (db: Db, id: string) => db.deleteFrom('session').where('id', '=', id).execute()

export const deleteSessionsOfAccount = (db: Db, accountId: number, exceptId: string | null = null) =>
  db.deleteFrom('session').where('account_id', '=', accountId).$if(exceptId !== null, (q) => q.where('id', '<>', exceptId as string)).execute()

export const deleteExpiredSessions = (db: Db, now: string) =>
  db.deleteFrom('session').where((eb) => eb.or([eb('idle_expires_at', '<', now), eb('absolute_expires_at', '<', now)])).execute()
