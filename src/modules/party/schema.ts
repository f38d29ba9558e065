import { Type, type Static } from 'typebox'
import { PageQuery, Paged } from '../../lib/paging.js'
import { registerErrors } from '../../server/errors.js'
import { officerRoles, orgKinds } from './org-kinds.js'
import { flagCodes, stages, steps } from './development-rules.js'

registerErrors({
  party_org_not_found: { status: 404, en: 'No such party organization.', zh: '党组织不存在。' },
  party_member_not_found: { status: 404, en: 'No such party member.', zh: '党员不存在。' },
  party_transfer_not_found: { status: 404, en: 'No such transfer.', zh: '组织关系转接记录不存在。' },
  party_step_not_found: { status: 404, en: 'No such development step.', zh: '发展步骤不存在。' },
  studio_not_found: { status: 404, en: 'No such studio.', zh: '工作室不存在。' },
  invalid_party_org_parent: { status: 400, en: 'The organization cannot be placed under that parent.', zh: '该党组织不能设在所选上级党组织之下。' },
  party_org_unit_outside_parent: { status: 400, en: "The organization's unit must lie within its parent organization's unit.", zh: '党组织所在单位须在上级党组织所在单位范围内。' },
  party_org_inactive: { status: 409, en: 'The party organization is dissolved.', zh: '该党组织已撤销。' },
  party_org_not_empty: { status: 409, en: 'The organization still has members or active sub-organizations.', zh: '该党组织仍有党员或下级组织。' },
  org_cannot_hold_members: { status: 400, en: 'Members belong to a general branch, branch or group, not to a committee.', zh: '党员应编入党总支、党支部或党小组,不能直接编入党委。' },
  officer_not_member: { status: 400, en: 'An officer must be a full or probationary member.', zh: '党组织委员须为正式党员或预备党员。' },
  invalid_officer_role: { status: 400, en: 'That role does not exist in this kind of organization, or is held twice.', zh: '该职务不适用于此类党组织,或重复设置。' },
  already_party_member: { status: 409, en: 'This person already has a party membership record.', zh: '该居民已有党员(发展)档案。' },
  invalid_stage_transition: { status: 409, en: 'That development step cannot come next.', zh: '该发展步骤不能在当前阶段进行。' },
  invalid_step_date: { status: 400, en: 'The step date is in the future or before the previous step.', zh: '步骤日期晚于今天或早于上一步骤。' },
  sponsors_required: { status: 400, en: 'Admission needs two different sponsors.', zh: '接收预备党员须有两名不同的入党介绍人。' },
  member_not_active: { status: 409, en: 'The member is not active in this organization (transferred out, arriving, deceased or removed).', zh: '该党员不在本组织正常状态(已转出、待转入、已故或已除名)。' },
  transfer_in_progress: { status: 409, en: 'A transfer of this member is already under way.', zh: '该党员已有正在办理的组织关系转接。' },
  transfer_not_allowed: { status: 409, en: 'Only full and probationary members can transfer their membership.', zh: '只有正式党员和预备党员可以转接组织关系。' },
  transfer_not_open: { status: 409, en: 'The transfer is no longer in transit.', zh: '该转接已办结或已取消。' },
  representative_requires_full_member: { status: 400, en: 'A party representative must be a full member.', zh: '党代表须为正式党员。' },
  studio_owner_not_representative: { status: 400, en: "A studio belongs to a party representative; mark the member as one first.", zh: '工作室须由党代表开设,请先将该党员设为党代表。' },
  studio_exists: { status: 409, en: 'This representative already has an open studio.', zh: '该党代表已开设工作室。' },
})

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()])
const DateText = Type.String({ format: 'date', description: 'YYYY-MM-DD' })

export const OrgKindSchema = Type.Enum(orgKinds, { description: 'committee 党委, working_committee 党工委, general_branch 党总支, branch 党支部, temporary_branch 临时党支部, group 党小组' })
export const OrgStatusSchema = Type.Enum(['active', 'dissolved'] as const)
export const StageSchema = Type.Enum(stages, { description: 'applicant 入党申请人, activist 入党积极分子, candidate 发展对象, probationary 预备党员, full 正式党员' })
export const StepSchema = Type.Enum(steps)
export const FlagCodeSchema = Type.Enum(flagCodes)
export const OfficerRoleSchema = Type.Enum(officerRoles)
export const MemberStatusSchema = Type.Enum(['active', 'incoming', 'transferred_out', 'deceased', 'removed'] as const, {
  description: 'incoming: an inbound transfer is not yet received; transferred_out: the membership lies outside the county',
})
export const RepresentativeLevelSchema = Type.Enum(['national', 'provincial', 'municipal', 'county', 'town'] as const)

export const StageCounts = Type.Object({
  applicant: Type.Integer(), activist: Type.Integer(), candidate: Type.Integer(), probationary: Type.Integer(), full: Type.Integer(), total: Type.Integer(),
})
export type StageCounts = Static<typeof StageCounts>

// --- organizations --------------------------------------------------------------------------

export const OrgView = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  kind: OrgKindSchema,
  parentId: Nullable(Type.Integer()),
  parentName: Nullable(Type.String()),
  unitId: Type.Integer(),
  unitName: Type.String(),
  unitType: Type.String(),
  path: Type.String({ description: 'Materialized path of organization ids, e.g. /3/8/' }),
  depth: Type.Integer({ description: '0 at the top of the organization tree' }),
  establishedDate: Nullable(DateText),
  status: OrgStatusSchema,
  childCount: Type.Integer({ description: 'Active sub-organizations' }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
})
export type OrgView = Static<typeof OrgView>
export const OrgPage = Paged(OrgView)

export const OfficerView = Type.Object({
  id: Type.Integer(),
  personId: Type.Integer(),
  name: Type.String(),
  role: OfficerRoleSchema,
  since: Nullable(DateText),
  until: Nullable(DateText),
})

export const OrgDetail = Type.Object({
  ...OrgView.properties,
  ancestors: Type.Array(Type.Object({ id: Type.Integer(), name: Type.String(), kind: OrgKindSchema }), { description: 'From the top down to the parent' }),
  officers: Type.Array(OfficerView),
  memberCounts: StageCounts,
  subtreeMemberCounts: StageCounts,
})
export type OrgDetail = Static<typeof OrgDetail>

export const OrgTreeNode = Type.Object({
  id: Type.Integer(),
  parentId: Nullable(Type.Integer({ description: 'A node whose parent is not in the list is a root of what you may see' })),
  name: Type.String(),
  kind: OrgKindSchema,
  unitId: Type.Integer(),
  unitName: Type.String(),
  depth: Type.Integer(),
  status: OrgStatusSchema,
  childCount: Type.Integer(),
  memberCount: Type.Integer({ description: 'Active full and probationary members in this organization and below' }),
})
export const OrgTree = Type.Object({ items: Type.Array(OrgTreeNode, { description: 'Depth-first (by path); build the tree with parentId' }) })

export const OrgTreeQuery = Type.Object({
  rootId: Type.Optional(Type.Integer({ minimum: 1, description: 'Only this organization and below' })),
  maxDepth: Type.Optional(Type.Integer({ minimum: 0, maximum: 20, description: 'Levels below the root (or below the top) to include' })),
  status: Type.Optional(Type.Union([OrgStatusSchema, Type.Literal('all')], { default: 'active' })),
})
export type OrgTreeQuery = Static<typeof OrgTreeQuery>

export const OrgQuery = Type.Intersect([PageQuery, Type.Object({
  kind: Type.Optional(OrgKindSchema),
  unitId: Type.Optional(Type.Integer({ minimum: 1, description: 'Organizations attached anywhere in this unit’s subtree' })),
  parentId: Type.Optional(Type.Integer({ minimum: 1 })),
  q: Type.Optional(Type.String({ maxLength: 100, description: 'Part of the name' })),
  status: Type.Optional(Type.Union([OrgStatusSchema, Type.Literal('all')], { default: 'active' })),
})])
export type OrgQuery = Static<typeof OrgQuery>

export const CreateOrgInput = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 100 }),
  kind: OrgKindSchema,
  unitId: Type.Integer({ minimum: 1, description: 'The unit the organization is attached to' }),
  parentId: Nullable(Type.Integer({ minimum: 1 })),
  establishedDate: Type.Optional(Nullable(DateText)),
}, { additionalProperties: false })
export type CreateOrgInput = Static<typeof CreateOrgInput>

export const UpdateOrgInput = Type.Object({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  kind: Type.Optional(OrgKindSchema),
  parentId: Type.Optional(Nullable(Type.Integer({ minimum: 1, description: 'Moves the organization and everything below it' }))),
  unitId: Type.Optional(Type.Integer({ minimum: 1 })),
  establishedDate: Type.Optional(Nullable(DateText)),
  status: Type.Optional(OrgStatusSchema),
}, { additionalProperties: false })
export type UpdateOrgInput = Static<typeof UpdateOrgInput>

export const SetOfficersInput = Type.Object({
  officers: Type.Array(Type.Object({
    personId: Type.Integer({ minimum: 1 }),
    role: OfficerRoleSchema,
    since: Type.Optional(Nullable(DateText)),
    until: Type.Optional(Nullable(DateText)),
  }, { additionalProperties: false }), { maxItems: 50 }),
}, { additionalProperties: false })
export type SetOfficersInput = Static<typeof SetOfficersInput>

// --- members --------------------------------------------------------------------------------

export const FlagView = Type.Object({
  code: FlagCodeSchema,
  step: StepSchema,
  expected: Nullable(DateText),
  message: Type.String({ description: 'In the caller’s language' }),
})

export const MemberView = Type.Object({
  id: Type.Integer(),
  personId: Type.Integer(),
  name: Type.String(),
  gender: Nullable(Type.String()),
  birthDate: Nullable(DateText),
  phoneMasked: Nullable(Type.String()),
  orgId: Type.Integer(),
  orgName: Type.String(),
  stage: StageSchema,
  membership: Nullable(Type.Enum(['full', 'probationary'] as const, { description: '正式/预备, derived from the stage' })),
  joinedDate: Nullable(DateText),
  fullDate: Nullable(DateText),
  isRepresentative: Type.Boolean(),
  representativeLevel: Nullable(RepresentativeLevelSchema),
  status: MemberStatusSchema,
  openTransferId: Nullable(Type.Integer()),
  flags: Type.Array(FlagCodeSchema, { description: 'Current flags (有异常), including an overdue pending step' }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
})
export type MemberView = Static<typeof MemberView>
export const MemberPage = Paged(MemberView)

export const TimelineStep = Type.Object({
  id: Type.Integer(),
  step: StepSchema,
  date: DateText,
  sponsors: Nullable(Type.Array(Type.String())),
  note: Nullable(Type.String()),
  flags: Type.Array(FlagView),
})

export const PendingView = Type.Object({
  step: StepSchema,
  earliest: Nullable(DateText),
  dueBy: Nullable(DateText),
  overdue: Type.Boolean(),
})

export const TransferView = Type.Object({
  id: Type.Integer(),
  memberId: Type.Integer(),
  personId: Type.Integer(),
  name: Type.String(),
  direction: Type.Enum(['internal', 'outbound', 'inbound'] as const),
  status: Type.Enum(['in_transit', 'received', 'cancelled'] as const),
  fromOrgId: Nullable(Type.Integer()),
  fromOrgName: Nullable(Type.String()),
  toOrgId: Nullable(Type.Integer()),
  toOrgName: Nullable(Type.String()),
  externalOrgName: Nullable(Type.String()),
  letterNo: Nullable(Type.String()),
  issuedDate: DateText,
  receivedDate: Nullable(DateText),
  note: Nullable(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
})
export type TransferView = Static<typeof TransferView>
export const TransferPage = Paged(TransferView)

export const StudioView = Type.Object({
  id: Type.Integer(),
  memberId: Type.Integer(),
  representativeName: Type.String(),
  name: Type.String(),
  unitId: Type.Integer(),
  unitName: Type.String(),
  specialty: Nullable(Type.String()),
  receptionHours: Nullable(Type.String()),
  address: Nullable(Type.String()),
  status: Type.Enum(['active', 'closed'] as const),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
})
export type StudioView = Static<typeof StudioView>
export const StudioPage = Paged(StudioView)

export const PublicStudioView = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  unitId: Type.Integer(),
  unitName: Type.String(),
  specialty: Nullable(Type.String()),
  receptionHours: Nullable(Type.String()),
  address: Nullable(Type.String()),
})
export type PublicStudioView = Static<typeof PublicStudioView>

export const MemberDetail = Type.Object({
  ...MemberView.properties,
  idNumberMasked: Nullable(Type.String()),
  unitId: Type.Integer({ description: 'Where the person lives' }),
  unitName: Type.String(),
  timeline: Type.Array(TimelineStep),
  pending: Nullable(PendingView),
  flagDetails: Type.Array(FlagView),
  transfers: Type.Array(TransferView),
  studio: Nullable(StudioView),
})
export type MemberDetail = Static<typeof MemberDetail>

export const memberSorts = ['id', 'name', 'joinedDate', '-joinedDate', 'stage'] as const

export const MemberQuery = Type.Intersect([PageQuery, Type.Object({
  orgId: Type.Optional(Type.Integer({ minimum: 1, description: 'Members of this organization and the ones below it' })),
  unitId: Type.Optional(Type.Integer({ minimum: 1, description: 'Members of organizations attached anywhere in this unit’s subtree' })),
  stage: Type.Optional(StageSchema),
  membership: Type.Optional(Type.Enum(['full', 'probationary'] as const)),
  status: Type.Optional(Type.Union([MemberStatusSchema, Type.Literal('all')], { default: 'active' })),
  q: Type.Optional(Type.String({ maxLength: 50, description: 'Part of the name' })),
  flag: Type.Optional(FlagCodeSchema),
  flagged: Type.Optional(Type.Boolean({ description: 'Only members with any flag (有异常)' })),
  isRepresentative: Type.Optional(Type.Boolean()),
  sort: Type.Optional(Type.Enum(memberSorts, { default: 'id' })),
})])
export type MemberQuery = Static<typeof MemberQuery>

export const CreateMemberInput = Type.Object({
  personId: Type.Integer({ minimum: 1 }),
  orgId: Type.Integer({ minimum: 1 }),
  stage: Type.Optional(StageSchema),
  applicationDate: Type.Optional(DateText),
  joinedDate: Type.Optional(Nullable(DateText)),
  fullDate: Type.Optional(Nullable(DateText)),
  note: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
}, { additionalProperties: false, description: 'A new applicant (stage applicant, with applicationDate), or an existing member registered at a later stage without earlier steps (probationary and full need joinedDate)' })
export type CreateMemberInput = Static<typeof CreateMemberInput>

export const UpdateMemberInput = Type.Object({
  isRepresentative: Type.Optional(Type.Boolean()),
  representativeLevel: Type.Optional(Nullable(RepresentativeLevelSchema)),
  status: Type.Optional(Type.Enum(['active', 'deceased', 'removed'] as const)),
}, { additionalProperties: false })
export type UpdateMemberInput = Static<typeof UpdateMemberInput>

export const RecordStepInput = Type.Object({
  step: StepSchema,
  date: DateText,
  sponsors: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 50 }), { maxItems: 2, description: 'The two sponsors (入党介绍人), at admission' })),
  note: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
}, { additionalProperties: false })
export type RecordStepInput = Static<typeof RecordStepInput>

export const StepParams = Type.Object({ id: Type.Integer({ minimum: 1 }), stepId: Type.Integer({ minimum: 1 }) })

// --- transfers ------------------------------------------------------------------------------

export const CreateTransferInput = Type.Object({
  direction: Type.Enum(['internal', 'outbound', 'inbound'] as const, {
    description: 'internal: memberId + toOrgId; outbound: memberId + externalOrgName; inbound: personId + toOrgId + externalOrgName + stage + joinedDate',
  }),
  memberId: Type.Optional(Type.Integer({ minimum: 1 })),
  personId: Type.Optional(Type.Integer({ minimum: 1 })),
  toOrgId: Type.Optional(Type.Integer({ minimum: 1 })),
  externalOrgName: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  stage: Type.Optional(Type.Enum(['probationary', 'full'] as const)),
  joinedDate: Type.Optional(DateText),
  fullDate: Type.Optional(Nullable(DateText)),
  issuedDate: DateText,
  letterNo: Type.Optional(Nullable(Type.String({ maxLength: 50 }))),
  note: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
}, { additionalProperties: false })
export type CreateTransferInput = Static<typeof CreateTransferInput>

export const ReceiveTransferInput = Type.Object({ receivedDate: DateText }, { additionalProperties: false })
export type ReceiveTransferInput = Static<typeof ReceiveTransferInput>
export const CancelTransferInput = Type.Object({ note: Type.Optional(Nullable(Type.String({ maxLength: 500 }))) }, { additionalProperties: false })
export type CancelTransferInput = Static<typeof CancelTransferInput>

export const TransferQuery = Type.Intersect([PageQuery, Type.Object({
  status: Type.Optional(Type.Enum(['in_transit', 'received', 'cancelled'] as const)),
  direction: Type.Optional(Type.Enum(['internal', 'outbound', 'inbound'] as const)),
  orgId: Type.Optional(Type.Integer({ minimum: 1, description: 'Transfers from or to this organization' })),
  memberId: Type.Optional(Type.Integer({ minimum: 1 })),
})])
export type TransferQuery = Static<typeof TransferQuery>

// --- studios --------------------------------------------------------------------------------

export const CreateStudioInput = Type.Object({
  memberId: Type.Integer({ minimum: 1, description: 'The party representative who runs it' }),
  unitId: Type.Integer({ minimum: 1, description: 'Where the studio is' }),
  name: Type.String({ minLength: 1, maxLength: 100 }),
  specialty: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
  receptionHours: Type.Optional(Nullable(Type.String({ maxLength: 200, description: 'e.g. 每周三 9:00-11:30' }))),
  address: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
}, { additionalProperties: false })
export type CreateStudioInput = Static<typeof CreateStudioInput>

export const UpdateStudioInput = Type.Object({
  unitId: Type.Optional(Type.Integer({ minimum: 1 })),
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  specialty: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
  receptionHours: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
  address: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
  status: Type.Optional(Type.Enum(['active', 'closed'] as const)),
}, { additionalProperties: false })
export type UpdateStudioInput = Static<typeof UpdateStudioInput>

export const StudioQuery = Type.Intersect([PageQuery, Type.Object({
  unitId: Type.Optional(Type.Integer({ minimum: 1, description: 'Studios anywhere in this unit’s subtree' })),
  q: Type.Optional(Type.String({ maxLength: 100 })),
  status: Type.Optional(Type.Union([Type.Enum(['active', 'closed'] as const), Type.Literal('all')], { default: 'active' })),
})])
export type StudioQuery = Static<typeof StudioQuery>
