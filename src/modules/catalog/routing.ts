import { ownerLevelTypes } from './priorities.js'

/**
 * Routing: which unit answers a request for an item at a location. Pure ranking and tree walking;
 * service.ts `resolveRoute` feeds it rows and follows the winner.
 *
 * Order of precedence:
 * 1. Routing rules whose location subtree contains the location and whose matter matches, the
 *    most specific first: an item rule beats a rule on the item's own category, which beats one on
 *    its parent category, which beats a rule for any item; among equals the deeper location
 *    subtree wins, then the higher `priority`, then the older rule. A rule that sends to "the
 *    compound's property company" is skipped when the location has none; rules to archived units
 *    are skipped.
 * 2. The item's default handling unit.
 * 3. The item's owner unit type, walking up from the location (grid → community → town → county).
 * 4. Fallback up the tree (兜底): the nearest community or village, then sub-district or town, then
 *    the county — the first receiver is responsible (首接负责) when nothing more specific applies.
 */

export interface RuleCandidate {
  id: number
  locationUnitId: number
  locationDepth: number
  categoryId: number | null
  itemId: number | null
  priority: number
}

export interface ItemMatter {
  id: number
  categoryId: number
  parentCategoryId: number | null
}

/** How specifically a rule names the item: 3 item, 2 its category, 1 its parent category, 0 any item; null: no match. */
export function matterSpecificity(rule: Pick<RuleCandidate, 'categoryId' | 'itemId'>, item: ItemMatter): number | null {
  if (rule.itemId !== null) return rule.itemId === item.id ? 3 : null
  if (rule.categoryId !== null) {
    if (rule.categoryId === item.categoryId) return 2
    if (rule.categoryId === item.parentCategoryId) return 1
    return null
  }
  return 0
}

/** The matching rules, best first. Rules must already be limited to the location's ancestors. */
export function rankRules<R extends RuleCandidate>(rules: readonly R[], item: ItemMatter): R[] {
  return rules
    .map((rule) => ({ rule, specificity: matterSpecificity(rule, item) }))
    .filter((r): r is { rule: R; specificity: number } => r.specificity !== null)
    .sort((a, b) =>
      b.specificity - a.specificity
      || b.rule.locationDepth - a.rule.locationDepth
      || b.rule.priority - a.rule.priority
      || a.rule.id - b.rule.id)
    .map((r) => r.rule)
}

export interface TreeUnit {
  id: number
  type: string
  status: string
}

/** The nearest unit (from the location up) whose type is one of `types` and which is active. */
export function nearestOfTypes<U extends TreeUnit>(chainLeafFirst: readonly U[], types: readonly string[]): U | null {
  return chainLeafFirst.find((u) => u.status === 'active' && types.includes(u.type)) ?? null
}

/** 兜底: community/village, then sub-district/town, then county, then whatever active unit is nearest. */
export function fallbackUnit<U extends TreeUnit>(chainLeafFirst: readonly U[]): U | null {
  return nearestOfTypes(chainLeafFirst, ownerLevelTypes.community)
    ?? nearestOfTypes(chainLeafFirst, ownerLevelTypes.town)
    ?? nearestOfTypes(chainLeafFirst, ownerLevelTypes.county)
    ?? chainLeafFirst.find((u) => u.status === 'active')
    ?? null
}

/** Ancestor ids of a materialized path, root first: '/1/4/9/' → [1, 4, 9]. */
