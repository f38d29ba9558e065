// Frozen in time: never import application code here, never edit after it has landed.
import { type Kysely, sql, PostgresAdapter } from 'kysely'

const isPg = (db: Kysely<any>) => db.getExecutor().adapter instanceof PostgresAdapter

export async function up(db: Kysely<any>): Promise<void> {
  const pg = isPg(db)
  const ts = pg ? 'timestamptz' : 'text'
  // Subtree queries are ranges on the path; PostgreSQL must compare it bytewise.
  const pathType = pg ? sql`text collate "C"` : sql`text`
  const id = (c: any) => (pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement())

  await db.schema
    .createTable('unit')
    .addColumn('id', 'integer', id)
    .addColumn('parent_id', 'integer', (c) => c.references('unit.id'))
    .addColumn('county_id', 'integer')
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('code', 'text')
    .addColumn('path', pathType, (c) => c.notNull())
    .addColumn('depth', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active'))
    .addColumn('address', 'text')
    .addColumn('boundary', 'text')
    .addColumn('sort_order', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('archived_at', ts)
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute()
  await db.schema.createIndex('unit_path_idx').on('unit').column('path').unique().execute()
  await db.schema.createIndex('unit_parent_idx').on('unit').columns(['parent_id', 'sort_order']).execute()
  await db.schema.createIndex('unit_type_path_idx').on('unit').columns(['type', 'path']).execute()
  await db.schema.createIndex('unit_code_idx').on('unit').column('code').unique().execute()

  await db.schema
    .createTable('account')
    .addColumn('id', 'integer', id)
    .addColumn('username', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active'))
    .addColumn('must_change_password', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('failed_logins', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('failed_window_start', ts)
    .addColumn('locked_until', ts)
    .addColumn('password_changed_at', ts, (c) => c.notNull())
    .addColumn('last_login_at', ts)
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('account_grant')
    .addColumn('id', 'integer', id)
    .addColumn('account_id', 'integer', (c) => c.notNull().references('account.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull())
    // null: the whole deployment (a province-wide administrator)
    .addColumn('unit_id', 'integer', (c) => c.references('unit.id'))
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute()
  await db.schema.createIndex('account_grant_account_idx').on('account_grant').column('account_id').execute()
  await db.schema.createIndex('account_grant_unit_idx').on('account_grant').column('unit_id').execute()

  await db.schema
    .createTable('session')
    .addColumn('id', 'text', (c) => c.primaryKey()) // sha-256 of the cookie token
    .addColumn('account_id', 'integer', (c) => c.notNull().references('account.id').onDelete('cascade'))
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('last_seen_at', ts, (c) => c.notNull())
    .addColumn('idle_expires_at', ts, (c) => c.notNull())
    .addColumn('absolute_expires_at', ts, (c) => c.notNull())
    .execute()
  await db.schema.createIndex('session_account_idx').on('session').column('account_id').execute()

  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'integer', id)
    .addColumn('at', ts, (c) => c.notNull())
    .addColumn('actor_id', 'integer')
    .addColumn('actor_username', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('entity_type', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'text')
    .addColumn('unit_id', 'integer')
    .addColumn('unit_path', pathType)
    .addColumn('ip', 'text')
    .addColumn('request_id', 'text')
    .addColumn('reason', 'text')
    .addColumn('before_json', 'text')
    .addColumn('after_json', 'text')
    .execute()
  await db.schema.createIndex('audit_log_at_idx').on('audit_log').column('at').execute()
  await db.schema.createIndex('audit_log_entity_idx').on('audit_log').columns(['entity_type', 'entity_id']).execute()
  await db.schema.createIndex('audit_log_actor_idx').on('audit_log').columns(['actor_id', 'at']).execute()
  await db.schema.createIndex('audit_log_unit_path_idx').on('audit_log').column('unit_path').execute()

  // The audit log is append-only at the database level too.
  if (pg) {
    await sql`create function audit_log_append_only() returns trigger language plpgsql as $$
      begin raise exception 'audit_log is append-only'; end $$`.execute(db)
    await sql`create trigger audit_log_no_update before update or delete on audit_log
      for each row execute function audit_log_append_only()`.execute(db)
  } else {
    await sql`create trigger audit_log_no_update before update on audit_log
      begin select raise(abort, 'audit_log is append-only'); end`.execute(db)
    await sql`create trigger audit_log_no_delete before delete on audit_log
      begin select raise(abort, 'audit_log is append-only'); end`.execute(db)
  }

  // Leases for background jobs, so two processes never run the same job at once.
  await db.schema
    .createTable('job_lease')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('holder', 'text')
    .addColumn('lease_until', ts)
    .addColumn('last_run_at', ts)
    .execute()

  await db.schema
    .createTable('setting')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['setting', 'job_lease', 'audit_log', 'session', 'account_grant', 'account', 'unit']) {
    await db.schema.dropTable(t).ifExists().execute()
  }
}
