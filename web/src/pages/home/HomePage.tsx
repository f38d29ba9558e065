/**
 * / — the workbench (工作台): what needs the signed-in person now, by what their grants allow.
 * Case handlers see their counts (to accept, assigned to them, due soon, overdue, awaiting a rating),
 * each opening the inbox with that filter, and their most urgent cases; board readers see this
 * month's three rates of their unit; party workers their transfers in transit and flagged members;
 * everyone the latest notifications and the pages their grants open. Every figure comes from an
 * existing list endpoint (its `total`, read with pageSize=1); nothing is made up.
 */
import { Card, Col, Empty, Flex, Row, Skeleton, Space, Tag, Typography } from 'antd'
import { RightOutlined } from '@ant-design/icons'
import { Link } from 'react-router-dom'
import { api, unwrap, type ApiResult } from '../../api/client'
import { useAuth } from '../../app/auth'
import { formatTime, useI18n } from '../../app/i18n'
import { navEntries } from '../../app/nav'
import { GrantTag } from '../../components/GrantTag'
import { roleAllows } from '../../../../src/modules/access/roles'
import { pct, score } from '../board/model'
import type { RequestQuery, RequestSummary } from '../requests/model'
import { DueBadge, PriorityTag, StatusTag } from '../requests/parts'
import { CountTile, TileGrid, useLoaded, type Loaded } from './tiles'

const URGENT_SHOWN = 5
const NOTIFICATIONS_SHOWN = 5

const countRequests = (query: RequestQuery): Promise<number> =>
  unwrap(api.GET('/api/requests', { params: { query: { ...query, page: 1, pageSize: 1 } } })).then((page) => page.total)

const cardBody = { body: { padding: 16 } }

export default function HomePage() {
  const { me, can } = useAuth()
  const { t } = useI18n()
  if (!me) return null
  const pages = navEntries.filter((e) => e.path !== '/' && e.inMenu !== false && (e.action === null || can(e.action)))
  const handles = can('requests.read') && can('requests.handle')
  const board = can('board.read')
  const party = can('party.read')
  const main = handles || board || party

  return (
    <Flex vertical gap={16} data-testid="workbench">
      <Card styles={cardBody}>
        <Typography.Title level={4} style={{ marginTop: 0, marginBottom: 4 }} data-testid="welcome">
          {t('home.welcome', { name: me.displayName })}
        </Typography.Title>
        <Flex wrap gap={4} align="center" data-testid="my-grants">
          <Typography.Text type="secondary">{t('home.grants')}</Typography.Text>
          {me.grants.length === 0 ? (
            <Typography.Text>{t('home.noGrants')}</Typography.Text>
          ) : (
            me.grants.map((g) => <GrantTag key={`${g.role}@${g.unitId ?? 'all'}`} grant={g} />)
          )}
        </Flex>
      </Card>
      <Row gutter={[16, 16]}>
        {main && (
          <Col xs={24} xl={16}>
            <Flex vertical gap={16}>
              {handles && <CasesCard />}
              {board && <BoardCard overdueTile={!handles && can('requests.read')} />}
              {party && <PartyCard />}
            </Flex>
          </Col>
        )}
        <Col xs={24} xl={main ? 8 : 24}>
          <NotificationsCard />
        </Col>
      </Row>
      <Card title={t('home.pages')} styles={cardBody}>
        {pages.length === 0 ? (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('home.noPages')} />
        ) : (
          <Row gutter={[12, 12]}>
            {pages.map((e) => (
              <Col key={e.path} xs={12} sm={8} lg={6}>
                <Link to={e.path}>
                  <Card hoverable size="small">
                    <Flex align="center" gap={10}>
                      <span style={{ fontSize: 20, color: '#c8102e' }}>{e.icon}</span>
                      <Typography.Text ellipsis>{t(e.label)}</Typography.Text>
                    </Flex>
                  </Card>
                </Link>
              </Col>
            ))}
          </Row>
        )}
      </Card>
    </Flex>
  )
}

/** Open cases sorted by deadline, no deadline last. */
const byDue = (a: RequestSummary, b: RequestSummary): number =>
  (a.resolutionDueAt ? Date.parse(a.resolutionDueAt) : Infinity) - (b.resolutionDueAt ? Date.parse(b.resolutionDueAt) : Infinity) || a.id - b.id

function CasesCard() {
  const { t } = useI18n()
  // Exact counts from the inbox's own filters: waiting for my units to sign (new ones and hand-offs to us), past 80 % of the deadline.
  const toAccept = useLoaded(() => countRequests({ box: 'unit', awaiting: 'acceptance' }), [])
  const mine = useLoaded(() => countRequests({ box: 'mine' }), [])
  const warning = useLoaded(() => countRequests({ box: 'unit', due: 'warning' }), [])
  const overdue = useLoaded(() => countRequests({ box: 'overdue' }), [])
  const toRate = useLoaded(() => countRequests({ box: 'unit', status: 'resolved' }), [])
  // The open cases of my units with the nearest deadlines.
  const nearest = useLoaded(() => unwrap(api.GET('/api/requests', { params: { query: { box: 'unit', sort: 'due', page: 1, pageSize: URGENT_SHOWN } } })), [])

  return (
    <Card
      title={t('home.cases.title')}
      extra={<Link to="/requests">{t('home.cases.all')} <RightOutlined /></Link>}
      styles={cardBody}
      data-testid="home-cases"
    >
      <TileGrid>
        <CountTile label={t('home.cases.toAccept')} hint={t('home.cases.toAcceptHint')} value={toAccept} to="/requests?awaiting=acceptance" tone="warning" testId="tile-to-accept" />
        <CountTile label={t('home.cases.mine')} hint={t('home.cases.mineHint')} value={mine} to="/requests?box=mine" testId="tile-mine" />
        <CountTile label={t('home.cases.warning')} hint={t('home.cases.warningHint')} value={warning} to="/requests?due=warning" tone="warning" testId="tile-warning" />
        <CountTile label={t('home.cases.overdue')} hint={t('home.cases.overdueHint')} value={overdue} to="/requests?box=overdue" tone="danger" testId="tile-overdue" />
        <CountTile label={t('home.cases.toRate')} hint={t('home.cases.toRateHint')} value={toRate} to="/requests?status=resolved" testId="tile-to-rate" />
      </TileGrid>
      <Typography.Title level={5} style={{ marginTop: 20, marginBottom: 8 }}>{t('home.cases.urgent')}</Typography.Title>
      <UrgentList state={nearest} />
    </Card>
  )
}

function UrgentList({ state }: { state: Loaded<{ items: RequestSummary[] }> }) {
  const { t } = useI18n()
  if (state.status === 'loading') return <Skeleton active title={false} paragraph={{ rows: 3 }} />
  if (state.status === 'error') return <Typography.Text type="danger">{t('home.loadFailed', { message: state.message })}</Typography.Text>
  const urgent = state.data.items.filter((r) => r.isOpen).sort(byDue).slice(0, URGENT_SHOWN)
  if (urgent.length === 0) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('home.cases.noUrgent')} style={{ margin: '8px 0' }} />
  return (
    <Flex vertical data-testid="urgent-list">
      {urgent.map((r, i) => (
        <Flex
          key={r.id}
          wrap
          justify="space-between"
          align="center"
          gap={6}
          style={{ padding: '8px 0', borderTop: i === 0 ? undefined : '1px solid rgba(5, 5, 5, 0.06)' }}
          data-testid="urgent-item"
        >
          <Flex vertical gap={2} style={{ minWidth: 0, flex: '1 1 220px' }}>
            <Space size={4} wrap>
              <Link to={`/requests/${r.id}`} data-testid="urgent-link">#{r.id} {r.title}</Link>
              <PriorityTag priority={r.priority} />
            </Space>
            <Typography.Text type="secondary" style={{ fontSize: 12 }} ellipsis>
              {[r.locationName, r.handlerName].filter(Boolean).join(' · ')}
            </Typography.Text>
          </Flex>
          <Space size={0} wrap>
            <StatusTag status={r.status} />
            <DueBadge request={r} />
          </Space>
        </Flex>
      ))}
    </Flex>
  )
}

type BoardView = ApiResult<'/api/board', 'get'>

function BoardCard({ overdueTile }: { overdueTile: boolean }) {
  const { t } = useI18n()
  const { me } = useAuth()
  // The unit of my first grant that may read the board, else the first county (as the board page opens).
  const board = useLoaded(async (): Promise<BoardView | null> => {
    let unitId = me?.grants.find((g) => g.unitId !== null && roleAllows(g.role, 'board.read'))?.unitId ?? null
    if (unitId === null) {
      const counties = await unwrap(api.GET('/api/units', { params: { query: { type: 'county', pageSize: 1 } } }))
      unitId = counties.items[0]?.id ?? null
    }
    if (unitId === null) return null
    return unwrap(api.GET('/api/board', { params: { query: { unitId, period: 'this_month' } } }))
  }, [me])
  const overdue = useLoaded(() => (overdueTile ? countRequests({ box: 'overdue' }) : Promise.resolve(0)), [overdueTile])

  const view = board.status === 'ok' ? board.data : null
  if (board.status === 'ok' && view === null) {
    return (
      <Card title={t('home.board.titleNoUnit')} styles={cardBody}>
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('home.board.noUnit')} />
      </Card>
    )
  }
  const to = view ? `/board?unitId=${view.unit.id}` : '/board'
  const rate = (f: (v: BoardView) => string): Loaded<string> => (board.status === 'ok' && board.data ? { status: 'ok', data: f(board.data) } : board.status === 'error' ? board : { status: 'loading' })
  return (
    <Card
      title={view ? t('home.board.title', { unit: view.unit.name }) : t('home.board.titleNoUnit')}
      extra={<Link to={to}>{t('home.board.more')} <RightOutlined /></Link>}
      styles={cardBody}
      data-testid="home-board"
    >
      <TileGrid>
        <CountTile label={t('board.rate.response')} value={rate((v) => pct(v.figures.rates.responseRate))} to={to} testId="tile-response-rate" />
        <CountTile label={t('board.rate.resolution')} value={rate((v) => pct(v.figures.rates.resolutionRate))} to={to} testId="tile-resolution-rate" />
        <CountTile label={t('board.rate.satisfaction')} value={rate((v) => pct(v.figures.rates.satisfactionRate))} to={to} testId="tile-satisfaction-rate" />
        <CountTile label={t('board.composite')} value={rate((v) => score(v.figures.rates.composite))} to={to} tone="success" testId="tile-composite" />
        {overdueTile && (
          <CountTile label={t('home.board.openOverdue')} hint={t('home.cases.overdueHint')} value={overdue} to="/requests?box=overdue" tone="danger" testId="tile-overdue" />
        )}
      </TileGrid>
      {view && (
        <Typography.Text type="secondary" style={{ display: 'block', marginTop: 8, fontSize: 12 }}>
          {t('home.board.counted', { n: view.figures.counts.counted })} · {view.period.from} ~ {view.period.to}
        </Typography.Text>
      )}
    </Card>
  )
}

function PartyCard() {
  const { t } = useI18n()
  const transfers = useLoaded(
    () => unwrap(api.GET('/api/party/transfers', { params: { query: { status: 'in_transit', page: 1, pageSize: 1 } } })).then((p) => p.total),
    [],
  )
  const flagged = useLoaded(
    () => unwrap(api.GET('/api/party/members', { params: { query: { flagged: true, page: 1, pageSize: 1 } } })).then((p) => p.total),
    [],
  )
  return (
    <Card title={t('home.party.title')} styles={cardBody} data-testid="home-party">
      <TileGrid>
        <CountTile label={t('home.party.transfers')} hint={t('home.party.transfersHint')} value={transfers} to="/party/transfers?status=in_transit" tone="warning" testId="tile-transfers" />
        <CountTile label={t('home.party.flagged')} hint={t('home.party.flaggedHint')} value={flagged} to="/party/members?flagged=1" tone="danger" testId="tile-flagged" />
      </TileGrid>
    </Card>
  )
}

function NotificationsCard() {
  const { t } = useI18n()
  const page = useLoaded(() => unwrap(api.GET('/api/notifications', { params: { query: { page: 1, pageSize: NOTIFICATIONS_SHOWN } } })), [])
  const markRead = (id: number) => {
    // Best effort, as the bell does: opening the case matters more than the mark.
    api.POST('/api/notifications/{id}/read', { params: { path: { id } } }).catch(() => undefined)
  }
  return (
    <Card
      title={t('home.notify.title')}
      extra={page.status === 'ok' && page.data.unread > 0 ? <Tag color="red">{t('home.notify.unread', { n: page.data.unread })}</Tag> : undefined}
      styles={cardBody}
      data-testid="home-notifications"
    >
      {page.status === 'loading' && <Skeleton active title={false} paragraph={{ rows: 4 }} />}
      {page.status === 'error' && <Typography.Text type="danger">{t('home.loadFailed', { message: page.message })}</Typography.Text>}
      {page.status === 'ok' && page.data.items.length === 0 && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('home.notify.empty')} style={{ margin: '8px 0' }} />}
      {page.status === 'ok' && page.data.items.length > 0 && (
        <Flex vertical>
          {page.data.items.map((n, i) => {
            const body = (
              <Flex vertical gap={2} style={{ minWidth: 0 }}>
                <Typography.Text strong={!n.readAt} ellipsis>{n.title}</Typography.Text>
                {n.body && <Typography.Text type="secondary" ellipsis style={{ fontSize: 12 }}>{n.body}</Typography.Text>}
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>{formatTime(n.createdAt)}</Typography.Text>
              </Flex>
            )
            return (
              <div key={n.id} style={{ padding: '8px 0', borderTop: i === 0 ? undefined : '1px solid rgba(5, 5, 5, 0.06)' }} data-testid="home-notification">
                {n.requestId !== null ? (
                  <Link to={`/requests/${n.requestId}`} onClick={() => !n.readAt && markRead(n.id)} style={{ display: 'block', color: 'inherit' }}>{body}</Link>
                ) : body}
              </div>
            )
          })}
        </Flex>
      )}
    </Card>
  )
}
