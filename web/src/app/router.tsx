import { Suspense, type ReactNode } from 'react'
import { createBrowserRouter, Navigate, useLocation, type RouteObject } from 'react-router-dom'
import { useAuth } from './auth'
import { navEntries, publicEntries, type NavEntry } from './nav'
import { AppLayout } from './Layout'
import { PageLoading } from '../components/PageLoading'
import LoginPage from '../pages/auth/LoginPage'
import ForbiddenPage from '../pages/errors/ForbiddenPage'
import NotFoundPage from '../pages/errors/NotFoundPage'

/** Anonymous visitors go to the login page, which brings them back here afterwards. */
function RequireAuth({ children }: { children: ReactNode }) {
  const { status, loggedOut } = useAuth()
  const location = useLocation()
  if (status === 'loading') return <PageLoading fullScreen />
  if (status === 'anonymous') {
    const next = location.pathname + location.search
    // After a deliberate logout the next person to log in starts from home, not from this page.
    return <Navigate to={loggedOut || next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`} replace />
  }
  return children
}

/** A page the account may not use shows the 403 page in place, so the address stays as typed. */
function Guarded({ entry }: { entry: NavEntry }) {
  const { can } = useAuth()
  if (entry.action !== null && !can(entry.action)) return <ForbiddenPage />
  const Page = entry.page
  return (
    <Suspense fallback={<PageLoading />}>
      <Page />
    </Suspense>
  )
}

const pageRoutes: RouteObject[] = navEntries.map((entry) =>
  entry.path === '/' ? { index: true, element: <Guarded entry={entry} /> } : { path: entry.path, element: <Guarded entry={entry} /> },
)

export const router = createBrowserRouter([
  { path: '/login', element: <LoginPage /> },
  ...publicEntries.map(({ path, page: Page }) => ({
    path,
    element: (
      <Suspense fallback={<PageLoading fullScreen />}>
        <Page />
      </Suspense>
    ),
  })),
  {
    element: (
      <RequireAuth>
        <AppLayout />
      </RequireAuth>
    ),
    children: [...pageRoutes, { path: '*', element: <NotFoundPage /> }],
  },
])
