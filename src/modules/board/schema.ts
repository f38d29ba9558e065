import { Type, type Static, type TSchema } from 'typebox'
import { PageQuery } from '../../lib/paging.js'
import { registerErrors } from '../../server/errors.js'
import { unitTypes } from '../units/schema.js'
import { RequestSummary } from '../requests/schema.js'
import { drillMetrics } from './definitions.js'
import { granularities, MAX_BUCKETS, MAX_PERIOD_DAYS, periodPresets } from './periods.js'

registerErrors({
  invalid_period: { status: 400, en: 'The period is not valid: send a preset (period) or both from and to, from not after to, at most ten years.', zh: '统计期无效:请选择预设统计期,或同时填写起止日期(起始不晚于截止,最长十年)。' },
  too_many_buckets: { status: 400, en: `The trend would have more than ${MAX_BUCKETS} points; choose a coarser granularity (week or month).`, zh: `趋势数据点超过 ${MAX_BUCKETS} 个,请按周或按月查看。` },
  invalid_weights: { status: 400, en: 'The weights of the three rates must each lie between 0 and 1 and add up to 1.', zh: '三率权重须在 0 到 1 之间,且合计为 1。' },
})

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()])
const Day = Type.String({ format: 'date' })
const Rate = Nullable(Type.Number({ description: '0–1; null ("—") when the denominator is empty' }))

export const Dim = Type.Union([Type.Literal('area'), Type.Literal('handler')], {
  default: 'area', description: 'area: requests located in the unit\'s subtree (default); handler: requests held by units of the subtree (agencies, property companies)',
})
export type Dim = Static<typeof Dim>

const periodFields = {
  period: Type.Optional(Type.Enum(periodPresets, {
    description: 'A preset in Asia/Shanghai dates (default this_month when no from/to): this_month, last_month, this_quarter, last_quarter, this_half, last_half, h1, h2 (with year; the semiannual property evaluation), this_year, last_year',
  })),
  year: Type.Optional(Type.Integer({ minimum: 2000, maximum: 2100, description: 'Year of h1 / h2 (default this year)' })),
  from: Type.Optional(Type.String({ format: 'date', description: `First submission day (with to; at most ${MAX_PERIOD_DAYS} days)` })),
  to: Type.Optional(Type.String({ format: 'date', description: 'Last submission day, inclusive' })),
}

const scopeFields = {
  unitId: Type.Integer({ minimum: 1, description: 'The unit whose subtree the figures cover (board.read needed on it)' }),
  dim: Type.Optional(Dim),
  includePredecessors: Type.Optional(Type.Boolean({
    default: false, description: 'Add the history of units this one succeeded in a restructuring that are not already inside its subtree',
  })),
  ...periodFields,
}

export const BoardQuery = Type.Object({
  ...scopeFields,
  rankType: Type.Optional(Type.Enum(unitTypes, {
    description: 'Rank every active unit of this type inside the subtree (e.g. agency or enterprise with dim=handler) instead of the direct children',
  })),
})
export type BoardQuery = Static<typeof BoardQuery>

export const TrendQuery = Type.Object({
  ...scopeFields,
  granularity: Type.Optional(Type.Enum(granularities, { description: 'day, week (Monday first) or month; default by the period\'s length' })),
})
export type TrendQuery = Static<typeof TrendQuery>

export const DrillQuery = Type.Intersect([
  PageQuery,
  Type.Object({
    ...scopeFields,
    metric: Type.Enum(drillMetrics, { description: 'A rate (response_rate …) or a counter (responded_on_time, overdue, open …)' }),
    part: Type.Optional(Type.Union([Type.Literal('numerator'), Type.Literal('denominator')], {
      default: 'numerator', description: 'numerator: the cases the number counts; denominator: the cases it is measured against',
    })),
  }),
])
export type DrillQuery = Static<typeof DrillQuery>

export const WeightsQuery = Type.Object({ unitId: Type.Integer({ minimum: 1, description: 'Any unit of the county (weights belong to the county)' }) })
export type WeightsQuery = Static<typeof WeightsQuery>

const Weight = (description: string) => Type.Number({ minimum: 0, maximum: 1, description })
export const WeightsInput = Type.Object({
  unitId: Type.Integer({ minimum: 1, description: 'Any unit of the county; the county\'s weights change' }),
  response: Weight('Weight of the response rate in the composite'),
  resolution: Weight('Weight of the resolution rate'),
  satisfaction: Weight('Weight of the satisfaction rate (the three add up to 1)'),
  basicallySatisfied: Weight('Credit of one 基本满意 answer in the satisfaction rate (default 0.8)'),
}, { additionalProperties: false })
export type WeightsInput = Static<typeof WeightsInput>

const WeightsShape = Type.Object({ response: Type.Number(), resolution: Type.Number(), satisfaction: Type.Number(), basicallySatisfied: Type.Number() })
export const WeightsView = Type.Object({
  countyId: Type.Integer(),
  weights: WeightsShape,
  defaults: WeightsShape,
  isDefault: Type.Boolean({ description: 'The county has not set its own weights' }),
  updatedAt: Nullable(Type.String({ format: 'date-time' })),
})
export type WeightsView = Static<typeof WeightsView>

export const FiguresView = Type.Object({
  counts: Type.Object({
    submitted: Type.Integer(), counted: Type.Integer(), excluded: Type.Integer({ description: 'Excluded by an approved appeal, or merged' }),
    responded: Type.Integer(), respondedOnTime: Type.Integer(), resolved: Type.Integer(), resolvedOnTime: Type.Integer(), rated: Type.Integer(),
    solved: Type.Integer(), satisfied: Type.Integer(), basicallySatisfied: Type.Integer(), dissatisfied: Type.Integer(), overdue: Type.Integer(),
    open: Type.Integer(), reopened: Type.Integer(),
  }),
  rates: Type.Object({
    responseRate: Rate, resolutionRate: Rate, satisfactionRate: Rate, onTimeResolutionRate: Rate,
    composite: Nullable(Type.Number({ description: 'Σ weight × rate over the rates present, weights renormalized; × 100 for a score' })),
  }),
  hours: Type.Object({
    avgHandling: Nullable(Type.Number({ description: 'Average calendar hours, submission → resolution, per resolved case' })),
    avgWorking: Nullable(Type.Number({ description: 'Average working hours (pauses left out) per resolved case' })),
  }),
})

const UnitRef = Type.Object({
  id: Type.Integer(), name: Type.String(), type: Type.String(), code: Nullable(Type.String()), status: Type.String(),
})

const PredecessorView = Type.Object({
  unit: UnitRef,
  distance: Type.Integer({ description: 'Restructurings between it and the unit' }),
  shared: Type.Boolean({ description: 'It has several successors, so its history is shown with each of them (and left out of rankings)' }),
})

const PeriodView = Type.Object({ preset: Nullable(Type.String()), from: Day, to: Day })

export const RankingItem = Type.Object({
  rank: Nullable(Type.Integer({ description: 'By composite, highest first; null when the unit has no composite ("—")' })),
  unit: UnitRef,
  figures: FiguresView,
  predecessorIds: Type.Array(Type.Integer(), { description: 'Predecessors whose history is included (includePredecessors=true; shared ones never)' }),
})

export const BoardView = Type.Object({
  unit: UnitRef,
  dim: Dim,
  period: PeriodView,
  weights: WeightsShape,
  figures: FiguresView,
  predecessors: Type.Array(PredecessorView, { description: 'With includePredecessors=true: the predecessors whose history the figures include' }),
  ranking: Type.Object({
    of: Type.String({ description: '"children", or the unit type ranked (rankType)' }),
    items: Type.Array(RankingItem, { description: 'Sorted by composite (highest first), then by counted cases; units without a composite last' }),
  }),
})
export type BoardView = Static<typeof BoardView>

export const TrendView = Type.Object({
  unit: UnitRef,
  dim: Dim,
  period: PeriodView,
  granularity: Type.Enum(granularities),
  weights: WeightsShape,
  points: Type.Array(Type.Object({
    key: Type.String({ description: 'YYYY-MM-DD (day, or the Monday of the week) or YYYY-MM' }),
    from: Day,
    to: Day,
    figures: FiguresView,
  })),
})
export type TrendView = Static<typeof TrendView>

export const DrillPage = Type.Object({
  metric: Type.String(),
  part: Type.Union([Type.Literal('numerator'), Type.Literal('denominator')]),
  counters: Type.Array(Type.String(), { description: 'A case is listed when it adds to one of these counters' }),
  period: PeriodView,
  items: Type.Array(RequestSummary),
  total: Type.Integer({ description: 'Equals the number on the board for this part (for satisfaction_rate the numerator lists 满意 and 基本满意 cases)' }),
})
export type DrillPage = Static<typeof DrillPage>

const Text = Type.Object({ zh: Type.String(), en: Type.String() })
export const DefinitionsView = Type.Object({
  definitions: Type.Array(Type.Object({ key: Type.String(), name: Text, formula: Text, description: Text })),
  defaultWeights: WeightsShape,
})

export const ExportQuery = BoardQuery
