import { Suspense, type ReactNode } from 'react'
import { createBrowserRouter, Navigate, useLocation, type RouteObject } from 'react-router-dom'
import { useAuth } from './auth'
import { navEntries, type NavEntry } from './nav'
import { AppLayout } from './Layout'
import { PageLoading } from '../components/PageLoading'
import LoginPage from '../pages/auth/LoginPage'
import ForbiddenPage from '../pages/errors/ForbiddenPage'
import NotFoundPage from '../pages/errors/NotFoundPage'

/** Anonymous visitors go to the login page, which brings them back here afterwards. */
function RequireAuth({ children }: { children: ReactNode }) {
  const { status } = useAuth()
  const location = useLocation()
  if (status === 'loading') return <PageLoading fullScreen />
  if (status === 'anonymous') {
    const next = location.pathname + location.search
    return <Navigate to={next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`} replace />
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
  {
    element: (
      <RequireAuth>
        <AppLayout />
      </RequireAuth>
    ),
    children: [...pageRoutes, { path: '*', element: <NotFoundPage /> }],
  },
])
