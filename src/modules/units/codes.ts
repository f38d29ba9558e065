import { AppError } from '../../server/errors.js'
import type { UnitType } from './schema.js'

/**
 * Administrative codes. A county has its 6-digit code (371524); a town or sub-district adds 3 digits
 * (9), a village, new village or community 3 more (12), and a grid 3 more (15: 6 administrative +
 * 3 town/sub-district + 3 community/village + 3 grid sequence). Other units (compounds, buildings,
 * agencies, parks, enterprises) carry free-form codes, e.g. an enterprise's credit code.
 */
export const codeDigits: Partial<Record<UnitType, number>> = {
  county: 6, town: 9, subdistrict: 9, village: 12, new_village: 12, community: 12, grid: 15,
}

/** Why a code does not fit the unit's type and parent; null when it fits. */
export function codeProblem(type: UnitType, code: string, parentCode: string | null): string | null {
  const digits = codeDigits[type]
  if (digits === undefined) return /^[0-9A-Za-z-]{1,32}$/.test(code) ? null : 'letters, digits and - (1–32)'
  if (!new RegExp(`^\\d{${digits}}$`).test(code)) return `${digits} digits`
  // The prefix is checked only when the parent carries a standard code of the level above.
  if (parentCode !== null && new RegExp(`^\\d{${digits - 3}}$`).test(parentCode) && !code.startsWith(parentCode)) {
    return `${digits} digits starting with the parent's code ${parentCode}`
  }
  return null
}

export function assertCodeFits(type: UnitType, code: string, parentCode: string | null, details: Record<string, unknown> = {}): void {
  const problem = codeProblem(type, code, parentCode)
  if (problem) throw new AppError('unit_code_invalid', { ...details, code, type, expected: problem })
}

/** Does the parent's code let us generate grid codes under it? */
export const canGenerateGridCode = (parentCode: string | null): parentCode is string => parentCode !== null && /^\d{12}$/.test(parentCode)

/** The 15-digit codes a parent's grids may take: prefix + 001 … prefix + 999. */
export const gridCodeRange = (parentCode: string): [string, string] => [`${parentCode}001`, `${parentCode}999`]

/**
 * The next grid code under a parent: one past the highest sequence in use (archived grids keep
 * theirs, so codes are never reused). `inUse` holds every code with that prefix.
 */
export function nextGridCode(parentCode: string, inUse: Iterable<string>): string {
  let max = 0
  for (const code of inUse) {
    if (code.length === 15 && code.startsWith(parentCode)) max = Math.max(max, Number(code.slice(12)))
  }
  if (max >= 999) throw new AppError('grid_code_exhausted', { parentCode })
  return parentCode + String(max + 1).padStart(3, '0')
}

/** A descendant's code that was built on an ancestor's code follows that code when it changes. */
export function rebaseCode(code: string | null, oldPrefix: string, newPrefix: string): string | null {
  if (code === null || code === oldPrefix || !code.startsWith(oldPrefix)) return code
  return newPrefix + code.slice(oldPrefix.length)
}
