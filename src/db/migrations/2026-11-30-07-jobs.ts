// Frozen in time: never import application code here, never edit after it has landed.
import type { Kysely } from 'kysely'

/**
 * Background jobs learn how often they were started and what they produced:
 * - job.attempts: how many times a runner has claimed the job; a job whose holder died is picked up
 *   again until the cap, then marked failed, so a file that kills the process cannot loop forever.
 * - job.result_json: the outcome for the screen (rows written per kind, error rows, export row count).
 */
export async function up(db: Kysely<any>): Promise<void> {
  // SQLite adds one column per statement.
  await db.schema.alterTable('job').addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0)).execute()
  await db.schema.alterTable('job').addColumn('result_json', 'text').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('job').dropColumn('result_json').execute()
  await db.schema.alterTable('job').dropColumn('attempts').execute()
}
