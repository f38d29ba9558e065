import { AppError } from '../../server/errors.js'
import type { Boundary } from './schema.js'

type Ring = number[][]

function ringProblem(ring: Ring, where: string): string | null {
  for (const [i, p] of ring.entries()) {
    const [lon, lat] = p as [number, number]
    if (!Number.isFinite(lon) || !Number.isFinite(lat)) return `${where}[${i}]: coordinates must be finite numbers`
    if (lon < -180 || lon > 180) return `${where}[${i}]: longitude ${lon} is outside -180…180`
    if (lat < -90 || lat > 90) return `${where}[${i}]: latitude ${lat} is outside -90…90`
  }
  const first = ring[0] as number[]
  const last = ring[ring.length - 1] as number[]
  if (first[0] !== last[0] || first[1] !== last[1]) return `${where}: a linear ring must end where it starts`
  const distinct = new Set(ring.map((p) => `${p[0]},${p[1]}`))
  if (distinct.size < 3) return `${where}: a linear ring needs at least three distinct positions`
  return null
}

/**
 * The rules of RFC 7946 that the schema cannot state: closed rings, at least three distinct
 * corners, WGS 84 longitude/latitude ranges. Null when the geometry is acceptable.
 */
export function boundaryProblem(boundary: Boundary): string | null {
  const polygons: Ring[][] = boundary.type === 'Polygon' ? [boundary.coordinates] : boundary.coordinates
  for (const [pi, polygon] of polygons.entries()) {
    for (const [ri, ring] of polygon.entries()) {
      const problem = ringProblem(ring, boundary.type === 'Polygon' ? `coordinates[${ri}]` : `coordinates[${pi}][${ri}]`)
      if (problem) return problem
    }
  }
  return null
}

export function assertBoundary(boundary: Boundary | null | undefined): void {
  if (!boundary) return
  const problem = boundaryProblem(boundary)
  if (problem) throw new AppError('invalid_boundary', { problem })
}
