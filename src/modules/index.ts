import type { Module } from '../server/types.js'
import { healthRoutes } from './health/routes.js'
import { accountRoutes } from './accounts/routes.js'
import { auditRoutes } from './audit/routes.js'
import { unitRoutes } from './units/routes.js'
import { residentRoutes } from './residents/routes.js'
import { partyRoutes } from './party/routes.js'
import { calendarRoutes } from './calendar/routes.js'
import { catalogRoutes } from './catalog/routes.js'
import { jobRoutes } from './jobs/routes.js'
import { importRoutes } from './imports/routes.js'
import { exportRoutes } from './exports/routes.js'
import { requestRoutes } from './requests/routes.js'
import { boardRoutes } from './board/routes.js'
import { open311Routes } from './open311/routes.js'

/** The product, module by module. Reading this list is reading what Chorus does. */
export const modules: Module[] = [
  { name: 'health', register: healthRoutes },
  { name: 'accounts', register: accountRoutes },
  { name: 'audit', register: auditRoutes },
  { name: 'units', register: unitRoutes },
  { name: 'residents', register: residentRoutes },
  { name: 'party', register: partyRoutes },
  { name: 'calendar', register: calendarRoutes },
  { name: 'catalog', register: catalogRoutes },
  { name: 'jobs', register: jobRoutes },
  { name: 'imports', register: importRoutes },
  { name: 'exports', register: exportRoutes },
  { name: 'requests', register: requestRoutes },
  { name: 'board', register: boardRoutes },
  { name: 'open311', register: open311Routes },
]
