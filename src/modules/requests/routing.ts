import { pathIds } from '../../lib/unit-path.js'
import type { Db } from '../../db/connect.js'
import { roles, roleAllows } from '../access/roles.js'
import { resolveRouteAt } from '../catalog/service.js'
import { fallbackUnit } from '../catalog/routing.js'
import type { AssignmentPolicy } from './schema.js'
import * as store from './store.js'

/**
 * Where a new request goes and who inside the unit gets it.
 * - With an item: the catalog's routing (rules for location × matter, the item's default unit, its
 *   owner level, the compound's property company) — the catalog's `resolveRoute`, with its co-handling units.
 * - Free text (no item): the fallback up the tree (兜底), the nearest community or village, then
 *   sub-district or town, then county — the catalog's `fallbackUnit` rule.
 * Whichever unit receives it first is responsible until another unit signs for it (首接负责).
 */
export interface Route {
  unit: store.UnitRow
  coUnitIds: number[]
  via: string
  ruleId: number | null
}

/** The item's row as the intake read it (its routing fields). */
export type RoutedItem = Parameters<typeof resolveRouteAt>[2]

export async function routeRequest(db: Db, location: store.UnitRow, item: RoutedItem | null): Promise<Route | null> {
  if (item !== null) {
    const { view, unit } = await resolveRouteAt(db, location, item)
    return { unit, coUnitIds: view.coUnits.map((u) => u.id), via: view.via, ruleId: view.ruleId }
  }
  const chainIds = pathIds(location.path)
  const units = await store.findUnits(db, chainIds)
  const chain = chainIds.map((id) => units.get(id)).filter((u): u is store.UnitRow => u !== undefined).reverse()
  const unit = fallbackUnit(chain)
  return unit ? { unit, coUnitIds: [], via: 'fallback', ruleId: null } : null
}

/** Roles whose holders work on cases (requests.handle). */
export const handlerRoles = roles.filter((r) => roleAllows(r, 'requests.handle'))

/** The unit's own people: active accounts with a handling role granted on exactly this unit. */
export async function unitWorkers(db: Db, unitId: number): Promise<{ accountId: number; displayName: string }[]> {
  const rows = await store.findUnitWorkers(db, [unitId], handlerRoles)
  const seen = new Set<number>()
  return rows.filter((r) => (seen.has(r.account_id) ? false : (seen.add(r.account_id), true))).map((r) => ({ accountId: r.account_id, displayName: r.display_name }))
}

/** People to tell about a unit's cases: its own workers, or — when it has none — the nearest ancestor's (one query). */
export async function reachableWorkers(db: Db, unit: store.UnitRow): Promise<number[]> {
  const chain = pathIds(unit.path)
  const rows = await store.findUnitWorkers(db, chain, handlerRoles)
  for (const id of [...chain].reverse()) {
    const here = rows.filter((r) => r.unit_id === id).map((r) => r.account_id)
    if (here.length > 0) return [...new Set(here)]
  }
  return []
}

/**
 * The person a unit's policy picks for a new case: round-robin after the last one picked, or the
 * one with the fewest open cases (ties: lowest account id). Manual (or no workers): nobody.
 */
export async function pickAssignee(db: Db, unitId: number, now: string): Promise<number | null> {
  // Locked on PostgreSQL, so two cases landing at once do not both go to the same person by round-robin.
  const policy = await store.findAssignmentPolicy(db, unitId, true)
  const kind = (policy?.policy ?? 'manual') as AssignmentPolicy
  if (kind === 'manual') return null
  const workers = (await unitWorkers(db, unitId)).map((w) => w.accountId).sort((a, b) => a - b)
  if (workers.length === 0) return null
  let chosen: number
  if (kind === 'round_robin') {
    const last = policy?.last_assignee_id ?? null
    chosen = workers.find((id) => last === null || id > last) ?? (workers[0] as number)
  } else {
    const load = await store.countOpenAssigned(db, workers)
    chosen = workers.reduce((best, id) => ((load.get(id) ?? 0) < (load.get(best) ?? 0) ? id : best), workers[0] as number)
  }
  await store.setLastAssignee(db, unitId, chosen, now)
  return chosen
}
