import { counterNames, type CounterName, type Counters } from '../requests/rollup.js'

/*
 * The three rates (三率), in one place. Pure: counters in, figures out. The counters are the
 * requests module's rollup counters (requests/rollup.ts `contribution`): the board sums them from
 * request_rollup, the reference query and the drill-down compute the same counters from the
 * request rows, and both go through `figuresOf` below — so every number on the board is defined
 * once. The texts at the end are what GET /api/board/definitions returns and the UI shows; the
 * README's "三率定义 / The three rates" says the same.
 */

export { counterNames, type CounterName, type Counters }

/** Weights of the composite score, and the credit a 基本满意 answer earns inside the satisfaction rate. */
export interface BoardWeights {
  response: number
  resolution: number
  satisfaction: number
  /** 0–1: how much one 基本满意 counts against one 满意. */
  basicallySatisfied: number
}

export const defaultWeights: BoardWeights = { response: 0.2, resolution: 0.4, satisfaction: 0.4, basicallySatisfied: 0.8 }

export interface Rates {
  /** 响应率 = responded_on_time / counted */
  responseRate: number | null
  /** 解决率 = solved / rated */
  resolutionRate: number | null
  /** 满意率 = (satisfied + w × basically_satisfied) / rated */
  satisfactionRate: number | null
  /** 按时办结率 = resolved_on_time / resolved (shown, not part of the composite) */
  onTimeResolutionRate: number | null
  /** Σ weight × rate over the three rates that have a denominator, weights renormalized over those */
  composite: number | null
}

export interface Figures {
  counts: {
    submitted: number
    counted: number
    /** submitted − counted: excluded by an approved appeal, or merged into another case */
    excluded: number
    responded: number
    respondedOnTime: number
    resolved: number
    resolvedOnTime: number
    rated: number
    solved: number
    satisfied: number
    basicallySatisfied: number
    dissatisfied: number
    overdue: number
    open: number
    reopened: number
  }
  rates: Rates
  hours: {
    /** Average calendar hours from submission to resolution, per resolved case */
    avgHandling: number | null
    /** Average working hours (working calendar, pauses left out), per resolved case */
    avgWorking: number | null
  }
}

export const zeroCounters = (): Counters => Object.fromEntries(counterNames.map((n) => [n, 0])) as Counters

export function addCounters(into: Counters, more: Counters): Counters {
  for (const n of counterNames) into[n] += more[n]
  return into
}

export const sumCounters = (list: Iterable<Counters>): Counters => {
  const total = zeroCounters()
  for (const c of list) addCounters(total, c)
  return total
}

const ratio = (numerator: number, denominator: number): number | null => (denominator > 0 ? numerator / denominator : null)

/**
 * The composite: Σ wᵢ × rateᵢ / Σ wᵢ over the rates that exist. A rate with an empty denominator
 * (no counted case, no rated case) is "—" and drops out; the remaining weights are scaled up so they
 * still add up to one. No rate at all, or only zero weights left: no composite.
 */
export function compositeOf(rates: Pick<Rates, 'responseRate' | 'resolutionRate' | 'satisfactionRate'>, w: BoardWeights): number | null {
  const parts: [number | null, number][] = [[rates.responseRate, w.response], [rates.resolutionRate, w.resolution], [rates.satisfactionRate, w.satisfaction]]
  let weight = 0
  let sum = 0
  for (const [rate, wi] of parts) {
    if (rate === null) continue
    weight += wi
    sum += wi * rate
  }
  return weight > 0 ? sum / weight : null
}

export function ratesOf(c: Counters, w: BoardWeights): Rates {
  const responseRate = ratio(c.responded_on_time, c.counted)
  const resolutionRate = ratio(c.solved, c.rated)
  const satisfactionRate = ratio(c.satisfied + w.basicallySatisfied * c.basically_satisfied, c.rated)
  return {
    responseRate, resolutionRate, satisfactionRate,
    onTimeResolutionRate: ratio(c.resolved_on_time, c.resolved),
    composite: compositeOf({ responseRate, resolutionRate, satisfactionRate }, w),
  }
}

export function figuresOf(c: Counters, w: BoardWeights): Figures {
  return {
    counts: {
      submitted: c.submitted, counted: c.counted, excluded: c.submitted - c.counted, responded: c.responded, respondedOnTime: c.responded_on_time,
      resolved: c.resolved, resolvedOnTime: c.resolved_on_time, rated: c.rated, solved: c.solved, satisfied: c.satisfied,
      basicallySatisfied: c.basically_satisfied, dissatisfied: c.dissatisfied, overdue: c.overdue, open: c.open, reopened: c.reopened,
    },
    rates: ratesOf(c, w),
    hours: {
      avgHandling: ratio(c.handling_minutes, c.resolved * 60),
      avgWorking: ratio(c.working_minutes, c.resolved * 60),
    },
  }
}

/** Does the weight set make sense: each in [0, 1], the three rate weights add up to 1. */
export function weightsProblem(w: BoardWeights): string | null {
  for (const [k, v] of Object.entries(w)) if (!(v >= 0 && v <= 1)) return `${k} must lie between 0 and 1`
  if (Math.abs(w.response + w.resolution + w.satisfaction - 1) > 1e-6) return 'response + resolution + satisfaction must add up to 1'
  return null
}

// --- drill-down: which cases stand behind a number ------------------------------------------------

export const rateMetrics = ['response_rate', 'resolution_rate', 'satisfaction_rate', 'on_time_resolution_rate', 'avg_handling_hours'] as const
export type RateMetric = (typeof rateMetrics)[number]
/** Counters that count cases (the minute sums are not a list of cases). */
export const caseCounters = [
  'submitted', 'counted', 'responded', 'responded_on_time', 'resolved', 'resolved_on_time', 'solved', 'rated',
  'satisfied', 'basically_satisfied', 'dissatisfied', 'overdue', 'open', 'reopened',
] as const satisfies readonly CounterName[]
export type CaseCounter = (typeof caseCounters)[number]
export const drillMetrics = [...rateMetrics, ...caseCounters] as const
export type DrillMetric = RateMetric | CaseCounter

/**
 * The cases behind each part of each number, as counters: a case is listed when it adds to any of
 * the named counters. A rate's numerator and denominator are its formula's; a plain count's
 * numerator is itself and its denominator the base it is read against (on-time responses against
 * the counted cases, solved against the rated ones …).
 */
export const drillParts: Record<DrillMetric, { numerator: CaseCounter[]; denominator: CaseCounter }> = {
  response_rate: { numerator: ['responded_on_time'], denominator: 'counted' },
  resolution_rate: { numerator: ['solved'], denominator: 'rated' },
  satisfaction_rate: { numerator: ['satisfied', 'basically_satisfied'], denominator: 'rated' },
  on_time_resolution_rate: { numerator: ['resolved_on_time'], denominator: 'resolved' },
  avg_handling_hours: { numerator: ['resolved'], denominator: 'resolved' },
  submitted: { numerator: ['submitted'], denominator: 'submitted' },
  counted: { numerator: ['counted'], denominator: 'submitted' },
  responded: { numerator: ['responded'], denominator: 'counted' },
  responded_on_time: { numerator: ['responded_on_time'], denominator: 'counted' },
  resolved: { numerator: ['resolved'], denominator: 'counted' },
  resolved_on_time: { numerator: ['resolved_on_time'], denominator: 'resolved' },
  solved: { numerator: ['solved'], denominator: 'rated' },
  rated: { numerator: ['rated'], denominator: 'counted' },
  satisfied: { numerator: ['satisfied'], denominator: 'rated' },
  basically_satisfied: { numerator: ['basically_satisfied'], denominator: 'rated' },
  dissatisfied: { numerator: ['dissatisfied'], denominator: 'rated' },
  overdue: { numerator: ['overdue'], denominator: 'counted' },
  open: { numerator: ['open'], denominator: 'counted' },
  reopened: { numerator: ['reopened'], denominator: 'counted' },
}

// --- the texts the UI shows (and the README repeats) -------------------------------------------------

export interface DefinitionText {
  key: string
  name: { zh: string; en: string }
  formula: { zh: string; en: string }
  description: { zh: string; en: string }
}

export const definitionTexts: DefinitionText[] = [
  {
    key: 'counted',
    name: { zh: '计入件数', en: 'Counted cases' },
    formula: { zh: '提交件数 − 免考核件数 − 被合并件数', en: 'submitted − excluded by appeal − merged' },
    description: {
      zh: '统计期内提交(按北京时间的提交日期归属)的诉求,去掉县级审核通过免考核申诉的件和作为重复件被合并的件。三率只统计计入件;被排除的件仍可查看、留有审计记录。',
      en: 'Requests submitted in the period (by their submission date in Asia/Shanghai), without those an approved appeal excluded and those merged into another case as duplicates. The three rates use counted cases only; excluded cases stay visible and audited.',
    },
  },
  {
    key: 'response_rate',
    name: { zh: '响应率', en: 'Response rate' },
    formula: { zh: '按时签收件数 ÷ 计入件数', en: 'responded on time ÷ counted' },
    description: {
      zh: '按时签收:首次签收时间不晚于首次响应期限(按工作日历计算)。尚未签收或超时签收的件计入分母、不计入分子。',
      en: 'Responded on time: first signed for (签收) no later than the first-response deadline (on the working calendar). Cases not yet signed for, or signed for late, count in the denominator only.',
    },
  },
  {
    key: 'resolution_rate',
    name: { zh: '解决率', en: 'Resolution rate' },
    formula: { zh: '答复"已解决"件数 ÷ 已评价件数', en: 'answered "solved" ÷ rated' },
    description: {
      zh: '按 12345 接诉即办做法,以群众评价或工作人员回访的答复为准:已评价件中回答"问题已解决"的比例。每件取最近一次答复;答"未解决"的件重新办理,在新的答复之前按"未解决"计。没有已评价件时显示"—"。',
      en: 'As 12345 hotlines count it, by what residents answer (their own rating or a staff callback): the share of rated cases whose answer is "solved". The latest answer of each case counts; a case answered "not solved" is reopened and counts as not solved until it is answered again. "—" when no case was rated.',
    },
  },
  {
    key: 'satisfaction_rate',
    name: { zh: '满意率', en: 'Satisfaction rate' },
    formula: { zh: '(满意件数 + w × 基本满意件数) ÷ 已评价件数', en: '(satisfied + w × basically satisfied) ÷ rated' },
    description: {
      zh: 'w 为基本满意的折算系数,默认 0.8,可在权重设置中调整;不满意计 0。每件取最近一次答复。没有已评价件时显示"—"。',
      en: 'w is the credit of a "basically satisfied" answer, 0.8 by default and adjustable with the weights; "dissatisfied" counts 0. The latest answer of each case counts. "—" when no case was rated.',
    },
  },
  {
    key: 'composite',
    name: { zh: '综合得分', en: 'Composite score' },
    formula: { zh: '响应率 × 权重 + 解决率 × 权重 + 满意率 × 权重', en: 'response × weight + resolution × weight + satisfaction × weight' },
    description: {
      zh: '默认权重:响应率 0.2、解决率 0.4、满意率 0.4(三者之和为 1,由县级管理员或有服务清单管理权限的县级账号设置,修改留痕)。分母为零显示"—"的比率不参与计算,其余权重按比例放大后再加权;三率都为"—"时综合得分为"—"。页面以百分制显示(× 100)。',
      en: 'Default weights: response 0.2, resolution 0.4, satisfaction 0.4 (they add up to 1; set by a county administrator or a county-level catalog manager, every change audited). A rate shown as "—" (empty denominator) is left out and the remaining weights are scaled up to add up to 1; with no rate at all the composite is "—". Shown × 100 as a score.',
    },
  },
  {
    key: 'on_time_resolution_rate',
    name: { zh: '按时办结率', en: 'On-time resolution rate' },
    formula: { zh: '按期办结件数 ÷ 已办结件数', en: 'resolved by the deadline ÷ resolved' },
    description: {
      zh: '办结时间不晚于办理期限(含已批准的延期)的件占已办结件的比例。仅供参考,不计入综合得分。',
      en: 'Share of resolved cases resolved no later than their resolution deadline (approved extensions included). For reference; not part of the composite.',
    },
  },
  {
    key: 'overdue',
    name: { zh: '超期件数', en: 'Overdue' },
    formula: { zh: '被标记超期的计入件数', en: 'counted cases flagged overdue' },
    description: {
      zh: '办理期限届满仍未办结、被期限巡检标记为超期的件;办结后标记保留,重新办理或延期获批使期限后移时清除。',
      en: 'Cases still unresolved when their resolution deadline passed, as flagged by the deadline sweep; the flag stays after a late resolution and is cleared when the case is reopened or an approved extension moves its deadline.',
    },
  },
  {
    key: 'open',
    name: { zh: '在办件数', en: 'Open' },
    formula: { zh: '尚未办结的计入件数', en: 'counted cases not yet resolved' },
    description: { zh: '状态为待签收、已签收、已派单或办理中的件。', en: 'Cases submitted, accepted, dispatched or in progress.' },
  },
  {
    key: 'handling_hours',
    name: { zh: '平均办理时长', en: 'Average handling time' },
    formula: { zh: '已办结件从提交到办结的时长之和 ÷ 已办结件数', en: 'sum of submission-to-resolution times ÷ resolved cases' },
    description: {
      zh: '两种口径:自然小时(含等待群众的暂停时间);工作小时(按工作日历,扣除暂停时间)。重新办理的件以最近一次办结为准。',
      en: 'Two measures: calendar hours (waiting for the resident included) and working hours (on the working calendar, pauses left out). A reopened case counts its latest resolution.',
    },
  },
  {
    key: 'scope',
    name: { zh: '统计口径', en: 'Scope' },
    formula: { zh: '区域口径 / 承办口径', en: 'area / handler' },
    description: {
      zh: '区域口径(默认):发生在该单位及其下级的诉求;承办口径:由该单位及其下级承办的诉求,用于机关、物业公司等承办单位排名。单位调整(撤并、划转网格)时单位编号不变,其历史随单位进入新的上级;被撤销的单位保留自身历史,勾选"含前身单位"时计入其继任单位。',
      en: 'Area (default): requests located in the unit or below it; handler: requests held by the unit or below it, to rank handling units such as agencies and property companies. Units keep their ids when restructured, so their history follows them to a new parent; a dissolved unit keeps its own history, which its successors include when "including predecessors" is asked for.',
    },
  },
]
