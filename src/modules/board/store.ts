import { sql, type RawBuilder, type SqlBool } from 'kysely'
import type { Db } from '../../db/connect.js'
import { inSubtrees, subtreeUpperBound } from '../../db/subtree.js'
import { counterNames, zeroCounters, type CaseCounter, type CounterName, type Counters } from './definitions.js'
import type { Dim } from './schema.js'
import { splitByMonths } from './periods.js'

/*
 * The board reads what the requests module keeps: request_rollup_month and request_rollup (one row
 * per dimension, unit and month or day, summed here by unit id — primary-key ranges) and, for the reference
 * figures and the drill-down, the request rows themselves with the same definitions.
 */

// --- units --------------------------------------------------------------------------------------

const unitColumns = ['id', 'parent_id', 'county_id', 'type', 'name', 'code', 'path', 'depth', 'status'] as const
export type UnitRow = NonNullable<Awaited<ReturnType<typeof findUnit>>>

export const findUnit = (db: Db, id: number) => db.selectFrom('unit').select(unitColumns).where('id', '=', id).executeTakeFirst()

export const findUnitsByIds = (db: Db, ids: number[]) =>
  ids.length === 0 ? Promise.resolve([] as UnitRow[]) : db.selectFrom('unit').select(unitColumns).where('id', 'in', [...new Set(ids)]).execute()

export const activeChildren = (db: Db, parentId: number) =>
  db.selectFrom('unit').select(unitColumns).where('parent_id', '=', parentId).where('status', '=', 'active').orderBy('sort_order').orderBy('id').execute()

/** Active units of one type strictly inside a subtree (path range, so the index is used). */
export const activeUnitsOfTypeIn = (db: Db, path: string, type: string) =>
  db.selectFrom('unit').select(unitColumns)
    .where('path', '>', path).where('path', '<', subtreeUpperBound(path))
    .where('type', '=', type).where('status', '=', 'active')
    .orderBy('path').execute()

// --- rollups --------------------------------------------------------------------------------------

const toCounters = (row: Record<string, unknown>): Counters => {
  const c = zeroCounters()
  for (const n of counterNames) c[n] = Number(row[n] ?? 0)
  return c
}

/**
 * Counters per unit over a period: whole months from request_rollup_month, the days at the edges
 * from request_rollup — one statement, each branch a primary-key range per unit.
 */
export async function sumRollupsByUnit(db: Db, dim: Dim, unitIds: number[], from: string, to: string): Promise<Map<number, Counters>> {
  const ids = [...new Set(unitIds)]
  if (ids.length === 0) return new Map()
  const split = splitByMonths({ from, to })
  const branches = [
    ...(split.months ? [db.selectFrom('request_rollup_month').select(['unit_id', ...counterNames])
      .where('dim', '=', dim).where('unit_id', 'in', ids).where('month', '>=', split.months[0]).where('month', '<=', split.months[1])] : []),
    ...split.days.map(([a, b]) => db.selectFrom('request_rollup').select(['unit_id', ...counterNames])
      .where('dim', '=', dim).where('unit_id', 'in', ids).where('day', '>=', a).where('day', '<=', b)),
  ]
  const union = branches.slice(1).reduce((acc, q) => acc.unionAll(q), branches[0]!)
  const rows = await db.selectFrom(union.as('x'))
    .select((eb) => [eb.ref('x.unit_id').as('unit_id'), ...counterNames.map((n) => eb.fn.sum<number>(`x.${n}`).as(n))])
    .groupBy('x.unit_id')
    .execute()
  return new Map(rows.map((r) => [r.unit_id, toCounters(r)]))
}

/** Counters per day over a day range, summed over the units (the trend). */
export async function sumRollupsByDay(db: Db, dim: Dim, unitIds: number[], from: string, to: string): Promise<Map<string, Counters>> {
  const ids = [...new Set(unitIds)]
  if (ids.length === 0) return new Map()
  const rows = await db.selectFrom('request_rollup')
    .select((eb) => [eb.ref('day').as('day'), ...counterNames.map((n) => eb.fn.sum<number>(n).as(n))])
    .where('dim', '=', dim).where('unit_id', 'in', ids).where('day', '>=', from).where('day', '<=', to)
    .groupBy('day')
    .execute()
  return new Map(rows.map((r) => [r.day, toCounters(r)]))
}

// --- the definitions as SQL over the request rows ---------------------------------------------------

/*
 * One condition per counter, mirroring requests/rollup.ts `contribution` line by line. Timestamps
 * compare as ISO strings on SQLite (all written by toISOString) and as timestamptz on PostgreSQL.
 */
const col = (name: string) => sql.ref(`r.${name}`)
const countedCond = sql<SqlBool>`(${col('excluded')} = 0 and ${col('status')} <> 'merged')`
const resolvedCond = sql<SqlBool>`(${countedCond} and ${col('status')} in ('resolved', 'rated', 'closed'))`
const ratedCond = sql<SqlBool>`(${countedCond} and ${col('rating_satisfaction')} is not null)`

export const counterCondition: Record<CaseCounter, RawBuilder<SqlBool>> = {
  submitted: sql<SqlBool>`1 = 1`,
  counted: countedCond,
  responded: sql<SqlBool>`(${countedCond} and ${col('accepted_at')} is not null)`,
  responded_on_time: sql<SqlBool>`(${countedCond} and ${col('accepted_at')} is not null and ${col('response_due_at')} is not null and ${col('accepted_at')} <= ${col('response_due_at')})`,
  resolved: resolvedCond,
  resolved_on_time: sql<SqlBool>`(${resolvedCond} and ${col('resolved_at')} is not null and ${col('resolution_due_at')} is not null and ${col('resolved_at')} <= ${col('resolution_due_at')})`,
  rated: ratedCond,
  solved: sql<SqlBool>`(${ratedCond} and ${col('rating_solved')} = 1)`,
  satisfied: sql<SqlBool>`(${countedCond} and ${col('rating_satisfaction')} = 'satisfied')`,
  basically_satisfied: sql<SqlBool>`(${countedCond} and ${col('rating_satisfaction')} = 'basically_satisfied')`,
  dissatisfied: sql<SqlBool>`(${countedCond} and ${col('rating_satisfaction')} = 'dissatisfied')`,
  overdue: sql<SqlBool>`(${countedCond} and ${col('resolution_overdue')} = 1)`,
  open: sql<SqlBool>`(${countedCond} and ${col('is_open')} = 1)`,
  reopened: sql<SqlBool>`(${countedCond} and ${col('reopen_count')} > 0)`,
}

const counterSum = (name: CounterName): RawBuilder<number> => {
  if (name === 'handling_minutes' || name === 'working_minutes') {
    return sql<number>`coalesce(sum(case when ${resolvedCond} then coalesce(${col(name)}, 0) else 0 end), 0)`
  }
  return sql<number>`coalesce(sum(case when ${counterCondition[name]} then 1 else 0 end), 0)`
}

const pathColumn = (dim: Dim) => (dim === 'area' ? 'r.location_path' : 'r.handler_path')

/**
 * The reference: the same counters by one straightforward query over the request rows (a scan of
 * the subtree's requests in the period). The board must give identical figures from the rollups.
 */
export async function referenceCounters(db: Db, dim: Dim, paths: string[], from: string, to: string): Promise<Counters> {
  const row = await db.selectFrom('request as r')
    .select(counterNames.map((n) => counterSum(n).as(n)))
    .where((eb) => inSubtrees(eb, pathColumn(dim), { all: false, paths }))
    .where('r.submitted_day', '>=', from).where('r.submitted_day', '<=', to)
    .executeTakeFirst()
  return row ? toCounters(row) : zeroCounters()
}

// --- the drill-down: the cases behind a number ----------------------------------------------------------

/** The columns and joins of the requests list, so the web shows drill-downs in the same table. */
const summaryColumns = [
  'r.id', 'r.county_id', 'r.source', 'r.status', 'r.priority', 'r.title', 'r.item_id', 'r.category_id', 'r.location_unit_id',
  'r.handler_unit_id', 'r.pending_unit_id', 'r.pending_kind', 'r.assignee_id', 'r.submitted_at', 'r.accepted_at', 'r.resolved_at',
  'r.response_due_at', 'r.resolution_due_at', 'r.warn_at', 'r.warned', 'r.response_overdue', 'r.resolution_overdue', 'r.paused_at',
  'r.is_open', 'r.excluded', 'r.merged_into_id', 'r.escalation_level', 'r.reopen_count', 'r.rating_satisfaction', 'r.version',
  'lu.name as location_name', 'hu.name as handler_name', 'pu.name as pending_unit_name', 'a.display_name as assignee_name',
] as const

export interface DrillFilter {
  dim: Dim
  paths: string[]
  from: string
  to: string
  /** A case is listed when any of these counters counts it. */
  counters: CaseCounter[]
}

export async function drillPage(db: Db, f: DrillFilter, page: { limit: number; offset: number }) {
  const matches = sql<SqlBool>`(${sql.join(f.counters.map((c) => counterCondition[c]), sql` or `)})`
  const base = db.selectFrom('request as r')
    .where((eb) => inSubtrees(eb, pathColumn(f.dim), { all: false, paths: f.paths }))
    .where('r.submitted_day', '>=', f.from).where('r.submitted_day', '<=', f.to)
    .where(matches)
  const [rows, count] = await Promise.all([
    base.innerJoin('unit as lu', 'lu.id', 'r.location_unit_id')
      .leftJoin('unit as hu', 'hu.id', 'r.handler_unit_id')
      .leftJoin('unit as pu', 'pu.id', 'r.pending_unit_id')
      .leftJoin('account as a', 'a.id', 'r.assignee_id')
      .select(summaryColumns)
      .orderBy('r.submitted_at', 'desc').orderBy('r.id', 'desc')
      .limit(page.limit).offset(page.offset)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ])
  return { rows, total: Number(count.n) }
}

// --- settings -------------------------------------------------------------------------------------------

export const findSetting = (db: Db, key: string) => db.selectFrom('setting').select(['value', 'updated_at']).where('key', '=', key).executeTakeFirst()

export const upsertSetting = (db: Db, key: string, value: string, now: string) =>
  db.insertInto('setting').values({ key, value, updated_at: now })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: now }))
    .execute()
