import type { Db } from '../../db/connect.js'
import { AppError } from '../../server/errors.js'
import type { App } from '../../server/types.js'
import { SealedFileError, type OpenedFile } from '../../lib/sealed-file.js'
import { nowIso } from '../../lib/time.js'
import { pageOf } from '../../lib/paging.js'
import { can, subtreeFilter, unitPaths, type Actor } from '../access/service.js'
import { jobFilePath } from './files.js'
import { parseJobOptions, parseJobResult, wakeJobRunner, type StoredJobOptions } from './runner.js'
import type { JobQuery, JobStatus, JobView } from './schema.js'
import * as store from './store.js'

export { registerJobHandler, runNextJob, startJobRunner, stopJobRunner, JobInterrupted } from './runner.js'
export type { JobContext, JobDeps, JobHandler, JobOutcome } from './runner.js'

export interface EnqueueInput {
  kind: string
  unitId: number | null
  /** What the handler needs; shown to the owner as `options` (never put secrets here). */
  params: Record<string, unknown>
  /** Name of a file already placed in the jobs folder (see files.ts). */
  inputFile?: string | null
  total?: number
}

/**
 * Queues a job for the actor. The caller has already checked the actor may do what the job does;
 * the actor's grants are frozen into the job so it runs with exactly those rights.
 */
export async function enqueueJob(db: Db, actor: Actor, input: EnqueueInput): Promise<JobView> {
  if (actor.accountId === null) throw new AppError('unauthenticated')
  const { sessionId: _sessionId, ...frozen } = actor
  const options: StoredJobOptions = { actor: frozen, params: input.params }
  const row = await store.insertJob(db, {
    kind: input.kind, status: 'queued', options_json: JSON.stringify(options), input_file: input.inputFile ?? null,
    total: input.total ?? 0, unit_id: input.unitId, actor_id: actor.accountId, created_at: nowIso(),
  })
  wakeJobRunner()
  return toJobView(row, actor)
}

export function toJobView(row: store.JobRow, actor: Actor): JobView {
  const result = parseJobResult(row)
  const mine = row.actor_id !== null && row.actor_id === actor.accountId
  const done = row.status === 'done'
  const progress = done ? 1 : row.total > 0 ? Math.min(row.processed / row.total, 1) : 0
  const { errorCode, errorDetails, outputName, ...rest } = result ?? {}
  return {
    id: row.id,
    kind: row.kind,
    status: row.status as JobStatus,
    total: row.total,
    processed: row.processed,
    succeeded: row.succeeded,
    failed: row.failed,
    progress: Math.round(progress * 1000) / 1000,
    message: row.message,
    errorCode: typeof errorCode === 'string' ? errorCode : null,
    errorDetails: errorDetails ?? null,
    unitId: row.unit_id,
    mine,
    attempts: row.attempts,
    options: parseJobOptions(row)?.params ?? null,
    result: Object.keys(rest).length > 0 ? rest : null,
    outputName: row.output_file && typeof outputName === 'string' ? outputName : null,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    links: { self: `/api/jobs/${row.id}`, output: row.output_file && mine ? `/api/jobs/${row.id}/output` : null },
  }
}

/** The owner sees a job; so does an account that oversees jobs over the job's unit (status only). */
async function loadVisible(db: Db, actor: Actor, id: number): Promise<store.JobRow> {
  const row = await store.findJobById(db, id)
  if (!row) throw new AppError('job_not_found')
  if (row.actor_id !== null && row.actor_id === actor.accountId) return row
  const oversees = row.unit_id === null
    ? subtreeFilter(actor, 'jobs.oversee').all
    : await unitPaths(db, [row.unit_id]).then((paths) => {
      const path = paths.get(row.unit_id as number)
      return path !== undefined && can(actor, 'jobs.oversee', path)
    })
  if (!oversees) throw new AppError('forbidden', { action: 'jobs.oversee' })
  return row
}

export async function getJob(db: Db, actor: Actor, id: number): Promise<JobView> {
  return toJobView(await loadVisible(db, actor, id), actor)
}

export async function listJobs(db: Db, actor: Actor, query: JobQuery): Promise<{ items: JobView[]; total: number }> {
  if (actor.accountId === null) throw new AppError('unauthenticated')
  const { rows, total } = await store.listJobsOfActor(db, { actorId: actor.accountId, status: query.status ?? null, kind: query.kind ?? null }, pageOf(query))
  return { total, items: rows.map((r) => toJobView(r, actor)) }
}

export interface JobOutputFile {
  /** The content, unsealed (job files are sealed at rest: lib/sealed-file.ts); close it or consume its stream. */
  file: OpenedFile
  downloadName: string
  contentType: string
}

/** The error report or export of a job: for its owner only, since it may hold personal information in clear. */
export async function jobOutput(deps: Pick<App, 'db' | 'config' | 'pii'>, actor: Actor, id: number): Promise<JobOutputFile> {
  const row = await loadVisible(deps.db, actor, id)
  if (row.actor_id !== actor.accountId) throw new AppError('job_output_owner_only')
  if (!row.output_file) throw new AppError('job_output_missing')
  let file: OpenedFile
  try {
    file = await deps.pii.files.open(jobFilePath(deps.config, row.output_file))
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new AppError('job_output_missing')
    if (err instanceof SealedFileError) throw new AppError('job_output_unreadable')
    throw err
  }
  const name = parseJobResult(row)?.outputName
  return {
    file,
    downloadName: typeof name === 'string' ? name : row.output_file,
    contentType: row.output_file.endsWith('.xlsx') ? XLSX_TYPE : 'application/octet-stream',
  }
}

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

/** Content-Disposition for a download with a Chinese file name (RFC 6266 / 5987). */
export function attachmentHeader(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_')
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`
}
