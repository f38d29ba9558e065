import type { ItemClocks } from './deadlines.js'
import type { SubmitResult } from './schema.js'

/** A journaled submit as checked: what routing needs to make the request (the phone encrypted). */
export interface JournalCommand {
  studio: { id: number; name: string } | null
  itemId: number | null
  title: string | null
  description: string
  address: string | null
  photoTokens: string[]
  phoneEnc: string | null
  phoneMasked: string | null
  contactName: string | null
  anonymous: boolean
  locationName: string
  /** What the answer's deadlines were computed from (absent on rows of an earlier release: the item's clocks at routing then). */
  clocks?: ItemClocks
  /** What the answer told the resident beyond the row itself (absent on rows of an earlier release, which keep result_json). */
  told?: Told
}

export type Told = Pick<SubmitResult, 'title' | 'responseDueAt' | 'resolutionDueAt'>

/*
 * The QR submit's two JSON texts, written out field by field: every submit of a surge makes both, and
 * JSON.stringify walking the objects cost more than the rest of the answer's text. The texts are exactly
 * JSON.stringify's (same fields, same order; journal-json.test.ts compares them on awkward inputs).
 * Strings that could hold anything go through JSON.stringify; tracking codes, ISO times and statuses
 * cannot hold a character JSON escapes. A place's studio and an item's clocks are the same objects
 * for every submit there (the place cache), so their text is made once per object.
 */

const objectTexts = new WeakMap<object, string>()

function textOf(value: object | null | undefined): string {
  if (value === null || value === undefined) return 'null'
  let text = objectTexts.get(value)
  if (text === undefined) {
    text = JSON.stringify(value)
    objectTexts.set(value, text)
  }
  return text
}

const str = (value: string | null): string => (value === null ? 'null' : JSON.stringify(value))
/** A text JSON never escapes (tracking codes, ISO times, enum values): quoted as it is. */
const plain = (value: string | null): string => (value === null ? 'null' : `"${value}"`)

/** The command as JSON.stringify writes it; `studio` and `clocks` must not change after their first use here. */
export function journalCommandJson(c: JournalCommand & { clocks: ItemClocks; told: Told }): string {
  return `{"studio":${textOf(c.studio)},"itemId":${c.itemId === null ? 'null' : c.itemId},"title":${str(c.title)},"description":${JSON.stringify(c.description)}`
    + `,"address":${str(c.address)},"photoTokens":${c.photoTokens.length === 0 ? '[]' : JSON.stringify(c.photoTokens)},"phoneEnc":${str(c.phoneEnc)}`
    + `,"phoneMasked":${str(c.phoneMasked)},"contactName":${str(c.contactName)},"anonymous":${c.anonymous},"locationName":${JSON.stringify(c.locationName)}`
    + `,"clocks":${textOf(c.clocks)},"told":{"title":${JSON.stringify(c.told.title)},"responseDueAt":${plain(c.told.responseDueAt)}`
    + `,"resolutionDueAt":${plain(c.told.resolutionDueAt)}}}`
}

/** The answer to a submit as JSON.stringify writes it. */
export function submitAnswerJson(a: SubmitResult): string {
  return `{"trackingCode":"${a.trackingCode}","trackingUrl":${JSON.stringify(a.trackingUrl)},"status":"${a.status}","title":${JSON.stringify(a.title)}`
    + `,"locationName":${JSON.stringify(a.locationName)},"submittedAt":"${a.submittedAt}","responseDueAt":${plain(a.responseDueAt)}`
    + `,"resolutionDueAt":${plain(a.resolutionDueAt)}}`
}
