/**
 * The session as the browser sees it: who is logged in (from GET /api/auth/me or the login
 * answer), which actions their grants allow, and the CSRF token every write must carry.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react'
import type { Action } from '../../../src/modules/access/roles'
import { api, ApiError, onUnauthorized, setCsrfToken, unwrap, type MeView } from '../api/client'

export type { Action }

export type AuthStatus = 'loading' | 'anonymous' | 'authenticated'

interface AuthValue {
  status: AuthStatus
  me: MeView | null
  /** Why the last session ended (expired, logged out elsewhere), shown on the login page. */
  endedReason: string | null
  /** The user logged out on purpose: the login page then forgets the page they were on. */
  loggedOut: boolean
  login: (username: string, password: string) => Promise<MeView>
  logout: () => Promise<void>
  /** Reloads the account (after a password change, say). */
  refresh: () => Promise<void>
  /** Whether any grant of the account allows the action somewhere. */
  can: (action: Action) => boolean
}

const AuthContext = createContext<AuthValue | null>(null)

interface State {
  status: AuthStatus
  me: MeView | null
  endedReason: string | null
  loggedOut: boolean
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<State>({ status: 'loading', me: null, endedReason: null, loggedOut: false })

  const signedIn = useCallback((me: MeView) => {
    setCsrfToken(me.csrfToken)
    setState({ status: 'authenticated', me, endedReason: null, loggedOut: false })
  }, [])

  const signedOut = useCallback((endedReason: string | null) => {
    setCsrfToken(null)
    setState((previous) => ({ status: 'anonymous', me: null, endedReason: previous.status === 'authenticated' ? endedReason : null, loggedOut: false }))
  }, [])

  const refresh = useCallback(async () => {
    try {
      signedIn(await unwrap(api.GET('/api/auth/me')))
    } catch (error) {
      // 401 is handled by the listener below; anything else (server down) also leaves us logged out.
      if (!(error instanceof ApiError && error.status === 401)) signedOut(null)
    }
  }, [signedIn, signedOut])

  useEffect(() => onUnauthorized((error) => signedOut(error.message)), [signedOut])

  useEffect(() => {
    void refresh()
  }, [refresh])

  const login = useCallback(async (username: string, password: string) => {
    const me = await unwrap(api.POST('/api/auth/login', { body: { username, password } }))
    signedIn(me)
    return me
  }, [signedIn])

  const logout = useCallback(async () => {
    try {
      await api.POST('/api/auth/logout')
    } catch {
      // Already expired, or the server is unreachable: this browser forgets the session either way.
    }
    setCsrfToken(null)
    setState({ status: 'anonymous', me: null, endedReason: null, loggedOut: true })
  }, [])

  const value = useMemo<AuthValue>(() => {
    const actions = new Set(state.me?.actions ?? [])
    return { ...state, login, logout, refresh, can: (action) => actions.has(action) }
  }, [state, login, logout, refresh])

  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>
}

export function useAuth(): AuthValue {
  const value = useContext(AuthContext)
  if (!value) throw new Error('useAuth outside AuthProvider')
  return value
}
