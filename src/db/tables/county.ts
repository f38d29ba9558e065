import type { Generated } from 'kysely'
import type { Flag, Timestamp } from './platform.js'

/** A calendar date, YYYY-MM-DD (Asia/Shanghai). */
export type DateText = string

export interface RestructureEventTable {
  id: Generated<number>
  county_id: number | null
  kind: string
  effective_date: DateText
  title: string
  note: string | null
  summary_json: string | null
  actor_id: number | null
  created_at: Timestamp
  /** The unit the event happened under (lowest common ancestor of what it touched); added in 2026-11-30-05. */
  unit_id: number | null
  actor_username: string | null
}

export interface UnitLineageTable {
  id: Generated<number>
  event_id: number
  predecessor_id: number
  successor_id: number
  relation: string
  effective_date: DateText
}

export interface PersonTagTable {
  id: Generated<number>
  code: string
  name_zh: string
  name_en: string
  needs_care: Generated<Flag>
  sort_order: Generated<number>
  archived: Generated<Flag>
}

export interface HouseholdTable {
  id: Generated<number>
  county_id: number | null
  unit_id: number
  room: string | null
  head_person_id: number | null
  status: Generated<string>
  created_at: Timestamp
  updated_at: Timestamp
}

export interface PersonTable {
  id: Generated<number>
  county_id: number | null
  unit_id: number
  household_id: number | null
  relation: string | null
  name: string
  gender: string | null
  birth_date: DateText | null
  ethnicity: string | null
  room: string | null
  id_number_enc: string | null
  id_number_hash: string | null
  id_number_masked: string | null
  phone_enc: string | null
  phone_hash: string | null
  phone_masked: string | null
  status: Generated<string>
  note: string | null
  created_at: Timestamp
  updated_at: Timestamp
}

export interface PersonTagLinkTable {
  person_id: number
  tag_id: number
}

export interface PartyOrgTable {
  id: Generated<number>
  county_id: number | null
  unit_id: number
  parent_id: number | null
  path: string
  kind: string
  name: string
  established_date: DateText | null
  status: Generated<string>
  created_at: Timestamp
  updated_at: Timestamp
}

export interface PartyOrgOfficerTable {
  id: Generated<number>
  org_id: number
  person_id: number
  role: string
  since: DateText | null
  until: DateText | null
}

export interface PartyMemberTable {
  id: Generated<number>
  county_id: number | null
  person_id: number
  org_id: number
  stage: string
  joined_date: DateText | null
  full_date: DateText | null
  is_representative: Generated<Flag>
  representative_level: string | null
  status: Generated<string>
  created_at: Timestamp
  updated_at: Timestamp
}

export interface PartyMemberStepTable {
  id: Generated<number>
  member_id: number
  step: string
  date: DateText
  sponsors_json: string | null
  note: string | null
  actor_id: number | null
  created_at: Timestamp
}

export interface PartyTransferTable {
  id: Generated<number>
  member_id: number
  from_org_id: number | null
  to_org_id: number | null
  external_org_name: string | null
  direction: string
  status: string
  letter_no: string | null
  issued_date: DateText
  received_date: DateText | null
  note: string | null
  created_at: Timestamp
  updated_at: Timestamp
}

export interface RepStudioTable {
  id: Generated<number>
  member_id: number
  unit_id: number
  name: string
  specialty: string | null
  reception_hours: string | null
  address: string | null
  status: Generated<string>
  created_at: Timestamp
  updated_at: Timestamp
}

export interface JobTable {
  id: Generated<number>
  kind: string
  status: string
  options_json: string | null
  input_file: string | null
  output_file: string | null
  total: Generated<number>
  processed: Generated<number>
  succeeded: Generated<number>
  failed: Generated<number>
  message: string | null
  unit_id: number | null
  actor_id: number | null
  holder: string | null
  lease_until: Timestamp | null
  created_at: Timestamp
  started_at: Timestamp | null
  finished_at: Timestamp | null
  /** Times a runner claimed it; added in 2026-11-30-07. */
  attempts: Generated<number>
  result_json: string | null
}
