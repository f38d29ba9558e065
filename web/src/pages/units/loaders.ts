import { api, unwrap } from '../../api/client'
import type { UnitNode, UnitType } from './types'

/** Every child of a unit (page after page), optionally of one type; active ones unless `status` says otherwise. */
export async function loadChildren(unitId: number, options: { type?: UnitType; status?: 'active' | 'archived' | 'all' } = {}): Promise<UnitNode[]> {
  const items: UnitNode[] = []
  for (let page = 1; ; page++) {
    const result = await unwrap(
      api.GET('/api/units/{id}/children', { params: { path: { id: unitId }, query: { page, pageSize: 500, type: options.type, status: options.status } } }),
    )
    items.push(...result.items)
    if (items.length >= result.total || result.items.length === 0) return items
  }
}
