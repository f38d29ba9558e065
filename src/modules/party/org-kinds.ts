/**
 * Kinds of party organization and how they nest (《中国共产党章程》 and the 基层组织工作条例):
 * a 党委 or 党工委 leads; a 党总支 sits under a 党委/党工委; a 党支部 under a 党委, 党工委 or 党总支;
 * a 党小组 only inside a 党支部. Pure, no database.
 */
export const orgKinds = ['committee', 'working_committee', 'general_branch', 'branch', 'temporary_branch', 'group'] as const
export type OrgKind = (typeof orgKinds)[number]

export const orgKindNames: Record<OrgKind, { zh: string; en: string }> = {
  committee: { zh: '党委', en: 'Party committee' },
  working_committee: { zh: '党工委', en: 'Party working committee' },
  general_branch: { zh: '党总支', en: 'General party branch' },
  branch: { zh: '党支部', en: 'Party branch' },
  temporary_branch: { zh: '临时党支部', en: 'Temporary party branch' },
  group: { zh: '党小组', en: 'Party group' },
}

/** Which kinds may be the parent of each kind; `null` in the list means it may stand at the top of the tree. */
export const allowedParents: Record<OrgKind, readonly (OrgKind | null)[]> = {
  committee: [null, 'committee', 'working_committee'],
  working_committee: [null, 'committee'],
  general_branch: ['committee', 'working_committee'],
  branch: ['committee', 'working_committee', 'general_branch'],
  temporary_branch: ['committee', 'working_committee', 'general_branch'],
  group: ['branch', 'temporary_branch'],
}

/** Why `kind` cannot sit under `parentKind` (null: at the top), or null when it can. */
export function nestingProblem(kind: OrgKind, parentKind: OrgKind | null): string | null {
  if (allowedParents[kind].includes(parentKind)) return null
  const allowed = allowedParents[kind].map((k) => (k === null ? 'top level' : k)).join(', ')
  return parentKind === null ? `a ${kind} needs a parent organization (${allowed})` : `a ${kind} cannot sit under a ${parentKind} (allowed: ${allowed})`
}

/** Members belong to branch-level organizations (a group's members are its branch's members assigned to it). */
export const memberHoldingKinds: readonly OrgKind[] = ['general_branch', 'branch', 'temporary_branch', 'group']
export const canHoldMembers = (kind: string): boolean => (memberHoldingKinds as readonly string[]).includes(kind)

export const officerRoles = ['secretary', 'deputy_secretary', 'committee_member', 'group_leader'] as const
export type OfficerRole = (typeof officerRoles)[number]

/** A group has a leader (组长); other organizations a secretary, deputies and committee members. */
export const officerRolesFor = (kind: OrgKind): readonly OfficerRole[] =>
  kind === 'group' ? ['group_leader'] : ['secretary', 'deputy_secretary', 'committee_member']

/** Roles held by at most one person at a time. */
export const singleHolderRoles: readonly OfficerRole[] = ['secretary', 'group_leader']

export const isOrgKind = (value: string): value is OrgKind => (orgKinds as readonly string[]).includes(value)
