import type {
  AccountGrantTable,
  AccountTable,
  AuditLogTable,
  JobLeaseTable,
  SessionTable,
  SettingTable,
  UnitTable,
} from './tables/platform.js'

/** Every table, by its SQL name. Each module's tables live in tables/<module>.ts. */
export interface Database {
  unit: UnitTable
  account: AccountTable
  account_grant: AccountGrantTable
  session: SessionTable
  audit_log: AuditLogTable
  job_lease: JobLeaseTable
  setting: SettingTable
}
