/**
 * The restructuring operations as the wizards call them: each has a preview (writes nothing) and an
 * execution that carries the preview's planHash back, so exactly the previewed plan runs.
 */
import { api, unwrap } from '../../api/client'
import type {
  ArchiveBody, MergeGridsBody, MergeVillagesBody, MoveBody, RedivideGridsBody, RenameBody, RestructurePlan, RestructureResult, SplitBody,
} from './types'

export interface RestructureOp<B> {
  preview: (body: B) => Promise<RestructurePlan>
  execute: (body: B) => Promise<RestructureResult>
}

export const restructureOps = {
  'merge-villages': {
    preview: (body) => unwrap(api.POST('/api/restructure/merge-villages/preview', { body })),
    execute: (body) => unwrap(api.POST('/api/restructure/merge-villages', { body })),
  } satisfies RestructureOp<MergeVillagesBody>,
  'redivide-grids': {
    preview: (body) => unwrap(api.POST('/api/restructure/redivide-grids/preview', { body })),
    execute: (body) => unwrap(api.POST('/api/restructure/redivide-grids', { body })),
  } satisfies RestructureOp<RedivideGridsBody>,
  'merge-grids': {
    preview: (body) => unwrap(api.POST('/api/restructure/merge-grids/preview', { body })),
    execute: (body) => unwrap(api.POST('/api/restructure/merge-grids', { body })),
  } satisfies RestructureOp<MergeGridsBody>,
  move: {
    preview: (body) => unwrap(api.POST('/api/restructure/move/preview', { body })),
    execute: (body) => unwrap(api.POST('/api/restructure/move', { body })),
  } satisfies RestructureOp<MoveBody>,
  rename: {
    preview: (body) => unwrap(api.POST('/api/restructure/rename/preview', { body })),
    execute: (body) => unwrap(api.POST('/api/restructure/rename', { body })),
  } satisfies RestructureOp<RenameBody>,
  archive: {
    preview: (body) => unwrap(api.POST('/api/restructure/archive/preview', { body })),
    execute: (body) => unwrap(api.POST('/api/restructure/archive', { body })),
  } satisfies RestructureOp<ArchiveBody>,
  split: {
    preview: (body) => unwrap(api.POST('/api/restructure/split/preview', { body })),
    execute: (body) => unwrap(api.POST('/api/restructure/split', { body })),
  } satisfies RestructureOp<SplitBody>,
}

export type RestructureSlug = keyof typeof restructureOps
export const RESTRUCTURE_SLUGS = Object.keys(restructureOps) as RestructureSlug[]
export const isRestructureSlug = (value: string | null): value is RestructureSlug => value !== null && value in restructureOps
