import { pathIds } from '../../lib/unit-path.js'
import type { Db } from '../../db/connect.js'
import { AppError } from '../../server/errors.js'
import { maskMobile, normalizeMobile } from '../../lib/pii.js'
import { addMinutes, shanghaiDay } from '../../lib/time.js'
import { randomBytes, randomToken, sha256 } from '../../lib/tokens.js'
import { recordAudit } from '../audit/service.js'
import { anonymousActor, can, type Actor } from '../access/service.js'
import { loadCalendar } from '../calendar/service.js'
import type { WorkingCalendar } from '../calendar/working-time.js'
import { findOfferedItemAt, publicCatalog } from '../catalog/service.js'
import type { ServiceItemView } from '../catalog/schema.js'
import {
  actorName, clockOf, commitChange, nowOf, writeEvents, type Change, type EventDraft, type RequestRow, type RequestsContext,
} from './case.js'
import { freshDeadlines, newClock, resolutionDeadlines, responseDueAt, restartClock, type ItemClocks } from './deadlines.js'
import { assertTransition, isResolvedStatus, targetStatus, type RequestStatus } from './lifecycle.js'
import { writeNotifications, type NotifyDraft } from './notify.js'
import { cleanPhoto, PhotoError } from './photos.js'
import { applyRollup } from './rollup.js'
import { pickAssignee, reachableWorkers, routeRequest, type RoutedItem } from './routing.js'
import type {
  LocationView, PublicSubmitInput, RatingInput, RatingView, ResidentCaseView, Source, StaffIntakeInput, SubmitResult, UploadResult,
} from './schema.js'
import { storePhotoFile } from './uploads.js'
import type { IntakeJournal } from './journal.js'
import { journalCommandJson, submitAnswerJson, type JournalCommand, type Told } from './journal-json.js'
import type { VersionedCache } from '../../lib/versioned-cache.js'
import * as store from './store.js'

// --- where a QR code points -------------------------------------------------------------------

const STUDIO_CODE = /^studio-([1-9]\d{0,9})$/

interface Place {
  unit: store.UnitRow
  studio: { id: number; name: string } | null
}

/** A poster's code: a unit code, or `studio-<id>` for a party representative's studio (代表工作室). */
async function findPlace(db: Db, code: string): Promise<Place | null> {
  const studioMatch = STUDIO_CODE.exec(code)
  if (studioMatch) {
    const studio = await store.findStudio(db, Number(studioMatch[1]))
    if (!studio || studio.status !== 'active') return null
    const unit = await store.findUnit(db, studio.unit_id)
    return unit && unit.status === 'active' ? { unit, studio: { id: studio.id, name: studio.name } } : null
  }
  const unit = await store.findUnitByCode(db, code)
  return unit && unit.status === 'active' ? { unit, studio: null } : null
}

/** What a scanned code shows: the place, where it sits in the county, and the public menu offered there. */
export async function getPublicLocation(ctx: RequestsContext, code: string): Promise<LocationView> {
  const place = await findPlace(ctx.db, code)
  if (!place) throw new AppError('location_not_found', { code })
  const catalog = await publicCatalog(ctx.db, { unitId: place.unit.id })
  return {
    code, unitId: place.unit.id, name: place.studio?.name ?? place.unit.name, unitName: place.unit.name, unitType: place.unit.type,
    breadcrumb: catalog.location.trail, studio: place.studio, items: catalog.items, freeTextAllowed: true,
  }
}

// --- photos uploaded before the submit ------------------------------------------------------------

/**
 * Stores one photo: the bytes decide the type (JPEG, PNG, WebP only), location and other metadata
 * are stripped, the file is flushed to disk, and a token (≥128 bits) comes back for the submit.
 */
export async function uploadPhoto(ctx: RequestsContext, body: Buffer): Promise<UploadResult> {
  if (body.length === 0) throw new AppError('empty_body')
  let clean
  try {
    clean = cleanPhoto(body)
  } catch (err) {
    if (err instanceof PhotoError) throw new AppError(err.code, { problem: err.message })
    throw err
  }
  const now = nowOf(ctx)
  const storedName = await storePhotoFile(ctx.settings.uploadsDir, clean.bytes, clean.mime, now)
  const token = randomToken(24)
  const expiresAt = addMinutes(now, ctx.settings.uploadTtlMinutes)
  await store.insertUpload(ctx.db, { token_hash: sha256(token), stored_name: storedName, mime: clean.mime, bytes: clean.bytes.length, request_id: null, created_at: now, expires_at: expiresAt })
  return { token, mime: clean.mime, bytes: clean.bytes.length, expiresAt }
}

// --- intake: one path for residents, staff and Open311 -------------------------------------------

export interface IntakeCommand {
  source: Source
  /** Who may pick the item: residents see public items only. */
  audience: 'public' | 'staff'
  location: store.UnitRow
  studio?: { id: number; name: string } | null
  itemId: number | null
  title?: string | null
  description: string
  address?: string | null
  photoTokens?: string[]
  phone?: string | null
  contactName?: string | null
  anonymous?: boolean
  lat?: number | null
  lng?: number | null
  /** The staff account that recorded it on the resident's behalf (hotline, walk-in, patrol). */
  recordedBy: number | null
  /** Already scoped (e.g. `public:<key>`); the same key returns the first result. */
  idempotencyKey: string | null
  /** Routing an acknowledged journal row: its tracking code and acknowledgement time are the case's. */
  journal?: {
    id: number; trackingCode: string; submittedAt: string; fallbackNote?: string | null
    /** The priority and allowances the resident's answer was computed from (absent on rows of an earlier release). */
    clocks?: ItemClocks | null
  }
}

/**
 * A tracking code: 20 bytes, base64url (27 characters). The first six bytes are the millisecond it was
 * made, so the codes of one millisecond share their first eight characters and a surge's codes sit
 * together in the tracking-code indexes: a batch of submits touches a page or two, not one random page
 * per code (with a coarser clock a busy second's codes scatter over many pages). The other fourteen
 * bytes (112 bits) are random, which is what makes a code unguessable.
 */
export function newTrackingCode(now = Date.now()): string {
  const bytes = randomBytes(20)
  bytes.writeUIntBE(now, 0, 6)
  return bytes.toString('base64url')
}

export interface IntakeResult {
  row: RequestRow
  replayed: boolean
}

class IdempotentReplay extends Error {}
/** Another process routed the journal row first. */
class AlreadyRouted extends Error {}

const IDEMPOTENCY_KEY = /^[A-Za-z0-9_-]{8,100}$/

/** Checks an Idempotency-Key header value; undefined when absent. */
export function checkedIdempotencyKey(value: string | string[] | undefined): string | null {
  if (value === undefined) return null
  if (typeof value !== 'string' || !IDEMPOTENCY_KEY.test(value)) throw new AppError('invalid_idempotency_key')
  return value
}

/**
 * What a submit asked for, as one hash: the same Idempotency-Key with a different submit is refused.
 * Every field in a fixed order (cheaper than sorting an object's keys on every submit); the type makes
 * a new field of IntakeCommand a compile error here until it is hashed too. Keys stored by an earlier
 * release (a hash of the sorted object, without `v2.`) no longer match: a retry across that upgrade is refused.
 */
function fingerprintOf(cmd: IntakeCommand): string {
  const fields: { [K in keyof Required<IntakeCommand>]: unknown } = {
    source: cmd.source, audience: cmd.audience, location: cmd.location.id, studio: cmd.studio?.id ?? null, itemId: cmd.itemId,
    title: cmd.title ?? null, description: cmd.description, address: cmd.address ?? null, photoTokens: cmd.photoTokens ?? [], phone: cmd.phone ?? null,
    contactName: cmd.contactName ?? null, anonymous: cmd.anonymous ?? null, lat: cmd.lat ?? null, lng: cmd.lng ?? null, recordedBy: cmd.recordedBy,
    idempotencyKey: cmd.idempotencyKey, journal: cmd.journal?.id ?? null,
  }
  return `v2.${sha256(JSON.stringify(Object.values(fields)))}`
}

async function replayOf(db: Db, key: string, fingerprint: string): Promise<IntakeResult | null> {
  const existing = await store.findIdempotencyKey(db, key)
  if (!existing) return null
  if (existing.fingerprint !== null && existing.fingerprint !== fingerprint) throw new AppError('idempotency_key_reused')
  const row = await store.findRequestById(db, existing.request_id)
  if (!row) return null
  return { row, replayed: true }
}

/** The item and its row (read once, for the checks here and for routing in the transaction). */
async function offeredItem(db: Db, cmd: Pick<IntakeCommand, 'itemId' | 'location' | 'audience'>): Promise<{ view: ServiceItemView; row: RoutedItem } | null> {
  if (cmd.itemId === null) return null
  try {
    return await findOfferedItemAt(db, cmd.location, cmd.itemId, cmd.audience)
  } catch (err) {
    if (err instanceof AppError && ['service_item_not_found', 'service_item_not_offered', 'unit_not_found'].includes(err.code)) {
      throw new AppError('unknown_item', { itemId: cmd.itemId, reason: err.code })
    }
    throw err
  }
}

/** The clocks a submit of this item runs on (free text: the general priority's). */
const clocksOf = (item: ServiceItemView | null): ItemClocks => ({ priority: item?.priority ?? 'general', response: item?.responseTime ?? null, resolution: item?.resolutionTime ?? null })

/** The checks every submit passes before anything is written, and what they settle. */
function checkedSubmit(cmd: IntakeCommand, offered: { view: ServiceItemView } | null) {
  if (cmd.location.status !== 'active' || cmd.location.county_id === null) throw new AppError('unknown_location', { unitId: cmd.location.id })
  const item = offered?.view ?? null
  const anonymous = cmd.anonymous === true || !cmd.phone
  if (cmd.anonymous === true && (cmd.phone || cmd.contactName)) {
    throw new AppError('validation_failed', [{ in: 'body', field: 'anonymous', problem: 'conflict', message: 'an anonymous request carries no name or phone' }])
  }
  // Free text needs a way back to the resident; an item decides for itself.
  // A journaled submit passed this when it was acknowledged (its item may have been withdrawn since).
  if (anonymous && !cmd.journal && !(item?.anonymousAllowed ?? false)) throw new AppError('anonymous_not_allowed', { itemId: cmd.itemId })
  const phone = cmd.phone ? normalizeMobile(cmd.phone) : null
  if (cmd.phone && !phone) throw new AppError('invalid_phone')
  const tokens = [...new Set(cmd.photoTokens ?? [])]
  const title = item ? item.name : (cmd.title ?? cmd.description).trim().slice(0, 100) || '诉求'
  return { item, anonymous, phone, tokens, title }
}

/**
 * Records a new request and routes it. The request, its photos, its timeline, its rollups and its
 * notifications are one transaction that commits before the caller answers: a request that was
 * acknowledged is on disk. A repeated Idempotency-Key returns the first request, also when two
 * submits race (the second waits for the first's key and then answers with its request). A QR
 * submit comes here from the intake journal (`cmd.journal`), already acknowledged: the row is
 * marked routed in the same transaction.
 */
export async function intakeRequest(ctx: RequestsContext, actor: Actor, cmd: IntakeCommand): Promise<IntakeResult> {
  // Only a keyed submit is compared with an earlier one (routing a journaled row has no key).
  const fingerprint = cmd.idempotencyKey ? fingerprintOf(cmd) : ''
  if (cmd.idempotencyKey) {
    const replay = await replayOf(ctx.db, cmd.idempotencyKey, fingerprint)
    if (replay) return replay
  }
  const offered = await offeredItem(ctx.db, cmd)
  const checked = checkedSubmit(cmd, offered)
  const { item, anonymous, phone, tokens, title } = checked
  // A journaled submit keeps the clocks its resident was told, also when its item changed or went since.
  const clocks: ItemClocks = cmd.journal?.clocks ?? clocksOf(item)
  const priority = clocks.priority

  try {
    const row = await ctx.db.transaction().execute(async (trx) => {
      // A journaled submit keeps the time it was acknowledged: its clocks started then.
      const routedAt = nowOf(ctx)
      const now = cmd.journal?.submittedAt ?? routedAt
      const calendar = await loadCalendar(trx, cmd.location.county_id)
      const route = await routeRequest(trx, cmd.location, offered?.row ?? null)
      if (!route) throw new AppError('unknown_location', { unitId: cmd.location.id })
      const clock = newClock(clocks, now)
      const resolution = resolutionDeadlines(clock, calendar)
      const assignee = await pickAssignee(trx, route.unit.id, now)
      const row = await store.insertRequest(trx, {
        county_id: cmd.location.county_id as number, tracking_code: cmd.journal?.trackingCode ?? newTrackingCode(Date.parse(now)), source: cmd.source, item_id: item?.id ?? null,
        category_id: item?.categoryId ?? null, location_unit_id: cmd.location.id, location_path: cmd.location.path,
        handler_unit_id: route.unit.id, handler_path: route.unit.path, assignee_id: assignee, status: 'submitted', is_open: 1, priority, title,
        description: cmd.description, address: [cmd.studio?.name, cmd.address].filter(Boolean).join(' · ') || null, lat: cmd.lat ?? null, lng: cmd.lng ?? null,
        contact_name: anonymous ? null : (cmd.contactName ?? null),
        phone_enc: phone ? ctx.pii.encrypt(phone) : null, phone_hash: phone ? ctx.pii.lookupHash(phone) : null, phone_masked: phone ? maskMobile(phone) : null,
        anonymous: anonymous ? 1 : 0, recorded_by: cmd.recordedBy, submitted_at: now, submitted_day: shanghaiDay(now),
        response_due_at: responseDueAt(now, clock, calendar), resolution_due_at: resolution?.dueAt ?? null, warn_at: resolution?.warnAt ?? null,
        first_unit_id: route.unit.id, clock_json: JSON.stringify(clock), created_at: now, updated_at: now,
      })
      const id = row.id
      if (cmd.idempotencyKey && !(await store.insertIdempotencyKey(trx, { key: cmd.idempotencyKey, request_id: id, created_at: now, fingerprint }))) {
        throw new IdempotentReplay()
      }
      if (cmd.journal && !(await store.markJournalRouted(trx, cmd.journal.id, id))) throw new AlreadyRouted()
      let photosMissing = 0
      if (tokens.length > 0) {
        const claimed = await store.claimUploads(trx, tokens.map(sha256), id, now)
        // Checked when the submit was acknowledged; a photo another submit claimed since is noted, not fatal.
        if (claimed.length !== tokens.length && !cmd.journal) throw new AppError('unknown_upload', { missing: tokens.length - claimed.length })
        photosMissing = tokens.length - claimed.length
        await store.insertPhotos(trx, claimed.map((u) => ({ request_id: id, stage: 'intake', stored_name: u.stored_name, mime: u.mime, bytes: u.bytes, created_at: now })))
      }
      await store.insertRequestUnits(trx, [
        { request_id: id, unit_id: route.unit.id, role: 'lead', status: 'pending', created_at: now },
        ...route.coUnitIds.filter((u) => u !== route.unit.id).map((unitId) => ({ request_id: id, unit_id: unitId, role: 'co', status: 'pending', created_at: now })),
      ])
      await applyRollup(trx, null, row)
      await writeEvents(trx, actor, row, [
        { kind: 'submitted', visibility: 'public', unitId: cmd.location.id, fromStatus: null, toStatus: 'submitted', data: { source: cmd.source, itemId: item?.id ?? null, photos: tokens.length - photosMissing, ...(photosMissing ? { photosMissing } : {}) } },
      ], now, 'submitted')
      const events: EventDraft[] = []
      if (cmd.recordedBy !== null) events.push({ kind: 'recorded', note: `${actorName(actor) ?? ''}(${cmd.source})`, data: { source: cmd.source, recordedBy: cmd.recordedBy } })
      events.push({ kind: 'routed', unitId: route.unit.id, note: cmd.journal?.fallbackNote ?? null, data: { via: route.via, ruleId: route.ruleId, coUnitIds: route.coUnitIds } })
      if (assignee !== null) events.push({ kind: 'assigned', unitId: route.unit.id, data: { assigneeId: assignee, by: 'policy' } })
      await writeEvents(trx, actor, row, events, routedAt, 'submitted')
      const notify: NotifyDraft[] = [{ accountIds: await reachableWorkers(trx, route.unit), requestId: id, kind: 'new_request', title: `新诉求:${title}`, body: cmd.location.name }]
      if (assignee !== null) notify.push({ accountIds: [assignee], requestId: id, kind: 'assigned', title: `分派给您:${title}` })
      for (const coId of route.coUnitIds) {
        const co = await store.findUnit(trx, coId)
        if (co) notify.push({ accountIds: await reachableWorkers(trx, co), requestId: id, kind: 'co_handling', title: `协办诉求:${title}` })
      }
      await writeNotifications(trx, notify, routedAt)
      if (cmd.recordedBy !== null) {
        await recordAudit(trx, actor, { action: 'requests.intake', entityType: 'request', entityId: id, unitId: cmd.location.id, unitPath: cmd.location.path, after: { source: cmd.source, itemId: item?.id ?? null, title } })
      }
      return row
    })
    return { row, replayed: false }
  } catch (err) {
    if (err instanceof IdempotentReplay && cmd.idempotencyKey) {
      const replay = await replayOf(ctx.db, cmd.idempotencyKey, fingerprint)
      if (replay) return replay
    }
    throw err
  }
}

export function trackingUrl(ctx: RequestsContext, code: string): string {
  return `${ctx.settings.publicUrl ?? ''}/track/${code}`
}

// --- the QR submit: acknowledged from the journal, routed after (journal.ts) ------------------------

/** What a submit at a place needs besides its body; kept while the database is unchanged. */
interface PlaceFacts {
  place: Place
  offered: { view: ServiceItemView; row: RoutedItem } | null
  calendar: WorkingCalendar
  /** One object for every submit of this item here (its JSON text is made once). */
  clocks: ItemClocks
}

/** The server's intake runtime: the journal and the read cache of places, items and calendars. */
export interface IntakeRuntime {
  journal: IntakeJournal
  dataVersion: () => Promise<string>
  facts: VersionedCache<Promise<PlaceFacts>>
}

/** What a journaled submit's resident was told: title and deadlines. */
function toldOf(entry: store.JournalRow, c: JournalCommand): Told {
  if (c.told) return c.told
  const answered = JSON.parse(entry.result_json ?? '{}') as SubmitResult
  return { title: answered.title, responseDueAt: answered.responseDueAt, resolutionDueAt: answered.resolutionDueAt }
}

/** A journal row's fingerprint when a retry is compared with its command (rows of earlier releases hold a `v2.` hash). */
const COMPARED_BY_COMMAND = 'command'

/**
 * Whether a retry under a journaled submit's Idempotency-Key asks for the same as the first: the fields
 * the hash of fingerprintOf covers, compared with the command as it was checked (photo tokens without
 * repeats, the phone normalized; the source, audience and the rest are the same for every QR submit).
 */
function sameJournaledSubmit(ctx: RequestsContext, first: store.JournalRow, retry: IntakeCommand, checked: { tokens: string[]; phone: string | null; anonymous: boolean }): boolean {
  if (first.fingerprint !== COMPARED_BY_COMMAND) return first.fingerprint === fingerprintOf(retry)
  const c = JSON.parse(first.command_json) as JournalCommand
  return first.location_unit_id === retry.location.id && (c.studio?.id ?? null) === (retry.studio?.id ?? null) && c.itemId === retry.itemId
    && c.title === (retry.title ?? null) && c.description === retry.description && c.address === (retry.address ?? null)
    && c.photoTokens.length === checked.tokens.length && c.photoTokens.every((token, i) => token === checked.tokens[i])
    && (c.phoneEnc === null ? null : ctx.pii.decrypt(c.phoneEnc)) === checked.phone
    && c.contactName === (checked.anonymous ? null : (retry.contactName ?? null)) && c.anonymous === (retry.anonymous === true)
}

/**
 * A journaled submit's answer, as a retry gets it again: stored as it was by an earlier release, else
 * made from the row and what it told (the same fields and order; the link uses today's public address).
 */
function journalAnswerJson(ctx: RequestsContext, entry: store.JournalRow): string {
  if (entry.result_json !== null) return entry.result_json
  const c = JSON.parse(entry.command_json) as JournalCommand
  return submitAnswerJson(answerOf(ctx, entry.tracking_code, c.studio?.name ?? c.locationName, entry.submitted_at, toldOf(entry, c)))
}

function answerOf(ctx: RequestsContext, trackingCode: string, locationName: string, submittedAt: string, told: Told): SubmitResult {
  return {
    trackingCode, trackingUrl: trackingUrl(ctx, trackingCode), status: 'submitted', title: told.title, locationName, submittedAt,
    responseDueAt: told.responseDueAt, resolutionDueAt: told.resolutionDueAt,
  }
}

async function placeFacts(ctx: RequestsContext, intake: IntakeRuntime, code: string, itemId: number | null): Promise<PlaceFacts> {
  const key = `${code}\n${itemId ?? ''}`
  const version = await intake.dataVersion()
  // The promise is kept, so the submits of one turn that miss together read the place once (on
  // PostgreSQL every journal commit moves the version: each turn's first submit misses).
  const hit = intake.facts.get(key, version)
  if (hit) return hit
  const loading = loadPlaceFacts(ctx, code, itemId)
  intake.facts.set(key, version, loading)
  // A failed read is not kept: the next submit asks again.
  loading.catch(() => {
    if (intake.facts.get(key, version) === loading) intake.facts.delete(key)
  })
  return loading
}

async function loadPlaceFacts(ctx: RequestsContext, code: string, itemId: number | null): Promise<PlaceFacts> {
  const place = await findPlace(ctx.db, code)
  if (!place) throw new AppError('unknown_location', { locationCode: code })
  const offered = await offeredItem(ctx.db, { itemId, location: place.unit, audience: 'public' })
  return { place, offered, calendar: await loadCalendar(ctx.db, place.unit.county_id), clocks: clocksOf(offered?.view ?? null) }
}

/**
 * A resident's submit from the QR page (no login). Everything a submit can get wrong is checked
 * here; the answer (tracking code, deadlines) is final once the journal row is committed, and the
 * same Idempotency-Key answers the same again. Routing follows at once, or from the backlog in a surge.
 */
export async function submitPublicRequest(
  ctx: RequestsContext, intake: IntakeRuntime, input: PublicSubmitInput, options: { idempotencyKey: string | null },
): Promise<{ answerJson: string; replayed: boolean }> {
  const facts = await placeFacts(ctx, intake, input.locationCode, input.itemId ?? null)
  const { place, offered, calendar, clocks } = facts
  const cmd: IntakeCommand = {
    source: 'qr', audience: 'public', location: place.unit, studio: place.studio, itemId: input.itemId ?? null, title: input.title ?? null,
    description: input.description, address: input.address ?? null, photoTokens: input.photoTokens ?? [], phone: input.phone ?? null,
    contactName: input.contactName ?? null, anonymous: input.anonymous ?? false, recordedBy: null,
    idempotencyKey: options.idempotencyKey ? `public:${options.idempotencyKey}` : null,
  }
  const { anonymous, phone, tokens, title } = checkedSubmit(cmd, offered)
  const now = nowOf(ctx)
  if (tokens.length > 0) {
    const claimable = await store.countClaimableUploads(ctx.db, tokens.map(sha256), now)
    if (claimable !== tokens.length) throw new AppError('unknown_upload', { missing: tokens.length - claimable })
  }
  const nowMs = Date.parse(now)
  const trackingCode = newTrackingCode(nowMs)
  const { responseDueAt, resolutionDueAt } = freshDeadlines(now, clocks, calendar)
  const told: Told = { title, responseDueAt, resolutionDueAt }
  const command: JournalCommand & { clocks: ItemClocks; told: Told } = {
    studio: place.studio, itemId: cmd.itemId, title: cmd.title ?? null, description: cmd.description, address: cmd.address ?? null, photoTokens: tokens,
    phoneEnc: phone ? ctx.pii.encrypt(phone) : null, phoneMasked: phone ? maskMobile(phone) : null,
    contactName: anonymous ? null : (cmd.contactName ?? null), anonymous: cmd.anonymous === true, locationName: place.unit.name, clocks, told,
  }
  // The row keeps only what the answer adds to it (the answer is rebuilt for a retry) and no hash of the
  // submit (a retry is compared with the command itself): a surge writes fewer pages and hashes nothing.
  const appended = await intake.journal.append({
    tracking_code: trackingCode, idempotency_key: cmd.idempotencyKey, fingerprint: COMPARED_BY_COMMAND, location_unit_id: place.unit.id,
    command_json: journalCommandJson(command), result_json: null, submitted_at: now, state: 'pending',
  })
  if (!appended.written) {
    if (!sameJournaledSubmit(ctx, appended.existing, cmd, { tokens, phone, anonymous })) throw new AppError('idempotency_key_reused')
    return { answerJson: journalAnswerJson(ctx, appended.existing), replayed: true }
  }
  await intake.journal.acknowledged(appended.id, nowMs)
  return { answerJson: submitAnswerJson(answerOf(ctx, trackingCode, place.studio?.name ?? place.unit.name, now, told)), replayed: false }
}

/**
 * Where an acknowledged submit goes: its place while that is active, else the nearest active unit above
 * it (兜底: the resident was told it was received, so someone must have it); null for an unknown place.
 */
async function routablePlace(db: Db, unitId: number): Promise<{ unit: store.UnitRow; withdrawn: store.UnitRow | null } | null> {
  const unit = await store.findUnit(db, unitId)
  if (!unit) return null
  if (unit.status === 'active') return { unit, withdrawn: null }
  const above = pathIds(unit.path).filter((id) => id !== unit.id)
  const ancestors = await store.findUnits(db, above)
  for (const id of above.reverse()) {
    const a = ancestors.get(id)
    if (a && a.status === 'active' && a.county_id !== null) return { unit: a, withdrawn: unit }
  }
  return null
}

/**
 * Turns an acknowledged journal row into a routed request (the same intake as every other source).
 * What changed since the acknowledgement does not lose the submit: a withdrawn place hands it to the
 * nearest active unit above, a withdrawn item makes it a free-text request under the item's name; the
 * routing event says which. A row another process routed first is left alone; a row that still cannot be
 * routed is marked failed with the reason; other faults leave it pending for a retry.
 */
export async function routeJournaled(ctx: RequestsContext, id: number): Promise<'routed' | 'skipped' | 'failed' | 'retry'> {
  const entry = await store.findJournalById(ctx.db, id)
  if (!entry || entry.state !== 'pending') return 'skipped'
  const c = JSON.parse(entry.command_json) as JournalCommand
  try {
    const place = await routablePlace(ctx.db, entry.location_unit_id)
    if (!place) throw new AppError('unknown_location', { unitId: entry.location_unit_id })
    const notes = place.withdrawn ? [`受理后地点「${place.withdrawn.name}」已撤销,由「${place.unit.name}」兜底`] : []
    const command = (itemId: number | null, title: string | null): IntakeCommand => ({
      source: 'qr', audience: 'public', location: place.unit, studio: c.studio, itemId, title, description: c.description,
      address: place.withdrawn ? [place.withdrawn.name, c.address].filter(Boolean).join(' ') : c.address,
      photoTokens: c.photoTokens, phone: c.phoneEnc ? ctx.pii.decrypt(c.phoneEnc) : null, contactName: c.contactName, anonymous: c.anonymous,
      recordedBy: null, idempotencyKey: null,
      journal: { id, trackingCode: entry.tracking_code, submittedAt: entry.submitted_at, fallbackNote: notes.join(';') || null, clocks: c.clocks ?? null },
    })
    const actor = anonymousActor('', `journal-${id}`)
    try {
      await intakeRequest(ctx, actor, command(c.itemId, c.title))
    } catch (err) {
      if (!(err instanceof AppError && err.code === 'unknown_item')) throw err
      const answered = toldOf(entry, c)
      notes.push(`受理后事项「${answered.title}」已不再提供,按自由描述转办${c.clocks ? '(时限按受理时告知)' : '(时限按一般诉求)'}`)
      await intakeRequest(ctx, actor, command(null, answered.title))
    }
    return 'routed'
  } catch (err) {
    if (err instanceof AlreadyRouted) return 'skipped'
    // Another process may have routed it meanwhile (its tracking code is then taken).
    const latest = await store.findJournalById(ctx.db, id)
    if (!latest || latest.state !== 'pending') return 'skipped'
    const permanent = err instanceof AppError
    const error = err instanceof AppError ? err.code : err instanceof Error ? err.message : String(err)
    await store.markJournalAttempt(ctx.db, id, { state: permanent || latest.attempts + 1 >= 5 ? 'failed' : 'pending', error })
    return permanent ? 'failed' : 'retry'
  }
}

/** The resident's view of a submit that is acknowledged but not routed yet. */
function journaledCaseView(entry: store.JournalRow): ResidentCaseView {
  const c = JSON.parse(entry.command_json) as JournalCommand
  const answered = toldOf(entry, c)
  return {
    trackingCode: entry.tracking_code, status: 'submitted', title: answered.title, description: c.description, locationName: c.locationName,
    address: [c.studio?.name, c.address].filter(Boolean).join(' · ') || null, submittedAt: entry.submitted_at, acceptedAt: null, resolvedAt: null,
    closedAt: null, responseDueAt: answered.responseDueAt, resolutionDueAt: answered.resolutionDueAt, paused: false, handlerName: null,
    phoneMasked: c.phoneMasked, timeline: [{ at: entry.submitted_at, kind: 'submitted', note: null, unitName: c.locationName }], photos: [],
    rating: null, canRate: false,
  }
}

/** Staff record a call, a walk-in or a patrol finding on a resident's behalf (requests.intake on the location). */
export async function intakeByStaff(
  ctx: RequestsContext, actor: Actor, input: StaffIntakeInput, options: { idempotencyKey: string | null },
): Promise<IntakeResult> {
  const location = await store.findUnit(ctx.db, input.locationUnitId)
  if (!location) throw new AppError('unknown_location', { unitId: input.locationUnitId })
  if (!can(actor, 'requests.intake', location.path)) throw new AppError('forbidden', { action: 'requests.intake' })
  return intakeRequest(ctx, actor, {
    source: input.source, audience: 'staff', location, itemId: input.itemId ?? null, title: input.title ?? null, description: input.description,
    address: input.address ?? null, photoTokens: input.photoTokens ?? [], phone: input.phone ?? null, contactName: input.contactName ?? null,
    anonymous: input.anonymous ?? false, recordedBy: actor.accountId,
    idempotencyKey: options.idempotencyKey ? `staff:${actor.accountId}:${options.idempotencyKey}` : null,
  })
}

// --- the resident's own case, by tracking code ----------------------------------------------------

async function caseByTracking(db: Db, code: string, forUpdate = false): Promise<RequestRow> {
  const row = await store.findRequestByTracking(db, code)
  if (!row) {
    // Acknowledged, not routed yet: nothing to rate or show a photo of so far.
    if (await store.findJournalByTracking(db, code)) throw new AppError(forUpdate ? 'not_resolved_yet' : 'photo_not_found', { status: 'submitted' })
    throw new AppError('request_not_found')
  }
  return forUpdate ? ((await store.findRequestForUpdate(db, row.id)) as RequestRow) : row
}

export const toRatingView = (r: Awaited<ReturnType<typeof store.listRatings>>[number], withActor: boolean): RatingView => ({
  id: r.id, at: r.at, source: r.source === 'callback' ? 'callback' : 'resident', contacted: r.contacted === 1, solved: r.solved === 1,
  satisfaction: r.satisfaction as RatingView['satisfaction'], comment: r.comment, actorName: withActor ? (r.actor_name ?? null) : null,
})

/** May the resident rate now: after resolution, once per resolution. */
const residentRatedSince = (ratings: Awaited<ReturnType<typeof store.listRatings>>, resolvedAt: string | null) =>
  ratings.some((r) => r.source === 'resident' && resolvedAt !== null && Date.parse(r.at) >= Date.parse(resolvedAt))

/** What the resident sees: their case, its public steps and notes, the photos they sent. Never internal notes or anyone else's data. */
export async function getResidentCase(ctx: RequestsContext, trackingCode: string): Promise<ResidentCaseView> {
  const row = await store.findRequestByTracking(ctx.db, trackingCode)
  if (!row) {
    const entry = await store.findJournalByTracking(ctx.db, trackingCode)
    if (entry && entry.state !== 'routed') return journaledCaseView(entry)
    throw new AppError('request_not_found')
  }
  const [events, photos, ratings, units] = await Promise.all([
    store.listEvents(ctx.db, row.id, true), store.listPhotos(ctx.db, row.id), store.listRatings(ctx.db, row.id),
    store.findUnits(ctx.db, [row.location_unit_id, ...(row.handler_unit_id ? [row.handler_unit_id] : [])]),
  ])
  const own = ratings.filter((r) => r.source === 'resident')
  const latest = own[own.length - 1]
  return {
    trackingCode: row.tracking_code, status: row.status as ResidentCaseView['status'], title: row.title, description: row.description,
    locationName: units.get(row.location_unit_id)?.name ?? '', address: row.address, submittedAt: row.submitted_at, acceptedAt: row.accepted_at,
    resolvedAt: row.resolved_at, closedAt: row.closed_at, responseDueAt: row.response_due_at, resolutionDueAt: row.resolution_due_at,
    paused: row.paused_at !== null, handlerName: row.handler_unit_id ? (units.get(row.handler_unit_id)?.name ?? null) : null, phoneMasked: row.phone_masked,
    timeline: events.map((e) => ({ at: e.at, kind: e.kind, note: e.note, unitName: e.unit_name ?? null })),
    photos: photos.filter((p) => p.stage === 'intake').map((p) => ({
      id: p.id, stage: p.stage, mime: p.mime, bytes: p.bytes, url: `/api/public/requests/${row.tracking_code}/photos/${p.id}`,
    })),
    rating: latest ? toRatingView(latest, false) : null,
    canRate: isResolvedStatus(row.status) && !residentRatedSince(ratings, row.resolved_at),
  }
}

/** A photo the resident sent, for the holder of the tracking code. */
export async function residentPhoto(ctx: RequestsContext, trackingCode: string, photoId: number) {
  const row = await caseByTracking(ctx.db, trackingCode)
  const photo = await store.findPhoto(ctx.db, row.id, photoId)
  if (!photo || photo.stage !== 'intake') throw new AppError('photo_not_found')
  return photo
}

/** Back to work with a fresh resolution clock (the resident said it is not solved, or staff reopened it). */
export async function reopenPatch(trx: Db, row: RequestRow, now: string): Promise<Change['patch']> {
  const calendar = await loadCalendar(trx, row.county_id)
  const clock = restartClock(clockOf(row), now)
  const due = resolutionDeadlines(clock, calendar)
  return {
    status: targetStatus('reopen', row.status as RequestStatus), is_open: 1, reopen_count: row.reopen_count + 1, resolved_at: null, closed_at: null,
    resolution_due_at: due?.dueAt ?? null, warn_at: due?.warnAt ?? null, warned: 0, resolution_overdue: 0, escalation_level: 0,
    handling_minutes: null, working_minutes: null, paused_at: null, clock_json: JSON.stringify(clock),
  }
}

export interface RatingCommand extends RatingInput {
  source: 'resident' | 'callback'
}

/**
 * Records an answer to the three questions. The first answer after a resolution moves the case to
 * rated; "not solved" reopens it with a fresh resolution clock. Residents answer once per
 * resolution (already_rated), staff callbacks (回访) may answer again and the latest answer counts.
 */
export async function recordRating(trx: Db, ctx: RequestsContext, actor: Actor, row: RequestRow, input: RatingCommand): Promise<RequestRow> {
  if (row.status === 'merged') assertTransition('rate', { status: row.status, paused: false, pending: false })
  if (!isResolvedStatus(row.status)) throw new AppError('not_resolved_yet', { status: row.status })
  const now = nowOf(ctx)
  if (input.source === 'resident' && residentRatedSince(await store.listRatings(trx, row.id), row.resolved_at)) throw new AppError('already_rated')
  await store.insertRating(trx, {
    request_id: row.id, at: now, source: input.source, contacted: input.contacted ? 1 : 0, solved: input.solved ? 1 : 0,
    satisfaction: input.satisfaction, comment: input.comment ?? null, actor_id: input.source === 'callback' ? actor.accountId : null,
  })
  const answer = { contacted: input.contacted, solved: input.solved, satisfaction: input.satisfaction, source: input.source }
  const events: EventDraft[] = [{
    kind: input.source === 'callback' ? 'callback' : 'rated', visibility: input.source === 'callback' ? 'internal' : 'public',
    note: input.comment ?? null, data: answer, fromStatus: row.status, toStatus: row.status,
  }]
  const patch: Change['patch'] = {
    rating_contacted: input.contacted ? 1 : 0, rating_solved: input.solved ? 1 : 0, rating_satisfaction: input.satisfaction, rated_at: now,
  }
  const notify: NotifyDraft[] = []
  const handler = row.handler_unit_id ? await store.findUnit(trx, row.handler_unit_id) : undefined
  if (!input.solved) {
    assertTransition('reopen', { status: row.status, paused: row.paused_at !== null, pending: row.pending_unit_id !== null })
    Object.assign(patch, await reopenPatch(trx, row, now))
    events.push({ kind: 'reopened', visibility: 'public', note: input.comment ?? null, data: { reason: 'not_solved', by: input.source }, fromStatus: row.status, toStatus: 'in_progress' })
    const people = [...(row.assignee_id ? [row.assignee_id] : []), ...(handler ? await reachableWorkers(trx, handler) : [])]
    notify.push({ accountIds: people, requestId: row.id, kind: 'reopened', title: `诉求未解决,已重办:${row.title}`, body: input.comment ?? null })
  } else {
    if (row.status === 'resolved') {
      patch.status = 'rated'
      events[0]!.toStatus = 'rated'
    }
    if (input.satisfaction === 'dissatisfied' && handler) {
      notify.push({ accountIds: await reachableWorkers(trx, handler), requestId: row.id, kind: 'dissatisfied', title: `群众不满意:${row.title}`, body: input.comment ?? null })
    }
  }
  return commitChange(trx, actor, row, { patch, events, notify }, now)
}

export async function rateByResident(ctx: RequestsContext, actor: Actor, trackingCode: string, input: RatingInput): Promise<ResidentCaseView> {
  await ctx.db.transaction().execute(async (trx) => {
    const row = await caseByTracking(trx, trackingCode, true)
    await recordRating(trx, ctx, actor, row, { ...input, source: 'resident' })
  })
  return getResidentCase(ctx, trackingCode)
}
