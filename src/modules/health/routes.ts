import { Type } from 'typebox'
import type { App } from '../../server/types.js'
import { AppError } from '../../server/errors.js'
import { ping } from '../../db/connect.js'
import { appVersion } from '../../lib/project.js'

const Health = Type.Object({
  status: Type.Literal('ok'),
  database: Type.Union([Type.Literal('sqlite'), Type.Literal('postgres')]),
  version: Type.String(),
})

export function healthRoutes(app: App): void {
  app.get('/api/health', {
    schema: { summary: 'Liveness and database reachability', tags: ['system'], response: { 200: Health } },
    config: { action: 'public' },
  }, async () => {
    try {
      await ping(app.db)
    } catch (err) {
      app.log.error({ err }, 'health check: database unreachable')
      throw new AppError('database_unavailable')
    }
    return { status: 'ok' as const, database: app.dbHandle.dialect, version: appVersion() }
  })
}
