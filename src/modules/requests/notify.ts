import type { Db } from '../../db/connect.js'
import * as store from './store.js'

/**
 * Notifications go two ways, both written in the transaction of the change they report:
 * - the in-app inbox (`notification` rows, one per account);
 * - the outbox, one message per account, which `deliverOutbox` POSTs to the SMS / WeChat gateway
 *   (CHORUS_NOTIFY_WEBHOOK) with retries and exponential backoff. The gateway maps account ids to
 *   phones or WeChat ids; the `Idempotency-Key: outbox-<id>` header lets it drop repeats after a
 *   retry whose first answer was lost.
 */
export interface NotifyDraft {
  accountIds: number[]
  requestId: number | null
  kind: string
  title: string
  body?: string | null
}

export const NOTIFY_TOPIC = 'notify'

const shanghaiMinute = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
})

/** An instant as people in the county read it, for message texts: '2026-11-26T09:30:00.000Z' → '2026-11-26 17:30' (Asia/Shanghai). */
export function noticeTime(iso: string): string {
  const part = Object.fromEntries(shanghaiMinute.formatToParts(new Date(iso)).map((p) => [p.type, p.value]))
  return `${part.year}-${part.month}-${part.day} ${part.hour}:${part.minute}`
}

/** A deadline line of a (Chinese) notification body: '办理期限:2026-11-26 17:30'; null without a deadline. */
export const deadlineText = (label: '签收期限' | '办理期限', iso: string | null): string | null => (iso === null ? null : `${label}:${noticeTime(iso)}`)

export async function writeNotifications(db: Db, drafts: NotifyDraft[], now: string): Promise<void> {
  const rows = drafts.flatMap((d) => [...new Set(d.accountIds)].map((accountId) => ({ d, accountId })))
  if (rows.length === 0) return
  await store.insertNotifications(db, rows.map(({ d, accountId }) => ({
    account_id: accountId, request_id: d.requestId, kind: d.kind, title: d.title, body: d.body ?? null, created_at: now, read_at: null,
  })))
  await store.insertOutbox(db, rows.map(({ d, accountId }) => ({
    topic: NOTIFY_TOPIC,
    payload_json: JSON.stringify({ accountId, requestId: d.requestId, kind: d.kind, title: d.title, body: d.body ?? null, createdAt: now }),
    status: 'pending', attempts: 0, next_attempt_at: now, last_error: null, holder: null, lease_until: null, created_at: now, sent_at: null,
  })))
}

export interface DeliveryOptions {
  webhookUrl: string | null
  holder: string
  now?: string
  batchSize?: number
  maxAttempts?: number
  timeoutMs?: number
  /** Base of the exponential backoff (first retry after this, then doubling, capped at an hour). */
  backoffMs?: number
}

export interface DeliveryReport {
  claimed: number
  sent: number
  retried: number
  failed: number
  skipped: number
}

const HOUR = 3_600_000

export const backoffDelayMs = (attempts: number, baseMs: number): number => Math.min(baseMs * 2 ** Math.max(0, attempts - 1), HOUR)

/**
 * Delivers due outbox messages once. Rows are claimed with a lease (SKIP LOCKED on PostgreSQL), so
 * several processes deliver disjoint sets; a process that dies mid-delivery leaves a lease that
 * expires, and another picks the message up. Without a webhook the messages are marked skipped.
 */
export async function deliverOutbox(db: Db, options: DeliveryOptions): Promise<DeliveryReport> {
  const now = options.now ?? new Date().toISOString()
  const maxAttempts = options.maxAttempts ?? 8
  const timeoutMs = options.timeoutMs ?? 10_000
  const baseMs = options.backoffMs ?? 30_000
  const leaseUntil = new Date(Date.parse(now) + timeoutMs * 2 + 60_000).toISOString()
  const claimed = await store.claimOutbox(db, options.holder, now, leaseUntil, options.batchSize ?? 50)
  const report: DeliveryReport = { claimed: claimed.length, sent: 0, retried: 0, failed: 0, skipped: 0 }
  for (const message of claimed) {
    if (!options.webhookUrl) {
      await store.finishOutbox(db, message.id, options.holder, { status: 'skipped', last_error: 'no webhook configured (CHORUS_NOTIFY_WEBHOOK)' })
      report.skipped++
      continue
    }
    const attempts = message.attempts + 1
    let error: string | null = null
    try {
      const res = await fetch(options.webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': `outbox-${message.id}` },
        body: JSON.stringify({ id: message.id, topic: message.topic, attempt: attempts, payload: JSON.parse(message.payload_json) as unknown }),
        signal: AbortSignal.timeout(timeoutMs),
      })
      await res.arrayBuffer().catch(() => undefined)
      if (!res.ok) error = `gateway answered ${res.status}`
    } catch (err) {
      error = err instanceof Error ? `${err.name}: ${err.message}`.slice(0, 300) : 'delivery failed'
    }
    if (error === null) {
      await store.finishOutbox(db, message.id, options.holder, { status: 'sent', attempts, sent_at: now, last_error: null })
      report.sent++
    } else if (attempts >= maxAttempts) {
      await store.finishOutbox(db, message.id, options.holder, { status: 'failed', attempts, last_error: error })
      report.failed++
    } else {
      const next = new Date(Date.parse(now) + backoffDelayMs(attempts, baseMs)).toISOString()
      await store.finishOutbox(db, message.id, options.holder, { attempts, next_attempt_at: next, last_error: error })
      report.retried++
    }
  }
  return report
}
