import { CompiledQuery, sql, type Expression, type ExpressionBuilder, type Insertable, type Kysely, type Selectable, type SelectQueryBuilder, type SqlBool, type Updateable } from 'kysely'
import { dialectOf, type Db } from '../../db/connect.js'
import type { Database } from '../../db/database.js'
import type {
  IntakeJournalTable, NotificationTable, OutboxTable, RequestAppealTable, RequestEventTable, RequestExtensionTable, RequestPhotoTable, RequestRatingTable,
  RequestTable, RequestUnitTable, RequestUploadTable, ResponseTemplateTable,
} from '../../db/tables/requests.js'
import { inSubtrees, subtreeUpperBound, type SubtreeFilter } from '../../db/subtree.js'
import { containsText } from '../../db/text.js'
import { counterNames, zeroCounters, type Counters, type RollupDelta } from './rollup.js'

const isPg = (db: Db) => dialectOf(db as unknown as Kysely<unknown>) === 'postgres'

// --- requests ---------------------------------------------------------------------------------

export type RequestRow = NonNullable<Awaited<ReturnType<typeof findRequestById>>>

export const findRequestById = (db: Db, id: number) => db.selectFrom('request').selectAll().where('id', '=', id).executeTakeFirst()

/** The row, locked until the transaction ends on PostgreSQL (SQLite serializes writers anyway). */
export const findRequestForUpdate = (db: Db, id: number) =>
  db.selectFrom('request').selectAll().where('id', '=', id).$if(isPg(db), (q) => q.forUpdate()).executeTakeFirst()

export const findRequestByTracking = (db: Db, code: string) =>
  db.selectFrom('request').selectAll().where('tracking_code', '=', code).executeTakeFirst()

export const insertRequest = (db: Db, row: Insertable<RequestTable>) =>
  db.insertInto('request').values(row).returningAll().executeTakeFirstOrThrow()

/** Writes a change only if nobody else did since `version` was read; returns whether it won. */
export async function updateRequestAt(db: Db, id: number, version: number, patch: Updateable<RequestTable>): Promise<boolean> {
  const result = await db.updateTable('request').set({ ...patch, version: version + 1 }).where('id', '=', id).where('version', '=', version).executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

// --- inbox and lists --------------------------------------------------------------------------

type ReqEb = ExpressionBuilder<Database & { r: RequestTable }, 'r'>

/** Cases a co-handling unit inside the scope works on. */
const coUnitIn = (eb: ReqEb, scope: SubtreeFilter): Expression<SqlBool> =>
  eb.exists(
    eb.selectFrom('request_unit as ru')
      .innerJoin('unit as cu', 'cu.id', 'ru.unit_id')
      .select('ru.unit_id')
      .whereRef('ru.request_id', '=', 'r.id')
      .where('ru.role', '=', 'co')
      .where((e2) => inSubtrees(e2, 'cu.path', scope)),
  )

export interface RequestListFilter {
  box: 'mine' | 'unit' | 'overdue' | 'all'
  accountId: number | null
  scope: SubtreeFilter
  statuses: string[] | null
  openOnly: boolean
  priority: string | null
  itemId: number | null
  unitPath: string | null
  fromDay: string | null
  toDay: string | null
  q: string | null
  /** Past the resolution warning at `now`, running, not overdue. */
  dueWarning: { now: string } | null
  /** Waiting to be signed for inside these subtrees: new cases held there, hand-offs pending to them. */
  awaitingIn: SubtreeFilter | null
  sort: 'due' | 'submitted' | '-submitted'
}

const summaryColumns = [
  'r.id', 'r.county_id', 'r.source', 'r.status', 'r.priority', 'r.title', 'r.item_id', 'r.category_id', 'r.location_unit_id',
  'r.handler_unit_id', 'r.pending_unit_id', 'r.pending_kind', 'r.assignee_id', 'r.submitted_at', 'r.accepted_at', 'r.resolved_at',
  'r.response_due_at', 'r.resolution_due_at', 'r.warn_at', 'r.warned', 'r.response_overdue', 'r.resolution_overdue', 'r.paused_at',
  'r.is_open', 'r.excluded', 'r.merged_into_id', 'r.escalation_level', 'r.reopen_count', 'r.rating_satisfaction', 'r.version',
  'lu.name as location_name', 'hu.name as handler_name', 'pu.name as pending_unit_name', 'a.display_name as assignee_name',
] as const

const withNames = (db: Db) =>
  db.selectFrom('request as r')
    .innerJoin('unit as lu', 'lu.id', 'r.location_unit_id')
    .leftJoin('unit as hu', 'hu.id', 'r.handler_unit_id')
    .leftJoin('unit as pu', 'pu.id', 'r.pending_unit_id')
    .leftJoin('account as a', 'a.id', 'r.assignee_id')

export type SummaryRow = Awaited<ReturnType<typeof findSummaries>>[number]

export const findSummaries = (db: Db, ids: number[]) =>
  ids.length === 0 ? Promise.resolve([]) : withNames(db).select(summaryColumns).where('r.id', 'in', ids).execute()

/**
 * The unit box — cases held by, waiting for, or co-handled by a unit inside the scope — as three
 * disjoint branches, each an index range of its own: held (is_open, handler_path), waiting
 * (pending_path, not held in scope), co-handled (request_unit by unit, neither held nor waiting in
 * scope). As one OR both engines walked every open case of the county for each page and each count
 * (40 ms per inbox at a million requests); by branch, the count is three index counts and the page
 * the first rows of each branch merged. (is_open in (0, 1) keeps the (is_open, handler_path) index usable.)
 */
type UnitBranch = 'held' | 'waiting' | 'co'
const unitBranches: UnitBranch[] = ['held', 'waiting', 'co']

function unitBranchWhere(eb: ReqEb, branch: UnitBranch, scope: SubtreeFilter, openOnly: boolean): Expression<SqlBool> {
  const held = inSubtrees(eb, 'r.handler_path', scope)
  const waiting = inSubtrees(eb, 'r.pending_path', scope)
  const outside = (column: 'r.handler_path' | 'r.pending_path', inside: Expression<SqlBool>) => eb.or([eb(column, 'is', null), eb.not(inside)])
  if (branch === 'held') return eb.and([eb('r.is_open', 'in', openOnly ? [1] : [0, 1]), held])
  if (branch === 'waiting') return eb.and([waiting, outside('r.handler_path', held)])
  const coIds = eb.selectFrom('request_unit as ru').innerJoin('unit as cu', 'cu.id', 'ru.unit_id').select('ru.request_id')
    .where('ru.role', '=', 'co').where((e) => inSubtrees(e, 'cu.path', scope))
  return eb.and([eb('r.id', 'in', coIds), outside('r.handler_path', held), outside('r.pending_path', waiting)])
}

function listWhere(f: RequestListFilter, branch: UnitBranch | null = null) {
  return (eb: ReqEb): Expression<SqlBool> => {
    const parts: Expression<SqlBool>[] = []
    const me = f.accountId ?? -1
    if (f.box === 'mine') {
      parts.push(eb('r.assignee_id', '=', me))
    } else if (!f.scope.all) {
      if (f.box === 'unit') {
        parts.push(branch ? unitBranchWhere(eb, branch, f.scope, f.openOnly) : eb.or([inSubtrees(eb, 'r.handler_path', f.scope), inSubtrees(eb, 'r.pending_path', f.scope), coUnitIn(eb, f.scope)]))
      } else if (f.box === 'overdue') {
        parts.push(eb.or([inSubtrees(eb, 'r.handler_path', f.scope), inSubtrees(eb, 'r.location_path', f.scope)]))
      } else {
        parts.push(eb.or([
          inSubtrees(eb, 'r.location_path', f.scope), inSubtrees(eb, 'r.handler_path', f.scope), inSubtrees(eb, 'r.pending_path', f.scope),
          eb('r.assignee_id', '=', me), coUnitIn(eb, f.scope),
        ]))
      }
    }
    if (f.box === 'overdue') parts.push(eb.or([eb('r.resolution_overdue', '=', 1), eb('r.response_overdue', '=', 1)]))
    if (f.openOnly) parts.push(eb('r.is_open', '=', 1))
    if (f.statuses) parts.push(eb('r.status', 'in', f.statuses))
    if (f.priority) parts.push(eb('r.priority', '=', f.priority))
    if (f.itemId !== null) parts.push(eb('r.item_id', '=', f.itemId))
    if (f.unitPath) {
      const only: SubtreeFilter = { all: false, paths: [f.unitPath] }
      parts.push(eb.or([inSubtrees(eb, 'r.location_path', only), inSubtrees(eb, 'r.handler_path', only)]))
    }
    if (f.fromDay) parts.push(eb('r.submitted_day', '>=', f.fromDay))
    if (f.toDay) parts.push(eb('r.submitted_day', '<=', f.toDay))
    if (f.q) parts.push(containsText('r.title', f.q))
    if (f.dueWarning) {
      const now = f.dueWarning.now
      parts.push(eb.and([
        eb('r.is_open', '=', 1), eb('r.paused_at', 'is', null), eb('r.resolution_overdue', '=', 0), eb('r.response_overdue', '=', 0),
        eb('r.resolution_due_at', '>', now), eb.or([eb('r.warned', '=', 1), eb('r.warn_at', '<=', now)]),
      ]))
    }
    if (f.awaitingIn) {
      parts.push(eb.or([
        eb.and([eb('r.status', '=', 'submitted'), eb('r.pending_unit_id', 'is', null), inSubtrees(eb, 'r.handler_path', f.awaitingIn)]),
        eb.and([eb('r.pending_unit_id', 'is not', null), inSubtrees(eb, 'r.pending_path', f.awaitingIn)]),
      ]))
    }
    return parts.length === 0 ? sql<SqlBool>`1 = 1` : eb.and(parts)
  }
}

const listOrder = (sort: RequestListFilter['sort']): ['resolution_due_at' | 'submitted_at' | 'id', 'asc' | 'desc'][] =>
  sort === 'due' ? [['resolution_due_at', 'asc'], ['id', 'asc']]
    : sort === 'submitted' ? [['submitted_at', 'asc'], ['id', 'asc']]
      : [['submitted_at', 'desc'], ['id', 'desc']]

/** The ids of one page, in order: chosen on narrow rows, so names are joined to the page's rows only. */
function pageIds(db: Db, f: RequestListFilter, page: { limit: number; offset: number }) {
  const order = listOrder(f.sort)
  const sorted = <Q extends SelectQueryBuilder<Database & { r: RequestTable }, 'r', { id: number }>>(q: Q, alias: string): Q => {
    let out = q
    for (const [column, direction] of order) out = out.orderBy(sql.ref(`${alias}.${column}`), direction) as Q
    return out
  }
  const byBranch = f.box === 'unit' && !f.scope.all
  if (!byBranch) {
    const where = listWhere(f)
    return sorted(db.selectFrom('request as r').select('r.id').where((eb) => where(eb as unknown as ReqEb)), 'r').limit(page.limit).offset(page.offset)
  }
  // Unit box: the first offset + limit rows of each branch, merged and cut to the page.
  // Only the sort key travels (for the due order the held branch is read from its index alone).
  const key = f.sort === 'due' ? 'resolution_due_at' : 'submitted_at'
  const firsts = unitBranches.map((branch) => {
    const where = listWhere(f, branch)
    const q = sorted(db.selectFrom('request as r').select(['r.id', `r.${key}`]).where((eb) => where(eb as unknown as ReqEb)), 'r')
      .limit(page.offset + page.limit)
    return db.selectFrom(q.as(`b_${branch}`)).select([`b_${branch}.id as id`, sql.ref(`b_${branch}.${key}`).as(key)])
  })
  const merged = firsts[0]!.unionAll(firsts[1]!).unionAll(firsts[2]!)
  let ids = db.selectFrom(merged.as('m')).select('m.id')
  for (const [column, direction] of order) ids = ids.orderBy(sql.ref(`m.${column}`), direction)
  return ids.limit(page.limit).offset(page.offset)
}

/** One page of cases and the total: two queries (the page with names joined, and the count — for the unit box the sum of its branches' counts in one statement). */
export async function listRequests(db: Db, f: RequestListFilter, page: { limit: number; offset: number }) {
  let q = withNames(db).select(summaryColumns).where('r.id', 'in', pageIds(db, f, page))
  for (const [column, direction] of listOrder(f.sort)) q = q.orderBy(sql.ref(`r.${column}`), direction)
  const countOf = (branch: UnitBranch | null) => {
    const where = listWhere(f, branch)
    return db.selectFrom('request as r').select((eb) => eb.fn.countAll<number>().as('n')).where((eb) => where(eb as unknown as ReqEb))
  }
  const count = f.box === 'unit' && !f.scope.all
    ? db.selectNoFrom(sql<number>`${sql.join(unitBranches.map((b) => sql`(${countOf(b)})`), sql` + `)}`.as('n'))
    : countOf(null)
  const [rows, counted] = await Promise.all([q.execute(), count.executeTakeFirstOrThrow()])
  return { rows, total: Number(counted.n) }
}

// --- timeline, co-units, photos, ratings --------------------------------------------------------

export const insertEvents = (db: Db, rows: Insertable<RequestEventTable>[]) =>
  rows.length === 0 ? Promise.resolve() : db.insertInto('request_event').values(rows).execute().then(() => undefined)

export const listEvents = (db: Db, requestId: number, publicOnly: boolean) =>
  db.selectFrom('request_event as e')
    .leftJoin('unit as u', 'u.id', 'e.unit_id')
    .select(['e.id', 'e.kind', 'e.at', 'e.actor_id', 'e.actor_name', 'e.unit_id', 'e.from_status', 'e.to_status', 'e.visibility', 'e.note', 'e.data_json', 'u.name as unit_name'])
    .where('e.request_id', '=', requestId)
    .$if(publicOnly, (q) => q.where('e.visibility', '=', 'public'))
    .orderBy('e.id')
    .execute()

export const insertRequestUnits = (db: Db, rows: Insertable<RequestUnitTable>[]) =>
  rows.length === 0 ? Promise.resolve() : db.insertInto('request_unit').values(rows).onConflict((oc) => oc.columns(['request_id', 'unit_id']).doNothing()).execute().then(() => undefined)

export const listRequestUnits = (db: Db, requestId: number) =>
  db.selectFrom('request_unit as ru')
    .innerJoin('unit as u', 'u.id', 'ru.unit_id')
    .select(['ru.unit_id', 'ru.role', 'ru.status', 'ru.created_at', 'u.name as unit_name', 'u.path as unit_path'])
    .where('ru.request_id', '=', requestId)
    .orderBy('ru.created_at').orderBy('ru.unit_id')
    .execute()

export const setRequestUnit = (db: Db, requestId: number, unitId: number, patch: Updateable<RequestUnitTable>) =>
  db.updateTable('request_unit').set(patch).where('request_id', '=', requestId).where('unit_id', '=', unitId).execute()

export const deleteRequestUnit = (db: Db, requestId: number, unitId: number) =>
  db.deleteFrom('request_unit').where('request_id', '=', requestId).where('unit_id', '=', unitId).execute()

export const insertPhotos = (db: Db, rows: Insertable<RequestPhotoTable>[]) =>
  rows.length === 0 ? Promise.resolve() : db.insertInto('request_photo').values(rows).execute().then(() => undefined)

export const listPhotos = (db: Db, requestId: number) =>
  db.selectFrom('request_photo').selectAll().where('request_id', '=', requestId).orderBy('id').execute()

export const findPhoto = (db: Db, requestId: number, photoId: number) =>
  db.selectFrom('request_photo').selectAll().where('request_id', '=', requestId).where('id', '=', photoId).executeTakeFirst()

export const insertRating = (db: Db, row: Insertable<RequestRatingTable>) => db.insertInto('request_rating').values(row).returning('id').executeTakeFirstOrThrow()

export const listRatings = (db: Db, requestId: number) =>
  db.selectFrom('request_rating as rr')
    .leftJoin('account as a', 'a.id', 'rr.actor_id')
    .select(['rr.id', 'rr.at', 'rr.source', 'rr.contacted', 'rr.solved', 'rr.satisfaction', 'rr.comment', 'rr.actor_id', 'a.display_name as actor_name'])
    .where('rr.request_id', '=', requestId)
    .orderBy('rr.id')
    .execute()

export const countResidentRatings = async (db: Db, requestId: number): Promise<number> =>
  Number((await db.selectFrom('request_rating').select((eb) => eb.fn.countAll<number>().as('n')).where('request_id', '=', requestId).where('source', '=', 'resident').executeTakeFirstOrThrow()).n)

// --- uploads ----------------------------------------------------------------------------------

export const insertUpload = (db: Db, row: Insertable<RequestUploadTable>) => db.insertInto('request_upload').values(row).returning('id').executeTakeFirstOrThrow()

/** How many of these uploads are unclaimed and unexpired (a submit checks before it is acknowledged). */
export const countClaimableUploads = (db: Db, tokenHashes: string[], now: string) =>
  db.selectFrom('request_upload').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('token_hash', 'in', tokenHashes).where('request_id', 'is', null).where('expires_at', '>', now)
    .executeTakeFirstOrThrow().then((r) => Number(r.n))

/** Claims unclaimed, unexpired uploads for a request; returns the ones it got (a concurrent claim of the same token gets nothing). */
export const claimUploads = (db: Db, tokenHashes: string[], requestId: number, now: string) =>
  db.updateTable('request_upload').set({ request_id: requestId })
    .where('token_hash', 'in', tokenHashes).where('request_id', 'is', null).where('expires_at', '>', now)
    .returning(['id', 'token_hash', 'stored_name', 'mime', 'bytes'])
    .execute()

export const findExpiredUploads = (db: Db, now: string, limit: number) =>
  db.selectFrom('request_upload').select(['id', 'stored_name']).where('request_id', 'is', null).where('expires_at', '<=', now).orderBy('id').limit(limit).execute()

export const deleteUploads = (db: Db, ids: number[]) =>
  ids.length === 0 ? Promise.resolve() : db.deleteFrom('request_upload').where('id', 'in', ids).where('request_id', 'is', null).execute().then(() => undefined)

// --- idempotency ------------------------------------------------------------------------------

export const findIdempotencyKey = (db: Db, key: string) => db.selectFrom('idempotency_key').selectAll().where('key', '=', key).executeTakeFirst()

/** True when this call recorded the key; false when another submit already holds it (waits for it to commit on PostgreSQL). */
export async function insertIdempotencyKey(db: Db, row: { key: string; request_id: number; created_at: string; fingerprint: string }): Promise<boolean> {
  const inserted = await db.insertInto('idempotency_key').values(row).onConflict((oc) => oc.column('key').doNothing()).returning('key').executeTakeFirst()
  return inserted !== undefined
}

export const deleteIdempotencyKeysBefore = (db: Db, before: string) => db.deleteFrom('idempotency_key').where('created_at', '<', before).execute()

// --- the intake journal (acknowledged QR submits, routed afterwards) ------------------------------

export type JournalRow = Selectable<IntakeJournalTable>

const journalColumns = ['tracking_code', 'idempotency_key', 'fingerprint', 'location_unit_id', 'command_json', 'result_json', 'submitted_at', 'state'] as const
export type JournalDraft = { [C in (typeof journalColumns)[number]]: Insertable<IntakeJournalTable>[C] }
const journalTexts = new Map<string, string>()

/**
 * Appends submits in one statement (its text kept per dialect and row count: a surge appends every
 * few milliseconds, and building it through the query builder cost more than writing it). A row whose
 * idempotency key is already journaled (earlier, or earlier in the same batch) is not inserted: the
 * tracking codes that come back, with their ids, are the ones written.
 *
 * On SQLite without RETURNING (it cost a few µs a row): one statement under the write lock numbers
 * its rows consecutively in the order of VALUES (each rowid the largest + 1, no triggers), so when every
 * row went in, the ids end at the last insert id; when some did not, the written ones are read back.
 */
export async function appendJournal(db: Db, rows: JournalDraft[]): Promise<Map<string, number>> {
  if (rows.length === 0) return new Map()
  const dialect = dialectOf(db as unknown as Kysely<unknown>)
  const cacheKey = `${dialect}|${rows.length}`
  let text = journalTexts.get(cacheKey)
  if (!text) {
    let n = 0
    const tuple = () => `(${journalColumns.map(() => (dialect === 'postgres' ? `$${++n}` : '?')).join(', ')})`
    text = `insert into "intake_journal" (${journalColumns.map((c) => `"${c}"`).join(', ')}) values ${Array.from({ length: rows.length }, tuple).join(', ')}`
      + ' on conflict ("idempotency_key") do nothing' + (dialect === 'postgres' ? ' returning "id", "tracking_code"' : '')
    journalTexts.set(cacheKey, text)
  }
  const params: unknown[] = []
  for (const r of rows) for (const c of journalColumns) params.push(r[c])
  const written = await db.executeQuery<{ id: number; tracking_code: string }>(CompiledQuery.raw(text, params))
  if (dialect === 'postgres') return new Map(written.rows.map((r) => [r.tracking_code, Number(r.id)]))
  if (Number(written.numAffectedRows) === rows.length && written.insertId !== undefined) {
    const first = Number(written.insertId) - rows.length + 1
    return new Map(rows.map((r, i) => [r.tracking_code, first + i]))
  }
  const found = await db.selectFrom('intake_journal').select(['id', 'tracking_code']).where('tracking_code', 'in', rows.map((r) => r.tracking_code)).execute()
  return new Map(found.map((r) => [r.tracking_code, r.id]))
}

export const findJournalByKeys = (db: Db, keys: string[]) =>
  keys.length === 0 ? Promise.resolve([]) : db.selectFrom('intake_journal').selectAll().where('idempotency_key', 'in', keys).execute()

export const findJournalByTracking = (db: Db, code: string) =>
  db.selectFrom('intake_journal').selectAll().where('tracking_code', '=', code).executeTakeFirst()

export const findJournalById = (db: Db, id: number) => db.selectFrom('intake_journal').selectAll().where('id', '=', id).executeTakeFirst()

/**
 * Pending submits, oldest first (after `afterId`), for the drain. The state is written as a literal, so
 * a planner sees the index of pending rows applies without looking at parameters (PostgreSQL's generic plans do not).
 */
export const pendingJournalQuery = (db: Db, options: { afterId: number; submittedBefore?: string; limit: number }) => {
  let query = db.selectFrom('intake_journal').select(['id', 'submitted_at']).where('state', '=', sql.lit('pending')).where('id', '>', options.afterId)
  if (options.submittedBefore) query = query.where('submitted_at', '<', options.submittedBefore)
  return query.orderBy('id').limit(options.limit)
}

export const listPendingJournal = (db: Db, options: { afterId: number; submittedBefore?: string; limit: number }) => pendingJournalQuery(db, options).execute()

export const markJournalRouted = (db: Db, id: number, requestId: number) =>
  db.updateTable('intake_journal').set({ state: 'routed', request_id: requestId, error: null }).where('id', '=', id).where('state', '=', 'pending').executeTakeFirst()
    .then((r) => Number(r.numUpdatedRows) === 1)

export const markJournalAttempt = (db: Db, id: number, patch: { state: 'pending' | 'failed'; error: string }) =>
  db.updateTable('intake_journal').set((eb) => ({ ...patch, attempts: eb('attempts', '+', 1) })).where('id', '=', id).where('state', '=', 'pending').execute()

/**
 * Routed submits older than the replay window (their requests keep the tracking codes). Ids follow
 * the time of the submit, so the old rows come first: the walk by id stops at the first row inside
 * the window, and no index on the time is needed. The newest row always stays, so SQLite never hands
 * out an id again (its rowids are the largest + 1).
 */
export async function deleteRoutedJournalBefore(db: Db, before: string): Promise<void> {
  const firstKept = await db.selectFrom('intake_journal').select('id').where('submitted_at', '>=', before).orderBy('id').limit(1).executeTakeFirst()
  const below = firstKept?.id ?? (await db.selectFrom('intake_journal').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst())?.id
  if (below === undefined || below === null) return
  await db.deleteFrom('intake_journal').where('id', '<', Number(below)).where('state', '=', 'routed').where('submitted_at', '<', before).execute()
}

// --- extensions and appeals -------------------------------------------------------------------

export const insertExtension = (db: Db, row: Insertable<RequestExtensionTable>) => db.insertInto('request_extension').values(row).returning('id').executeTakeFirstOrThrow()
export const findExtension = (db: Db, id: number) => db.selectFrom('request_extension').selectAll().where('id', '=', id).executeTakeFirst()
export const updateExtension = (db: Db, id: number, patch: Updateable<RequestExtensionTable>) =>
  db.updateTable('request_extension').set(patch).where('id', '=', id).where('status', '=', 'pending').executeTakeFirst().then((r) => Number(r.numUpdatedRows) === 1)
export const listExtensionsOf = (db: Db, requestId: number) => db.selectFrom('request_extension').selectAll().where('request_id', '=', requestId).orderBy('id').execute()

export async function listExtensions(db: Db, scope: SubtreeFilter, status: string | null, page: { limit: number; offset: number }) {
  const q = db.selectFrom('request_extension as x').innerJoin('request as r', 'r.id', 'x.request_id')
    .where((eb) => inSubtrees(eb, 'r.handler_path', scope))
    .$if(status !== null, (qq) => qq.where('x.status', '=', status as string))
  const [rows, count] = await Promise.all([
    q.selectAll('x').orderBy('x.requested_at', 'desc').orderBy('x.id', 'desc').limit(page.limit).offset(page.offset).execute(),
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ])
  return { rows, total: Number(count.n) }
}

export const insertAppeal = (db: Db, row: Insertable<RequestAppealTable>) => db.insertInto('request_appeal').values(row).returning('id').executeTakeFirstOrThrow()
export const findAppeal = (db: Db, id: number) => db.selectFrom('request_appeal').selectAll().where('id', '=', id).executeTakeFirst()
export const updateAppeal = (db: Db, id: number, patch: Updateable<RequestAppealTable>) =>
  db.updateTable('request_appeal').set(patch).where('id', '=', id).where('status', '=', 'pending').executeTakeFirst().then((r) => Number(r.numUpdatedRows) === 1)

const appealBase = (db: Db) => db.selectFrom('request_appeal as p').leftJoin('unit as u', 'u.id', 'p.unit_id').selectAll('p').select('u.name as unit_name')
export type AppealRow = Awaited<ReturnType<typeof listAppealsOf>>[number]
export const listAppealsOf = (db: Db, requestId: number) => appealBase(db).where('p.request_id', '=', requestId).orderBy('p.id').execute()

export async function listAppeals(db: Db, scope: SubtreeFilter, status: string | null, page: { limit: number; offset: number }) {
  const q = appealBase(db).innerJoin('request as r', 'r.id', 'p.request_id')
    .where((eb) => eb.or([inSubtrees(eb, 'r.location_path', scope), inSubtrees(eb, 'r.handler_path', scope)]))
    .$if(status !== null, (qq) => qq.where('p.status', '=', status as string))
  const [rows, count] = await Promise.all([
    q.orderBy('p.requested_at', 'desc').orderBy('p.id', 'desc').limit(page.limit).offset(page.offset).execute(),
    db.selectFrom('request_appeal as p').innerJoin('request as r', 'r.id', 'p.request_id')
      .where((eb) => eb.or([inSubtrees(eb, 'r.location_path', scope), inSubtrees(eb, 'r.handler_path', scope)]))
      .$if(status !== null, (qq) => qq.where('p.status', '=', status as string))
      .select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ])
  return { rows, total: Number(count.n) }
}

// --- units, people, assignment ----------------------------------------------------------------

const unitColumns = ['id', 'parent_id', 'county_id', 'type', 'name', 'code', 'path', 'depth', 'status'] as const
export type UnitRow = NonNullable<Awaited<ReturnType<typeof findUnit>>>
export const findUnit = (db: Db, id: number) => db.selectFrom('unit').select(unitColumns).where('id', '=', id).executeTakeFirst()
export const findUnitByCode = (db: Db, code: string) => db.selectFrom('unit').select(unitColumns).where('code', '=', code).executeTakeFirst()
export async function findUnits(db: Db, ids: number[]): Promise<Map<number, UnitRow>> {
  if (ids.length === 0) return new Map()
  const rows = await db.selectFrom('unit').select(unitColumns).where('id', 'in', [...new Set(ids)]).execute()
  return new Map(rows.map((r) => [r.id, r]))
}

export interface HandoffUnitFilter {
  countyId: number
  /** Types taken as they are; enterprises only while they serve a compound on `day` (property companies). */
  types: readonly string[]
  day: string
  excludeIds: number[]
  q: string | null
  /** Only these units (the suggestions), or any. */
  ids: number[] | null
}

/** Active units of a county a case may be handed to, by the filter; one page and the total. */
export async function listHandoffUnits(db: Db, f: HandoffUnitFilter, page: { limit: number; offset: number }) {
  const base = db.selectFrom('unit as u')
    .where('u.county_id', '=', f.countyId).where('u.status', '=', 'active')
    .where((eb) => eb.or([
      eb('u.type', 'in', [...f.types]),
      eb.and([eb('u.type', '=', 'enterprise'), eb.exists(
        eb.selectFrom('compound_property as a').select('a.id')
          .whereRef('a.property_unit_id', '=', 'u.id').where('a.since', '<=', f.day)
          .where((e2) => e2.or([e2('a.until', 'is', null), e2('a.until', '>', f.day)])),
      )]),
    ]))
    .$if(f.excludeIds.length > 0, (q) => q.where('u.id', 'not in', f.excludeIds))
    .$if(f.ids !== null, (q) => q.where('u.id', 'in', f.ids!.length > 0 ? f.ids! : [-1]))
    .$if(f.q !== null, (q) => q.where((eb) => eb.or([containsText('u.name', f.q!), containsText('u.code', f.q!)])))
  const [rows, count] = await Promise.all([
    base.select(['u.id', 'u.name', 'u.code', 'u.type', 'u.path']).orderBy('u.depth').orderBy('u.sort_order').orderBy('u.name').orderBy('u.id')
      .limit(page.limit).offset(page.offset).execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ])
  return { rows, total: Number(count.n) }
}

/** Names of units by id (for breadcrumbs). */
export async function unitNames(db: Db, ids: number[]): Promise<Map<number, string>> {
  if (ids.length === 0) return new Map()
  const rows = await db.selectFrom('unit').select(['id', 'name']).where('id', 'in', [...new Set(ids)]).execute()
  return new Map(rows.map((r) => [r.id, r.name]))
}

export const findStudio = (db: Db, id: number) =>
  db.selectFrom('rep_studio').select(['id', 'unit_id', 'name', 'status']).where('id', '=', id).executeTakeFirst()

/** Active accounts with a grant on exactly one of these units in one of these roles. */
export const findUnitWorkers = (db: Db, unitIds: number[], roles: readonly string[]) =>
  unitIds.length === 0 || roles.length === 0
    ? Promise.resolve([] as { account_id: number; unit_id: number; display_name: string }[])
    : db.selectFrom('account_grant as g')
      .innerJoin('account as a', 'a.id', 'g.account_id')
      .select(['g.account_id', 'g.unit_id as unit_id', 'a.display_name'])
      .where('g.unit_id', 'in', unitIds).where('g.role', 'in', [...roles]).where('a.status', '=', 'active')
      .orderBy('g.account_id')
      .execute() as Promise<{ account_id: number; unit_id: number; display_name: string }[]>

/** Grants of an account (role, unit path) — to check it works inside a unit's subtree. */
export const findAccountGrantPaths = (db: Db, accountId: number) =>
  db.selectFrom('account_grant as g')
    .innerJoin('account as a', 'a.id', 'g.account_id')
    .leftJoin('unit as u', 'u.id', 'g.unit_id')
    .select(['g.role', 'u.path', 'a.status', 'a.display_name'])
    .where('g.account_id', '=', accountId)
    .execute()

export async function countOpenAssigned(db: Db, accountIds: number[]): Promise<Map<number, number>> {
  if (accountIds.length === 0) return new Map()
  const rows = await db.selectFrom('request').select(['assignee_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('assignee_id', 'in', accountIds).where('is_open', '=', 1).groupBy('assignee_id').execute()
  return new Map(rows.map((r) => [r.assignee_id as number, Number(r.n)]))
}

export const findAssignmentPolicy = (db: Db, unitId: number, forUpdate = false) =>
  db.selectFrom('unit_assignment').selectAll().where('unit_id', '=', unitId).$if(forUpdate && isPg(db), (q) => q.forUpdate()).executeTakeFirst()

export const upsertAssignmentPolicy = (db: Db, row: { unit_id: number; policy: string; last_assignee_id: number | null; updated_at: string }) =>
  db.insertInto('unit_assignment').values(row)
    .onConflict((oc) => oc.column('unit_id').doUpdateSet({ policy: row.policy, updated_at: row.updated_at }))
    .execute()

export const setLastAssignee = (db: Db, unitId: number, accountId: number, now: string) =>
  db.updateTable('unit_assignment').set({ last_assignee_id: accountId, updated_at: now }).where('unit_id', '=', unitId).execute()

// --- templates --------------------------------------------------------------------------------

const templateBase = (db: Db) => db.selectFrom('response_template as t').leftJoin('unit as u', 'u.id', 't.unit_id').selectAll('t').select(['u.name as unit_name', 'u.path as unit_path'])
export type TemplateRow = NonNullable<Awaited<ReturnType<typeof findTemplate>>>
export const findTemplate = (db: Db, id: number) => templateBase(db).where('t.id', '=', id).executeTakeFirst()

/** Templates offered everywhere, at one of the given units (ancestors), or inside the scope. */
export const listTemplates = (db: Db, ancestorIds: number[], scope: SubtreeFilter) =>
  templateBase(db)
    .where((eb) => eb.or([
      eb('t.unit_id', 'is', null),
      ...(ancestorIds.length > 0 ? [eb('t.unit_id', 'in', ancestorIds)] : []),
      ...(scope.all || scope.paths.length > 0 ? [inSubtrees(eb, 'u.path', scope)] : []),
    ]))
    .orderBy('t.unit_id').orderBy('t.title').orderBy('t.id')
    .execute()

export const insertTemplate = (db: Db, row: Insertable<ResponseTemplateTable>) => db.insertInto('response_template').values(row).returning('id').executeTakeFirstOrThrow()
export const updateTemplate = (db: Db, id: number, patch: Updateable<ResponseTemplateTable>) => db.updateTable('response_template').set(patch).where('id', '=', id).execute()
export const deleteTemplate = (db: Db, id: number) => db.deleteFrom('response_template').where('id', '=', id).execute()

// --- notifications and the outbox -------------------------------------------------------------

export const insertNotifications = (db: Db, rows: Insertable<NotificationTable>[]) =>
  rows.length === 0 ? Promise.resolve() : db.insertInto('notification').values(rows).execute().then(() => undefined)

export async function listNotifications(db: Db, accountId: number, unreadOnly: boolean, page: { limit: number; offset: number }) {
  const base = db.selectFrom('notification').where('account_id', '=', accountId)
  const filtered = unreadOnly ? base.where('read_at', 'is', null) : base
  const [rows, count, unread] = await Promise.all([
    filtered.selectAll().orderBy('id', 'desc').limit(page.limit).offset(page.offset).execute(),
    filtered.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    base.where('read_at', 'is', null).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ])
  return { rows, total: Number(count.n), unread: Number(unread.n) }
}

export const markNotificationRead = (db: Db, accountId: number, id: number, now: string) =>
  db.updateTable('notification').set({ read_at: now }).where('id', '=', id).where('account_id', '=', accountId).where('read_at', 'is', null).execute()

export const findNotification = (db: Db, accountId: number, id: number) =>
  db.selectFrom('notification').selectAll().where('id', '=', id).where('account_id', '=', accountId).executeTakeFirst()

export const insertOutbox = (db: Db, rows: Insertable<OutboxTable>[]) =>
  rows.length === 0 ? Promise.resolve() : db.insertInto('outbox').values(rows).execute().then(() => undefined)

/**
 * Claims due outbox messages for this holder until `leaseUntil`. On PostgreSQL the candidate rows
 * are locked with FOR UPDATE SKIP LOCKED, so concurrent workers take disjoint sets without waiting;
 * SQLite has one writer at a time, so the single UPDATE is already exclusive.
 */
export async function claimOutbox(db: Db, holder: string, now: string, leaseUntil: string, limit: number) {
  const candidates = db.selectFrom('outbox').select('id')
    .where('status', '=', 'pending').where('next_attempt_at', '<=', now)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
    .orderBy('id').limit(limit)
    .$if(isPg(db), (q) => q.forUpdate().skipLocked())
  return db.updateTable('outbox').set({ holder, lease_until: leaseUntil })
    .where('id', 'in', candidates)
    .returning(['id', 'topic', 'payload_json', 'attempts'])
    .execute()
}

export const finishOutbox = (db: Db, id: number, holder: string, patch: Updateable<OutboxTable>) =>
  db.updateTable('outbox').set({ ...patch, holder: null, lease_until: null }).where('id', '=', id).where('holder', '=', holder).execute()

export const listOutbox = (db: Db) => db.selectFrom('outbox').selectAll().orderBy('id').execute()

// --- leases -----------------------------------------------------------------------------------

/**
 * Takes the named lease when it is free, expired, or already ours. One statement: on PostgreSQL a
 * concurrent taker waits for the row and then sees it held; on SQLite writers are serialized.
 */
export async function tryLease(db: Db, name: string, holder: string, now: string, until: string): Promise<boolean> {
  const row = await db.insertInto('job_lease').values({ name, holder, lease_until: until, last_run_at: null })
    .onConflict((oc) => oc.column('name').doUpdateSet({ holder, lease_until: until })
      .where((eb) => eb.or([eb('job_lease.lease_until', 'is', null), eb('job_lease.lease_until', '<', now), eb('job_lease.holder', '=', holder)])))
    .returning('holder')
    .executeTakeFirst()
  return row !== undefined
}

export const releaseLease = (db: Db, name: string, holder: string, now: string) =>
  db.updateTable('job_lease').set({ lease_until: null, last_run_at: now }).where('name', '=', name).where('holder', '=', holder).execute()

// --- the sweep's queries ----------------------------------------------------------------------

const sweepColumns = ['id', 'version', 'status', 'paused_at', 'pending_unit_id'] as const

export const dueForResponseOverdue = (db: Db, now: string, limit: number) =>
  db.selectFrom('request').select(sweepColumns)
    .where('is_open', '=', 1).where('response_due_at', '<=', now).where('accepted_at', 'is', null).where('response_overdue', '=', 0)
    .orderBy('response_due_at').limit(limit).execute()

export const dueForWarning = (db: Db, now: string, limit: number) =>
  db.selectFrom('request').select(sweepColumns)
    .where('is_open', '=', 1).where('warn_at', '<=', now).where('warned', '=', 0).where('paused_at', 'is', null)
    .orderBy('warn_at').limit(limit).execute()

export const dueForOverdue = (db: Db, now: string, limit: number) =>
  db.selectFrom('request').select(sweepColumns)
    .where('is_open', '=', 1).where('resolution_due_at', '<=', now).where('resolution_overdue', '=', 0).where('paused_at', 'is', null)
    .orderBy('resolution_due_at').limit(limit).execute()

/** Overdue cases escalated once whose deadline passed before `before` (the second level's threshold is per case). */
export const dueForSecondEscalation = (db: Db, limit: number) =>
  db.selectFrom('request').select([...sweepColumns, 'resolution_due_at', 'county_id'])
    .where('is_open', '=', 1).where('resolution_overdue', '=', 1).where('escalation_level', '=', 1).where('paused_at', 'is', null)
    .orderBy('resolution_due_at').limit(limit).execute()

export const dueForAutoClose = (db: Db, before: string, limit: number) =>
  db.selectFrom('request').select(sweepColumns)
    .where('status', 'in', ['resolved', 'rated']).where('resolved_at', '<=', before)
    .orderBy('resolved_at').limit(limit).execute()

// --- rollups ----------------------------------------------------------------------------------

const rollupValues = (d: RollupDelta) => ({ dim: d.dim, unit_id: d.unitId, day: d.day, county_id: d.countyId, ...d.counters })

/**
 * Day deltas summed per month: the rows of request_rollup_month they change. The month table holds
 * the same counters by YYYY-MM so a board over a long period reads whole months (board module).
 */
function monthValues(deltas: RollupDelta[]) {
  const map = new Map<string, { dim: string; unit_id: number; month: string; county_id: number } & Counters>()
  for (const d of deltas) {
    const month = d.day.slice(0, 7)
    const key = `${d.dim}|${d.unitId}|${month}`
    let row = map.get(key)
    if (!row) map.set(key, (row = { dim: d.dim, unit_id: d.unitId, month, county_id: d.countyId, ...zeroCounters() }))
    for (const n of counterNames) row[n] += d.counters[n]
  }
  return [...map.values()].filter((r) => counterNames.some((n) => r[n] !== 0))
}

/**
 * The text of the rollup upsert for `rows` rows, kept per dialect, table and row count: every write to
 * a request runs it twice (days, months) with some twenty rows of twenty values, and building that
 * through the query builder each time cost more than running it.
 */
const upsertTexts = new Map<string, string>()
function rollupUpsertText(dialect: 'sqlite' | 'postgres', table: 'request_rollup' | 'request_rollup_month', rows: number): string {
  const cacheKey = `${dialect}|${table}|${rows}`
  let text = upsertTexts.get(cacheKey)
  if (text) return text
  const key = table === 'request_rollup' ? 'day' : 'month'
  const columns = ['dim', 'unit_id', key, 'county_id', ...counterNames]
  let n = 0
  const tuple = () => `(${columns.map(() => (dialect === 'postgres' ? `$${++n}` : '?')).join(', ')})`
  text = `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values ${Array.from({ length: rows }, tuple).join(', ')}`
    + ` on conflict ("dim", "unit_id", "${key}") do update set ${counterNames.map((c) => `"${c}" = "${table}"."${c}" + "excluded"."${c}"`).join(', ')}`
  upsertTexts.set(cacheKey, text)
  return text
}

async function upsertRollupRows(db: Db, table: 'request_rollup' | 'request_rollup_month', rows: { dim: string; unit_id: number; key: string; county_id: number; counters: Counters }[]) {
  const params: unknown[] = []
  for (const r of rows) params.push(r.dim, r.unit_id, r.key, r.county_id, ...counterNames.map((c) => r.counters[c]))
  await db.executeQuery(CompiledQuery.raw(rollupUpsertText(dialectOf(db as unknown as Kysely<unknown>), table, rows.length), params))
}

/** Adds deltas with one upsert per table (days, months), then drops rows no request contributes to any more. */
export async function addRollupDeltas(db: Db, deltas: RollupDelta[]): Promise<void> {
  await upsertRollupRows(db, 'request_rollup', deltas.map((d) => ({ dim: d.dim, unit_id: d.unitId, key: d.day, county_id: d.countyId, counters: d.counters })))
  const months = monthValues(deltas)
  if (months.length > 0) {
    await upsertRollupRows(db, 'request_rollup_month', months.map((m) => ({ dim: m.dim, unit_id: m.unit_id, key: m.month, county_id: m.county_id, counters: m })))
  }
  const left = deltas.filter((d) => d.counters.submitted < 0)
  if (left.length > 0) {
    await db.deleteFrom('request_rollup').where('submitted', '=', 0)
      .where((eb) => eb.or(left.map((d) => eb.and([eb('dim', '=', d.dim), eb('unit_id', '=', d.unitId), eb('day', '=', d.day)]))))
      .execute()
    await db.deleteFrom('request_rollup_month').where('submitted', '=', 0)
      .where((eb) => eb.or(left.map((d) => eb.and([eb('dim', '=', d.dim), eb('unit_id', '=', d.unitId), eb('month', '=', d.day.slice(0, 7))]))))
      .execute()
  }
}

export async function deleteRollups(db: Db, countyId: number): Promise<void> {
  await db.deleteFrom('request_rollup').where('county_id', '=', countyId).execute()
  await db.deleteFrom('request_rollup_month').where('county_id', '=', countyId).execute()
}

export async function insertRollupRows(db: Db, rows: RollupDelta[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 200) await db.insertInto('request_rollup').values(rows.slice(i, i + 200).map(rollupValues)).execute()
}

/** The month rows of a rebuild, summed from all its daily rows and written once at the end. */
export async function insertRollupMonthRows(db: Db, days: RollupDelta[]): Promise<void> {
  const months = monthValues(days)
  for (let i = 0; i < months.length; i += 200) await db.insertInto('request_rollup_month').values(months.slice(i, i + 200)).execute()
}

const rollupSourceColumns = [
  'id', 'county_id', 'location_path', 'handler_path', 'submitted_day', 'status', 'is_open', 'excluded', 'accepted_at', 'response_due_at',
  'resolved_at', 'resolution_due_at', 'resolution_overdue', 'reopen_count', 'rating_solved', 'rating_satisfaction', 'handling_minutes', 'working_minutes',
] as const

/**
 * A county's requests in (submitted_day, id) order after the cursor, for the rebuild. The cursor's
 * `submitted_day >= day` gives both engines a range on (county_id, submitted_day); without it the
 * OR alone made each batch scan the county from its first day (quadratic over a million rows).
 */
export const requestsForRollup = (db: Db, countyId: number, after: { day: string; id: number } | null, limit: number) =>
  db.selectFrom('request').select(rollupSourceColumns)
    .where('county_id', '=', countyId)
    .$if(after !== null, (q) => q.where('submitted_day', '>=', after!.day).where((eb) => eb.or([
      eb('submitted_day', '>', after!.day),
      eb('id', '>', after!.id),
    ])))
    .orderBy('submitted_day').orderBy('id').limit(limit).execute()

// --- restructuring: a unit subtree moved (units keep their ids) ---------------------------------------

export type PathColumn = 'location_path' | 'handler_path' | 'pending_path'

/**
 * Which copied paths of requests lie under a unit subtree: one statement of three index probes
 * (location, held — open or not —, pending hand-off), so a restructuring skips the units without history.
 */
export async function requestPathsUnder(db: Db, path: string): Promise<Record<PathColumn, boolean>> {
  const upper = subtreeUpperBound(path)
  const one = () => db.selectFrom('request').select(sql.lit(1).as('one'))
  const row = await db.selectNoFrom((eb) => [
    eb.exists(one().where('location_path', '>=', path).where('location_path', '<', upper)).as('location_path'),
    eb.exists(one().where('is_open', 'in', [0, 1]).where('handler_path', '>=', path).where('handler_path', '<', upper)).as('handler_path'),
    eb.exists(one().where('is_open', '=', 1).where('pending_path', '>=', path).where('pending_path', '<', upper)).as('pending_path'),
  ]).executeTakeFirstOrThrow()
  const yes = (v: unknown) => v === true || Number(v) === 1
  return { location_path: yes(row.location_path), handler_path: yes(row.handler_path), pending_path: yes(row.pending_path) }
}

/**
 * Rewrites the unit paths copied onto requests after the units under oldPath moved to newPath, so
 * lists, access checks and later rollup deltas follow the unit; only the columns given (those
 * `requestPathsUnder` found). (is_open in (0, 1) lets both engines use the (is_open, handler_path, …)
 * index for the handler range.)
 */
export async function rebaseRequestPaths(db: Db, oldPath: string, newPath: string, columns: readonly PathColumn[]): Promise<void> {
  const upper = subtreeUpperBound(oldPath)
  const rebased = (column: PathColumn) => sql<string>`${newPath} || substr(${sql.ref(column)}, cast(${oldPath.length + 1} as integer))`
  if (columns.includes('location_path')) {
    await db.updateTable('request').set({ location_path: rebased('location_path') }).where('location_path', '>=', oldPath).where('location_path', '<', upper).execute()
  }
  if (columns.includes('handler_path')) {
    await db.updateTable('request').set({ handler_path: rebased('handler_path') })
      .where('is_open', 'in', [0, 1]).where('handler_path', '>=', oldPath).where('handler_path', '<', upper).execute()
  }
  if (columns.includes('pending_path')) {
    await db.updateTable('request').set({ pending_path: rebased('pending_path') })
      .where('is_open', '=', 1).where('pending_path', '>=', oldPath).where('pending_path', '<', upper).execute()
  }
}

/**
 * Adds every rollup row of one unit, in the given dimensions, to the same day's (and month's) row of
 * each target with its sign: a moved subtree's history leaving the old ancestors (-1) and joining
 * the new ones (1). One statement per table, whatever the number of targets and dimensions.
 */
export async function shiftRollupRows(db: Db, dims: readonly ('area' | 'handler')[], fromUnitId: number, targets: { unitId: number; sign: 1 | -1 }[]): Promise<void> {
  if (dims.length === 0 || targets.length === 0) return
  const shifts = sql.join(targets.map((x, i) => (i === 0
    ? sql`select ${sql.lit(x.unitId)} as unit_id, ${sql.lit(x.sign)} as sign`
    : sql`select ${sql.lit(x.unitId)}, ${sql.lit(x.sign)}`)), sql` union all `)
  for (const table of ['request_rollup', 'request_rollup_month'] as const) {
    const key = table === 'request_rollup' ? 'day' : 'month'
    const columns = ['dim', 'unit_id', key, 'county_id', ...counterNames]
    const counters = sql.join(counterNames.map((n) => sql`t.sign * r.${sql.ref(n)}`))
    // "where true" would do for PostgreSQL; SQLite needs a WHERE before ON CONFLICT in INSERT … SELECT, and the filter is one.
    await sql`insert into ${sql.table(table)} (${sql.join(columns.map((c) => sql.ref(c)))})
      select r.dim, t.unit_id, r.${sql.ref(key)}, r.county_id, ${counters}
      from ${sql.table(table)} as r cross join (${shifts}) as t
      where r.unit_id = ${fromUnitId} and r.dim in (${sql.join(dims)})
      on conflict (dim, unit_id, ${sql.ref(key)}) do update set ${sql.join(counterNames.map((n) => sql`${sql.ref(n)} = ${sql.table(table)}.${sql.ref(n)} + excluded.${sql.ref(n)}`))}`.execute(db)
  }
}

/** Drops rows no request contributes to any more (submitted is 1 per contributing request). */
export async function deleteEmptyRollups(db: Db, dims: readonly ('area' | 'handler')[], unitIds: number[]): Promise<void> {
  if (dims.length === 0 || unitIds.length === 0) return
  await db.deleteFrom('request_rollup').where('dim', 'in', [...dims]).where('unit_id', 'in', unitIds).where('submitted', '=', 0).execute()
  await db.deleteFrom('request_rollup_month').where('dim', 'in', [...dims]).where('unit_id', 'in', unitIds).where('submitted', '=', 0).execute()
}

export const listRollups = (db: Db, countyId: number) =>
  db.selectFrom('request_rollup').selectAll().where('county_id', '=', countyId).orderBy('dim').orderBy('unit_id').orderBy('day').execute()

