/**
 * A sliding-window rate limiter kept in this process's memory. In-process on purpose: it guards the
 * public intake against floods from one phone or one address, and needs no shared store; with N app
 * processes behind a load balancer the effective limit is up to N times the configured one, which
 * is acceptable for that purpose (exact limits across processes would need a table or Redis).
 */
export class RateLimiter {
  private readonly hits = new Map<string, number[]>()

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    /** Oldest keys are dropped beyond this, so memory stays bounded under a spray of addresses. */
    private readonly maxKeys = 50_000,
  ) {}

  /** Counts one hit for the key; when over the limit, nothing is counted and the wait is returned. */
  take(key: string, now = Date.now()): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const since = now - this.windowMs
    const list = (this.hits.get(key) ?? []).filter((t) => t > since)
    if (list.length >= this.limit) {
      this.hits.set(key, list)
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(((list[0] as number) + this.windowMs - now) / 1000)) }
    }
    list.push(now)
    this.hits.delete(key) // re-insert: the Map's order is the eviction order
    this.hits.set(key, list)
    if (this.hits.size > this.maxKeys) this.hits.delete(this.hits.keys().next().value as string)
    return { ok: true }
  }

  /** Whether a hit would be allowed, without counting it. */
  peek(key: string, now = Date.now()): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const list = (this.hits.get(key) ?? []).filter((t) => t > now - this.windowMs)
    if (list.length < this.limit) return { ok: true }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(((list[0] as number) + this.windowMs - now) / 1000)) }
  }
}
