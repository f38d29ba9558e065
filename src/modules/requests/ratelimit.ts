/**
 * A sliding-window rate limiter kept in this process's memory. In-process on purpose: it guards the
 * public intake against floods from one phone or one address, and needs no shared store; with N app
 * processes behind a load balancer the effective limit is up to N times the configured one, which
 * is acceptable for that purpose (exact limits across processes would need a table or Redis).
 *
 * Each key keeps its hits in time order with a moving start, so a check drops the expired hits at the
 * front and counts the rest by subtraction: O(1) amortized, also when a high limit lets thousands of
 * hits a key accumulate in the window (a scan of the whole window per check would grow with them).
 */
interface Hits {
  /** Hit times, ascending; the live ones are times[start..]. */
  times: number[]
  start: number
}

export class RateLimiter {
  private readonly hits = new Map<string, Hits>()

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    /** Oldest keys are dropped beyond this, so memory stays bounded under a spray of addresses. */
    private readonly maxKeys = 50_000,
  ) {}

  /** The key's hits still inside the window ending at `now` (expired ones are dropped). */
  private live(key: string, now: number): Hits | undefined {
    const entry = this.hits.get(key)
    if (!entry) return undefined
    const since = now - this.windowMs
    const { times } = entry
    while (entry.start < times.length && (times[entry.start] as number) <= since) entry.start++
    // Compact now and then, so the array does not keep what already expired.
    if (entry.start > 64 && entry.start * 2 > times.length) {
      entry.times = times.slice(entry.start)
      entry.start = 0
    }
    return entry
  }

  private refusal(entry: Hits, now: number): { ok: false; retryAfterSeconds: number } {
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(((entry.times[entry.start] as number) + this.windowMs - now) / 1000)) }
  }

  /** Counts one hit for the key; when over the limit, nothing is counted and the wait is returned. */
  take(key: string, now = Date.now()): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const entry = this.live(key, now) ?? { times: [], start: 0 }
    if (entry.times.length - entry.start >= this.limit) return this.refusal(entry, now)
    // Keep the times ascending (a clock that steps back inserts in place).
    let at = entry.times.length
    while (at > entry.start && (entry.times[at - 1] as number) > now) at--
    entry.times.splice(at, 0, now)
    this.hits.delete(key) // re-insert: the Map's order is the eviction order
    this.hits.set(key, entry)
    if (this.hits.size > this.maxKeys) this.hits.delete(this.hits.keys().next().value as string)
    return { ok: true }
  }

  /** Whether a hit would be allowed, without counting it. */
  peek(key: string, now = Date.now()): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const entry = this.live(key, now)
    if (!entry || entry.times.length - entry.start < this.limit) return { ok: true }
    return this.refusal(entry, now)
  }
}
