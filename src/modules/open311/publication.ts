import { maskIdNumber, maskMobile } from '../../lib/pii.js'
import type { Duration } from '../calendar/working-time.js'
import { isOpenStatus, openStatuses } from '../requests/lifecycle.js'

/**
 * What GeoReport publishes about a request, to anyone, without a login. The rule:
 *
 * - Published requests: those of the jurisdiction (county) except enterprise problems (a company's
 *   business, 非公企业诉求) and requests for internal catalog items; free-text requests are published
 *   as service "其他诉求" with no service_code.
 * - Published fields: the service, the status (open/closed), the place (its unit names and code),
 *   the handling unit, the dates, the staff's latest public note and the public steps of the timeline.
 * - Never published: the resident's name, phone or email, the tracking code, internal notes, the
 *   photos (they are the resident's), and anything residents wrote on other channels: the
 *   description and free-text address are shown only for requests posted through Open311 itself,
 *   whose clients write for a public GeoReport feed. Every published text has mobile numbers and
 *   identity numbers masked, in case somebody typed one into a note.
 */

export type Open311Status = 'open' | 'closed'

/** submitted, accepted, dispatched, in progress: open; resolved, rated, closed, merged: closed. */
export const open311Status = (status: string): Open311Status => (isOpenStatus(status) ? 'open' : 'closed')
export const statusesFor = (status: Open311Status): string[] => (status === 'open' ? [...openStatuses] : ['resolved', 'rated', 'closed', 'merged'])

/** Sources whose requests are never published. */
export const unpublishedSources = ['enterprise'] as const

const MOBILE = /(?<!\d)(?:\+?86[\s-]?)?(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?!\d)/g
const ID_NUMBER = /(?<![\dA-Za-z])(\d{17}[\dXx])(?![\dA-Za-z])/g
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g

/** Masks mobile numbers, identity numbers and email addresses inside free text. */
export function redact(text: string): string {
  return text
    .replace(ID_NUMBER, (_m, id: string) => maskIdNumber(id))
    .replace(MOBILE, (_m, a: string, b: string, c: string) => maskMobile(`${a}${b}${c}`))
    .replace(EMAIL, '***@***')
}

export const redactOrNull = (text: string | null): string | null => (text === null ? null : redact(text))

type Lang = 'zh' | 'en'

/** A public step of the timeline in words, for steps where staff wrote nothing (or residents did). */
const stepWords: Record<string, { zh: string; en: string }> = {
  accepted: { zh: '已签收,正在安排办理', en: 'Received; being arranged' },
  handoff_accepted: { zh: '承办单位已签收', en: 'Received by the handling unit' },
  dispatched: { zh: '已派单', en: 'Dispatched' },
  transferred: { zh: '已转办', en: 'Transferred to the responsible unit' },
  started: { zh: '正在办理', en: 'Work in progress' },
  paused: { zh: '暂停办理,等待补充情况', en: 'On hold, waiting for more information' },
  resumed: { zh: '恢复办理', en: 'Work resumed' },
  resolved: { zh: '已办结', en: 'Resolved' },
  closed: { zh: '已关闭', en: 'Closed' },
  reopened: { zh: '重新办理', en: 'Reopened' },
  merged: { zh: '与相同诉求合并办理', en: 'Merged with the same matter reported earlier' },
  extension_approved: { zh: '办理期限已延长', en: 'The deadline was extended' },
  rated: { zh: '群众已评价', en: 'Rated by the resident' },
  note: { zh: '办理进展', en: 'Progress note' },
}

export interface PublicStep {
  kind: string
  note: string | null
  /** Written by staff (an account); residents' words (ratings, "not solved") are not published. */
  byStaff: boolean
  unitName: string | null
}

export function stepDescription(step: PublicStep, lang: Lang): string {
  if (step.byStaff && step.note !== null && step.note.trim() !== '') return redact(step.note)
  const words = stepWords[step.kind]?.[lang] ?? (lang === 'zh' ? '状态更新' : 'Status update')
  if ((step.kind === 'dispatched' || step.kind === 'transferred') && step.unitName) return lang === 'zh' ? `${words}至${step.unitName}` : `${words} to ${step.unitName}`
  return words
}

const unitWords: Record<Duration['unit'], { zh: string; en: string }> = {
  hours: { zh: '小时', en: 'hours' },
  working_hours: { zh: '个工作小时', en: 'working hours' },
  working_days: { zh: '个工作日', en: 'working days' },
}

/** The promise a service makes: 'resolved within 7 working days'. */
export function serviceNotice(resolution: Duration, lang: Lang): string {
  const unit = unitWords[resolution.unit]
  return lang === 'zh' ? `承诺 ${resolution.amount} ${unit.zh}内办结` : `To be resolved within ${resolution.amount} ${unit.en}`
}

/** GeoReport wants the address from the most specific place to the most general: 幸福小区, 第一网格, 吉祥苑社区, 铜城街道, 东阿县. */
export const addressOf = (namesFromTop: string[]): string => [...namesFromTop].reverse().join(', ')

export const freeTextServiceName = (lang: Lang): string => (lang === 'zh' ? '其他诉求' : 'Other matters')
