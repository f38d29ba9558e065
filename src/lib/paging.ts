import { Type, type Static } from 'typebox'

export const PageQuery = Type.Object({
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000, default: 1, description: 'Page number, from 1' })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 20, description: 'Rows per page (at most 500)' })),
})
export type PageQuery = Static<typeof PageQuery>

export const pageOf = (q: PageQuery): { limit: number; offset: number } => {
  const pageSize = q.pageSize ?? 20
  return { limit: pageSize, offset: ((q.page ?? 1) - 1) * pageSize }
}

export const Paged = <T extends Parameters<typeof Type.Array>[0]>(item: T) =>
  Type.Object({ items: Type.Array(item), total: Type.Integer() })
