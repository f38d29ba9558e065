import type { App } from '../../server/types.js'
import { IdParams } from '../../server/schemas.js'
import {
  CreateHouseholdInput, CreatePersonInput, CreatePersonTagInput, HouseholdDetail, HouseholdMemberInput, HouseholdMemberParams, HouseholdPage,
  HouseholdQuery, MoveHouseholdInput, PersonDetail, PersonPage, PersonTagList, PersonTagQuery, PersonTagView, ResidentQuery, UnmaskInput,
  UnmaskView, UpdateHouseholdInput, UpdatePersonInput, UpdatePersonTagInput,
} from './schema.js'
import * as service from './service.js'

const tags = ['residents']

export function residentRoutes(app: App): void {
  app.get('/api/residents', {
    schema: {
      summary: 'Residents in your subtree (identity and phone masked); exact search by idNumber or phone goes through a keyed hash',
      tags, querystring: ResidentQuery, response: { 200: PersonPage },
    },
    config: { action: 'residents.read' },
  }, (req) => service.listResidents(app.db, app.pii, req.actor, req.query))

  app.post('/api/residents', {
    schema: { summary: 'Register a resident (identity and phone validated, encrypted at rest)', tags, body: CreatePersonInput, response: { 201: PersonDetail } },
    config: { action: 'residents.manage' },
  }, async (req, reply) => reply.status(201).send(await service.registerPerson(app.db, app.pii, req.actor, req.body)))

  app.get('/api/residents/:id', {
    schema: { summary: 'One resident, masked, with the household', tags, params: IdParams, response: { 200: PersonDetail } },
    config: { action: 'residents.read' },
  }, (req) => service.getPerson(app.db, req.actor, req.params.id))

  app.patch('/api/residents/:id', {
    schema: { summary: 'Edit a resident (null clears a field)', tags, params: IdParams, body: UpdatePersonInput, response: { 200: PersonDetail } },
    config: { action: 'residents.manage' },
  }, (req) => service.updatePerson(app.db, app.pii, req.actor, req.params.id, req.body))

  app.post('/api/residents/:id/unmask', {
    schema: { summary: 'Reveal one identity or phone number, with a reason (audited)', tags, params: IdParams, body: UnmaskInput, response: { 200: UnmaskView } },
    config: { action: 'residents.unmask' },
  }, (req) => service.unmaskPerson(app.db, app.pii, req.actor, req.params.id, req.body))

  app.get('/api/households', {
    schema: { summary: 'Households in your subtree', tags, querystring: HouseholdQuery, response: { 200: HouseholdPage } },
    config: { action: 'residents.read' },
  }, (req) => service.listHouseholds(app.db, req.actor, req.query))

  app.post('/api/households', {
    schema: { summary: 'Create a household at an address (members join through /members or when registered)', tags, body: CreateHouseholdInput, response: { 201: HouseholdDetail } },
    config: { action: 'residents.manage' },
  }, async (req, reply) => reply.status(201).send(await service.registerHousehold(app.db, req.actor, req.body)))

  app.get('/api/households/:id', {
    schema: { summary: 'One household with its members (masked)', tags, params: IdParams, response: { 200: HouseholdDetail } },
    config: { action: 'residents.read' },
  }, (req) => service.getHousehold(app.db, req.actor, req.params.id))

  app.patch('/api/households/:id', {
    schema: { summary: 'Change the head, or dissolve an empty household', tags, params: IdParams, body: UpdateHouseholdInput, response: { 200: HouseholdDetail } },
    config: { action: 'residents.manage' },
  }, (req) => service.updateHousehold(app.db, req.actor, req.params.id, req.body))

  app.post('/api/households/:id/move', {
    schema: { summary: 'Move the household and everyone in it to another unit and room', tags, params: IdParams, body: MoveHouseholdInput, response: { 200: HouseholdDetail } },
    config: { action: 'residents.manage' },
  }, (req) => service.moveHousehold(app.db, req.actor, req.params.id, req.body))

  app.post('/api/households/:id/members', {
    schema: { summary: 'Add a person to the household, or change their relation to the head', tags, params: IdParams, body: HouseholdMemberInput, response: { 200: HouseholdDetail } },
    config: { action: 'residents.manage' },
  }, (req) => service.addHouseholdMember(app.db, req.actor, req.params.id, req.body))

  app.delete('/api/households/:id/members/:personId', {
    schema: { summary: 'Take a person out of the household (they keep their address)', tags, params: HouseholdMemberParams, response: { 200: HouseholdDetail } },
    config: { action: 'residents.manage' },
  }, (req) => service.removeHouseholdMember(app.db, req.actor, req.params.id, req.params.personId))

  app.get('/api/person-tags', {
    schema: { summary: 'Tags for people who need care (独居老人, 残疾, 低保 …)', tags, querystring: PersonTagQuery, response: { 200: PersonTagList } },
    config: { action: 'residents.read' },
  }, (req) => service.listPersonTags(app.db, req.query))

  app.post('/api/person-tags', {
    schema: { summary: 'Add a tag (county-level residents.manage)', tags, body: CreatePersonTagInput, response: { 201: PersonTagView } },
    config: { action: 'residents.manage' },
  }, async (req, reply) => reply.status(201).send(await service.createPersonTag(app.db, req.actor, req.body)))

  app.patch('/api/person-tags/:id', {
    schema: { summary: 'Rename, reorder or archive a tag (county-level residents.manage)', tags, params: IdParams, body: UpdatePersonTagInput, response: { 200: PersonTagView } },
    config: { action: 'residents.manage' },
  }, (req) => service.updatePersonTag(app.db, req.actor, req.params.id, req.body))
}
