import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { sql } from 'kysely'
import { afterAll, describe, expect, it } from 'vitest'
import { connect, type DbHandle } from './connect.js'

// dataVersion is what read caches trust: it must move on every committed write, this process's or another's
// (another's from the next turn of the event loop: a turn's requests share one read of the file).
const nextTurn = () => new Promise((resolve) => setImmediate(resolve))

describe('dataVersion on SQLite, two processes on one file', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chorus-version-'))
  const file = path.join(dir, 'chorus.db')
  const handles: DbHandle[] = []
  afterAll(async () => {
    for (const h of handles) await h.close()
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it('moves when either connection writes and stays put otherwise', async () => {
    const a = connect({ databaseUrl: null, sqliteFile: file })
    const b = connect({ databaseUrl: null, sqliteFile: file })
    handles.push(a, b)
    await sql`create table t (x integer)`.execute(a.db)
    const v0 = await a.dataVersion()
    await sql`select count(*) from t`.execute(a.db)
    expect(await a.dataVersion()).toBe(v0)
    await sql`insert into t values (1)`.execute(b.db) // the other process
    expect(await a.dataVersion()).toBe(v0) // the turn that read v0 keeps its reading
    await nextTurn()
    const v1 = await a.dataVersion()
    expect(v1).not.toBe(v0)
    await sql`insert into t values (2)`.execute(a.db) // this process
    const v2 = await a.dataVersion()
    expect(v2).not.toBe(v1)
    await sql`update t set x = 3 where x = 99`.execute(b.db) // changes nothing
    await sql`select * from t`.execute(a.db)
    await nextTurn()
    expect(await a.dataVersion()).toBe(v2)
  })

  it('keeps statement journals and temporary tables in memory (a spilled statement journal was a file made and unlinked per batch)', () => {
    const c = connect({ databaseUrl: null, sqliteFile: file })
    handles.push(c)
    expect(c.sqlite!.pragma('temp_store', { simple: true })).toBe(2)
  })
})
