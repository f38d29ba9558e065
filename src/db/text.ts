import { sql, type Expression, type SqlBool } from 'kysely'

const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (c) => '\\' + c)

/** Case-insensitive "contains" that behaves the same on both engines; the user's % and _ are literal. */
export function containsText(column: string, text: string): Expression<SqlBool> {
  const pattern = `%${escapeLike(text.toLowerCase())}%`
  return sql<SqlBool>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`
}
