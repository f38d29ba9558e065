/**
 * A sliding-window rate limiter kept in this process's memory. In-process on purpose: it guards the
 * public intake against floods from one phone or one address, and needs no shared store; with N app
 * processes behind a load balancer the effective limit is up to N times the configured one, which
 * is acceptable for that purpose (exact limits across processes would need a table or Redis).
 *
 * Hits are counted in buckets of 1/600 of the window (6 s of an hour; 1 ms for windows under 1.2 s),
 * oldest first, with a moving start: a check drops the buckets that left at the front and counts the
 * rest by subtraction. So a key costs at most 601 buckets whatever its limit (a busy NAT address with
 * a high limit used to keep one timestamp per hit of the last hour), and a hit in the newest bucket is
 * one increment. A bucket's hits leave the window together, when its first millisecond does: a hit
 * can leave up to one bucket early, never late.
 */
interface Hits {
  /** Bucket start times, ascending; the live ones are starts[head..]. */
  starts: number[]
  /** Hits per bucket, parallel to `starts`. */
  counts: number[]
  head: number
  /** Hits in starts[head..]. */
  live: number
}

type Verdict = { ok: true } | { ok: false; retryAfterSeconds: number }
const OK: Verdict = Object.freeze({ ok: true })

export class RateLimiter {
  private readonly hits = new Map<string, Hits>()
  private readonly bucketMs: number
  /** The key last moved to the end of `hits` (a Map keeps insertion order: the eviction order). */
  private newest: string | null = null

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    /** Oldest keys are dropped beyond this, so memory stays bounded under a spray of addresses. */
    private readonly maxKeys = 50_000,
  ) {
    this.bucketMs = Math.max(1, Math.floor(windowMs / 600))
  }

  /** The key's buckets still inside the window ending at `now` (the ones that left are dropped). */
  private current(key: string, now: number): Hits | undefined {
    const entry = this.hits.get(key)
    if (!entry) return undefined
    const since = now - this.windowMs
    const { starts, counts } = entry
    while (entry.head < starts.length && (starts[entry.head] as number) <= since) entry.live -= counts[entry.head++] as number
    // Compact now and then, so the arrays do not keep what already left.
    if (entry.head > 64 && entry.head * 2 > starts.length) {
      entry.starts = starts.slice(entry.head)
      entry.counts = counts.slice(entry.head)
      entry.head = 0
    }
    return entry
  }

  private refusal(entry: Hits, now: number): Verdict {
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(((entry.starts[entry.head] as number) + this.windowMs - now) / 1000)) }
  }

  /** Counts one hit for the key; when over the limit, nothing is counted and the wait is returned. */
  take(key: string, now = Date.now()): Verdict {
    let entry = this.current(key, now)
    if (entry && entry.live >= this.limit) return this.refusal(entry, now)
    if (!entry) {
      entry = { starts: [], counts: [], head: 0, live: 0 }
      this.hits.set(key, entry)
    } else if (key !== this.newest) {
      this.hits.delete(key)
      this.hits.set(key, entry)
    }
    this.newest = key
    if (this.hits.size > this.maxKeys) this.hits.delete(this.hits.keys().next().value as string)
    this.count(entry, now - (now % this.bucketMs))
    return OK
  }

  private count(entry: Hits, bucket: number): void {
    const { starts, counts } = entry
    entry.live++
    const last = starts.length - 1
    if (last >= entry.head && starts[last] === bucket) {
      counts[last]!++
      return
    }
    // Keep the buckets ascending (a clock that steps back counts in place).
    let at = starts.length
    while (at > entry.head && (starts[at - 1] as number) > bucket) at--
    if (at > entry.head && starts[at - 1] === bucket) counts[at - 1]!++
    else if (at === starts.length) {
      starts.push(bucket)
      counts.push(1)
    } else {
      starts.splice(at, 0, bucket)
      counts.splice(at, 0, 1)
    }
  }

  /** Whether a hit would be allowed, without counting it. */
  peek(key: string, now = Date.now()): Verdict {
    const entry = this.current(key, now)
    if (!entry || entry.live < this.limit) return OK
    return this.refusal(entry, now)
  }
}
