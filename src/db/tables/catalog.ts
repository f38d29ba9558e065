import type { Generated } from 'kysely'
import type { Flag, Timestamp } from './platform.js'

/** A calendar date, YYYY-MM-DD (Asia/Shanghai). */
type DateText = string

export interface WorkCalendarTable {
  id: Generated<number>
  code: string
  county_unit_id: number | null
  name: string
  weekly_hours_json: string
  adjusted_hours_json: string
  revision: string
  created_at: Timestamp
  updated_at: Timestamp
}

export interface CalendarYearTable {
  calendar_id: number
  year: number
  source: string | null
  updated_at: Timestamp
}

export interface CalendarPeriodTable {
  id: Generated<number>
  calendar_id: number
  year: number
  kind: string
  name: string
  start_date: DateText
  end_date: DateText
}

export interface ServiceCategoryTable {
  id: Generated<number>
  parent_id: number | null
  code: string
  name: string
  description: string | null
  sort_order: Generated<number>
  status: Generated<string>
  created_at: Timestamp
  updated_at: Timestamp
}

export interface ServiceItemTable {
  id: Generated<number>
  code: string
  category_id: number
  unit_id: number | null
  county_id: number | null
  name: string
  description: string | null
  owner_unit_type: string
  default_unit_id: number | null
  priority: string
  response_amount: number | null
  response_unit: string | null
  resolution_amount: number | null
  resolution_unit: string | null
  materials_json: Generated<string>
  fee_note: string | null
  proxy_handling: Generated<Flag>
  cross_region: Generated<Flag>
  elderly_care: Generated<Flag>
  anonymous_allowed: Generated<Flag>
  visibility: Generated<string>
  status: Generated<string>
  sort_order: Generated<number>
  created_at: Timestamp
  updated_at: Timestamp
}

export interface RoutingRuleTable {
  id: Generated<number>
  location_unit_id: number
  category_id: number | null
  item_id: number | null
  target_kind: string
  target_unit_id: number | null
  co_unit_ids_json: Generated<string>
  priority: Generated<number>
  note: string | null
  active: Generated<Flag>
  created_at: Timestamp
  updated_at: Timestamp
}

export interface CompoundPropertyTable {
  id: Generated<number>
  compound_unit_id: number
  property_unit_id: number
  since: DateText
  until: DateText | null
  note: string | null
  actor_id: number | null
  created_at: Timestamp
}
