import type { Db, DbHandle } from '../../db/connect.js'
import * as store from './store.js'

/**
 * Acknowledge, then route (the intake journal, migration 2026-11-30-20).
 *
 * A QR submit is answered once its narrow journal row is committed: submits that arrive together
 * commit together (one statement, one transaction), so a surge costs one small write per submit
 * instead of a routed case with its indexes, timeline, rollups and notifications each. Routing then
 * turns the row into a request:
 * - at once, before the answer, while this process has nothing waiting (a quiet day looks exactly
 *   like routing inline: the resident's answer comes after the case is with the community);
 * - during a surge, from a backlog worked off whenever no submit arrived for `idleMs`; once the oldest
 *   waiting submit is `routeLagMs` old, one case per turn of the event loop and one before each new
 *   answer, so a surge that does not end is answered at the routing rate and the backlog stops
 *   growing. The clocks run from the acknowledgement, not from routing.
 * Rows left pending by a process that died are adopted at start and by the background work, so an
 * acknowledged submit is never lost; two processes routing the same row create one request (the
 * tracking code is unique and the row is marked routed in the request's own transaction).
 */
export interface JournalOptions {
  /** How old the oldest waiting submit may grow during a surge before routing takes turns with new submits. */
  routeLagMs: number
  /** Quiet time after the last submit before the backlog is routed. */
  idleMs: number
  /** Submits routed inline at the same time before new ones go to the backlog. */
  inlineMax: number
  /** Rows per journal commit. */
  batchMax: number
}

export type Appended = { written: true; id: number } | { written: false; existing: store.JournalRow }

interface Waiting {
  row: store.JournalDraft
  resolve: (appended: Appended) => void
  reject: (err: unknown) => void
}

export class IntakeJournal {
  private waiting: Waiting[] = []
  private flushScheduled = false
  /** This process's acknowledged, unrouted rows: id → submitted_at in epoch milliseconds, oldest first. */
  private readonly backlog = new Map<number, number>()
  private routingNow = 0
  private lastAckAt = 0
  private timer: NodeJS.Timeout | null = null
  private pumping: Promise<void> | null = null
  private stopped = false

  constructor(
    private readonly handle: Pick<DbHandle, 'db' | 'dialect' | 'unseenTransaction'>,
    /** Turns one journal row into a request; never throws for a row it could not route (it records why). */
    private readonly route: (id: number) => Promise<void>,
    private readonly options: JournalOptions,
  ) {}

  /** Writes a submit to the journal with the others arriving in the same turn; resolves once committed. */
  append(row: store.JournalDraft): Promise<Appended> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ row, resolve, reject })
      if (!this.flushScheduled) {
        this.flushScheduled = true
        setImmediate(() => void this.flush())
      }
    })
  }

  /**
   * A batch's statements: on SQLite in a transaction that leaves dataVersion alone; on PostgreSQL on
   * their own (the INSERT is atomic by itself and the replay lookup reads committed rows), which saves
   * the round trips of BEGIN and COMMIT on every batch.
   */
  private write<T>(run: (db: Db) => Promise<T>): Promise<T> {
    return this.handle.dialect === 'postgres' ? run(this.handle.db) : this.handle.unseenTransaction(run)
  }

  private async flush(): Promise<void> {
    const batch = this.waiting.splice(0, this.options.batchMax)
    try {
      const outcomes = await this.write(async (trx) => {
        const written = await store.appendJournal(trx, batch.map((w) => w.row))
        const replayKeys = batch.filter((w) => !written.has(w.row.tracking_code)).map((w) => w.row.idempotency_key).filter((k): k is string => !!k)
        const existing = new Map((await store.findJournalByKeys(trx, replayKeys)).map((r) => [r.idempotency_key, r]))
        return batch.map((w): Appended | Error => {
          const id = written.get(w.row.tracking_code)
          if (id !== undefined) return { written: true, id }
          const first = w.row.idempotency_key ? existing.get(w.row.idempotency_key) : undefined
          return first ? { written: false, existing: first } : new Error('journal row neither written nor found')
        })
      })
      batch.forEach((w, i) => {
        const outcome = outcomes[i]!
        if (outcome instanceof Error) w.reject(outcome)
        else w.resolve(outcome)
      })
    } catch (err) {
      for (const w of batch) w.reject(err)
    } finally {
      if (this.waiting.length > 0) setImmediate(() => void this.flush())
      else this.flushScheduled = false
    }
  }

  /**
   * After the row is committed: route it now while nothing is waiting, otherwise leave it to the
   * backlog. Resolves when the submit may be answered.
   */
  async acknowledged(id: number, submittedAtMs: number): Promise<void> {
    this.lastAckAt = Date.now()
    if (!this.stopped && this.backlog.size === 0 && this.routingNow < this.options.inlineMax) {
      this.routingNow++
      try {
        await this.route(id)
      } finally {
        this.routingNow--
      }
      return
    }
    this.backlog.set(id, submittedAtMs)
    // Past the lag every answer first routes the oldest waiting submit, so a surge that does not
    // end slows the answers down to the routing rate instead of growing the backlog without bound.
    if (!this.stopped && this.lagging(Date.now())) await this.routeOldest()
    this.schedule()
  }

  private lagging(now: number): boolean {
    const oldest = this.backlog.values().next()
    return !oldest.done && now - oldest.value >= this.options.routeLagMs
  }

  private async routeOldest(): Promise<void> {
    const oldest = this.backlog.keys().next()
    if (oldest.done) return
    this.backlog.delete(oldest.value)
    this.routingNow++
    try {
      await this.route(oldest.value)
    } finally {
      this.routingNow--
    }
  }

  /** Rows another process (or this one before a restart) acknowledged and never routed. */
  async adopt(options: { submittedBefore?: string } = {}): Promise<number> {
    let afterId = 0
    let adopted = 0
    for (;;) {
      const rows = await store.listPendingJournal(this.handle.db, { afterId, limit: 1000, ...options })
      for (const r of rows) {
        if (!this.backlog.has(r.id)) {
          this.backlog.set(r.id, Date.parse(r.submitted_at))
          adopted++
        }
      }
      if (rows.length < 1000) break
      afterId = rows[rows.length - 1]!.id
    }
    // Oldest first, whatever order they were found in.
    if (adopted > 0) {
      const sorted = [...this.backlog].sort((a, b) => a[0] - b[0])
      this.backlog.clear()
      for (const [id, at] of sorted) this.backlog.set(id, at)
      this.schedule()
    }
    return adopted
  }

  /** Stops routing (rows left pending are adopted at the next start) and waits for the case in hand. */
  async stop(): Promise<void> {
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    if (this.pumping) await this.pumping
    while (this.waiting.length > 0 || this.flushScheduled) await new Promise((r) => setImmediate(r))
  }

  private schedule(): void {
    if (this.timer || this.pumping || this.stopped || this.backlog.size === 0) return
    this.timer = setTimeout(() => {
      this.timer = null
      void this.pump()
    }, this.options.idleMs)
    this.timer.unref()
  }

  private pump(): Promise<void> {
    // Cleared in a callback, so also after a loop that ended without waiting for anything.
    this.pumping ??= this.routeBacklog().finally(() => {
      this.pumping = null
      this.schedule()
    })
    return this.pumping
  }

  private async routeBacklog(): Promise<void> {
    while (this.backlog.size > 0 && !this.stopped) {
      const now = Date.now()
      if (now - this.lastAckAt < this.options.idleMs && !this.lagging(now)) return
      await this.routeOldest()
      // Let the submits that arrived meanwhile be answered.
      await new Promise((r) => setImmediate(r))
    }
  }
}
