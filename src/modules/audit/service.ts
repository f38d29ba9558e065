import type { Db } from '../../db/connect.js'
import { nowIso } from '../../lib/time.js'
import { inSubtrees } from '../../db/subtree.js'
import type { Actor } from '../access/service.js'
import { subtreeFilter } from '../access/service.js'
import { insertAuditEntry, listAuditEntries, type AuditFilters } from './store.js'
import type { AuditEntryView, AuditQuery } from './schema.js'
import { pageOf } from '../../lib/paging.js'

export interface AuditInput {
  action: string
  entityType: string
  entityId?: string | number | null
  unitId?: number | null
  unitPath?: string | null
  before?: unknown
  after?: unknown
  reason?: string | null
}

/** Records one audit entry inside the caller's transaction, so the entry and the change commit together. */
export async function recordAudit(db: Db, actor: Actor, input: AuditInput): Promise<void> {
  await insertAuditEntry(db, {
    at: nowIso(),
    actor_id: actor.accountId,
    actor_username: actor.username,
    action: input.action,
    entity_type: input.entityType,
    entity_id: input.entityId === undefined || input.entityId === null ? null : String(input.entityId),
    unit_id: input.unitId ?? null,
    unit_path: input.unitPath ?? null,
    ip: actor.ip,
    request_id: actor.requestId,
    reason: input.reason ?? null,
    before_json: input.before === undefined ? null : JSON.stringify(input.before),
    after_json: input.after === undefined ? null : JSON.stringify(input.after),
  })
}

const parseJson = (text: string | null): unknown => (text === null ? null : JSON.parse(text))

/** Entries tied to a unit are visible inside the auditor's subtrees; unit-less entries only to deployment-wide grants. */
export async function listAudit(db: Db, actor: Actor, query: AuditQuery): Promise<{ items: AuditEntryView[]; total: number }> {
  const scope = subtreeFilter(actor, 'audit.read')
  const filters: AuditFilters = {
    scope: (eb) => inSubtrees(eb, 'audit_log.unit_path', scope),
    actor: query.actor ?? null,
    action: query.action ?? null,
    entityType: query.entityType ?? null,
    entityId: query.entityId ?? null,
    from: query.from ?? null,
    to: query.to ?? null,
  }
  const { rows, total } = await listAuditEntries(db, filters, pageOf(query))
  return {
    total,
    items: rows.map((r) => ({
      id: r.id,
      at: r.at,
      actorId: r.actor_id,
      actorUsername: r.actor_username,
      action: r.action,
      entityType: r.entity_type,
      entityId: r.entity_id,
      unitId: r.unit_id,
      ip: r.ip,
      requestId: r.request_id,
      reason: r.reason,
      before: parseJson(r.before_json),
      after: parseJson(r.after_json),
    })),
  }
}
