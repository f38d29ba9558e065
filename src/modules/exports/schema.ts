import { Type, type Static } from 'typebox'
import { registerErrors } from '../../server/errors.js'
import { AccountQuery } from '../accounts/schema.js'
import { AuditQuery } from '../audit/schema.js'
import { MemberQuery } from '../party/schema.js'
import { ResidentFilters } from '../residents/schema.js'
import { UnitQuery } from '../units/schema.js'

export const exportKinds = ['residents', 'units', 'members', 'audit', 'accounts'] as const
export type ExportKind = (typeof exportKinds)[number]

registerErrors({
  export_reason_required: {
    status: 400,
    en: 'An export with clear identity and phone numbers needs a reason (2–200 characters); it is kept in the audit log.',
    zh: '导出明文身份证号、手机号须填写原因(2–200 字),原因将记入审计日志。',
  },
})

/** The list's own filters, without paging: an export holds every row the list would show. */
const withoutPaging = <T extends Parameters<typeof Type.Omit>[0]>(query: T) => Type.Omit(query, ['page', 'pageSize'])

export const ResidentExportQuery = Type.Intersect([
  ResidentFilters,
  Type.Object({
    unmasked: Type.Optional(Type.Boolean({ default: false, description: 'Clear identity and phone numbers (needs residents.unmask; only rows where you hold it are unmasked)' })),
    reason: Type.Optional(Type.String({ minLength: 2, maxLength: 200, description: 'Required with unmasked=true; kept in the audit log' })),
  }),
])
export type ResidentExportQuery = Static<typeof ResidentExportQuery>

export const UnitExportQuery = withoutPaging(UnitQuery)
export type UnitExportQuery = Static<typeof UnitExportQuery>
export const MemberExportQuery = withoutPaging(MemberQuery)
export type MemberExportQuery = Static<typeof MemberExportQuery>
export const AuditExportQuery = withoutPaging(AuditQuery)
export type AuditExportQuery = Static<typeof AuditExportQuery>
export const AccountExportQuery = withoutPaging(AccountQuery)
export type AccountExportQuery = Static<typeof AccountExportQuery>
