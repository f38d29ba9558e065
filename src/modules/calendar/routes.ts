import type { App } from '../../server/types.js'
import { Ok } from '../../server/schemas.js'
import {
  CalendarView, CountyParams, CountyQuery, CreateOverrideInput, PreviewQuery, PreviewView, SetHoursInput, SetYearInput, YearParams,
} from './schema.js'
import * as service from './service.js'

const tags = ['calendar']

export function calendarRoutes(app: App): void {
  app.get('/api/calendar', {
    schema: {
      summary: 'The working calendar: weekly hours, holidays and adjusted working days per year (a county\'s own when it has one)',
      tags, querystring: CountyQuery, response: { 200: CalendarView },
    },
    config: { action: 'catalog.read' },
  }, (req) => service.getCalendar(app.db, req.actor, req.query))

  app.get('/api/calendar/preview', {
    schema: { summary: 'Compute a deadline: start + amount in hours, working hours or working days', tags, querystring: PreviewQuery, response: { 200: PreviewView } },
    config: { action: 'catalog.read' },
  }, (req) => service.previewDeadline(app.db, req.actor, req.query))

  app.put('/api/calendar/years/:year', {
    schema: {
      summary: "Replace one year's holidays and adjusted working days (countyId: that county's own calendar)",
      tags, params: YearParams, querystring: CountyQuery, body: SetYearInput, response: { 200: CalendarView },
    },
    config: { action: 'catalog.manage' },
  }, (req) => service.setYear(app.db, req.actor, req.params.year, req.query, req.body))

  app.delete('/api/calendar/years/:year', {
    schema: { summary: "Remove one year's schedule", tags, params: YearParams, querystring: CountyQuery, response: { 200: CalendarView } },
    config: { action: 'catalog.manage' },
  }, (req) => service.deleteYear(app.db, req.actor, req.params.year, req.query))

  app.put('/api/calendar/hours', {
    schema: { summary: 'Replace the weekly working hours and the hours of an adjusted working day', tags, querystring: CountyQuery, body: SetHoursInput, response: { 200: CalendarView } },
    config: { action: 'catalog.manage' },
  }, (req) => service.setHours(app.db, req.actor, req.query, req.body))

  app.post('/api/calendar/overrides', {
    schema: { summary: 'Give a county a calendar of its own (a copy of the default to edit)', tags, body: CreateOverrideInput, response: { 201: CalendarView } },
    config: { action: 'catalog.manage' },
  }, async (req, reply) => reply.status(201).send(await service.createOverride(app.db, req.actor, req.body)))

  app.delete('/api/calendar/overrides/:countyId', {
    schema: { summary: "Remove a county's own calendar; it uses the default again", tags, params: CountyParams, response: { 200: Ok } },
    config: { action: 'catalog.manage' },
  }, (req) => service.deleteOverride(app.db, req.actor, req.params.countyId))
}
