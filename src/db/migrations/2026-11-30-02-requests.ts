// Frozen in time: never import application code here, never edit after it has landed.
import { type Kysely, sql, PostgresAdapter } from 'kysely'

const isPg = (db: Kysely<any>) => db.getExecutor().adapter instanceof PostgresAdapter

/**
 * Service requests (诉求/工单). Tables that grow with use carry county_id as the distribution key
 * (a province shards them by county). Board figures come from maintained rollups.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const pg = isPg(db)
  const ts = pg ? 'timestamptz' : 'text'
  const pathType = pg ? sql`text collate "C"` : sql`text`
  const id = (c: any) => (pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement())

  await db.schema
    .createTable('request')
    .addColumn('id', 'integer', id)
    .addColumn('county_id', 'integer', (c) => c.notNull())
    .addColumn('tracking_code', 'text', (c) => c.notNull().unique()) // unguessable; shows the resident their own case
    .addColumn('source', 'text', (c) => c.notNull()) // qr | hotline | patrol | walk_in | enterprise | open311 | staff
    .addColumn('item_id', 'integer')
    .addColumn('category_id', 'integer')
    .addColumn('location_unit_id', 'integer', (c) => c.notNull().references('unit.id'))
    .addColumn('location_path', pathType, (c) => c.notNull())
    .addColumn('handler_unit_id', 'integer', (c) => c.references('unit.id')) // lead unit (主办)
    .addColumn('handler_path', pathType)
    .addColumn('assignee_id', 'integer') // account inside the handling unit
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('is_open', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('priority', 'text', (c) => c.notNull()) // emergency | urgent | general | complex
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('address', 'text')
    .addColumn('lat', 'real')
    .addColumn('lng', 'real')
    .addColumn('contact_name', 'text')
    .addColumn('phone_enc', 'text')
    .addColumn('phone_hash', 'text')
    .addColumn('phone_masked', 'text')
    .addColumn('anonymous', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('recorded_by', 'integer') // staff account that took a call / walk-in on the resident's behalf
    .addColumn('submitted_at', ts, (c) => c.notNull())
    .addColumn('submitted_day', 'text', (c) => c.notNull()) // YYYY-MM-DD in Asia/Shanghai: the board's period key
    .addColumn('accepted_at', ts) // first response (签收)
    .addColumn('dispatched_at', ts)
    .addColumn('started_at', ts)
    .addColumn('resolved_at', ts)
    .addColumn('closed_at', ts)
    .addColumn('response_due_at', ts)
    .addColumn('resolution_due_at', ts)
    .addColumn('warn_at', ts) // 80 % of the resolution time
    .addColumn('paused_at', ts) // clock stopped while waiting for the resident
    .addColumn('paused_minutes', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('response_overdue', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('resolution_overdue', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('warned', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('escalation_level', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('reopen_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('merged_into_id', 'integer')
    .addColumn('rating_contacted', 'integer')
    .addColumn('rating_solved', 'integer')
    .addColumn('rating_satisfaction', 'text') // satisfied | basically_satisfied | dissatisfied
    .addColumn('rated_at', ts)
    .addColumn('excluded', 'integer', (c) => c.notNull().defaultTo(0)) // appeal approved: out of the rates, still visible
    .addColumn('handling_minutes', 'integer') // calendar minutes submitted → resolved
    .addColumn('working_minutes', 'integer') // working minutes submitted → resolved, pauses excluded
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute()
  await db.schema.createIndex('request_open_handler_idx').on('request').columns(['is_open', 'handler_path', 'resolution_due_at']).execute()
  await db.schema.createIndex('request_assignee_idx').on('request').columns(['assignee_id', 'is_open', 'resolution_due_at']).execute()
  await db.schema.createIndex('request_location_idx').on('request').columns(['location_path', 'submitted_at']).execute()
  await db.schema.createIndex('request_county_day_idx').on('request').columns(['county_id', 'submitted_day']).execute()
  await db.schema.createIndex('request_due_idx').on('request').columns(['is_open', 'warn_at']).execute()

  await db.schema
    .createTable('request_event')
    .addColumn('id', 'integer', id)
    .addColumn('county_id', 'integer', (c) => c.notNull())
    .addColumn('request_id', 'integer', (c) => c.notNull().references('request.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('at', ts, (c) => c.notNull())
    .addColumn('actor_id', 'integer')
    .addColumn('actor_name', 'text')
    .addColumn('unit_id', 'integer')
    .addColumn('from_status', 'text')
    .addColumn('to_status', 'text')
    .addColumn('visibility', 'text', (c) => c.notNull().defaultTo('internal')) // internal | public
    .addColumn('note', 'text')
    .addColumn('data_json', 'text')
    .execute()
  await db.schema.createIndex('request_event_request_idx').on('request_event').columns(['request_id', 'id']).execute()

  await db.schema
    .createTable('request_unit') // lead and co-handling units (主办/协办)
    .addColumn('request_id', 'integer', (c) => c.notNull().references('request.id'))
    .addColumn('unit_id', 'integer', (c) => c.notNull().references('unit.id'))
    .addColumn('role', 'text', (c) => c.notNull()) // lead | co
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending')) // pending | accepted | done
    .addColumn('created_at', ts, (c) => c.notNull())
    .addPrimaryKeyConstraint('request_unit_pk', ['request_id', 'unit_id'])
    .execute()
  await db.schema.createIndex('request_unit_unit_idx').on('request_unit').columns(['unit_id', 'status']).execute()

  await db.schema
    .createTable('request_photo')
    .addColumn('id', 'integer', id)
    .addColumn('request_id', 'integer', (c) => c.notNull().references('request.id'))
    .addColumn('stage', 'text', (c) => c.notNull().defaultTo('intake')) // intake | resolution
    .addColumn('stored_name', 'text', (c) => c.notNull())
    .addColumn('mime', 'text', (c) => c.notNull())
    .addColumn('bytes', 'integer', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute()
  await db.schema.createIndex('request_photo_request_idx').on('request_photo').column('request_id').execute()

  await db.schema
    .createTable('request_extension')
    .addColumn('id', 'integer', id)
    .addColumn('request_id', 'integer', (c) => c.notNull().references('request.id'))
    .addColumn('requested_by', 'integer')
    .addColumn('requested_at', ts, (c) => c.notNull())
    .addColumn('extra_amount', 'integer', (c) => c.notNull())
    .addColumn('extra_unit', 'text', (c) => c.notNull()) // hours | working_hours | working_days
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull()) // pending | approved | rejected
    .addColumn('decided_by', 'integer')
    .addColumn('decided_at', ts)
    .addColumn('decision_note', 'text')
    .execute()
  await db.schema.createIndex('request_extension_request_idx').on('request_extension').column('request_id').execute()

  await db.schema
    .createTable('request_appeal') // 免考核申诉
    .addColumn('id', 'integer', id)
    .addColumn('request_id', 'integer', (c) => c.notNull().references('request.id'))
    .addColumn('unit_id', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull()) // malicious | duplicate | not_our_duty
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull()) // pending | approved | rejected
    .addColumn('requested_by', 'integer')
    .addColumn('requested_at', ts, (c) => c.notNull())
    .addColumn('decided_by', 'integer')
    .addColumn('decided_at', ts)
    .addColumn('decision_note', 'text')
    .execute()
  await db.schema.createIndex('request_appeal_status_idx').on('request_appeal').columns(['status', 'requested_at']).execute()

  await db.schema
    .createTable('request_rating') // every answer, the resident's and the staff callbacks (回访)
    .addColumn('id', 'integer', id)
    .addColumn('request_id', 'integer', (c) => c.notNull().references('request.id'))
    .addColumn('at', ts, (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull()) // resident | callback
    .addColumn('contacted', 'integer', (c) => c.notNull())
    .addColumn('solved', 'integer', (c) => c.notNull())
    .addColumn('satisfaction', 'text', (c) => c.notNull())
    .addColumn('comment', 'text')
    .addColumn('actor_id', 'integer')
    .execute()
  await db.schema.createIndex('request_rating_request_idx').on('request_rating').column('request_id').execute()

  await db.schema
    .createTable('idempotency_key')
    .addColumn('key', 'text', (c) => c.primaryKey()) // scope + ':' + client key
    .addColumn('request_id', 'integer', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('unit_assignment') // how a unit hands cases to its people
    .addColumn('unit_id', 'integer', (c) => c.primaryKey().references('unit.id'))
    .addColumn('policy', 'text', (c) => c.notNull()) // manual | round_robin | least_load
    .addColumn('last_assignee_id', 'integer')
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('response_template')
    .addColumn('id', 'integer', id)
    .addColumn('unit_id', 'integer') // null: everywhere
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('notification') // in-app inbox
    .addColumn('id', 'integer', id)
    .addColumn('account_id', 'integer', (c) => c.notNull())
    .addColumn('request_id', 'integer')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text')
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('read_at', ts)
    .execute()
  await db.schema.createIndex('notification_account_idx').on('notification').columns(['account_id', 'read_at', 'id']).execute()

  await db.schema
    .createTable('outbox') // messages to gateways (SMS, WeChat, webhooks), delivered with retries
    .addColumn('id', 'integer', id)
    .addColumn('topic', 'text', (c) => c.notNull())
    .addColumn('payload_json', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull()) // pending | sent | failed
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', ts, (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('holder', 'text')
    .addColumn('lease_until', ts)
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('sent_at', ts)
    .execute()
  await db.schema.createIndex('outbox_due_idx').on('outbox').columns(['status', 'next_attempt_at']).execute()

  await db.schema
    .createTable('open311_key')
    .addColumn('id', 'integer', id)
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('unit_id', 'integer', (c) => c.notNull().references('unit.id'))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('revoked_at', ts)
    .addColumn('last_used_at', ts)
    .execute()

  // Board rollups: one row per (dimension, unit, day) for every ancestor of the request's unit,
  // kept equal to the requests by adding each request's contribution delta on every change.
  await db.schema
    .createTable('request_rollup')
    .addColumn('dim', 'text', (c) => c.notNull()) // area (location ancestors) | handler (handling unit ancestors)
    .addColumn('unit_id', 'integer', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('county_id', 'integer', (c) => c.notNull())
    .addColumn('submitted', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('counted', 'integer', (c) => c.notNull().defaultTo(0)) // not excluded, not merged
    .addColumn('responded', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('responded_on_time', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('resolved', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('resolved_on_time', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('solved', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('rated', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('satisfied', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('basically_satisfied', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('dissatisfied', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('overdue', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('open', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('reopened', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('handling_minutes', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('working_minutes', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('request_rollup_pk', ['dim', 'unit_id', 'day'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'request_rollup', 'open311_key', 'outbox', 'notification', 'response_template', 'unit_assignment', 'idempotency_key',
    'request_rating', 'request_appeal', 'request_extension', 'request_photo', 'request_unit', 'request_event', 'request',
  ]) {
    await db.schema.dropTable(t).ifExists().execute()
  }
}
