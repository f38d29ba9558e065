import { Type } from 'typebox'
import type { App } from '../../server/types.js'
import { AppError } from '../../server/errors.js'
import { ping } from '../../db/connect.js'
import { appVersion } from '../../lib/project.js'
import { requestSettings } from '../requests/settings.js'
import { findFirstCounty } from './store.js'

const Health = Type.Object({
  status: Type.Literal('ok'),
  database: Type.Union([Type.Literal('sqlite'), Type.Literal('postgres')]),
  version: Type.String(),
})

const Meta = Type.Object({
  version: Type.String(),
  title: Type.Object({ zh: Type.String(), en: Type.String() }, { description: 'What the deployment calls itself' }),
  county: Type.Union([Type.Object({ id: Type.Integer(), name: Type.String(), code: Type.Union([Type.String(), Type.Null()]) }), Type.Null()]),
  publicUrl: Type.Union([Type.String(), Type.Null()], { description: 'CHORUS_PUBLIC_URL: the address residents reach (QR posters and tracking links use it); null: the address the page was opened at' }),
})

export function healthRoutes(app: App): void {
  const { publicUrl } = requestSettings(app.config.dataDir)
  app.get('/api/meta', {
    schema: { summary: 'Name and version of this deployment (for the login page and the header)', tags: ['system'], response: { 200: Meta } },
    config: { action: 'public' },
  }, async () => {
    const county = (await findFirstCounty(app.db)) ?? null
    const zh = process.env.CHORUS_TITLE_ZH ?? (county ? `${county.name} · 基层党建大合唱` : 'Chorus 基层党建大合唱')
    const en = process.env.CHORUS_TITLE_EN ?? (county ? `Chorus · ${county.name}` : 'Chorus')
    return { version: appVersion(), title: { zh, en }, county, publicUrl }
  })

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
