/**
 * The units inside an import's target unit, indexed by code and by name path, so a spreadsheet can
 * name a unit either way ("所属单位编码" 371524001002003, or "所属单位" 吉祥苑社区/幸福小区/3号楼).
 * Read through the units service, once per import.
 */
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

  constructor(readonly target: IndexedUnit, units: IndexedUnit[], private readonly outsideCodes: Set<string> = new Set()) {
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

  findByCode(code: string): UnitFind {
    const unit = this.byCode.get(code.trim())
    if (unit) return { ok: true, unit }
    return { ok: false, problem: this.outsideCodes.has(code.trim()) ? 'outside' : 'not_found' }
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

/** Loads the active units in the target's subtree (through the units service, with the actor's read scope). */
export async function loadUnitIndex(db: Db, actor: Actor, targetId: number): Promise<UnitIndex> {
  const target = await getUnit(db, actor, targetId)
  const toIndexed = (u: { id: number; parentId: number | null; type: string; name: string; code: string | null; path: string; status: 'active' | 'archived' }): IndexedUnit =>
    ({ id: u.id, parentId: u.parentId, type: u.type, name: u.name, code: u.code, path: u.path, status: u.status })
  const inside: IndexedUnit[] = []
  const outsideCodes = new Set<string>()
  for (let page = 1; ; page++) {
    const { items } = await listUnits(db, actor, { page, pageSize: PAGE, status: 'active' })
    for (const u of items) {
      if (u.id !== target.id && u.path.startsWith(target.path)) inside.push(toIndexed(u))
      else if (u.code && u.id !== target.id) outsideCodes.add(u.code)
    }
    if (items.length < PAGE) break
  }
  const index = new UnitIndex(toIndexed(target), inside, outsideCodes)
  const ancestors = await getAncestors(db, actor, target.id)
  const ids = target.path.split('/').filter(Boolean).map(Number)
  for (const a of ancestors.items) {
    if (a.id === target.id) continue
    const at = ids.indexOf(a.id)
    index.ancestorNames.set(a.id, { id: a.id, parentId: at > 0 ? (ids[at - 1] as number) : null, type: a.type, name: a.name, code: a.code, path: '', status: a.status })
  }
  return index
}
