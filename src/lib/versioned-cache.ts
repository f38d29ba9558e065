/**
 * Values kept only while the database is unchanged (DbHandle.dataVersion), so a hit is exactly what
 * computing again would give. Read the version before computing a value and store the value under
 * it: a write that lands in between makes the entry a miss, never a stale answer. Least recently
 * used entries go first.
 */
export class VersionedCache<V> {
  private readonly entries = new Map<string, { version: string; value: V }>()
  /** The most recently used key (the Map's last): a hit on it is already in place. */
  private newest: string | undefined

  constructor(private readonly max: number) {}

  get(key: string, version: string): V | undefined {
    const entry = this.entries.get(key)
    if (!entry) return undefined
    if (entry.version !== version) {
      this.delete(key)
      return undefined
    }
    if (key !== this.newest) {
      this.entries.delete(key)
      this.entries.set(key, entry)
      this.newest = key
    }
    return entry.value
  }

  set(key: string, version: string, value: V): void {
    this.entries.delete(key)
    this.entries.set(key, { version, value })
    this.newest = key
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value as string)
  }

  delete(key: string): void {
    this.entries.delete(key)
    if (key === this.newest) this.newest = undefined
  }

  get size(): number {
    return this.entries.size
  }
}

/**
 * A data version read at most once per turn of the event loop, shared by the requests answered in
 * that turn. For caches of reference data (places, items, calendars) read by every QR submit: on
 * PostgreSQL the version is a round trip and moves with every commit, so reading it per submit cost
 * more than the submit. A write committed earlier in the same turn shows from the next turn: requests
 * answered in one turn are concurrent, so either order is a true one.
 */
export function oncePerTurn(read: () => Promise<string>): () => Promise<string> {
  let current: Promise<string> | null = null
  const forget = () => {
    current = null
  }
  return () => {
    if (current === null) {
      current = read()
      setImmediate(forget)
    }
    return current
  }
}
