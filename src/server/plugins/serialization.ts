import { SerializerSelector } from '@fastify/fast-json-stringify-compiler'
import type { FastifySerializerCompiler } from 'fastify/types/schema.js'
import { ErrorBody } from '../schemas.js'

type Serialize = (data: unknown) => string

// One fast-json-stringify factory for the process, knowing the shared ErrorBody schema.
const build = SerializerSelector()({ ErrorBody: ErrorBody }, {}) as (route: { schema: unknown; method: string; url: string; httpStatus: string }) => Serialize
const compiled = new Map<string, Serialize>()

/**
 * Response serializers are pure functions of their schema, so each schema is compiled once per
 * process rather than once per app: building an app (every test builds one) drops from about half
 * a second to a few milliseconds of schema work.
 */
export const serializerCompiler: FastifySerializerCompiler<unknown> = (route) => {
  const key = JSON.stringify(route.schema)
  let serialize = compiled.get(key)
  if (!serialize) {
    serialize = build(route as never)
    compiled.set(key, serialize)
  }
  return serialize
}
