/**
 * The units inside an import's target unit, indexed by code and by name path, so a spreadsheet can
 * name a unit either way ("所属单位编码" 371524001002003, or "所属单位" 吉祥苑社区/幸福小区/3号楼).
 * Read through the units service, once per import.
 */
import { pathIds } from '../../lib/unit-path.js'
import type { Db } from '../../db/connect.js'
import type { Actor } from '../access/service.js'
import { getAncestors, getUnit, listUnits } from '../units/service.js'

export interface IndexedUnit {
  id: number
  parentId: number | null
  type: string
  name: string
  code: string | null
  path: string
  status: 'active' | 'archived'
}

export type UnitFind = { ok: true; unit: IndexedUnit } | { ok: false; problem: 'not_found' | 'ambiguous' | 'outside' }

const PAGE = 5000

/** Splits a name path on / \ > ＞ | or the full-width solidus. */
export const splitUnitPath = (text: string): string[] => text.split(/[/\\>＞|／]+/).map((s) => s.trim()).filter(Boolean)

export class UnitIndex {
  private readonly byId = new Map<number, IndexedUnit>()
  private readonly byCode = new Map<string, IndexedUnit>()
  private readonly byName = new Map<string, IndexedUnit[]>()

  private readonly elsewhere = new Map<string, boolean>()

  constructor(
    readonly target: IndexedUnit,
    units: IndexedUnit[],
    /** Whether a code belongs to a unit outside the target (looked up only for codes not found inside). */
    private readonly codeExistsElsewhere: (code: string) => Promise<boolean> = () => Promise.resolve(false),
  ) {
    for (const u of [target, ...units]) this.add(u)
  }

  add(u: IndexedUnit): void {
    if (this.byId.has(u.id) && u.id > 0) return
    this.byId.set(u.id, u)
    if (u.code) this.byCode.set(u.code, u)
    const list = this.byName.get(u.name) ?? []
    list.push(u)
    this.byName.set(u.name, list)
  }

  get(id: number): IndexedUnit | undefined {
    return this.byId.get(id)
  }

  async findByCode(code: string): Promise<UnitFind> {
    const key = code.trim()
    const unit = this.byCode.get(key)
    if (unit) return { ok: true, unit }
    if (!this.elsewhere.has(key)) this.elsewhere.set(key, await this.codeExistsElsewhere(key))
    return { ok: false, problem: this.elsewhere.get(key) ? 'outside' : 'not_found' }
  }

  /** Names from the top down; the last names the unit, the ones before it its ancestors (any leading part may be left out). */
  findByPath(names: string[]): UnitFind {
    const last = names[names.length - 1]
    if (!last) return { ok: false, problem: 'not_found' }
    const candidates = (this.byName.get(last) ?? []).filter((u) => this.ancestorsMatch(u, names.slice(0, -1)))
    if (candidates.length === 1) return { ok: true, unit: candidates[0] as IndexedUnit }
    return { ok: false, problem: candidates.length === 0 ? 'not_found' : 'ambiguous' }
  }

  private ancestorsMatch(unit: IndexedUnit, names: string[]): boolean {
    let current: IndexedUnit | undefined = unit
    for (let i = names.length - 1; i >= 0; i--) {
      current = current.parentId === null ? undefined : this.byId.get(current.parentId) ?? this.ancestorNames.get(current.parentId)
      if (!current || current.name !== names[i]) return false
    }
    return true
  }

  /** Units above the target (named in full paths but not importable into). */
  readonly ancestorNames = new Map<number, IndexedUnit>()
}

/**
 * The actor's rights narrowed to the target's subtree: each grant that covers the target is re-anchored
 * at it, so the units service's list (which has no "under this unit" filter) returns only that subtree.
 */
function narrowedTo(actor: Actor, target: { id: number; path: string; name: string }): Actor {
  const grants = actor.grants
    .filter((g) => g.unitPath === null || target.path.startsWith(g.unitPath))
    .map((g) => ({ ...g, unitId: target.id, unitPath: target.path, unitName: target.name }))
  return { ...actor, grants }
}

/** Loads the active units in the target's subtree (through the units service, with the actor's read scope). */
export async function loadUnitIndex(db: Db, actor: Actor, targetId: number): Promise<UnitIndex> {
  const target = await getUnit(db, actor, targetId)
  const within = narrowedTo(actor, target)
  const toIndexed = (u: { id: number; parentId: number | null; type: string; name: string; code: string | null; path: string; status: 'active' | 'archived' }): IndexedUnit =>
    ({ id: u.id, parentId: u.parentId, type: u.type, name: u.name, code: u.code, path: u.path, status: u.status })
  const inside: IndexedUnit[] = []
  for (let page = 1; ; page++) {
    const { items } = await listUnits(db, within, { page, pageSize: PAGE, status: 'active' })
    for (const u of items) if (u.id !== target.id && u.path.startsWith(target.path)) inside.push(toIndexed(u))
    if (items.length < PAGE) break
  }
  const elsewhere = async (code: string) =>
    (await listUnits(db, actor, { q: code, status: 'all', page: 1, pageSize: 50 })).items.some((u) => u.code === code)
  const index = new UnitIndex(toIndexed(target), inside, elsewhere)
  const ancestors = await getAncestors(db, actor, target.id)
  const ids = pathIds(target.path)
  for (const a of ancestors.items) {
    if (a.id === target.id) continue
    const at = ids.indexOf(a.id)
    index.ancestorNames.set(a.id, { id: a.id, parentId: at > 0 ? (ids[at - 1] as number) : null, type: a.type, name: a.name, code: a.code, path: '', status: a.status })
  }
  return index
}
