import crypto from 'node:crypto'
import Fastify, { type FastifyServerOptions } from 'fastify'
import cookie from '@fastify/cookie'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { Config } from '../config.js'
import type { DbHandle } from '../db/connect.js'
import type { PiiCipher } from '../lib/pii.js'
import { appVersion } from '../lib/project.js'
import { modules } from '../modules/index.js'
import type { App } from './types.js'
import { serializerCompiler } from './plugins/serialization.js'
import { validatorCompiler } from './plugins/validation.js'
import { registerErrorHandling, sendError } from './plugins/errors.js'
import { registerSession } from './plugins/session.js'
import { registerSecurityHeaders } from './plugins/security.js'
import { registerOpenApi } from './plugins/openapi.js'
import { registerWeb } from './plugins/web.js'
import { AppError } from './errors.js'

export interface BuildOptions {
  config: Config
  dbHandle: DbHandle
  pii: PiiCipher
  logger?: FastifyServerOptions['logger']
  /** Serve the built web app (off in API tests). */
  web?: boolean
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/
const processPrefix = crypto.randomBytes(9).toString('base64url')
let requestSeq = 0

/** Builds the HTTP app: plugins first, then every module from modules/index.ts. */
export async function buildApp(options: BuildOptions): Promise<App> {
  const { config, dbHandle } = options
  const app = Fastify({
    logger: options.logger ?? { level: config.logLevel },
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    requestIdHeader: 'x-request-id',
    // A client-supplied id is kept only when it is short and plain; otherwise we make one: this process's
    // random prefix and a counter (unique across processes and restarts, cheaper than a UUID per request).
    genReqId: (req) => {
      const sent = req.headers['x-request-id']
      return typeof sent === 'string' && REQUEST_ID.test(sent) ? sent : `${processPrefix}-${(++requestSeq).toString(36)}`
    },
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    routerOptions: { maxParamLength: 200 },
  }).withTypeProvider<TypeBoxTypeProvider>()

  app.decorate('db', dbHandle.db)
  app.decorate('dbHandle', dbHandle)
  app.decorate('config', config)
  app.decorate('pii', options.pii)
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)
  // Only JSON (and, per route, multipart) bodies are accepted.
  app.removeContentTypeParser('text/plain')

  await app.register(cookie)
  registerErrorHandling(app)
  registerSecurityHeaders(app)
  registerSession(app)
  await registerOpenApi(app, appVersion())

  for (const module of modules) await module.register(app)

  const spa = options.web ? await registerWeb(app, config.webDir) : null
  app.setNotFoundHandler((req, reply) => {
    // /api and /open311 themselves and what lies under them; a page such as /open311-keys is the web app's.
    const apiLike = /^\/(?:api|open311)(?:[/?]|$)/.test(req.url)
    if (spa && !apiLike && (req.method === 'GET' || req.method === 'HEAD')) return spa(req, reply)
    return sendError(req, reply, new AppError('route_not_found', { method: req.method, url: req.url.split('?')[0] }))
  })
  return app
}
