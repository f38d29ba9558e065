/** Five failed logins within 15 minutes lock the account for 15 minutes. */
export const MAX_FAILED_LOGINS = 5
export const FAILURE_WINDOW_MINUTES = 15
export const LOCK_MINUTES = 15

export interface LockoutState {
  failedLogins: number
  failedWindowStart: string | null
  lockedUntil: string | null
}

export const isLocked = (s: LockoutState, now: string): boolean => s.lockedUntil !== null && s.lockedUntil > now

export function afterFailedLogin(s: LockoutState, now: string): LockoutState {
  const windowOpen = s.failedWindowStart !== null && Date.parse(now) - Date.parse(s.failedWindowStart) < FAILURE_WINDOW_MINUTES * 60_000
  const failedLogins = windowOpen ? s.failedLogins + 1 : 1
  const failedWindowStart = windowOpen ? s.failedWindowStart : now
  if (failedLogins >= MAX_FAILED_LOGINS) {
    return { failedLogins: 0, failedWindowStart: null, lockedUntil: new Date(Date.parse(now) + LOCK_MINUTES * 60_000).toISOString() }
  }
  return { failedLogins, failedWindowStart, lockedUntil: null }
}

export const afterSuccessfulLogin = (): LockoutState => ({ failedLogins: 0, failedWindowStart: null, lockedUntil: null })
