import type { App } from '../../server/types.js'
import { IdParams } from '../../server/schemas.js'
import { CreateUnitInput, UnitPage, UnitQuery, UnitView } from './schema.js'
import * as service from './service.js'

const tags = ['units']

export function unitRoutes(app: App): void {
  app.get('/api/units', {
    schema: { summary: 'List units in your subtree', tags, querystring: UnitQuery, response: { 200: UnitPage } },
    config: { action: 'units.read' },
  }, (req) => service.listUnits(app.db, req.actor, req.query))

  app.get('/api/units/:id', {
    schema: { summary: 'One unit', tags, params: IdParams, response: { 200: UnitView } },
    config: { action: 'units.read' },
  }, (req) => service.getUnit(app.db, req.actor, req.params.id))

  app.post('/api/units', {
    schema: { summary: 'Create a unit', tags, body: CreateUnitInput, response: { 201: UnitView } },
    config: { action: 'units.manage' },
  }, async (req, reply) => reply.status(201).send(await service.createUnit(app.db, req.actor, req.body)))
}
