import type { App } from '../../server/types.js'
import { AuditPage, AuditQuery } from './schema.js'
import { listAudit } from './service.js'

export function auditRoutes(app: App): void {
  app.get('/api/audit', {
    schema: { summary: 'List audit entries (newest first)', tags: ['audit'], querystring: AuditQuery, response: { 200: AuditPage } },
    config: { action: 'audit.read' },
  }, (req) => listAudit(app.db, req.actor, req.query))
}
