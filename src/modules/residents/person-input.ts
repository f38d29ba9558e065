/**
 * The rules for a person's own fields, pure: no database, no clock except the `today` passed in.
 * The HTTP service and the Excel importer both run every row through `validatePersonInput`, so a
 * spreadsheet row is judged exactly like an API call and its problems can be reported per field.
 */
import { idNumberFacts, isValidIdNumber, normalizeIdNumber, normalizeMobile } from '../../lib/pii.js'

export const genders = ['male', 'female'] as const
export type Gender = (typeof genders)[number]
export const personStatuses = ['active', 'moved_out', 'deceased'] as const
export type PersonStatus = (typeof personStatuses)[number]
export const relations = ['head', 'spouse', 'child', 'parent', 'other'] as const
export type Relation = (typeof relations)[number]

export const PERSON_LIMITS = { name: 50, ethnicity: 20, room: 50, note: 500, tags: 30 } as const

/** One problem with one field; `code` is a stable snake_case code (also an API error code where one exists). */
export interface FieldProblem {
  field: string
  code: 'required' | 'too_long' | 'invalid_value' | 'invalid_date' | 'invalid_id_number' | 'invalid_mobile' | 'birth_date_mismatch' | 'gender_mismatch'
  message: string
}

/** A person's fields after validation: trimmed, normalized, with birth date and gender derived from the identity number. */
export interface NormalizedPerson {
  name: string
  gender: Gender | null
  birthDate: string | null
  /** Normalized (upper-case X), in clear: the caller encrypts it. */
  idNumber: string | null
  /** 11 digits, in clear: the caller encrypts it. */
  phone: string | null
  ethnicity: string | null
  unitId: number | null
  room: string | null
  householdId: number | null
  relation: Relation | null
  status: PersonStatus
  tagIds: number[]
  note: string | null
}

export type PersonValidation = { ok: true; value: NormalizedPerson; problems: [] } | { ok: false; value: null; problems: FieldProblem[] }

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/

/** A real calendar date written YYYY-MM-DD. */
export function isCalendarDate(value: string): boolean {
  const m = DATE.exec(value)
  if (!m) return false
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const date = new Date(Date.UTC(y, mo - 1, d))
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d
}

/** Whole years between a birth date and a day (both YYYY-MM-DD). */
export function ageOn(birthDate: string, today: string): number {
  const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number, number]
  const [ty, tm, td] = today.split('-').map(Number) as [number, number, number]
  return ty - by - (tm < bm || (tm === bm && td < bd) ? 1 : 0)
}

/** The latest birth date of someone aged at least `years` on `today` (Feb 29 births turn a year older on Mar 1). */
export function bornOnOrBefore(today: string, years: number): string {
  const [y, m, d] = today.split('-') as [string, string, string]
  return `${String(Number(y) - years).padStart(4, '0')}-${m}-${d}`
}

type Raw = Record<string, unknown>

const problem = (field: string, code: FieldProblem['code'], message: string): FieldProblem => ({ field, code, message })

function optionalText(raw: Raw, field: string, max: number, problems: FieldProblem[]): string | null {
  const v = raw[field]
  if (v === undefined || v === null) return null
  if (typeof v !== 'string' && typeof v !== 'number') {
    problems.push(problem(field, 'invalid_value', 'must be text'))
    return null
  }
  const text = String(v).trim()
  if (text.length > max) problems.push(problem(field, 'too_long', `at most ${max} characters`))
  return text === '' ? null : text
}

function optionalId(raw: Raw, field: string, problems: FieldProblem[]): number | null {
  const v = raw[field]
  if (v === undefined || v === null) return null
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    problems.push(problem(field, 'invalid_value', 'must be a positive integer id'))
    return null
  }
  return v
}

function oneOf<T extends string>(raw: Raw, field: string, allowed: readonly T[], problems: FieldProblem[]): T | null {
  const v = raw[field]
  if (v === undefined || v === null || v === '') return null
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    problems.push(problem(field, 'invalid_value', `one of ${allowed.join(', ')}`))
    return null
  }
  return v as T
}

/**
 * Validates and normalizes a person's fields. `today` (YYYY-MM-DD, Asia/Shanghai) bounds birth dates.
 * Accepts loosely typed input (a spreadsheet row mapped to the API field names) and never throws.
 */
export function validatePersonInput(raw: Raw, today: string): PersonValidation {
  const problems: FieldProblem[] = []

  const nameValue = raw.name
  let name = ''
  if (typeof nameValue !== 'string' || nameValue.trim() === '') problems.push(problem('name', 'required', 'a name is required'))
  else {
    name = nameValue.trim().replace(/\s+/g, ' ')
    if (name.length > PERSON_LIMITS.name) problems.push(problem('name', 'too_long', `at most ${PERSON_LIMITS.name} characters`))
  }

  let gender = oneOf(raw, 'gender', genders, problems)
  let birthDate: string | null = null
  const birthValue = raw.birthDate
  if (birthValue !== undefined && birthValue !== null && birthValue !== '') {
    if (typeof birthValue !== 'string' || !isCalendarDate(birthValue)) problems.push(problem('birthDate', 'invalid_date', 'a date written YYYY-MM-DD'))
    else if (birthValue > today || birthValue < '1900-01-01') problems.push(problem('birthDate', 'invalid_date', 'the birth date lies in the future or before 1900'))
    else birthDate = birthValue
  }

  let idNumber: string | null = null
  const idValue = raw.idNumber
  if (idValue !== undefined && idValue !== null && idValue !== '') {
    const normalized = typeof idValue === 'string' ? normalizeIdNumber(idValue) : ''
    if (!isValidIdNumber(normalized)) problems.push(problem('idNumber', 'invalid_id_number', 'not a valid 18-character identity number (GB 11643 check failed)'))
    else {
      idNumber = normalized
      const facts = idNumberFacts(normalized)
      if (birthDate !== null && birthDate !== facts.birthDate) {
        problems.push(problem('birthDate', 'birth_date_mismatch', `the identity number says ${facts.birthDate}`))
      }
      if (gender !== null && gender !== facts.gender) problems.push(problem('gender', 'gender_mismatch', `the identity number says ${facts.gender}`))
      birthDate ??= facts.birthDate
      gender ??= facts.gender
    }
  }

  let phone: string | null = null
  const phoneValue = raw.phone
  if (phoneValue !== undefined && phoneValue !== null && phoneValue !== '') {
    const normalized = typeof phoneValue === 'string' || typeof phoneValue === 'number' ? normalizeMobile(String(phoneValue)) : null
    if (normalized === null) problems.push(problem('phone', 'invalid_mobile', 'an 11-digit mainland mobile number such as 13812345678'))
    else phone = normalized
  }

  const ethnicity = optionalText(raw, 'ethnicity', PERSON_LIMITS.ethnicity, problems)
  const room = optionalText(raw, 'room', PERSON_LIMITS.room, problems)
  const note = optionalText(raw, 'note', PERSON_LIMITS.note, problems)
  const unitId = optionalId(raw, 'unitId', problems)
  const householdId = optionalId(raw, 'householdId', problems)
  const relation = oneOf(raw, 'relation', relations, problems)
  const status = oneOf(raw, 'status', personStatuses, problems) ?? 'active'
  if (unitId === null && householdId === null && !problems.some((p) => p.field === 'unitId' || p.field === 'householdId')) {
    problems.push(problem('unitId', 'required', 'give the unit where the person lives, or a household'))
  }
  if (relation !== null && householdId === null) problems.push(problem('relation', 'invalid_value', 'a relation needs a household'))

  const tagIds: number[] = []
  const tagValue = raw.tagIds
  if (tagValue !== undefined && tagValue !== null) {
    if (!Array.isArray(tagValue) || tagValue.some((t) => typeof t !== 'number' || !Number.isInteger(t) || t < 1)) {
      problems.push(problem('tagIds', 'invalid_value', 'a list of tag ids'))
    } else if (tagValue.length > PERSON_LIMITS.tags) {
      problems.push(problem('tagIds', 'too_long', `at most ${PERSON_LIMITS.tags} tags`))
    } else {
      for (const t of tagValue as number[]) if (!tagIds.includes(t)) tagIds.push(t)
    }
  }

  if (problems.length > 0) return { ok: false, value: null, problems }
  return {
    ok: true,
    problems: [],
    value: { name, gender, birthDate, idNumber, phone, ethnicity, unitId, room, householdId, relation, status, tagIds, note },
  }
}
