import { AppError } from '../../server/errors.js'
import type { UnitType } from './schema.js'

/**
 * Which unit may sit directly under which: child type → the parent types it accepts (null: a root).
 * A county is the root of its tree; a province deployment holds several county roots.
 */
export const allowedParents: Readonly<Record<UnitType, readonly (UnitType | null)[]>> = {
  county: [null],
  town: ['county'],
  subdistrict: ['county'],
  village: ['town', 'subdistrict'],
  new_village: ['town', 'subdistrict'],
  community: ['town', 'subdistrict'],
  // a grid village (网格村) is a former village inside a new village
  grid: ['community', 'village', 'new_village'],
  // relocation compounds (安置小区) also stand in villages
  compound: ['community', 'grid', 'village', 'new_village'],
  // a building (楼院) belongs to a compound, or straight to a grid when it stands alone
  building: ['compound', 'grid'],
  // dispatched agencies (派驻机构) sit at towns and sub-districts
  agency: ['county', 'town', 'subdistrict'],
  park: ['county', 'town', 'subdistrict'],
  enterprise: ['park', 'county', 'town', 'subdistrict', 'community', 'village', 'new_village'],
}

export const canBeChildOf = (child: UnitType, parent: UnitType | null): boolean => allowedParents[child].includes(parent)

/** Throws invalid_unit_parent, naming the parent types the child accepts. */
export function assertParentAllowed(child: UnitType, parent: UnitType | null, details: Record<string, unknown> = {}): void {
  if (canBeChildOf(child, parent)) return
  throw new AppError('invalid_unit_parent', { ...details, childType: child, parentType: parent, allowedParentTypes: allowedParents[child] })
}
