import type {
  AccountGrantTable,
  AccountTable,
  AuditLogTable,
  JobLeaseTable,
  SessionTable,
  SettingTable,
  UnitTable,
} from './tables/platform.js'
import type {
  HouseholdTable, JobTable, PartyMemberStepTable, PartyMemberTable, PartyOrgOfficerTable, PartyOrgTable, PartyTransferTable,
  PersonTable, PersonTagLinkTable, PersonTagTable, RepStudioTable, RestructureEventTable, UnitLineageTable,
} from './tables/county.js'
import type { RestructureEventUnitTable } from './tables/units.js'
import type { PartyMemberCheckTable } from './tables/party.js'
import type {
  CalendarPeriodTable, CalendarYearTable, CompoundPropertyTable, RoutingRuleTable, ServiceCategoryTable, ServiceItemTable, WorkCalendarTable,
} from './tables/catalog.js'
import type {
  IdempotencyKeyTable, IntakeJournalTable, NotificationTable, Open311KeyTable, OutboxTable, RequestAppealTable, RequestEventTable, RequestExtensionTable,
  RequestPhotoTable, RequestRatingTable, RequestRollupMonthTable, RequestRollupTable, RequestTable, RequestUploadTable, RequestUnitTable, ResponseTemplateTable, UnitAssignmentTable,
} from './tables/requests.js'
import type { Open311RequestTable } from './tables/open311.js'

/** Every table, by its SQL name. Each module's tables live in tables/<module>.ts. */
export interface Database {
  unit: UnitTable
  account: AccountTable
  account_grant: AccountGrantTable
  session: SessionTable
  audit_log: AuditLogTable
  job_lease: JobLeaseTable
  setting: SettingTable
  // county model
  restructure_event: RestructureEventTable
  unit_lineage: UnitLineageTable
  restructure_event_unit: RestructureEventUnitTable
  person_tag: PersonTagTable
  household: HouseholdTable
  person: PersonTable
  person_tag_link: PersonTagLinkTable
  party_org: PartyOrgTable
  party_org_officer: PartyOrgOfficerTable
  party_member: PartyMemberTable
  party_member_step: PartyMemberStepTable
  party_transfer: PartyTransferTable
  party_member_check: PartyMemberCheckTable
  rep_studio: RepStudioTable
  job: JobTable
  // working calendar and service catalog
  work_calendar: WorkCalendarTable
  calendar_year: CalendarYearTable
  calendar_period: CalendarPeriodTable
  service_category: ServiceCategoryTable
  service_item: ServiceItemTable
  routing_rule: RoutingRuleTable
  compound_property: CompoundPropertyTable
  // service requests
  request: RequestTable
  request_event: RequestEventTable
  request_unit: RequestUnitTable
  request_photo: RequestPhotoTable
  request_extension: RequestExtensionTable
  request_appeal: RequestAppealTable
  request_rating: RequestRatingTable
  idempotency_key: IdempotencyKeyTable
  intake_journal: IntakeJournalTable
  unit_assignment: UnitAssignmentTable
  response_template: ResponseTemplateTable
  notification: NotificationTable
  outbox: OutboxTable
  open311_key: Open311KeyTable
  open311_request: Open311RequestTable
  request_rollup: RequestRollupTable
  request_rollup_month: RequestRollupMonthTable
  request_upload: RequestUploadTable
}
