import { Ajv, type ValidateFunction } from 'ajv'
import addFormats from 'ajv-formats'
import type { FastifySchema, FastifySchemaCompiler } from 'fastify'

/**
 * Bodies are validated strictly: wrong types are errors, never coerced, and unknown fields are
 * rejected rather than silently dropped. Query strings and path parameters arrive as text, so
 * they are coerced to the declared types.
 */
const strict = new Ajv({ allErrors: true, removeAdditional: false, useDefaults: true, coerceTypes: false, strict: false })
const coercing = new Ajv({ allErrors: true, removeAdditional: false, useDefaults: true, coerceTypes: 'array', strict: false })
for (const ajv of [strict, coercing]) addFormats.default(ajv)

export const validatorCompiler: FastifySchemaCompiler<FastifySchema> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'body' ? strict : coercing
  const compiled: ValidateFunction = ajv.compile(schema)
  return compiled as never
}
