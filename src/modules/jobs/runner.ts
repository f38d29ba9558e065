/**
 * The in-process job runner. Jobs wait in the `job` table; a runner claims one with a lease held in
 * the database (so two processes never run the same job), renews the lease while it works, reports
 * progress as it goes, and writes the outcome. A job whose holder died (its lease expired) is picked
 * up again by any runner, up to MAX_ATTEMPTS starts; then it is marked failed with a clear message.
 * Handlers must therefore be safe to start again: imports resume from their last committed batch,
 * exports simply start over.
 */
import os from 'node:os'
import type { Db } from '../../db/connect.js'
import type { Actor } from '../access/service.js'
import { AppError } from '../../server/errors.js'
import type { App } from '../../server/types.js'
import { nowIso } from '../../lib/time.js'
import { randomToken } from '../../lib/tokens.js'
import { jobFilePath, newJobFile, removeJobFile } from './files.js'
import * as store from './store.js'

export type JobDeps = Pick<App, 'db' | 'dbHandle' | 'config' | 'pii' | 'log'>

export const MAX_ATTEMPTS = 3
const DEFAULT_LEASE_MS = 120_000
const POLL_MS = 2_000
const SWEEP_MS = 60 * 60_000
/** Uploaded files, error reports and exports are deleted this long after their job finished. */
export const FILE_RETENTION_DAYS = 7

/** The account a job runs for, frozen when it was queued (its grants were checked then). */
export type JobActor = Omit<Actor, 'sessionId'>

export interface JobCounts {
  total?: number
  processed?: number
  succeeded?: number
  failed?: number
}

export interface JobOutcome extends JobCounts {
  message: string
  output?: { file: string; downloadName: string } | null
  result?: Record<string, unknown>
}

export interface JobContext<P = unknown> {
  job: store.JobRow
  params: P
  actor: Actor
  deps: JobDeps
  /** Absolute path of the uploaded input file, if the job has one. */
  inputPath: string | null
  /** What an earlier, interrupted attempt checkpointed (null on a first run); a handler resumes from it. */
  previousResult: Record<string, unknown> | null
  newOutputFile(prefix: string, ext: string): { name: string; path: string }
  /**
   * Visible progress (renews the lease too); `result` replaces the stored result (keep a resume point in
   * it). Inside a transaction pass its executor: on SQLite the
   * transaction holds the only connection, so the update must go through it; on PostgreSQL the update
   * goes through the pool so pollers see it at once.
   */
  progress(counts: JobCounts & { result?: Record<string, unknown> }, within?: Db): Promise<void>
  /** Counts and a resume point written through the transaction, so they commit with the rows they describe. */
  checkpoint(trx: Db, counts: JobCounts & { result?: Record<string, unknown> }): Promise<void>
  /** True once the runner is stopping; the handler should end its current batch and throw `JobInterrupted`. */
  readonly stopping: boolean
}

export interface JobHandler<P = unknown> {
  run(ctx: JobContext<P>): Promise<JobOutcome>
}

/** Thrown by a handler that stopped between batches because the runner is shutting down. */
export class JobInterrupted extends Error {
  constructor() { super('job interrupted by shutdown') }
}
/** Another runner owns the job now (our lease expired): stop without writing anything. */
export class JobLeaseLost extends Error {
  constructor(id: number) { super(`lease on job ${id} lost`) }
}

const handlers = new Map<string, JobHandler<never>>()

/** Modules register what each job kind does when their code loads. */
export function registerJobHandler<P>(kind: string, handler: JobHandler<P>): void {
  handlers.set(kind, handler)
}

export interface StoredJobOptions {
  actor: JobActor
  params: unknown
}

export const parseJobOptions = (row: Pick<store.JobRow, 'options_json'>): StoredJobOptions | null => {
  if (!row.options_json) return null
  try {
    return JSON.parse(row.options_json) as StoredJobOptions
  } catch {
    return null
  }
}

export const parseJobResult = (row: Pick<store.JobRow, 'result_json'>): Record<string, unknown> | null => {
  if (!row.result_json) return null
  try {
    return JSON.parse(row.result_json) as Record<string, unknown>
  } catch {
    return null
  }
}

export interface RunOptions {
  holder?: string
  leaseMs?: number
  /** Aborting it asks the running handler to stop after its current batch. */
  signal?: AbortSignal
  /** Called after each visible progress update outside a transaction (tests read the job through the API there). */
  afterProgress?: (jobId: number) => Promise<void>
}

const defaultHolder = `${os.hostname()}:${process.pid}:${randomToken(4)}`
const later = (ms: number) => new Date(Date.now() + ms).toISOString()

/** Claims and runs at most one job; returns its final row, or null when there was nothing to do. */
export async function runNextJob(deps: JobDeps, options: RunOptions = {}): Promise<store.JobRow | null> {
  const holder = options.holder ?? defaultHolder
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS
  const db = deps.db
  await failAbandoned(deps)

  const job = await store.claimNextJob(db, holder, nowIso(), later(leaseMs), MAX_ATTEMPTS)
  if (!job) return null
  const stored = parseJobOptions(job)
  const handler = handlers.get(job.kind)
  const actor: Actor | null = stored ? { ...stored.actor, sessionId: null } : null
  if (!handler || !actor) {
    await finishFailed(deps, job, holder, new AppError('internal_error', { problem: handler ? 'job options unreadable' : `no handler for job kind ${job.kind}` }), actor?.lang ?? 'zh')
    return (await store.findJobById(db, job.id)) ?? null
  }

  let leaseLost = false
  const renew = async (executor: Db) => {
    const ok = await store.updateHeldJob(executor, job.id, holder, { lease_until: later(leaseMs) })
    if (!ok) leaseLost = true
  }
  // The lease is renewed on a timer too, so a long step between progress reports cannot lose it.
  const timer = setInterval(() => { renew(db).catch((err: unknown) => deps.log.warn({ err, jobId: job.id }, 'job lease renewal failed')) }, Math.max(leaseMs / 3, 50))
  timer.unref()

  const sqlite = deps.dbHandle.dialect === 'sqlite'
  const ctx: JobContext<unknown> = {
    job,
    params: stored?.params ?? null,
    actor,
    deps,
    inputPath: job.input_file ? jobFilePath(deps.config, job.input_file) : null,
    previousResult: parseJobResult(job),
    newOutputFile: (prefix, ext) => newJobFile(deps.config, `${prefix}-${job.id}`, ext),
    get stopping() { return options.signal?.aborted ?? false },
    async progress(counts, within) {
      const executor = within && sqlite ? within : db
      if (leaseLost) throw new JobLeaseLost(job.id)
      const { result, ...rest } = counts
      const ok = await store.updateHeldJob(executor, job.id, holder, {
        ...rest, lease_until: later(leaseMs), ...(result ? { result_json: JSON.stringify(result) } : {}),
      })
      if (!ok) { leaseLost = true; throw new JobLeaseLost(job.id) }
      if (executor === db && options.afterProgress) await options.afterProgress(job.id)
    },
    async checkpoint(trx, counts) {
      if (leaseLost) throw new JobLeaseLost(job.id)
      const { result, ...rest } = counts
      const ok = await store.updateHeldJob(trx, job.id, holder, {
        ...rest, lease_until: later(leaseMs), ...(result ? { result_json: JSON.stringify(result) } : {}),
      })
      if (!ok) { leaseLost = true; throw new JobLeaseLost(job.id) }
    },
  }

  try {
    const outcome = await (handler as JobHandler<unknown>).run(ctx)
    const result = { ...(outcome.result ?? {}), ...(outcome.output ? { outputName: outcome.output.downloadName } : {}) }
    const written = await store.updateHeldJob(db, job.id, holder, {
      status: 'done', holder: null, lease_until: null, finished_at: nowIso(), message: outcome.message,
      ...(outcome.total !== undefined ? { total: outcome.total } : {}),
      ...(outcome.processed !== undefined ? { processed: outcome.processed } : {}),
      ...(outcome.succeeded !== undefined ? { succeeded: outcome.succeeded } : {}),
      ...(outcome.failed !== undefined ? { failed: outcome.failed } : {}),
      output_file: outcome.output?.file ?? null,
      result_json: JSON.stringify(result),
    })
    if (!written) throw new JobLeaseLost(job.id)
    await removeJobFile(deps.config, job.input_file)
  } catch (err) {
    if (err instanceof JobLeaseLost) {
      deps.log.warn({ jobId: job.id }, 'job lease lost; another runner owns the job now')
    } else if (err instanceof JobInterrupted) {
      // A graceful stop does not count as a failed attempt.
      await store.releaseJob(db, job.id, holder)
      await store.updateJob(db, job.id, { attempts: Math.max(job.attempts - 1, 0) })
    } else {
      if (!(err instanceof AppError) || err.status >= 500) deps.log.error({ err, jobId: job.id, kind: job.kind }, 'job failed')
      await finishFailed(deps, job, holder, err instanceof AppError ? err : new AppError('internal_error'), actor.lang)
    }
  } finally {
    clearInterval(timer)
  }
  return (await store.findJobById(db, job.id)) ?? null
}

async function finishFailed(deps: JobDeps, job: store.JobRow, holder: string, error: AppError, lang: 'zh' | 'en'): Promise<void> {
  const previous = parseJobResult(job) ?? {}
  await store.updateHeldJob(deps.db, job.id, holder, {
    status: 'failed', holder: null, lease_until: null, finished_at: nowIso(), message: error.messageIn(lang),
    result_json: JSON.stringify({ ...previous, errorCode: error.code, errorDetails: error.details ?? null }),
  })
  await removeJobFile(deps.config, job.input_file)
}

/** Jobs whose holders died MAX_ATTEMPTS times are given up with a message, not retried forever. */
async function failAbandoned(deps: JobDeps): Promise<void> {
  const error = new AppError('job_interrupted')
  const failed = await store.failAbandonedJobs(
    deps.db, nowIso(), MAX_ATTEMPTS, error.messageIn('zh'), JSON.stringify({ errorCode: error.code, errorDetails: { attempts: MAX_ATTEMPTS } }),
  )
  for (const f of failed) await removeJobFile(deps.config, f.input_file)
}

/** Deletes files of jobs that finished more than FILE_RETENTION_DAYS ago. */
export async function sweepJobFiles(deps: JobDeps, now = Date.now()): Promise<number> {
  const cutoff = new Date(now - FILE_RETENTION_DAYS * 86_400_000).toISOString()
  let removed = 0
  for (;;) {
    const rows = await store.findJobsWithExpiredFiles(deps.db, cutoff, 200)
    if (rows.length === 0) return removed
    for (const r of rows) {
      await removeJobFile(deps.config, r.input_file)
      await removeJobFile(deps.config, r.output_file)
      const result = { ...(parseJobResult(r) ?? {}), outputExpired: r.output_file !== null }
      await store.updateJob(deps.db, r.id, { input_file: null, output_file: null, result_json: JSON.stringify(result) })
      removed++
    }
  }
}

// --- the loop the server starts ------------------------------------------------------------------

interface RunnerState {
  deps: JobDeps
  abort: AbortController
  timer: NodeJS.Timeout | null
  current: Promise<unknown> | null
  lastSweep: number
}
let runner: RunnerState | null = null

function schedule(state: RunnerState, ms: number): void {
  if (state.abort.signal.aborted) return
  if (state.timer) clearTimeout(state.timer)
  state.timer = setTimeout(() => tick(state), ms)
  state.timer.unref()
}

function tick(state: RunnerState): void {
  state.timer = null
  if (state.current || state.abort.signal.aborted) return
  const work = (async () => {
    if (Date.now() - state.lastSweep > SWEEP_MS) {
      state.lastSweep = Date.now()
      await sweepJobFiles(state.deps)
    }
    return runNextJob(state.deps, { signal: state.abort.signal })
  })()
  state.current = work
  work.then(
    (ran) => { state.current = null; schedule(state, ran ? 0 : POLL_MS) },
    (err: unknown) => { state.current = null; state.deps.log.error({ err }, 'job runner tick failed'); schedule(state, POLL_MS) },
  )
}

/** Starts polling for jobs in this process (the server calls it once it listens). */
export function startJobRunner(app: JobDeps): void {
  if (runner) return
  runner = { deps: app, abort: new AbortController(), timer: null, current: null, lastSweep: 0 }
  schedule(runner, 0)
}

/** Asks the running job to stop after its current batch (it goes back to the queue) and waits for it. */
export async function stopJobRunner(): Promise<void> {
  const state = runner
  if (!state) return
  runner = null
  state.abort.abort()
  if (state.timer) clearTimeout(state.timer)
  await state.current?.catch(() => undefined)
}

/** A job was queued in this process: look now instead of at the next poll. */
export function wakeJobRunner(): void {
  if (runner && !runner.current) schedule(runner, 0)
}
