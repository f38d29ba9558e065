/**
 * Units sit on materialized paths ('/1/4/9/': the county 1, its sub-district 4, the unit 9), so a
 * subtree is a prefix match and the chain above a unit is its path read left to right.
 */

/** Unit ids on a materialized path, root first: '/1/4/9/' → [1, 4, 9]; null → []. */
export const pathIds = (path: string | null): number[] =>
  path === null ? [] : path.split('/').filter((s) => s !== '').map(Number).filter((n) => Number.isInteger(n) && n > 0)
