import { pathIds } from '../../lib/unit-path.js'
import type { Db } from '../../db/connect.js'
import { isResolvedStatus } from './lifecycle.js'
import * as store from './store.js'

/**
 * Board rollups. Each request contributes a set of counters to one row per (dimension, unit, day)
 * for every ancestor of its unit (itself included): dimension `area` follows the location,
 * `handler` the unit that holds it; the day is the submission day in Asia/Shanghai. Every write to
 * a request adds contribution(after) − contribution(before) in the same transaction, so the rollup
 * always equals what `rebuildRollups` would compute from the requests.
 */

export const counterNames = [
  'submitted', 'counted', 'responded', 'responded_on_time', 'resolved', 'resolved_on_time', 'solved', 'rated',
  'satisfied', 'basically_satisfied', 'dissatisfied', 'overdue', 'open', 'reopened', 'handling_minutes', 'working_minutes',
] as const
export type CounterName = (typeof counterNames)[number]
export type Counters = Record<CounterName, number>

/** The request columns the contribution reads. */
export interface RollupSource {
  county_id: number
  location_path: string
  handler_path: string | null
  submitted_day: string
  status: string
  is_open: number
  excluded: number
  accepted_at: string | null
  response_due_at: string | null
  resolved_at: string | null
  resolution_due_at: string | null
  resolution_overdue: number
  reopen_count: number
  rating_solved: number | null
  rating_satisfaction: string | null
  handling_minutes: number | null
  working_minutes: number | null
}

export const zeroCounters = (): Counters => Object.fromEntries(counterNames.map((n) => [n, 0])) as Counters

const notAfter = (a: string | null, b: string | null): boolean => a !== null && b !== null && Date.parse(a) <= Date.parse(b)

/**
 * What one request adds to each of its rollup rows. Every case counts as submitted; only cases
 * that are neither excluded by an appeal nor merged into another count for anything else.
 */
export function contribution(r: RollupSource): Counters {
  const c = zeroCounters()
  c.submitted = 1
  if (r.excluded === 1 || r.status === 'merged') return c
  c.counted = 1
  if (r.accepted_at !== null) {
    c.responded = 1
    if (notAfter(r.accepted_at, r.response_due_at)) c.responded_on_time = 1
  }
  const resolved = isResolvedStatus(r.status)
  if (resolved) {
    c.resolved = 1
    if (notAfter(r.resolved_at, r.resolution_due_at)) c.resolved_on_time = 1
    c.handling_minutes = r.handling_minutes ?? 0
    c.working_minutes = r.working_minutes ?? 0
  }
  if (r.rating_satisfaction !== null) {
    c.rated = 1
    if (r.rating_solved === 1) c.solved = 1
    if (r.rating_satisfaction === 'satisfied') c.satisfied = 1
    else if (r.rating_satisfaction === 'basically_satisfied') c.basically_satisfied = 1
    else if (r.rating_satisfaction === 'dissatisfied') c.dissatisfied = 1
  }
  if (r.resolution_overdue === 1) c.overdue = 1
  if (r.is_open === 1) c.open = 1
  if (r.reopen_count > 0) c.reopened = 1
  return c
}


export interface RollupDelta {
  dim: 'area' | 'handler'
  unitId: number
  day: string
  countyId: number
  counters: Counters
}

const keyOf = (dim: string, unitId: number, day: string) => `${dim}|${unitId}|${day}`

function addInto(map: Map<string, RollupDelta>, source: RollupSource, sign: 1 | -1): void {
  const counters = contribution(source)
  const dims: ['area' | 'handler', string | null][] = [['area', source.location_path], ['handler', source.handler_path]]
  for (const [dim, path] of dims) {
    for (const unitId of pathIds(path)) {
      const key = keyOf(dim, unitId, source.submitted_day)
      let entry = map.get(key)
      if (!entry) {
        entry = { dim, unitId, day: source.submitted_day, countyId: source.county_id, counters: zeroCounters() }
        map.set(key, entry)
      }
      for (const n of counterNames) entry.counters[n] += sign * counters[n]
    }
  }
}

/** contribution(after) − contribution(before) for every row either touches; rows with no change are left out. */
export function rollupDeltas(before: RollupSource | null, after: RollupSource | null): RollupDelta[] {
  const map = new Map<string, RollupDelta>()
  if (before) addInto(map, before, -1)
  if (after) addInto(map, after, 1)
  return [...map.values()].filter((d) => counterNames.some((n) => d.counters[n] !== 0))
}

/** Adds the change of one request to the rollups; call inside the transaction that writes the request. */
export async function applyRollup(trx: Db, before: RollupSource | null, after: RollupSource | null): Promise<void> {
  const deltas = rollupDeltas(before, after)
  if (deltas.length > 0) await store.addRollupDeltas(trx, deltas)
}

/**
 * Recomputes a county's rollups (days and months) from its requests (after a restructuring, or to check them).
 * Requests are read day by day in id order, so memory holds one day's rows at a time; the whole
 * rebuild is one transaction, so readers never see a half-built board.
 */
export async function rebuildRollups(db: Db, options: { countyId: number; batchSize?: number }): Promise<{ requests: number; rows: number }> {
  const batchSize = options.batchSize ?? 5000
  return db.transaction().execute(async (trx) => {
    await store.deleteRollups(trx, options.countyId)
    let requests = 0
    let rows = 0
    let cursor: { day: string; id: number } | null = null
    let currentDay: string | null = null
    let acc = new Map<string, RollupDelta>()
    // Month rows (request_rollup_month) are the day rows summed by month: gathered here, written at the end.
    const monthly = new Map<string, RollupDelta>()
    const flush = async () => {
      const list = [...acc.values()]
      if (list.length > 0) await store.insertRollupRows(trx, list)
      for (const d of list) {
        const key = keyOf(d.dim, d.unitId, d.day.slice(0, 7))
        const m = monthly.get(key)
        if (m) for (const n of counterNames) m.counters[n] += d.counters[n]
        else monthly.set(key, { ...d, day: `${d.day.slice(0, 7)}-01`, counters: { ...d.counters } })
      }
      rows += list.length
      acc = new Map()
    }
    for (;;) {
      const batch = await store.requestsForRollup(trx, options.countyId, cursor, batchSize)
      for (const r of batch) {
        if (currentDay !== null && r.submitted_day !== currentDay) await flush()
        currentDay = r.submitted_day
        addInto(acc, r, 1)
        requests++
      }
      if (batch.length < batchSize) break
      const last = batch[batch.length - 1]!
      cursor = { day: last.submitted_day, id: last.id }
    }
    await flush()
    await store.insertRollupMonthRows(trx, [...monthly.values()])
    return { requests, rows }
  })
}

/**
 * A unit subtree moved in a restructuring (units keep their ids): the requests' copied paths follow
 * it, and the moved unit's rollup rows — exactly the history of its subtree — leave the ancestors
 * it no longer has and join the new ones, in both dimensions. Called by the units module inside the
 * restructuring transaction, once per moved unit, so the board of the new parent includes the
 * history and the rollups still equal `rebuildRollups`.
 *
 * One probe first says which copied paths lie under the unit: a unit without requests (most
 * compounds and buildings of a re-division) costs that one statement. Otherwise only the columns
 * found are rewritten, and a dimension's rollup rows exist exactly when requests lie under the unit
 * by that column (area: location, handler: holding unit), so only those move: one insert per table
 * for all the ancestors left and joined, one delete per table for the emptied rows.
 */
export async function followSubtreeMove(trx: Db, move: { unitId: number; oldPath: string; newPath: string }): Promise<void> {
  if (move.oldPath === move.newPath) return
  const under = await store.requestPathsUnder(trx, move.oldPath)
  const columns = (Object.keys(under) as store.PathColumn[]).filter((c) => under[c])
  if (columns.length === 0) return
  await store.rebaseRequestPaths(trx, move.oldPath, move.newPath, columns)
  const dims = [...(under.location_path ? ['area' as const] : []), ...(under.handler_path ? ['handler' as const] : [])]
  if (dims.length === 0) return
  const before = pathIds(move.oldPath).filter((id) => id !== move.unitId)
  const after = pathIds(move.newPath).filter((id) => id !== move.unitId)
  const left = before.filter((id) => !after.includes(id))
  const joined = after.filter((id) => !before.includes(id))
  await store.shiftRollupRows(trx, dims, move.unitId, [...left.map((unitId) => ({ unitId, sign: -1 as const })), ...joined.map((unitId) => ({ unitId, sign: 1 as const }))])
  await store.deleteEmptyRollups(trx, dims, left)
}
