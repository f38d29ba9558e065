/**
 * Party vocabulary on screen. The kinds, stages, steps and flag messages come from the server's own
 * pure rule modules, so the page and the API can never disagree about them.
 */
import { Tag } from 'antd'
import type { ApiBody, ApiQuery, ApiResult } from '../../api/client'
import type { Lang } from '../../app/i18n'
import { allowedParents, orgKindNames, orgKinds, officerRolesFor, type OfficerRole, type OrgKind } from '../../../../src/modules/party/org-kinds'
import { flagCodes, flagMessages, stages, steps, type FlagCode, type Stage, type Step } from '../../../../src/modules/party/development-rules'

export { allowedParents, flagCodes, flagMessages, officerRolesFor, orgKinds, stages, steps }
export type { FlagCode, OfficerRole, OrgKind, Stage, Step }

export type OrgTreeNode = ApiResult<'/api/party/orgs/tree', 'get'>['items'][number]
export type OrgView = ApiResult<'/api/party/orgs', 'get'>['items'][number]
export type OrgDetail = ApiResult<'/api/party/orgs/{id}', 'get'>
export type MemberView = ApiResult<'/api/party/members', 'get'>['items'][number]
export type MemberDetail = ApiResult<'/api/party/members/{id}', 'get'>
export type MemberQuery = ApiQuery<'/api/party/members', 'get'>
export type TransferView = ApiResult<'/api/party/transfers', 'get'>['items'][number]
export type TransferQuery = ApiQuery<'/api/party/transfers', 'get'>
export type StudioView = ApiResult<'/api/party/studios', 'get'>['items'][number]
export type StudioQuery = ApiQuery<'/api/party/studios', 'get'>
export type CreateTransferBody = ApiBody<'/api/party/transfers', 'post'>
export type RepresentativeLevel = NonNullable<MemberView['representativeLevel']>
export type MemberStatus = MemberView['status']
export const REPRESENTATIVE_LEVELS: RepresentativeLevel[] = ['national', 'provincial', 'municipal', 'county', 'town']
export const MEMBER_STATUSES: MemberStatus[] = ['active', 'incoming', 'transferred_out', 'deceased', 'removed']

export const orgKindName = (kind: string, lang: Lang): string => (kind in orgKindNames ? orgKindNames[kind as OrgKind][lang] : kind)

export const orgKindColor: Record<OrgKind, string> = {
  committee: 'red',
  working_committee: 'volcano',
  general_branch: 'orange',
  branch: 'gold',
  temporary_branch: 'lime',
  group: 'cyan',
}

export function OrgKindTag({ kind, lang }: { kind: string; lang: Lang }) {
  return (
    <Tag color={orgKindColor[kind as OrgKind] ?? 'default'} style={{ marginInlineEnd: 0 }}>
      {orgKindName(kind, lang)}
    </Tag>
  )
}

export const stageColor: Record<Stage, string> = {
  applicant: 'default',
  activist: 'blue',
  candidate: 'purple',
  probationary: 'orange',
  full: 'red',
}

/** The kinds that may be created under a parent of this kind. */
export const childKindsOf = (parentKind: OrgKind | null): OrgKind[] => orgKinds.filter((k) => allowedParents[k].includes(parentKind))

export const flagMessage = (code: string, lang: Lang): string => (code in flagMessages ? flagMessages[code as FlagCode][lang] : code)
