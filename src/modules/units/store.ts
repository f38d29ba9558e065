import type { Insertable, Updateable } from 'kysely'
import type { Db } from '../../db/connect.js'
import type { UnitTable } from '../../db/tables/platform.js'
import { inSubtrees, type SubtreeFilter } from '../../db/subtree.js'
import { containsText } from '../../db/text.js'

export type UnitRow = NonNullable<Awaited<ReturnType<typeof findUnitById>>>

export const findUnitById = (db: Db, id: number) => db.selectFrom('unit').selectAll().where('id', '=', id).executeTakeFirst()
export const findUnitByCode = (db: Db, code: string) => db.selectFrom('unit').selectAll().where('code', '=', code).executeTakeFirst()

export const insertUnit = (db: Db, row: Insertable<UnitTable>) => db.insertInto('unit').values(row).returning('id').executeTakeFirstOrThrow()
export const updateUnit = (db: Db, id: number, patch: Updateable<UnitTable>) => db.updateTable('unit').set(patch).where('id', '=', id).execute()

export interface UnitListFilter {
  scope: SubtreeFilter
  type: string | null
  parentId: number | null
  q: string | null
  status: 'active' | 'archived' | 'all'
}

export async function listUnits(db: Db, f: UnitListFilter, page: { limit: number; offset: number }) {
  let q = db.selectFrom('unit').where((eb) => inSubtrees(eb, 'unit.path', f.scope))
  if (f.type) q = q.where('type', '=', f.type)
  if (f.parentId) q = q.where('parent_id', '=', f.parentId)
  if (f.status !== 'all') q = q.where('status', '=', f.status)
  if (f.q) q = q.where((eb) => eb.or([containsText('unit.name', f.q as string), containsText('unit.code', f.q as string)]))
  const [rows, count] = await Promise.all([
    q.selectAll().orderBy('path').limit(page.limit).offset(page.offset).execute(),
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ])
  return { rows, total: Number(count.n) }
}
