import type { Timestamp } from './platform.js'
import type { DateText } from './county.js'

/** Development-pipeline checks of one member (2026-11-30-03): flags from recorded steps and a pending deadline. */
export interface PartyMemberCheckTable {
  member_id: number
  /** Comma-delimited flag codes with leading and trailing commas, '' when none. */
  flags: string
  overdue_flag: string | null
  overdue_after: DateText | null
  updated_at: Timestamp
}
