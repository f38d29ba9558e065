import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { buildTestApp, dialects, type TestApp } from '../../../test/support/app.js'
import { smallCounty, userWith } from '../../../test/support/factories.js'
import { download } from '../../../test/support/xlsx.js'
import { AppError } from '../../server/errors.js'
import { systemActor } from '../access/service.js'
import { jobFilePath, newJobFile } from './files.js'
import { MAX_ATTEMPTS, sweepJobFiles } from './runner.js'
import { enqueueJob, JobInterrupted, registerJobHandler, runNextJob } from './service.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

// Test-only job kinds: what they do is visible in the job row.
registerJobHandler<{ ms?: number }>('test_wait', {
  async run(ctx) {
    await ctx.progress({ total: 2, processed: 1 })
    await sleep(ctx.params.ms ?? 30)
    return { message: `ran by attempt ${ctx.job.attempts}, resumed from ${JSON.stringify(ctx.previousResult?.resume ?? null)}`, processed: 2, succeeded: 2 }
  },
})
registerJobHandler('test_fail', { run: () => Promise.reject(new AppError('import_empty')) })
registerJobHandler('test_stop', {
  async run(ctx) {
    await ctx.progress({ total: 10, processed: 3 })
    if (ctx.stopping) throw new JobInterrupted()
    return { message: 'finished' }
  },
})
registerJobHandler('test_steal', {
  async run(ctx) {
    // Another runner takes the job over (as if our lease had expired).
    await ctx.deps.db.updateTable('job').set({ holder: 'someone-else' }).where('id', '=', ctx.job.id).execute()
    await ctx.progress({ processed: 1 })
    return { message: 'must not be written' }
  },
})

describe.each(dialects)('jobs on %s', (dialect) => {
  let t: TestApp
  let dataDir: string
  let adminId: number

  beforeEach(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chorus-jobs-'))
    t = await buildTestApp(dialect, { dataDir, exportDirectMaxRows: 0 })
    adminId = (await t.admin.get('/api/auth/me')).body.id
  })
  afterEach(async () => {
    await t.close()
    fs.rmSync(dataDir, { recursive: true, force: true })
  })

  const enqueue = (kind: string, params: Record<string, unknown> = {}) =>
    enqueueJob(t.dbHandle.db, { ...systemActor('test'), accountId: adminId, username: 'admin' }, { kind, unitId: null, params })
  const row = (id: number) => t.dbHandle.db.selectFrom('job').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
  const ago = (ms: number) => new Date(Date.now() - ms).toISOString()

  it('lets exactly one of two runners claim a job', async () => {
    const job = await enqueue('test_wait', { ms: 80 })
    const [a, b] = await Promise.all([runNextJob(t.app, { holder: 'runner-a' }), runNextJob(t.app, { holder: 'runner-b' })])
    expect([a, b].filter(Boolean).length).toBe(1)
    const done = await row(job.id)
    expect(done).toMatchObject({ status: 'done', attempts: 1, holder: null, lease_until: null, succeeded: 2 })
    expect(await runNextJob(t.app)).toBeNull()
  })

  it('leaves a job alone while its holder’s lease runs, and picks it up again once the lease has expired', async () => {
    const job = await enqueue('test_wait')
    await t.dbHandle.db.updateTable('job').set({
      status: 'running', holder: 'dead-process', lease_until: new Date(Date.now() + 60_000).toISOString(), attempts: 1,
      result_json: JSON.stringify({ resume: { nextIndex: 500 } }),
    }).where('id', '=', job.id).execute()
    expect(await runNextJob(t.app)).toBeNull()

    await t.dbHandle.db.updateTable('job').set({ lease_until: ago(1000) }).where('id', '=', job.id).execute()
    const ran = await runNextJob(t.app, { holder: 'survivor' })
    expect(ran).toMatchObject({ id: job.id, status: 'done', attempts: 2 })
    expect(ran?.message).toBe('ran by attempt 2, resumed from {"nextIndex":500}')
  })

  it(`gives a job up with a clear message after its holder died ${MAX_ATTEMPTS} times`, async () => {
    const job = await enqueue('test_wait')
    await t.dbHandle.db.updateTable('job').set({ status: 'running', holder: 'dead-process', lease_until: ago(1000), attempts: MAX_ATTEMPTS }).where('id', '=', job.id).execute()
    expect(await runNextJob(t.app)).toBeNull()
    const view = (await t.admin.get(`/api/jobs/${job.id}`)).body
    expect(view).toMatchObject({ status: 'failed', errorCode: 'job_interrupted', attempts: MAX_ATTEMPTS })
    expect(view.message).toContain('多次中断')
    expect(view.finishedAt).not.toBeNull()
  })

  it('records a failing handler’s error code and message', async () => {
    const job = await enqueue('test_fail')
    await runNextJob(t.app)
    const view = (await t.admin.get(`/api/jobs/${job.id}`)).body
    expect(view).toMatchObject({ status: 'failed', errorCode: 'import_empty', message: '工作表只有表头,没有数据行。' })
  })

  it('gives a job back to the queue when the runner stops, without counting the attempt', async () => {
    const job = await enqueue('test_stop')
    const stop = new AbortController()
    stop.abort()
    await runNextJob(t.app, { signal: stop.signal })
    expect(await row(job.id)).toMatchObject({ status: 'queued', holder: null, attempts: 0, processed: 3 })
    await runNextJob(t.app)
    expect(await row(job.id)).toMatchObject({ status: 'done', attempts: 1, message: 'finished' })
  })

  it('stops writing to a job whose lease another runner took', async () => {
    const job = await enqueue('test_steal')
    await runNextJob(t.app)
    expect(await row(job.id)).toMatchObject({ status: 'running', holder: 'someone-else', message: null })
  })

  it('shows a job to its owner and to overseers of its unit, its file to the owner only, and lists only your own', async () => {
    const county = await smallCounty(t)
    const owner = await userWith(t, 'community_worker', county.communityA.id)
    const neighbour = await userWith(t, 'community_worker', county.communityB.id)
    const townAdmin = await userWith(t, 'town_admin', county.subdistrict.id)

    const started = await owner.get(`/api/exports/units.xlsx?parentId=${county.communityA.id}`)
    expect(started.status).toBe(202)
    const id = started.body.id
    expect((await owner.get(`/api/jobs/${id}/output`)).body.error.code).toBe('job_output_missing')
    await runNextJob(t.app)

    const mine = await owner.get(`/api/jobs/${id}`)
    expect(mine.body).toMatchObject({ status: 'done', mine: true, unitId: county.communityA.id, links: { self: `/api/jobs/${id}`, output: `/api/jobs/${id}/output` } })
    expect((await download(owner, `/api/jobs/${id}/output`)).status).toBe(200)
    // On disk the export is sealed (lib/sealed-file.ts), not a readable zip.
    const stored = jobFilePath(t.config, (await row(id)).output_file!)
    expect(fs.readFileSync(stored).subarray(0, 8).toString('latin1')).toBe('CHSEAL01')
    expect((await owner.get('/api/jobs')).body).toMatchObject({ total: 1, items: [{ id }] })

    const other = await neighbour.get(`/api/jobs/${id}`)
    expect(other.status).toBe(403)
    expect(other.body.error.code).toBe('forbidden')
    expect((await download(neighbour, `/api/jobs/${id}/output`)).status).toBe(403)
    expect((await neighbour.get('/api/jobs')).body.total).toBe(0)

    const overseen = await townAdmin.get(`/api/jobs/${id}`)
    expect(overseen.status).toBe(200)
    expect(overseen.body).toMatchObject({ mine: false, links: { output: null } })
    const file = await download(townAdmin, `/api/jobs/${id}/output`)
    expect(file.status).toBe(403)
    expect(file.json.error.code).toBe('job_output_owner_only')
    expect((await t.admin.get('/api/jobs/999999')).status).toBe(404)

    // A file cut short is refused with a clear error, never served in part.
    fs.truncateSync(stored, fs.statSync(stored).size - 10)
    const damaged = await owner.get(`/api/jobs/${id}/output`)
    expect(damaged.status).toBe(500)
    expect(damaged.body.error.code).toBe('job_output_unreadable')
  })

  it('deletes job files a week after the job finished', async () => {
    const job = await enqueue('test_wait')
    await runNextJob(t.app)
    const file = newJobFile(t.config, 'export-test', 'xlsx')
    fs.writeFileSync(file.path, 'x')
    await t.dbHandle.db.updateTable('job').set({ output_file: file.name, finished_at: ago(8 * 86_400_000) }).where('id', '=', job.id).execute()
    expect(await sweepJobFiles(t.app)).toBe(1)
    expect(fs.existsSync(jobFilePath(t.config, file.name))).toBe(false)
    const view = (await t.admin.get(`/api/jobs/${job.id}`)).body
    expect(view.links.output).toBeNull()
    expect(view.result).toMatchObject({ outputExpired: true })
  })
})
