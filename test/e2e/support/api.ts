/** A small API caller for setting up data in browser tests: a session cookie plus its CSRF token. */
import { ADMIN_PASSWORD, ADMIN_USERNAME } from './server.js'

export class ApiSession {
  private constructor(
    readonly baseUrl: string,
    private readonly cookie: string,
    private readonly csrf: string,
  ) {}

  static async login(baseUrl: string, username: string, password: string): Promise<ApiSession> {
    const res = await fetch(`${baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    })
    if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${await res.text()}`)
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('chorus_session='))?.split(';')[0]
    const body = (await res.json()) as { csrfToken: string }
    if (!cookie) throw new Error('login set no session cookie')
    return new ApiSession(baseUrl, cookie, body.csrfToken)
  }

  static admin(baseUrl: string): Promise<ApiSession> {
    return ApiSession.login(baseUrl, ADMIN_USERNAME, ADMIN_PASSWORD)
  }

  async request<T = any>(method: string, url: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.baseUrl}${url}`, {
      method,
      headers: {
        cookie: this.cookie,
        'x-csrf-token': this.csrf,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await res.text()
    if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text}`)
    return (text ? JSON.parse(text) : undefined) as T
  }

  get<T = any>(url: string) {
    return this.request<T>('GET', url)
  }
  post<T = any>(url: string, body: unknown = {}) {
    return this.request<T>('POST', url, body)
  }
}

let sequence = 0

export interface UnitRef {
  id: number
  name: string
}

export async function createUnit(admin: ApiSession, spec: { parentId: number | null; type: string; name: string }): Promise<UnitRef> {
  return admin.post<UnitRef>('/api/units', spec)
}

export interface AccountRef {
  id: number
  username: string
  displayName: string
  password: string
}

/**
 * Creates an account with one grant. New accounts must change their password at first login; unless
 * `keepMustChange`, that is done here through the API so the browser lands straight in the shell.
 */
export async function createAccount(
  admin: ApiSession,
  grant: { role: string; unitId: number | null },
  options: { username?: string; displayName?: string; keepMustChange?: boolean } = {},
): Promise<AccountRef> {
  const username = options.username ?? `${grant.role.replaceAll('_', '')}${++sequence}`
  const displayName = options.displayName ?? `测试${username}`
  const initial = `initial-password-${sequence}`
  const created = await admin.post<{ id: number }>('/api/accounts', { username, displayName, password: initial, grants: [grant] })
  if (options.keepMustChange) return { id: created.id, username, displayName, password: initial }
  const password = `changed-password-${sequence}`
  const own = await ApiSession.login(admin.baseUrl, username, initial)
  await own.post('/api/auth/password', { currentPassword: initial, newPassword: password })
  return { id: created.id, username, displayName, password }
}
