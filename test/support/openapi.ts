/** Walks the OpenAPI document the app serves: operations, and sample values built from schemas. */
export interface Operation {
  method: string
  path: string
  url: string
  action: string | undefined
  op: Record<string, any>
  bodySchema: Record<string, any> | null
  querySchema: { name: string; schema: Record<string, any> }[]
  hasPathParams: boolean
  bodyIsJson: boolean
}

export function operationsOf(doc: any): Operation[] {
  const ops: Operation[] = []
  for (const [path, item] of Object.entries<Record<string, any>>(doc.paths)) {
    for (const [method, op] of Object.entries<Record<string, any>>(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue
      const content = op.requestBody?.content ?? {}
      const json = content['application/json']
      ops.push({
        method: method.toUpperCase(),
        path,
        url: path.replace(/\{[^}]+\}/g, '1'),
        action: op['x-action'],
        op,
        bodySchema: json?.schema ?? null,
        bodyIsJson: Boolean(json),
        querySchema: (op.parameters ?? []).filter((p: any) => p.in === 'query').map((p: any) => ({ name: p.name, schema: p.schema })),
        hasPathParams: /\{[^}]+\}/.test(path),
      })
    }
  }
  return ops
}

/** A value of the wrong JSON type for a schema. */
export function wrongTypeFor(schema: Record<string, any>): unknown {
  const type = schema.type ?? (schema.enum ? typeof schema.enum[0] : schema.anyOf ? 'union' : 'unknown')
  switch (type) {
    case 'string': return { not: 'a string' }
    case 'integer':
    case 'number': return 'not-a-number'
    case 'boolean': return 'not-a-boolean'
    case 'array': return 'not-an-array'
    case 'object': return 12345
    case 'union': return { surely: ['not', 'allowed'] }
    default: return undefined
  }
}

/** A minimal value that satisfies common schemas (good enough to get past validation for most routes). */
export function sampleFor(schema: Record<string, any> | undefined, doc?: any): unknown {
  if (!schema) return null
  if (schema.$ref && doc) return sampleFor(resolveRef(doc, schema.$ref), doc)
  if (schema.default !== undefined) return schema.default
  if (schema.const !== undefined) return schema.const
  if (schema.enum) return schema.enum[0]
  if (schema.anyOf) return sampleFor(schema.anyOf[0], doc)
  if (schema.allOf) return Object.assign({}, ...schema.allOf.map((s: any) => sampleFor(s, doc)))
  switch (schema.type) {
    case 'string':
      if (schema.format === 'date-time') return '2026-01-01T00:00:00.000Z'
      if (schema.format === 'date') return '2026-01-01'
      if (schema.pattern) return null
      return 'x'.repeat(Math.max(schema.minLength ?? 1, 1))
    case 'integer':
    case 'number': return Math.max(schema.minimum ?? 1, 1)
    case 'boolean': return true
    case 'array': return []
    case 'object': {
      const out: Record<string, unknown> = {}
      for (const key of schema.required ?? []) out[key] = sampleFor(schema.properties?.[key], doc)
      return out
    }
    default: return null
  }
}

function resolveRef(doc: any, ref: string): any {
  const name = ref.replace(/^#\/components\/schemas\//, '')
  return doc.components?.schemas?.[name]
}
