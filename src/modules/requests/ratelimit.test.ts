import { describe, expect, it } from 'vitest'
import { RateLimiter } from './ratelimit.js'

describe('RateLimiter', () => {
  it('allows `limit` hits per window, refuses the next with the wait until the oldest leaves, and allows again after', () => {
    const limiter = new RateLimiter(3, 60_000)
    const t = 1_000_000
    expect(limiter.take('a', t)).toEqual({ ok: true })
    expect(limiter.take('a', t + 10_000)).toEqual({ ok: true })
    expect(limiter.take('a', t + 20_000)).toEqual({ ok: true })
    expect(limiter.peek('a', t + 30_000)).toEqual({ ok: false, retryAfterSeconds: 30 })
    expect(limiter.take('a', t + 30_000)).toEqual({ ok: false, retryAfterSeconds: 30 })
    expect(limiter.take('b', t + 30_000)).toEqual({ ok: true })
    // The first hit leaves the window at t + 60 s exactly.
    expect(limiter.peek('a', t + 60_000)).toEqual({ ok: true })
    expect(limiter.take('a', t + 60_000)).toEqual({ ok: true })
    expect(limiter.take('a', t + 60_001)).toEqual({ ok: false, retryAfterSeconds: 10 })
  })

  it('keeps counting exactly with many hits in the window and a clock that steps back', () => {
    const limiter = new RateLimiter(1000, 1000)
    for (let i = 0; i < 1000; i++) expect(limiter.take('k', 10_000 + i).ok).toBe(true)
    expect(limiter.take('k', 10_999).ok).toBe(false)
    // 500 hits have left the window at 11 499.
    for (let i = 0; i < 500; i++) expect(limiter.take('k', 11_499).ok).toBe(true)
    expect(limiter.take('k', 11_499).ok).toBe(false)
    const back = new RateLimiter(2, 1000)
    expect(back.take('k', 5000).ok).toBe(true)
    expect(back.take('k', 4000).ok).toBe(true)
    // Ordered in time: at 5500 the hit of 4000 has left, the one of 5000 has not.
    expect(back.take('k', 5500).ok).toBe(true)
    expect(back.peek('k', 5600)).toEqual({ ok: false, retryAfterSeconds: 1 })
  })

  it('counts an hour in 6-second buckets whose hits leave together, at most one bucket early', () => {
    const hour = 3_600_000
    const limiter = new RateLimiter(2, hour)
    const t = 7 * hour // a bucket boundary
    expect(limiter.take('k', t + 1_000).ok).toBe(true)
    expect(limiter.take('k', t + 5_999).ok).toBe(true)
    // Both sit in the bucket that starts at t: the wait runs to the end of its first millisecond's hour.
    expect(limiter.take('k', t + 6_000)).toEqual({ ok: false, retryAfterSeconds: 3_594 })
    expect(limiter.peek('k', t + hour - 1).ok).toBe(false)
    // At t + 1 h the bucket leaves as a whole (the hit of t + 5.999 s 6 s early, never later than its hour).
    expect(limiter.take('k', t + hour)).toEqual({ ok: true })
    expect(limiter.take('k', t + hour + 1)).toEqual({ ok: true })
    expect(limiter.take('k', t + hour + 2).ok).toBe(false)
  })

  it('holds many hits of one key in few buckets and still counts them exactly per bucket', () => {
    const full = new RateLimiter(200_000, 60_000) // buckets of 100 ms
    let allowed = 0
    // The clock going back and forth over one second: ten buckets, counted in place.
    for (let i = 0; i < 200_000; i++) if (full.take('nat', 1_000_000 + (i % 1000)).ok) allowed++
    expect(allowed).toBe(200_000)
    expect(full.take('nat', 1_000_999).ok).toBe(false)
    // The ten buckets of 1 000 000 … 1 000 999 leave one by one, 20 000 hits each.
    expect(full.peek('nat', 1_060_000).ok).toBe(true)
    for (let i = 0; i < 20_000; i++) if (full.take('nat', 1_060_000).ok) allowed++
    expect(allowed).toBe(220_000)
    expect(full.take('nat', 1_060_000)).toEqual({ ok: false, retryAfterSeconds: 1 })
  })

  it('forgets the oldest keys beyond its key limit', () => {
    const limiter = new RateLimiter(1, 60_000, 2)
    limiter.take('a', 0)
    limiter.take('b', 0)
    limiter.take('c', 0)
    expect(limiter.peek('a', 1)).toEqual({ ok: true })
    expect(limiter.peek('c', 1).ok).toBe(false)
  })
})
