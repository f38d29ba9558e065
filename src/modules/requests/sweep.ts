import { pathIds } from '../../lib/unit-path.js'
import os from 'node:os'
import type { Db } from '../../db/connect.js'
import { randomToken } from '../../lib/tokens.js'
import { systemActor } from '../access/service.js'
import { loadCalendar } from '../calendar/service.js'
import { addWorkingDays } from '../calendar/working-time.js'
import { ownerLevelTypes } from '../catalog/priorities.js'
import { commitChange, loadCase, type Change, type RequestRow } from './case.js'
import { assertTransition } from './lifecycle.js'
import { deadlineText, type NotifyDraft } from './notify.js'
import { reachableWorkers } from './routing.js'
import { deletePhotoFile } from './uploads.js'
import * as store from './store.js'

/**
 * The deadline sweep. Run every minute by every app process, but done by one at a time: it takes
 * the `requests.sweep` lease in job_lease first and skips the run when another process holds it.
 * Each case is then changed in its own short transaction, re-checked under its row lock and
 * written with its version, so even an overlapping run (a lease that expired mid-run) cannot
 * warn or escalate a case twice. It:
 * - flags cases not signed for by their first-response deadline (response_overdue) and reminds the holders;
 * - warns at 80 % of the resolution time (催办 to the assignee, or the unit's people);
 * - flags cases past their resolution deadline and escalates them to the unit's supervisor (the
 *   parent unit's people); one working day later, to the sub-district or town;
 * - closes resolved cases nobody touched for `autoCloseDays`;
 * - deletes uploaded photos never claimed by a submit, and idempotency keys older than 30 days.
 * Paused cases (waiting for the resident) are neither warned nor flagged.
 */

export const SWEEP_LEASE = 'requests.sweep'

export interface SweepOptions {
  now?: string
  holder?: string
  leaseSeconds?: number
  batchSize?: number
  autoCloseDays?: number
  /** Where uploads live, to delete expired unclaimed ones; without it they are left alone. */
  uploadsDir?: string | null
}

export interface SweepReport {
  ran: boolean
  responseOverdue: number
  warned: number
  overdue: number
  escalated: number
  closed: number
  uploadsDeleted: number
}

export const defaultHolder = (): string => `${os.hostname()}:${process.pid}:${randomToken(6)}`

const actor = systemActor('sweep')
const MAX_BATCHES = 20

export async function runSweep(db: Db, options: SweepOptions = {}): Promise<SweepReport> {
  const now = options.now ?? new Date().toISOString()
  const holder = options.holder ?? defaultHolder()
  const until = new Date(Date.parse(now) + (options.leaseSeconds ?? 300) * 1000).toISOString()
  const report: SweepReport = { ran: false, responseOverdue: 0, warned: 0, overdue: 0, escalated: 0, closed: 0, uploadsDeleted: 0 }
  if (!(await store.tryLease(db, SWEEP_LEASE, holder, now, until))) return report
  report.ran = true
  const batch = options.batchSize ?? 200
  try {
    report.responseOverdue = await eachDue(() => store.dueForResponseOverdue(db, now, batch), batch, (id) => flagResponseOverdue(db, id, now))
    report.warned = await eachDue(() => store.dueForWarning(db, now, batch), batch, (id) => warn(db, id, now))
    report.overdue = await eachDue(() => store.dueForOverdue(db, now, batch), batch, (id) => flagOverdue(db, id, now))
    report.escalated = await eachDue(() => store.dueForSecondEscalation(db, batch), batch, (id) => escalateFurther(db, id, now))
    const closeBefore = new Date(Date.parse(now) - (options.autoCloseDays ?? 15) * 86_400_000).toISOString()
    report.closed = await eachDue(() => store.dueForAutoClose(db, closeBefore, batch), batch, (id) => autoClose(db, id, now, closeBefore))
    report.uploadsDeleted = await purgeUploads(db, now, options.uploadsDir ?? null, batch)
    const replayWindow = new Date(Date.parse(now) - 30 * 86_400_000).toISOString()
    await store.deleteIdempotencyKeysBefore(db, replayWindow)
    await store.deleteRoutedJournalBefore(db, replayWindow)
  } finally {
    await store.releaseLease(db, SWEEP_LEASE, holder, now)
  }
  return report
}

/** Runs `each` over due cases batch by batch while batches come back full and something changed. */
async function eachDue(due: () => Promise<{ id: number }[]>, batch: number, each: (id: number) => Promise<boolean>): Promise<number> {
  let done = 0
  for (let round = 0; round < MAX_BATCHES; round++) {
    const rows = await due()
    let changed = 0
    for (const r of rows) if (await each(r.id)) changed++
    done += changed
    if (rows.length < batch || changed === 0) break
  }
  return done
}

/** One case, locked and re-read; `decide` returns the change or null when the case no longer qualifies. */
async function onCase(db: Db, id: number, now: string, decide: (trx: Db, row: RequestRow) => Promise<Change | null>): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const loaded = await loadCase(trx, id, true)
    if (!loaded) return false
    const change = await decide(trx, loaded.row)
    if (!change) return false
    await commitChange(trx, actor, loaded.row, change, now)
    return true
  })
}

const passed = (at: string | null, now: string) => at !== null && Date.parse(at) <= Date.parse(now)

async function holders(trx: Db, row: RequestRow): Promise<number[]> {
  if (row.assignee_id !== null) return [row.assignee_id]
  const unit = await store.findUnit(trx, row.pending_unit_id ?? row.handler_unit_id ?? row.location_unit_id)
  return unit ? reachableWorkers(trx, unit) : []
}

const flagResponseOverdue = (db: Db, id: number, now: string) =>
  onCase(db, id, now, async (trx, row) => {
    if (row.is_open !== 1 || row.accepted_at !== null || row.response_overdue === 1 || !passed(row.response_due_at, now)) return null
    return {
      patch: { response_overdue: 1 },
      events: [{ kind: 'response_overdue', unitId: row.handler_unit_id, data: { dueAt: row.response_due_at } }],
      notify: [{ accountIds: await holders(trx, row), requestId: row.id, kind: 'response_overdue', title: `签收超时:${row.title}`, body: deadlineText('签收期限', row.response_due_at) }],
    }
  })

const warn = (db: Db, id: number, now: string) =>
  onCase(db, id, now, async (trx, row) => {
    if (row.is_open !== 1 || row.warned === 1 || row.paused_at !== null || !passed(row.warn_at, now)) return null
    assertTransition('remind', { status: row.status, paused: false, pending: row.pending_unit_id !== null })
    return {
      patch: { warned: 1 },
      events: [{ kind: 'reminded', unitId: row.handler_unit_id, data: { by: 'sweep', reason: 'warning', dueAt: row.resolution_due_at } }],
      notify: [{ accountIds: await holders(trx, row), requestId: row.id, kind: 'deadline_warning', title: `即将超期,请抓紧办理:${row.title}`, body: deadlineText('办理期限', row.resolution_due_at) }],
    }
  })

/** The supervisor of a unit: its parent; the second level: the sub-district or town above it (or the county). */
async function escalationTarget(trx: Db, row: RequestRow, level: 1 | 2): Promise<store.UnitRow | null> {
  const handler = row.handler_unit_id === null ? undefined : await store.findUnit(trx, row.handler_unit_id)
  if (!handler) return null
  const chain = pathIds(handler.path).slice(0, -1).reverse()
  if (level === 1) return chain[0] === undefined ? null : ((await store.findUnit(trx, chain[0])) ?? null)
  const units = await store.findUnits(trx, chain)
  const ancestors = chain.map((u) => units.get(u)).filter((u): u is store.UnitRow => u !== undefined)
  return ancestors.find((u) => ownerLevelTypes.town.includes(u.type) && u.id !== chain[0])
    ?? ancestors.find((u) => ownerLevelTypes.county.includes(u.type) && u.id !== chain[0])
    ?? null
}

const flagOverdue = (db: Db, id: number, now: string) =>
  onCase(db, id, now, async (trx, row) => {
    if (row.is_open !== 1 || row.resolution_overdue === 1 || row.paused_at !== null || !passed(row.resolution_due_at, now)) return null
    const supervisor = await escalationTarget(trx, row, 1)
    const notify: NotifyDraft[] = [{ accountIds: await holders(trx, row), requestId: row.id, kind: 'overdue', title: `已超期:${row.title}`, body: deadlineText('办理期限', row.resolution_due_at) }]
    if (supervisor) notify.push({ accountIds: await reachableWorkers(trx, supervisor), requestId: row.id, kind: 'escalated', title: `超期督办:${row.title}`, body: deadlineText('办理期限', row.resolution_due_at) })
    return {
      patch: { resolution_overdue: 1, escalation_level: Math.max(row.escalation_level, 1) },
      events: [
        { kind: 'overdue', unitId: row.handler_unit_id, data: { dueAt: row.resolution_due_at } },
        ...(supervisor ? [{ kind: 'escalated', unitId: supervisor.id, data: { level: 1 } }] : []),
      ],
      notify,
    }
  })

const escalateFurther = (db: Db, id: number, now: string) =>
  onCase(db, id, now, async (trx, row) => {
    if (row.is_open !== 1 || row.escalation_level !== 1 || row.paused_at !== null || row.resolution_due_at === null) return null
    const calendar = await loadCalendar(trx, row.county_id)
    if (Date.parse(now) < Date.parse(addWorkingDays(row.resolution_due_at, 1, calendar))) return null
    const target = await escalationTarget(trx, row, 2)
    return {
      patch: { escalation_level: 2 },
      events: [{ kind: 'escalated', unitId: target?.id ?? null, data: { level: 2 } }],
      notify: target ? [{ accountIds: await reachableWorkers(trx, target), requestId: row.id, kind: 'escalated', title: `超期督办(二级):${row.title}`, body: deadlineText('办理期限', row.resolution_due_at) }] : [],
    }
  })

const autoClose = (db: Db, id: number, now: string, before: string) =>
  onCase(db, id, now, (_trx, row) => {
    if ((row.status !== 'resolved' && row.status !== 'rated') || !passed(row.resolved_at, before)) return Promise.resolve(null)
    return Promise.resolve({
      patch: { status: 'closed', closed_at: now },
      events: [{ kind: 'closed', visibility: 'public' as const, unitId: row.handler_unit_id, data: { by: 'sweep' } }],
    })
  })

async function purgeUploads(db: Db, now: string, uploadsDir: string | null, batch: number): Promise<number> {
  if (!uploadsDir) return 0
  const expired = await store.findExpiredUploads(db, now, batch)
  for (const u of expired) await deletePhotoFile(uploadsDir, u.stored_name)
  await store.deleteUploads(db, expired.map((u) => u.id))
  return expired.length
}
