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

  it('forgets the oldest keys beyond its key limit', () => {
    const limiter = new RateLimiter(1, 60_000, 2)
    limiter.take('a', 0)
    limiter.take('b', 0)
    limiter.take('c', 0)
    expect(limiter.peek('a', 1)).toEqual({ ok: true })
    expect(limiter.peek('c', 1).ok).toBe(false)
  })
})
