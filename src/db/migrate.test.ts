import pg from 'pg'
import { afterEach, describe, expect, it } from 'vitest'
import { dialects } from '../../test/support/app.js'
import { randomToken } from '../lib/tokens.js'
import * as store from '../modules/requests/store.js'
import { connect, type DbHandle, type DialectName } from './connect.js'
import { migrateTo, migrateToLatest } from './migrate.js'

/** An empty database of its own: SQLite in memory, or a new PostgreSQL schema. */
async function emptyDatabase(dialect: DialectName): Promise<{ handle: DbHandle; close: () => Promise<void> }> {
  if (dialect === 'sqlite') {
    const handle = connect({ databaseUrl: null, sqliteFile: ':memory:' })
    return { handle, close: () => handle.close() }
  }
  const url = process.env.TEST_DATABASE_URL as string
  const schema = `m_${randomToken(9).toLowerCase().replace(/[^a-z0-9]/g, '')}`
  const admin = async (query: string) => {
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    await client.query(query)
    await client.end()
  }
  await admin(`create schema ${schema}`)
  const handle = connect({ databaseUrl: url, pgSchema: schema, poolSize: 2 })
  return { handle, close: async () => { await handle.close(); await admin(`drop schema ${schema} cascade`) } }
}

describe.each(dialects)('upgrades on %s', (dialect) => {
  let close: (() => Promise<void>) | null = null
  afterEach(async () => { await close?.() })

  it('keeps the intake journal\'s rows and ids through the lean journal (2026-11-30-22) and reads pending rows by their index', async () => {
    const made = await emptyDatabase(dialect)
    close = made.close
    const { db } = made.handle
    await migrateTo(made.handle, '2026-11-30-20-intake-journal')
    const row = (i: number, state: string, submittedAt: string) => ({
      tracking_code: `code-${i}`, idempotency_key: `public:key-${i}`, fingerprint: `v2.${i}`, location_unit_id: 7, command_json: `{"n":${i}}`,
      result_json: `{"trackingCode":"code-${i}"}`, submitted_at: submittedAt, state,
    })
    await db.insertInto('intake_journal').values([
      row(1, 'routed', '2026-09-01T01:00:00.000Z'), row(2, 'pending', '2026-09-02T01:00:00.000Z'), row(3, 'routed', '2026-09-03T01:00:00.000Z'),
    ]).execute()
    const before = await db.selectFrom('intake_journal').selectAll().orderBy('id').execute()

    await migrateToLatest(made.handle)
    expect(await db.selectFrom('intake_journal').selectAll().orderBy('id').execute()).toEqual(before)
    // New rows: no stored answer, ids after the old ones.
    const written = await store.appendJournal(db, [{ ...row(4, 'pending', '2026-11-30T01:00:00.000Z'), result_json: null }])
    expect(written.get('code-4')).toBe(before[2]!.id + 1)
    expect(await store.listPendingJournal(db, { afterId: 0, limit: 10 })).toEqual([
      { id: before[1]!.id, submitted_at: '2026-09-02T01:00:00.000Z' }, { id: written.get('code-4'), submitted_at: '2026-11-30T01:00:00.000Z' },
    ])
    if (made.handle.sqlite) {
      // The store's own query, as SQLite plans it: by the index of pending rows, not a walk of the table.
      const compiled = store.pendingJournalQuery(db, { afterId: 0, submittedBefore: '2027-01-01T00:00:00.000Z', limit: 10 }).compile()
      const plan = made.handle.sqlite.prepare(`explain query plan ${compiled.sql}`).all(...compiled.parameters) as { detail: string }[]
      expect(plan.map((r) => r.detail).join(' ')).toContain('intake_journal_pending_idx')
    }

    // Clean-up of routed rows past the replay window: the newest row stays even when it is old, so ids never start over.
    await store.markJournalRouted(db, written.get('code-4')!, 1)
    await store.markJournalRouted(db, before[1]!.id, 2)
    await store.deleteRoutedJournalBefore(db, '2026-12-31T00:00:00.000Z')
    const left = await db.selectFrom('intake_journal').select(['id', 'tracking_code']).execute()
    expect(left).toEqual([{ id: written.get('code-4'), tracking_code: 'code-4' }])
    const next = await store.appendJournal(db, [{ ...row(5, 'pending', '2026-12-31T01:00:00.000Z'), result_json: null }])
    expect(next.get('code-5')).toBe(written.get('code-4')! + 1)
    // Only routed rows go; a pending one stays whatever its age.
    await store.deleteRoutedJournalBefore(db, '2027-06-01T00:00:00.000Z')
    expect((await db.selectFrom('intake_journal').select('tracking_code').orderBy('id').execute()).map((r) => r.tracking_code)).toEqual(['code-5'])
  })
})
