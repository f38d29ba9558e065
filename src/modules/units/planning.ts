import { AppError } from '../../server/errors.js'
import { allowedParents, canBeChildOf } from './hierarchy.js'
import { canGenerateGridCode, codeDigits, codeProblem, nextGridCode, rebaseCode } from './codes.js'
import type {
  ArchiveUnitInput, LineageRelation, MergeGridsInput, MergeVillagesInput, MoveUnitInput, OrgBrief, OrgRef, RedivideGridsInput,
  RenameUnitInput, RestructureKind, RestructurePlan, SplitUnitInput, UnitBrief, UnitRef, UnitType,
} from './schema.js'

/*
 * Restructuring plans, computed without touching the database: the service loads a snapshot of
 * the units involved (with resident and party counts), a planner below turns the request into a
 * plan, and both the preview and the execution use that very plan — the preview is exactly what
 * executes. Units keep their ids: a village that becomes a grid village, a compound moved to a new
 * grid, keep their people, households and history; dissolved units are archived, never deleted.
 */

export interface UnitSnap {
  id: number
  parentId: number | null
  countyId: number | null
  type: UnitType
  name: string
  code: string | null
  path: string
  depth: number
  status: 'active' | 'archived'
  sortOrder: number
}

export interface OrgSnap {
  id: number
  unitId: number
  parentId: number | null
  path: string
  kind: string
  name: string
  status: string
}

/** What the planners may know: the units involved (subtrees, their ancestors), counts, party organizations, grid codes in use. */
export interface Snapshot {
  units: Map<number, UnitSnap>
  /** Active households and people registered directly on a unit. */
  households: Map<number, number>
  people: Map<number, number>
  /** Party organizations attached to snapshot units (and their parents). */
  orgs: Map<number, OrgSnap>
  /** Full and probationary members per organization. */
  members: Map<number, number>
  /** 15-digit codes in use under the codes of the snapshot's units (archived grids included: codes are never reused). */
  gridCodes: Set<string>
}

export interface PlanMeta {
  effectiveDate: string
  note: string | null
}

/** A plan plus what the service needs to check and apply it. */
export type Plan = Omit<RestructurePlan, 'planHash'> & {
  /** Existing units the operation touches: the caller needs units.restructure on each. */
  touched: number[]
}

type Key = number | string
type OrgKey = number | string

interface DraftUnit {
  type: UnitType
  name: string
  code: string | null
  parent: Key | null
  status: 'active' | 'archived'
}

interface CreatedUnit { ref: string; type: UnitType; name: string; code: string | null; address: string | null; parent: Key; sortOrder: number }
interface CreatedOrg { ref: string; kind: string; name: string; unit: Key; parent: OrgKey | null }

const invalid = (problem: string, details: Record<string, unknown> = {}) => new AppError('restructure_invalid', { problem, ...details })

const isWithin = (path: string, ancestorPath: string) => path.startsWith(ancestorPath)

/** The deepest path that contains every given path. */
export function commonAncestorPath(paths: string[]): string {
  const split = paths.map((p) => p.split('/').filter(Boolean))
  const first = split[0] ?? []
  let n = 0
  while (n < first.length && split.every((s) => s[n] === first[n])) n++
  return '/' + first.slice(0, n).map((s) => s + '/').join('')
}

class Draft {
  private state = new Map<Key, DraftUnit>()
  private order: number[] = []
  private createdUnits: CreatedUnit[] = []
  private createdOrgs: CreatedOrg[] = []
  private reparented = new Map<number, OrgKey>()
  private links: { predecessor: Key; successor: Key; relation: LineageRelation }[] = []
  private warningList: Plan['warnings'] = []
  private extraTouched = new Set<number>()
  private explicitCodes = new Set<Key>()

  constructor(readonly snap: Snapshot, readonly kind: RestructureKind, readonly meta: PlanMeta) {}

  // --- reading ---------------------------------------------------------------------------------

  /** An existing unit of the snapshot; unknown ids are outside what the operation may touch. */
  existing(id: number, what = 'unit'): UnitSnap {
    const unit = this.snap.units.get(id)
    if (!unit) throw invalid(`${what} ${id} is not part of this operation`, { unitId: id })
    return unit
  }

  current(key: Key): DraftUnit {
    const seen = this.state.get(key)
    if (seen) return seen
    if (typeof key === 'string') throw new Error(`unknown ref ${key}`)
    const u = this.existing(key)
    return { type: u.type, name: u.name, code: u.code, parent: u.parentId, status: u.status }
  }

  private edit(id: number): DraftUnit {
    if (!this.state.has(id)) {
      this.state.set(id, { ...this.current(id) })
      this.order.push(id)
    }
    return this.state.get(id) as DraftUnit
  }

  /** Active units directly under a unit as the snapshot has it (before this plan). */
  activeChildren(id: number): UnitSnap[] {
    return [...this.snap.units.values()].filter((u) => u.parentId === id && u.status === 'active').sort((a, b) => a.sortOrder - b.sortOrder || a.id - b.id)
  }

  requireType(unit: UnitSnap, types: UnitType[]): void {
    if (!types.includes(unit.type)) throw new AppError('unit_wrong_type', { unitId: unit.id, name: unit.name, type: unit.type, expected: types })
  }

  requireActive(unit: UnitSnap): void {
    if (unit.status !== 'active') throw new AppError('unit_archived', { unitId: unit.id, name: unit.name })
  }

  requireEmpty(unit: UnitSnap): void {
    const households = this.snap.households.get(unit.id) ?? 0
    const people = this.snap.people.get(unit.id) ?? 0
    if (households || people) throw new AppError('unit_not_empty', { unitId: unit.id, name: unit.name, households, people })
  }

  /** The first active organization of one of these kinds attached to the unit. */
  orgOf(unitId: number, kinds: string[]): OrgSnap | null {
    for (const kind of kinds) {
      const org = [...this.snap.orgs.values()].filter((o) => o.unitId === unitId && o.status === 'active' && o.kind === kind).sort((a, b) => a.id - b.id)[0]
      if (org) return org
    }
    return null
  }

  /** Active organizations attached to the unit that are not under another organization of the same unit. */
  topOrgsOf(unitId: number): OrgSnap[] {
    return [...this.snap.orgs.values()]
      .filter((o) => o.unitId === unitId && o.status === 'active' && (o.parentId === null || this.snap.orgs.get(o.parentId)?.unitId !== unitId))
      .sort((a, b) => a.id - b.id)
  }

  warnAboutOrgs(unit: UnitSnap, code: string, zh: (org: OrgSnap, members: number) => string, en: (org: OrgSnap, members: number) => string): void {
    for (const org of [...this.snap.orgs.values()].filter((o) => o.unitId === unit.id && o.status === 'active').sort((a, b) => a.id - b.id)) {
      const members = this.snap.members.get(org.id) ?? 0
      this.warn(code, zh(org, members), en(org, members), unit.id, org.id)
    }
  }

  // --- writing ---------------------------------------------------------------------------------

  create(ref: string, spec: Omit<CreatedUnit, 'ref'>): string {
    this.createdUnits.push({ ref, ...spec })
    this.state.set(ref, { type: spec.type, name: spec.name, code: spec.code, parent: spec.parent, status: 'active' })
    if (spec.code !== null) this.explicitCodes.add(ref)
    return ref
  }

  move(id: number, to: Key): void {
    this.edit(id).parent = to
  }

  setType(id: number, type: UnitType): void {
    this.edit(id).type = type
  }

  setName(id: number, name: string): void {
    this.edit(id).name = name
  }

  setCode(key: Key, code: string | null, explicit = false): void {
    if (typeof key === 'number') this.edit(key).code = code
    else {
      this.current(key).code = code
      const created = this.createdUnits.find((c) => c.ref === key)
      if (created) created.code = code
    }
    if (explicit) this.explicitCodes.add(key)
  }

  archive(id: number): void {
    this.edit(id).status = 'archived'
  }

  link(predecessor: Key, successor: Key, relation: LineageRelation): void {
    if (!this.links.some((l) => l.predecessor === predecessor && l.successor === successor && l.relation === relation)) {
      this.links.push({ predecessor, successor, relation })
    }
  }

  createOrg(ref: string, spec: Omit<CreatedOrg, 'ref'>): string {
    this.createdOrgs.push({ ref, ...spec })
    return ref
  }

  reparentOrg(org: OrgSnap, to: OrgKey): void {
    if (typeof to === 'number') {
      const target = this.snap.orgs.get(to)
      if (target && isWithin(target.path, org.path)) throw invalid(`party organization ${org.name} cannot go under its own sub-organization`, { orgId: org.id })
    }
    if (org.parentId !== to) this.reparented.set(org.id, to)
  }

  touch(id: number): void {
    this.extraTouched.add(id)
  }

  warn(code: string, message: string, messageEn: string, unitId: number | null = null, orgId: number | null = null): void {
    this.warningList.push({ code, message, messageEn, unitId, orgId })
  }

  /** The next free grid code under a parent code, counting codes this plan already hands out. */
  nextGridCode(parentCode: string): string {
    const planned = [...this.state.values()].map((u) => u.code).filter((c): c is string => c !== null)
    return nextGridCode(parentCode, [...this.snap.gridCodes, ...planned])
  }

  // --- the plan --------------------------------------------------------------------------------

  private ref(key: Key): UnitRef {
    if (typeof key === 'string') return { id: null, ref: key, name: this.current(key).name }
    return { id: key, ref: null, name: this.existing(key).name }
  }

  private orgRef(key: OrgKey): OrgRef {
    if (typeof key === 'string') {
      const created = this.createdOrgs.find((o) => o.ref === key)
      return { id: null, ref: key, name: created?.name ?? key }
    }
    return { id: key, ref: null, name: this.snap.orgs.get(key)?.name ?? `#${key}` }
  }

  private brief(u: UnitSnap): UnitBrief {
    return { id: u.id, type: u.type, name: u.name, code: u.code, status: u.status }
  }

  private orgBrief(o: OrgSnap): OrgBrief {
    return { id: o.id, unitId: o.unitId, kind: o.kind, name: o.name, members: this.snap.members.get(o.id) ?? 0 }
  }

  /** Codes built on an ancestor's code follow it when the ancestor's code changes. */
  private rebaseDescendantCodes(): void {
    for (const id of [...this.order]) {
      const before = this.existing(id)
      const after = this.current(id)
      if (!before.code || !after.code || before.code === after.code || codeDigits[before.type] === undefined) continue
      for (const u of this.snap.units.values()) {
        if (u.id === id || !isWithin(u.path, before.path) || this.state.has(u.id)) continue
        const rebased = rebaseCode(u.code, before.code, after.code)
        if (rebased !== u.code) this.setCode(u.id, rebased)
      }
    }
  }

  private parentTypeOf(key: Key): UnitType | null {
    const parent = this.current(key).parent
    return parent === null ? null : this.current(parent).type
  }

  private parentCodeOf(key: Key): string | null {
    const parent = this.current(key).parent
    return parent === null ? null : this.current(parent).code
  }

  /** Would the unit end up under itself? Walks the planned parents upwards. */
  private assertNoCycle(id: number): void {
    const seen = new Set<Key>()
    let key: Key | null = this.current(id).parent
    while (key !== null) {
      if (key === id) throw new AppError('unit_cycle', { unitId: id })
      if (seen.has(key)) break
      seen.add(key)
      if (typeof key === 'number' && !this.snap.units.has(key)) break
      key = this.current(key).parent
    }
  }

  private validate(): void {
    const changedIds = this.order
    const keys: Key[] = [...this.createdUnits.map((c) => c.ref), ...changedIds]
    // the tree's shape: every created, moved or re-typed unit under an allowed parent, and the children of re-typed units too
    const toCheck = new Set<Key>()
    for (const key of keys) {
      const now = this.current(key)
      if (now.status !== 'active') continue
      if (typeof key === 'string') toCheck.add(key)
      else {
        const before = this.existing(key)
        if (before.parentId !== now.parent) {
          toCheck.add(key)
          this.assertNoCycle(key)
        }
        if (before.type !== now.type) {
          toCheck.add(key)
          for (const u of this.snap.units.values()) if (this.current(u.id).parent === key && this.current(u.id).status === 'active') toCheck.add(u.id)
        }
      }
    }
    for (const key of toCheck) {
      const unit = this.current(key)
      const parentType = this.parentTypeOf(key)
      if (!canBeChildOf(unit.type, parentType)) {
        throw new AppError('invalid_unit_parent', {
          unit: typeof key === 'number' ? key : null, ref: typeof key === 'string' ? key : null, name: unit.name,
          childType: unit.type, parentType, allowedParentTypes: allowedParents[unit.type],
        })
      }
    }
    // codes: every code this plan sets fits its type and parent, and no two units end with the same code
    const finalCodes = new Map<string, Key>()
    for (const key of keys) {
      const unit = this.current(key)
      const before = typeof key === 'number' ? this.existing(key) : null
      if (unit.code !== null) {
        const other = finalCodes.get(unit.code)
        if (other !== undefined && other !== key) throw new AppError('unit_code_taken', { code: unit.code })
        finalCodes.set(unit.code, key)
      }
      const codeMoved = before === null || before.code !== unit.code || before.type !== unit.type || before.parentId !== unit.parent
      if (unit.code === null || !codeMoved) continue
      const problem = codeProblem(unit.type, unit.code, this.parentCodeOf(key))
      if (!problem) continue
      const explicit = this.explicitCodes.has(key) || before === null || before.code !== unit.code
      throw new AppError(explicit ? 'unit_code_invalid' : 'unit_code_mismatch', { unitId: before?.id ?? null, name: unit.name, code: unit.code, type: unit.type, expected: problem })
    }
    // archived units leave nothing active behind
    for (const id of changedIds) {
      const now = this.current(id)
      const before = this.existing(id)
      if (now.status !== 'archived' || before.status === 'archived') continue
      const left = [...this.snap.units.values()].filter((u) => this.current(u.id).parent === id && this.current(u.id).status === 'active')
      if (left.length) throw new AppError('unit_has_active_children', { unitId: id, name: before.name, children: left.map((u) => ({ id: u.id, name: u.name, type: u.type })) })
      this.requireEmpty(before)
    }
  }

  finish(title: string): Plan {
    this.rebaseDescendantCodes()
    this.validate()
    const snap = this.snap
    const moved: Plan['moved'] = []
    const changed: Plan['changed'] = []
    const archived: UnitBrief[] = []
    const touched = new Set<number>(this.extraTouched)
    const anchorPaths: string[] = []
    const touch = (id: number) => {
      touched.add(id)
      anchorPaths.push(this.existing(id).path)
    }
    for (const id of this.order) {
      const before = this.existing(id)
      const now = this.current(id)
      if (before.parentId !== now.parent) {
        moved.push({ unit: this.brief(before), from: this.ref(before.parentId as number), to: this.ref(now.parent as Key) })
        touch(before.parentId as number)
        if (typeof now.parent === 'number') touch(now.parent)
      }
      if (before.type !== now.type || before.name !== now.name || before.code !== now.code) {
        changed.push({
          unit: this.brief(before),
          type: before.type !== now.type ? { from: before.type, to: now.type } : null,
          name: before.name !== now.name ? { from: before.name, to: now.name } : null,
          code: before.code !== now.code ? { from: before.code, to: now.code } : null,
        })
        touch(id)
      }
      if (before.status === 'active' && now.status === 'archived') {
        archived.push(this.brief(before))
        touch(id)
      }
    }
    for (const c of this.createdUnits) if (typeof c.parent === 'number') touch(c.parent)
    for (const id of this.extraTouched) anchorPaths.push(this.existing(id).path)

    // what moves: every active unit inside a moved subtree, with what hangs on it
    const movedRoots = moved.map((m) => this.existing(m.unit.id).path)
    const inside = [...snap.units.values()].filter((u) => u.status === 'active' && movedRoots.some((p) => isWithin(u.path, p))).sort((a, b) => a.id - b.id)
    const insideIds = new Set(inside.map((u) => u.id))
    const orgs = [...snap.orgs.values()].filter((o) => o.status === 'active' && (insideIds.has(o.unitId) || this.reparented.has(o.id))).sort((a, b) => a.id - b.id)
    const compounds = inside.filter((u) => u.type === 'compound')
    const buildings = inside.filter((u) => u.type === 'building')
    const sum = (m: Map<number, number>) => inside.reduce((acc, u) => acc + (m.get(u.id) ?? 0), 0)

    const anchorPath = commonAncestorPath(anchorPaths.length ? anchorPaths : [])
    const anchorId = Number(anchorPath.split('/').filter(Boolean).pop())
    const anchor = snap.units.get(anchorId)
    if (!anchor) throw new Error(`anchor ${anchorPath} is not in the snapshot`)

    return {
      kind: this.kind,
      effectiveDate: this.meta.effectiveDate,
      title,
      note: this.meta.note,
      anchor: this.brief(anchor),
      created: this.createdUnits.map((c) => ({ ref: c.ref, type: c.type, name: c.name, code: c.code, address: c.address, parent: this.ref(c.parent), sortOrder: c.sortOrder })),
      moved,
      changed,
      archived,
      lineage: this.links.map((l) => ({ predecessor: this.ref(l.predecessor), successor: this.ref(l.successor), relation: l.relation })),
      party: {
        created: this.createdOrgs.map((o) => ({ ref: o.ref, kind: o.kind, name: o.name, unit: this.ref(o.unit), parent: o.parent === null ? null : this.orgRef(o.parent) })),
        reparented: [...this.reparented.entries()].map(([id, to]) => {
          const org = snap.orgs.get(id) as OrgSnap
          return { org: this.orgBrief(org), from: org.parentId === null ? null : this.orgRef(org.parentId), to: this.orgRef(to) }
        }),
      },
      counts: {
        unitsCreated: this.createdUnits.length,
        unitsMoved: moved.length,
        unitsChanged: changed.length,
        unitsArchived: archived.length,
        compounds: compounds.length,
        buildings: buildings.length,
        households: sum(snap.households),
        people: sum(snap.people),
        partyOrgs: orgs.length,
        partyMembers: orgs.reduce((acc, o) => acc + (snap.members.get(o.id) ?? 0), 0),
      },
      lists: { compounds: compounds.map((u) => this.brief(u)), buildings: buildings.map((u) => this.brief(u)), partyOrgs: orgs.map((o) => this.orgBrief(o)) },
      warnings: this.warningList,
      touched: [...touched].sort((a, b) => a - b),
    }
  }
}

const committeeKinds = ['committee', 'general_branch']
const upperOrgKinds = ['committee', 'working_committee']

const warnOrgStays = (d: Draft, unit: UnitSnap, what: string, whatEn: string) =>
  d.warnAboutOrgs(
    unit, 'party_org_stays',
    (org, n) => `${unit.name}${what}后,其党组织「${org.name}」(${n} 名党员)保持原隶属关系,请在党组织模块办理调整或组织关系转接。`,
    (org, n) => `The party organization "${org.name}" (${n} members) of ${unit.name} keeps its place after the ${whatEn}; adjust it or transfer its members in the party module.`,
  )

// --- merge villages into a new village ---------------------------------------------------------

export function planMergeVillages(snap: Snapshot, input: MergeVillagesInput, meta: PlanMeta): Plan {
  const d = new Draft(snap, 'merge_villages', meta)
  if ((input.newVillageId === undefined) === (input.newVillage === undefined)) throw invalid('send either newVillageId or newVillage')
  const villages = input.villageIds.map((id) => d.existing(id))
  for (const v of villages) {
    d.requireType(v, ['village'])
    d.requireActive(v)
  }
  // The villages' own codes are freed first: the new village may take over one of them.
  for (const v of villages) d.setCode(v.id, null)

  let target: Key
  let targetName: string
  let existingTarget: UnitSnap | null = null
  if (input.newVillageId !== undefined) {
    existingTarget = d.existing(input.newVillageId)
    d.requireType(existingTarget, ['new_village'])
    d.requireActive(existingTarget)
    if (input.villageIds.includes(existingTarget.id)) throw invalid('the new village cannot be one of the merged villages')
    target = existingTarget.id
    targetName = existingTarget.name
    d.touch(existingTarget.id)
  } else {
    const spec = input.newVillage as NonNullable<MergeVillagesInput['newVillage']>
    if (villages.length < 2) throw invalid('a new village is formed from at least two villages', { field: 'villageIds' })
    const town = d.existing(spec.townId)
    d.requireActive(town)
    target = d.create('new_village', { type: 'new_village', name: spec.name, code: spec.code ?? null, address: spec.address ?? null, parent: town.id, sortOrder: 0 })
    targetName = spec.name
  }

  const targetCode = d.current(target).code
  for (const v of villages) {
    d.move(v.id, target)
    d.setType(v.id, 'grid')
    d.setCode(v.id, canGenerateGridCode(targetCode) ? d.nextGridCode(targetCode) : null)
    d.link(v.id, target, 'became_grid_of')
  }

  // 六联六促 — joint organization: the villages' top party organizations go under the new village's committee.
  const villageTops = villages.flatMap((v) => d.topOrgsOf(v.id))
  let committee: OrgKey | null = existingTarget ? d.orgOf(existingTarget.id, ['committee'])?.id ?? null : null
  if (committee === null) {
    const parents = new Set(villageTops.map((o) => o.parentId))
    const shared = parents.size === 1 ? [...parents][0] ?? null : null
    const sharedIsOutside = shared !== null && !villages.some((v) => snap.orgs.get(shared)?.unitId === v.id)
    const townId = existingTarget ? existingTarget.parentId : (input.newVillage as { townId: number }).townId
    const parent = sharedIsOutside ? shared : (townId !== null ? d.orgOf(townId, upperOrgKinds)?.id ?? null : null)
    committee = d.createOrg('committee', { kind: 'committee', name: `${targetName}党委`, unit: target, parent })
  }
  for (const org of villageTops) d.reparentOrg(org, committee)

  const names = villages.map((v) => v.name).join('、')
  const title = existingTarget ? `${names}并入${targetName}` : `${names}合并为${targetName}`
  return d.finish(title)
}

// --- re-divide a community's grids -------------------------------------------------------------

export function planRedivideGrids(snap: Snapshot, input: RedivideGridsInput, meta: PlanMeta): Plan {
  const d = new Draft(snap, 'redivide_grids', meta)
  const community = d.existing(input.communityId)
  d.requireType(community, ['community'])
  d.requireActive(community)
  const oldGrids = d.activeChildren(community.id).filter((u) => u.type === 'grid')

  const gridRefs = input.grids.map((g, i) =>
    d.create(`grid-${i + 1}`, { type: 'grid', name: g.name, code: g.code ?? null, address: null, parent: community.id, sortOrder: i + 1 }))
  for (const [i, g] of input.grids.entries()) {
    if (g.code === undefined || g.code === null) d.setCode(gridRefs[i] as string, canGenerateGridCode(community.code) ? d.nextGridCode(community.code) : null)
  }

  const assigned = new Map<number, string>()
  const assign = (id: number, type: UnitType, gridRef: string) => {
    const unit = d.existing(id)
    if (!isWithin(unit.path, community.path) || unit.id === community.id) throw invalid(`unit ${id} is not inside ${community.name}`, { unitId: id })
    d.requireType(unit, [type])
    d.requireActive(unit)
    if (assigned.has(id)) throw invalid(`unit ${unit.name} is assigned twice`, { unitId: id })
    assigned.set(id, gridRef)
    d.move(id, gridRef)
  }
  for (const [i, g] of input.grids.entries()) for (const id of g.compoundIds) assign(id, 'compound', gridRefs[i] as string)
  for (const [i, g] of input.grids.entries()) for (const id of g.buildingIds ?? []) assign(id, 'building', gridRefs[i] as string)

  for (const grid of oldGrids) {
    const unassigned = d.activeChildren(grid.id).filter((u) => !assigned.has(u.id))
    if (unassigned.length) {
      throw new AppError('restructure_incomplete', { gridId: grid.id, gridName: grid.name, unassigned: unassigned.map((u) => ({ id: u.id, name: u.name, type: u.type })) })
    }
    d.requireEmpty(grid)
    d.archive(grid.id)
    // old grid → every new grid that received a part of it
    for (const [id, ref] of assigned) if (isWithin(d.existing(id).path, grid.path)) d.link(grid.id, ref, 'redivided_into')
    warnOrgStays(d, grid, '撤销', 're-division')
  }

  if (input.partyChain) {
    // 社区党委—网格党支部—楼院党小组
    let committee: OrgKey | null = d.orgOf(community.id, committeeKinds)?.id ?? null
    if (committee === null) {
      const parent = community.parentId !== null ? d.orgOf(community.parentId, upperOrgKinds)?.id ?? null : null
      committee = d.createOrg('committee', { kind: 'committee', name: `${community.name}党委`, unit: community.id, parent })
    }
    for (const [i, g] of input.grids.entries()) {
      const branch = d.createOrg(`branch-${i + 1}`, { kind: 'branch', name: `${g.name}党支部`, unit: gridRefs[i] as string, parent: committee })
      for (const id of g.compoundIds) {
        const compound = d.existing(id)
        const group = d.orgOf(id, ['group'])
        if (group) d.reparentOrg(group, branch)
        else d.createOrg(`group-${id}`, { kind: 'group', name: `${compound.name}党小组`, unit: id, parent: branch })
      }
    }
  }
  return d.finish(`${community.name}网格重新划分(${oldGrids.length}个→${input.grids.length}个)`)
}

// --- merge grids ----------------------------------------------------------------------------------

export function planMergeGrids(snap: Snapshot, input: MergeGridsInput, meta: PlanMeta): Plan {
  const d = new Draft(snap, 'merge_grids', meta)
  if ((input.targetGridId === undefined) === (input.newGrid === undefined)) throw invalid('send either targetGridId or newGrid')
  const grids = input.gridIds.map((id) => d.existing(id))
  for (const g of grids) {
    d.requireType(g, ['grid'])
    d.requireActive(g)
  }
  const parentId = grids[0]?.parentId ?? null
  if (parentId === null || grids.some((g) => g.parentId !== parentId)) throw invalid('the grids to merge must have the same parent')
  const parent = d.existing(parentId)

  let target: Key
  let targetName: string
  if (input.targetGridId !== undefined) {
    if (!input.gridIds.includes(input.targetGridId)) throw invalid('targetGridId must be one of gridIds')
    target = input.targetGridId
    targetName = d.existing(target).name
  } else {
    const spec = input.newGrid as NonNullable<MergeGridsInput['newGrid']>
    target = d.create('grid', { type: 'grid', name: spec.name, code: spec.code ?? null, address: null, parent: parent.id, sortOrder: 0 })
    if (spec.code === undefined || spec.code === null) d.setCode(target, canGenerateGridCode(parent.code) ? d.nextGridCode(parent.code) : null)
    targetName = spec.name
  }
  for (const g of grids) {
    if (g.id === target) continue
    d.requireEmpty(g)
    for (const child of d.activeChildren(g.id)) d.move(child.id, target)
    d.archive(g.id)
    d.link(g.id, target, 'merged_into')
    warnOrgStays(d, g, '并入其他网格', 'merge')
  }
  return d.finish(`${grids.filter((g) => g.id !== target).map((g) => g.name).join('、')}并入${targetName}`)
}

// --- move, rename, archive ----------------------------------------------------------------------

export function planMove(snap: Snapshot, input: MoveUnitInput, meta: PlanMeta): Plan {
  const d = new Draft(snap, 'move', meta)
  const unit = d.existing(input.unitId)
  const parent = d.existing(input.newParentId)
  d.requireActive(unit)
  d.requireActive(parent)
  if (unit.parentId === null) throw invalid('a root unit cannot be moved')
  if (isWithin(parent.path, unit.path)) throw new AppError('unit_cycle', { unitId: unit.id, newParentId: parent.id })
  if (unit.parentId === parent.id) throw invalid(`${unit.name} is already under ${parent.name}`)
  if (unit.countyId !== parent.countyId) throw new AppError('invalid_unit_parent', { problem: 'units do not move between counties', unitId: unit.id, newParentId: parent.id })
  d.move(unit.id, parent.id)
  if (input.code !== undefined) d.setCode(unit.id, input.code, true)
  else if (unit.type === 'grid') d.setCode(unit.id, canGenerateGridCode(parent.code) ? d.nextGridCode(parent.code) : null)
  d.link(unit.id, unit.id, 'moved')
  warnOrgStays(d, unit, '调整隶属', 'move')
  return d.finish(`${unit.name}调整至${parent.name}`)
}

export function planRename(snap: Snapshot, input: RenameUnitInput, meta: PlanMeta): Plan {
  const d = new Draft(snap, 'rename', meta)
  const unit = d.existing(input.unitId)
  d.requireActive(unit)
  if (unit.name === input.name) throw invalid(`the unit is already named ${input.name}`)
  d.setName(unit.id, input.name)
  d.link(unit.id, unit.id, 'renamed')
  return d.finish(`${unit.name}更名为${input.name}`)
}

export function planArchive(snap: Snapshot, input: ArchiveUnitInput, meta: PlanMeta): Plan {
  const d = new Draft(snap, 'archive', meta)
  const unit = d.existing(input.unitId)
  d.requireActive(unit)
  const children = d.activeChildren(unit.id)
  if (children.length) throw new AppError('unit_has_active_children', { unitId: unit.id, name: unit.name, children: children.map((u) => ({ id: u.id, name: u.name, type: u.type })) })
  d.requireEmpty(unit)
  d.archive(unit.id)
  warnOrgStays(d, unit, '归档', 'archiving')
  return d.finish(`${unit.name}撤销归档`)
}

// --- split one unit into several -----------------------------------------------------------------

export function planSplit(snap: Snapshot, input: SplitUnitInput, meta: PlanMeta): Plan {
  const d = new Draft(snap, 'split', meta)
  const unit = d.existing(input.unitId)
  d.requireActive(unit)
  if (unit.parentId === null) throw invalid('a root unit cannot be split')
  const parent = d.existing(unit.parentId)
  d.requireActive(parent)
  const refs = input.parts.map((p, i) =>
    d.create(`part-${i + 1}`, { type: unit.type, name: p.name, code: p.code ?? null, address: p.address ?? null, parent: parent.id, sortOrder: i + 1 }))
  if (unit.type === 'grid') {
    for (const [i, p] of input.parts.entries()) {
      if (p.code === undefined || p.code === null) d.setCode(refs[i] as string, canGenerateGridCode(parent.code) ? d.nextGridCode(parent.code) : null)
    }
  }
  const assigned = new Set<number>()
  for (const [i, p] of input.parts.entries()) {
    for (const id of p.childIds) {
      const child = d.existing(id)
      if (child.parentId !== unit.id) throw invalid(`unit ${child.name} is not directly under ${unit.name}`, { unitId: id })
      d.requireActive(child)
      if (assigned.has(id)) throw invalid(`unit ${child.name} is assigned twice`, { unitId: id })
      assigned.add(id)
      d.move(id, refs[i] as string)
    }
  }
  const unassigned = d.activeChildren(unit.id).filter((u) => !assigned.has(u.id))
  if (unassigned.length) throw new AppError('restructure_incomplete', { unitId: unit.id, unassigned: unassigned.map((u) => ({ id: u.id, name: u.name, type: u.type })) })
  d.requireEmpty(unit)
  d.archive(unit.id)
  for (const ref of refs) d.link(unit.id, ref, 'split_into')
  warnOrgStays(d, unit, '拆分', 'split')
  return d.finish(`${unit.name}拆分为${input.parts.map((p) => p.name).join('、')}`)
}
