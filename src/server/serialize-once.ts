import zlib from 'node:zlib'
import type { FastifyReply, FastifyRequest } from 'fastify'

interface Body {
  plain: Buffer
  gzip: Buffer | null
}

const bodies = new WeakMap<object, Body>()

/** Below this a compressed body saves less than its cost. */
const GZIP_FROM_BYTES = 1024

const acceptsGzip = (req: FastifyRequest): boolean => /\bgzip\b/.test(req.headers['accept-encoding'] ?? '')

/**
 * Sends a 200 answer that a cache hands out again and again (the same object each time) as JSON:
 * serialized by the route's response schema, encoded and (for clients that accept it) gzipped once
 * per object rather than once per request.
 */
export function sendSerializedOnce(req: FastifyRequest, reply: FastifyReply, payload: object): FastifyReply {
  let body = bodies.get(payload)
  if (body === undefined) {
    const serialize = reply.getSerializationFunction('200')
    body = { plain: Buffer.from(serialize ? serialize(payload as Record<string, unknown>) : JSON.stringify(payload)), gzip: null }
    bodies.set(payload, body)
  }
  reply.type('application/json; charset=utf-8').header('vary', 'accept-encoding')
  if (body.plain.length >= GZIP_FROM_BYTES && acceptsGzip(req)) {
    body.gzip ??= zlib.gzipSync(body.plain, { level: 6 })
    return reply.header('content-encoding', 'gzip').send(body.gzip)
  }
  return reply.send(body.plain)
}

/** Sends an answer that is already JSON text (serialized once for another use too) as it is. */
export function sendJsonText(reply: FastifyReply, status: number, text: string): FastifyReply {
  return reply.status(status).type('application/json; charset=utf-8').send(text)
}
