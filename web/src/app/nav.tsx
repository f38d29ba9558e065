/**
 * The pages of the app, in menu order. Reading this list is reading what the web app offers.
 * To add a page: append an entry; the router, the side menu, the 403 guard and the home page's
 * links all follow from it.
 */
import { lazy, type ComponentType, type LazyExoticComponent, type ReactNode } from 'react'
import { AuditOutlined, HomeOutlined, TeamOutlined } from '@ant-design/icons'
import { CloudUploadOutlined, ClusterOutlined, IdcardOutlined, TagsOutlined } from '@ant-design/icons'
import { ApartmentOutlined, FlagOutlined, HistoryOutlined, PartitionOutlined, ShopOutlined, SolutionOutlined, SwapOutlined } from '@ant-design/icons'
import { DashboardOutlined, ScheduleOutlined, FileTextOutlined, MessageOutlined, QrcodeOutlined, SendOutlined } from '@ant-design/icons'
import { ApiOutlined } from '@ant-design/icons'
import type { Action } from './auth'
import type { MessageKey } from './i18n'

export interface NavEntry {
  /** Route path, absolute ("/accounts"); may have parameters ("/requests/:id") when `inMenu` is false. */
  path: string
  /** i18n key of the menu label and the page title. */
  label: MessageKey
  icon: ReactNode
  /** The action the page needs (src/modules/access/roles.ts); null: any logged-in user. */
  action: Action | null
  /** The page, loaded on first visit; the module's default export. */
  page: LazyExoticComponent<ComponentType>
  /** Shown in the side menu and on the home page (default true); false for detail pages. */
  inMenu?: boolean
}

export const navEntries: NavEntry[] = [
  { path: '/', label: 'nav.home', icon: <HomeOutlined />, action: null, page: lazy(() => import('../pages/home/HomePage')) },
  { path: '/accounts', label: 'nav.accounts', icon: <TeamOutlined />, action: 'accounts.read', page: lazy(() => import('../pages/accounts/AccountsPage')) },
  { path: '/audit', label: 'nav.audit', icon: <AuditOutlined />, action: 'audit.read', page: lazy(() => import('../pages/audit/AuditPage')) },
  { path: '/residents', label: 'residents.nav.list', icon: <IdcardOutlined />, action: 'residents.read', page: lazy(() => import('../pages/residents/ResidentsPage')) },
  { path: '/residents/:id', label: 'residents.detail.title', icon: <IdcardOutlined />, action: 'residents.read', page: lazy(() => import('../pages/residents/ResidentDetailPage')), inMenu: false },
  { path: '/households', label: 'residents.nav.households', icon: <ClusterOutlined />, action: 'residents.read', page: lazy(() => import('../pages/residents/HouseholdsPage')) },
  { path: '/households/:id', label: 'residents.household', icon: <ClusterOutlined />, action: 'residents.read', page: lazy(() => import('../pages/residents/HouseholdDetailPage')), inMenu: false },
  { path: '/person-tags', label: 'residents.nav.tags', icon: <TagsOutlined />, action: 'residents.read', page: lazy(() => import('../pages/residents/PersonTagsPage')) },
  { path: '/imports', label: 'imports.nav', icon: <CloudUploadOutlined />, action: 'imports.run', page: lazy(() => import('../pages/imports/ImportsPage')) },
  { path: '/units', label: 'nav.units', icon: <ApartmentOutlined />, action: 'units.read', page: lazy(() => import('../pages/units/UnitsPage')) },
  { path: '/units/restructure', label: 'nav.units.restructure', icon: <PartitionOutlined />, action: 'units.restructure', page: lazy(() => import('../pages/units/RestructurePage')) },
  { path: '/units/events', label: 'nav.units.events', icon: <HistoryOutlined />, action: 'units.read', page: lazy(() => import('../pages/units/RestructureEventsPage')) },
  { path: '/party/orgs', label: 'nav.party.orgs', icon: <FlagOutlined />, action: 'party.read', page: lazy(() => import('../pages/party/OrgTreePage')) },
  { path: '/party/members', label: 'nav.party.members', icon: <SolutionOutlined />, action: 'party.read', page: lazy(() => import('../pages/party/MembersPage')) },
  { path: '/party/members/:id', label: 'party.member.detail', icon: <SolutionOutlined />, action: 'party.read', page: lazy(() => import('../pages/party/MemberDetailPage')), inMenu: false },
  { path: '/party/transfers', label: 'nav.party.transfers', icon: <SwapOutlined />, action: 'party.read', page: lazy(() => import('../pages/party/TransfersPage')) },
  { path: '/party/studios', label: 'nav.party.studios', icon: <ShopOutlined />, action: 'party.read', page: lazy(() => import('../pages/party/StudiosPage')) },
  { path: '/requests', label: 'requests.nav.inbox', icon: <FileTextOutlined />, action: 'requests.read', page: lazy(() => import('../pages/requests/RequestsPage')) },
  { path: '/requests/:id', label: 'requests.nav.detail', icon: <FileTextOutlined />, action: 'requests.read', page: lazy(() => import('../pages/requests/RequestDetailPage')), inMenu: false },
  { path: '/dispatch', label: 'requests.nav.dispatch', icon: <SendOutlined />, action: 'requests.dispatch', page: lazy(() => import('../pages/requests/DispatchPage')) },
  { path: '/request-reviews', label: 'requests.nav.reviews', icon: <ScheduleOutlined />, action: 'requests.supervise', page: lazy(() => import('../pages/requests/ReviewsPage')) },
  { path: '/request-templates', label: 'requests.nav.templates', icon: <MessageOutlined />, action: 'requests.dispatch', page: lazy(() => import('../pages/requests/TemplatesPage')) },
  { path: '/board', label: 'board.nav', icon: <DashboardOutlined />, action: 'board.read', page: lazy(() => import('../pages/board/BoardPage')) },
  { path: '/posters', label: 'requests.nav.posters', icon: <QrcodeOutlined />, action: 'units.read', page: lazy(() => import('../pages/requests/PostersPage')) },
  { path: '/open311-keys', label: 'open311.nav', icon: <ApiOutlined />, action: 'open311.manage', page: lazy(() => import('../pages/open311/Open311KeysPage')) },
]

/**
 * Pages anyone may open without logging in (the resident pages reached from a QR code), shown
 * without the shell. Append `{ path: '/r/:code', page: lazy(() => import('../pages/…')) }`.
 */
export interface PublicEntry {
  path: string
  page: LazyExoticComponent<ComponentType>
}

export const publicEntries: PublicEntry[] = [
  { path: '/r/:code', page: lazy(() => import('../pages/requests/public/SubmitPage')) },
  // The tracking link the server hands out (SubmitResult.trackingUrl) and staff copy from a case; /t/ is its short alias.
  { path: '/track/:trackingCode', page: lazy(() => import('../pages/requests/public/TrackPage')) },
  { path: '/t/:trackingCode', page: lazy(() => import('../pages/requests/public/TrackPage')) },
  // Not public: it asks for a login itself; listed here because posters print without the shell.
  { path: '/posters/print', page: lazy(() => import('../pages/requests/PosterPrintPage')) },
]

/** The menu entry a location belongs to: the longest path that prefixes it. */
export function entryForLocation(pathname: string): NavEntry | undefined {
  return navEntries
    .filter((e) => e.inMenu !== false)
    .filter((e) => (e.path === '/' ? pathname === '/' : pathname === e.path || pathname.startsWith(`${e.path}/`)))
    .sort((a, b) => b.path.length - a.path.length)[0]
}
