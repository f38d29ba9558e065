import type { Db, DbHandle } from '../../db/connect.js'
import type { Config } from '../../config.js'
import { AppError } from '../../server/errors.js'
import { addMinutes, nowIso } from '../../lib/time.js'
import { randomToken, sha256 } from '../../lib/tokens.js'
import { dummyPasswordHash, generatePassword, hashPassword, passwordProblem, verifyPassword } from '../../lib/passwords.js'
import { pageOf } from '../../lib/paging.js'
import type { VersionedCache } from '../../lib/versioned-cache.js'
import { recordAudit } from '../audit/service.js'
import { can, subtreeFilter, systemActor, unitPaths, type Actor, type ActorGrant } from '../access/service.js'
import { allActions, isRole, roleAllows, rolePermissions, roles, type Role } from '../access/roles.js'
import { afterFailedLogin, afterSuccessfulLogin, isLocked } from './lockout.js'
import * as store from './store.js'
import type {
  AccountQuery, AccountView, ChangePasswordInput, CreateAccountInput, GrantInput, LoginInput, MeView,
  ResetPasswordInput, SetGrantsInput, UpdateAccountInput,
} from './schema.js'

type SessionConfig = Pick<Config, 'sessionIdleMinutes' | 'sessionAbsoluteMinutes'>

export interface LoginResult {
  me: MeView
  sessionToken: string
  maxAgeSeconds: number
}

const toActorGrants = (rows: store.GrantRow[]): ActorGrant[] =>
  rows.filter((g) => isRole(g.role)).map((g) => ({ role: g.role as Role, unitId: g.unitId, unitPath: g.unitPath, unitName: g.unitName }))

const actionsOf = (grants: ActorGrant[]): string[] => allActions.filter((a) => grants.some((g) => roleAllows(g.role, a)))

function assertPasswordPolicy(username: string, password: string): void {
  const problem = passwordProblem(username, password)
  if (problem) throw new AppError('password_too_weak', { problem })
}

/** Logs in: checks the lock first, counts failures, and on success opens a session stored in the database. */
export async function login(db: Db, actor: Actor, input: LoginInput, config: SessionConfig, userAgent: string | null): Promise<LoginResult> {
  const now = nowIso()
  const account = await store.findAccountByUsername(db, input.username)
  if (!account) {
    await verifyPassword(input.password, await dummyPasswordHash())
    throw new AppError('invalid_credentials')
  }
  const state = { failedLogins: account.failed_logins, failedWindowStart: account.failed_window_start, lockedUntil: account.locked_until }
  if (isLocked(state, now)) throw new AppError('account_locked', { lockedUntil: state.lockedUntil })

  if (!(await verifyPassword(input.password, account.password_hash))) {
    const next = afterFailedLogin(state, now)
    await db.transaction().execute(async (trx) => {
      await store.updateAccount(trx, account.id, { failed_logins: next.failedLogins, failed_window_start: next.failedWindowStart, locked_until: next.lockedUntil })
      await recordAudit(trx, { ...actor, username: account.username }, {
        action: next.lockedUntil ? 'auth.locked' : 'auth.login_failed', entityType: 'account', entityId: account.id,
        after: next.lockedUntil ? { lockedUntil: next.lockedUntil } : { failedLogins: next.failedLogins },
      })
    })
    // This attempt is still a wrong password; the lock answers from the next attempt on.
    throw new AppError('invalid_credentials', next.lockedUntil ? { lockedUntil: next.lockedUntil } : undefined)
  }
  if (account.status !== 'active') throw new AppError('account_disabled')

  const token = randomToken()
  const csrfToken = randomToken(24)
  const absoluteExpires = addMinutes(now, config.sessionAbsoluteMinutes)
  await db.transaction().execute(async (trx) => {
    const reset = afterSuccessfulLogin()
    await store.updateAccount(trx, account.id, { failed_logins: reset.failedLogins, failed_window_start: null, locked_until: null, last_login_at: now })
    await store.insertSession(trx, {
      id: sha256(token), account_id: account.id, csrf_token: csrfToken, ip: actor.ip, user_agent: userAgent?.slice(0, 300) ?? null,
      created_at: now, last_seen_at: now, idle_expires_at: addMinutes(now, config.sessionIdleMinutes), absolute_expires_at: absoluteExpires,
    })
    await recordAudit(trx, { ...actor, accountId: account.id, username: account.username }, { action: 'auth.login', entityType: 'account', entityId: account.id })
  })
  const grants = toActorGrants(await store.findGrants(db, [account.id]))
  return {
    sessionToken: token,
    maxAgeSeconds: config.sessionAbsoluteMinutes * 60,
    me: {
      id: account.id, username: account.username, displayName: account.display_name,
      grants: grants.map(({ role, unitId, unitName }) => ({ role, unitId, unitName })),
      actions: actionsOf(grants), csrfToken, mustChangePassword: account.must_change_password === 1,
    },
  }
}

export interface ResolvedSession {
  sessionId: string
  accountId: number
  username: string
  displayName: string
  csrfToken: string
  mustChangePassword: boolean
  grants: ActorGrant[]
  /** Until when (epoch ms) this answer holds while the database is unchanged: the earlier of its expiries and its next sliding touch. */
  reusableUntil: number
}

const TOUCH_EVERY_MS = 60_000

/** Turns a cookie token into the session's account and grants; null when unknown, expired or disabled. */
export async function resolveSession(db: Db, token: string, config: SessionConfig): Promise<ResolvedSession | null> {
  const id = sha256(token)
  const row = await store.findSessionWithAccount(db, id)
  if (!row) return null
  const now = nowIso()
  if (row.idle_expires_at <= now || row.absolute_expires_at <= now || row.status !== 'active') {
    await store.deleteSession(db, id)
    return null
  }
  // Sliding idle expiry, written at most once a minute per session.
  let lastSeen = Date.parse(row.last_seen_at)
  let idleExpires = row.idle_expires_at
  if (Date.parse(now) - lastSeen > TOUCH_EVERY_MS) {
    idleExpires = addMinutes(now, config.sessionIdleMinutes)
    await store.touchSession(db, id, now, idleExpires)
    lastSeen = Date.parse(now)
  }
  const grants = toActorGrants(await store.findGrants(db, [row.account_id]))
  return {
    sessionId: id, accountId: row.account_id, username: row.username, displayName: row.display_name,
    csrfToken: row.csrf_token, mustChangePassword: row.must_change_password === 1, grants,
    reusableUntil: Math.min(Date.parse(idleExpires), Date.parse(row.absolute_expires_at), lastSeen + TOUCH_EVERY_MS + 1),
  }
}

/** The session kept for this token under this data version, while it still holds; no database work. */
export function cachedSession(cache: VersionedCache<ResolvedSession>, token: string, version: string): ResolvedSession | undefined {
  // Keyed by the token itself (this process holds it anyway): no hash on the hot path.
  const hit = cache.get(token, version)
  return hit && Date.now() < hit.reusableUntil ? hit : undefined
}

/**
 * resolveSession, answered from memory while the database is unchanged since the session was read
 * (a logout, a disabled account or a changed grant anywhere is a write, so it takes effect at once)
 * and until the session's expiry or next touch.
 */
export async function resolveSessionCached(
  handle: Pick<DbHandle, 'db' | 'dataVersion'>, cache: VersionedCache<ResolvedSession>, token: string, config: SessionConfig,
  /** handle.dataVersion() when the caller has just read it (the session plugin reads it once per request). */
  readVersion?: string,
): Promise<ResolvedSession | null> {
  const version = readVersion ?? await handle.dataVersion()
  const hit = cachedSession(cache, token, version)
  if (hit) return hit
  const session = await resolveSession(handle.db, token, config)
  if (session) cache.set(token, version, session)
  else cache.delete(token)
  return session
}

export async function me(db: Db, actor: Actor): Promise<MeView> {
  const account = await store.findAccountById(db, actor.accountId as number)
  const session = actor.sessionId ? await store.findSessionWithAccount(db, actor.sessionId) : undefined
  if (!account || !session) throw new AppError('unauthenticated')
  return {
    id: account.id, username: account.username, displayName: account.display_name,
    grants: actor.grants.map(({ role, unitId, unitName }) => ({ role, unitId, unitName })),
    actions: actionsOf(actor.grants), csrfToken: session.csrf_token, mustChangePassword: account.must_change_password === 1,
  }
}

export async function logout(db: Db, actor: Actor): Promise<{ ok: true }> {
  await db.transaction().execute(async (trx) => {
    if (actor.sessionId) await store.deleteSession(trx, actor.sessionId)
    await recordAudit(trx, actor, { action: 'auth.logout', entityType: 'account', entityId: actor.accountId })
  })
  return { ok: true }
}

/** Changes the caller's own password; every other session of the account ends. */
export async function changePassword(db: Db, actor: Actor, input: ChangePasswordInput): Promise<{ ok: true }> {
  const account = await store.findAccountById(db, actor.accountId as number)
  if (!account) throw new AppError('unauthenticated')
  if (!(await verifyPassword(input.currentPassword, account.password_hash))) throw new AppError('wrong_password')
  assertPasswordPolicy(account.username, input.newPassword)
  const hash = await hashPassword(input.newPassword)
  const now = nowIso()
  await db.transaction().execute(async (trx) => {
    await store.updateAccount(trx, account.id, { password_hash: hash, password_changed_at: now, must_change_password: 0, updated_at: now })
    await store.deleteSessionsOfAccount(trx, account.id, actor.sessionId)
    await recordAudit(trx, actor, { action: 'auth.password_changed', entityType: 'account', entityId: account.id })
  })
  return { ok: true }
}

// --- administration -------------------------------------------------------------------------

/** An account is within the actor's reach when every one of its grants lies in a subtree the actor manages. */
function canManageGrants(actor: Actor, grants: { unitPath: string | null }[]): boolean {
  const scope = subtreeFilter(actor, 'accounts.manage')
  if (scope.all) return true
  if (grants.length === 0) return false
  return grants.every((g) => g.unitPath !== null && can(actor, 'accounts.manage', g.unitPath))
}

async function loadManageable(db: Db, actor: Actor, id: number) {
  const account = await store.findAccountById(db, id)
  if (!account) throw new AppError('account_not_found')
  const grants = await store.findGrants(db, [id])
  if (!canManageGrants(actor, grants)) throw new AppError('forbidden', { action: 'accounts.manage' })
  return { account, grants }
}

/** Resolves and checks the requested grants: every unit must exist and lie inside the actor's subtree. */
async function checkedGrants(db: Db, actor: Actor, input: GrantInput[]): Promise<{ role: string; unitId: number | null }[]> {
  const unitIds = input.map((g) => g.unitId).filter((u): u is number => u !== null)
  const paths = await unitPaths(db, unitIds)
  for (const g of input) {
    if (g.unitId === null) {
      if (!subtreeFilter(actor, 'accounts.manage').all) throw new AppError('forbidden', { grant: g })
      continue
    }
    const path = paths.get(g.unitId)
    if (path === undefined) throw new AppError('unit_not_found', { unitId: g.unitId })
    if (!can(actor, 'accounts.manage', path)) throw new AppError('forbidden', { grant: g })
  }
  const seen = new Set<string>()
  return input.filter((g) => {
    const key = `${g.role}@${g.unitId}`
    return seen.has(key) ? false : (seen.add(key), true)
  })
}

function toAccountView(a: NonNullable<Awaited<ReturnType<typeof store.findAccountById>>>, grants: store.GrantRow[], now: string): AccountView {
  return {
    id: a.id, username: a.username, displayName: a.display_name, status: a.status === 'disabled' ? 'disabled' : 'active',
    locked: a.locked_until !== null && a.locked_until > now, mustChangePassword: a.must_change_password === 1,
    lastLoginAt: a.last_login_at, createdAt: a.created_at,
    grants: grants.filter((g) => g.accountId === a.id && isRole(g.role)).map((g) => ({ role: g.role as Role, unitId: g.unitId, unitName: g.unitName })),
  }
}

export async function listAccounts(db: Db, actor: Actor, query: AccountQuery) {
  const { rows, total } = await store.listAccounts(
    db, { scope: subtreeFilter(actor, 'accounts.read'), q: query.q ?? null, role: query.role ?? null, status: query.status ?? null }, pageOf(query),
  )
  const grants = await store.findGrants(db, rows.map((r) => r.id))
  const now = nowIso()
  return { total, items: rows.map((r) => toAccountView(r, grants, now)) }
}

export async function getAccount(db: Db, actor: Actor, id: number): Promise<AccountView> {
  const account = await store.findAccountById(db, id)
  if (!account) throw new AppError('account_not_found')
  const grants = await store.findGrants(db, [id])
  const scope = subtreeFilter(actor, 'accounts.read')
  const visible = scope.all || grants.some((g) => g.unitPath !== null && can(actor, 'accounts.read', g.unitPath)) || actor.accountId === id
  if (!visible) throw new AppError('forbidden', { action: 'accounts.read' })
  return toAccountView(account, grants, nowIso())
}

const grantUnitPath = (grants: { unitPath: string | null }[]): string | null => grants.find((g) => g.unitPath !== null)?.unitPath ?? null

export async function createAccount(db: Db, actor: Actor, input: CreateAccountInput): Promise<AccountView> {
  assertPasswordPolicy(input.username, input.password)
  const hash = await hashPassword(input.password)
  return db.transaction().execute(async (trx) => {
    const grants = await checkedGrants(trx, actor, input.grants)
    if (grants.length === 0 && !subtreeFilter(actor, 'accounts.manage').all) throw new AppError('validation_failed', { field: 'grants', problem: 'at least one grant is needed' })
    if (await store.findAccountByUsername(trx, input.username)) throw new AppError('username_taken')
    const now = nowIso()
    const { id } = await store.insertAccount(trx, {
      username: input.username, display_name: input.displayName, password_hash: hash, must_change_password: 1,
      password_changed_at: now, created_at: now, updated_at: now,
    })
    await store.replaceGrants(trx, id, grants, now)
    const saved = await store.findGrants(trx, [id])
    await recordAudit(trx, actor, {
      action: 'accounts.create', entityType: 'account', entityId: id, unitPath: grantUnitPath(saved),
      after: { username: input.username, displayName: input.displayName, grants },
    })
    return toAccountView((await store.findAccountById(trx, id))!, saved, now)
  })
}

export async function updateAccount(db: Db, actor: Actor, id: number, input: UpdateAccountInput): Promise<AccountView> {
  return db.transaction().execute(async (trx) => {
    const { account, grants } = await loadManageable(trx, actor, id)
    if (input.status === 'disabled' && id === actor.accountId) throw new AppError('cannot_disable_self')
    const now = nowIso()
    await store.updateAccount(trx, id, {
      ...(input.displayName !== undefined ? { display_name: input.displayName } : {}),
      ...(input.status !== undefined ? { status: input.status } : {}),
      updated_at: now,
    })
    if (input.status === 'disabled') await store.deleteSessionsOfAccount(trx, id)
    await recordAudit(trx, actor, {
      action: input.status === 'disabled' ? 'accounts.disable' : 'accounts.update', entityType: 'account', entityId: id, unitPath: grantUnitPath(grants),
      before: { displayName: account.display_name, status: account.status },
      after: { displayName: input.displayName ?? account.display_name, status: input.status ?? account.status },
    })
    return toAccountView((await store.findAccountById(trx, id))!, grants, now)
  })
}

/** An administrator sets a new password: the account must change it at next login, and its sessions end. */
export async function resetPassword(db: Db, actor: Actor, id: number, input: ResetPasswordInput): Promise<{ ok: true }> {
  const hash = await hashPassword(input.newPassword)
  await db.transaction().execute(async (trx) => {
    const { account, grants } = await loadManageable(trx, actor, id)
    assertPasswordPolicy(account.username, input.newPassword)
    const now = nowIso()
    await store.updateAccount(trx, id, {
      password_hash: hash, password_changed_at: now, must_change_password: 1, failed_logins: 0, failed_window_start: null, locked_until: null, updated_at: now,
    })
    await store.deleteSessionsOfAccount(trx, id)
    await recordAudit(trx, actor, { action: 'accounts.reset_password', entityType: 'account', entityId: id, unitPath: grantUnitPath(grants) })
  })
  return { ok: true }
}

export async function setGrants(db: Db, actor: Actor, id: number, input: SetGrantsInput): Promise<AccountView> {
  return db.transaction().execute(async (trx) => {
    const { account, grants: before } = await loadManageable(trx, actor, id)
    const grants = await checkedGrants(trx, actor, input.grants)
    const now = nowIso()
    await store.replaceGrants(trx, id, grants, now)
    const saved = await store.findGrants(trx, [id])
    await recordAudit(trx, actor, {
      action: 'accounts.grants', entityType: 'account', entityId: id, unitPath: grantUnitPath(saved) ?? grantUnitPath(before),
      before: before.map((g) => ({ role: g.role, unitId: g.unitId })), after: grants,
    })
    return toAccountView(account, saved, now)
  })
}

export const roleCatalog = () => roles.map((role) => ({ role, actions: [...rolePermissions[role]] }))

/** First start of an empty database: the administrator `admin` with a deployment-wide grant. */
export async function ensureFirstAdmin(db: Db, password: string | null): Promise<{ created: boolean; generatedPassword: string | null }> {
  if ((await store.countAccounts(db)) > 0) return { created: false, generatedPassword: null }
  const chosen = password ?? generatePassword()
  assertPasswordPolicy('admin', chosen)
  const hash = await hashPassword(chosen)
  // Two processes starting together on an empty database: the check and the insert hold the accounts
  // lock together, so exactly one creates the administrator (and prints its password); the other sees it.
  const created = await db.transaction().execute(async (trx) => {
    await store.lockAccountsForFirstAdmin(trx)
    if ((await store.countAccounts(trx)) > 0) return false
    await writeAdminAccount(trx, 'admin', '系统管理员', hash, false)
    return true
  })
  return { created, generatedPassword: created && !password ? chosen : null }
}

/** Creates (or resets) a deployment-wide administrator; used by first start and `chorus create-admin`. */
export async function createAdminAccount(db: Db, username: string, displayName: string, password: string, mustChange: boolean): Promise<void> {
  assertPasswordPolicy(username, password)
  const hash = await hashPassword(password)
  await db.transaction().execute((trx) => writeAdminAccount(trx, username, displayName, hash, mustChange))
}

async function writeAdminAccount(trx: Db, username: string, displayName: string, hash: string, mustChange: boolean): Promise<void> {
  const now = nowIso()
  const existing = await store.findAccountByUsername(trx, username)
  const id = existing
    ? (await store.updateAccount(trx, existing.id, { password_hash: hash, status: 'active', locked_until: null, failed_logins: 0, updated_at: now }), existing.id)
    : (await store.insertAccount(trx, { username, display_name: displayName, password_hash: hash, must_change_password: mustChange ? 1 : 0, password_changed_at: now, created_at: now, updated_at: now })).id
  await store.replaceGrants(trx, id, [{ role: 'county_admin', unitId: null }], now)
  await recordAudit(trx, systemActor('cli'), { action: existing ? 'accounts.reset_admin' : 'accounts.create_admin', entityType: 'account', entityId: id, after: { username } })
}

export const purgeExpiredSessions = (db: Db) => store.deleteExpiredSessions(db, nowIso())
