import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely'

/**
 * The upper bound of a materialized path's subtree: '/1/2/' → '/1/20' ('0' sorts right after '/').
 * A range on the path uses the index on both engines; LIKE does not on SQLite.
 */
export const subtreeUpperBound = (path: string): string => path.slice(0, -1) + '0'

/** Rows whose path column lies inside one of the given subtrees (or anywhere when `all`). */
export interface SubtreeFilter {
  all: boolean
  paths: string[]
}

export function inSubtrees<DB, TB extends keyof DB>(
  eb: ExpressionBuilder<DB, TB>,
  column: string,
  filter: SubtreeFilter,
): Expression<SqlBool> {
  if (filter.all) return sql<SqlBool>`1 = 1`
  if (filter.paths.length === 0) return sql<SqlBool>`1 = 0`
  const ref = sql.ref(column)
  return eb.or(
    filter.paths.map((p) => sql<SqlBool>`(${ref} >= ${p} and ${ref} < ${subtreeUpperBound(p)})`),
  )
}

/** Drops paths that lie inside another path of the list. */
export function outermostPaths(paths: string[]): string[] {
  const sorted = [...new Set(paths)].sort()
  const result: string[] = []
  for (const p of sorted) if (!result.some((outer) => p.startsWith(outer))) result.push(p)
  return result
}
