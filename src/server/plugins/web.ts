import fs from 'node:fs'
import path from 'node:path'
import fastifyStatic from '@fastify/static'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { App } from '../types.js'
import { projectRoot } from '../../lib/project.js'

export const webDirOf = (configured: string | null): string => configured ?? path.join(projectRoot(), 'dist', 'web')

/**
 * Serves the built web app; any other GET that is not an API address gets index.html so the
 * client router can show the page (or its own 404 page). Returns the SPA fallback handler.
 */
export async function registerWeb(app: App, configured: string | null): Promise<((req: FastifyRequest, reply: FastifyReply) => FastifyReply) | null> {
  const root = webDirOf(configured)
  const index = path.join(root, 'index.html')
  if (!fs.existsSync(index)) {
    app.log.warn({ root }, 'web app not built (run `npm run build`); serving the API only')
    return null
  }
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    wildcard: false,
    index: false,
    // Hashed assets are immutable; index.html must always be fresh.
    setHeaders: (res, file) => void res.header('cache-control', file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache'),
  })
  return (_req, reply) => reply.header('cache-control', 'no-cache').sendFile('index.html')
}
