import { Type, type Static } from 'typebox'
import { PageQuery, Paged } from '../../lib/paging.js'
import { registerErrors } from '../../server/errors.js'
import { durationUnits } from '../calendar/working-time.js'
import { priorities } from '../catalog/priorities.js'
import { requestStatuses } from './lifecycle.js'

registerErrors({
  request_not_found: { status: 404, en: 'No such request, or it is not in your area.', zh: '诉求不存在,或不在您的管辖范围内。' },
  location_not_found: { status: 404, en: 'This code does not belong to any place; scan the code on the poster again.', zh: '该二维码未对应任何地点,请重新扫描海报上的二维码。' },
  unknown_location: { status: 400, en: 'The place is unknown or no longer in use.', zh: '地点不存在或已停用。' },
  unknown_item: { status: 400, en: 'That service item is not offered here; choose one from the menu or describe the matter in your own words.', zh: '此处未提供该服务事项,请从菜单中选择,或直接描述您的诉求。' },
  anonymous_not_allowed: { status: 400, en: 'This matter needs a phone number so the handler can contact you.', zh: '该事项需要留下手机号,以便办理人员联系您。' },
  invalid_phone: { status: 400, en: 'Enter an 11-digit mobile number.', zh: '请输入 11 位手机号码。' },
  photo_not_image: { status: 415, en: 'Only JPEG, PNG and WebP photos can be uploaded.', zh: '只能上传 JPEG、PNG 或 WebP 格式的照片。' },
  photo_corrupt: { status: 400, en: 'The photo file is damaged; take or choose it again.', zh: '照片文件已损坏,请重新拍摄或选择。' },
  unknown_upload: { status: 400, en: 'A photo was not found or has expired; upload it again.', zh: '照片未找到或已过期,请重新上传。' },
  invalid_idempotency_key: { status: 400, en: 'The Idempotency-Key header must be 8–100 letters, digits, dashes or underscores.', zh: 'Idempotency-Key 请求头须为 8–100 个字母、数字、连字符或下划线。' },
  idempotency_key_reused: { status: 422, en: 'This Idempotency-Key was already used for a different submission.', zh: '该 Idempotency-Key 已用于另一份不同的提交。' },
  invalid_transition: { status: 409, en: 'The request is not in a state that allows this step; reload it and see what can be done now.', zh: '诉求当前状态不允许此操作,请刷新后查看可执行的操作。' },
  version_conflict: { status: 409, en: 'Someone else changed this request in the meantime; reload it and try again.', zh: '该诉求已被他人修改,请刷新后重试。' },
  not_resolved_yet: { status: 409, en: 'The request can be rated once it has been resolved.', zh: '诉求办结后才能评价。' },
  already_rated: { status: 409, en: 'You have already rated this request.', zh: '您已评价过该诉求。' },
  extension_too_late: { status: 409, en: 'An extension must be requested before the deadline has passed.', zh: '延期申请须在办理期限届满前提出。' },
  extension_pending: { status: 409, en: 'An extension request is already waiting for a decision.', zh: '已有延期申请等待审批。' },
  extension_not_found: { status: 404, en: 'No such extension request.', zh: '延期申请不存在。' },
  extension_decided: { status: 409, en: 'This extension request has already been decided.', zh: '该延期申请已审批。' },
  appeal_pending: { status: 409, en: 'An appeal for this request is already waiting for a decision.', zh: '该诉求已有申诉等待审核。' },
  appeal_not_found: { status: 404, en: 'No such appeal.', zh: '申诉不存在。' },
  appeal_decided: { status: 409, en: 'This appeal has already been decided.', zh: '该申诉已审核。' },
  co_units_pending: { status: 409, en: 'Co-handling units have not finished their part yet.', zh: '协办单位尚未完成各自的办理。' },
  co_unit_not_found: { status: 404, en: 'That unit is not a co-handling unit of this request.', zh: '该单位不是此诉求的协办单位。' },
  invalid_target_unit: { status: 400, en: 'The request cannot be handed to that unit.', zh: '不能将诉求交给该单位。' },
  assignee_not_in_unit: { status: 400, en: 'That person does not work in the unit that holds the request.', zh: '该人员不属于当前承办单位。' },
  cannot_return: { status: 409, en: 'There is no unit above to return the request to.', zh: '没有可退回的上级单位。' },
  invalid_merge_target: { status: 400, en: 'A request can only be merged into another open or resolved request of the same county.', zh: '只能合并到同一县内另一件未关闭的诉求。' },
  template_not_found: { status: 404, en: 'No such response template.', zh: '回复模板不存在。' },
  notification_not_found: { status: 404, en: 'No such notification.', zh: '通知不存在。' },
  photo_not_found: { status: 404, en: 'No such photo.', zh: '照片不存在。' },
})

const Iso = Type.String({ format: 'date-time' })
const NullableIso = Type.Union([Iso, Type.Null()])
const NullableInt = Type.Union([Type.Integer(), Type.Null()])
const NullableString = Type.Union([Type.String(), Type.Null()])
const Version = Type.Integer({ minimum: 1, description: 'The version you saw; a stale one is refused with version_conflict' })

export const RequestStatusSchema = Type.Enum(requestStatuses)
export const PrioritySchema = Type.Enum(priorities)
export const sources = ['qr', 'hotline', 'walk_in', 'patrol', 'enterprise', 'open311', 'staff'] as const
export type Source = (typeof sources)[number]
export const staffSources = ['hotline', 'walk_in', 'patrol'] as const
export const satisfactions = ['satisfied', 'basically_satisfied', 'dissatisfied'] as const
export type Satisfaction = (typeof satisfactions)[number]
export const appealKinds = ['malicious', 'duplicate', 'not_our_duty'] as const
export const assignmentPolicies = ['manual', 'round_robin', 'least_load'] as const
export type AssignmentPolicy = (typeof assignmentPolicies)[number]
export const actionNames = [
  'accept', 'return', 'dispatch', 'transfer', 'assign', 'start', 'pause', 'resume', 'resolve', 'close', 'reopen', 'merge',
  'add_co_units', 'co_done', 'request_extension', 'decide_extension', 'note', 'remind', 'callback', 'appeal', 'decide_appeal', 'unmask_phone',
] as const
export type ActionName = (typeof actionNames)[number]

const DurationSchema = Type.Object({
  amount: Type.Number({ exclusiveMinimum: 0, maximum: 10000 }),
  unit: Type.Enum(durationUnits, { description: 'hours: natural hours; working_hours / working_days: on the working calendar' }),
}, { additionalProperties: false })

// --- intake ----------------------------------------------------------------------------------

const Description = Type.String({ minLength: 1, maxLength: 2000 })
const PhotoTokens = Type.Array(Type.String({ minLength: 16, maxLength: 100 }), { maxItems: 5, description: 'Tokens from POST /api/public/uploads (at most 5)' })
const Phone = Type.String({ minLength: 1, maxLength: 30, description: '11-digit mainland mobile; +86, spaces and dashes are tolerated' })

export const PublicSubmitInput = Type.Object({
  locationCode: Type.String({ minLength: 1, maxLength: 64, description: 'The code on the QR poster (a unit code, or studio-<id> for a party representative studio)' }),
  itemId: Type.Optional(Type.Integer({ minimum: 1, description: 'An item from the location menu; leave out to describe the matter in free text' })),
  title: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Short topic, for free-text requests' })),
  description: Description,
  address: Type.Optional(Type.String({ maxLength: 200, description: 'Building, room or spot' })),
  photoTokens: Type.Optional(PhotoTokens),
  phone: Type.Optional(Phone),
  contactName: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
  anonymous: Type.Optional(Type.Boolean({ description: 'No name or phone; only where the item allows it' })),
}, { additionalProperties: false })
export type PublicSubmitInput = Static<typeof PublicSubmitInput>

export const StaffIntakeInput = Type.Object({
  source: Type.Enum(staffSources, { description: 'hotline: phone call; walk_in: at the counter; patrol: found on a grid patrol' }),
  locationUnitId: Type.Integer({ minimum: 1 }),
  itemId: Type.Optional(Type.Integer({ minimum: 1 })),
  title: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  description: Description,
  address: Type.Optional(Type.String({ maxLength: 200 })),
  photoTokens: Type.Optional(PhotoTokens),
  phone: Type.Optional(Phone),
  contactName: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
  anonymous: Type.Optional(Type.Boolean()),
}, { additionalProperties: false })
export type StaffIntakeInput = Static<typeof StaffIntakeInput>

export const SubmitResult = Type.Object({
  trackingCode: Type.String({ description: 'Unguessable (112 random bits after the second it was made); whoever holds it sees this case' }),
  trackingUrl: Type.String({ description: 'Link to the resident tracking page' }),
  status: RequestStatusSchema,
  title: Type.String(),
  locationName: Type.String(),
  submittedAt: Iso,
  responseDueAt: NullableIso,
  resolutionDueAt: NullableIso,
})
export type SubmitResult = Static<typeof SubmitResult>

export const UploadResult = Type.Object({
  token: Type.String({ description: 'Pass in photoTokens when submitting; expires if unused' }),
  mime: Type.String(),
  bytes: Type.Integer(),
  expiresAt: Iso,
})
export type UploadResult = Static<typeof UploadResult>

export const LocationCodeParams = Type.Object({ code: Type.String({ minLength: 1, maxLength: 64 }) })
const TrackingCode = Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', description: 'From the submit answer or the tracking link' })
export const TrackingParams = Type.Object({ trackingCode: TrackingCode })
export const TrackingPhotoParams = Type.Object({ trackingCode: TrackingCode, photoId: Type.Integer({ minimum: 1 }) })

export const MenuItemView = Type.Object({
  id: Type.Integer(),
  code: Type.String(),
  name: Type.String(),
  description: NullableString,
  categoryId: Type.Integer(),
  categoryName: Type.String(),
  priority: PrioritySchema,
  anonymousAllowed: Type.Boolean(),
  elderlyCare: Type.Boolean(),
  proxyHandling: Type.Boolean(),
})
export type MenuItemView = Static<typeof MenuItemView>

export const LocationView = Type.Object({
  code: Type.String(),
  unitId: Type.Integer(),
  name: Type.String({ description: 'What the poster stands for: the unit, or the studio' }),
  unitName: Type.String(),
  unitType: Type.String(),
  breadcrumb: Type.Array(Type.String(), { description: 'Names from the county down to the unit' }),
  studio: Type.Union([Type.Object({ id: Type.Integer(), name: Type.String() }), Type.Null()]),
  items: Type.Array(MenuItemView, { description: 'The public menu offered here' }),
  freeTextAllowed: Type.Boolean(),
})
export type LocationView = Static<typeof LocationView>

const PublicEventView = Type.Object({ at: Iso, kind: Type.String(), note: NullableString, unitName: NullableString })
const PhotoRef = Type.Object({ id: Type.Integer(), stage: Type.String(), url: Type.String(), mime: Type.String(), bytes: Type.Integer() })

export const RatingInput = Type.Object({
  contacted: Type.Boolean({ description: '被联系了吗' }),
  solved: Type.Boolean({ description: '解决了吗 — false reopens the case' }),
  satisfaction: Type.Enum(satisfactions, { description: '满意 / 基本满意 / 不满意' }),
  comment: Type.Optional(Type.String({ maxLength: 500 })),
}, { additionalProperties: false })
export type RatingInput = Static<typeof RatingInput>

export const RatingView = Type.Object({
  id: Type.Integer(),
  at: Iso,
  source: Type.Union([Type.Literal('resident'), Type.Literal('callback')]),
  contacted: Type.Boolean(),
  solved: Type.Boolean(),
  satisfaction: Type.Enum(satisfactions),
  comment: NullableString,
  actorName: NullableString,
})
export type RatingView = Static<typeof RatingView>

export const ResidentCaseView = Type.Object({
  trackingCode: Type.String(),
  status: RequestStatusSchema,
  title: Type.String(),
  description: Type.String(),
  locationName: Type.String(),
  address: NullableString,
  submittedAt: Iso,
  acceptedAt: NullableIso,
  resolvedAt: NullableIso,
  closedAt: NullableIso,
  responseDueAt: NullableIso,
  resolutionDueAt: NullableIso,
  paused: Type.Boolean({ description: 'The handler is waiting for you; see the latest note' }),
  handlerName: NullableString,
  phoneMasked: NullableString,
  timeline: Type.Array(PublicEventView, { description: 'Public steps and notes only' }),
  photos: Type.Array(PhotoRef, { description: 'The photos you sent' }),
  rating: Type.Union([RatingView, Type.Null()], { description: 'Your answers, once given' }),
  canRate: Type.Boolean(),
})
export type ResidentCaseView = Static<typeof ResidentCaseView>

// --- staff views -----------------------------------------------------------------------------

export const RequestSummary = Type.Object({
  id: Type.Integer(),
  countyId: Type.Integer(),
  source: Type.Enum(sources),
  status: RequestStatusSchema,
  priority: PrioritySchema,
  title: Type.String(),
  itemId: NullableInt,
  categoryId: NullableInt,
  locationUnitId: Type.Integer(),
  locationName: Type.String(),
  handlerUnitId: NullableInt,
  handlerName: NullableString,
  pendingUnitId: NullableInt,
  pendingUnitName: NullableString,
  pendingKind: Type.Union([Type.Literal('dispatch'), Type.Literal('transfer'), Type.Null()]),
  assigneeId: NullableInt,
  assigneeName: NullableString,
  submittedAt: Iso,
  acceptedAt: NullableIso,
  resolvedAt: NullableIso,
  responseDueAt: NullableIso,
  resolutionDueAt: NullableIso,
  warnAt: NullableIso,
  warned: Type.Boolean(),
  responseOverdue: Type.Boolean(),
  resolutionOverdue: Type.Boolean(),
  paused: Type.Boolean(),
  isOpen: Type.Boolean(),
  excluded: Type.Boolean(),
  mergedIntoId: NullableInt,
  escalationLevel: Type.Integer(),
  reopenCount: Type.Integer(),
  ratingSatisfaction: Type.Union([Type.Enum(satisfactions), Type.Null()]),
  version: Type.Integer(),
})
export type RequestSummary = Static<typeof RequestSummary>

export const EventView = Type.Object({
  id: Type.Integer(),
  at: Iso,
  kind: Type.String(),
  actorId: NullableInt,
  actorName: NullableString,
  unitId: NullableInt,
  unitName: NullableString,
  fromStatus: NullableString,
  toStatus: NullableString,
  visibility: Type.Union([Type.Literal('internal'), Type.Literal('public')]),
  note: NullableString,
  data: Type.Unknown(),
})
export type EventView = Static<typeof EventView>

export const CoUnitView = Type.Object({
  unitId: Type.Integer(),
  unitName: Type.String(),
  role: Type.Union([Type.Literal('lead'), Type.Literal('co')]),
  status: Type.String({ description: 'pending | accepted | done' }),
  createdAt: Iso,
})

export const ExtensionView = Type.Object({
  id: Type.Integer(),
  requestId: Type.Integer(),
  requestedBy: NullableInt,
  requestedAt: Iso,
  amount: Type.Number(),
  unit: Type.Enum(durationUnits),
  reason: Type.String(),
  status: Type.String({ description: 'pending | approved | rejected' }),
  decidedBy: NullableInt,
  decidedAt: NullableIso,
  decisionNote: NullableString,
})
export type ExtensionView = Static<typeof ExtensionView>

export const AppealView = Type.Object({
  id: Type.Integer(),
  requestId: Type.Integer(),
  unitId: Type.Integer(),
  unitName: NullableString,
  kind: Type.Enum(appealKinds),
  reason: Type.String(),
  status: Type.String({ description: 'pending | approved | rejected' }),
  requestedBy: NullableInt,
  requestedAt: Iso,
  decidedBy: NullableInt,
  decidedAt: NullableIso,
  decisionNote: NullableString,
})
export type AppealView = Static<typeof AppealView>

export const RequestDetail = Type.Object({
  ...RequestSummary.properties,
  trackingCode: Type.String({ description: 'Staff may read it out to a resident who called in' }),
  description: Type.String(),
  address: NullableString,
  contactName: NullableString,
  phoneMasked: NullableString,
  anonymous: Type.Boolean(),
  recordedBy: NullableInt,
  firstUnitId: NullableInt,
  dispatcherUnitId: NullableInt,
  startedAt: NullableIso,
  closedAt: NullableIso,
  handlingMinutes: NullableInt,
  workingMinutes: NullableInt,
  clock: Type.Object({
    response: DurationSchema,
    resolution: DurationSchema,
    resolutionStart: Iso,
    pauses: Type.Array(Type.Object({ from: Iso, to: NullableIso })),
    extensions: Type.Array(DurationSchema),
  }),
  timeline: Type.Array(EventView),
  coUnits: Type.Array(CoUnitView),
  photos: Type.Array(PhotoRef),
  ratings: Type.Array(RatingView),
  extensions: Type.Array(ExtensionView),
  appeals: Type.Array(AppealView),
  allowedActions: Type.Array(Type.Enum(actionNames), { description: 'What you may do now' }),
})
export type RequestDetail = Static<typeof RequestDetail>

export const RequestPage = Paged(RequestSummary)

export const RequestQuery = Type.Intersect([
  PageQuery,
  Type.Object({
    box: Type.Optional(Type.Union([Type.Literal('mine'), Type.Literal('unit'), Type.Literal('overdue'), Type.Literal('all')], {
      default: 'unit',
      description: 'mine: assigned to you; unit: held by (or waiting for, or co-handled by) your units; overdue; all: everything you may see',
    })),
    status: Type.Optional(Type.Union([RequestStatusSchema, Type.Literal('open'), Type.Literal('done')], { description: 'Default: open for mine/unit/overdue, any for all' })),
    priority: Type.Optional(PrioritySchema),
    itemId: Type.Optional(Type.Integer({ minimum: 1 })),
    unitId: Type.Optional(Type.Integer({ minimum: 1, description: 'Only cases located in or held inside this unit subtree' })),
    from: Type.Optional(Type.String({ format: 'date', description: 'Submitted on or after (Asia/Shanghai date)' })),
    to: Type.Optional(Type.String({ format: 'date', description: 'Submitted on or before (Asia/Shanghai date)' })),
    q: Type.Optional(Type.String({ maxLength: 100, description: 'Part of the title' })),
    due: Type.Optional(Type.Literal('warning', {
      description: 'warning: open, running cases past the 80 % warning of their resolution clock (approved extensions included) and not overdue on either clock',
    })),
    awaiting: Type.Optional(Type.Literal('acceptance', {
      description: 'acceptance: waiting for your units to sign (签收) — new cases they hold and hand-offs (派单 / 转办) pending to them',
    })),
    sort: Type.Optional(Type.Union([Type.Literal('due'), Type.Literal('submitted'), Type.Literal('-submitted')], { default: 'due' })),
  }),
])
export type RequestQuery = Static<typeof RequestQuery>

export const handoffUnitTypes = ['grid', 'community', 'village', 'new_village', 'town', 'subdistrict', 'agency', 'enterprise'] as const
export const handoffReasons = ['route', 'property_company', 'community', 'subdistrict'] as const
export type HandoffReason = (typeof handoffReasons)[number]

export const HandoffTargetsQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 100, description: 'Part of the unit\'s name or code' })),
  kind: Type.Optional(Type.Union([Type.Literal('dispatch'), Type.Literal('transfer'), Type.Literal('co_unit')], {
    default: 'dispatch',
    description: 'Which step the unit is for (orders the suggestions); co_unit (协办) also leaves out every unit already involved in the case',
  })),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 1 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 20 })),
})
export type HandoffTargetsQuery = Static<typeof HandoffTargetsQuery>

export const HandoffTarget = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  code: NullableString,
  type: Type.Enum(handoffUnitTypes, { description: 'enterprise: a property company serving a compound' }),
  pathNames: Type.Array(Type.String(), { description: 'Names from below the county down to the unit itself, e.g. ["铜城街道", "吉祥苑社区"]' }),
  reason: Type.Union([Type.Enum(handoffReasons), Type.Null()], {
    description: 'Why it is suggested: route (the routing for the case\'s item and place), property_company (the compound\'s), community / subdistrict (兜底 above the place); null in the search list',
  }),
})
export type HandoffTarget = Static<typeof HandoffTarget>

export const HandoffTargetsView = Type.Object({
  suggested: Type.Array(HandoffTarget, { description: 'Suggested units first (matching q when given)' }),
  items: Type.Array(HandoffTarget, { description: 'One page of every unit of the county that may take the case, matching q' }),
  total: Type.Integer(),
})
export type HandoffTargetsView = Static<typeof HandoffTargetsView>

export const PhotoParams = Type.Object({ id: Type.Integer({ minimum: 1 }), photoId: Type.Integer({ minimum: 1 }) })
export const CoUnitParams = Type.Object({ id: Type.Integer({ minimum: 1 }), unitId: Type.Integer({ minimum: 1 }) })
export const ExtensionParams = Type.Object({ id: Type.Integer({ minimum: 1 }), extensionId: Type.Integer({ minimum: 1 }) })
export const AppealParams = Type.Object({ id: Type.Integer({ minimum: 1 }), appealId: Type.Integer({ minimum: 1 }) })

// --- action inputs ---------------------------------------------------------------------------

const Reason = Type.String({ minLength: 1, maxLength: 500 })
const OptionalNote = Type.Optional(Type.String({ minLength: 1, maxLength: 2000 }))

export const VersionedNoteInput = Type.Object({ version: Version, note: OptionalNote }, { additionalProperties: false })
export type VersionedNoteInput = Static<typeof VersionedNoteInput>
export const ReasonInput = Type.Object({ version: Version, reason: Reason }, { additionalProperties: false })
export type ReasonInput = Static<typeof ReasonInput>
export const DispatchInput = Type.Object({ version: Version, toUnitId: Type.Integer({ minimum: 1, description: 'Unit that will handle it' }), note: OptionalNote }, { additionalProperties: false })
export type DispatchInput = Static<typeof DispatchInput>
export const TransferInput = Type.Object({ version: Version, toUnitId: Type.Integer({ minimum: 1 }), reason: Reason }, { additionalProperties: false })
export type TransferInput = Static<typeof TransferInput>
export const AssignInput = Type.Object({ version: Version, assigneeId: Type.Integer({ minimum: 1, description: 'An account working in the holding unit' }) }, { additionalProperties: false })
export type AssignInput = Static<typeof AssignInput>
export const ResolveInput = Type.Object({
  version: Version,
  note: Type.String({ minLength: 1, maxLength: 2000, description: 'What was done; shown to the resident' }),
  photoTokens: Type.Optional(PhotoTokens),
}, { additionalProperties: false })
export type ResolveInput = Static<typeof ResolveInput>
export const MergeInput = Type.Object({ version: Version, intoId: Type.Integer({ minimum: 1, description: 'The surviving case' }) }, { additionalProperties: false })
export type MergeInput = Static<typeof MergeInput>
export const CoUnitsInput = Type.Object({ version: Version, unitIds: Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: 10 }), note: OptionalNote }, { additionalProperties: false })
export type CoUnitsInput = Static<typeof CoUnitsInput>
export const CoDoneInput = Type.Object({ note: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false })
export type CoDoneInput = Static<typeof CoDoneInput>
export const ExtensionInput = Type.Object({ version: Version, extra: DurationSchema, reason: Reason }, { additionalProperties: false })
export type ExtensionInput = Static<typeof ExtensionInput>
export const DecisionInput = Type.Object({ approve: Type.Boolean(), note: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false })
export type DecisionInput = Static<typeof DecisionInput>
export const NoteInput = Type.Object({
  text: Type.String({ minLength: 1, maxLength: 2000 }),
  visibility: Type.Union([Type.Literal('internal'), Type.Literal('public')], { description: 'public notes appear on the resident tracking page' }),
  templateId: Type.Optional(Type.Integer({ minimum: 1, description: 'The response template the text was taken from' })),
}, { additionalProperties: false })
export type NoteInput = Static<typeof NoteInput>
export const RemindInput = Type.Object({ note: OptionalNote }, { additionalProperties: false })
export type RemindInput = Static<typeof RemindInput>
export const CallbackInput = Type.Object({
  contacted: Type.Boolean(), solved: Type.Boolean(), satisfaction: Type.Enum(satisfactions), comment: Type.Optional(Type.String({ maxLength: 500 })),
}, { additionalProperties: false })
export type CallbackInput = Static<typeof CallbackInput>
export const AppealInput = Type.Object({ kind: Type.Enum(appealKinds, { description: 'malicious | duplicate | not_our_duty' }), reason: Reason }, { additionalProperties: false })
export type AppealInput = Static<typeof AppealInput>
export const UnmaskInput = Type.Object({ reason: Type.String({ minLength: 2, maxLength: 200 }) }, { additionalProperties: false })
export type UnmaskInput = Static<typeof UnmaskInput>
export const PhoneView = Type.Object({ phone: Type.String() })

export const AppealQuery = Type.Intersect([PageQuery, Type.Object({ status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('approved'), Type.Literal('rejected')])) })])
export type AppealQuery = Static<typeof AppealQuery>
export const AppealPage = Paged(AppealView)
export const ExtensionQuery = Type.Intersect([PageQuery, Type.Object({ status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('approved'), Type.Literal('rejected')])) })])
export type ExtensionQuery = Static<typeof ExtensionQuery>
export const ExtensionPage = Paged(ExtensionView)

// --- templates, assignment, notifications, rollups --------------------------------------------

export const TemplateView = Type.Object({ id: Type.Integer(), unitId: NullableInt, unitName: NullableString, title: Type.String(), body: Type.String(), createdAt: Iso })
export type TemplateView = Static<typeof TemplateView>
export const TemplateList = Type.Array(TemplateView)
export const CreateTemplateInput = Type.Object({
  unitId: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], { description: 'null: offered everywhere (deployment-wide grant needed)' }),
  title: Type.String({ minLength: 1, maxLength: 100 }),
  body: Type.String({ minLength: 1, maxLength: 2000 }),
}, { additionalProperties: false })
export type CreateTemplateInput = Static<typeof CreateTemplateInput>
export const UpdateTemplateInput = Type.Object({
  title: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  body: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
}, { additionalProperties: false })
export type UpdateTemplateInput = Static<typeof UpdateTemplateInput>
export const TemplateQuery = Type.Object({ unitId: Type.Optional(Type.Integer({ minimum: 1, description: 'Templates that apply to this unit (its own and its ancestors\')' })) })
export type TemplateQuery = Static<typeof TemplateQuery>

export const AssignmentPolicyInput = Type.Object({ policy: Type.Enum(assignmentPolicies, { description: 'manual | round_robin | least_load (fewest open cases)' }) }, { additionalProperties: false })
export type AssignmentPolicyInput = Static<typeof AssignmentPolicyInput>
export const AssignmentPolicyView = Type.Object({
  unitId: Type.Integer(), policy: Type.Enum(assignmentPolicies), lastAssigneeId: NullableInt, updatedAt: NullableIso,
  workers: Type.Array(Type.Object({ accountId: Type.Integer(), displayName: Type.String(), openCases: Type.Integer() }), { description: 'Who assignment chooses from' }),
})
export type AssignmentPolicyView = Static<typeof AssignmentPolicyView>

export const NotificationView = Type.Object({
  id: Type.Integer(), requestId: NullableInt, kind: Type.String(), title: Type.String(), body: NullableString, createdAt: Iso, readAt: NullableIso,
})
export type NotificationView = Static<typeof NotificationView>
export const NotificationQuery = Type.Intersect([PageQuery, Type.Object({ unread: Type.Optional(Type.Boolean()) })])
export type NotificationQuery = Static<typeof NotificationQuery>
export const NotificationPage = Type.Object({ items: Type.Array(NotificationView), total: Type.Integer(), unread: Type.Integer() })

export const RebuildRollupsInput = Type.Object({ countyId: Type.Integer({ minimum: 1 }) }, { additionalProperties: false })
export type RebuildRollupsInput = Static<typeof RebuildRollupsInput>
export const RebuildRollupsResult = Type.Object({ requests: Type.Integer(), rows: Type.Integer() })
