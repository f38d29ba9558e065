// Frozen in time: never import application code here, never edit after it has landed.
import { type Kysely, sql, PostgresAdapter } from 'kysely'

const isPg = (db: Kysely<any>) => db.getExecutor().adapter instanceof PostgresAdapter

const counters = [
  'submitted', 'counted', 'responded', 'responded_on_time', 'resolved', 'resolved_on_time', 'solved', 'rated',
  'satisfied', 'basically_satisfied', 'dissatisfied', 'overdue', 'open', 'reopened', 'handling_minutes', 'working_minutes',
]

/**
 * Board rollups by month: the same counters as request_rollup per (dimension, unit, YYYY-MM), kept
 * with the daily rows on every write. A board over half a year or two years sums whole months from
 * here and only the partial months at its edges from the daily rows: ~30 times fewer rows. On SQLite
 * the table is clustered by its key (WITHOUT ROWID), so a unit's months are one contiguous read.
 */
export async function up(db: Kysely<any>): Promise<void> {
  let table = db.schema
    .createTable('request_rollup_month')
    .addColumn('dim', 'text', (c) => c.notNull())
    .addColumn('unit_id', 'integer', (c) => c.notNull())
    .addColumn('month', 'text', (c) => c.notNull()) // YYYY-MM of submitted_day (Asia/Shanghai)
    .addColumn('county_id', 'integer', (c) => c.notNull())
  for (const name of counters) table = table.addColumn(name, 'integer', (c) => c.notNull().defaultTo(0))
  table = table.addPrimaryKeyConstraint('request_rollup_month_pk', ['dim', 'unit_id', 'month'])
  await (isPg(db) ? table : table.modifyEnd(sql`without rowid`)).execute()
  await db.schema.createIndex('request_rollup_month_county_idx').on('request_rollup_month').column('county_id').execute()
  // Existing daily rows, summed by month.
  const sums = sql.join(counters.map((n) => sql`sum(${sql.ref(n)})`))
  await sql`insert into request_rollup_month (dim, unit_id, month, county_id, ${sql.join(counters.map((n) => sql.ref(n)))})
    select dim, unit_id, substr(day, 1, 7), max(county_id), ${sums} from request_rollup group by dim, unit_id, substr(day, 1, 7)`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('request_rollup_month').ifExists().execute()
}
