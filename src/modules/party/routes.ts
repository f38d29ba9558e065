import { Type } from 'typebox'
import type { App } from '../../server/types.js'
import { IdParams } from '../../server/schemas.js'
import {
  CancelTransferInput, CreateMemberInput, CreateOrgInput, CreateStudioInput, CreateTransferInput, MemberDetail, MemberPage, MemberQuery, OrgDetail,
  OrgPage, OrgQuery, OrgTree, OrgTreeQuery, OrgView, PublicStudioView, ReceiveTransferInput, RecordStepInput, SetOfficersInput, StepParams,
  StudioPage, StudioQuery, StudioView, TransferPage, TransferQuery, TransferView, UpdateMemberInput, UpdateOrgInput, UpdateStudioInput,
} from './schema.js'
import * as service from './service.js'

const tags = ['party']

export function partyRoutes(app: App): void {
  // --- organizations ---
  app.get('/api/party/orgs', {
    schema: { summary: 'Party organizations attached to units in your subtree', tags, querystring: OrgQuery, response: { 200: OrgPage } },
    config: { action: 'party.read' },
  }, (req) => service.listOrgs(app.db, req.actor, req.query))

  app.get('/api/party/orgs/tree', {
    schema: { summary: 'The organization tree you may see, depth-first, with subtree member counts', tags, querystring: OrgTreeQuery, response: { 200: OrgTree } },
    config: { action: 'party.read' },
  }, (req) => service.orgTree(app.db, req.actor, req.query))

  app.post('/api/party/orgs', {
    schema: { summary: 'Create a party organization (党委, 党工委, 党总支, 党支部, 党小组, 临时党支部)', tags, body: CreateOrgInput, response: { 201: OrgDetail } },
    config: { action: 'party.manage' },
  }, async (req, reply) => reply.status(201).send(await service.registerOrg(app.db, req.actor, req.body)))

  app.get('/api/party/orgs/:id', {
    schema: { summary: 'One organization with its officers and member counts by stage', tags, params: IdParams, response: { 200: OrgDetail } },
    config: { action: 'party.read' },
  }, (req) => service.getOrg(app.db, req.actor, req.params.id))

  app.get('/api/party/orgs/:id/children', {
    schema: { summary: 'The organizations directly below one', tags, params: IdParams, response: { 200: Type.Object({ items: Type.Array(OrgView) }) } },
    config: { action: 'party.read' },
  }, (req) => service.orgChildren(app.db, req.actor, req.params.id))

  app.patch('/api/party/orgs/:id', {
    schema: { summary: 'Rename, re-kind, move (parentId), re-attach (unitId) or dissolve an organization', tags, params: IdParams, body: UpdateOrgInput, response: { 200: OrgDetail } },
    config: { action: 'party.manage' },
  }, (req) => service.updateOrg(app.db, req.actor, req.params.id, req.body))

  app.put('/api/party/orgs/:id/officers', {
    schema: { summary: 'Replace the secretary, deputies and committee members (or the group leader)', tags, params: IdParams, body: SetOfficersInput, response: { 200: OrgDetail } },
    config: { action: 'party.manage' },
  }, (req) => service.setOfficers(app.db, req.actor, req.params.id, req.body))

  // --- members ---
  app.get('/api/party/members', {
    schema: { summary: 'Members and people in development, filterable by stage and by flag (有异常)', tags, querystring: MemberQuery, response: { 200: MemberPage } },
    config: { action: 'party.read' },
  }, (req) => service.listMembers(app.db, req.actor, req.query))

  app.post('/api/party/members', {
    schema: { summary: 'Register an applicant (or an existing member at their stage)', tags, body: CreateMemberInput, response: { 201: MemberDetail } },
    config: { action: 'party.manage' },
  }, async (req, reply) => reply.status(201).send(await service.registerMember(app.db, req.actor, req.body)))

  app.get('/api/party/members/:id', {
    schema: { summary: 'One member with the development timeline, flags, transfers and studio', tags, params: IdParams, response: { 200: MemberDetail } },
    config: { action: 'party.read' },
  }, (req) => service.getMember(app.db, req.actor, req.params.id))

  app.patch('/api/party/members/:id', {
    schema: { summary: 'Mark a party representative (党代表), or record death or removal', tags, params: IdParams, body: UpdateMemberInput, response: { 200: MemberDetail } },
    config: { action: 'party.manage' },
  }, (req) => service.updateMember(app.db, req.actor, req.params.id, req.body))

  app.post('/api/party/members/:id/steps', {
    schema: { summary: 'Record the next development step (out of order → invalid_stage_transition)', tags, params: IdParams, body: RecordStepInput, response: { 200: MemberDetail } },
    config: { action: 'party.manage' },
  }, (req) => service.recordStep(app.db, req.actor, req.params.id, req.body))

  app.delete('/api/party/members/:id/steps/:stepId', {
    schema: { summary: 'Take back the last development step (a correction)', tags, params: StepParams, response: { 200: MemberDetail } },
    config: { action: 'party.manage' },
  }, (req) => service.deleteLastStep(app.db, req.actor, req.params.id, req.params.stepId))

  // --- transfers ---
  app.get('/api/party/transfers', {
    schema: { summary: 'Transfers from or to organizations in your subtree', tags, querystring: TransferQuery, response: { 200: TransferPage } },
    config: { action: 'party.read' },
  }, (req) => service.listTransfers(app.db, req.actor, req.query))

  app.post('/api/party/transfers', {
    schema: { summary: 'Start a transfer of membership (internal, outbound or inbound)', tags, body: CreateTransferInput, response: { 201: TransferView } },
    config: { action: 'party.manage' },
  }, async (req, reply) => reply.status(201).send(await service.createTransfer(app.db, req.actor, req.body)))

  app.get('/api/party/transfers/:id', {
    schema: { summary: 'One transfer', tags, params: IdParams, response: { 200: TransferView } },
    config: { action: 'party.read' },
  }, (req) => service.getTransfer(app.db, req.actor, req.params.id))

  app.post('/api/party/transfers/:id/receive', {
    schema: { summary: 'Confirm receipt: the member moves to the target organization (or leaves the county)', tags, params: IdParams, body: ReceiveTransferInput, response: { 200: TransferView } },
    config: { action: 'party.manage' },
  }, (req) => service.receiveTransfer(app.db, req.actor, req.params.id, req.body))

  app.post('/api/party/transfers/:id/cancel', {
    schema: { summary: 'Withdraw or return a transfer in transit', tags, params: IdParams, body: CancelTransferInput, response: { 200: TransferView } },
    config: { action: 'party.manage' },
  }, (req) => service.cancelTransfer(app.db, req.actor, req.params.id, req.body))

  // --- representatives' studios ---
  app.get('/api/party/studios', {
    schema: { summary: "Party representatives' studios (党代表工作室) in your subtree", tags, querystring: StudioQuery, response: { 200: StudioPage } },
    config: { action: 'party.read' },
  }, (req) => service.listStudios(app.db, req.actor, req.query))

  app.post('/api/party/studios', {
    schema: { summary: "Open a representative's studio", tags, body: CreateStudioInput, response: { 201: StudioView } },
    config: { action: 'party.manage' },
  }, async (req, reply) => reply.status(201).send(await service.createStudio(app.db, req.actor, req.body)))

  app.get('/api/party/studios/:id', {
    schema: { summary: 'One studio', tags, params: IdParams, response: { 200: StudioView } },
    config: { action: 'party.read' },
  }, (req) => service.getStudio(app.db, req.actor, req.params.id))

  app.patch('/api/party/studios/:id', {
    schema: { summary: 'Edit, move or close a studio', tags, params: IdParams, body: UpdateStudioInput, response: { 200: StudioView } },
    config: { action: 'party.manage' },
  }, (req) => service.updateStudio(app.db, req.actor, req.params.id, req.body))

  app.get('/api/public/studios/:id', {
    schema: { summary: "An open studio's name, place and reception hours, for residents (no login)", tags: ['public'], params: IdParams, response: { 200: PublicStudioView } },
    config: { action: 'public' },
  }, (req) => service.publicStudio(app.db, req.params.id))
}
