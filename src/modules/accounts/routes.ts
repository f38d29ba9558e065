import type { App } from '../../server/types.js'
import { IdParams, Ok } from '../../server/schemas.js'
import { SESSION_COOKIE, sessionCookieOptions } from '../../server/plugins/session.js'
import {
  AccountPage, AccountQuery, AccountView, ChangePasswordInput, CreateAccountInput, LoginInput, MeView,
  ResetPasswordInput, RoleCatalog, SetGrantsInput, UpdateAccountInput,
} from './schema.js'
import * as service from './service.js'

const tags = ['auth']

export function accountRoutes(app: App): void {
  app.post('/api/auth/login', {
    schema: { summary: 'Log in with username and password; sets the session cookie', tags, body: LoginInput, response: { 200: MeView } },
    config: { action: 'public' },
  }, async (req, reply) => {
    const result = await service.login(app.db, req.actor, req.body, app.config, req.headers['user-agent'] ?? null)
    reply.setCookie(SESSION_COOKIE, result.sessionToken, { ...sessionCookieOptions(app.config), maxAge: result.maxAgeSeconds })
    return result.me
  })

  app.post('/api/auth/logout', {
    schema: { summary: 'End the current session', tags, response: { 200: Ok } },
    config: { action: 'authenticated', beforePasswordChange: true },
  }, async (req, reply) => {
    const result = await service.logout(app.db, req.actor)
    reply.clearCookie(SESSION_COOKIE, sessionCookieOptions(app.config))
    return result
  })

  app.get('/api/auth/me', {
    schema: { summary: 'The logged-in account, its grants and the CSRF token', tags, response: { 200: MeView } },
    config: { action: 'authenticated', beforePasswordChange: true },
  }, (req) => service.me(app.db, req.actor))

  app.post('/api/auth/password', {
    schema: { summary: 'Change your own password (other sessions end)', tags, body: ChangePasswordInput, response: { 200: Ok } },
    config: { action: 'authenticated', beforePasswordChange: true },
  }, (req) => service.changePassword(app.db, req.actor, req.body))

  app.get('/api/access/roles', {
    schema: { summary: 'Roles and the actions each allows', tags: ['accounts'], response: { 200: RoleCatalog } },
    config: { action: 'authenticated' },
  }, () => service.roleCatalog())

  app.get('/api/accounts', {
    schema: { summary: 'List accounts with grants inside your subtree', tags: ['accounts'], querystring: AccountQuery, response: { 200: AccountPage } },
    config: { action: 'accounts.read' },
  }, (req) => service.listAccounts(app.db, req.actor, req.query))

  app.post('/api/accounts', {
    schema: { summary: 'Create an account (it must change its password at first login)', tags: ['accounts'], body: CreateAccountInput, response: { 201: AccountView } },
    config: { action: 'accounts.manage' },
  }, async (req, reply) => reply.status(201).send(await service.createAccount(app.db, req.actor, req.body)))

  app.get('/api/accounts/:id', {
    schema: { summary: 'One account', tags: ['accounts'], params: IdParams, response: { 200: AccountView } },
    config: { action: 'accounts.read' },
  }, (req) => service.getAccount(app.db, req.actor, req.params.id))

  app.patch('/api/accounts/:id', {
    schema: { summary: 'Rename, disable or re-enable an account', tags: ['accounts'], params: IdParams, body: UpdateAccountInput, response: { 200: AccountView } },
    config: { action: 'accounts.manage' },
  }, (req) => service.updateAccount(app.db, req.actor, req.params.id, req.body))

  app.post('/api/accounts/:id/reset-password', {
    schema: { summary: 'Set a new password for an account', tags: ['accounts'], params: IdParams, body: ResetPasswordInput, response: { 200: Ok } },
    config: { action: 'accounts.manage' },
  }, (req) => service.resetPassword(app.db, req.actor, req.params.id, req.body))

  app.put('/api/accounts/:id/grants', {
    schema: { summary: "Replace an account's grants", tags: ['accounts'], params: IdParams, body: SetGrantsInput, response: { 200: AccountView } },
    config: { action: 'accounts.manage' },
  }, (req) => service.setGrants(app.db, req.actor, req.params.id, req.body))
}

