import { Type, type Static } from 'typebox'
import { PageQuery, Paged } from '../../lib/paging.js'
import { registerErrors } from '../../server/errors.js'
import { DurationSchema } from '../calendar/schema.js'
import { ownerUnitTypes, priorities } from './priorities.js'

registerErrors({
  category_not_found: { status: 404, en: 'No such service category.', zh: '服务类别不存在。' },
  category_code_taken: { status: 409, en: 'Another category already has that code.', zh: '该类别编码已被使用。' },
  invalid_category_parent: { status: 400, en: 'Categories have two levels: a parent must be a top-level category, and a category with subcategories cannot move under another.', zh: '服务类别只有两级:上级须为一级类别,且含子类别的类别不能移到其他类别之下。' },
  category_in_use: { status: 409, en: 'The category still has active items or subcategories; archive or move them first.', zh: '该类别下仍有在用的事项或子类别,请先归档或移走。' },
  category_archived: { status: 409, en: 'The category is archived; choose an active one.', zh: '该类别已归档,请选择在用的类别。' },
  service_item_not_found: { status: 404, en: 'No such service item.', zh: '服务事项不存在。' },
  service_item_code_taken: { status: 409, en: 'Another service item already has that code.', zh: '该事项编码已被使用。' },
  service_item_not_offered: { status: 400, en: 'That service item is not offered at this location.', zh: '该服务事项不在此地点提供。' },
  routing_rule_not_found: { status: 404, en: 'No such routing rule.', zh: '分派规则不存在。' },
  invalid_routing_rule: { status: 400, en: 'The routing rule is not valid; see details.', zh: '分派规则无效,请查看详情。' },
  unit_outside_county: { status: 400, en: 'That unit belongs to another county.', zh: '该单位属于其他县。' },
  invalid_handling_unit: { status: 400, en: 'That unit cannot handle requests: it is archived or of the wrong kind.', zh: '该单位不能承办诉求:已归档或类型不符。' },
  not_a_compound: { status: 400, en: 'A property company is assigned to a compound (小区).', zh: '物业公司只能分配给小区。' },
  not_a_property_company: { status: 400, en: 'A property company must be an enterprise unit.', zh: '物业公司须为企业类单位。' },
  invalid_assignment_date: { status: 400, en: 'The new assignment must not start before the current one.', zh: '新的物业服务起始日期不能早于当前物业的起始日期。' },
})

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()])
const DateText = Type.String({ format: 'date', description: 'YYYY-MM-DD' })
const Timestamp = Type.String({ format: 'date-time' })

export const PrioritySchema = Type.Enum(priorities, { description: 'emergency 2 h · urgent 24 h · general 7 working days · complex 15 working days' })
export const OwnerUnitTypeSchema = Type.Enum(ownerUnitTypes, { description: 'Which kind of unit handles it, found from the location' })
export const VisibilitySchema = Type.Union([Type.Literal('public'), Type.Literal('internal')])
export const StatusSchema = Type.Union([Type.Literal('active'), Type.Literal('archived')])
const StatusFilter = Type.Union([Type.Literal('active'), Type.Literal('archived'), Type.Literal('all')], { default: 'active' })

const CategoryCode = Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,39}$', description: 'Lowercase letters, digits, _ and - (stable)' })
const ItemCode = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$', description: 'Stable code; the Open311 service_code' })
const Name = Type.String({ minLength: 1, maxLength: 100 })
const Description = Type.String({ maxLength: 2000 })
const Materials = Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 40, description: 'Documents the resident should bring or upload' })

const UnitRef = Type.Object({ id: Type.Integer(), name: Type.String() })

// --- categories -------------------------------------------------------------------------------

export const CategoryView = Type.Object({
  id: Type.Integer(),
  parentId: Nullable(Type.Integer()),
  code: Type.String(),
  name: Type.String(),
  description: Nullable(Type.String()),
  sortOrder: Type.Integer(),
  status: StatusSchema,
  itemCount: Type.Integer({ description: 'Active items directly in this category that you can see' }),
})
export type CategoryView = Static<typeof CategoryView>

export const CategoryQuery = Type.Object({ status: Type.Optional(StatusFilter) })
export type CategoryQuery = Static<typeof CategoryQuery>

export const CreateCategoryInput = Type.Object({
  code: CategoryCode,
  name: Name,
  parentId: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
  description: Type.Optional(Nullable(Description)),
  sortOrder: Type.Optional(Type.Integer({ minimum: -100000, maximum: 100000 })),
}, { additionalProperties: false })
export type CreateCategoryInput = Static<typeof CreateCategoryInput>

export const UpdateCategoryInput = Type.Object({
  name: Type.Optional(Name),
  parentId: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
  description: Type.Optional(Nullable(Description)),
  sortOrder: Type.Optional(Type.Integer({ minimum: -100000, maximum: 100000 })),
  status: Type.Optional(StatusSchema),
}, { additionalProperties: false })
export type UpdateCategoryInput = Static<typeof UpdateCategoryInput>

// --- items ------------------------------------------------------------------------------------

export const ServiceItemView = Type.Object({
  id: Type.Integer(),
  code: Type.String(),
  categoryId: Type.Integer(),
  categoryName: Type.String(),
  parentCategoryId: Nullable(Type.Integer()),
  name: Type.String(),
  description: Nullable(Type.String()),
  unitId: Nullable(Type.Integer({ description: 'Offered in this unit\'s subtree; null: everywhere' })),
  unitName: Nullable(Type.String()),
  ownerUnitType: OwnerUnitTypeSchema,
  defaultUnitId: Nullable(Type.Integer()),
  defaultUnitName: Nullable(Type.String()),
  priority: PrioritySchema,
  responseTime: DurationSchema,
  resolutionTime: DurationSchema,
  responseTimeOverride: Nullable(DurationSchema),
  resolutionTimeOverride: Nullable(DurationSchema),
  materials: Type.Array(Type.String()),
  feeNote: Nullable(Type.String()),
  proxyHandling: Type.Boolean({ description: '帮办代办' }),
  crossRegion: Type.Boolean({ description: '跨域通办' }),
  elderlyCare: Type.Boolean({ description: '爱老助老' }),
  anonymousAllowed: Type.Boolean(),
  visibility: VisibilitySchema,
  status: StatusSchema,
  sortOrder: Type.Integer(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
})
export type ServiceItemView = Static<typeof ServiceItemView>
export const ServiceItemPage = Paged(ServiceItemView)

export const ItemQuery = Type.Intersect([
  PageQuery,
  Type.Object({
    q: Type.Optional(Type.String({ maxLength: 100, description: 'Part of the name, code or description' })),
    categoryId: Type.Optional(Type.Integer({ minimum: 1, description: 'The category or its subcategories' })),
    priority: Type.Optional(PrioritySchema),
    ownerUnitType: Type.Optional(OwnerUnitTypeSchema),
    proxyHandling: Type.Optional(Type.Boolean()),
    crossRegion: Type.Optional(Type.Boolean()),
    elderlyCare: Type.Optional(Type.Boolean()),
    visibility: Type.Optional(VisibilitySchema),
    status: Type.Optional(StatusFilter),
    offeredAt: Type.Optional(Type.Integer({ minimum: 1, description: 'Only items offered at this location' })),
    unitId: Type.Optional(Type.Integer({ minimum: 1, description: 'Only items whose offering subtree is exactly this unit' })),
  }),
])
export type ItemQuery = Static<typeof ItemQuery>

export const CreateItemInput = Type.Object({
  code: ItemCode,
  categoryId: Type.Integer({ minimum: 1 }),
  name: Name,
  description: Type.Optional(Nullable(Description)),
  unitId: Nullable(Type.Integer({ minimum: 1, description: 'Offered in this unit\'s subtree; null: everywhere (deployment administrators only)' })),
  ownerUnitType: OwnerUnitTypeSchema,
  defaultUnitId: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
  priority: PrioritySchema,
  responseTime: Type.Optional(Nullable(DurationSchema)),
  resolutionTime: Type.Optional(Nullable(DurationSchema)),
  materials: Type.Optional(Materials),
  feeNote: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
  proxyHandling: Type.Optional(Type.Boolean()),
  crossRegion: Type.Optional(Type.Boolean()),
  elderlyCare: Type.Optional(Type.Boolean()),
  anonymousAllowed: Type.Optional(Type.Boolean()),
  visibility: Type.Optional(VisibilitySchema),
  sortOrder: Type.Optional(Type.Integer({ minimum: -100000, maximum: 100000 })),
}, { additionalProperties: false })
export type CreateItemInput = Static<typeof CreateItemInput>

export const UpdateItemInput = Type.Object({
  categoryId: Type.Optional(Type.Integer({ minimum: 1 })),
  name: Type.Optional(Name),
  description: Type.Optional(Nullable(Description)),
  unitId: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
  ownerUnitType: Type.Optional(OwnerUnitTypeSchema),
  defaultUnitId: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
  priority: Type.Optional(PrioritySchema),
  responseTime: Type.Optional(Nullable(DurationSchema)),
  resolutionTime: Type.Optional(Nullable(DurationSchema)),
  materials: Type.Optional(Materials),
  feeNote: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
  proxyHandling: Type.Optional(Type.Boolean()),
  crossRegion: Type.Optional(Type.Boolean()),
  elderlyCare: Type.Optional(Type.Boolean()),
  anonymousAllowed: Type.Optional(Type.Boolean()),
  visibility: Type.Optional(VisibilitySchema),
  status: Type.Optional(StatusSchema),
  sortOrder: Type.Optional(Type.Integer({ minimum: -100000, maximum: 100000 })),
}, { additionalProperties: false })
export type UpdateItemInput = Static<typeof UpdateItemInput>

// --- public catalog ---------------------------------------------------------------------------

export const PublicItemView = Type.Object({
  id: Type.Integer(),
  code: Type.String(),
  name: Type.String(),
  description: Nullable(Type.String()),
  categoryId: Type.Integer(),
  categoryName: Type.String(),
  priority: PrioritySchema,
  responseTime: DurationSchema,
  resolutionTime: DurationSchema,
  materials: Type.Array(Type.String()),
  feeNote: Nullable(Type.String()),
  proxyHandling: Type.Boolean(),
  crossRegion: Type.Boolean(),
  elderlyCare: Type.Boolean(),
  anonymousAllowed: Type.Boolean(),
})
export type PublicItemView = Static<typeof PublicItemView>

export const PublicCatalogQuery = Type.Object({
  unitId: Type.Integer({ minimum: 1, description: 'Where the resident is (compound, building, grid, village …)' }),
  q: Type.Optional(Type.String({ maxLength: 100 })),
  categoryId: Type.Optional(Type.Integer({ minimum: 1 })),
})
export type PublicCatalogQuery = Static<typeof PublicCatalogQuery>

export const PublicCatalogView = Type.Object({
  location: Type.Object({
    id: Type.Integer(),
    name: Type.String(),
    type: Type.String(),
    trail: Type.Array(Type.String(), { description: 'Names from the county down to the location' }),
  }),
  categories: Type.Array(Type.Object({ id: Type.Integer(), parentId: Nullable(Type.Integer()), name: Type.String() })),
  items: Type.Array(PublicItemView),
})
export type PublicCatalogView = Static<typeof PublicCatalogView>

// --- routing rules ----------------------------------------------------------------------------

export const TargetKindSchema = Type.Union([Type.Literal('unit'), Type.Literal('property_company')], {
  description: "unit: a fixed unit; property_company: the property company of the location's compound",
})

export const RoutingRuleView = Type.Object({
  id: Type.Integer(),
  locationUnitId: Type.Integer(),
  locationUnitName: Type.String(),
  categoryId: Nullable(Type.Integer()),
  categoryName: Nullable(Type.String()),
  itemId: Nullable(Type.Integer()),
  itemName: Nullable(Type.String()),
  targetKind: TargetKindSchema,
  targetUnitId: Nullable(Type.Integer()),
  targetUnitName: Nullable(Type.String()),
  coUnits: Type.Array(UnitRef),
  priority: Type.Integer(),
  note: Nullable(Type.String()),
  active: Type.Boolean(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
})
export type RoutingRuleView = Static<typeof RoutingRuleView>
export const RoutingRulePage = Paged(RoutingRuleView)

export const RuleQuery = Type.Intersect([
  PageQuery,
  Type.Object({
    locationUnitId: Type.Optional(Type.Integer({ minimum: 1, description: 'Rules whose subtree root is exactly this unit' })),
    categoryId: Type.Optional(Type.Integer({ minimum: 1 })),
    itemId: Type.Optional(Type.Integer({ minimum: 1 })),
  }),
])
export type RuleQuery = Static<typeof RuleQuery>

const CoUnitIds = Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 10, description: 'Co-handling units (协办)' })

export const CreateRuleInput = Type.Object({
  locationUnitId: Type.Integer({ minimum: 1, description: 'The rule applies to locations in this subtree' }),
  categoryId: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
  itemId: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
  targetKind: TargetKindSchema,
  targetUnitId: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
  coUnitIds: Type.Optional(CoUnitIds),
  priority: Type.Optional(Type.Integer({ minimum: -1000, maximum: 1000 })),
  note: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
  active: Type.Optional(Type.Boolean()),
}, { additionalProperties: false })
export type CreateRuleInput = Static<typeof CreateRuleInput>

export const UpdateRuleInput = Type.Object({
  categoryId: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
  itemId: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
  targetKind: Type.Optional(TargetKindSchema),
  targetUnitId: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
  coUnitIds: Type.Optional(CoUnitIds),
  priority: Type.Optional(Type.Integer({ minimum: -1000, maximum: 1000 })),
  note: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
  active: Type.Optional(Type.Boolean()),
}, { additionalProperties: false })
export type UpdateRuleInput = Static<typeof UpdateRuleInput>

export const RouteQuery = Type.Object({
  locationUnitId: Type.Integer({ minimum: 1 }),
  itemId: Type.Integer({ minimum: 1 }),
})
export type RouteQuery = Static<typeof RouteQuery>

export const RouteVia = Type.Union([Type.Literal('rule'), Type.Literal('default_unit'), Type.Literal('owner_type'), Type.Literal('fallback')])

export const RouteView = Type.Object({
  unitId: Type.Integer(),
  unitName: Type.String(),
  unitType: Type.String(),
  unitPath: Type.String(),
  via: RouteVia,
  ruleId: Nullable(Type.Integer()),
  compoundUnitId: Nullable(Type.Integer({ description: 'Set when the unit is the property company of this compound' })),
  coUnits: Type.Array(UnitRef),
})
export type RouteView = Static<typeof RouteView>

// --- property companies -----------------------------------------------------------------------

export const PropertyAssignmentView = Type.Object({
  id: Type.Integer(),
  compoundUnitId: Type.Integer(),
  propertyUnitId: Type.Integer(),
  propertyName: Type.String(),
  since: Type.String(),
  until: Nullable(Type.String({ description: 'Exclusive; null: still serving' })),
  note: Nullable(Type.String()),
  createdAt: Timestamp,
})
export type PropertyAssignmentView = Static<typeof PropertyAssignmentView>

export const CompoundPropertyView = Type.Object({
  compoundUnitId: Type.Integer(),
  compoundName: Type.String(),
  current: Nullable(PropertyAssignmentView),
  history: Type.Array(PropertyAssignmentView, { description: 'Newest first' }),
})
export type CompoundPropertyView = Static<typeof CompoundPropertyView>

export const AssignPropertyInput = Type.Object({
  propertyUnitId: Nullable(Type.Integer({ minimum: 1, description: 'An enterprise unit; null: no property company from that day (业主自管)' })),
  since: DateText,
  note: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
}, { additionalProperties: false })
export type AssignPropertyInput = Static<typeof AssignPropertyInput>

export const PropertyCompoundsView = Type.Object({
  propertyUnitId: Type.Integer(),
  propertyName: Type.String(),
  compounds: Type.Array(Type.Object({ compoundUnitId: Type.Integer(), compoundName: Type.String(), since: Type.String() })),
})
export type PropertyCompoundsView = Static<typeof PropertyCompoundsView>
