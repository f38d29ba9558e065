import { AppError } from '../../server/errors.js'
import { outermostPaths, type SubtreeFilter } from '../../db/subtree.js'
import type { Db } from '../../db/connect.js'
import { roleAllows, type Action, type Role } from './roles.js'
import { findUnitPaths } from './store.js'

export interface ActorGrant {
  role: Role
  /** null: the whole deployment */
  unitId: number | null
  unitPath: string | null
  unitName: string | null
}

/** Who is asking, from where. Anonymous callers (residents on public pages) have no account. */
export interface Actor {
  accountId: number | null
  username: string | null
  displayName: string
  grants: ActorGrant[]
  sessionId: string | null
  ip: string
  requestId: string
  lang: 'zh' | 'en'
}

export const anonymousActor = (ip: string, requestId: string, lang: 'zh' | 'en' = 'zh'): Actor => ({
  accountId: null, username: null, displayName: '', grants: [], sessionId: null, ip, requestId, lang,
})

/** A system actor for the CLI and background jobs; it holds a deployment-wide administrator grant. */
export const systemActor = (name = 'system'): Actor => ({
  accountId: null, username: name, displayName: name,
  grants: [{ role: 'county_admin', unitId: null, unitPath: null, unitName: null }],
  sessionId: null, ip: '127.0.0.1', requestId: name, lang: 'zh',
})

/** May the actor do this anywhere at all? (Route-level check, before the unit is known.) */
export const canAnywhere = (actor: Actor, action: Action): boolean => actor.grants.some((g) => roleAllows(g.role, action))

/** May the actor do this on the unit with this path? A grant covers its unit's whole subtree. */
export function can(actor: Actor, action: Action, unitPath: string): boolean {
  return actor.grants.some((g) => roleAllows(g.role, action) && (g.unitPath === null || unitPath.startsWith(g.unitPath)))
}

/** The subtrees in which the actor may do this: the filter every list applies. */
export function subtreeFilter(actor: Actor, action: Action): SubtreeFilter {
  const grants = actor.grants.filter((g) => roleAllows(g.role, action))
  if (grants.some((g) => g.unitPath === null)) return { all: true, paths: [] }
  return { all: false, paths: outermostPaths(grants.map((g) => g.unitPath as string)) }
}

export function requireActionOnPath(actor: Actor, action: Action, unitPath: string): void {
  if (!can(actor, action, unitPath)) throw new AppError('forbidden', { action })
}

/** Checks the action on every listed unit; unknown units are reported as not found. */
/** Paths of the given units (missing ids are absent from the map). */
export const unitPaths = (db: Db, ids: number[]): Promise<Map<number, string>> => findUnitPaths(db, ids)

export async function requireAccess(db: Db, actor: Actor, action: Action, unitIds: number[]): Promise<void> {
  const paths = await findUnitPaths(db, unitIds)
  for (const id of unitIds) {
    const path = paths.get(id)
    if (path === undefined) throw new AppError('unit_not_found', { unitId: id })
    requireActionOnPath(actor, action, path)
  }
}

export const actorRoles = (actor: Actor): Role[] => [...new Set(actor.grants.map((g) => g.role))]
