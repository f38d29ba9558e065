import type { Db } from '../../db/connect.js'
import { AppError } from '../../server/errors.js'
import { pageOf } from '../../lib/paging.js'
import { nowIso, shanghaiDay } from '../../lib/time.js'
import { outermostPaths } from '../../db/subtree.js'
import { recordAudit } from '../audit/service.js'
import { can, requireActionOnPath, type Actor } from '../access/service.js'
import { lineageClosure } from '../units/service.js'
import { toSummary } from '../requests/case.js'
import {
  defaultWeights, definitionTexts, drillParts, figuresOf, sumCounters, weightsProblem, zeroCounters,
  type BoardWeights, type Counters, type Figures,
} from './definitions.js'
import { bucketOf, bucketsOf, defaultGranularity, resolvePeriod, type Period } from './periods.js'
import type { BoardQuery, BoardView, Dim, DrillPage, DrillQuery, TrendQuery, TrendView, WeightsInput, WeightsQuery, WeightsView } from './schema.js'
import * as store from './store.js'
import { boardWorkbook, exportFileName } from './export.js'

/*
 * The three-rates board. Figures come from the rollups the requests module keeps (a primary-key
 * range per unit: the county over a million requests is a handful of indexed reads); the drill-down
 * and the reference read the request rows with the same definitions (definitions.ts).
 */

/** "Today" for the presets; tests and the bench may fix it. */
export interface BoardClock { today?: string }
const todayOf = (clock: BoardClock): string => clock.today ?? shanghaiDay(new Date())

const unitRef = (u: store.UnitRow) => ({ id: u.id, name: u.name, type: u.type, code: u.code, status: u.status })

async function boardUnit(db: Db, actor: Actor, unitId: number): Promise<store.UnitRow> {
  const unit = await store.findUnit(db, unitId)
  if (!unit) throw new AppError('unit_not_found', { unitId })
  requireActionOnPath(actor, 'board.read', unit.path)
  return unit
}

// --- weights --------------------------------------------------------------------------------------

const weightsKey = (countyId: number) => `board.weights.${countyId}`
const countyIdOf = (unit: store.UnitRow): number => unit.county_id ?? unit.id

function parseWeights(text: string): BoardWeights | null {
  try {
    const v = JSON.parse(text) as Partial<BoardWeights>
    const w: BoardWeights = { response: Number(v.response), resolution: Number(v.resolution), satisfaction: Number(v.satisfaction), basicallySatisfied: Number(v.basicallySatisfied) }
    return weightsProblem(w) === null ? w : null
  } catch {
    return null
  }
}

/** The county's weights, or the defaults when it has not set any (or the stored value is unusable). */
export async function loadWeights(db: Db, countyId: number): Promise<{ weights: BoardWeights; updatedAt: string | null; isDefault: boolean }> {
  const row = await store.findSetting(db, weightsKey(countyId))
  const parsed = row ? parseWeights(row.value) : null
  return parsed ? { weights: parsed, updatedAt: row!.updated_at, isDefault: false } : { weights: { ...defaultWeights }, updatedAt: null, isDefault: true }
}

export async function getWeights(db: Db, actor: Actor, query: WeightsQuery): Promise<WeightsView> {
  const unit = await boardUnit(db, actor, query.unitId)
  const countyId = countyIdOf(unit)
  const loaded = await loadWeights(db, countyId)
  return { countyId, weights: loaded.weights, defaults: { ...defaultWeights }, isDefault: loaded.isDefault, updatedAt: loaded.updatedAt }
}

/** Sets the county's weights: catalog.manage on the county itself (a county administrator), audited. */
export async function setWeights(db: Db, actor: Actor, input: WeightsInput): Promise<WeightsView> {
  const weights: BoardWeights = { response: input.response, resolution: input.resolution, satisfaction: input.satisfaction, basicallySatisfied: input.basicallySatisfied }
  return db.transaction().execute(async (trx) => {
    const unit = await store.findUnit(trx, input.unitId)
    if (!unit) throw new AppError('unit_not_found', { unitId: input.unitId })
    const county = countyIdOf(unit) === unit.id ? unit : await store.findUnit(trx, countyIdOf(unit))
    if (!county) throw new AppError('unit_not_found', { unitId: countyIdOf(unit) })
    requireActionOnPath(actor, 'catalog.manage', county.path)
    const problem = weightsProblem(weights)
    if (problem) throw new AppError('invalid_weights', { problem })
    const before = await loadWeights(trx, county.id)
    const now = nowIso()
    await store.upsertSetting(trx, weightsKey(county.id), JSON.stringify(weights), now)
    await recordAudit(trx, actor, {
      action: 'board.weights', entityType: 'setting', entityId: weightsKey(county.id), unitId: county.id, unitPath: county.path,
      before: before.weights, after: weights,
    })
    return { countyId: county.id, weights, defaults: { ...defaultWeights }, isDefault: false, updatedAt: now }
  })
}

// --- what a unit's figures cover ------------------------------------------------------------------------

interface Scope {
  /** Units whose rollup rows are summed: the unit and the predecessors added. */
  unitIds: number[]
  /** Their paths (for the request rows: drill-down and reference). */
  paths: string[]
  predecessors: { unit: store.UnitRow; distance: number; shared: boolean }[]
}

/**
 * The unit alone, or with the predecessors whose history is not already in its subtree (units
 * keep their ids when they move, so only dissolved units' own rows are missing). Left out: shared
 * predecessors when ranking siblings (their history cannot be divided among the successors and
 * stays in the parent's total), predecessors that contain the unit, and those the caller may not read.
 */
async function scopeOf(db: Db, actor: Actor, unit: store.UnitRow, includePredecessors: boolean, forRanking: boolean): Promise<Scope> {
  if (!includePredecessors) return { unitIds: [unit.id], paths: [unit.path], predecessors: [] }
  const closure = await lineageClosure(db, unit.id)
  const wanted = closure.predecessors.filter((p) => !p.insideSubtree && !(forRanking && p.shared))
  const rows = new Map((await store.findUnitsByIds(db, wanted.map((p) => p.unitId))).map((r) => [r.id, r]))
  const candidates = wanted.flatMap((p) => {
    const row = rows.get(p.unitId)
    if (!row || row.path.startsWith(unit.path) || unit.path.startsWith(row.path) || !can(actor, 'board.read', row.path)) return []
    return [{ unit: row, distance: p.distance, shared: p.shared }]
  })
  // A predecessor inside another one's subtree is already counted through it.
  const outer = new Set(outermostPaths([unit.path, ...candidates.map((c) => c.unit.path)]))
  const predecessors = candidates.filter((c) => outer.has(c.unit.path))
  return { unitIds: [unit.id, ...predecessors.map((p) => p.unit.id)], paths: [unit.path, ...predecessors.map((p) => p.unit.path)], predecessors }
}

const SUM_CHUNK = 500

async function countersByUnit(db: Db, dim: Dim, ids: number[], period: Period): Promise<Map<number, Counters>> {
  const out = new Map<number, Counters>()
  const unique = [...new Set(ids)]
  for (let i = 0; i < unique.length; i += SUM_CHUNK) {
    for (const [id, c] of await store.sumRollupsByUnit(db, dim, unique.slice(i, i + SUM_CHUNK), period.from, period.to)) out.set(id, c)
  }
  return out
}

const countersOf = (byUnit: Map<number, Counters>, ids: number[]): Counters => sumCounters(ids.map((id) => byUnit.get(id) ?? zeroCounters()))

// --- the board --------------------------------------------------------------------------------------------

interface RankedEntry { unit: store.UnitRow; figures: Figures; predecessorIds: number[] }

/** Composite first (highest), then counted cases, then name; units without a composite last. Equal composites share a rank. */
function rank(entries: RankedEntry[]): BoardView['ranking']['items'] {
  const sorted = [...entries].sort((a, b) => {
    const ca = a.figures.rates.composite
    const cb = b.figures.rates.composite
    if (ca === null || cb === null) return ca === cb ? 0 : ca === null ? 1 : -1
    return cb - ca || b.figures.counts.counted - a.figures.counts.counted || a.unit.name.localeCompare(b.unit.name, 'zh')
  })
  let previous: number | null = null
  let previousRank = 0
  return sorted.map((e, i) => {
    const composite = e.figures.rates.composite
    let r: number | null = null
    if (composite !== null) {
      r = previous !== null && composite === previous ? previousRank : i + 1
      previous = composite
      previousRank = r
    }
    return { rank: r, unit: unitRef(e.unit), figures: e.figures, predecessorIds: e.predecessorIds }
  })
}

/**
 * A unit's figures for a period and the ranking of its children (or of every unit of a type inside
 * it). Reads: the unit, the weights, the ranked units, and the rollup sums of all of them at once.
 */
export async function getBoard(db: Db, actor: Actor, query: BoardQuery, clock: BoardClock = {}): Promise<BoardView> {
  const unit = await boardUnit(db, actor, query.unitId)
  const period = resolvePeriod(query, todayOf(clock))
  const dim: Dim = query.dim ?? 'area'
  const include = query.includePredecessors === true
  const [{ weights }, scope, members] = await Promise.all([
    loadWeights(db, countyIdOf(unit)),
    scopeOf(db, actor, unit, include, false),
    query.rankType ? store.activeUnitsOfTypeIn(db, unit.path, query.rankType) : store.activeChildren(db, unit.id),
  ])
  const memberScopes: { unit: store.UnitRow; scope: Scope }[] = []
  for (const m of members) memberScopes.push({ unit: m, scope: await scopeOf(db, actor, m, include, true) })
  const byUnit = await countersByUnit(db, dim, [...scope.unitIds, ...memberScopes.flatMap((m) => m.scope.unitIds)], period)
  return {
    unit: unitRef(unit), dim, period, weights,
    figures: figuresOf(countersOf(byUnit, scope.unitIds), weights),
    predecessors: scope.predecessors.map((p) => ({ unit: unitRef(p.unit), distance: p.distance, shared: p.shared })),
    ranking: {
      of: query.rankType ?? 'children',
      items: rank(memberScopes.map((m) => ({
        unit: m.unit, figures: figuresOf(countersOf(byUnit, m.scope.unitIds), weights), predecessorIds: m.scope.predecessors.map((p) => p.unit.id),
      }))),
    },
  }
}

/** The same figures of the unit by one plain query over the request rows (tests and the bench compare). */
export async function getReferenceFigures(db: Db, actor: Actor, query: BoardQuery, clock: BoardClock = {}): Promise<{ counters: Counters; figures: Figures }> {
  const unit = await boardUnit(db, actor, query.unitId)
  const period = resolvePeriod(query, todayOf(clock))
  const scope = await scopeOf(db, actor, unit, query.includePredecessors === true, false)
  const { weights } = await loadWeights(db, countyIdOf(unit))
  const counters = await store.referenceCounters(db, query.dim ?? 'area', scope.paths, period.from, period.to)
  return { counters, figures: figuresOf(counters, weights) }
}

/** The unit's counters from the rollups (what getBoard shows), for comparisons. */
export async function getBoardCounters(db: Db, actor: Actor, query: BoardQuery, clock: BoardClock = {}): Promise<Counters> {
  const unit = await boardUnit(db, actor, query.unitId)
  const period = resolvePeriod(query, todayOf(clock))
  const scope = await scopeOf(db, actor, unit, query.includePredecessors === true, false)
  return countersOf(await countersByUnit(db, query.dim ?? 'area', scope.unitIds, period), scope.unitIds)
}

// --- trend ------------------------------------------------------------------------------------------------

export async function getTrend(db: Db, actor: Actor, query: TrendQuery, clock: BoardClock = {}): Promise<TrendView> {
  const unit = await boardUnit(db, actor, query.unitId)
  const period = resolvePeriod(query, todayOf(clock))
  const granularity = query.granularity ?? defaultGranularity(period)
  const buckets = bucketsOf(period, granularity)
  const dim: Dim = query.dim ?? 'area'
  const [{ weights }, scope] = await Promise.all([loadWeights(db, countyIdOf(unit)), scopeOf(db, actor, unit, query.includePredecessors === true, false)])
  const byDay = await store.sumRollupsByDay(db, dim, scope.unitIds, period.from, period.to)
  const byBucket = new Map(buckets.map((b) => [b.key, zeroCounters()]))
  for (const [day, c] of byDay) {
    const acc = byBucket.get(bucketOf(day, granularity))
    if (acc) for (const [k, v] of Object.entries(c)) acc[k as keyof Counters] += v
  }
  return {
    unit: unitRef(unit), dim, period, granularity, weights,
    points: buckets.map((b) => ({ key: b.key, from: b.from, to: b.to, figures: figuresOf(byBucket.get(b.key)!, weights) })),
  }
}

// --- drill-down ---------------------------------------------------------------------------------------------

/** The cases behind a number: same scope, period and definitions, as a page of the requests list. */
export async function drillDown(db: Db, actor: Actor, query: DrillQuery, clock: BoardClock = {}): Promise<DrillPage> {
  const unit = await boardUnit(db, actor, query.unitId)
  // The list shows cases, so it also needs the right to read requests there.
  requireActionOnPath(actor, 'requests.read', unit.path)
  const period = resolvePeriod(query, todayOf(clock))
  const part = query.part ?? 'numerator'
  const parts = drillParts[query.metric]
  const counters = part === 'numerator' ? parts.numerator : [parts.denominator]
  const scope = await scopeOf(db, actor, unit, query.includePredecessors === true, false)
  const { rows, total } = await store.drillPage(db, { dim: query.dim ?? 'area', paths: scope.paths, from: period.from, to: period.to, counters }, pageOf(query))
  return { metric: query.metric, part, counters, period, items: rows.map(toSummary), total }
}

// --- export -------------------------------------------------------------------------------------------------

/** The board and its ranking as .xlsx (no personal information in it). */
export async function exportBoard(db: Db, actor: Actor, query: BoardQuery, clock: BoardClock = {}): Promise<{ file: Buffer; fileName: string }> {
  const board = await getBoard(db, actor, query, clock)
  return { file: await boardWorkbook(board), fileName: exportFileName(board) }
}

// --- definitions -------------------------------------------------------------------------------------------

export const getDefinitions = () => ({ definitions: definitionTexts, defaultWeights: { ...defaultWeights } })
