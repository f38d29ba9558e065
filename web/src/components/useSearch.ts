import { useEffect, useState, type DependencyList } from 'react'
import { errorMessage } from '../api/client'

/**
 * A list searched on the server as someone types: asked `delayMs` after the typing stops, an answer
 * to an older query (or older `deps`) dropped, the error kept in words for the list to show.
 */
export function useSearch<T>(search: (q: string) => Promise<T>, query: string, deps: DependencyList, delayMs: number) {
  const [data, setData] = useState<T | null>(null)
  const [loading, setLoading] = useState(false)
  const [error, setError] = useState<string | null>(null)

  useEffect(() => {
    let current = true
    setLoading(true)
    const timer = window.setTimeout(() => {
      search(query.trim()).then(
        (found) => {
          if (!current) return
          setData(found)
          setError(null)
          setLoading(false)
        },
        (err: unknown) => {
          if (!current) return
          setError(errorMessage(err))
          setLoading(false)
        },
      )
    }, delayMs)
    return () => {
      current = false
      window.clearTimeout(timer)
    }
    // `deps` names what the search depends on besides the query; `search` is a new closure on every render.
  }, [...deps, query])

  return { data, loading, error }
}
