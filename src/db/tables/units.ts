/** Tables of the units module beyond the unit table itself (platform.ts) and restructure_event / unit_lineage (county.ts). */

/** Every unit a restructuring event touched, and how: anchor | created | moved | changed | archived | from_parent | to_parent. */
export interface RestructureEventUnitTable {
  event_id: number
  unit_id: number
  role: string
}
