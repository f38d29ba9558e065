import type { CookieSerializeOptions } from '@fastify/cookie'
import type { Config } from '../../config.js'
import { AppError } from '../errors.js'
import type { App } from '../types.js'
import { anonymousActor, canAnywhere } from '../../modules/access/service.js'
import { resolveSessionCached, type ResolvedSession } from '../../modules/accounts/service.js'
import { VersionedCache } from '../../lib/versioned-cache.js'
import { safeEqual } from '../../lib/tokens.js'
import { requestLang } from './errors.js'

export const SESSION_COOKIE = 'chorus_session'
export const CSRF_HEADER = 'x-csrf-token'

export const sessionCookieOptions = (config: Pick<Config, 'secureCookies'>): CookieSerializeOptions => ({
  path: '/', httpOnly: true, sameSite: 'lax', secure: config.secureCookies,
})

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * Every request gets an actor: the session's account with its grants, or an anonymous one.
 * Routes that are not public need a session; writes need the session's CSRF token;
 * the declared action is checked against the roles before the handler runs.
 */
export function registerSession(app: App): void {
  app.decorateRequest('actor', null as never)
  const sessions = new VersionedCache<ResolvedSession>(10_000)
  const resolveSession = (token: string) => resolveSessionCached(app.dbHandle, sessions, token, app.config)

  app.addHook('onRequest', async (req) => {
    const lang = requestLang(req)
    req.actor = anonymousActor(req.ip, req.id, lang)
    const action = req.routeOptions.config.action
    if (action === undefined || action === 'public') {
      // Public routes still see who is logged in (a worker may use a resident page).
      const token = req.cookies[SESSION_COOKIE]
      if (token && action === 'public') {
        const session = await resolveSession(token)
        if (session) req.actor = { ...req.actor, accountId: session.accountId, username: session.username, displayName: session.displayName, grants: session.grants, sessionId: session.sessionId }
      }
      return
    }
    const token = req.cookies[SESSION_COOKIE]
    if (!token) throw new AppError('unauthenticated')
    const session = await resolveSession(token)
    if (!session) throw new AppError('session_expired')
    if (!SAFE_METHODS.has(req.method) && !req.routeOptions.config.csrfExempt) {
      const sent = req.headers[CSRF_HEADER]
      if (typeof sent !== 'string' || !safeEqual(sent, session.csrfToken)) throw new AppError('csrf_token_invalid')
    }
    // An account given a password by an administrator must choose its own before doing anything else.
    if (session.mustChangePassword && !req.routeOptions.config.beforePasswordChange) throw new AppError('password_change_required')
    req.actor = {
      accountId: session.accountId, username: session.username, displayName: session.displayName,
      grants: session.grants, sessionId: session.sessionId, ip: req.ip, requestId: req.id, lang,
    }
  })

  // After validation, so the ladder is 401 → 400 → 403: the role must allow the action somewhere.
  app.addHook('preHandler', (req, _reply, done) => {
    const action = req.routeOptions.config.action
    if (action === undefined || action === 'public' || action === 'authenticated') return done()
    done(canAnywhere(req.actor, action) ? undefined : new AppError('forbidden', { action }))
  })
}
