/**
 * Types and small helpers shared by the resident, household and tag pages: the API's views, the
 * closed lists (gender, relation, status) with their labels, and how a server error lands on a form.
 */
import type { FormInstance } from 'antd'
import { ApiError, type ApiResult } from '../../api/client'
import type { MessageKey, Translate } from '../../app/i18n'

export type PersonView = ApiResult<'/api/residents', 'get'>['items'][number]
export type PersonDetail = ApiResult<'/api/residents/{id}', 'get'>
export type HouseholdView = ApiResult<'/api/households', 'get'>['items'][number]
export type HouseholdDetail = ApiResult<'/api/households/{id}', 'get'>
export type HouseholdMember = HouseholdDetail['members'][number]
export type PersonTag = ApiResult<'/api/person-tags', 'get'>['items'][number]
export type TagRef = PersonView['tags'][number]

export type Gender = NonNullable<PersonView['gender']>
export type Relation = NonNullable<PersonView['relation']>
export type PersonStatus = PersonView['status']
export type HouseholdStatus = HouseholdView['status']

export const GENDERS: Gender[] = ['male', 'female']
export const RELATIONS: Relation[] = ['head', 'spouse', 'child', 'parent', 'other']
export const PERSON_STATUSES: PersonStatus[] = ['active', 'moved_out', 'deceased']
export const HOUSEHOLD_STATUSES: HouseholdStatus[] = ['active', 'dissolved']

export const isGender = (v: string | undefined): v is Gender => v === 'male' || v === 'female'
export const isPersonStatus = (v: string | undefined): v is PersonStatus => (PERSON_STATUSES as (string | undefined)[]).includes(v)
export const isHouseholdStatus = (v: string | undefined): v is HouseholdStatus => v === 'active' || v === 'dissolved'

export const genderKey = (g: Gender): MessageKey => `residents.gender.${g}`
export const relationKey = (r: Relation): MessageKey => `residents.relation.${r}`
export const statusKey = (s: PersonStatus): MessageKey => `residents.status.${s}`
export const householdStatusKey = (s: HouseholdStatus): MessageKey => `residents.household.status.${s}`
export const STATUS_COLORS: Record<PersonStatus, string> = { active: 'green', moved_out: 'default', deceased: 'default' }

/** A tag's name in the current language. */
export const tagName = (tag: Pick<TagRef, 'nameZh' | 'nameEn'>, lang: 'zh' | 'en'): string => (lang === 'en' ? tag.nameEn : tag.nameZh)

/** "陈店新村 3号楼 2单元301" style: the address line, or the unit name when the line is empty. */
export const addressOf = (row: { address: string; unitName: string }): string => row.address || row.unitName

const DIGITS_11 = /^\+?(86)?\s*1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}$/

/**
 * Exact lookup typed into one box: 11 digits are a mobile number, anything else an identity number.
 * The value never goes into the page address (it would stay in the browser history in clear).
 */
export function exactLookup(value: string | undefined): { idNumber?: string; phone?: string } {
  const v = value?.trim()
  if (!v) return {}
  return DIGITS_11.test(v) ? { phone: v } : { idNumber: v }
}

/** Where a server error code belongs in a person form, and its message there. */
const FIELD_OF_CODE: Record<string, string> = {
  invalid_id_number: 'idNumber',
  id_number_taken: 'idNumber',
  invalid_mobile: 'phone',
  birth_date_mismatch: 'birthDate',
  gender_mismatch: 'gender',
  invalid_resident_unit: 'unitId',
  unit_not_found: 'unitId',
  unit_archived: 'unitId',
  address_follows_household: 'unitId',
  person_tag_not_found: 'tagIds',
  household_not_found: 'householdId',
  household_dissolved: 'householdId',
  household_has_head: 'relation',
  person_in_other_household: 'personId',
}

const PROBLEM_MESSAGES: Partial<Record<string, MessageKey>> = {
  invalid_id_number: 'residents.problem.invalid_id_number',
  invalid_mobile: 'residents.problem.invalid_mobile',
  birth_date_mismatch: 'residents.problem.birth_date_mismatch',
  gender_mismatch: 'residents.problem.gender_mismatch',
  required: 'residents.problem.required',
  too_long: 'residents.problem.too_long',
  maxLength: 'residents.problem.too_long',
  minLength: 'residents.problem.required',
  invalid_date: 'residents.problem.invalid_date',
  format: 'residents.problem.invalid_date',
}

interface Detail {
  field?: unknown
  problem?: unknown
  message?: unknown
}

/**
 * Puts a server error on the form fields it concerns (`details[].field`, or the field the code is
 * about) and returns true when at least one field took it; the caller shows the message too.
 */
export function applyServerErrors(form: FormInstance, error: unknown, t: Translate, fields: string[]): boolean {
  if (!(error instanceof ApiError)) return false
  const byField = new Map<string, string[]>()
  const add = (field: string, text: string) => {
    if (!fields.includes(field)) return
    byField.set(field, [...(byField.get(field) ?? []), text])
  }
  const details: Detail[] = Array.isArray(error.details) ? (error.details as Detail[]) : []
  for (const d of details) {
    if (typeof d.field !== 'string') continue
    const key = typeof d.problem === 'string' ? PROBLEM_MESSAGES[d.problem] : undefined
    const field = d.field.split('.')[0] ?? d.field
    add(field, key ? t(key) : error.code === 'validation_failed' && typeof d.message === 'string' ? d.message : error.message)
  }
  if (byField.size === 0 && FIELD_OF_CODE[error.code]) add(FIELD_OF_CODE[error.code] as string, error.message)
  if (byField.size === 0) return false
  form.setFields([...byField].map(([name, errors]) => ({ name, errors })))
  return true
}
