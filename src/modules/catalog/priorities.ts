import type { Duration } from '../calendar/working-time.js'

/**
 * Priorities and their default clocks. Emergency and urgent matters run on natural hours (a burst
 * pipe does not wait for Monday); general and complex matters on the working calendar.
 *
 * | priority  | first response (签收/联系)   | resolution (办结)   |
 * |-----------|-----------------------------|---------------------|
 * | emergency | 30 minutes                  | 2 hours             |
 * | urgent    | 2 hours                     | 24 hours            |
 * | general   | 2 working hours             | 7 working days      |
 * | complex   | 1 working day               | 15 working days     |
 *
 * The first response of general matters is short on purpose: contacting the resident takes
 * minutes; a complex matter (several units, site visits) gets a working day to be triaged first.
 * An item may override either clock.
 */
export const priorities = ['emergency', 'urgent', 'general', 'complex'] as const
export type Priority = (typeof priorities)[number]

export const priorityDefaults: Record<Priority, { label: string; response: Duration; resolution: Duration }> = {
  emergency: { label: '紧急', response: { amount: 0.5, unit: 'hours' }, resolution: { amount: 2, unit: 'hours' } },
  urgent: { label: '急办', response: { amount: 2, unit: 'hours' }, resolution: { amount: 24, unit: 'hours' } },
  general: { label: '一般', response: { amount: 2, unit: 'working_hours' }, resolution: { amount: 7, unit: 'working_days' } },
  complex: { label: '复杂', response: { amount: 1, unit: 'working_days' }, resolution: { amount: 15, unit: 'working_days' } },
}

/**
 * Which kind of unit handles an item, found by walking up from the request's location:
 * - grid: the grid (网格) containing the location
 * - community: the community, village or new village (社区/村/新村)
 * - town: the sub-district or town (街道/镇)
 * - county: the county
 * - property_company: the property company serving the compound (物业), see compound_property
 * - agency: a government body; it cannot be found from the location, so the item names it as its
 *   default handling unit
 */
export const ownerUnitTypes = ['grid', 'community', 'property_company', 'town', 'agency', 'county'] as const
export type OwnerUnitType = (typeof ownerUnitTypes)[number]

/** Unit types that stand for each owner level on the way up the tree. */
export const ownerLevelTypes: Record<Exclude<OwnerUnitType, 'property_company' | 'agency'>, readonly string[]> = {
  grid: ['grid'],
  community: ['community', 'village', 'new_village'],
  town: ['subdistrict', 'town'],
  county: ['county'],
}
