/** Types and helpers of the three-rates board page. */
import type { ApiQuery, ApiResult } from '../../api/client'
import type { MessageKey } from '../../app/i18n'

export type BoardView = ApiResult<'/api/board', 'get'>
export type BoardQuery = ApiQuery<'/api/board', 'get'>
export type Figures = BoardView['figures']
export type RankingItem = BoardView['ranking']['items'][number]
export type TrendView = ApiResult<'/api/board/trend', 'get'>
export type DrillPage = ApiResult<'/api/board/cases', 'get'>
export type DrillQuery = ApiQuery<'/api/board/cases', 'get'>
export type DrillMetric = DrillQuery['metric']
export type Definitions = ApiResult<'/api/board/definitions', 'get'>
export type WeightsView = ApiResult<'/api/board/weights', 'get'>
export type Preset = NonNullable<BoardQuery['period']>
export type Dim = NonNullable<BoardQuery['dim']>
export type Granularity = NonNullable<ApiQuery<'/api/board/trend', 'get'>['granularity']>

export const PRESETS: Preset[] = ['this_month', 'last_month', 'this_quarter', 'last_quarter', 'h1', 'h2', 'this_year', 'last_year']
export const presetKeys: Record<Preset, MessageKey> = {
  this_month: 'board.period.this_month', last_month: 'board.period.last_month', this_quarter: 'board.period.this_quarter',
  last_quarter: 'board.period.last_quarter', this_half: 'board.period.this_half', last_half: 'board.period.last_half',
  h1: 'board.period.h1', h2: 'board.period.h2', this_year: 'board.period.this_year', last_year: 'board.period.last_year',
}

/** The period part of every board query, from the page's URL state. */
export interface PeriodChoice {
  period?: Preset
  year?: number
  from?: string
  to?: string
}

/** 0.8734 → "87.3%"; null (empty denominator) → "—". */
export const pct = (v: number | null | undefined): string => (v === null || v === undefined ? '—' : `${(v * 100).toFixed(1)}%`)
/** The composite as a score out of 100. */
export const score = (v: number | null | undefined): string => (v === null || v === undefined ? '—' : (v * 100).toFixed(1))
export const hoursText = (v: number | null | undefined): string => (v === null || v === undefined ? '—' : v.toFixed(1))

/** The rates on the board and the counters behind each (numerator / denominator). */
export const RATE_CARDS = [
  { key: 'response_rate', rate: 'responseRate', numerator: 'respondedOnTime', denominator: 'counted', label: 'board.rate.response' },
  { key: 'resolution_rate', rate: 'resolutionRate', numerator: 'solved', denominator: 'rated', label: 'board.rate.resolution' },
  { key: 'satisfaction_rate', rate: 'satisfactionRate', numerator: null, denominator: 'rated', label: 'board.rate.satisfaction' },
] as const satisfies readonly { key: DrillMetric; rate: keyof Figures['rates']; numerator: keyof Figures['counts'] | null; denominator: keyof Figures['counts']; label: MessageKey }[]

/** The counters shown as small figures, each one drillable. */
export const COUNT_TILES = [
  { metric: 'submitted', count: 'submitted', label: 'board.count.submitted', def: 'counted' },
  { metric: 'counted', count: 'counted', label: 'board.count.counted', def: 'counted' },
  { metric: 'open', count: 'open', label: 'board.count.open', def: 'open' },
  { metric: 'overdue', count: 'overdue', label: 'board.count.overdue', def: 'overdue' },
  { metric: 'resolved', count: 'resolved', label: 'board.count.resolved', def: 'on_time_resolution_rate' },
  { metric: 'rated', count: 'rated', label: 'board.count.rated', def: 'resolution_rate' },
  { metric: 'dissatisfied', count: 'dissatisfied', label: 'board.count.dissatisfied', def: 'satisfaction_rate' },
  { metric: 'reopened', count: 'reopened', label: 'board.count.reopened', def: 'resolution_rate' },
] as const satisfies readonly { metric: DrillMetric; count: keyof Figures['counts']; label: MessageKey; def: string }[]

export const metricKeys: Record<DrillMetric, MessageKey> = {
  response_rate: 'board.rate.response', resolution_rate: 'board.rate.resolution', satisfaction_rate: 'board.rate.satisfaction',
  on_time_resolution_rate: 'board.rate.onTime', avg_handling_hours: 'board.hours.title', submitted: 'board.count.submitted', counted: 'board.count.counted',
  responded: 'board.count.responded', responded_on_time: 'board.count.respondedOnTime', resolved: 'board.count.resolved', resolved_on_time: 'board.count.resolvedOnTime',
  solved: 'board.count.solved', rated: 'board.count.rated', satisfied: 'board.count.satisfied', basically_satisfied: 'board.count.basicallySatisfied',
  dissatisfied: 'board.count.dissatisfied', overdue: 'board.count.overdue', open: 'board.count.open', reopened: 'board.count.reopened',
}
