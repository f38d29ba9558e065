import { Type } from 'typebox'
import type { App } from '../../server/types.js'
import { IdParams, Ok } from '../../server/schemas.js'
import {
  AssignPropertyInput, CategoryQuery, CategoryView, CompoundPropertyView, CreateCategoryInput, CreateItemInput, CreateRuleInput, ItemQuery,
  PropertyCompoundsView, PublicCatalogQuery, PublicCatalogView, RouteQuery, RouteView, RoutingRulePage, RoutingRuleView, RuleQuery,
  ServiceItemPage, ServiceItemView, UpdateCategoryInput, UpdateItemInput, UpdateRuleInput,
} from './schema.js'
import * as service from './service.js'

const tags = ['catalog']

export function catalogRoutes(app: App): void {
  // --- public: the resident's menu at a location ---
  app.get('/api/public/catalog', {
    schema: { summary: 'Public service items offered at a location (no login): the menu behind a QR code', tags, querystring: PublicCatalogQuery, response: { 200: PublicCatalogView } },
    config: { action: 'public' },
  }, (req) => service.publicCatalog(app.db, req.query))

  // --- categories ---
  app.get('/api/catalog/categories', {
    schema: { summary: 'Service categories (two levels)', tags, querystring: CategoryQuery, response: { 200: Type.Array(CategoryView) } },
    config: { action: 'catalog.read' },
  }, (req) => service.listCategories(app.db, req.actor, req.query))

  app.post('/api/catalog/categories', {
    schema: { summary: 'Create a category (deployment-wide administrators)', tags, body: CreateCategoryInput, response: { 201: CategoryView } },
    config: { action: 'catalog.manage' },
  }, async (req, reply) => reply.status(201).send(await service.createCategory(app.db, req.actor, req.body)))

  app.patch('/api/catalog/categories/:id', {
    schema: { summary: 'Rename, move, reorder or archive a category', tags, params: IdParams, body: UpdateCategoryInput, response: { 200: CategoryView } },
    config: { action: 'catalog.manage' },
  }, (req) => service.updateCategory(app.db, req.actor, req.params.id, req.body))

  // --- items ---
  app.get('/api/catalog/items', {
    schema: { summary: 'Service items you can see, with filters', tags, querystring: ItemQuery, response: { 200: ServiceItemPage } },
    config: { action: 'catalog.read' },
  }, (req) => service.listItems(app.db, req.actor, req.query))

  app.get('/api/catalog/items/:id', {
    schema: { summary: 'One service item', tags, params: IdParams, response: { 200: ServiceItemView } },
    config: { action: 'catalog.read' },
  }, (req) => service.getItem(app.db, req.actor, req.params.id))

  app.post('/api/catalog/items', {
    schema: { summary: 'Create a service item offered in a unit subtree', tags, body: CreateItemInput, response: { 201: ServiceItemView } },
    config: { action: 'catalog.manage' },
  }, async (req, reply) => reply.status(201).send(await service.createItem(app.db, req.actor, req.body)))

  app.patch('/api/catalog/items/:id', {
    schema: { summary: 'Edit or archive a service item (its code never changes)', tags, params: IdParams, body: UpdateItemInput, response: { 200: ServiceItemView } },
    config: { action: 'catalog.manage' },
  }, (req) => service.updateItem(app.db, req.actor, req.params.id, req.body))

  // --- routing ---
  app.get('/api/catalog/routing-rules', {
    schema: { summary: 'Routing rules that apply in your subtree', tags, querystring: RuleQuery, response: { 200: RoutingRulePage } },
    config: { action: 'catalog.read' },
  }, (req) => service.listRules(app.db, req.actor, req.query))

  app.post('/api/catalog/routing-rules', {
    schema: { summary: 'Create a routing rule: location subtree × category or item → responsible unit', tags, body: CreateRuleInput, response: { 201: RoutingRuleView } },
    config: { action: 'catalog.manage' },
  }, async (req, reply) => reply.status(201).send(await service.createRule(app.db, req.actor, req.body)))

  app.patch('/api/catalog/routing-rules/:id', {
    schema: { summary: 'Edit a routing rule', tags, params: IdParams, body: UpdateRuleInput, response: { 200: RoutingRuleView } },
    config: { action: 'catalog.manage' },
  }, (req) => service.updateRule(app.db, req.actor, req.params.id, req.body))

  app.delete('/api/catalog/routing-rules/:id', {
    schema: { summary: 'Delete a routing rule', tags, params: IdParams, response: { 200: Ok } },
    config: { action: 'catalog.manage' },
  }, (req) => service.deleteRule(app.db, req.actor, req.params.id))

  app.get('/api/catalog/route', {
    schema: { summary: 'Which unit would handle this item at this location, and why', tags, querystring: RouteQuery, response: { 200: RouteView } },
    config: { action: 'catalog.read' },
  }, (req) => service.previewRoute(app.db, req.actor, req.query))

  // --- compounds and property companies ---
  app.get('/api/compounds/:id/property-company', {
    schema: { summary: "A compound's property company now and its history", tags: ['units'], params: IdParams, response: { 200: CompoundPropertyView } },
    config: { action: 'units.read' },
  }, (req) => service.getCompoundProperty(app.db, req.actor, req.params.id))

  app.put('/api/compounds/:id/property-company', {
    schema: { summary: 'From a date, the compound is served by this property company (or none)', tags: ['units'], params: IdParams, body: AssignPropertyInput, response: { 200: CompoundPropertyView } },
    config: { action: 'units.manage' },
  }, (req) => service.assignPropertyCompany(app.db, req.actor, req.params.id, req.body))

  app.get('/api/property-companies/:id/compounds', {
    schema: { summary: 'Compounds a property company serves today', tags: ['units'], params: IdParams, response: { 200: PropertyCompoundsView } },
    config: { action: 'units.read' },
  }, (req) => service.propertyCompounds(app.db, req.actor, req.params.id))
}
