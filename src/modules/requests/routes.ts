import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import type { App } from '../../server/types.js'
import { AppError } from '../../server/errors.js'
import { IdParams, Ok } from '../../server/schemas.js'
import { sendJsonText, sendSerializedOnce } from '../../server/serialize-once.js'
import { randomToken } from '../../lib/tokens.js'
import { VersionedCache } from '../../lib/versioned-cache.js'
import type { RequestsContext } from './case.js'
import { startIntakeJournal } from './background.js'
import { checkedIdempotencyKey } from './intake.js'
import { RateLimiter } from './ratelimit.js'
import {
  AppealInput, AppealPage, AppealParams, AppealQuery, AssignInput, AssignmentPolicyInput, AssignmentPolicyView, CallbackInput, CoDoneInput, CoUnitParams,
  CoUnitsInput, CreateTemplateInput, DecisionInput, DispatchInput, ExtensionInput, ExtensionPage, ExtensionParams, ExtensionQuery, HandoffTargetsQuery,
  HandoffTargetsView, LocationCodeParams,
  LocationView, MergeInput, NoteInput, NotificationPage, NotificationQuery, NotificationView, PhoneView, PhotoParams, PublicSubmitInput, RatingInput,
  ReasonInput, RebuildRollupsInput, RebuildRollupsResult, RemindInput, RequestDetail, RequestPage, RequestQuery, ResidentCaseView, ResolveInput, StaffIntakeInput,
  SubmitResult, TemplateList, TemplateQuery, TemplateView, TrackingParams, TrackingPhotoParams, TransferInput, UnmaskInput, UpdateTemplateInput, UploadResult,
  VersionedNoteInput,
} from './schema.js'
import { requestSettings } from './settings.js'
import * as service from './service.js'
import { readPhotoFile } from './uploads.js'

const tags = ['requests']
const publicTags = ['requests (public)']
const DEVICE_COOKIE = 'chorus_device'
const DEVICE_ID = /^[A-Za-z0-9_-]{8,100}$/
const HOUR = 3_600_000
const photoTypes = ['image/jpeg', 'image/png', 'image/webp']
const Binary = Type.Unsafe<Buffer>({ type: 'string', format: 'binary' })
const photoResponse = { 200: { description: 'The photo', content: Object.fromEntries(photoTypes.map((t) => [t, { schema: Binary }])) } }
const idempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ description: 'Any 8–100 letters, digits, - or _; a retried submit with the same key returns the first result' })),
})

/** The phone's device id: an X-Device-Id header or our cookie; a device without one gets a cookie now. */
function deviceOf(req: FastifyRequest, reply: FastifyReply): string | null {
  const header = req.headers['x-device-id']
  if (typeof header === 'string' && DEVICE_ID.test(header)) return header
  const cookie = req.cookies[DEVICE_COOKIE]
  if (cookie && DEVICE_ID.test(cookie)) return cookie
  reply.setCookie(DEVICE_COOKIE, randomToken(16), { path: '/', httpOnly: true, sameSite: 'lax', maxAge: 365 * 86_400, secure: req.server.config.secureCookies })
  return null
}

/** Per address and per device; only new submissions count, so a retried submit is never refused for being a retry. */
class IntakeGate {
  private readonly byAddress: RateLimiter
  private readonly byDevice: RateLimiter
  constructor(private readonly what: { en: string; zh: string }, perAddress: number, perDevice: number) {
    this.byAddress = new RateLimiter(perAddress, HOUR)
    this.byDevice = new RateLimiter(perDevice, HOUR)
  }

  check(req: FastifyRequest, reply: FastifyReply): () => void {
    const device = deviceOf(req, reply)
    const address = this.byAddress.peek(req.ip)
    const phone = device ? this.byDevice.peek(device) : { ok: true as const }
    const refused = !address.ok ? address : !phone.ok ? phone : null
    if (refused) {
      reply.header('retry-after', String(refused.retryAfterSeconds))
      const minutes = Math.ceil(refused.retryAfterSeconds / 60)
      throw new AppError('rate_limited', { retryAfterSeconds: refused.retryAfterSeconds, limit: !address.ok ? 'address' : 'device' }, {
        en: `Too many ${this.what.en} from this ${!address.ok ? 'network' : 'phone'}; try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`,
        zh: `该${!address.ok ? '网络' : '手机'}${this.what.zh}过于频繁,请 ${minutes} 分钟后再试。`,
      })
    }
    return () => {
      this.byAddress.take(req.ip)
      if (device) this.byDevice.take(device)
    }
  }
}

async function sendPhoto(reply: FastifyReply, uploadsDir: string, photo: { stored_name: string; mime: string }) {
  let bytes: Buffer
  try {
    bytes = await readPhotoFile(uploadsDir, photo.stored_name)
  } catch {
    throw new AppError('photo_not_found')
  }
  return reply.type(photo.mime).header('cache-control', 'private, max-age=3600').header('content-disposition', 'inline').send(bytes)
}


export async function requestRoutes(app: App): Promise<void> {
  const settings = requestSettings(app.config.dataDir)
  // Worker inboxes are read far more often than cases change: lists are kept while the database is unchanged
  // (at most 500 pages of about 20 KB with their encoded bodies).
  const ctx: RequestsContext = { db: app.db, pii: app.pii, settings, lists: { dataVersion: app.dbHandle.dataVersion, cache: new VersionedCache(500) } }
  const intake = startIntakeJournal(app, ctx)
  const submits = new IntakeGate({ en: 'submissions', zh: '提交' }, settings.intakePerAddressPerHour, settings.intakePerDevicePerHour)
  const uploads = new IntakeGate({ en: 'photo uploads', zh: '上传照片' }, settings.intakePerAddressPerHour * 5, settings.intakePerDevicePerHour * 5)

  // --- public: the resident's phone pages ---------------------------------------------------------

  app.get('/api/public/locations/:code', {
    schema: { summary: 'What a QR code stands for: the place, its breadcrumb and the public menu offered there', tags: publicTags, params: LocationCodeParams, response: { 200: LocationView } },
    config: { action: 'public' },
  }, (req) => service.getPublicLocation(ctx, req.params.code))

  // Photos arrive as raw bytes; only this route accepts them, up to the photo size limit.
  await app.register((scope, _options, done) => {
    for (const type of [/^image\/[\w.+-]+$/, 'application/octet-stream']) {
      scope.addContentTypeParser(type, { parseAs: 'buffer', bodyLimit: settings.photoMaxBytes }, (_req, body, done) => done(null, body))
    }
    scope.post('/api/public/uploads', {
      schema: {
        summary: 'Upload one photo (raw JPEG, PNG or WebP bytes); location metadata is stripped; returns a token for photoTokens',
        tags: publicTags, consumes: [...photoTypes, 'application/octet-stream'], body: Binary, response: { 201: UploadResult },
      },
      bodyLimit: settings.photoMaxBytes,
      // The body is bytes, checked by sniffing, not by a JSON schema.
      validatorCompiler: () => () => true,
      config: { action: 'public' },
    }, async (req, reply) => {
      if (!Buffer.isBuffer(req.body)) throw new AppError('unsupported_media_type')
      const count = uploads.check(req, reply)
      const result = await service.uploadPhoto(ctx, req.body)
      count()
      return reply.status(201).send(result)
    })
    done()
  })

  app.post('/api/public/requests', {
    schema: {
      summary: 'Submit a request from the QR page (no login); send Idempotency-Key so a retry returns the first result',
      tags: publicTags, headers: idempotencyHeaders, body: PublicSubmitInput, response: { 201: SubmitResult },
    },
    config: { action: 'public' },
  }, async (req, reply) => {
    const key = checkedIdempotencyKey(req.headers['idempotency-key'])
    const count = submits.check(req, reply)
    const { answerJson, replayed } = await service.submitPublicRequest(ctx, intake, req.body, { idempotencyKey: key })
    if (replayed) reply.header('idempotent-replayed', 'true')
    else count()
    // Already JSON (a SubmitResult): sent as it is, not serialized again.
    return sendJsonText(reply, 201, answerJson)
  })

  app.get('/api/public/requests/:trackingCode', {
    schema: { summary: 'The resident\'s own case by tracking code: status, public steps, deadlines, their photos', tags: publicTags, params: TrackingParams, response: { 200: ResidentCaseView } },
    config: { action: 'public' },
  }, (req) => service.getResidentCase(ctx, req.params.trackingCode))

  app.get('/api/public/requests/:trackingCode/photos/:photoId', {
    schema: { summary: 'A photo the resident sent, for the holder of the tracking code', tags: publicTags, params: TrackingPhotoParams, response: photoResponse },
    config: { action: 'public' },
  }, async (req, reply) => sendPhoto(reply, settings.uploadsDir, await service.residentPhoto(ctx, req.params.trackingCode, req.params.photoId)))

  app.post('/api/public/requests/:trackingCode/rating', {
    schema: { summary: 'Answer the three questions after resolution; "not solved" reopens the case', tags: publicTags, params: TrackingParams, body: RatingInput, response: { 200: ResidentCaseView } },
    config: { action: 'public' },
  }, (req) => service.rateByResident(ctx, req.actor, req.params.trackingCode, req.body))

  // --- staff: inbox, detail, intake -------------------------------------------------------------

  app.get('/api/requests', {
    schema: { summary: 'Worker inbox and case lists (mine, unit, overdue, all), sorted by due time', tags, querystring: RequestQuery, response: { 200: RequestPage } },
    config: { action: 'requests.read' },
  }, (req, reply) => {
    // The data version read for this request's session, reused: a page kept in memory is sent without another database read or await.
    const version = req.dataVersion
    const kept = version === null ? undefined : service.cachedRequestList(ctx, req.actor, req.query, version)
    if (kept) {
      sendSerializedOnce(req, reply, kept)
      return
    }
    return service.listRequests(ctx, req.actor, req.query, version).then((page) => {
      sendSerializedOnce(req, reply, page)
    })
  })

  app.post('/api/requests', {
    schema: { summary: 'Record a request on a resident\'s behalf (hotline, walk-in, patrol)', tags, headers: idempotencyHeaders, body: StaffIntakeInput, response: { 201: RequestDetail } },
    config: { action: 'requests.intake' },
  }, async (req, reply) => {
    const key = checkedIdempotencyKey(req.headers['idempotency-key'])
    const { row, replayed } = await service.intakeByStaff(ctx, req.actor, req.body, { idempotencyKey: key })
    if (replayed) reply.header('idempotent-replayed', 'true')
    return reply.status(201).send(await service.getRequestDetail(ctx, req.actor, row.id))
  })

  app.get('/api/requests/:id', {
    schema: { summary: 'One case: timeline, units, photos, ratings, appeals and what you may do next', tags, params: IdParams, response: { 200: RequestDetail } },
    config: { action: 'requests.read' },
  }, (req) => service.getRequestDetail(ctx, req.actor, req.params.id))

  app.get('/api/requests/:id/photos/:photoId', {
    schema: { summary: 'A photo of a case you may see', tags, params: PhotoParams, response: photoResponse },
    config: { action: 'requests.read' },
  }, async (req, reply) => sendPhoto(reply, settings.uploadsDir, await service.staffPhoto(ctx, req.actor, req.params.id, req.params.photoId)))

  app.get('/api/requests/:id/handoff-targets', {
    schema: {
      summary: 'Units of the case\'s county it may be dispatched or transferred to (派单 / 转办), suggestions first; for whoever may hand the case on',
      tags, params: IdParams, querystring: HandoffTargetsQuery, response: { 200: HandoffTargetsView },
    },
    config: { action: 'requests.dispatch' },
  }, (req) => service.listHandoffTargets(ctx, req.actor, req.params.id, req.query))

  app.post('/api/requests/:id/unmask-phone', {
    schema: { summary: 'Reveal the resident\'s phone number, with a reason (audited)', tags, params: IdParams, body: UnmaskInput, response: { 200: PhoneView } },
    config: { action: 'residents.unmask' },
  }, (req) => service.unmaskPhone(ctx, req.actor, req.params.id, req.body))

  // --- staff: the steps of the state machine ------------------------------------------------------

  const step = <B>(path: string, summary: string, action: 'requests.handle' | 'requests.dispatch' | 'requests.supervise', body: B, run: (id: number, body: never, req: FastifyRequest) => Promise<unknown>) => {
    app.post(`/api/requests/:id/${path}`, {
      schema: { summary, tags, params: IdParams, body: body as never, response: { 200: RequestDetail } },
      config: { action },
    }, (req) => run((req.params).id, req.body as never, req) as Promise<never>)
  }
  step('accept', '签收: sign for a new case, or take over a case dispatched or transferred to your unit', 'requests.handle', VersionedNoteInput, (id, b, req) => service.acceptRequest(ctx, req.actor, id, b))
  step('return', '退单 with a reason: refuse a hand-off, give an assignment back, or send a case that is not yours back up', 'requests.handle', ReasonInput, (id, b, req) => service.returnRequest(ctx, req.actor, id, b))
  step('dispatch', '派单 to another unit; you stay responsible until it signs', 'requests.dispatch', DispatchInput, (id, b, req) => service.dispatchRequest(ctx, req.actor, id, b))
  step('transfer', '转办 to the responsible unit, with a reason; you stay responsible until it signs', 'requests.dispatch', TransferInput, (id, b, req) => service.transferRequest(ctx, req.actor, id, b))
  step('assign', 'Give the case to a person in the holding unit', 'requests.dispatch', AssignInput, (id, b, req) => service.assignRequest(ctx, req.actor, id, b))
  step('start', 'Start work', 'requests.handle', VersionedNoteInput, (id, b, req) => service.startRequest(ctx, req.actor, id, b))
  step('pause', 'Wait for the resident: the clock stops (the reason is shown to the resident)', 'requests.handle', ReasonInput, (id, b, req) => service.pauseRequest(ctx, req.actor, id, b))
  step('resume', 'The clock runs again; the deadline moves by the time waited', 'requests.handle', VersionedNoteInput, (id, b, req) => service.resumeRequest(ctx, req.actor, id, b))
  step('resolve', '办结: what was done (shown to the resident), optional photos', 'requests.handle', ResolveInput, (id, b, req) => service.resolveRequest(ctx, req.actor, id, b))
  step('close', 'Close a resolved case', 'requests.handle', VersionedNoteInput, (id, b, req) => service.closeRequest(ctx, req.actor, id, b))
  step('reopen', 'Reopen a resolved or closed case with a fresh resolution clock', 'requests.handle', ReasonInput, (id, b, req) => service.reopenRequest(ctx, req.actor, id, b))
  step('merge', 'Merge a duplicate into the surviving case', 'requests.dispatch', MergeInput, (id, b, req) => service.mergeRequest(ctx, req.actor, id, b))
  step('co-units', '协办: add co-handling units', 'requests.dispatch', CoUnitsInput, (id, b, req) => service.addCoUnits(ctx, req.actor, id, b))
  step('extensions', '延期申请: ask for more time, before the deadline', 'requests.handle', ExtensionInput, (id, b, req) => service.requestExtension(ctx, req.actor, id, b))
  step('notes', 'Add a note, internal or public', 'requests.handle', NoteInput, (id, b, req) => service.addNote(ctx, req.actor, id, b))
  step('remind', '催办: remind whoever holds the case', 'requests.dispatch', RemindInput, (id, b, req) => service.remindRequest(ctx, req.actor, id, b))
  step('callbacks', '回访: record the resident\'s answers from a phone follow-up', 'requests.handle', CallbackInput, (id, b, req) => service.recordCallback(ctx, req.actor, id, b))
  step('appeals', '免考核申诉: ask the county to leave the case out of the rates', 'requests.handle', AppealInput, (id, b, req) => service.appealRequest(ctx, req.actor, id, b))

  app.post('/api/requests/:id/co-units/:unitId/done', {
    schema: { summary: 'A co-handling unit marks its part done', tags, params: CoUnitParams, body: CoDoneInput, response: { 200: RequestDetail } },
    config: { action: 'requests.handle' },
  }, (req) => service.markCoUnitDone(ctx, req.actor, req.params.id, req.params.unitId, req.body))

  app.post('/api/requests/:id/extensions/:extensionId/decision', {
    schema: { summary: 'Approve or reject an extension (a supervisor; not your own request)', tags, params: ExtensionParams, body: DecisionInput, response: { 200: RequestDetail } },
    config: { action: 'requests.supervise' },
  }, (req) => service.decideExtension(ctx, req.actor, req.params.id, req.params.extensionId, req.body))

  app.post('/api/requests/:id/appeals/:appealId/decision', {
    schema: { summary: 'The county decides an appeal; approved cases are excluded from the rates', tags, params: AppealParams, body: DecisionInput, response: { 200: RequestDetail } },
    config: { action: 'requests.supervise' },
  }, (req) => service.decideAppeal(ctx, req.actor, req.params.id, req.params.appealId, req.body))

  // --- supervisors, templates, assignment, notifications, rollups -----------------------------------

  app.get('/api/request-appeals', {
    schema: { summary: 'Appeals in your subtree (for the county to decide)', tags, querystring: AppealQuery, response: { 200: AppealPage } },
    config: { action: 'requests.supervise' },
  }, (req) => service.listAppeals(ctx, req.actor, req.query))

  app.get('/api/request-extensions', {
    schema: { summary: 'Extension requests in your subtree', tags, querystring: ExtensionQuery, response: { 200: ExtensionPage } },
    config: { action: 'requests.supervise' },
  }, (req) => service.listExtensions(ctx, req.actor, req.query))

  app.get('/api/request-templates', {
    schema: { summary: 'Response templates that apply to a unit, or all you may read', tags, querystring: TemplateQuery, response: { 200: TemplateList } },
    config: { action: 'requests.read' },
  }, (req) => service.listTemplates(ctx, req.actor, req.query))

  app.post('/api/request-templates', {
    schema: { summary: 'Create a response template', tags, body: CreateTemplateInput, response: { 201: TemplateView } },
    config: { action: 'requests.dispatch' },
  }, async (req, reply) => reply.status(201).send(await service.createTemplate(ctx, req.actor, req.body)))

  app.patch('/api/request-templates/:id', {
    schema: { summary: 'Edit a response template', tags, params: IdParams, body: UpdateTemplateInput, response: { 200: TemplateView } },
    config: { action: 'requests.dispatch' },
  }, (req) => service.updateTemplate(ctx, req.actor, req.params.id, req.body))

  app.delete('/api/request-templates/:id', {
    schema: { summary: 'Delete a response template', tags, params: IdParams, response: { 200: Ok } },
    config: { action: 'requests.dispatch' },
  }, (req) => service.deleteTemplate(ctx, req.actor, req.params.id))

  app.get('/api/units/:id/assignment-policy', {
    schema: { summary: 'How a unit hands new cases to its people, and its people with their open load', tags, params: IdParams, response: { 200: AssignmentPolicyView } },
    config: { action: 'requests.dispatch' },
  }, (req) => service.getAssignmentPolicy(ctx, req.actor, req.params.id))

  app.put('/api/units/:id/assignment-policy', {
    schema: { summary: 'Set the assignment policy: manual, round_robin or least_load', tags, params: IdParams, body: AssignmentPolicyInput, response: { 200: AssignmentPolicyView } },
    config: { action: 'requests.dispatch' },
  }, (req) => service.setAssignmentPolicy(ctx, req.actor, req.params.id, req.body))

  app.get('/api/notifications', {
    schema: { summary: 'Your in-app notifications, newest first', tags: ['notifications'], querystring: NotificationQuery, response: { 200: NotificationPage } },
    config: { action: 'authenticated' },
  }, (req) => service.listNotifications(ctx, req.actor, req.query))

  app.post('/api/notifications/:id/read', {
    schema: { summary: 'Mark a notification read', tags: ['notifications'], params: IdParams, response: { 200: NotificationView } },
    config: { action: 'authenticated' },
  }, (req) => service.markNotificationRead(ctx, req.actor, req.params.id))

  app.post('/api/request-rollups/rebuild', {
    schema: { summary: 'Recompute a county\'s board rollups from its requests (after restructuring)', tags, body: RebuildRollupsInput, response: { 200: RebuildRollupsResult } },
    config: { action: 'requests.supervise' },
  }, (req) => service.rebuildCountyRollups(ctx, req.actor, req.body))
}
