import type { Db } from '../../db/connect.js'
import { AppError } from '../../server/errors.js'
import { nowIso, shanghaiDay } from '../../lib/time.js'
import { pageOf } from '../../lib/paging.js'
import { randomToken } from '../../lib/tokens.js'
import { recordAudit } from '../audit/service.js'
import { can, requireActionOnPath, subtreeFilter, type Actor } from '../access/service.js'
import { findPersonsBrief } from '../residents/service.js'
import { canHoldMembers, nestingProblem, officerRolesFor, singleHolderRoles, type OfficerRole, type OrgKind } from './org-kinds.js'
import {
  checkNewStep, flagMessages, membershipOf, reviewTimeline, stageAfterStep, steps as stepOrder, type FlagCode, type Flag,
  type MemberFacts, type Stage, type Step, type StepRecord,
} from './development-rules.js'
import * as store from './store.js'
import type {
  CancelTransferInput, CreateMemberInput, CreateOrgInput, CreateStudioInput, CreateTransferInput, MemberDetail, MemberQuery, MemberView,
  OrgDetail, OrgQuery, OrgTreeQuery, OrgView, PublicStudioView, ReceiveTransferInput, RecordStepInput, SetOfficersInput, StageCounts,
  StudioQuery, StudioView, TransferQuery, TransferView, UpdateMemberInput, UpdateOrgInput, UpdateStudioInput,
} from './schema.js'

const today = (): string => shanghaiDay(new Date())
const depthOf = (path: string): number => path.split('/').filter(Boolean).length - 1

type Lang = 'zh' | 'en'
type MemberStatus = MemberView['status']
type RepresentativeLevel = NonNullable<MemberView['representativeLevel']>

// --- organizations --------------------------------------------------------------------------

function toOrgView(r: store.OrgRow): OrgView {
  return {
    id: r.id, name: r.name, kind: r.kind as OrgKind, parentId: r.parent_id, parentName: r.parent_name, unitId: r.unit_id, unitName: r.unit_name,
    unitType: r.unit_type, path: r.path, depth: depthOf(r.path), establishedDate: r.established_date, status: r.status === 'dissolved' ? 'dissolved' : 'active',
    childCount: Number(r.child_count ?? 0), createdAt: r.created_at, updatedAt: r.updated_at,
  }
}

async function orgOrThrow(db: Db, id: number): Promise<store.OrgRow> {
  const org = await store.findOrgById(db, id)
  if (!org) throw new AppError('party_org_not_found', { orgId: id })
  return org
}

async function activeUnit(db: Db, unitId: number): Promise<store.UnitFacts> {
  const unit = (await store.findUnitFacts(db, [unitId])).get(unitId)
  if (!unit) throw new AppError('unit_not_found', { unitId })
  if (unit.status === 'archived') throw new AppError('unit_archived', { unitId })
  return unit
}

/** Where an organization may sit: the kinds nest, and its unit lies within the parent's unit. */
function assertPlacement(kind: OrgKind, unitPath: string, parent: store.OrgRow | null): void {
  const problem = nestingProblem(kind, parent ? (parent.kind as OrgKind) : null)
  if (problem) throw new AppError('invalid_party_org_parent', { kind, parentKind: parent?.kind ?? null, problem })
  if (parent && parent.status !== 'active') throw new AppError('party_org_inactive', { orgId: parent.id })
  if (parent && !unitPath.startsWith(parent.unit_path)) throw new AppError('party_org_unit_outside_parent', { parentId: parent.id })
}

/**
 * Creates an organization inside the caller's transaction (opens none): `party.manage` on its unit,
 * valid nesting under the parent, the unit inside the parent's unit.
 */
export async function createOrg(db: Db, actor: Actor, input: CreateOrgInput): Promise<{ id: number }> {
  const unit = await activeUnit(db, input.unitId)
  requireActionOnPath(actor, 'party.manage', unit.path)
  const parent = input.parentId === null ? null : await orgOrThrow(db, input.parentId)
  assertPlacement(input.kind, unit.path, parent)
  const now = nowIso()
  const { id } = await store.insertOrg(db, {
    county_id: unit.countyId, unit_id: unit.id, parent_id: parent?.id ?? null, path: `${parent?.path ?? '/'}new-${randomToken(9)}/`,
    kind: input.kind, name: input.name.trim(), established_date: input.establishedDate ?? null, status: 'active', created_at: now, updated_at: now,
  })
  const path = `${parent?.path ?? '/'}${id}/`
  await store.updateOrg(db, id, { path })
  await recordAudit(db, actor, {
    action: 'party.org_create', entityType: 'party_org', entityId: id, unitId: unit.id, unitPath: unit.path,
    after: { name: input.name, kind: input.kind, unitId: unit.id, parentId: parent?.id ?? null },
  })
  return { id }
}

export async function registerOrg(db: Db, actor: Actor, input: CreateOrgInput): Promise<OrgDetail> {
  const { id } = await db.transaction().execute((trx) => createOrg(trx, actor, input))
  return orgDetail(db, id)
}

/**
 * Moves an organization, with everything below it, under another parent (null: to the top), inside
 * the caller's transaction. Restructuring uses it to put village branches under a new village's committee.
 */
export async function moveOrg(db: Db, actor: Actor, orgId: number, parentId: number | null): Promise<void> {
  const org = await orgOrThrow(db, orgId)
  requireActionOnPath(actor, 'party.manage', org.unit_path)
  if (org.parent_id === parentId) return
  const parent = parentId === null ? null : await orgOrThrow(db, parentId)
  if (parent && parent.path.startsWith(org.path)) throw new AppError('invalid_party_org_parent', { problem: 'an organization cannot move under itself or its own sub-organization' })
  assertPlacement(org.kind as OrgKind, org.unit_path, parent)
  const now = nowIso()
  const newPath = `${parent?.path ?? '/'}${org.id}/`
  await store.updateOrg(db, orgId, { parent_id: parent?.id ?? null, updated_at: now })
  await store.moveOrgPaths(db, org.path, newPath, now)
  await recordAudit(db, actor, {
    action: 'party.org_move', entityType: 'party_org', entityId: orgId, unitId: org.unit_id, unitPath: org.unit_path,
    before: { parentId: org.parent_id, path: org.path }, after: { parentId: parent?.id ?? null, path: newPath },
  })
}

export async function updateOrg(db: Db, actor: Actor, id: number, input: UpdateOrgInput): Promise<OrgDetail> {
  await db.transaction().execute(async (trx) => {
    const org = await orgOrThrow(trx, id)
    requireActionOnPath(actor, 'party.manage', org.unit_path)
    const now = nowIso()
    if (input.parentId !== undefined && input.parentId !== org.parent_id) await moveOrg(trx, actor, id, input.parentId)
    let current = await orgOrThrow(trx, id)
    const parent = current.parent_id === null ? null : await orgOrThrow(trx, current.parent_id)
    const children = (await store.listOrgs(trx, { scope: { all: true, paths: [] }, underUnit: null, kind: null, parentId: id, q: null, status: 'active' }, { limit: 10000, offset: 0 })).rows

    if (input.unitId !== undefined && input.unitId !== current.unit_id) {
      const unit = await activeUnit(trx, input.unitId)
      requireActionOnPath(actor, 'party.manage', unit.path)
      assertPlacement(current.kind as OrgKind, unit.path, parent)
      const outside = children.find((c) => !c.unit_path.startsWith(unit.path))
      if (outside) throw new AppError('party_org_unit_outside_parent', { childId: outside.id })
      await store.updateOrg(trx, id, { unit_id: unit.id, county_id: unit.countyId, updated_at: now })
    }
    if (input.kind !== undefined && input.kind !== current.kind) {
      const kind = input.kind
      const problem = nestingProblem(kind, parent ? (parent.kind as OrgKind) : null)
        ?? children.map((c) => nestingProblem(c.kind as OrgKind, kind)).find((p) => p !== null) ?? null
      if (problem) throw new AppError('invalid_party_org_parent', { kind, problem })
      if (!canHoldMembers(kind) && (await store.countPresentMembers(trx, id)) > 0) throw new AppError('org_cannot_hold_members')
      const roles = officerRolesFor(kind)
      if ((await store.listOfficers(trx, id)).some((o) => !roles.includes(o.role as OfficerRole))) {
        throw new AppError('invalid_officer_role', { problem: 'replace the officers first: their roles do not exist in the new kind' })
      }
      await store.updateOrg(trx, id, { kind, updated_at: now })
    }
    if (input.status !== undefined && input.status !== current.status) {
      if (input.status === 'dissolved' && (children.length > 0 || (await store.countPresentMembers(trx, id)) > 0)) throw new AppError('party_org_not_empty')
      if (input.status === 'active' && parent && parent.status !== 'active') throw new AppError('party_org_inactive', { orgId: parent.id })
      await store.updateOrg(trx, id, { status: input.status, updated_at: now })
    }
    if (input.name !== undefined || input.establishedDate !== undefined) {
      await store.updateOrg(trx, id, {
        ...(input.name !== undefined ? { name: input.name.trim() } : {}),
        ...(input.establishedDate !== undefined ? { established_date: input.establishedDate } : {}),
        updated_at: now,
      })
    }
    current = await orgOrThrow(trx, id)
    await recordAudit(trx, actor, {
      action: 'party.org_update', entityType: 'party_org', entityId: id, unitId: current.unit_id, unitPath: current.unit_path,
      before: { name: org.name, kind: org.kind, unitId: org.unit_id, parentId: org.parent_id, status: org.status, establishedDate: org.established_date },
      after: { name: current.name, kind: current.kind, unitId: current.unit_id, parentId: current.parent_id, status: current.status, establishedDate: current.established_date },
    })
  })
  return orgDetail(db, id)
}

function emptyCounts(): StageCounts {
  return { applicant: 0, activist: 0, candidate: 0, probationary: 0, full: 0, total: 0 }
}

function addCount(counts: StageCounts, stage: string, n: number): void {
  if (stage in counts && stage !== 'total') counts[stage as Stage] += n
  counts.total += n
}

async function orgDetail(db: Db, id: number): Promise<OrgDetail> {
  const org = await orgOrThrow(db, id)
  const ancestorIds = org.path.split('/').filter(Boolean).map(Number).filter((a) => a !== id)
  const [ancestors, officers, direct, subtree] = await Promise.all([
    store.findOrgsByIds(db, ancestorIds),
    store.listOfficers(db, id),
    store.stageCountsByOrg(db, { orgIds: [id] }),
    store.stageCountsByOrg(db, { underPath: org.path }),
  ])
  const memberCounts = emptyCounts()
  for (const r of direct) addCount(memberCounts, r.stage, r.n)
  const subtreeMemberCounts = emptyCounts()
  for (const r of subtree) addCount(subtreeMemberCounts, r.stage, r.n)
  return {
    ...toOrgView(org),
    ancestors: ancestors.sort((a, b) => a.path.length - b.path.length).map((a) => ({ id: a.id, name: a.name, kind: a.kind as OrgKind })),
    officers: officers.map((o) => ({ id: o.id, personId: o.personId, name: o.name, role: o.role as OfficerRole, since: o.since, until: o.until })),
    memberCounts, subtreeMemberCounts,
  }
}

export async function getOrg(db: Db, actor: Actor, id: number): Promise<OrgDetail> {
  const org = await orgOrThrow(db, id)
  requireActionOnPath(actor, 'party.read', org.unit_path)
  return orgDetail(db, id)
}

async function underUnitPath(db: Db, unitId: number | undefined): Promise<string | null> {
  if (unitId === undefined) return null
  const unit = (await store.findUnitFacts(db, [unitId])).get(unitId)
  if (!unit) throw new AppError('unit_not_found', { unitId })
  return unit.path
}

export async function listOrgs(db: Db, actor: Actor, query: OrgQuery): Promise<{ items: OrgView[]; total: number }> {
  const status = query.status ?? 'active'
  const { rows, total } = await store.listOrgs(db, {
    scope: subtreeFilter(actor, 'party.read'), underUnit: await underUnitPath(db, query.unitId), kind: query.kind ?? null,
    parentId: query.parentId ?? null, q: query.q?.trim() || null, status: status === 'all' ? null : status,
  }, pageOf(query))
  return { total, items: rows.map(toOrgView) }
}

export async function orgChildren(db: Db, actor: Actor, id: number): Promise<{ items: OrgView[] }> {
  const org = await orgOrThrow(db, id)
  requireActionOnPath(actor, 'party.read', org.unit_path)
  const { rows } = await store.listOrgs(db, { scope: subtreeFilter(actor, 'party.read'), underUnit: null, kind: null, parentId: id, q: null, status: null }, { limit: 5000, offset: 0 })
  return { items: rows.map(toOrgView) }
}

/** The organizations the caller may see, depth-first, with subtree counts of full and probationary members. */
export async function orgTree(db: Db, actor: Actor, query: OrgTreeQuery) {
  let root: store.OrgRow | null = null
  if (query.rootId !== undefined) {
    root = await orgOrThrow(db, query.rootId)
    requireActionOnPath(actor, 'party.read', root.unit_path)
  }
  const status = query.status ?? 'active'
  let rows = await store.orgsForTree(db, subtreeFilter(actor, 'party.read'), root?.path ?? null, status === 'all' ? null : status)
  if (query.maxDepth !== undefined) {
    const limit = (root ? depthOf(root.path) : Math.min(...rows.map((r) => depthOf(r.path)))) + query.maxDepth
    rows = rows.filter((r) => depthOf(r.path) <= limit)
  }
  const ids = new Set(rows.map((r) => r.id))
  const counts = await store.stageCountsByOrg(db, root ? { underPath: root.path } : { orgIds: [...ids] })
  const members = new Map<number, number>()
  for (const c of counts) {
    if (c.stage !== 'full' && c.stage !== 'probationary') continue
    for (const part of c.path.split('/')) {
      const orgId = Number(part)
      if (part && ids.has(orgId)) members.set(orgId, (members.get(orgId) ?? 0) + c.n)
    }
  }
  const childCount = new Map<number, number>()
  for (const r of rows) if (r.parent_id !== null && r.status === 'active') childCount.set(r.parent_id, (childCount.get(r.parent_id) ?? 0) + 1)
  return {
    items: rows.map((r) => ({
      id: r.id, parentId: r.parent_id, name: r.name, kind: r.kind as OrgKind, unitId: r.unit_id, unitName: r.unit_name, depth: depthOf(r.path),
      status: r.status === 'dissolved' ? 'dissolved' as const : 'active' as const, childCount: childCount.get(r.id) ?? 0, memberCount: members.get(r.id) ?? 0,
    })),
  }
}

/** Replaces the officers: roles fit the kind, one secretary (or group leader) at a time, every officer a full or probationary member. */
export async function setOfficers(db: Db, actor: Actor, id: number, input: SetOfficersInput): Promise<OrgDetail> {
  await db.transaction().execute(async (trx) => {
    const org = await orgOrThrow(trx, id)
    requireActionOnPath(actor, 'party.manage', org.unit_path)
    const roles = officerRolesFor(org.kind as OrgKind)
    const day = today()
    const officers = input.officers.map((o) => ({ personId: o.personId, role: o.role, since: o.since ?? null, until: o.until ?? null }))
    for (const o of officers) {
      if (!roles.includes(o.role)) throw new AppError('invalid_officer_role', { role: o.role, kind: org.kind, allowed: roles })
      if (o.since && o.until && o.until < o.since) throw new AppError('validation_failed', [{ in: 'body', field: 'officers.until', problem: 'before_since' }])
    }
    const current = officers.filter((o) => o.until === null || o.until >= day)
    for (const role of singleHolderRoles) {
      if (current.filter((o) => o.role === role).length > 1) throw new AppError('invalid_officer_role', { role, problem: 'only one at a time' })
    }
    const seen = new Set<string>()
    for (const o of officers) {
      const key = `${o.personId}:${o.role}:${o.since}`
      if (seen.has(key)) throw new AppError('invalid_officer_role', { personId: o.personId, role: o.role, problem: 'listed twice' })
      seen.add(key)
    }
    const memberships = await store.findMembersByPersonIds(trx, officers.map((o) => o.personId))
    for (const o of officers) {
      const m = memberships.find((x) => x.person_id === o.personId)
      if (!m || m.status !== 'active' || membershipOf(m.stage as Stage) === null) throw new AppError('officer_not_member', { personId: o.personId })
    }
    const before = await store.listOfficers(trx, id)
    await store.replaceOfficers(trx, id, officers)
    await recordAudit(trx, actor, {
      action: 'party.officers', entityType: 'party_org', entityId: id, unitId: org.unit_id, unitPath: org.unit_path,
      before: before.map((o) => ({ personId: o.personId, role: o.role, since: o.since, until: o.until })), after: officers,
    })
  })
  return orgDetail(db, id)
}

export interface PartyChain {
  committeeId: number
  branches: { unitId: number; orgId: number; created: boolean }[]
  groups: { unitId: number; orgId: number; created: boolean }[]
}

/**
 * 社区党委—网格党支部—楼院党小组: makes sure the community has a party committee, every grid a branch
 * under it, and every compound/building a group under the branch of its grid. Existing organizations
 * are reused (and re-attached when a compound moved to another grid). Runs inside the caller's
 * transaction and opens none; every organization it creates or moves is audited.
 */
export async function ensurePartyChain(db: Db, actor: Actor, input: { communityUnitId: number; gridUnitIds: number[]; compoundUnitIds: number[] }): Promise<PartyChain> {
  const community = await activeUnit(db, input.communityUnitId)
  requireActionOnPath(actor, 'party.manage', community.path)
  const ancestorIds = (path: string, self: number) => path.split('/').filter(Boolean).map(Number).filter((id) => id !== self)
  const deepest = (orgs: store.OrgRow[]) => orgs.sort((a, b) => b.unit_path.length - a.unit_path.length || a.id - b.id)[0] ?? null

  let committee = deepest(await store.findActiveOrgsAtUnits(db, [community.id], ['committee']))
  if (!committee) {
    const above = deepest(await store.findActiveOrgsAtUnits(db, ancestorIds(community.path, community.id), ['committee', 'working_committee']))
    const { id } = await createOrg(db, actor, { name: `${community.name}党委`, kind: 'committee', unitId: community.id, parentId: above?.id ?? null })
    committee = await orgOrThrow(db, id)
  }

  const branches: PartyChain['branches'] = []
  for (const gridId of [...new Set(input.gridUnitIds)]) {
    const grid = await activeUnit(db, gridId)
    if (!grid.path.startsWith(community.path) || grid.id === community.id) throw new AppError('party_org_unit_outside_parent', { unitId: gridId, problem: 'the grid is not inside the community' })
    const existing = deepest(await store.findActiveOrgsAtUnits(db, [grid.id], ['branch']))
    if (existing) {
      if (existing.parent_id !== committee.id) await moveOrg(db, actor, existing.id, committee.id)
      branches.push({ unitId: grid.id, orgId: existing.id, created: false })
    } else {
      const { id } = await createOrg(db, actor, { name: `${grid.name}党支部`, kind: 'branch', unitId: grid.id, parentId: committee.id })
      branches.push({ unitId: grid.id, orgId: id, created: true })
    }
  }

  const groups: PartyChain['groups'] = []
  for (const compoundId of [...new Set(input.compoundUnitIds)]) {
    const compound = await activeUnit(db, compoundId)
    if (!compound.path.startsWith(community.path)) throw new AppError('party_org_unit_outside_parent', { unitId: compoundId, problem: 'the compound is not inside the community' })
    const branch = deepest(await store.findActiveOrgsAtUnits(db, ancestorIds(compound.path, compound.id), ['branch']))
    if (!branch) throw new AppError('invalid_party_org_parent', { unitId: compoundId, problem: 'no party branch in a grid above this compound' })
    const existing = deepest(await store.findActiveOrgsAtUnits(db, [compound.id], ['group']))
    if (existing) {
      if (existing.parent_id !== branch.id) await moveOrg(db, actor, existing.id, branch.id)
      groups.push({ unitId: compound.id, orgId: existing.id, created: false })
    } else {
      const { id } = await createOrg(db, actor, { name: `${compound.name}党小组`, kind: 'group', unitId: compound.id, parentId: branch.id })
      groups.push({ unitId: compound.id, orgId: id, created: true })
    }
  }
  return { committeeId: committee.id, branches, groups }
}

// --- members --------------------------------------------------------------------------------

function currentFlags(r: { flags: string | null; overdue_flag: string | null; overdue_after: string | null; status: string }, day: string): FlagCode[] {
  const flags = (r.flags ?? '').split(',').filter(Boolean) as FlagCode[]
  if (r.status === 'active' && r.overdue_flag && r.overdue_after && r.overdue_after < day) flags.push(r.overdue_flag as FlagCode)
  return flags
}

function toMemberView(r: store.MemberRow, day: string): MemberView {
  const stage = r.stage as Stage
  return {
    id: r.id, personId: r.person_id, name: r.name, gender: r.gender, birthDate: r.birth_date, phoneMasked: r.phone_masked,
    orgId: r.org_id, orgName: r.org_name, stage, membership: membershipOf(stage), joinedDate: r.joined_date, fullDate: r.full_date,
    isRepresentative: r.is_representative === 1, representativeLevel: (r.representative_level as RepresentativeLevel | null) ?? null,
    status: r.status as MemberStatus, openTransferId: r.open_transfer_id ?? null, flags: currentFlags(r, day),
    createdAt: r.created_at, updatedAt: r.updated_at,
  }
}

const toStepRecord = (s: { step: string; date: string; sponsors_json: string | null }): StepRecord => ({
  step: s.step as Step, date: s.date, sponsors: s.sponsors_json ? (JSON.parse(s.sponsors_json) as string[]) : null,
})

const factsOf = (m: { stage: string; joined_date: string | null; birth_date: string | null }): MemberFacts => ({
  stage: m.stage as Stage, joinedDate: m.joined_date, birthDate: m.birth_date,
})

/** Re-evaluates the pipeline rules of one member and stores what list filters need. */
async function refreshCheck(db: Db, memberId: number): Promise<void> {
  const member = await store.findMemberById(db, memberId)
  if (!member) return
  const review = reviewTimeline(factsOf(member), (await store.listSteps(db, memberId)).map(toStepRecord), today())
  await store.saveCheck(db, memberId, {
    flags: review.stored.flags.length > 0 ? `,${review.stored.flags.join(',')},` : '',
    overdue_flag: review.stored.overdueFlag, overdue_after: review.stored.overdueAfter, updated_at: nowIso(),
  })
}

/**
 * Re-evaluates the pipeline rules for many members (all when `memberIds` is null) in batches, for
 * members written outside this module's services: the demo generator, bulk imports.
 * The caller's transaction is used when `db` is one. Returns how many members were checked.
 */
export async function refreshPartyChecks(db: Db, memberIds: number[] | null = null): Promise<number> {
  const day = today()
  const now = nowIso()
  let after = 0
  let checked = 0
  for (;;) {
    const batch = await store.memberFactsBatch(db, after, 500, memberIds)
    if (batch.length === 0) return checked
    const byMember = new Map<number, StepRecord[]>()
    for (const s of await store.stepsOfMembers(db, batch.map((m) => m.id))) byMember.set(s.member_id, [...(byMember.get(s.member_id) ?? []), toStepRecord(s)])
    await store.saveChecks(db, batch.map((m) => {
      const review = reviewTimeline(factsOf(m), byMember.get(m.id) ?? [], day)
      return {
        member_id: m.id, flags: review.stored.flags.length > 0 ? `,${review.stored.flags.join(',')},` : '',
        overdue_flag: review.stored.overdueFlag, overdue_after: review.stored.overdueAfter, updated_at: now,
      }
    }))
    checked += batch.length
    after = batch[batch.length - 1]!.id
  }
}

const flagView = (f: Flag, lang: Lang) => ({ code: f.code, step: f.step, expected: f.expected, message: flagMessages[f.code][lang] })

function toTransferView(t: store.TransferRow): TransferView {
  return {
    id: t.id, memberId: t.member_id, personId: t.person_id, name: t.name, direction: t.direction as TransferView['direction'],
    status: t.status as TransferView['status'], fromOrgId: t.from_org_id, fromOrgName: t.from_org_name, toOrgId: t.to_org_id, toOrgName: t.to_org_name,
    externalOrgName: t.external_org_name, letterNo: t.letter_no, issuedDate: t.issued_date, receivedDate: t.received_date, note: t.note,
    createdAt: t.created_at, updatedAt: t.updated_at,
  }
}

function toStudioView(s: store.StudioRow): StudioView {
  return {
    id: s.id, memberId: s.member_id, representativeName: s.representative_name, name: s.name, unitId: s.unit_id, unitName: s.unit_name,
    specialty: s.specialty, receptionHours: s.reception_hours, address: s.address, status: s.status === 'closed' ? 'closed' : 'active',
    createdAt: s.created_at, updatedAt: s.updated_at,
  }
}

async function memberDetail(db: Db, id: number, lang: Lang): Promise<MemberDetail> {
  const m = await store.findMemberById(db, id)
  if (!m) throw new AppError('party_member_not_found')
  const day = today()
  const [stepRows, transfers, studios, persons] = await Promise.all([
    store.listSteps(db, id), store.transfersOfMember(db, id), store.findStudiosOfMember(db, id), findPersonsBrief(db, [m.person_id]),
  ])
  const review = reviewTimeline(factsOf(m), stepRows.map(toStepRecord), day)
  const person = persons.get(m.person_id)
  const studio = studios.find((s) => s.status === 'active') ?? studios[0] ?? null
  return {
    ...toMemberView(m, day),
    idNumberMasked: m.id_number_masked,
    unitId: m.person_unit_id,
    unitName: person?.unitName ?? '',
    timeline: stepRows.map((s, i) => ({
      id: s.id, step: s.step as Step, date: s.date, sponsors: toStepRecord(s).sponsors ?? null, note: s.note,
      flags: (review.stepFlags[i] ?? []).map((f) => flagView(f, lang)),
    })),
    pending: review.pending,
    flagDetails: m.status === 'active' ? review.flags.map((f) => flagView(f, lang)) : review.stepFlags.flat().map((f) => flagView(f, lang)),
    transfers: transfers.map(toTransferView),
    studio: studio ? toStudioView(studio) : null,
  }
}

async function memberOrThrow(db: Db, id: number): Promise<store.MemberRow> {
  const m = await store.findMemberById(db, id)
  if (!m) throw new AppError('party_member_not_found')
  return m
}

/** The person must exist and be someone the actor may see in the registry. */
async function visiblePerson(db: Db, actor: Actor, personId: number) {
  const person = (await findPersonsBrief(db, [personId])).get(personId)
  if (!person) throw new AppError('person_not_found', { personId })
  if (!can(actor, 'residents.read', person.unitPath) && !can(actor, 'party.manage', person.unitPath)) throw new AppError('forbidden', { action: 'residents.read', personId })
  return person
}

async function memberOrg(db: Db, actor: Actor, orgId: number): Promise<store.OrgRow> {
  const org = await orgOrThrow(db, orgId)
  requireActionOnPath(actor, 'party.manage', org.unit_path)
  if (org.status !== 'active') throw new AppError('party_org_inactive', { orgId })
  if (!canHoldMembers(org.kind)) throw new AppError('org_cannot_hold_members', { orgId, kind: org.kind })
  return org
}

const dateProblem = (field: string, problem: string) => new AppError('validation_failed', [{ in: 'body', field, problem }])

/**
 * Registers a member inside the caller's transaction (opens none): a new applicant with the date of
 * the application (recorded as the first step), or someone already further along registered at
 * their stage without the earlier steps (probationary and full need the admission date, joinedDate).
 */
export async function createMember(db: Db, actor: Actor, input: CreateMemberInput, options: { audit?: boolean } = {}): Promise<{ id: number }> {
  const org = await memberOrg(db, actor, input.orgId)
  await visiblePerson(db, actor, input.personId)
  if (await store.findMemberByPersonId(db, input.personId)) throw new AppError('already_party_member')
  const stage: Stage = input.stage ?? 'applicant'
  const day = today()
  if (stage === 'applicant' && !input.applicationDate) throw dateProblem('applicationDate', 'required for an applicant')
  if (input.applicationDate && input.applicationDate > day) throw dateProblem('applicationDate', 'in_future')
  if ((stage === 'probationary' || stage === 'full') && !input.joinedDate) throw dateProblem('joinedDate', 'required for probationary and full members')
  if (input.joinedDate && input.joinedDate > day) throw dateProblem('joinedDate', 'in_future')
  if (input.fullDate && stage !== 'full') throw dateProblem('fullDate', 'only for full members')
  if (input.fullDate && (input.fullDate > day || (input.joinedDate && input.fullDate < input.joinedDate))) throw dateProblem('fullDate', 'in the future or before joinedDate')
  const now = nowIso()
  const { id } = await store.insertMember(db, {
    county_id: org.county_id, person_id: input.personId, org_id: org.id, stage,
    joined_date: stage === 'probationary' || stage === 'full' ? input.joinedDate ?? null : null, full_date: stage === 'full' ? input.fullDate ?? null : null,
    is_representative: 0, representative_level: null, status: 'active', created_at: now, updated_at: now,
  })
  if (stage === 'applicant') {
    await store.insertStep(db, { member_id: id, step: 'application', date: input.applicationDate as string, sponsors_json: null, note: input.note ?? null, actor_id: actor.accountId, created_at: now })
  }
  await refreshCheck(db, id)
  if (options.audit !== false) {
    await recordAudit(db, actor, {
      action: 'party.member_create', entityType: 'party_member', entityId: id, unitId: org.unit_id, unitPath: org.unit_path,
      after: { personId: input.personId, orgId: org.id, stage, applicationDate: input.applicationDate ?? null, joinedDate: input.joinedDate ?? null, fullDate: input.fullDate ?? null },
    })
  }
  return { id }
}

export async function registerMember(db: Db, actor: Actor, input: CreateMemberInput): Promise<MemberDetail> {
  const { id } = await db.transaction().execute((trx) => createMember(trx, actor, input))
  return memberDetail(db, id, actor.lang)
}

export async function getMember(db: Db, actor: Actor, id: number): Promise<MemberDetail> {
  const m = await memberOrThrow(db, id)
  requireActionOnPath(actor, 'party.read', m.org_unit_path)
  return memberDetail(db, id, actor.lang)
}

export async function listMembers(db: Db, actor: Actor, query: MemberQuery): Promise<{ items: MemberView[]; total: number }> {
  let underOrgPath: string | null = null
  if (query.orgId !== undefined) underOrgPath = (await orgOrThrow(db, query.orgId)).path
  const status = query.status ?? 'active'
  const day = today()
  const { rows, total } = await store.listMembers(db, {
    scope: subtreeFilter(actor, 'party.read'), underOrgPath, underUnit: await underUnitPath(db, query.unitId),
    stage: query.stage ?? null, stages: query.membership ? [query.membership] : null, status: status === 'all' ? null : status,
    q: query.q?.trim() || null, flag: query.flag ?? null, flagged: query.flagged ?? false,
    isRepresentative: query.isRepresentative ?? null, today: day,
  }, query.sort ?? 'id', pageOf(query))
  return { total, items: rows.map((r) => toMemberView(r, day)) }
}

/** Records the next development step: refused out of order, in the future or without two sponsors at admission; rule breaches are flagged. */
export async function recordStep(db: Db, actor: Actor, id: number, input: RecordStepInput): Promise<MemberDetail> {
  await db.transaction().execute(async (trx) => {
    const m = await memberOrThrow(trx, id)
    requireActionOnPath(actor, 'party.manage', m.org_unit_path)
    if (m.status !== 'active') throw new AppError('member_not_active', { status: m.status })
    const recorded = (await store.listSteps(trx, id)).map(toStepRecord)
    const sponsors = input.sponsors?.map((s) => s.trim()) ?? null
    const refusal = checkNewStep(factsOf(m), recorded, { step: input.step, date: input.date, sponsors }, today())
    if (refusal) throw new AppError(refusal.code, refusal)
    const now = nowIso()
    await store.insertStep(trx, {
      member_id: id, step: input.step, date: input.date, sponsors_json: sponsors && input.step === 'admission' ? JSON.stringify(sponsors) : null,
      note: input.note ?? null, actor_id: actor.accountId, created_at: now,
    })
    await store.updateMember(trx, id, {
      stage: stageAfterStep[input.step],
      ...(input.step === 'admission' ? { joined_date: input.date } : {}),
      ...(input.step === 'full' ? { full_date: input.date } : {}),
      updated_at: now,
    })
    await refreshCheck(trx, id)
    await recordAudit(trx, actor, {
      action: 'party.step', entityType: 'party_member', entityId: id, unitId: m.org_unit_id, unitPath: m.org_unit_path,
      before: { stage: m.stage }, after: { step: input.step, date: input.date, sponsors, stage: stageAfterStep[input.step] },
    })
  })
  return memberDetail(db, id, actor.lang)
}

/** Takes back the last step (a correction); the first step of an applicant is the record itself and stays. */
export async function deleteLastStep(db: Db, actor: Actor, id: number, stepId: number): Promise<MemberDetail> {
  await db.transaction().execute(async (trx) => {
    const m = await memberOrThrow(trx, id)
    requireActionOnPath(actor, 'party.manage', m.org_unit_path)
    if (m.status !== 'active') throw new AppError('member_not_active', { status: m.status })
    const recorded = await store.listSteps(trx, id)
    const last = recorded[recorded.length - 1]
    if (!recorded.some((s) => s.id === stepId)) throw new AppError('party_step_not_found')
    if (!last || last.id !== stepId) throw new AppError('invalid_stage_transition', { problem: 'only the last step can be taken back' })
    const before = stepOrder[stepOrder.indexOf(last.step as Step) - 1]
    if (!before) throw new AppError('invalid_stage_transition', { problem: 'the application is the start of the record and stays' })
    const now = nowIso()
    await store.deleteStep(trx, stepId)
    await store.updateMember(trx, id, {
      stage: stageAfterStep[before],
      ...(last.step === 'admission' ? { joined_date: null } : {}),
      ...(last.step === 'full' ? { full_date: null } : {}),
      updated_at: now,
    })
    await refreshCheck(trx, id)
    await recordAudit(trx, actor, {
      action: 'party.step_delete', entityType: 'party_member', entityId: id, unitId: m.org_unit_id, unitPath: m.org_unit_path,
      before: { step: last.step, date: last.date, stage: m.stage }, after: { stage: stageAfterStep[before] },
    })
  })
  return memberDetail(db, id, actor.lang)
}

export async function updateMember(db: Db, actor: Actor, id: number, input: UpdateMemberInput): Promise<MemberDetail> {
  await db.transaction().execute((trx) => changeMember(trx, actor, id, input))
  return memberDetail(db, id, actor.lang)
}

/**
 * Changes a member's status or representative mark inside the caller's transaction (opens none),
 * audited there: an importer marks 党代表 in the same transaction as the member it registers.
 */
export async function changeMember(trx: Db, actor: Actor, id: number, input: UpdateMemberInput): Promise<void> {
  const m = await memberOrThrow(trx, id)
  requireActionOnPath(actor, 'party.manage', m.org_unit_path)
  const now = nowIso()
  if (input.status !== undefined && input.status !== m.status) {
    if (m.status === 'transferred_out' || m.status === 'incoming') throw new AppError('member_not_active', { status: m.status })
    if (m.open_transfer_id) throw new AppError('transfer_in_progress')
    await store.updateMember(trx, id, { status: input.status, updated_at: now })
    if (input.status !== 'active') await store.closeStudiosOfMember(trx, id, now)
  }
  if (input.isRepresentative === true || (input.isRepresentative === undefined && input.representativeLevel != null && m.is_representative === 1)) {
    if (m.stage !== 'full') throw new AppError('representative_requires_full_member')
    await store.updateMember(trx, id, { is_representative: 1, representative_level: input.representativeLevel ?? m.representative_level ?? 'county', updated_at: now })
  } else if (input.isRepresentative === false) {
    await store.updateMember(trx, id, { is_representative: 0, representative_level: null, updated_at: now })
    await store.closeStudiosOfMember(trx, id, now)
  }
  const after = await memberOrThrow(trx, id)
  await recordAudit(trx, actor, {
    action: 'party.member_update', entityType: 'party_member', entityId: id, unitId: m.org_unit_id, unitPath: m.org_unit_path,
    before: { status: m.status, isRepresentative: m.is_representative === 1, representativeLevel: m.representative_level },
    after: { status: after.status, isRepresentative: after.is_representative === 1, representativeLevel: after.representative_level },
  })
}

// --- transfers ------------------------------------------------------------------------------

const missing = (fields: string[]) => new AppError('validation_failed', fields.map((field) => ({ in: 'body', field, problem: 'required for this direction' })))

/**
 * Starts a transfer of membership (组织关系转接): internal (to another organization in the county),
 * outbound (to an organization outside) or inbound (from outside, for a person in the registry).
 */
export async function createTransfer(db: Db, actor: Actor, input: CreateTransferInput): Promise<TransferView> {
  const id = await db.transaction().execute(async (trx) => {
    const day = today()
    if (input.issuedDate > day) throw dateProblem('issuedDate', 'in_future')
    const now = nowIso()
    const base = { letter_no: input.letterNo ?? null, issued_date: input.issuedDate, received_date: null, note: input.note ?? null, status: 'in_transit', created_at: now, updated_at: now }
    let memberId: number
    let from: store.OrgRow | null = null
    let to: store.OrgRow | null = null
    if (input.direction === 'inbound') {
      const needed = (['personId', 'toOrgId', 'externalOrgName', 'stage', 'joinedDate'] as const).filter((f) => input[f] === undefined)
      if (needed.length > 0) throw missing(needed)
      to = await memberOrg(trx, actor, input.toOrgId as number)
      await visiblePerson(trx, actor, input.personId as number)
      const joined = input.joinedDate as string
      if (joined > day) throw dateProblem('joinedDate', 'in_future')
      if (input.fullDate && (input.stage !== 'full' || input.fullDate < joined || input.fullDate > day)) throw dateProblem('fullDate', 'only for full members, between joinedDate and today')
      const existing = await store.findMemberByPersonId(trx, input.personId as number)
      const memberRow = {
        org_id: to.id, county_id: to.county_id, stage: input.stage as string, joined_date: joined, full_date: input.stage === 'full' ? input.fullDate ?? null : null,
        status: 'incoming', updated_at: now,
      }
      if (existing) {
        // Someone whose membership lies outside the county comes back; anyone else is already here.
        if (existing.status !== 'transferred_out') throw new AppError('already_party_member', { memberId: existing.id, status: existing.status })
        await store.updateMember(trx, existing.id, memberRow)
        memberId = existing.id
      } else {
        memberId = (await store.insertMember(trx, { ...memberRow, person_id: input.personId as number, is_representative: 0, representative_level: null, created_at: now })).id
      }
      await refreshCheck(trx, memberId)
    } else {
      const needed = (input.direction === 'internal' ? ['memberId', 'toOrgId'] as const : ['memberId', 'externalOrgName'] as const).filter((f) => input[f] === undefined)
      if (needed.length > 0) throw missing(needed)
      const m = await memberOrThrow(trx, input.memberId as number)
      from = await orgOrThrow(trx, m.org_id)
      requireActionOnPath(actor, 'party.manage', from.unit_path)
      if (m.status !== 'active') throw new AppError('member_not_active', { status: m.status })
      if (membershipOf(m.stage as Stage) === null) throw new AppError('transfer_not_allowed', { stage: m.stage })
      if (m.open_transfer_id) throw new AppError('transfer_in_progress', { transferId: m.open_transfer_id })
      if (input.direction === 'internal') {
        to = await orgOrThrow(trx, input.toOrgId as number)
        if (to.status !== 'active') throw new AppError('party_org_inactive', { orgId: to.id })
        if (!canHoldMembers(to.kind)) throw new AppError('org_cannot_hold_members', { orgId: to.id, kind: to.kind })
        if (to.id === from.id) throw new AppError('validation_failed', [{ in: 'body', field: 'toOrgId', problem: 'the member is already in this organization' }])
      }
      memberId = m.id
    }
    const { id: transferId } = await store.insertTransfer(trx, {
      ...base, member_id: memberId, direction: input.direction, from_org_id: from?.id ?? null, to_org_id: to?.id ?? null,
      external_org_name: input.direction === 'internal' ? null : input.externalOrgName?.trim() ?? null,
    })
    const anchor = from ?? to
    await recordAudit(trx, actor, {
      action: 'party.transfer_create', entityType: 'party_transfer', entityId: transferId, unitId: anchor?.unit_id ?? null, unitPath: anchor?.unit_path ?? null,
      after: { memberId, direction: input.direction, fromOrgId: from?.id ?? null, toOrgId: to?.id ?? null, externalOrgName: input.externalOrgName ?? null, issuedDate: input.issuedDate },
    })
    return transferId
  })
  return toTransferView((await store.findTransferById(db, id))!)
}

async function transferOrThrow(db: Db, id: number): Promise<store.TransferRow> {
  const t = await store.findTransferById(db, id)
  if (!t) throw new AppError('party_transfer_not_found')
  return t
}

/** The receiving side confirms: the target organization's manager (the sending side for an outbound transfer, on the receipt). */
export async function receiveTransfer(db: Db, actor: Actor, id: number, input: ReceiveTransferInput): Promise<TransferView> {
  await db.transaction().execute(async (trx) => {
    const t = await transferOrThrow(trx, id)
    const receiverPath = t.direction === 'outbound' ? t.from_unit_path : t.to_unit_path
    if (!receiverPath) throw new AppError('party_org_not_found')
    requireActionOnPath(actor, 'party.manage', receiverPath)
    if (t.status !== 'in_transit') throw new AppError('transfer_not_open', { status: t.status })
    if (input.receivedDate < t.issued_date || input.receivedDate > today()) throw dateProblem('receivedDate', 'before the letter was issued, or in the future')
    const now = nowIso()
    await store.updateTransfer(trx, id, { status: 'received', received_date: input.receivedDate, updated_at: now })
    if (t.direction === 'internal') {
      const to = await orgOrThrow(trx, t.to_org_id as number)
      if (to.status !== 'active') throw new AppError('party_org_inactive', { orgId: to.id })
      await store.updateMember(trx, t.member_id, { org_id: to.id, county_id: to.county_id, status: 'active', updated_at: now })
    } else if (t.direction === 'outbound') {
      await store.updateMember(trx, t.member_id, { status: 'transferred_out', is_representative: 0, representative_level: null, updated_at: now })
      await store.closeStudiosOfMember(trx, t.member_id, now)
    } else {
      await store.updateMember(trx, t.member_id, { status: 'active', updated_at: now })
    }
    await refreshCheck(trx, t.member_id)
    await recordAudit(trx, actor, {
      action: 'party.transfer_receive', entityType: 'party_transfer', entityId: id, unitPath: receiverPath,
      after: { memberId: t.member_id, direction: t.direction, receivedDate: input.receivedDate, toOrgId: t.to_org_id },
    })
  })
  return toTransferView(await transferOrThrow(db, id))
}

/** Either side of an internal transfer may cancel it (the sender withdraws, the receiver returns it); outbound by the sender, inbound by the receiver. */
export async function cancelTransfer(db: Db, actor: Actor, id: number, input: CancelTransferInput): Promise<TransferView> {
  await db.transaction().execute(async (trx) => {
    const t = await transferOrThrow(trx, id)
    const sides = t.direction === 'internal' ? [t.from_unit_path, t.to_unit_path] : t.direction === 'outbound' ? [t.from_unit_path] : [t.to_unit_path]
    if (!sides.some((p) => p && can(actor, 'party.manage', p))) throw new AppError('forbidden', { action: 'party.manage' })
    if (t.status !== 'in_transit') throw new AppError('transfer_not_open', { status: t.status })
    const now = nowIso()
    const note = [t.note, input.note].filter(Boolean).join('\n') || null
    await store.updateTransfer(trx, id, { status: 'cancelled', note, updated_at: now })
    // An inbound member never arrived: the membership stays outside the county.
    if (t.direction === 'inbound') await store.updateMember(trx, t.member_id, { status: 'transferred_out', updated_at: now })
    await recordAudit(trx, actor, {
      action: 'party.transfer_cancel', entityType: 'party_transfer', entityId: id, unitPath: (t.from_unit_path ?? t.to_unit_path) ?? null,
      after: { memberId: t.member_id, direction: t.direction, note: input.note ?? null },
    })
  })
  return toTransferView(await transferOrThrow(db, id))
}

export async function listTransfers(db: Db, actor: Actor, query: TransferQuery): Promise<{ items: TransferView[]; total: number }> {
  const { rows, total } = await store.listTransfers(db, {
    scope: subtreeFilter(actor, 'party.read'), status: query.status ?? null, direction: query.direction ?? null, orgId: query.orgId ?? null, memberId: query.memberId ?? null,
  }, pageOf(query))
  return { total, items: rows.map(toTransferView) }
}

export async function getTransfer(db: Db, actor: Actor, id: number): Promise<TransferView> {
  const t = await transferOrThrow(db, id)
  if (![t.from_unit_path, t.to_unit_path].some((p) => p && can(actor, 'party.read', p))) throw new AppError('forbidden', { action: 'party.read' })
  return toTransferView(t)
}

// --- representatives' studios ---------------------------------------------------------------

async function studioOrThrow(db: Db, id: number): Promise<store.StudioRow> {
  const s = await store.findStudioById(db, id)
  if (!s) throw new AppError('studio_not_found')
  return s
}

export async function createStudio(db: Db, actor: Actor, input: CreateStudioInput): Promise<StudioView> {
  const id = await db.transaction().execute(async (trx) => {
    const m = await memberOrThrow(trx, input.memberId)
    requireActionOnPath(actor, 'party.manage', m.org_unit_path)
    const unit = await activeUnit(trx, input.unitId)
    requireActionOnPath(actor, 'party.manage', unit.path)
    if (m.is_representative !== 1 || m.status !== 'active') throw new AppError('studio_owner_not_representative')
    if ((await store.findStudiosOfMember(trx, m.id)).some((s) => s.status === 'active')) throw new AppError('studio_exists')
    const now = nowIso()
    const { id: studioId } = await store.insertStudio(trx, {
      member_id: m.id, unit_id: unit.id, name: input.name.trim(), specialty: input.specialty ?? null, reception_hours: input.receptionHours ?? null,
      address: input.address ?? null, status: 'active', created_at: now, updated_at: now,
    })
    await recordAudit(trx, actor, { action: 'party.studio_create', entityType: 'rep_studio', entityId: studioId, unitId: unit.id, unitPath: unit.path, after: { ...input } })
    return studioId
  })
  return toStudioView(await studioOrThrow(db, id))
}

export async function updateStudio(db: Db, actor: Actor, id: number, input: UpdateStudioInput): Promise<StudioView> {
  await db.transaction().execute(async (trx) => {
    const s = await studioOrThrow(trx, id)
    requireActionOnPath(actor, 'party.manage', s.unit_path)
    const now = nowIso()
    let unitId = s.unit_id
    if (input.unitId !== undefined && input.unitId !== s.unit_id) {
      const unit = await activeUnit(trx, input.unitId)
      requireActionOnPath(actor, 'party.manage', unit.path)
      unitId = unit.id
    }
    if (input.status === 'active' && s.status !== 'active') {
      const m = await memberOrThrow(trx, s.member_id)
      if (m.is_representative !== 1 || m.status !== 'active') throw new AppError('studio_owner_not_representative')
      if ((await store.findStudiosOfMember(trx, m.id)).some((o) => o.status === 'active')) throw new AppError('studio_exists')
    }
    await store.updateStudio(trx, id, {
      unit_id: unitId,
      ...(input.name !== undefined ? { name: input.name.trim() } : {}),
      ...(input.specialty !== undefined ? { specialty: input.specialty } : {}),
      ...(input.receptionHours !== undefined ? { reception_hours: input.receptionHours } : {}),
      ...(input.address !== undefined ? { address: input.address } : {}),
      ...(input.status !== undefined ? { status: input.status } : {}),
      updated_at: now,
    })
    const after = await studioOrThrow(trx, id)
    await recordAudit(trx, actor, {
      action: 'party.studio_update', entityType: 'rep_studio', entityId: id, unitId: after.unit_id, unitPath: after.unit_path,
      before: toStudioView(s), after: toStudioView(after),
    })
  })
  return toStudioView(await studioOrThrow(db, id))
}

export async function getStudio(db: Db, actor: Actor, id: number): Promise<StudioView> {
  const s = await studioOrThrow(db, id)
  requireActionOnPath(actor, 'party.read', s.unit_path)
  return toStudioView(s)
}

export async function listStudios(db: Db, actor: Actor, query: StudioQuery): Promise<{ items: StudioView[]; total: number }> {
  const status = query.status ?? 'active'
  const { rows, total } = await store.listStudios(db, {
    scope: subtreeFilter(actor, 'party.read'), underUnit: await underUnitPath(db, query.unitId), q: query.q?.trim() || null, status: status === 'all' ? null : status,
  }, pageOf(query))
  return { total, items: rows.map(toStudioView) }
}

/** For the resident pages: an open studio's name, place and hours — nothing about the representative. */
export async function publicStudio(db: Db, id: number): Promise<PublicStudioView> {
  const s = await store.findStudioById(db, id)
  if (!s || s.status !== 'active') throw new AppError('studio_not_found')
  return { id: s.id, name: s.name, unitId: s.unit_id, unitName: s.unit_name, specialty: s.specialty, receptionHours: s.reception_hours, address: s.address }
}

