/**
 * The two wire formats of GeoReport v2. The XML is schemaless, without a namespace, UTF-8 with the
 * declaration; JSON is its Spark-convention mapping: a list element becomes an array of its items
 * (`<services><service>…</service></services>` ⇄ `[{…}]`), an element holding elements an object.
 */

export type Format = 'json' | 'xml'
export const formats: readonly Format[] = ['json', 'xml']

export const contentType: Record<Format, string> = {
  json: 'application/json; charset=utf-8',
  xml: 'text/xml; charset=utf-8',
}

/** The element name of one item of each list element (Spark convention, as the specification names them). */
const itemNames: Record<string, string> = {
  services: 'service',
  service_requests: 'request',
  service_request_updates: 'request_update',
  errors: 'error',
  endpoints: 'endpoint',
  formats: 'format',
  attributes: 'attribute',
  values: 'value',
}

// Characters XML 1.0 cannot carry at all (control characters, lone surrogates, U+FFFE/U+FFFF) are dropped.
// eslint-disable-next-line no-control-regex
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

export const escapeXml = (text: string): string =>
  text.replace(NOT_XML, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

type Value = string | number | boolean | null | undefined | readonly Value[] | { readonly [key: string]: Value }

function element(name: string, value: Value, indent: string, out: string[]): void {
  if (value === null || value === undefined) {
    out.push(`${indent}<${name}></${name}>`)
    return
  }
  if (Array.isArray(value)) {
    const item = itemNames[name]
    if (!item) throw new Error(`no item element is defined for the list ${name}`)
    if (value.length === 0) {
      out.push(`${indent}<${name}></${name}>`)
      return
    }
    out.push(`${indent}<${name}>`)
    for (const v of value as readonly Value[]) element(item, v, indent + '  ', out)
    out.push(`${indent}</${name}>`)
    return
  }
  if (typeof value === 'object') {
    out.push(`${indent}<${name}>`)
    for (const [key, v] of Object.entries(value as { readonly [key: string]: Value })) element(key, v, indent + '  ', out)
    out.push(`${indent}</${name}>`)
    return
  }
  out.push(`${indent}<${name}>${escapeXml(String(value))}</${name}>`)
}

/** One XML document: the declaration, then the root element holding the value. */
export function toXml(root: string, value: Value): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>']
  element(root, value, '', out)
  return out.join('\n') + '\n'
}

/** Renders a document in the asked format; JSON bodies are returned as objects for the route's schema to serialize. */
export const render = (format: Format, root: string, value: Value): string | Value => (format === 'xml' ? toXml(root, value) : value)

export interface Open311Error {
  code: number
  description: string
}

/** An errors document, always pre-serialized (it bypasses the route's success schemas). */
export const renderErrors = (format: Format, errors: Open311Error[]): string =>
  format === 'xml' ? toXml('errors', errors as unknown as Value) : JSON.stringify(errors)

/** The format an address asks for: its last path segment ends in .xml or .json (JSON when it says neither). */
export function formatOfUrl(url: string): Format {
  const path = url.split('?')[0] ?? ''
  return path.toLowerCase().endsWith('.xml') ? 'xml' : 'json'
}
