import type { FastifyReply } from 'fastify'
import type { App } from '../../server/types.js'
import { JobView } from '../jobs/schema.js'
import { attachmentHeader, XLSX_TYPE } from '../jobs/service.js'
import { xlsxResponse } from '../jobs/routes.js'
import { AccountExportQuery, AuditExportQuery, MemberExportQuery, ResidentExportQuery, UnitExportQuery } from './schema.js'
import { exportList, type ExportResult } from './service.js'

const tags = ['exports']
const responses = {
  200: xlsxResponse('The spreadsheet (up to 5,000 rows, built at once)'),
  202: { ...JobView, description: 'More rows than a direct download holds: a background job; poll links.self, then download links.output' },
}
const summary = (what: string) =>
  `Export ${what} to .xlsx with the list's filters; 200 with the file, or 202 with a job for large exports`

function send(reply: FastifyReply, result: ExportResult) {
  if ('job' in result) return reply.status(202).send(result.job)
  reply.header('content-type', XLSX_TYPE)
  reply.header('content-disposition', attachmentHeader(result.fileName))
  reply.header('cache-control', 'private, no-store')
  reply.header('x-export-rows', String(result.rows))
  return reply.send(result.file)
}

export function exportRoutes(app: App): void {
  app.get('/api/exports/residents.xlsx', {
    schema: {
      summary: summary('residents (masked unless unmasked=true with a reason and residents.unmask)'),
      tags, querystring: ResidentExportQuery, response: responses,
    },
    config: { action: 'residents.read' },
  }, async (req, reply) => send(reply, await exportList(app, req.actor, 'residents', req.query)))

  app.get('/api/exports/units.xlsx', {
    schema: { summary: summary('units'), tags, querystring: UnitExportQuery, response: responses },
    config: { action: 'units.read' },
  }, async (req, reply) => send(reply, await exportList(app, req.actor, 'units', req.query)))

  app.get('/api/exports/members.xlsx', {
    schema: { summary: summary('party members'), tags, querystring: MemberExportQuery, response: responses },
    config: { action: 'party.read' },
  }, async (req, reply) => send(reply, await exportList(app, req.actor, 'members', req.query)))

  app.get('/api/exports/audit.xlsx', {
    schema: { summary: summary('audit log entries'), tags, querystring: AuditExportQuery, response: responses },
    config: { action: 'audit.read' },
  }, async (req, reply) => send(reply, await exportList(app, req.actor, 'audit', req.query)))

  app.get('/api/exports/accounts.xlsx', {
    schema: { summary: summary('accounts'), tags, querystring: AccountExportQuery, response: responses },
    config: { action: 'accounts.read' },
  }, async (req, reply) => send(reply, await exportList(app, req.actor, 'accounts', req.query)))
}
