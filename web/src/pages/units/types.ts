/** The unit and restructuring shapes the pages use, all taken from the generated API types. */
import type { ApiBody, ApiQuery, ApiResult } from '../../api/client'

export type UnitListItem = ApiResult<'/api/units', 'get'>['items'][number]
export type UnitNode = ApiResult<'/api/units/{id}/children', 'get'>['items'][number]
export type UnitDetail = ApiResult<'/api/units/{id}', 'get'>
export type UnitBrief = ApiResult<'/api/units/{id}/ancestors', 'get'>['items'][number]
export type UnitStats = ApiResult<'/api/units/{id}/stats', 'get'>
export type UnitLineage = ApiResult<'/api/units/{id}/lineage', 'get'>
export type UnitType = UnitNode['type']
export type UnitQuery = ApiQuery<'/api/units', 'get'>
export type UnitPatch = ApiBody<'/api/units/{id}', 'patch'>

export type RestructurePlan = ApiResult<'/api/restructure/merge-villages/preview', 'post'>
export type RestructureResult = ApiResult<'/api/restructure/merge-villages', 'post'>
export type RestructureEvent = ApiResult<'/api/restructure-events', 'get'>['items'][number]
export type RestructureEventDetail = ApiResult<'/api/restructure-events/{id}', 'get'>
export type RestructureKind = RestructurePlan['kind']
export type LineageRelation = RestructurePlan['lineage'][number]['relation']
export type EventQuery = ApiQuery<'/api/restructure-events', 'get'>

export type MergeVillagesBody = ApiBody<'/api/restructure/merge-villages', 'post'>
export type RedivideGridsBody = ApiBody<'/api/restructure/redivide-grids', 'post'>
export type MergeGridsBody = ApiBody<'/api/restructure/merge-grids', 'post'>
export type MoveBody = ApiBody<'/api/restructure/move', 'post'>
export type RenameBody = ApiBody<'/api/restructure/rename', 'post'>
export type ArchiveBody = ApiBody<'/api/restructure/archive', 'post'>
export type SplitBody = ApiBody<'/api/restructure/split', 'post'>

export const UNIT_TYPES: UnitType[] = [
  'county', 'town', 'subdistrict', 'village', 'new_village', 'community', 'grid', 'compound', 'building', 'agency', 'park', 'enterprise',
]
export const RESTRUCTURE_KINDS: RestructureKind[] = ['merge_villages', 'redivide_grids', 'merge_grids', 'move', 'rename', 'archive', 'split']
