import { describe, expect, it } from 'vitest'
import { oncePerTurn, VersionedCache } from './versioned-cache.js'

describe('VersionedCache', () => {
  it('answers only under the version a value was stored with, and forgets it otherwise', () => {
    const cache = new VersionedCache<number>(10)
    cache.set('a', 'v1', 1)
    expect(cache.get('a', 'v1')).toBe(1)
    expect(cache.get('a', 'v1')).toBe(1)
    expect(cache.get('a', 'v2')).toBeUndefined()
    expect(cache.get('a', 'v1')).toBeUndefined()
    expect(cache.size).toBe(0)
  })

  it('lets the least recently used entry go first, however often the newest is read', () => {
    const cache = new VersionedCache<string>(3)
    for (const key of ['a', 'b', 'c']) cache.set(key, 'v', key)
    expect(cache.get('a', 'v')).toBe('a') // order now b, c, a
    expect(cache.get('a', 'v')).toBe('a') // already the newest
    cache.set('d', 'v', 'd') // b goes
    expect(cache.get('b', 'v')).toBeUndefined()
    expect(cache.get('c', 'v')).toBe('c') // order a, d, c
    cache.delete('c') // the newest gone: a, d
    expect(cache.get('a', 'v')).toBe('a') // d, a
    cache.set('e', 'v', 'e')
    cache.set('f', 'v', 'f') // d goes
    expect(['a', 'd', 'e', 'f'].map((k) => cache.get(k, 'v'))).toEqual(['a', undefined, 'e', 'f'])
  })
})

describe('oncePerTurn', () => {
  const nextTurn = () => new Promise((resolve) => setImmediate(resolve))

  it('reads the version once per turn of the event loop, a failed read included', async () => {
    let reads = 0
    let fail = false
    const version = oncePerTurn(() => {
      reads++
      return fail ? Promise.reject(new Error('database gone')) : Promise.resolve(`v${reads}`)
    })
    expect(await Promise.all([version(), version()])).toEqual(['v1', 'v1'])
    expect(await version()).toBe('v1') // still the same turn
    await nextTurn()
    expect(await version()).toBe('v2')
    await nextTurn()
    fail = true
    await expect(version()).rejects.toThrow('database gone')
    await expect(version()).rejects.toThrow('database gone')
    expect(reads).toBe(3)
    fail = false
    await nextTurn()
    expect(await version()).toBe('v4')
  })
})
