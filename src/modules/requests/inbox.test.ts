import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, dialects, type Client, type TestApp } from '../../../test/support/app.js'
import { requestCounty, requestIdOf, submitPublicRequest } from '../../../test/support/factories.js'
import { addMinutes } from '../../lib/time.js'
import type { Actor } from '../access/service.js'
import { listRequests } from './service.js'
import { requestSettings } from './settings.js'
import { runSweep } from './sweep.js'

// The unit box is read as three branches (held, waiting for a hand-off, co-handled): each case once, totals and pages exact.

process.env.CHORUS_INTAKE_PER_ADDRESS_HOUR = '100000'
process.env.CHORUS_INTAKE_PER_DEVICE_HOUR = '100000'

async function ok(client: Client, id: number, action: string, body: Record<string, unknown> = {}) {
  const { version } = (await client.get(`/api/requests/${id}`)).body
  const res = await client.post(`/api/requests/${id}/${action}`, { version, ...body })
  if (res.status !== 200) throw new Error(`${action} ${id}: ${res.status} ${res.text}`)
  return res.body
}

describe.each(dialects)('the unit inbox on %s', (dialect) => {
  let t: TestApp
  let c: Awaited<ReturnType<typeof requestCounty>>
  let dataDir: string
  const ids: Record<string, number> = {}

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chorus-inbox-'))
    t = await buildTestApp(dialect, { dataDir })
    c = await requestCounty(t)
    const at = async (name: string, code: string) => {
      ids[name] = await requestIdOf(t, (await submitPublicRequest(t, { locationCode: code, itemId: c.items.repair.id, description: name })).trackingCode)
    }
    await at('heldA', c.compoundA.code) // held by community A
    await at('dispatchedA', c.compoundA.code) // held by A, waiting for grid A
    await ok(c.communityWorkerA, ids.dispatchedA!, 'accept')
    await ok(c.communityWorkerA, ids.dispatchedA!, 'dispatch', { toUnitId: c.gridA.id })
    await at('coB', c.compoundB.code) // held by B, co-handled by A
    await ok(c.communityWorkerB, ids.coB!, 'accept')
    await ok(c.communityWorkerB, ids.coB!, 'co-units', { unitIds: [c.communityA.id] })
    await at('transferredB', c.compoundB.code) // held by B, waiting for grid A
    await ok(c.communityWorkerB, ids.transferredB!, 'transfer', { toUnitId: c.gridA.id, reason: '属地为吉祥苑网格' })
    await at('onlyB', c.compoundB.code) // B's alone
    await at('doneA', c.compoundA.code) // A's, resolved
    await ok(c.communityWorkerA, ids.doneA!, 'accept')
    await ok(c.communityWorkerA, ids.doneA!, 'resolve', { note: '已修好' })
  })
  afterAll(async () => {
    await t?.close()
    fs.rmSync(dataDir, { recursive: true, force: true })
  })

  const box = async (client: Client, query = '') => {
    const res = await client.get(`/api/requests?box=unit${query}`)
    expect(res.status, res.text).toBe(200)
    return res.body as { items: { id: number; resolutionDueAt: string | null }[]; total: number }
  }

  it('shows every open case held by, waiting for, or co-handled by the caller\'s units, each once', async () => {
    const a = await box(c.communityWorkerA)
    expect(a.items.map((i) => i.id).sort((x, y) => x - y)).toEqual([ids.heldA!, ids.dispatchedA!, ids.coB!, ids.transferredB!].sort((x, y) => x - y))
    expect(a.total).toBe(4)
    const dues = a.items.map((i) => `${i.resolutionDueAt}|${String(i.id).padStart(9, '0')}`)
    expect(dues).toEqual([...dues].sort())
    const grid = await box(c.gridWorkerA)
    expect(grid.items.map((i) => i.id).sort((x, y) => x - y)).toEqual([ids.dispatchedA!, ids.transferredB!].sort((x, y) => x - y))
    expect(grid.total).toBe(2)
    const b = await box(c.communityWorkerB)
    expect(b.items.map((i) => i.id).sort((x, y) => x - y)).toEqual([ids.coB!, ids.transferredB!, ids.onlyB!].sort((x, y) => x - y))
  })

  it('pages through the merged branches without gaps or repeats, in every order', async () => {
    for (const sort of ['due', 'submitted', '-submitted']) {
      const all = (await box(c.communityWorkerA, `&sort=${sort}&pageSize=100`)).items.map((i) => i.id)
      const pages: number[] = []
      for (let page = 1; page <= 3; page++) pages.push(...(await box(c.communityWorkerA, `&sort=${sort}&pageSize=2&page=${page}`)).items.map((i) => i.id))
      expect(pages, sort).toEqual(all)
      expect(all).toHaveLength(4)
    }
    const submitted = (await box(c.communityWorkerA, '&sort=submitted')).items.map((i) => i.id)
    expect(submitted).toEqual([...submitted].sort((x, y) => x - y))
  })

  it('applies the other filters inside every branch', async () => {
    const done = await box(c.communityWorkerA, '&status=done')
    expect(done.items.map((i) => i.id)).toEqual([ids.doneA])
    expect(done.total).toBe(1)
    const inGrid = await box(c.communityWorkerA, `&unitId=${c.gridA.id}`) // compound A lies in grid A
    expect(inGrid.items.map((i) => i.id).sort((x, y) => x - y)).toEqual([ids.heldA!, ids.dispatchedA!].sort((x, y) => x - y))
    expect(inGrid.total).toBe(2)
    const inB = await box(c.communityWorkerA, `&unitId=${c.communityB.id}`) // held by B: co-handled by A, or waiting for A's grid
    expect(inB.items.map((i) => i.id).sort((x, y) => x - y)).toEqual([ids.coB!, ids.transferredB!].sort((x, y) => x - y))
    expect(inB.total).toBe(2)
    const byItem = await box(c.communityWorkerA, `&itemId=${c.items.elderly.id}`)
    expect(byItem.total).toBe(0)
  })

  it('awaiting=acceptance: new cases the caller\'s units hold and hand-offs pending to them, each once, exact totals', async () => {
    const ids_ = (page: { items: { id: number }[] }) => page.items.map((i) => i.id).sort((x, y) => x - y)
    const sorted = (...xs: number[]) => xs.sort((x, y) => x - y)
    const a = await box(c.communityWorkerA, '&awaiting=acceptance')
    expect(ids_(a)).toEqual(sorted(ids.heldA!, ids.dispatchedA!, ids.transferredB!))
    expect(a.total).toBe(3)
    const grid = await box(c.gridWorkerA, '&awaiting=acceptance')
    expect(ids_(grid)).toEqual(sorted(ids.dispatchedA!, ids.transferredB!))
    expect(grid.total).toBe(2)
    // B holds transferredB but waits for grid A to sign: not B's to sign.
    const b = await box(c.communityWorkerB, '&awaiting=acceptance')
    expect(ids_(b)).toEqual([ids.onlyB])
    expect(b.total).toBe(1)
    const paged = [...(await box(c.communityWorkerA, '&awaiting=acceptance&pageSize=2&page=1')).items, ...(await box(c.communityWorkerA, '&awaiting=acceptance&pageSize=2&page=2')).items]
    expect(paged.map((i) => i.id).sort((x, y) => x - y)).toEqual(ids_(a))
    expect((await box(c.countyAdmin, '&awaiting=acceptance')).total).toBe(4)
    expect((await c.communityWorkerA.get('/api/requests?awaiting=rating')).status).toBe(400)
  })
})

describe.each(dialects)('the due-soon filter on %s', (dialect) => {
  let t: TestApp
  let c: Awaited<ReturnType<typeof requestCounty>>
  let dataDir: string
  const ids: Record<string, number> = {}
  const row = (id: number) => t.dbHandle.db.selectFrom('request').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
  const newCase = async (name: string, accept = true) => {
    ids[name] = await requestIdOf(t, (await submitPublicRequest(t, { locationCode: c.compoundA.code, itemId: c.items.repair.id, description: name })).trackingCode)
    if (accept) await ok(c.communityWorkerA, ids[name], 'accept')
    return row(ids[name])
  }

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chorus-due-'))
    t = await buildTestApp(dialect, { dataDir })
    c = await requestCounty(t)
    // Each sweep runs at a later instant than now and only touches the cases made before it.
    const overdue = await newCase('overdue')
    await runSweep(t.dbHandle.db, { now: addMinutes(overdue.resolution_due_at!, 1) })
    const warned = await newCase('warned')
    await runSweep(t.dbHandle.db, { now: addMinutes(warned.warn_at!, 1) })
    const paused = await newCase('paused')
    await runSweep(t.dbHandle.db, { now: addMinutes(paused.warn_at!, 1) })
    await ok(c.communityWorkerA, ids.paused!, 'pause', { reason: '等居民回家' })
    const late = await newCase('lateResponse', false)
    await runSweep(t.dbHandle.db, { now: addMinutes(late.response_due_at!, 1) })
    await newCase('fresh')
  })
  afterAll(async () => {
    await t?.close()
    fs.rmSync(dataDir, { recursive: true, force: true })
  })

  it('lists running cases past the 80 % warning and not overdue; the overdue box and it do not overlap', async () => {
    expect((await row(ids.warned!)).warned).toBe(1)
    expect((await row(ids.overdue!)).resolution_overdue).toBe(1)
    expect((await row(ids.lateResponse!)).response_overdue).toBe(1)
    for (const client of [c.communityWorkerA, c.countyAdmin]) {
      const res = await client.get('/api/requests?box=unit&due=warning')
      expect(res.status, res.text).toBe(200)
      expect(res.body.items.map((i: { id: number }) => i.id)).toEqual([ids.warned])
      expect(res.body.total).toBe(1)
    }
    const overdue = (await c.communityWorkerA.get('/api/requests?box=overdue&due=warning')).body
    expect(overdue.total).toBe(0)
    expect((await c.communityWorkerB.get('/api/requests?box=unit&due=warning')).body.total).toBe(0)
    expect((await c.communityWorkerA.get('/api/requests?due=soon')).status).toBe(400)
  })

  it('counts a case past its warning instant before the sweep has flagged it', async () => {
    const fresh = await row(ids.fresh!)
    const later = addMinutes(fresh.warn_at!, 1)
    expect(Date.parse(later)).toBeLessThan(Date.parse(fresh.resolution_due_at!))
    const ctx = { db: t.dbHandle.db, pii: t.pii, settings: requestSettings(dataDir), now: () => later }
    const actor: Actor = {
      accountId: null, username: 'w', displayName: 'w', sessionId: null, ip: '127.0.0.1', requestId: 'test', lang: 'zh',
      grants: [{ role: 'community_worker', unitId: c.communityA.id, unitPath: c.communityA.path, unitName: c.communityA.name }],
    }
    const page = await listRequests(ctx, actor, { box: 'unit', due: 'warning' })
    expect(page.items.map((i) => i.id).sort((x, y) => x - y)).toEqual([ids.warned!, ids.fresh!].sort((x, y) => x - y))
    expect(page.total).toBe(2)
    const before = await listRequests({ ...ctx, now: () => addMinutes(fresh.warn_at!, -1) }, actor, { box: 'unit', due: 'warning' })
    expect(before.items.map((i) => i.id)).toEqual([ids.warned])
  })
})
