import type { App } from '../../server/types.js'
import { IdParams } from '../../server/schemas.js'
import {
  ArchiveUnitInput, ChildrenQuery, CreateUnitInput, EventQuery, MergeGridsInput, MergeVillagesInput, MoveUnitInput, RedivideGridsInput,
  RenameUnitInput, RestructureEventDetail, RestructureEventPage, RestructurePlan, RestructureResult, SplitUnitInput, TreeQuery,
  UnitAncestors, UnitDetail, UnitLineage, UnitNodePage, UnitPage, UnitQuery, UnitStats, UnitTree, UnitView, UpdateUnitInput,
  type RestructureKind,
} from './schema.js'
import * as service from './service.js'
import { executeRestructure, getEvent, listEvents, previewRestructure, type InputOf } from './restructuring.js'

const tags = ['units']

export function unitRoutes(app: App): void {
  app.get('/api/units', {
    schema: { summary: 'List units in your subtree', tags, querystring: UnitQuery, response: { 200: UnitPage } },
    config: { action: 'units.read' },
  }, (req) => service.listUnits(app.db, req.actor, req.query))

  app.get('/api/units/tree', {
    schema: { summary: 'The first levels of the unit tree (flat, ordered by path; nest by parentId)', tags, querystring: TreeQuery, response: { 200: UnitTree } },
    config: { action: 'units.read' },
  }, (req) => service.getTree(app.db, req.actor, req.query))

  app.get('/api/units/:id', {
    schema: { summary: 'One unit, with its boundary and child count', tags, params: IdParams, response: { 200: UnitDetail } },
    config: { action: 'units.read' },
  }, (req) => service.getUnit(app.db, req.actor, req.params.id))

  app.get('/api/units/:id/children', {
    schema: { summary: 'Units directly under a unit, each with its child count', tags, params: IdParams, querystring: ChildrenQuery, response: { 200: UnitNodePage } },
    config: { action: 'units.read' },
  }, (req) => service.listChildren(app.db, req.actor, req.params.id, req.query))

  app.get('/api/units/:id/ancestors', {
    schema: { summary: 'Breadcrumb: the ancestors you may see, then the unit itself', tags, params: IdParams, response: { 200: UnitAncestors } },
    config: { action: 'units.read' },
  }, (req) => service.getAncestors(app.db, req.actor, req.params.id))

  app.get('/api/units/:id/stats', {
    schema: { summary: 'Counts over the subtree: units by type, households, people, party organizations and members', tags, params: IdParams, response: { 200: UnitStats } },
    config: { action: 'units.read' },
  }, (req) => service.getStats(app.db, req.actor, req.params.id))

  app.get('/api/units/:id/lineage', {
    schema: { summary: 'Predecessors and successors through restructurings, transitively, with the events', tags, params: IdParams, response: { 200: UnitLineage } },
    config: { action: 'units.read' },
  }, (req) => service.getLineage(app.db, req.actor, req.params.id))

  app.post('/api/units', {
    schema: { summary: 'Create a unit', tags, body: CreateUnitInput, response: { 201: UnitView } },
    config: { action: 'units.manage' },
  }, async (req, reply) => reply.status(201).send(await service.createUnit(app.db, req.actor, req.body)))

  app.patch('/api/units/:id', {
    schema: { summary: 'Correct a unit’s name, address, boundary, code or order', tags, params: IdParams, body: UpdateUnitInput, response: { 200: UnitDetail } },
    config: { action: 'units.manage' },
  }, (req) => service.updateUnit(app.db, req.actor, req.params.id, req.body))

  // --- restructuring: every operation has a preview that computes exactly what the execution does ---
  const restructure = <K extends RestructureKind>(kind: K, slug: string, body: unknown, summary: string) => {
    app.post(`/api/restructure/${slug}/preview`, {
      schema: { summary: `Preview: ${summary} (writes nothing)`, tags: ['restructuring'], body: body as never, response: { 200: RestructurePlan } },
      config: { action: 'units.restructure' },
    }, (req) => previewRestructure(app.db, req.actor, kind, req.body as InputOf<K>))
    app.post(`/api/restructure/${slug}`, {
      schema: { summary, tags: ['restructuring'], body: body as never, response: { 201: RestructureResult } },
      config: { action: 'units.restructure' },
    }, async (req, reply) => reply.status(201).send(await executeRestructure(app.db, req.actor, kind, req.body as InputOf<K>)))
  }
  restructure('merge_villages', 'merge-villages', MergeVillagesInput, 'Merge villages into a new village; each becomes a grid village of it')
  restructure('redivide_grids', 'redivide-grids', RedivideGridsInput, 'Re-divide a community’s grids and reassign its compounds and buildings')
  restructure('merge_grids', 'merge-grids', MergeGridsInput, 'Merge grids into one')
  restructure('move', 'move', MoveUnitInput, 'Move a unit (with its subtree) under a new parent')
  restructure('rename', 'rename', RenameUnitInput, 'Rename a unit officially, with an effective date')
  restructure('archive', 'archive', ArchiveUnitInput, 'Archive a unit that has nothing active left under it')
  restructure('split', 'split', SplitUnitInput, 'Split a unit into several new units of the same type')

  app.get('/api/restructure-events', {
    schema: { summary: 'Restructuring events that touched your subtree', tags: ['restructuring'], querystring: EventQuery, response: { 200: RestructureEventPage } },
    config: { action: 'units.read' },
  }, (req) => listEvents(app.db, req.actor, req.query))

  app.get('/api/restructure-events/:id', {
    schema: { summary: 'One restructuring event with its plan and lineage', tags: ['restructuring'], params: IdParams, response: { 200: RestructureEventDetail } },
    config: { action: 'units.read' },
  }, (req) => getEvent(app.db, req.actor, req.params.id))
}
