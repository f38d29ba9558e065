import type { App } from '../types.js'

// Ant Design writes inline styles (CSS-in-JS); scripts come only from our own origin.
const APP_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ')

// API answers (JSON, spreadsheets, photos, Open311 XML) are never documents: they load and frame nothing
// (OWASP's REST headers). The shorter set is also a few hundred bytes less on every API answer.
const API_CSP = "default-src 'none'; frame-ancestors 'none'"

const isApi = (url: string) => url.startsWith('/api/') || url.startsWith('/open311/')

export function registerSecurityHeaders(app: App): void {
  // A plain callback, not async: it runs on every answer.
  app.addHook('onSend', (req, reply, payload, done) => {
    reply.header('x-request-id', req.id)
    reply.header('x-content-type-options', 'nosniff')
    reply.header('x-frame-options', 'DENY')
    const api = isApi(req.url)
    if (!api) {
      reply.header('referrer-policy', 'same-origin')
      reply.header('cross-origin-opener-policy', 'same-origin')
      reply.header('permissions-policy', 'geolocation=(self), camera=(self), microphone=()')
    }
    // Swagger UI sets its own (hash-based) policy for its page.
    if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', api ? API_CSP : APP_CSP)
    if (api && !reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store')
    done(null, payload)
  })
}
