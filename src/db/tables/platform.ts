import type { Generated } from 'kysely'

/** ISO 8601 UTC timestamp as stored and returned on both engines. */
export type Timestamp = string
/** 0 or 1: booleans are integers on both engines (SQLite cannot bind booleans). */
export type Flag = number

export interface UnitTable {
  id: Generated<number>
  parent_id: number | null
  county_id: number | null
  type: string
  name: string
  code: string | null
  path: string
  depth: number
  status: Generated<string>
  address: string | null
  boundary: string | null
  sort_order: Generated<number>
  archived_at: Timestamp | null
  created_at: Timestamp
  updated_at: Timestamp
}

export interface AccountTable {
  id: Generated<number>
  username: string
  display_name: string
  password_hash: string
  status: Generated<string>
  must_change_password: Generated<Flag>
  failed_logins: Generated<number>
  failed_window_start: Timestamp | null
  locked_until: Timestamp | null
  password_changed_at: Timestamp
  last_login_at: Timestamp | null
  created_at: Timestamp
  updated_at: Timestamp
}

export interface AccountGrantTable {
  id: Generated<number>
  account_id: number
  role: string
  unit_id: number | null
  created_at: Timestamp
}

export interface SessionTable {
  id: string
  account_id: number
  csrf_token: string
  ip: string | null
  user_agent: string | null
  created_at: Timestamp
  last_seen_at: Timestamp
  idle_expires_at: Timestamp
  absolute_expires_at: Timestamp
}

export interface AuditLogTable {
  id: Generated<number>
  at: Timestamp
  actor_id: number | null
  actor_username: string | null
  action: string
  entity_type: string
  entity_id: string | null
  unit_id: number | null
  unit_path: string | null
  ip: string | null
  request_id: string | null
  reason: string | null
  before_json: string | null
  after_json: string | null
}

export interface JobLeaseTable {
  name: string
  holder: string | null
  lease_until: Timestamp | null
  last_run_at: Timestamp | null
}

export interface SettingTable {
  key: string
  value: string
  updated_at: Timestamp
}
