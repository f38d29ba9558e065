import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, dialects, type Client, type TestApp } from '../../../test/support/app.js'
import { requestCounty, requestIdOf, submitPublicRequest } from '../../../test/support/factories.js'

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
})
