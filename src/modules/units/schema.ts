import { Type, type Static, type TSchema } from 'typebox'
import { PageQuery, Paged } from '../../lib/paging.js'
import { registerErrors } from '../../server/errors.js'

registerErrors({
  unit_cycle: { status: 400, en: 'A unit cannot be moved under itself or one of its own descendants.', zh: '不能把单位移到它自身或它的下级单位之下。' },
  unit_wrong_type: { status: 400, en: 'This operation does not apply to a unit of that type; see details.', zh: '该操作不适用于此类型的单位,请查看详情。' },
  unit_code_invalid: { status: 400, en: 'The code does not fit the unit type or its parent’s code; see details.', zh: '编码与单位类型或上级编码不符,请查看详情。' },
  unit_code_mismatch: { status: 400, en: 'The unit’s code no longer fits under the new parent; send a new code (or null) with the move.', zh: '该单位编码与新上级不符,请在调整时一并提供新编码(或置空)。' },
  grid_code_exhausted: { status: 409, en: 'All 999 grid numbers under this parent are used.', zh: '该上级下的 999 个网格序号已用完。' },
  invalid_boundary: { status: 400, en: 'The boundary is not a valid GeoJSON polygon; see details.', zh: '边界不是有效的 GeoJSON 多边形,请查看详情。' },
  unit_has_active_children: { status: 409, en: 'The unit still has active units under it; move or archive them first.', zh: '该单位下仍有在用的下级单位,请先调整或归档。' },
  unit_not_empty: { status: 409, en: 'Households or residents are still registered directly on the unit; move them first.', zh: '仍有户或居民直接登记在该单位,请先迁移。' },
  restructure_incomplete: { status: 400, en: 'Some units under the units being dissolved are not assigned anywhere; see details.', zh: '被撤并单位下还有单位未分配去向,请查看详情。' },
  restructure_invalid: { status: 400, en: 'The restructuring request is inconsistent; see details.', zh: '调整请求内容前后矛盾,请查看详情。' },
  restructure_plan_changed: { status: 409, en: 'The data changed since the preview; preview again before confirming.', zh: '预览后数据已变化,请重新预览后再确认。' },
  restructure_event_not_found: { status: 404, en: 'No such restructuring event.', zh: '调整记录不存在。' },
})

export const unitTypes = [
  'county', 'town', 'subdistrict', 'village', 'new_village', 'community', 'grid', 'compound', 'building', 'agency', 'park', 'enterprise',
] as const
export type UnitType = (typeof unitTypes)[number]
export const UnitTypeSchema = Type.Enum(unitTypes)
export const UnitStatus = Type.Union([Type.Literal('active'), Type.Literal('archived')])

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])
const Name = Type.String({ minLength: 1, maxLength: 100 })
const Code = Type.String({ pattern: '^[0-9A-Za-z-]{1,32}$', description: 'Administrative code: county 6 digits, town/sub-district 9, village/new village/community 12, grid 15; others free-form' })
const Address = Type.String({ maxLength: 300 })
const Id = Type.Integer({ minimum: 1 })

// --- GeoJSON boundary (RFC 7946 geometry, WGS 84) -------------------------------------------------
const Position = Type.Array(Type.Number(), { minItems: 2, maxItems: 3 })
const LinearRing = Type.Array(Position, { minItems: 4, maxItems: 20000 })
const BBox = Type.Optional(Type.Array(Type.Number(), { minItems: 4, maxItems: 6 }))
export const PolygonGeometry = Type.Object({
  type: Type.Literal('Polygon'), coordinates: Type.Array(LinearRing, { minItems: 1, maxItems: 100 }), bbox: BBox,
}, { additionalProperties: false })
export const MultiPolygonGeometry = Type.Object({
  type: Type.Literal('MultiPolygon'),
  coordinates: Type.Array(Type.Array(LinearRing, { minItems: 1, maxItems: 100 }), { minItems: 1, maxItems: 100 }),
  bbox: BBox,
}, { additionalProperties: false })
export const Boundary = Type.Union([PolygonGeometry, MultiPolygonGeometry], { description: 'GeoJSON Polygon or MultiPolygon, longitude/latitude (WGS 84)' })
export type Boundary = Static<typeof Boundary>

// --- units ---------------------------------------------------------------------------------------
export const UnitView = Type.Object({
  id: Type.Integer(),
  parentId: Nullable(Type.Integer()),
  type: UnitTypeSchema,
  name: Type.String(),
  code: Nullable(Type.String()),
  path: Type.String({ description: 'Materialized path of ids, e.g. /1/4/9/' }),
  depth: Type.Integer(),
  status: UnitStatus,
  address: Nullable(Type.String()),
  hasBoundary: Type.Boolean(),
  sortOrder: Type.Integer(),
  archivedAt: Nullable(Type.String({ format: 'date-time' })),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
})
export type UnitView = Static<typeof UnitView>
/** A list row: the unit and the names of its ancestors, so two 第一网格 can be told apart. */
export const UnitListItem = Type.Object({
  ...UnitView.properties,
  ancestorNames: Type.Array(Type.String(), { description: 'Names from the top of the tree down to the parent' }),
})
export type UnitListItem = Static<typeof UnitListItem>
export const UnitPage = Paged(UnitListItem)

/** One unit with its boundary and how many active units sit directly under it. */
export const UnitDetail = Type.Object({
  ...UnitView.properties,
  boundary: Nullable(Boundary),
  childCount: Type.Integer({ description: 'Active units directly under this one' }),
})
export type UnitDetail = Static<typeof UnitDetail>

/** A unit in a tree or child list: childCount lets a lazy tree show an expander. */
export const UnitNode = Type.Object({ ...UnitView.properties, childCount: Type.Integer({ description: 'Active units directly under this one' }) })
export type UnitNode = Static<typeof UnitNode>
export const UnitNodePage = Paged(UnitNode)

export const UnitBrief = Type.Object({ id: Type.Integer(), type: UnitTypeSchema, name: Type.String(), code: Nullable(Type.String()), status: UnitStatus })
export type UnitBrief = Static<typeof UnitBrief>

export const UnitQuery = Type.Intersect([
  PageQuery,
  Type.Object({
    type: Type.Optional(UnitTypeSchema),
    parentId: Type.Optional(Id),
    q: Type.Optional(Type.String({ maxLength: 100, description: 'Part of the name or code' })),
    status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('archived'), Type.Literal('all')], { default: 'active' })),
  }),
])
export type UnitQuery = Static<typeof UnitQuery>

export const ChildrenQuery = Type.Intersect([
  PageQuery,
  Type.Object({
    type: Type.Optional(UnitTypeSchema),
    status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('archived'), Type.Literal('all')], { default: 'active' })),
  }),
])
export type ChildrenQuery = Static<typeof ChildrenQuery>

export const TreeQuery = Type.Object({
  rootId: Type.Optional(Type.Integer({ minimum: 1, description: 'Default: the top units the caller may read' })),
  levels: Type.Optional(Type.Integer({ minimum: 0, maximum: 4, default: 2, description: 'Levels below each root to include' })),
  status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('all')], { default: 'active' })),
})
export type TreeQuery = Static<typeof TreeQuery>

export const UnitTree = Type.Object({
  roots: Type.Array(Type.Integer(), { description: 'Ids of the root nodes, in order' }),
  items: Type.Array(UnitNode, { description: 'Every node, ordered by path; nest them by parentId' }),
  truncated: Type.Boolean({ description: 'True when the node limit (2,000) cut the tree short; expand lazily through /children' }),
})
export type UnitTree = Static<typeof UnitTree>

export const UnitAncestors = Type.Object({
  items: Type.Array(UnitBrief, { description: 'From the highest unit the caller may read down to the unit itself (last)' }),
})

const unitTypeCounts = Type.Object(Object.fromEntries(unitTypes.map((t) => [t, Type.Integer()])) as Record<UnitType, ReturnType<typeof Type.Integer>>)
export const UnitStats = Type.Object({
  unitId: Type.Integer(),
  units: unitTypeCounts,
  unitsTotal: Type.Integer({ description: 'Active units below this one' }),
  archivedUnits: Type.Integer({ description: 'Archived units below this one' }),
  households: Type.Integer({ description: 'Active households in the subtree (this unit included)' }),
  people: Type.Integer({ description: 'Active residents in the subtree' }),
  partyOrgs: Type.Integer({ description: 'Active party organizations attached to units of the subtree' }),
  partyMembers: Type.Integer({ description: 'Active full and probationary members of those organizations' }),
  partyMembersInDevelopment: Type.Integer({ description: 'Applicants, activists and candidates in those organizations' }),
})
export type UnitStats = Static<typeof UnitStats>

export const CreateUnitInput = Type.Object({
  parentId: Nullable(Id),
  type: UnitTypeSchema,
  name: Name,
  code: Type.Optional(Nullable(Code)),
  address: Type.Optional(Nullable(Address)),
  boundary: Type.Optional(Nullable(Boundary)),
  sortOrder: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000000 })),
}, { additionalProperties: false, description: 'A grid without a code gets one generated when its parent has a 12-digit code' })
export type CreateUnitInput = Static<typeof CreateUnitInput>

export const UpdateUnitInput = Type.Object({
  name: Type.Optional(Name),
  address: Type.Optional(Nullable(Address)),
  boundary: Type.Optional(Nullable(Boundary)),
  code: Type.Optional(Nullable(Code)),
  sortOrder: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000000 })),
}, {
  additionalProperties: false, minProperties: 1,
  description: 'Corrections. A name change here is a correction; an official renaming with an effective date is POST /api/restructure/rename.',
})
export type UpdateUnitInput = Static<typeof UpdateUnitInput>

// --- restructuring -------------------------------------------------------------------------------
export const restructureKinds = ['merge_villages', 'redivide_grids', 'merge_grids', 'move', 'rename', 'archive', 'split'] as const
export type RestructureKind = (typeof restructureKinds)[number]
export const RestructureKindSchema = Type.Enum(restructureKinds)

export const lineageRelations = ['became_grid_of', 'redivided_into', 'merged_into', 'split_into', 'moved', 'renamed'] as const
export type LineageRelation = (typeof lineageRelations)[number]

const common = {
  effectiveDate: Type.Optional(Type.String({ format: 'date', description: 'YYYY-MM-DD (Asia/Shanghai); default today' })),
  note: Type.Optional(Type.String({ maxLength: 1000 })),
  planHash: Type.Optional(Type.String({ pattern: '^[0-9a-f]{64}$', description: 'The planHash of the preview; when sent, execution refuses (409 restructure_plan_changed) unless the plan is still the same' })),
}
const NewUnitSpec = { name: Name, code: Type.Optional(Nullable(Code)), address: Type.Optional(Nullable(Address)) }
const IdList = (description: string, minItems = 0) => Type.Array(Id, { minItems, maxItems: 5000, uniqueItems: true, description })

export const MergeVillagesInput = Type.Object({
  villageIds: IdList('Villages that become grid villages of the new village', 1),
  newVillageId: Type.Optional(Id),
  newVillage: Type.Optional(Type.Object({ townId: Id, ...NewUnitSpec }, { additionalProperties: false })),
  ...common,
}, { additionalProperties: false, description: 'Send newVillage to create the new village under a town (at least two villages), or newVillageId to add villages to an existing one' })
export type MergeVillagesInput = Static<typeof MergeVillagesInput>

export const RedivideGridsInput = Type.Object({
  communityId: Id,
  grids: Type.Array(Type.Object({
    name: Name,
    code: Type.Optional(Nullable(Code)),
    compoundIds: IdList('Compounds that go to this grid'),
    buildingIds: Type.Optional(IdList('Buildings that go to this grid directly (out of their compound)')),
  }, { additionalProperties: false }), { minItems: 1, maxItems: 200 }),
  partyChain: Type.Optional(Type.Boolean({ default: false, description: 'Also build 社区党委—网格党支部—楼院党小组: a branch per new grid and a group per compound' })),
  ...common,
}, { additionalProperties: false, description: 'Every active grid of the community is archived; every active unit under those grids must be assigned to a new grid' })
export type RedivideGridsInput = Static<typeof RedivideGridsInput>

export const MergeGridsInput = Type.Object({
  gridIds: IdList('Grids to merge (same parent)', 2),
  targetGridId: Type.Optional(Type.Integer({ minimum: 1, description: 'One of gridIds that absorbs the others' })),
  newGrid: Type.Optional(Type.Object({ name: Name, code: Type.Optional(Nullable(Code)) }, { additionalProperties: false })),
  ...common,
}, { additionalProperties: false, description: 'Send targetGridId or newGrid' })
export type MergeGridsInput = Static<typeof MergeGridsInput>

export const MoveUnitInput = Type.Object({
  unitId: Id,
  newParentId: Id,
  code: Type.Optional(Nullable(Code)),
  ...common,
}, { additionalProperties: false, description: 'A grid gets a new code from its new parent unless code is sent; other coded units need code when theirs no longer fits' })
export type MoveUnitInput = Static<typeof MoveUnitInput>

export const RenameUnitInput = Type.Object({ unitId: Id, name: Name, ...common }, { additionalProperties: false })
export type RenameUnitInput = Static<typeof RenameUnitInput>

export const ArchiveUnitInput = Type.Object({ unitId: Id, ...common }, { additionalProperties: false })
export type ArchiveUnitInput = Static<typeof ArchiveUnitInput>

export const SplitUnitInput = Type.Object({
  unitId: Id,
  parts: Type.Array(Type.Object({ ...NewUnitSpec, childIds: IdList('Units that go to this part') }, { additionalProperties: false }), { minItems: 2, maxItems: 100 }),
  ...common,
}, { additionalProperties: false, description: 'The unit is archived; the parts are new units of the same type under the same parent; every active child must be assigned' })
export type SplitUnitInput = Static<typeof SplitUnitInput>

export type RestructureInput =
  | MergeVillagesInput | RedivideGridsInput | MergeGridsInput | MoveUnitInput | RenameUnitInput | ArchiveUnitInput | SplitUnitInput

// --- plans ---------------------------------------------------------------------------------------
export const UnitRef = Type.Object({
  id: Nullable(Type.Integer({ description: 'An existing unit' })),
  ref: Nullable(Type.String({ description: 'A unit this plan creates, e.g. "new_village" or "grid-3"' })),
  name: Type.String(),
}, { description: 'An existing unit (id) or one the plan creates (ref)' })
export type UnitRef = Static<typeof UnitRef>
export const OrgRef = Type.Object({ id: Nullable(Type.Integer()), ref: Nullable(Type.String()), name: Type.String() })
export type OrgRef = Static<typeof OrgRef>
export const OrgBrief = Type.Object({ id: Type.Integer(), unitId: Type.Integer(), kind: Type.String(), name: Type.String(), members: Type.Integer() })
export type OrgBrief = Static<typeof OrgBrief>
const Change = <T extends TSchema>(t: T) => Nullable(Type.Object({ from: t, to: t }))

export const PlanCounts = Type.Object({
  unitsCreated: Type.Integer(),
  unitsMoved: Type.Integer({ description: 'Units whose parent changes (each carries its subtree)' }),
  unitsChanged: Type.Integer(),
  unitsArchived: Type.Integer(),
  compounds: Type.Integer({ description: 'Active compounds inside the moved subtrees' }),
  buildings: Type.Integer(),
  households: Type.Integer(),
  people: Type.Integer(),
  partyOrgs: Type.Integer({ description: 'Active party organizations attached to moved units, plus those re-parented' }),
  partyMembers: Type.Integer({ description: 'Full and probationary members of those organizations' }),
})

export const RestructurePlan = Type.Object({
  kind: RestructureKindSchema,
  effectiveDate: Type.String({ format: 'date' }),
  title: Type.String(),
  note: Nullable(Type.String()),
  anchor: UnitBrief,
  created: Type.Array(Type.Object({ ref: Type.String(), type: UnitTypeSchema, name: Type.String(), code: Nullable(Type.String()), address: Nullable(Type.String()), parent: UnitRef, sortOrder: Type.Integer() })),
  moved: Type.Array(Type.Object({ unit: UnitBrief, from: UnitRef, to: UnitRef })),
  changed: Type.Array(Type.Object({ unit: UnitBrief, type: Change(UnitTypeSchema), name: Change(Type.String()), code: Change(Nullable(Type.String())) })),
  archived: Type.Array(UnitBrief),
  lineage: Type.Array(Type.Object({ predecessor: UnitRef, successor: UnitRef, relation: Type.Enum(lineageRelations) })),
  party: Type.Object({
    created: Type.Array(Type.Object({ ref: Type.String(), kind: Type.String(), name: Type.String(), unit: UnitRef, parent: Nullable(OrgRef) })),
    reparented: Type.Array(Type.Object({ org: OrgBrief, from: Nullable(OrgRef), to: OrgRef })),
  }),
  counts: PlanCounts,
  lists: Type.Object({ compounds: Type.Array(UnitBrief), buildings: Type.Array(UnitBrief), partyOrgs: Type.Array(OrgBrief) }),
  warnings: Type.Array(Type.Object({
    code: Type.String(), message: Type.String(), messageEn: Type.String(), unitId: Nullable(Type.Integer()), orgId: Nullable(Type.Integer()),
  })),
  planHash: Type.String({ description: 'Send back with the execution to make sure exactly this plan runs' }),
}, { description: 'Exactly what the operation changes; preview and execution compute it with the same function' })
export type RestructurePlan = Static<typeof RestructurePlan>

export const RestructureEventView = Type.Object({
  id: Type.Integer(),
  kind: RestructureKindSchema,
  title: Type.String(),
  effectiveDate: Type.String({ format: 'date' }),
  note: Nullable(Type.String()),
  anchorUnitId: Nullable(Type.Integer()),
  anchorUnitName: Nullable(Type.String()),
  actorId: Nullable(Type.Integer()),
  actorUsername: Nullable(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  counts: PlanCounts,
})
export type RestructureEventView = Static<typeof RestructureEventView>
export const RestructureEventPage = Paged(RestructureEventView)

export const CreatedIds = Type.Array(Type.Object({ ref: Type.String(), id: Type.Integer() }))
export const LineageEdge = Type.Object({
  predecessorId: Type.Integer(), predecessorName: Type.String(), successorId: Type.Integer(), successorName: Type.String(),
  relation: Type.Enum(lineageRelations), eventId: Type.Integer(), effectiveDate: Type.String({ format: 'date' }),
})
export type LineageEdge = Static<typeof LineageEdge>

export const RestructureEventDetail = Type.Object({
  ...RestructureEventView.properties,
  plan: RestructurePlan,
  createdUnits: CreatedIds,
  createdPartyOrgs: CreatedIds,
  lineage: Type.Array(LineageEdge),
})
export type RestructureEventDetail = Static<typeof RestructureEventDetail>

export const RestructureResult = Type.Object({
  event: RestructureEventView,
  plan: RestructurePlan,
  createdUnits: CreatedIds,
  createdPartyOrgs: CreatedIds,
})
export type RestructureResult = Static<typeof RestructureResult>

export const EventQuery = Type.Intersect([
  PageQuery,
  Type.Object({
    unitId: Type.Optional(Type.Integer({ minimum: 1, description: 'Events that touched a unit inside this subtree' })),
    kind: Type.Optional(RestructureKindSchema),
    from: Type.Optional(Type.String({ format: 'date', description: 'Effective on or after' })),
    to: Type.Optional(Type.String({ format: 'date', description: 'Effective on or before' })),
  }),
])
export type EventQuery = Static<typeof EventQuery>

export const UnitLineage = Type.Object({
  unit: UnitBrief,
  predecessors: Type.Array(Type.Object({
    unit: UnitBrief, distance: Type.Integer(),
    insideSubtree: Type.Boolean({ description: 'Already inside this unit’s subtree (its figures are counted through the path)' }),
    shared: Type.Boolean({ description: 'Has several successors: its history is shared, do not add it when summing siblings' }),
  })),
  successors: Type.Array(Type.Object({ unit: UnitBrief, distance: Type.Integer() })),
  edges: Type.Array(LineageEdge),
  events: Type.Array(RestructureEventView, { description: 'Every event that touched this unit or a unit of its lineage' }),
})
export type UnitLineage = Static<typeof UnitLineage>
