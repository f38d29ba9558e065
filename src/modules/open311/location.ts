import { pathIds as idsOfPath } from '../../lib/unit-path.js'
import type { Db } from '../../db/connect.js'
import { AppError } from '../../server/errors.js'
import * as store from './store.js'

/**
 * Where an Open311 POST happens. GeoReport offers three ways; ours, in this order of precedence:
 * - address_id: the code of a unit (compound, building, grid, village … — what a QR poster carries);
 * - address_string: a unit's exact name or code, optionally with names above it to tell namesakes
 *   apart ("洛神湖社区 第一网格", in any order, separated by spaces, commas, '·' or '/');
 * - lat & long: the deepest unit whose drawn boundary (GeoJSON) contains the point.
 * Only active units inside the jurisdiction count. lat/long sent with another way are kept as the
 * request's coordinates but do not choose the place.
 */

export interface LocationInput {
  addressId: string | null
  addressString: string | null
  point: { lat: number; lng: number } | null
}

export interface Jurisdiction {
  id: number
  name: string
  code: string | null
  path: string
}

/** The unit the request is for; `preferPath` (the key's subtree) decides between namesakes. */
export async function resolveLocation(db: Db, county: Jurisdiction, input: LocationInput, preferPath: string): Promise<store.UnitRow> {
  const within = (u: { path: string }, path: string) => u.path.startsWith(path)
  if (input.addressId !== null) {
    const unit = await store.findUnitByCode(db, input.addressId)
    if (!unit || unit.status !== 'active') throw new AppError('open311_unknown_address_id', { address_id: input.addressId })
    if (!within(unit, county.path)) throw new AppError('open311_location_outside_jurisdiction', { address_id: input.addressId })
    return unit
  }
  if (input.addressString !== null) return byName(db, county, input.addressString, preferPath)
  if (input.point !== null) {
    const containing = (await store.listBoundedUnits(db, county.path))
      .filter((u) => u.boundary !== null && boundaryContains(u.boundary, input.point!))
      .sort((a, b) => b.depth - a.depth || a.id - b.id)
    const best = containing[0]
    if (!best) throw new AppError('open311_point_outside', { lat: input.point.lat, long: input.point.lng })
    return best
  }
  throw new AppError('open311_location_required')
}

const SEPARATORS = /[\s,,、·/|>]+/u

async function byName(db: Db, county: Jurisdiction, text: string, preferPath: string): Promise<store.UnitRow> {
  const words = [...new Set(text.split(SEPARATORS).map((w) => w.trim()).filter(Boolean))].slice(0, 10)
  if (words.length === 0) throw new AppError('open311_location_required')
  const candidates = await store.findUnitsNamed(db, county.path, words)
  // Every other word must name (or be the code of) one of the candidate's ancestors.
  const ancestorIds = [...new Set(candidates.flatMap((u) => idsOfPath(u.path)))]
  const names = await store.findUnitNames(db, ancestorIds)
  const matches = candidates.filter((u) => {
    const own = words.filter((w) => w === u.name || w === u.code)
    if (own.length === 0) return false
    const above = idsOfPath(u.path).filter((id) => id !== u.id).map((id) => names.get(id))
    return words.every((w) => own.includes(w) || above.some((a) => a !== undefined && (a.name === w || a.code === w)))
  })
  if (matches.length === 0) throw new AppError('open311_unknown_address', { address_string: text })
  // The deepest matches are what was meant ("吉祥苑社区 第一网格" is the grid, not the community).
  const deepest = matches.filter((u) => u.depth === Math.max(...matches.map((m) => m.depth)))
  const preferred = deepest.filter((u) => u.path.startsWith(preferPath))
  const pick = preferred.length > 0 ? preferred : deepest
  if (pick.length > 1) {
    throw new AppError('open311_ambiguous_address', { address_string: text, candidates: pick.slice(0, 10).map((u) => ({ code: u.code, name: u.name })) })
  }
  return pick[0]!
}


// --- point in polygon ------------------------------------------------------------------------------

type Ring = number[][]

function onEdge(ring: Ring, x: number, y: number): boolean {
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i] as [number, number]
    const [xj, yj] = ring[j] as [number, number]
    const collinear = (x - xi) * (yj - yi) === (y - yi) * (xj - xi)
    if (collinear && Math.min(xi, xj) <= x && x <= Math.max(xi, xj) && Math.min(yi, yj) <= y && y <= Math.max(yi, yj)) return true
  }
  return false
}

/** Ray casting on longitude/latitude: strictly inside the ring. */
function strictlyInside(ring: Ring, x: number, y: number): boolean {
  let inside = false
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i] as [number, number]
    const [xj, yj] = ring[j] as [number, number]
    if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside
  }
  return inside && !onEdge(ring, x, y)
}

/** Inside the outer ring or on its edge, and not strictly inside a hole. */
const polygonContains = (polygon: Ring[], x: number, y: number): boolean =>
  polygon.length > 0 && (onEdge(polygon[0]!, x, y) || strictlyInside(polygon[0]!, x, y)) && !polygon.slice(1).some((hole) => strictlyInside(hole, x, y))

/** Does a stored GeoJSON Polygon or MultiPolygon contain the point? Unreadable boundaries contain nothing. */
export function boundaryContains(boundary: string, point: { lat: number; lng: number }): boolean {
  let geometry: { type?: unknown; coordinates?: unknown }
  try {
    geometry = JSON.parse(boundary) as typeof geometry
  } catch {
    return false
  }
  if (!Array.isArray(geometry.coordinates)) return false
  if (geometry.type === 'Polygon') return polygonContains(geometry.coordinates as Ring[], point.lng, point.lat)
  if (geometry.type === 'MultiPolygon') return (geometry.coordinates as Ring[][]).some((p) => polygonContains(p, point.lng, point.lat))
  return false
}
