import { Type, type Static } from 'typebox'
import { PageQuery, Paged } from '../../lib/paging.js'

export const unitTypes = [
  'county', 'town', 'subdistrict', 'village', 'new_village', 'community', 'grid', 'compound', 'building', 'agency', 'park', 'enterprise',
] as const
export type UnitType = (typeof unitTypes)[number]
export const UnitTypeSchema = Type.Enum(unitTypes)

export const UnitView = Type.Object({
  id: Type.Integer(),
  parentId: Type.Union([Type.Integer(), Type.Null()]),
  type: UnitTypeSchema,
  name: Type.String(),
  code: Type.Union([Type.String(), Type.Null()]),
  path: Type.String({ description: 'Materialized path of ids, e.g. /1/4/9/' }),
  depth: Type.Integer(),
  status: Type.Union([Type.Literal('active'), Type.Literal('archived')]),
  address: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
})
export type UnitView = Static<typeof UnitView>
export const UnitPage = Paged(UnitView)

export const UnitQuery = Type.Intersect([
  PageQuery,
  Type.Object({
    type: Type.Optional(UnitTypeSchema),
    parentId: Type.Optional(Type.Integer({ minimum: 1 })),
    q: Type.Optional(Type.String({ maxLength: 100, description: 'Part of the name or code' })),
    status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('archived'), Type.Literal('all')], { default: 'active' })),
  }),
])
export type UnitQuery = Static<typeof UnitQuery>

export const CreateUnitInput = Type.Object({
  parentId: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]),
  type: UnitTypeSchema,
  name: Type.String({ minLength: 1, maxLength: 100 }),
  code: Type.Optional(Type.Union([Type.String({ pattern: '^[0-9A-Za-z-]{1,32}$' }), Type.Null()])),
  address: Type.Optional(Type.Union([Type.String({ maxLength: 300 }), Type.Null()])),
}, { additionalProperties: false })
export type CreateUnitInput = Static<typeof CreateUnitInput>
