// Frozen in time: never import application code here, never edit after it has landed.
import { type Kysely, sql, PostgresAdapter } from 'kysely'

const isPg = (db: Kysely<any>) => db.getExecutor().adapter instanceof PostgresAdapter

/** A request's timeline and its ratings are history: append-only at the database level, like the audit log. */
export async function up(db: Kysely<any>): Promise<void> {
  if (isPg(db)) {
    await sql`create function request_history_append_only() returns trigger language plpgsql as $$
      begin raise exception '% is append-only', tg_table_name; end $$`.execute(db)
    for (const table of ['request_event', 'request_rating']) {
      await sql`create trigger ${sql.raw(`${table}_no_change`)} before update or delete on ${sql.table(table)}
        for each row execute function request_history_append_only()`.execute(db)
    }
  } else {
    for (const table of ['request_event', 'request_rating']) {
      await sql`create trigger ${sql.raw(`${table}_no_update`)} before update on ${sql.table(table)}
        begin select raise(abort, ${sql.lit(`${table} is append-only`)}); end`.execute(db)
      await sql`create trigger ${sql.raw(`${table}_no_delete`)} before delete on ${sql.table(table)}
        begin select raise(abort, ${sql.lit(`${table} is append-only`)}); end`.execute(db)
    }
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  if (isPg(db)) {
    for (const table of ['request_event', 'request_rating']) await sql`drop trigger if exists ${sql.raw(`${table}_no_change`)} on ${sql.table(table)}`.execute(db)
    await sql`drop function if exists request_history_append_only()`.execute(db)
  } else {
    for (const table of ['request_event', 'request_rating']) {
      await sql`drop trigger if exists ${sql.raw(`${table}_no_update`)}`.execute(db)
      await sql`drop trigger if exists ${sql.raw(`${table}_no_delete`)}`.execute(db)
    }
  }
}
