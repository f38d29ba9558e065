import { Type, type Static } from 'typebox'
import { PageQuery, Paged } from '../../lib/paging.js'

export const AuditQuery = Type.Intersect([
  PageQuery,
  Type.Object({
    actor: Type.Optional(Type.String({ maxLength: 100, description: 'Username of the actor' })),
    action: Type.Optional(Type.String({ maxLength: 100, description: 'Action, or an action prefix such as "residents"' })),
    entityType: Type.Optional(Type.String({ maxLength: 100 })),
    entityId: Type.Optional(Type.String({ maxLength: 100 })),
    from: Type.Optional(Type.String({ format: 'date-time' })),
    to: Type.Optional(Type.String({ format: 'date-time' })),
  }),
])
export type AuditQuery = Static<typeof AuditQuery>

export const AuditEntryView = Type.Object({
  id: Type.Integer(),
  at: Type.String({ format: 'date-time' }),
  actorId: Type.Union([Type.Integer(), Type.Null()]),
  actorUsername: Type.Union([Type.String(), Type.Null()]),
  action: Type.String(),
  entityType: Type.String(),
  entityId: Type.Union([Type.String(), Type.Null()]),
  unitId: Type.Union([Type.Integer(), Type.Null()]),
  ip: Type.Union([Type.String(), Type.Null()]),
  requestId: Type.Union([Type.String(), Type.Null()]),
  reason: Type.Union([Type.String(), Type.Null()]),
  before: Type.Unknown(),
  after: Type.Unknown(),
})
export type AuditEntryView = Static<typeof AuditEntryView>
export const AuditPage = Paged(AuditEntryView)
