import fs from 'node:fs'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { Db } from '../../db/connect.js'
import { AppError } from '../../server/errors.js'
import { shanghaiDay } from '../../lib/time.js'
import { recordAudit } from '../audit/service.js'
import { requireAccess, unitPaths, type Actor } from '../access/service.js'
import { enqueueJob, registerJobHandler, JobInterrupted, type JobContext, type JobDeps, type JobOutcome } from '../jobs/service.js'
import type { JobView } from '../jobs/schema.js'
import { jobFilePath, newJobFile, removeJobFile } from '../jobs/files.js'
import { matchHeaders, RowCells, type HeaderMatch, type ImportSpec, type RowProblem } from './columns.js'
import { BatchOrderMismatch, type Importer, type ImportEnv, type RowRecord } from './engine.js'
import { isExampleRow, writeErrorReport } from './report.js'
import { residentsImporter } from './residents-import.js'
import { unitsImporter } from './units-import.js'
import { membersImporter } from './members-import.js'
import { buildTemplate } from './templates.js'
import { countDataRows, inspectXlsx, readSheetRows, type XlsxLayout } from './xlsx-file.js'
import { releaseSavepoint, rollbackToSavepoint, savepoint } from './store.js'
import type { ImportKind, ImportMode, ImportQuery } from './schema.js'

type AnyImporter = Importer<string, unknown, unknown>
const importers: Record<ImportKind, AnyImporter> = {
  units: unitsImporter,
  residents: residentsImporter,
  members: membersImporter,
}

/** Rows per transaction: large enough to be fast, small enough that progress moves and other requests get through. */
const BATCH = 500

// --- templates --------------------------------------------------------------------------------

export const templateFileName = (kind: ImportKind): string => `${importers[kind].spec.title}导入模板.xlsx`

export async function importTemplate(db: Db, kind: ImportKind): Promise<Buffer> {
  const importer = importers[kind]
  return buildTemplate(importer.templateSpec ? await importer.templateSpec(db) : importer.spec)
}

// --- upload -----------------------------------------------------------------------------------

export interface Upload {
  file: Readable
  filename: string
}

/**
 * Takes an uploaded spreadsheet: checks the caller may import into the unit, stores the file,
 * refuses what is not an xlsx, a file with too many rows (counted while streaming, stopping just
 * past the limit) and a header row that does not match the template; then queues the import job.
 */
export async function startImport(deps: JobDeps, actor: Actor, kind: ImportKind, query: ImportQuery, upload: Upload): Promise<JobView> {
  const importer = importers[kind]
  const env = envFor(deps, actor, query.mode, query.unitId)
  await requireAccess(deps.db, actor, 'imports.run', [query.unitId])
  await importer.checkTarget(env)

  const stored = newJobFile(deps.config, `upload-${kind}`, 'xlsx')
  try {
    // Sealed at rest as it streams in (it holds identity numbers and phones in clear).
    await pipeline(upload.file, deps.pii.files.createWriteStream(stored.path))
    const layout = await inspectXlsx(() => deps.pii.files.open(stored.path))
    const limit = deps.config.importMaxRows
    const counted = await countDataRows(layout, limit)
    if (counted.overLimit) throw new AppError('import_too_many_rows', { limit, rowsRead: counted.dataRows, stoppedEarly: true })
    await checkHeaderRow(layout, importer.spec)
    if (counted.dataRows === 0) throw new AppError('import_empty')
    return await enqueueJob(deps.db, actor, {
      kind: `import_${kind}`, unitId: query.unitId, inputFile: stored.name, total: counted.dataRows,
      params: { kind, mode: query.mode, fileName: upload.filename.slice(0, 200) },
    })
  } catch (err) {
    await removeJobFile(deps.config, stored.name)
    throw err
  }
}

async function checkHeaderRow(layout: XlsxLayout, spec: ImportSpec): Promise<HeaderMatch<string>> {
  for await (const row of readSheetRows(layout)) {
    const matched = matchHeaders(spec, row.cells)
    if (!matched.ok) throw new AppError('import_bad_headers', { sheet: layout.sheetName, ...matched.problems })
    return matched.match
  }
  throw new AppError('import_empty')
}

const envFor = (deps: JobDeps, actor: Actor, mode: ImportMode, unitId: number): ImportEnv => ({
  db: deps.db, pii: deps.pii, actor, mode, targetUnitId: unitId, today: shanghaiDay(new Date()),
})

// --- the job ----------------------------------------------------------------------------------

interface ImportParams {
  kind: ImportKind
  mode: ImportMode
  fileName: string
}

interface ResumePoint {
  nextIndex: number
  snapshot: unknown
}

class Rollback extends Error {
  constructor() { super('rolled back on purpose') }
}

const isConstraintViolation = (err: unknown): boolean => {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' && (code.startsWith('23') || code.startsWith('SQLITE_CONSTRAINT'))
}

/** Phases and their share of the progress bar, so processed/total rises steadily from 0 to 1. */
const PHASES: Record<ImportMode, Record<string, [number, number]>> = {
  valid_rows: { reading: [0, 0.2], writing: [0.2, 0.8] },
  all_or_nothing: { reading: [0, 0.1], checking: [0.1, 0.45], writing: [0.55, 0.45] },
}

async function runImport(ctx: JobContext<ImportParams>): Promise<JobOutcome> {
  const { kind, mode, fileName } = ctx.params
  const importer = importers[kind]
  const deps = ctx.deps
  const db = deps.db
  const job = ctx.job
  if (!ctx.inputPath || job.unit_id === null) throw new AppError('import_file_missing')
  const env = envFor(deps, ctx.actor, mode, job.unit_id)
  const phases = PHASES[mode]
  const lang = ctx.actor.lang

  // A restart after the all-or-nothing transaction committed only has to report.
  if (ctx.previousResult?.committed === true) {
    return { message: doneMessage(lang, mode, job.succeeded, 0), processed: job.total, result: { ...ctx.previousResult, phase: 'done' } }
  }

  const state = await importer.prepare(env)
  const inputPath = ctx.inputPath
  const layout = await inspectXlsx(() => deps.pii.files.open(inputPath))
  const spec = importer.spec

  // 1. read every row and judge it on its own
  let total = job.total
  const at = (phase: string, done: number) => {
    const [start, share] = phases[phase] ?? [0, 1]
    return Math.min(Math.floor(total * (start + (share * done) / Math.max(total, 1))), total)
  }
  // Progress carries the phase; an earlier attempt's resume point is kept until a new one replaces it.
  const phaseResult = (phase: string) => ({ phase, ...(ctx.previousResult?.resume ? { resume: ctx.previousResult.resume } : {}) })
  let match: HeaderMatch<string> | null = null
  const records: RowRecord<unknown>[] = []
  let exampleRows = 0
  for await (const row of readSheetRows(layout)) {
    if (match === null) {
      const matched = matchHeaders(spec, row.cells)
      if (!matched.ok) throw new AppError('import_bad_headers', { sheet: layout.sheetName, ...matched.problems })
      match = matched.match
      continue
    }
    if (isExampleRow(row.cells)) { exampleRows++; continue }
    if (records.length >= deps.config.importMaxRows) throw new AppError('import_too_many_rows', { limit: deps.config.importMaxRows })
    const parsed = await importer.parse(new RowCells(spec, match, row.cells), state, env)
    records.push({ index: records.length, rowNumber: row.number, value: parsed.value ?? null, problems: parsed.problems ?? [] })
    if (records.length % BATCH === 0) await ctx.progress({ processed: at('reading', records.length), result: phaseResult('reading') })
  }
  if (match === null || records.length === 0) throw new AppError('import_empty')
  total = records.length
  importer.checkAll?.(records, state)
  locateProblems(records, spec, match)
  await ctx.progress({ total, processed: at('reading', total), failed: records.filter((r) => r.problems.length > 0).length, result: phaseResult(mode === 'valid_rows' ? 'writing' : 'checking') })

  const problemsFile = `${job.input_file as string}.problems.jsonl`
  const writer = new RowWriter(importer, state, env)
  let committed = false

  if (mode === 'valid_rows') {
    // 2a. write the good rows batch by batch; each batch commits with its resume point
    let resume = (ctx.previousResult?.resume ?? null) as ResumePoint | null
    let start = 0
    if (resume) {
      // Rows before the resume point were decided by the earlier attempt: keep exactly its verdicts.
      start = resume.nextIndex
      importer.restore?.(state, resume.snapshot)
      const earlier = new Map((await readProblemsFile(deps, problemsFile)).map(({ i, p }) => [i, p]))
      for (const r of records.slice(0, start)) r.problems = earlier.get(r.index) ?? []
      writer.written = job.succeeded
    }
    const pointAfter = (next: number): ResumePoint => ({ nextIndex: next, snapshot: importer.snapshot?.(state, next, records) ?? null })
    for (let from = start; from < records.length; from += BATCH) {
      const batch = records.slice(from, from + BATCH)
      const next = from + batch.length
      // Each row lands whole (its savepoint) and each batch commits with its resume point; the last one with the import's audit entry.
      await db.transaction().execute(async (trx) => {
        await writer.batch(trx, batch)
        await appendProblems(deps, problemsFile, batch)
        if (next === records.length) await auditImport(trx, env, kind, mode, fileName, total, writer.written, importer.summary(state))
        await ctx.checkpoint(trx, {
          processed: at('writing', next), succeeded: writer.written, failed: countFailed(records, next),
          result: { phase: 'writing', resume: pointAfter(next) },
        })
      })
      resume = pointAfter(next)
      await ctx.progress({ result: { phase: 'writing', resume } })
      if (ctx.stopping && next < records.length) throw new JobInterrupted()
    }
    committed = writer.written > 0
  } else {
    // 2b. all or nothing through the owning services, which write inside the caller's transaction:
    // check every row without keeping a write (other requests get through between batches), then
    // write everything, with its audit entries and the job's final checkpoint, in one transaction.
    for (let from = 0; from < records.length; from += BATCH) {
      const batch = records.slice(from, from + BATCH)
      const good = batch.filter((r) => r.value !== null && r.problems.length === 0)
      if (importer.checkBatch) await importer.checkBatch(db, good, state, env)
      else {
        await rolledBack(db, async (trx) => { await writer.batch(trx, batch) })
        importer.resetWrites?.(state)
      }
      await ctx.progress({ processed: at('checking', from + batch.length), failed: countFailed(records, records.length), result: { phase: 'checking' } })
      if (ctx.stopping) throw new JobInterrupted()
    }
    writer.written = 0
    if (!records.some((r) => r.problems.length > 0)) {
      const outcome = await rolledBackUnless(db, async (trx) => {
        for (let from = 0; from < records.length; from += BATCH) {
          const batch = records.slice(from, from + BATCH)
          await writer.batch(trx, batch)
          if (batch.some((r) => r.problems.length > 0)) return false
          await ctx.progress({ processed: at('writing', from + batch.length), result: { phase: 'writing' } }, trx)
        }
        await auditImport(trx, env, kind, mode, fileName, total, writer.written, importer.summary(state))
        await ctx.checkpoint(trx, { processed: total, succeeded: writer.written, failed: 0, result: { phase: 'done', committed: true, written: importer.summary(state) } })
        return true
      })
      if (!outcome) { importer.resetWrites?.(state); writer.written = 0 }
      committed = outcome
    }
  }

  // 3. the error report (problems found while writing are placed in their columns too)
  locateProblems(records, spec, match)
  const refused = new Map(records.filter((r) => r.problems.length > 0).map((r) => [r.index, r.problems]))
  let output: JobOutcome['output'] = null
  if (refused.size > 0) {
    const file = ctx.newOutputFile('import-errors', 'xlsx')
    await writeErrorReport(layout, match.ignored, refused, deps.pii.files.createWriteStream(file.path), spec.sheetName)
    output = { file: file.name, downloadName: `${spec.title}导入错误报告-${job.id}.xlsx` }
  }
  await removeJobFile(deps.config, problemsFile)
  const succeeded = committed || mode === 'valid_rows' ? writer.written : 0
  return {
    message: doneMessage(lang, mode, succeeded, refused.size),
    total, processed: total, succeeded, failed: refused.size, output,
    result: { phase: 'done', mode, written: importer.summary(state), exampleRowsSkipped: exampleRows, committed },
  }
}

/** Writes rows through the importer, turning a refusal of one row into that row's problems. */
class RowWriter {
  written = 0
  constructor(private readonly importer: AnyImporter, private readonly state: unknown, private readonly env: ImportEnv) {}

  /** Writes the good rows of a batch inside the transaction; returns the rows written. */
  async batch(trx: Db, batch: RowRecord<unknown>[]): Promise<RowRecord<unknown>[]> {
    const good = batch.filter((r) => r.value !== null && r.problems.length === 0)
    if (good.length === 0) return []
    if (this.importer.writeBatch) {
      await savepoint(trx, 'import_batch')
      try {
        this.written += await this.importer.writeBatch(trx, good, this.state, this.env)
        await releaseSavepoint(trx, 'import_batch')
        return good.filter((r) => r.problems.length === 0)
      } catch (err) {
        await rollbackToSavepoint(trx, 'import_batch')
        await releaseSavepoint(trx, 'import_batch')
        if (!(err instanceof BatchOrderMismatch) && !isConstraintViolation(err)) throw err
        // Something changed under us (or the order check failed): the slow, row-by-row path decides each row.
        for (const r of good) r.problems = []
      }
    }
    const written: RowRecord<unknown>[] = []
    for (const r of good) if (await this.inTransaction(trx, r)) written.push(r)
    return written
  }

  async inTransaction(trx: Db, r: RowRecord<unknown>): Promise<boolean> {
    await savepoint(trx)
    try {
      await this.importer.writeRow(trx, r, this.state, this.env)
      await releaseSavepoint(trx)
      this.written++
      return true
    } catch (err) {
      await rollbackToSavepoint(trx)
      await releaseSavepoint(trx)
      return this.refuse(r, err)
    }
  }

  private refuse(r: RowRecord<unknown>, err: unknown): false {
    if (err instanceof AppError && err.status < 500) {
      r.problems = this.importer.problemsOf({ code: err.code, details: err.details, zh: err.messageIn('zh') }, r)
      return false
    }
    if (isConstraintViolation(err)) {
      r.problems = [{ column: null, header: null, message: '与已有数据冲突,未写入' }]
      return false
    }
    throw err
  }
}

async function rolledBack(db: Db, work: (trx: Db) => Promise<void>): Promise<void> {
  try {
    await db.transaction().execute(async (trx) => { await work(trx); throw new Rollback() })
  } catch (err) {
    if (!(err instanceof Rollback)) throw err
  }
}

/** Commits when `work` returns true, rolls back when it returns false. */
async function rolledBackUnless(db: Db, work: (trx: Db) => Promise<boolean>): Promise<boolean> {
  try {
    await db.transaction().execute(async (trx) => { if (!(await work(trx))) throw new Rollback() })
    return true
  } catch (err) {
    if (err instanceof Rollback) return false
    throw err
  }
}

function locateProblems(records: RowRecord<unknown>[], spec: ImportSpec, match: HeaderMatch<string>): void {
  const keyOf = new Map(spec.columns.map((c) => [c.header, c.key]))
  for (const r of records) {
    for (const p of r.problems) {
      if (p.column !== null || p.header === null) continue
      const i = match.index.get(keyOf.get(p.header) ?? '')
      if (i !== undefined) p.column = i + 1
    }
  }
}

const countFailed = (records: RowRecord<unknown>[], upTo: number): number => {
  let n = 0
  for (let i = 0; i < upTo && i < records.length; i++) if ((records[i] as RowRecord<unknown>).problems.length > 0) n++
  return n
}

function doneMessage(lang: 'zh' | 'en', mode: ImportMode, written: number, refused: number): string {
  if (refused === 0) return lang === 'en' ? `All ${written} rows were imported.` : `已全部导入,共 ${written} 行。`
  if (mode === 'all_or_nothing') {
    return lang === 'en'
      ? `${refused} rows have errors, so nothing was imported (all or nothing). Download the error report, correct it and upload it again.`
      : `有 ${refused} 行存在错误,按“全部导入或全部不导入”未导入任何数据。请下载错误报告修改后重新上传。`
  }
  return lang === 'en'
    ? `${written} rows were imported; ${refused} rows have errors and were not imported (see the error report).`
    : `已导入 ${written} 行;${refused} 行存在错误未导入,请下载错误报告。`
}

async function auditImport(trx: Db, env: ImportEnv, kind: ImportKind, mode: ImportMode, fileName: string, rows: number, written: number, summary: Record<string, number>): Promise<void> {
  const path = (await unitPaths(trx, [env.targetUnitId])).get(env.targetUnitId) ?? null
  await recordAudit(trx, env.actor, {
    action: `imports.${kind}`, entityType: 'import', entityId: null, unitId: env.targetUnitId, unitPath: path,
    after: { mode, fileName, rows, written, refused: rows - written, ...summary },
  })
}

// The problems found while writing are appended before each batch commits, so a restarted job can report them.
async function appendProblems(deps: JobDeps, name: string, batch: RowRecord<unknown>[]): Promise<void> {
  // One sealed line per row (the problems quote household numbers and row contents).
  const lines = batch.filter((r) => r.problems.length > 0).map((r) => deps.pii.encrypt(JSON.stringify({ i: r.index, p: r.problems })) + '\n').join('')
  if (lines) await fs.promises.appendFile(jobFilePath(deps.config, name), lines, { mode: 0o600 })
}

async function readProblemsFile(deps: JobDeps, name: string): Promise<{ i: number; p: RowProblem[] }[]> {
  const text = await fs.promises.readFile(jobFilePath(deps.config, name), 'utf8').catch(() => '')
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(deps.pii.decrypt(l)) as { i: number; p: RowProblem[] })
}

for (const kind of Object.keys(importers) as ImportKind[]) {
  registerJobHandler<ImportParams>(`import_${kind}`, { run: runImport })
}
