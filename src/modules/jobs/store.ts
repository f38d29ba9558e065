import { PostgresAdapter, type Insertable, type Selectable, type Updateable } from 'kysely'
import type { Db } from '../../db/connect.js'
import type { JobTable } from '../../db/tables/county.js'

export type JobRow = Selectable<JobTable>

export const insertJob = (db: Db, row: Insertable<JobTable>) => db.insertInto('job').values(row).returningAll().executeTakeFirstOrThrow()

export const findJobById = (db: Db, id: number) => db.selectFrom('job').selectAll().where('id', '=', id).executeTakeFirst()

export interface JobListFilter {
  actorId: number
  status: string | null
  kind: string | null
}

export async function listJobsOfActor(db: Db, f: JobListFilter, page: { limit: number; offset: number }) {
  let q = db.selectFrom('job').where('actor_id', '=', f.actorId)
  if (f.status) q = q.where('status', '=', f.status)
  if (f.kind) q = q.where('kind', '=', f.kind)
  const [rows, count] = await Promise.all([
    q.selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit).offset(page.offset).execute(),
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ])
  return { rows, total: Number(count.n) }
}

/**
 * Claims the oldest job that is queued, or running under a lease that has expired (its holder died).
 * One conditional UPDATE: only one process can win a row. On PostgreSQL the candidate is picked with
 * FOR UPDATE SKIP LOCKED so concurrent runners take different jobs instead of queueing on one row;
 * SQLite serializes writers, and the repeated condition makes a lost race update nothing.
 */
export async function claimNextJob(db: Db, holder: string, now: string, leaseUntil: string, maxAttempts: number): Promise<JobRow | undefined> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter
  return db
    .updateTable('job')
    .set((eb) => ({
      status: 'running', holder, lease_until: leaseUntil, attempts: eb('attempts', '+', 1),
      started_at: eb.fn.coalesce('started_at', eb.val(now)),
    }))
    .where((eb) => {
      let candidate = eb.selectFrom('job as candidate').select('candidate.id')
        .where((c) => c.or([
          c('candidate.status', '=', 'queued'),
          c.and([c('candidate.status', '=', 'running'), c('candidate.lease_until', '<', now), c('candidate.attempts', '<', maxAttempts)]),
        ]))
        .orderBy('candidate.id').limit(1)
      if (pg) candidate = candidate.forUpdate().skipLocked()
      return eb.and([
        eb('job.id', '=', candidate),
        eb.or([eb('job.status', '=', 'queued'), eb.and([eb('job.status', '=', 'running'), eb('job.lease_until', '<', now)])]),
      ])
    })
    .returningAll()
    .executeTakeFirst()
}

/** Jobs whose holder died too often: failed, with the message the caller chose. */
export const failAbandonedJobs = (db: Db, now: string, maxAttempts: number, message: string, resultJson: string) =>
  db.updateTable('job')
    .set({ status: 'failed', holder: null, lease_until: null, finished_at: now, message, result_json: resultJson })
    .where('status', '=', 'running').where('lease_until', '<', now).where('attempts', '>=', maxAttempts)
    .returning(['id', 'input_file'])
    .execute()

/** Updates a job only while this holder still holds it; false means the lease was lost. */
export async function updateHeldJob(db: Db, id: number, holder: string, patch: Updateable<JobTable>): Promise<boolean> {
  const res = await db.updateTable('job').set(patch).where('id', '=', id).where('holder', '=', holder).where('status', '=', 'running').executeTakeFirst()
  return Number(res.numUpdatedRows) > 0
}

/** Gives a job back to the queue (the runner is stopping before it wrote anything final). */
export const releaseJob = (db: Db, id: number, holder: string) =>
  db.updateTable('job').set({ status: 'queued', holder: null, lease_until: null })
    .where('id', '=', id).where('holder', '=', holder).where('status', '=', 'running').execute()

/** Finished jobs older than the cut-off that still keep files on disk. */
export const findJobsWithExpiredFiles = (db: Db, finishedBefore: string, limit: number) =>
  db.selectFrom('job').select(['id', 'input_file', 'output_file', 'result_json'])
    .where('status', 'in', ['done', 'failed']).where('finished_at', '<', finishedBefore)
    .where((eb) => eb.or([eb('output_file', 'is not', null), eb('input_file', 'is not', null)]))
    .orderBy('id').limit(limit).execute()

export const updateJob = (db: Db, id: number, patch: Updateable<JobTable>) => db.updateTable('job').set(patch).where('id', '=', id).execute()
