import { Type, type Static } from 'typebox'
import { PageQuery, Paged } from '../../lib/paging.js'
import { roles } from '../access/roles.js'

export const Username = Type.String({ pattern: '^[A-Za-z0-9_.-]{2,64}$', description: 'Letters, digits, _ . - (2–64)' })
const Password = Type.String({ minLength: 1, maxLength: 200 })
export const RoleName = Type.Enum(roles)

export const LoginInput = Type.Object({ username: Type.String({ minLength: 1, maxLength: 100 }), password: Password }, { additionalProperties: false })
export type LoginInput = Static<typeof LoginInput>

export const GrantView = Type.Object({
  role: RoleName,
  unitId: Type.Union([Type.Integer(), Type.Null()], { description: 'null: the whole deployment' }),
  unitName: Type.Union([Type.String(), Type.Null()]),
})

export const MeView = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  displayName: Type.String(),
  grants: Type.Array(GrantView),
  actions: Type.Array(Type.String(), { description: 'Actions the account may perform somewhere' }),
  csrfToken: Type.String({ description: 'Send as the X-CSRF-Token header on every write' }),
  mustChangePassword: Type.Boolean(),
})
export type MeView = Static<typeof MeView>

export const ChangePasswordInput = Type.Object({ currentPassword: Password, newPassword: Password }, { additionalProperties: false })
export type ChangePasswordInput = Static<typeof ChangePasswordInput>

export const GrantInput = Type.Object({ role: RoleName, unitId: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]) }, { additionalProperties: false })
export type GrantInput = Static<typeof GrantInput>

export const AccountView = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  displayName: Type.String(),
  status: Type.Union([Type.Literal('active'), Type.Literal('disabled')]),
  locked: Type.Boolean(),
  mustChangePassword: Type.Boolean(),
  lastLoginAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  grants: Type.Array(GrantView),
})
export type AccountView = Static<typeof AccountView>
export const AccountPage = Paged(AccountView)

export const AccountQuery = Type.Intersect([
  PageQuery,
  Type.Object({
    q: Type.Optional(Type.String({ maxLength: 100, description: 'Part of the username or display name' })),
    role: Type.Optional(RoleName),
    status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('disabled')])),
  }),
])
export type AccountQuery = Static<typeof AccountQuery>

export const CreateAccountInput = Type.Object({
  username: Username,
  displayName: Type.String({ minLength: 1, maxLength: 100 }),
  password: Password,
  grants: Type.Array(GrantInput, { maxItems: 50 }),
}, { additionalProperties: false })
export type CreateAccountInput = Static<typeof CreateAccountInput>

export const UpdateAccountInput = Type.Object({
  displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('disabled')])),
}, { additionalProperties: false })
export type UpdateAccountInput = Static<typeof UpdateAccountInput>

export const ResetPasswordInput = Type.Object({ newPassword: Password }, { additionalProperties: false })
export type ResetPasswordInput = Static<typeof ResetPasswordInput>

export const SetGrantsInput = Type.Object({ grants: Type.Array(GrantInput, { maxItems: 50 }) }, { additionalProperties: false })
export type SetGrantsInput = Static<typeof SetGrantsInput>

export const RoleCatalog = Type.Array(Type.Object({ role: RoleName, actions: Type.Array(Type.String()) }))
