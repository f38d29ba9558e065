/**
 * The one way the web app talks to the API: openapi-fetch over the generated `paths` types, so a
 * changed route breaks the build, not the page. Every failure is thrown as an ApiError.
 */
import createClient, { type Middleware } from 'openapi-fetch'
import type { components, paths } from './schema'

export type { paths }
export type ErrorBody = components['schemas']['ErrorBody']

type JsonOf<R> = R extends { content: { 'application/json': infer B } } ? B : never
type Operation<P extends keyof paths, M extends keyof paths[P]> = paths[P][M]

/** The JSON a route answers with on success (200 or 201). */
export type ApiResult<P extends keyof paths, M extends keyof paths[P]> =
  Operation<P, M> extends { responses: infer R }
    ? R extends { 200: infer Ok } ? JsonOf<Ok> : R extends { 201: infer Created } ? JsonOf<Created> : never
    : never
/** The query-string parameters of a route. */
export type ApiQuery<P extends keyof paths, M extends keyof paths[P]> =
  Operation<P, M> extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never
/** The JSON body a route accepts. */
export type ApiBody<P extends keyof paths, M extends keyof paths[P]> =
  Operation<P, M> extends { requestBody?: infer B } ? JsonOf<NonNullable<B>> : never

export type MeView = ApiResult<'/api/auth/me', 'get'>
export type Grant = MeView['grants'][number]
export type Role = Grant['role']
export type AccountView = ApiResult<'/api/accounts/{id}', 'get'>
export type UnitView = ApiResult<'/api/units/{id}', 'get'>
/** A unit as lists and searches return it (lighter than UnitView). */
export type UnitSummary = ApiResult<'/api/units', 'get'>['items'][number]
export type AuditEntryView = ApiResult<'/api/audit', 'get'>['items'][number]

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown = null,
    readonly requestId: string | null = null,
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

export type ApiLanguage = 'zh' | 'en'

// Session-scoped state lives in memory only: the CSRF token must never reach localStorage.
let csrfToken: string | null = null
let language: ApiLanguage = 'zh'
const unauthorizedListeners = new Set<(error: ApiError) => void>()

export const setCsrfToken = (token: string | null): void => {
  csrfToken = token
}
export const setApiLanguage = (lang: ApiLanguage): void => {
  language = lang
}
/** Called on every 401 (except a failed login, which the login page shows itself). */
export function onUnauthorized(listener: (error: ApiError) => void): () => void {
  unauthorizedListeners.add(listener)
  return () => unauthorizedListeners.delete(listener)
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])
const NO_REDIRECT_ON_401 = new Set(['/api/auth/login'])

const fallbackMessages: Record<ApiLanguage, { network: string; http: (status: number) => string }> = {
  zh: { network: '无法连接服务器,请检查网络后重试。', http: (status) => `服务器返回了错误(HTTP ${status})。` },
  en: { network: 'Cannot reach the server; check the network and try again.', http: (status) => `The server answered with an error (HTTP ${status}).` },
}

function isErrorBody(value: unknown): value is ErrorBody {
  if (typeof value !== 'object' || value === null || !('error' in value)) return false
  const error = value.error
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' && 'message' in error && typeof error.message === 'string'
}

async function toApiError(response: Response): Promise<ApiError> {
  let body: unknown = null
  try {
    body = await response.clone().json()
  } catch {
    // Not JSON (a proxy's error page, say): fall back to the status.
  }
  if (isErrorBody(body)) {
    const { code, message, details, requestId } = body.error
    return new ApiError(response.status, code, message, details ?? null, requestId ?? null)
  }
  return new ApiError(response.status, `http_${response.status}`, fallbackMessages[language].http(response.status))
}

const chorusMiddleware: Middleware = {
  onRequest({ request }) {
    request.headers.set('Accept-Language', language === 'en' ? 'en' : 'zh-CN')
    if (!SAFE_METHODS.has(request.method) && csrfToken) request.headers.set('X-CSRF-Token', csrfToken)
    return request
  },
  async onResponse({ response, schemaPath }) {
    if (response.ok) return response
    const error = await toApiError(response)
    if (response.status === 401 && !NO_REDIRECT_ON_401.has(schemaPath)) {
      for (const listener of unauthorizedListeners) listener(error)
    }
    throw error
  },
  onError({ error }) {
    if (error instanceof ApiError) return error
    // A cancelled request stays a cancellation, so callers can ignore it.
    if (error instanceof DOMException && error.name === 'AbortError') return error
    return new ApiError(0, 'network_error', fallbackMessages[language].network)
  },
}

export const api = createClient<paths>({ baseUrl: '', credentials: 'same-origin' })
api.use(chorusMiddleware)

/**
 * Awaits an api call and returns its data; failures have already been thrown as ApiError.
 * `const page = await unwrap(api.GET('/api/accounts', { params: { query } }))`
 */
export async function unwrap<T>(pending: Promise<{ data?: T; response: Response }>): Promise<T> {
  const { data, response } = await pending
  if (data === undefined) throw new ApiError(response.status, 'empty_response', fallbackMessages[language].http(response.status))
  return data
}

/** The message to show a person for any thrown value. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message
  if (error instanceof Error) return error.message
  return String(error)
}
