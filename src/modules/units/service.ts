import type { Db } from '../../db/connect.js'
import { AppError } from '../../server/errors.js'
import { nowIso } from '../../lib/time.js'
import { randomToken } from '../../lib/tokens.js'
import { pageOf } from '../../lib/paging.js'
import { recordAudit } from '../audit/service.js'
import { requireActionOnPath, subtreeFilter, type Actor } from '../access/service.js'
import * as store from './store.js'
import type { CreateUnitInput, UnitQuery, UnitType, UnitView } from './schema.js'

export const toUnitView = (r: store.UnitRow): UnitView => ({
  id: r.id, parentId: r.parent_id, type: r.type as UnitType, name: r.name, code: r.code, path: r.path, depth: r.depth,
  status: r.status === 'archived' ? 'archived' : 'active', address: r.address, createdAt: r.created_at, updatedAt: r.updated_at,
})

export async function listUnits(db: Db, actor: Actor, query: UnitQuery) {
  const { rows, total } = await store.listUnits(db, {
    scope: subtreeFilter(actor, 'units.read'), type: query.type ?? null, parentId: query.parentId ?? null, q: query.q ?? null, status: query.status ?? 'active',
  }, pageOf(query))
  return { total, items: rows.map(toUnitView) }
}

export async function getUnit(db: Db, actor: Actor, id: number): Promise<UnitView> {
  const unit = await store.findUnitById(db, id)
  if (!unit) throw new AppError('unit_not_found')
  requireActionOnPath(actor, 'units.read', unit.path)
  return toUnitView(unit)
}

/** Creates a unit under a parent (a county may be a root); its path is the parent's path plus its id. */
export async function createUnit(db: Db, actor: Actor, input: CreateUnitInput): Promise<UnitView> {
  return db.transaction().execute(async (trx) => {
    const parent = input.parentId === null ? null : await store.findUnitById(trx, input.parentId)
    if (input.parentId !== null && !parent) throw new AppError('unit_not_found', { unitId: input.parentId })
    if (parent) {
      requireActionOnPath(actor, 'units.manage', parent.path)
      if (parent.status === 'archived') throw new AppError('unit_archived')
    } else if (!subtreeFilter(actor, 'units.manage').all) {
      throw new AppError('forbidden', { action: 'units.manage' })
    }
    if (!parent && input.type !== 'county') throw new AppError('invalid_unit_parent', { problem: 'only a county can be a root' })
    if (input.code && (await store.findUnitByCode(trx, input.code))) throw new AppError('unit_code_taken', { code: input.code })
    const now = nowIso()
    const { id } = await store.insertUnit(trx, {
      parent_id: parent?.id ?? null, county_id: parent?.county_id ?? null, type: input.type, name: input.name, code: input.code ?? null,
      // The id is known only after the insert; a unique placeholder holds the path until then.
      path: `${parent?.path ?? '/'}new-${randomToken(9)}/`, depth: (parent?.depth ?? -1) + 1, address: input.address ?? null,
      created_at: now, updated_at: now,
    })
    const path = `${parent?.path ?? '/'}${id}/`
    await store.updateUnit(trx, id, { path, county_id: parent ? parent.county_id : id })
    const unit = (await store.findUnitById(trx, id))!
    await recordAudit(trx, actor, { action: 'units.create', entityType: 'unit', entityId: id, unitId: id, unitPath: path, after: toUnitView(unit) })
    return toUnitView(unit)
  })
}
