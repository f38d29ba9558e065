import { Type, type Static } from 'typebox'
import { PageQuery, Paged } from '../../lib/paging.js'
import { registerErrors } from '../../server/errors.js'

export const jobStatuses = ['queued', 'running', 'done', 'failed'] as const
export type JobStatus = (typeof jobStatuses)[number]

registerErrors({
  job_not_found: { status: 404, en: 'No such job.', zh: '任务不存在。' },
  job_output_missing: {
    status: 404,
    en: 'This job has no file to download (it is still running, produced none, or the file has expired).',
    zh: '该任务没有可下载的文件(仍在处理、未生成文件或文件已过期)。',
  },
  job_output_unreadable: {
    status: 500,
    en: 'The file of this job cannot be read back (damaged, or sealed under another key); run the job again.',
    zh: '该任务的文件无法读取(已损坏或密钥不符),请重新执行任务。',
  },
  job_output_owner_only: {
    status: 403,
    en: "Only the account that started the job can download its file (it may hold personal information).",
    zh: '只有发起任务的账号可以下载其文件(文件可能含个人信息)。',
  },
  job_interrupted: {
    status: 500,
    en: 'The process running this job stopped several times; the job was given up. Check the data and start it again.',
    zh: '处理该任务的进程多次中断,任务已终止。请核对数据后重新提交。',
  },
})

export const JobView = Type.Object({
  id: Type.Integer(),
  kind: Type.String({ description: 'import_units | import_residents | import_members | export_residents | export_units | export_members | export_audit | export_accounts' }),
  status: Type.Enum(jobStatuses, { description: 'queued → running → done | failed' }),
  total: Type.Integer({ description: 'Rows to process (0 until known)' }),
  processed: Type.Integer({ description: 'Rows processed so far; updated every few hundred rows' }),
  succeeded: Type.Integer({ description: 'Rows written (imports) or exported' }),
  failed: Type.Integer({ description: 'Rows refused (imports): they are listed in the error report' }),
  progress: Type.Number({ minimum: 0, maximum: 1, description: 'processed / total (1 when done)' }),
  message: Type.Union([Type.String(), Type.Null()], { description: 'Outcome or failure, for a person to read' }),
  errorCode: Type.Union([Type.String(), Type.Null()], { description: 'Stable code when the job failed as a whole' }),
  errorDetails: Type.Unknown({ description: 'Details of the failure (e.g. missing headers), or null' }),
  unitId: Type.Union([Type.Integer(), Type.Null()]),
  mine: Type.Boolean({ description: 'Started by the caller' }),
  attempts: Type.Integer({ description: 'Times a runner has started it (a job whose process died is picked up again)' }),
  options: Type.Unknown({ description: 'What was asked: import mode and file name, or export filters' }),
  result: Type.Unknown({ description: 'What came out: rows written per kind, error rows, rows exported' }),
  outputName: Type.Union([Type.String(), Type.Null()], { description: 'File name of the error report or export' }),
  createdAt: Type.String({ format: 'date-time' }),
  startedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  finishedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  links: Type.Object({
    self: Type.String({ description: 'Poll this for progress' }),
    output: Type.Union([Type.String(), Type.Null()], { description: 'Download of the error report or export (only for its owner, once ready)' }),
  }),
})
export type JobView = Static<typeof JobView>
export const JobPage = Paged(JobView)

export const JobQuery = Type.Intersect([
  PageQuery,
  Type.Object({
    status: Type.Optional(Type.Enum(jobStatuses)),
    kind: Type.Optional(Type.String({ pattern: '^[a-z_]{1,40}$' })),
  }),
])
export type JobQuery = Static<typeof JobQuery>
