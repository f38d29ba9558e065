import type { CookieSerializeOptions } from '@fastify/cookie'
import type { FastifyContextConfig, FastifyRequest, preHandlerHookHandler } from 'fastify'
import type { Config } from '../../config.js'
import { AppError } from '../errors.js'
import type { App } from '../types.js'
import { anonymousActor, canAnywhere } from '../../modules/access/service.js'
import { cachedSession, resolveSessionCached, type ResolvedSession } from '../../modules/accounts/service.js'
import { VersionedCache } from '../../lib/versioned-cache.js'
import { safeEqual } from '../../lib/tokens.js'
import { requestLang } from './errors.js'

export const SESSION_COOKIE = 'chorus_session'
export const CSRF_HEADER = 'x-csrf-token'

export const sessionCookieOptions = (config: Pick<Config, 'secureCookies'>): CookieSerializeOptions => ({
  path: '/', httpOnly: true, sameSite: 'lax', secure: config.secureCookies,
})

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

type Lang = 'zh' | 'en'

const sessionActor = (req: FastifyRequest, session: ResolvedSession, lang: Lang) => ({
  accountId: session.accountId, username: session.username, displayName: session.displayName,
  grants: session.grants, sessionId: session.sessionId, ip: req.ip, requestId: req.id, lang,
})

/** A refused request keeps an anonymous actor, as every request has one. */
function refuse<E extends Error>(req: FastifyRequest, lang: Lang, error: E): E {
  req.actor = anonymousActor(req.ip, req.id, lang)
  return error
}

/** The session's actor on a route that needs one, or why the request may not go on. */
function admit(req: FastifyRequest, config: FastifyContextConfig, lang: Lang, session: ResolvedSession | null): AppError | undefined {
  if (!session) return refuse(req, lang, new AppError('session_expired'))
  if (!SAFE_METHODS.has(req.method) && !config.csrfExempt) {
    const sent = req.headers[CSRF_HEADER]
    if (typeof sent !== 'string' || !safeEqual(sent, session.csrfToken)) return refuse(req, lang, new AppError('csrf_token_invalid'))
  }
  // An account given a password by an administrator must choose its own before doing anything else.
  if (session.mustChangePassword && !config.beforePasswordChange) return refuse(req, lang, new AppError('password_change_required'))
  req.actor = sessionActor(req, session, lang)
  return undefined
}

/**
 * Every request gets an actor: the session's account with its grants, or an anonymous one.
 * Routes that are not public need a session; writes need the session's CSRF token;
 * the declared action is checked against the roles before the handler runs.
 */
export function registerSession(app: App): void {
  app.decorateRequest('actor', null as never)
  app.decorateRequest('dataVersion', null)
  const sessions = new VersionedCache<ResolvedSession>(10_000)

  /**
   * The cookie's session, then `use(session)`; `fail(err)` when the database fails. The data version is read
   * once per request: a session answered from memory leaves it on the request for the request's own reads.
   * Callbacks rather than an async function: a request answered from memory takes one promise, not several.
   */
  const withSession = (req: FastifyRequest, token: string, use: (session: ResolvedSession | null) => void, fail: (err: Error) => void) => {
    app.dbHandle.dataVersion().then((version) => {
      const hit = cachedSession(sessions, token, version)
      if (hit) {
        req.dataVersion = version
        use(hit)
        return
      }
      // The database may write here (a sliding touch), so this request's later reads take a version of their own.
      resolveSessionCached(app.dbHandle, sessions, token, app.config, version).then(use, fail)
    }, fail)
  }

  app.addHook('onRequest', (req, _reply, done) => {
    const lang = requestLang(req)
    const config = req.routeOptions.config
    const action = config.action
    if (action === undefined || action === 'public') {
      req.actor = anonymousActor(req.ip, req.id, lang)
      // Public routes still see who is logged in (a worker may use a resident page).
      const token = action === 'public' ? req.cookies[SESSION_COOKIE] : undefined
      if (!token) return done()
      return withSession(req, token, (session) => {
        if (session) req.actor = sessionActor(req, session, lang)
        done()
      }, done)
    }
    const token = req.cookies[SESSION_COOKIE]
    if (!token) return done(refuse(req, lang, new AppError('unauthenticated')))
    withSession(req, token, (session) => done(admit(req, config, lang, session)), (err) => done(refuse(req, lang, err)))
  })

  // After validation, so the ladder is 401 → 400 → 403: the role must allow the action somewhere.
  // Added to each route whose action names a permission, with that action at hand (no lookup per request).
  app.addHook('onRoute', (route) => {
    const action = route.config?.action
    if (action === undefined || action === 'public' || action === 'authenticated') return
    const allowed: preHandlerHookHandler = (req, _reply, done) => done(canAnywhere(req.actor, action) ? undefined : new AppError('forbidden', { action }))
    const own = route.preHandler === undefined ? [] : Array.isArray(route.preHandler) ? route.preHandler : [route.preHandler]
    route.preHandler = [allowed, ...own] as typeof route.preHandler
  })
}
