import type { Generated } from 'kysely'
import type { Flag, Timestamp } from './platform.js'

export interface RequestTable {
  id: Generated<number>
  county_id: number
  tracking_code: string
  source: string
  item_id: number | null
  category_id: number | null
  location_unit_id: number
  location_path: string
  handler_unit_id: number | null
  handler_path: string | null
  assignee_id: number | null
  status: string
  is_open: Generated<Flag>
  priority: string
  title: string
  description: string
  address: string | null
  lat: number | null
  lng: number | null
  contact_name: string | null
  phone_enc: string | null
  phone_hash: string | null
  phone_masked: string | null
  anonymous: Generated<Flag>
  recorded_by: number | null
  submitted_at: Timestamp
  submitted_day: string
  accepted_at: Timestamp | null
  dispatched_at: Timestamp | null
  started_at: Timestamp | null
  resolved_at: Timestamp | null
  closed_at: Timestamp | null
  response_due_at: Timestamp | null
  resolution_due_at: Timestamp | null
  warn_at: Timestamp | null
  paused_at: Timestamp | null
  paused_minutes: Generated<number>
  response_overdue: Generated<Flag>
  resolution_overdue: Generated<Flag>
  warned: Generated<Flag>
  escalation_level: Generated<number>
  reopen_count: Generated<number>
  merged_into_id: number | null
  rating_contacted: Flag | null
  rating_solved: Flag | null
  rating_satisfaction: string | null
  rated_at: Timestamp | null
  excluded: Generated<Flag>
  handling_minutes: number | null
  working_minutes: number | null
  version: Generated<number>
  created_at: Timestamp
  updated_at: Timestamp
  // 2026-11-30-04-request-handling
  pending_unit_id: number | null
  pending_path: string | null
  pending_kind: string | null
  pending_from_status: string | null
  dispatcher_unit_id: number | null
  first_unit_id: number | null
  clock_json: string | null
}

export interface RequestEventTable {
  id: Generated<number>
  county_id: number
  request_id: number
  kind: string
  at: Timestamp
  actor_id: number | null
  actor_name: string | null
  unit_id: number | null
  from_status: string | null
  to_status: string | null
  visibility: Generated<string>
  note: string | null
  data_json: string | null
}

export interface RequestUnitTable {
  request_id: number
  unit_id: number
  role: string
  status: Generated<string>
  created_at: Timestamp
}

export interface RequestPhotoTable {
  id: Generated<number>
  request_id: number
  stage: Generated<string>
  stored_name: string
  mime: string
  bytes: number
  created_at: Timestamp
}

export interface RequestExtensionTable {
  id: Generated<number>
  request_id: number
  requested_by: number | null
  requested_at: Timestamp
  extra_amount: number
  extra_unit: string
  reason: string
  status: string
  decided_by: number | null
  decided_at: Timestamp | null
  decision_note: string | null
}

export interface RequestAppealTable {
  id: Generated<number>
  request_id: number
  unit_id: number
  kind: string
  reason: string
  status: string
  requested_by: number | null
  requested_at: Timestamp
  decided_by: number | null
  decided_at: Timestamp | null
  decision_note: string | null
}

export interface RequestRatingTable {
  id: Generated<number>
  request_id: number
  at: Timestamp
  source: string
  contacted: Flag
  solved: Flag
  satisfaction: string
  comment: string | null
  actor_id: number | null
}

export interface IdempotencyKeyTable {
  key: string
  request_id: number
  created_at: Timestamp
  fingerprint: string | null
}

/** A QR submit acknowledged and waiting to be routed, or routed into request_id (2026-11-30-20). */
export interface IntakeJournalTable {
  id: Generated<number>
  tracking_code: string
  idempotency_key: string | null
  fingerprint: string
  location_unit_id: number
  command_json: string
  /** The answer as sent, on rows written before 2026-11-30-22; newer rows rebuild it from the row and command_json. */
  result_json: string | null
  submitted_at: Timestamp
  state: string
  request_id: number | null
  attempts: Generated<number>
  error: string | null
}

/** A photo uploaded ahead of the submit that claims it (2026-11-30-04). */
export interface RequestUploadTable {
  id: Generated<number>
  token_hash: string
  stored_name: string
  mime: string
  bytes: number
  request_id: number | null
  created_at: Timestamp
  expires_at: Timestamp
}

export interface UnitAssignmentTable {
  unit_id: number
  policy: string
  last_assignee_id: number | null
  updated_at: Timestamp
}

export interface ResponseTemplateTable {
  id: Generated<number>
  unit_id: number | null
  title: string
  body: string
  created_at: Timestamp
}

export interface NotificationTable {
  id: Generated<number>
  account_id: number
  request_id: number | null
  kind: string
  title: string
  body: string | null
  created_at: Timestamp
  read_at: Timestamp | null
}

export interface OutboxTable {
  id: Generated<number>
  topic: string
  payload_json: string
  status: string
  attempts: Generated<number>
  next_attempt_at: Timestamp
  last_error: string | null
  holder: string | null
  lease_until: Timestamp | null
  created_at: Timestamp
  sent_at: Timestamp | null
}

export interface Open311KeyTable {
  id: Generated<number>
  name: string
  key_hash: string
  unit_id: number
  created_at: Timestamp
  revoked_at: Timestamp | null
  last_used_at: Timestamp | null
  /** The account that issued / revoked the key; null for the command line (and keys from before 2026-11-30-16). */
  created_by: number | null
  revoked_by: number | null
}

export interface RequestRollupTable {
  dim: string
  unit_id: number
  day: string
  county_id: number
  submitted: Generated<number>
  counted: Generated<number>
  responded: Generated<number>
  responded_on_time: Generated<number>
  resolved: Generated<number>
  resolved_on_time: Generated<number>
  solved: Generated<number>
  rated: Generated<number>
  satisfied: Generated<number>
  basically_satisfied: Generated<number>
  dissatisfied: Generated<number>
  overdue: Generated<number>
  open: Generated<number>
  reopened: Generated<number>
  handling_minutes: Generated<number>
  working_minutes: Generated<number>
}

/** The same counters per month (YYYY-MM), kept with the daily rows (2026-11-30-14). */
export type RequestRollupMonthTable = Omit<RequestRollupTable, 'day'> & { month: string }
