import { useEffect, useState } from 'react'
import { api, errorMessage, unwrap } from '../../api/client'
import type { PersonTag } from './model'

/** The care tags (独居老人, 低保 …) for filters and forms; archived ones only when asked. */
export function usePersonTags(includeArchived = false, reloadKey = 0): { tags: PersonTag[]; error: string | null; loading: boolean } {
  const [state, setState] = useState<{ tags: PersonTag[]; error: string | null; loading: boolean }>({ tags: [], error: null, loading: true })
  useEffect(() => {
    let current = true
    unwrap(api.GET('/api/person-tags', { params: { query: { includeArchived } } })).then(
      (list) => current && setState({ tags: list.items, error: null, loading: false }),
      (err: unknown) => current && setState({ tags: [], error: errorMessage(err), loading: false }),
    )
    return () => {
      current = false
    }
  }, [includeArchived, reloadKey])
  return state
}
