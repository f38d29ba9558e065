import type { Timestamp } from './platform.js'

/** What an Open311 POST carried beyond the request itself (2026-11-30-12). The keys are in tables/requests.ts. */
export interface Open311RequestTable {
  request_id: number
  key_id: number
  media_url: string | null
  /** The submitter's email, encrypted (app.pii); never shown. */
  email_enc: string | null
  /** The client's own id for the submitter, echoed in the POST answer. */
  account_id: string | null
  /** Keyed hash of the client's device_id (finds a device's requests without storing the id). */
  device_hash: string | null
  created_at: Timestamp
}
