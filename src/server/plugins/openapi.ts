import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { App } from '../types.js'
import { ErrorBody } from '../schemas.js'
import { allErrorCodes } from '../errors.js'

const API_PREFIXES = ['/api/', '/open311/']

/**
 * Every API route must declare its action; the action is written into the OpenAPI document as
 * `x-action`, and every operation documents the error shape.
 */
export async function registerOpenApi(app: App, version: string): Promise<void> {
  app.addSchema(ErrorBody)
  app.addHook('onRoute', (route) => {
    const isApi = API_PREFIXES.some((p) => route.url.startsWith(p))
    if (!isApi) return
    const isDocs = route.url.startsWith('/api/docs') || route.url === '/api/openapi.json'
    route.config = { ...(route.config ?? {}) }
    if (isDocs) {
      route.config.action ??= 'public'
      return
    }
    const action = route.config.action
    if (!action) throw new Error(`route ${String(route.method)} ${route.url} declares no action`)
    const schema = (route.schema ??= {}) as Record<string, unknown>
    schema['x-action'] = action
    const response = (schema.response ??= {}) as Record<string, unknown>
    response['4xx'] ??= { $ref: 'ErrorBody#' }
    response['5xx'] ??= { $ref: 'ErrorBody#' }
  })

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Chorus API',
        version,
        description:
          'Chorus — grassroots party building and governance. Every operation states the action it needs in `x-action`; ' +
          '`public` needs no login, `authenticated` any session. Writes with a session cookie need the `X-CSRF-Token` header ' +
          `(from /api/auth/me). Error codes: ${allErrorCodes().join(', ')}.`,
      },
      components: {
        securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'chorus_session' } },
      },
    },
    refResolver: { buildLocalReference: (json, _base, _frag, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  })
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true, uiConfig: { docExpansion: 'list', deepLinking: true } })
  app.get('/api/openapi.json', { schema: { hide: true }, config: { action: 'public' } }, () => app.swagger())
}
