/**
 * The lazily loaded unit tree: the first level comes from GET /api/units/tree, each further level
 * from GET /api/units/:id/children when a node is opened (childCount says whether it has any).
 * `reveal(id)` loads and opens the ancestors of any unit, so search can jump deep into the tree.
 */
import { useCallback, useEffect, useRef, useState } from 'react'
import { api, errorMessage, unwrap } from '../../api/client'
import { loadChildren } from './loaders'
import type { UnitNode } from './types'

interface TreeState {
  roots: number[]
  nodes: Map<number, UnitNode>
  children: Map<number, number[]>
}

const empty = (): TreeState => ({ roots: [], nodes: new Map(), children: new Map() })

export interface UnitTreeModel {
  state: TreeState
  loading: boolean
  error: string | null
  expanded: number[]
  setExpanded: (keys: number[]) => void
  /** Loads the children of a node unless already loaded. */
  load: (id: number) => Promise<void>
  /** Loads and opens every ancestor (ids from the top down to the unit). */
  reveal: (path: number[]) => Promise<void>
  /** Puts a fresher copy of a unit into the tree (after an edit). */
  update: (unit: UnitNode) => void
  reload: () => void
}

export function useUnitTree(showArchived: boolean): UnitTreeModel {
  const [state, setState] = useState<TreeState>(empty)
  const [loading, setLoading] = useState(true)
  const [error, setError] = useState<string | null>(null)
  const [expanded, setExpanded] = useState<number[]>([])
  const [generation, setGeneration] = useState(0)
  // The current state for async work started before the last render.
  const latest = useRef(state)
  latest.current = state
  const status = showArchived ? 'all' : 'active'

  const expandedRef = useRef(expanded)
  expandedRef.current = expanded

  useEffect(() => {
    let current = true
    setLoading(true)
    ;(async () => {
      const tree = await unwrap(api.GET('/api/units/tree', { params: { query: { levels: 1, status } } }))
      const next = empty()
      next.roots = tree.roots
      for (const item of tree.items) next.nodes.set(item.id, item)
      // Roots arrive with all their children (unless the tree was cut short); deeper levels load on demand.
      if (!tree.truncated) for (const root of tree.roots) next.children.set(root, [])
      for (const item of tree.items) {
        if (item.parentId !== null && next.children.has(item.parentId) && !tree.roots.includes(item.id)) next.children.get(item.parentId)?.push(item.id)
      }
      // Branches that were open (before a refresh or the archived switch) open again, top down.
      const wasOpen = expandedRef.current
      for (let progress = true; progress; ) {
        progress = false
        for (const id of wasOpen) {
          if (!next.nodes.has(id) || next.children.has(id)) continue
          const items = await loadChildren(id, { status })
          for (const item of items) next.nodes.set(item.id, item)
          next.children.set(id, items.map((i) => i.id))
          progress = true
        }
      }
      return { next, open: wasOpen.length ? wasOpen.filter((k) => next.nodes.has(k)) : tree.roots }
    })().then(
      ({ next, open }) => {
        if (!current) return
        latest.current = next
        setState(next)
        setExpanded(open)
        setError(null)
        setLoading(false)
      },
      (err: unknown) => {
        if (!current) return
        setError(errorMessage(err))
        setLoading(false)
      },
    )
    return () => {
      current = false
    }
  }, [status, generation])

  const load = useCallback(
    async (id: number) => {
      if (latest.current.children.has(id)) return
      const items = await loadChildren(id, { status })
      // Built on `latest` synchronously, so loads that finish one after another all land.
      const previous = latest.current
      const next: TreeState = { roots: previous.roots, nodes: new Map(previous.nodes), children: new Map(previous.children) }
      for (const item of items) next.nodes.set(item.id, item)
      next.children.set(id, items.map((i) => i.id))
      latest.current = next
      setState(next)
    },
    [status],
  )

  const reveal = useCallback(
    async (path: number[]) => {
      const ancestors = path.slice(0, -1)
      for (const id of ancestors) {
        if (!latest.current.nodes.has(id) && !latest.current.roots.includes(id)) continue
        await load(id)
      }
      setExpanded((keys) => [...new Set([...keys, ...ancestors.filter((id) => latest.current.nodes.has(id))])])
    },
    [load],
  )

  const update = useCallback((unit: UnitNode) => {
    const previous = latest.current
    if (!previous.nodes.has(unit.id)) return
    const next: TreeState = { ...previous, nodes: new Map(previous.nodes) }
    next.nodes.set(unit.id, unit)
    latest.current = next
    setState(next)
  }, [])

  const reload = useCallback(() => setGeneration((n) => n + 1), [])

  return { state, loading, error, expanded, setExpanded, load, reveal, update, reload }
}
