import { Type, type Static } from 'typebox'
import { PageQuery, Paged } from '../../lib/paging.js'
import { registerErrors } from '../../server/errors.js'
import { genders, PERSON_LIMITS, personStatuses, relations } from './person-input.js'

registerErrors({
  person_not_found: { status: 404, en: 'No such resident.', zh: '居民不存在。' },
  household_not_found: { status: 404, en: 'No such household.', zh: '户不存在。' },
  person_tag_not_found: { status: 404, en: 'No such tag.', zh: '标签不存在。' },
  invalid_id_number: { status: 400, en: 'The identity number is not valid (18 characters with a correct check digit).', zh: '身份证号无效(应为 18 位且校验码正确)。' },
  invalid_mobile: { status: 400, en: 'The mobile number is not valid; give 11 digits such as 13812345678.', zh: '手机号无效,请填写 11 位手机号,例如 13812345678。' },
  birth_date_mismatch: { status: 400, en: 'The birth date does not match the identity number.', zh: '出生日期与身份证号不一致。' },
  gender_mismatch: { status: 400, en: 'The gender does not match the identity number.', zh: '性别与身份证号不一致。' },
  id_number_taken: { status: 409, en: 'Another resident already has this identity number.', zh: '已有其他居民登记了该身份证号。' },
  invalid_resident_unit: { status: 400, en: 'A home address must be a village, grid, compound or building.', zh: '居住地址须为村、网格、小区或楼院。' },
  address_follows_household: { status: 409, en: "This person's address is their household's: move the household, or take the person out of it first.", zh: '该居民的住址随其所在户:请迁移整户,或先将其移出该户。' },
  household_has_head: { status: 409, en: 'The household already has a head; change the head on the household instead.', zh: '该户已有户主,请在户信息中更换户主。' },
  person_in_other_household: { status: 409, en: 'The person belongs to another household; take them out of it first.', zh: '该居民属于其他户,请先将其移出。' },
  household_dissolved: { status: 409, en: 'The household is dissolved.', zh: '该户已注销。' },
  household_not_empty: { status: 409, en: 'The household still has members.', zh: '该户仍有成员。' },
  pii_not_recorded: { status: 404, en: 'That number is not recorded for this resident.', zh: '该居民未登记此号码。' },
  person_tag_code_taken: { status: 409, en: 'Another tag already has this code.', zh: '该标签代码已被使用。' },
})

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()])
const DateText = Type.String({ format: 'date', description: 'YYYY-MM-DD' })

export const GenderSchema = Type.Enum(genders)
export const PersonStatusSchema = Type.Enum(personStatuses)
export const RelationSchema = Type.Enum(relations, { description: 'Relation to the head of household' })

// --- tags -----------------------------------------------------------------------------------

export const PersonTagView = Type.Object({
  id: Type.Integer(),
  code: Type.String(),
  nameZh: Type.String(),
  nameEn: Type.String(),
  needsCare: Type.Boolean({ description: 'A group that needs care (独居老人, 残疾 …)' }),
  sortOrder: Type.Integer(),
  archived: Type.Boolean(),
})
export type PersonTagView = Static<typeof PersonTagView>
export const PersonTagList = Type.Object({ items: Type.Array(PersonTagView) })

export const PersonTagQuery = Type.Object({
  includeArchived: Type.Optional(Type.Boolean({ default: false })),
})
export type PersonTagQuery = Static<typeof PersonTagQuery>

export const CreatePersonTagInput = Type.Object({
  code: Type.String({ pattern: '^[a-z][a-z0-9_]{1,39}$', description: 'Stable code, lower-case letters, digits, _' }),
  nameZh: Type.String({ minLength: 1, maxLength: 30 }),
  nameEn: Type.String({ minLength: 1, maxLength: 60 }),
  needsCare: Type.Optional(Type.Boolean({ default: true })),
  sortOrder: Type.Optional(Type.Integer({ minimum: 0, maximum: 10000 })),
}, { additionalProperties: false })
export type CreatePersonTagInput = Static<typeof CreatePersonTagInput>

export const UpdatePersonTagInput = Type.Object({
  nameZh: Type.Optional(Type.String({ minLength: 1, maxLength: 30 })),
  nameEn: Type.Optional(Type.String({ minLength: 1, maxLength: 60 })),
  needsCare: Type.Optional(Type.Boolean()),
  sortOrder: Type.Optional(Type.Integer({ minimum: 0, maximum: 10000 })),
  archived: Type.Optional(Type.Boolean()),
}, { additionalProperties: false })
export type UpdatePersonTagInput = Static<typeof UpdatePersonTagInput>

// --- residents ------------------------------------------------------------------------------

export const TagRef = Type.Object({ id: Type.Integer(), code: Type.String(), nameZh: Type.String(), nameEn: Type.String() })

export const PersonView = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  gender: Nullable(GenderSchema),
  birthDate: Nullable(DateText),
  age: Nullable(Type.Integer()),
  ethnicity: Nullable(Type.String()),
  idNumberMasked: Nullable(Type.String({ description: 'e.g. 3715**********1234; the clear number only through /unmask' })),
  phoneMasked: Nullable(Type.String({ description: 'e.g. 138****5678' })),
  unitId: Type.Integer(),
  unitName: Type.String(),
  unitType: Type.String(),
  address: Type.String({ description: 'Village/community → grid → compound → building names, then the room' }),
  room: Nullable(Type.String()),
  householdId: Nullable(Type.Integer()),
  relation: Nullable(RelationSchema),
  status: PersonStatusSchema,
  tags: Type.Array(TagRef),
  note: Nullable(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
})
export type PersonView = Static<typeof PersonView>
export const PersonPage = Paged(PersonView)

export const HouseholdBrief = Type.Object({
  id: Type.Integer(),
  room: Nullable(Type.String()),
  headPersonId: Nullable(Type.Integer()),
  headName: Nullable(Type.String()),
  memberCount: Type.Integer(),
})

export const PersonDetail = Type.Object({ ...PersonView.properties, household: Nullable(HouseholdBrief) })
export type PersonDetail = Static<typeof PersonDetail>

export const personSorts = ['id', '-id', 'name', '-name', 'birthDate', '-birthDate', 'createdAt', '-createdAt', 'address'] as const
export type PersonSort = (typeof personSorts)[number]

export const ResidentFilters = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 50, description: 'Part of the name' })),
  idNumber: Type.Optional(Type.String({ maxLength: 30, description: 'Exact identity number (found through the keyed hash)' })),
  phone: Type.Optional(Type.String({ maxLength: 30, description: 'Exact mobile number (found through the keyed hash)' })),
  unitId: Type.Optional(Type.Integer({ minimum: 1, description: 'Residents living anywhere in this unit’s subtree' })),
  householdId: Type.Optional(Type.Integer({ minimum: 1 })),
  tagId: Type.Optional(Type.Integer({ minimum: 1 })),
  gender: Type.Optional(GenderSchema),
  ageMin: Type.Optional(Type.Integer({ minimum: 0, maximum: 150 })),
  ageMax: Type.Optional(Type.Integer({ minimum: 0, maximum: 150 })),
  status: Type.Optional(Type.Union([PersonStatusSchema, Type.Literal('all')], { default: 'active' })),
  sort: Type.Optional(Type.Enum(personSorts, { default: 'id' })),
})
export type ResidentFilters = Static<typeof ResidentFilters>
export const ResidentQuery = Type.Intersect([PageQuery, ResidentFilters])
export type ResidentQuery = Static<typeof ResidentQuery>

const personFields = {
  name: Type.String({ minLength: 1, maxLength: PERSON_LIMITS.name }),
  gender: Type.Optional(Nullable(GenderSchema)),
  birthDate: Type.Optional(Nullable(DateText)),
  idNumber: Type.Optional(Nullable(Type.String({ maxLength: 30, description: '18 characters, GB 11643 check digit' }))),
  phone: Type.Optional(Nullable(Type.String({ maxLength: 30, description: '11-digit mainland mobile' }))),
  ethnicity: Type.Optional(Nullable(Type.String({ maxLength: PERSON_LIMITS.ethnicity }))),
  room: Type.Optional(Nullable(Type.String({ maxLength: PERSON_LIMITS.room }))),
  status: Type.Optional(PersonStatusSchema),
  tagIds: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { maxItems: PERSON_LIMITS.tags })),
  note: Type.Optional(Nullable(Type.String({ maxLength: PERSON_LIMITS.note }))),
}

export const CreatePersonInput = Type.Object({
  ...personFields,
  unitId: Type.Optional(Type.Integer({ minimum: 1, description: 'Where the person lives: a village, grid, compound or building (required without a household)' })),
  householdId: Type.Optional(Nullable(Type.Integer({ minimum: 1, description: 'Joins this household and takes its address' }))),
  relation: Type.Optional(Nullable(RelationSchema)),
}, { additionalProperties: false })
export type CreatePersonInput = Static<typeof CreatePersonInput>

export const UpdatePersonInput = Type.Object({
  name: Type.Optional(personFields.name),
  gender: personFields.gender,
  birthDate: personFields.birthDate,
  idNumber: personFields.idNumber,
  phone: personFields.phone,
  ethnicity: personFields.ethnicity,
  unitId: Type.Optional(Type.Integer({ minimum: 1 })),
  room: personFields.room,
  status: personFields.status,
  tagIds: personFields.tagIds,
  note: personFields.note,
}, { additionalProperties: false })
export type UpdatePersonInput = Static<typeof UpdatePersonInput>

export const UnmaskInput = Type.Object({
  field: Type.Union([Type.Literal('idNumber'), Type.Literal('phone')]),
  reason: Type.String({ minLength: 2, maxLength: 200, description: 'Why the clear number is needed (kept in the audit log)' }),
}, { additionalProperties: false })
export type UnmaskInput = Static<typeof UnmaskInput>
export const UnmaskView = Type.Object({ personId: Type.Integer(), field: Type.Union([Type.Literal('idNumber'), Type.Literal('phone')]), value: Type.String() })

// --- households -----------------------------------------------------------------------------

export const householdStatuses = ['active', 'dissolved'] as const
export const HouseholdStatusSchema = Type.Enum(householdStatuses)

export const HouseholdMemberView = Type.Object({
  personId: Type.Integer(),
  name: Type.String(),
  relation: Nullable(RelationSchema),
  gender: Nullable(GenderSchema),
  birthDate: Nullable(DateText),
  age: Nullable(Type.Integer()),
  idNumberMasked: Nullable(Type.String()),
  phoneMasked: Nullable(Type.String()),
  status: PersonStatusSchema,
})

export const HouseholdView = Type.Object({
  id: Type.Integer(),
  unitId: Type.Integer(),
  unitName: Type.String(),
  unitType: Type.String(),
  address: Type.String(),
  room: Nullable(Type.String()),
  headPersonId: Nullable(Type.Integer()),
  headName: Nullable(Type.String()),
  memberCount: Type.Integer(),
  status: HouseholdStatusSchema,
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
})
export type HouseholdView = Static<typeof HouseholdView>
export const HouseholdPage = Paged(HouseholdView)
export const HouseholdDetail = Type.Object({ ...HouseholdView.properties, members: Type.Array(HouseholdMemberView) })
export type HouseholdDetail = Static<typeof HouseholdDetail>

export const HouseholdQuery = Type.Intersect([PageQuery, Type.Object({
  unitId: Type.Optional(Type.Integer({ minimum: 1, description: 'Households anywhere in this unit’s subtree' })),
  q: Type.Optional(Type.String({ maxLength: 50, description: 'Part of the room or of the head’s name' })),
  status: Type.Optional(Type.Union([HouseholdStatusSchema, Type.Literal('all')], { default: 'active' })),
})])
export type HouseholdQuery = Static<typeof HouseholdQuery>

export const CreateHouseholdInput = Type.Object({
  unitId: Type.Integer({ minimum: 1, description: 'A village, grid, compound or building' }),
  room: Type.Optional(Nullable(Type.String({ maxLength: PERSON_LIMITS.room }))),
}, { additionalProperties: false })
export type CreateHouseholdInput = Static<typeof CreateHouseholdInput>

export const UpdateHouseholdInput = Type.Object({
  headPersonId: Type.Optional(Type.Integer({ minimum: 1, description: 'A member who becomes the head (the previous head becomes "other")' })),
  status: Type.Optional(HouseholdStatusSchema),
}, { additionalProperties: false })
export type UpdateHouseholdInput = Static<typeof UpdateHouseholdInput>

export const MoveHouseholdInput = Type.Object({
  unitId: Type.Integer({ minimum: 1 }),
  room: Type.Optional(Nullable(Type.String({ maxLength: PERSON_LIMITS.room }))),
}, { additionalProperties: false })
export type MoveHouseholdInput = Static<typeof MoveHouseholdInput>

export const HouseholdMemberInput = Type.Object({
  personId: Type.Integer({ minimum: 1 }),
  relation: RelationSchema,
}, { additionalProperties: false })
export type HouseholdMemberInput = Static<typeof HouseholdMemberInput>

export const HouseholdMemberParams = Type.Object({ id: Type.Integer({ minimum: 1 }), personId: Type.Integer({ minimum: 1 }) })
