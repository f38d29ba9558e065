import type { App } from '../../server/types.js'
import { IdParams } from '../../server/schemas.js'
import { JobPage, JobQuery, JobView } from './schema.js'
import * as service from './service.js'

const tags = ['jobs']

/** A downloadable spreadsheet, documented for OpenAPI. */
export const xlsxResponse = (description: string) => ({
  description,
  content: { [service.XLSX_TYPE]: { schema: { type: 'string', format: 'binary' } } },
})

export function jobRoutes(app: App): void {
  app.get('/api/jobs', {
    schema: { summary: 'Your own import and export jobs, newest first', tags, querystring: JobQuery, response: { 200: JobPage } },
    config: { action: 'authenticated' },
  }, (req) => service.listJobs(app.db, req.actor, req.query))

  app.get('/api/jobs/:id', {
    schema: { summary: 'One job: status, progress, counts, message and the download link (poll this)', tags, params: IdParams, response: { 200: JobView } },
    config: { action: 'authenticated' },
  }, (req) => service.getJob(app.db, req.actor, req.params.id))

  app.get('/api/jobs/:id/output', {
    schema: { summary: "Download a job's error report or export (its owner only)", tags, params: IdParams, response: { 200: xlsxResponse('The error report or export') } },
    config: { action: 'authenticated' },
  }, async (req, reply) => {
    const file = await service.jobOutput(app, req.actor, req.params.id)
    reply.header('content-type', file.contentType)
    reply.header('content-length', file.file.size)
    reply.header('content-disposition', service.attachmentHeader(file.downloadName))
    reply.header('cache-control', 'private, no-store')
    return reply.send(file.file.stream())
  })
}
