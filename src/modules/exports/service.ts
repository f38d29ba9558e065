import { PassThrough } from 'node:stream'
import type { Db } from '../../db/connect.js'
import { AppError } from '../../server/errors.js'
import { nowIso } from '../../lib/time.js'
import { writeXlsx, type XlsxColumn } from '../../lib/xlsx.js'
import { recordAudit } from '../audit/service.js'
import { canAnywhere, subtreeFilter, unitPaths, type Actor } from '../access/service.js'
import type { Action } from '../access/roles.js'
import { listAccounts } from '../accounts/service.js'
import { listAudit } from '../audit/service.js'
import { listMembers } from '../party/service.js'
import { listResidents, residentRowsForExport } from '../residents/service.js'
import { getUnit, listUnits } from '../units/service.js'
import { enqueueJob, registerJobHandler, JobInterrupted, type JobContext, type JobDeps, type JobOutcome } from '../jobs/service.js'
import type { JobView } from '../jobs/schema.js'
import { accountColumns, auditColumns, memberColumns, residentColumns, unitColumns, type UnitExportRow } from './columns.js'
import type { AccountExportQuery, AuditExportQuery, ExportKind, MemberExportQuery, ResidentExportQuery, UnitExportQuery } from './schema.js'

/** Rows read from a list service per call. */
const PAGE = 1000

type Deps = Pick<JobDeps, 'db' | 'pii' | 'config'>

interface Source<Q, R> {
  title: string
  /** The list's read action: the unit scope every row comes from. */
  action: Action
  columns: XlsxColumn<R>[]
  /** Refuses what the caller may not export (before anything is read). */
  check?(actor: Actor, query: Q): void
  count(deps: Deps, actor: Actor, query: Q): Promise<number>
  /** The rows; what the audit entry should know that only reading them tells (rows unmasked) goes into `facts`. */
  rows(deps: Deps, actor: Actor, query: Q, facts: Record<string, unknown>): AsyncIterable<R>
  unitId(query: Q): number | null
  /** What the audit entry records besides the filters and the row count. */
  auditExtra?(query: Q): Record<string, unknown>
  /** The reason the caller gave, kept in the audit entry's reason. */
  auditReason?(query: Q): string | null
  /** The filters as the list understands them (export-only options removed). */
  filters(query: Q): Record<string, unknown>
}

/** Pages through a list service; `at` pins lists that grow while we read (the audit log). */
async function* pages<R>(list: (page: number) => Promise<{ items: R[] }>): AsyncGenerator<R> {
  for (let page = 1; ; page++) {
    const { items } = await list(page)
    yield* items
    if (items.length < PAGE) return
  }
}

const residentFilters = (q: ResidentExportQuery) => {
  const { unmasked: _unmasked, reason: _reason, ...filters } = q
  return filters
}

const residents: Source<ResidentExportQuery, Awaited<ReturnType<typeof residentRowsForExport>>['rows'][number]> = {
  title: '居民',
  action: 'residents.read',
  columns: residentColumns,
  check(actor, q) {
    if (!q.unmasked) return
    if (!canAnywhere(actor, 'residents.unmask')) throw new AppError('forbidden', { action: 'residents.unmask' })
    if (!q.reason || q.reason.trim().length < 2) throw new AppError('export_reason_required')
  },
  count: async (deps, actor, q) => (await listResidents(deps.db, deps.pii, actor, { ...residentFilters(q), page: 1, pageSize: 1 })).total,
  // The residents module masks and unmasks where the actor may; the export's one audit entry says how many rows were clear.
  async *rows(deps, actor, q, facts) {
    const read = await residentRowsForExport(deps.db, deps.pii, actor, residentFilters(q), { unmasked: q.unmasked === true })
    facts.unmaskedRows = read.unmaskedRows
    yield* read.rows
  },
  unitId: (q) => q.unitId ?? null,
  auditExtra: (q) => ({ unmasked: q.unmasked === true, ...(q.unmasked ? { reason: q.reason?.trim() } : {}) }),
  auditReason: (q) => (q.unmasked ? q.reason?.trim() ?? null : null),
  filters: residentFilters,
}

const units: Source<UnitExportQuery, UnitExportRow> = {
  title: '单位',
  action: 'units.read',
  columns: unitColumns,
  count: async (deps, actor, q) => (await listUnits(deps.db, actor, { ...q, page: 1, pageSize: 1 })).total,
  async *rows(deps, actor, q) {
    // Listed in path order, so a parent inside the export comes before its children.
    const known = new Map<number, { name: string; code: string | null } | null>()
    for await (const u of pages((page) => listUnits(deps.db, actor, { ...q, page, pageSize: PAGE }))) {
      let parent = u.parentId === null ? null : known.get(u.parentId)
      if (u.parentId !== null && parent === undefined) {
        parent = await getUnit(deps.db, actor, u.parentId).then((p) => ({ name: p.name, code: p.code }), () => null)
        known.set(u.parentId, parent)
      }
      known.set(u.id, { name: u.name, code: u.code })
      yield { ...u, parentName: parent?.name ?? null, parentCode: parent?.code ?? null }
    }
  },
  unitId: (q) => q.parentId ?? null,
  filters: (q) => ({ ...q }),
}

const members: Source<MemberExportQuery, Awaited<ReturnType<typeof listMembers>>['items'][number]> = {
  title: '党员',
  action: 'party.read',
  columns: memberColumns,
  count: async (deps, actor, q) => (await listMembers(deps.db, actor, { ...q, page: 1, pageSize: 1 })).total,
  rows: (deps, actor, q) => pages((page) => listMembers(deps.db, actor, { ...q, page, pageSize: PAGE })),
  unitId: (q) => q.unitId ?? null,
  filters: (q) => ({ ...q }),
}

const audit: Source<AuditExportQuery, Awaited<ReturnType<typeof listAudit>>['items'][number]> = {
  title: '审计日志',
  action: 'audit.read',
  columns: auditColumns,
  count: async (deps, actor, q) => (await listAudit(deps.db, actor, { ...q, page: 1, pageSize: 1 })).total,
  // Entries written while we read (this export's own, among others) would shift the pages: read up to now.
  rows: (deps, actor, q) => {
    const upTo = { ...q, to: q.to ?? nowIso() }
    return pages((page) => listAudit(deps.db, actor, { ...upTo, page, pageSize: PAGE }))
  },
  unitId: () => null,
  filters: (q) => ({ ...q }),
}

const accounts: Source<AccountExportQuery, Awaited<ReturnType<typeof listAccounts>>['items'][number]> = {
  title: '账号',
  action: 'accounts.read',
  columns: accountColumns,
  count: async (deps, actor, q) => (await listAccounts(deps.db, actor, { ...q, page: 1, pageSize: 1 })).total,
  rows: (deps, actor, q) => pages((page) => listAccounts(deps.db, actor, { ...q, page, pageSize: PAGE })),
  unitId: () => null,
  filters: (q) => ({ ...q }),
}

const sources = { residents, units, members, audit, accounts } as unknown as Record<ExportKind, Source<Record<string, unknown>, unknown>>

export type ExportQueries = {
  residents: ResidentExportQuery
  units: UnitExportQuery
  members: MemberExportQuery
  audit: AuditExportQuery
  accounts: AccountExportQuery
}

const stamp = (): string => {
  const local = new Date(Date.now() + 8 * 3600_000).toISOString()
  return `${local.slice(0, 10).replaceAll('-', '')}-${local.slice(11, 16).replace(':', '')}`
}
export const exportFileName = (kind: ExportKind): string => `${sources[kind].title}-${stamp()}.xlsx`

async function auditExport(db: Db, actor: Actor, kind: ExportKind, query: Record<string, unknown>, rows: number, facts: Record<string, unknown>): Promise<void> {
  const source = sources[kind]
  const unitId = source.unitId(query)
  const scope = subtreeFilter(actor, source.action)
  const unitPath = unitId !== null ? (await unitPaths(db, [unitId])).get(unitId) ?? null : scope.paths.length === 1 ? scope.paths[0] ?? null : null
  await db.transaction().execute((trx) =>
    recordAudit(trx, actor, {
      action: `exports.${kind}`, entityType: 'export', entityId: null, unitId, unitPath, reason: source.auditReason?.(query) ?? null,
      after: { filters: source.filters(query), rows, ...(source.auditExtra?.(query) ?? {}), ...facts },
    }),
  )
}

export type ExportResult = { job: JobView } | { file: Buffer; fileName: string; rows: number }

/**
 * Exports a list with its current filters. Up to `exportDirectMaxRows` rows the file is built at once
 * and returned; larger exports are queued as a job whose progress and download link the caller polls.
 * Every export is audited (`exports.<kind>`, with the filters and the row count).
 */
export async function exportList<K extends ExportKind>(deps: Deps, actor: Actor, kind: K, query: ExportQueries[K]): Promise<ExportResult> {
  const source = sources[kind]
  const q = query as Record<string, unknown>
  source.check?.(actor, q)
  const total = await source.count(deps, actor, q)
  if (total > deps.config.exportDirectMaxRows) {
    return { job: await enqueueJob(deps.db, actor, { kind: `export_${kind}`, unitId: source.unitId(q), params: { kind, query: q }, total }) }
  }
  const rows: unknown[] = []
  const facts: Record<string, unknown> = {}
  for await (const row of source.rows(deps, actor, q, facts)) rows.push(row)
  const file = await toBuffer(source, rows)
  await auditExport(deps.db, actor, kind, q, rows.length, facts)
  return { file, fileName: exportFileName(kind), rows: rows.length }
}

async function toBuffer(source: Source<Record<string, unknown>, unknown>, rows: unknown[]): Promise<Buffer> {
  const stream = new PassThrough()
  const chunks: Buffer[] = []
  stream.on('data', (c: Buffer) => chunks.push(c))
  const ended = new Promise<void>((resolve, reject) => { stream.on('end', resolve); stream.on('error', reject) })
  await writeXlsx({ stream }, [{ name: source.title, columns: source.columns, rows }])
  await ended
  return Buffer.concat(chunks)
}

interface ExportParams {
  kind: ExportKind
  query: Record<string, unknown>
}

async function runExport(ctx: JobContext<ExportParams>): Promise<JobOutcome> {
  const { kind, query } = ctx.params
  const source = sources[kind]
  source.check?.(ctx.actor, query)
  const file = ctx.newOutputFile(`export-${kind}`, 'xlsx')
  let total = ctx.job.total
  const facts: Record<string, unknown> = {}
  async function* watched(): AsyncGenerator<unknown> {
    for await (const row of source.rows(ctx.deps, ctx.actor, query, facts)) {
      if (ctx.stopping) throw new JobInterrupted()
      yield row
    }
  }
  // Sealed at rest: the export may hold personal information in clear (lib/sealed-file.ts).
  const [written = 0] = await writeXlsx({ stream: ctx.deps.pii.files.createWriteStream(file.path) }, [{ name: source.title, columns: source.columns, rows: watched() }], {
    every: 500,
    onRows: async (n) => {
      if (n > total) total = n
      await ctx.progress({ processed: n, total })
    },
  })
  await auditExport(ctx.deps.db, ctx.actor, kind, query, written, facts)
  return {
    message: ctx.actor.lang === 'en' ? `${written} rows exported.` : `已导出 ${written} 行。`,
    total: written, processed: written, succeeded: written, failed: 0,
    output: { file: file.name, downloadName: exportFileName(kind) },
    result: { rows: written },
  }
}

for (const kind of Object.keys(sources) as ExportKind[]) registerJobHandler<ExportParams>(`export_${kind}`, { run: runExport })
