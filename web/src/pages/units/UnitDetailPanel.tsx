import { lazy, Suspense, useEffect, useMemo, useState } from 'react'
import {
  Alert, Breadcrumb, Button, Card, Col, Descriptions, Dropdown, Empty, Flex, Row, Skeleton, Space, Statistic, Table, Tabs, Tag, Typography,
  type MenuProps,
} from 'antd'
import { DownOutlined, EditOutlined, HistoryOutlined, PartitionOutlined } from '@ant-design/icons'
import { Link, useNavigate } from 'react-router-dom'
import { api, errorMessage, unwrap } from '../../api/client'
import { useAuth } from '../../app/auth'
import { formatTime, useI18n } from '../../app/i18n'
import { LineagePanel } from './LineagePanel'
import { loadChildren } from './loaders'
import { UnitTypeTag, unitTypeIcon } from './meta'
import type { RestructureSlug } from './restructureApi'
import { restructureInfo } from './restructureInfo'
import { UnitEditDialog } from './UnitEditDialog'
import { UNIT_TYPES, type UnitBrief, type UnitDetail, type UnitNode, type UnitStats } from './types'

// ECharts is large: loaded with the first chart, not with the tree.
const EChart = lazy(() => import('./EChart').then((m) => ({ default: m.EChart })))

interface Loaded {
  unit: UnitDetail
  ancestors: UnitBrief[]
}

/** The restructurings that make sense from a unit of this type, with the unit each wizard should start from. */
function restructureChoices(unit: UnitDetail): { op: RestructureSlug; unitId: number }[] {
  const choices: { op: RestructureSlug; unitId: number }[] = []
  const parent = unit.parentId
  if (unit.type === 'town' || unit.type === 'subdistrict') choices.push({ op: 'merge-villages', unitId: unit.id })
  if (unit.type === 'village' && parent !== null) choices.push({ op: 'merge-villages', unitId: parent })
  if (unit.type === 'community') choices.push({ op: 'redivide-grids', unitId: unit.id }, { op: 'merge-grids', unitId: unit.id })
  if (unit.type === 'new_village') choices.push({ op: 'merge-grids', unitId: unit.id })
  if (unit.type === 'grid' && parent !== null) choices.push({ op: 'merge-grids', unitId: parent })
  if (parent !== null) choices.push({ op: 'move', unitId: unit.id }, { op: 'rename', unitId: unit.id }, { op: 'split', unitId: unit.id }, { op: 'archive', unitId: unit.id })
  return choices
}

function StatsBlock({ unitId }: { unitId: number }) {
  const { t, unitTypeName } = useI18n()
  const [stats, setStats] = useState<UnitStats | null>(null)
  const [error, setError] = useState<string | null>(null)

  useEffect(() => {
    let current = true
    setStats(null)
    unwrap(api.GET('/api/units/{id}/stats', { params: { path: { id: unitId } } })).then(
      (s) => current && (setStats(s), setError(null)),
      (err: unknown) => current && setError(errorMessage(err)),
    )
    return () => {
      current = false
    }
  }, [unitId])

  const option = useMemo(() => {
    if (!stats) return null
    const types = UNIT_TYPES.filter((type) => stats.units[type] > 0)
    if (!types.length) return null
    return {
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      xAxis: { type: 'category', data: types.map((type) => unitTypeName(type)), axisLabel: { interval: 0 } },
      yAxis: { type: 'value', minInterval: 1 },
      series: [{ type: 'bar', data: types.map((type) => stats.units[type]), itemStyle: { color: '#c8102e' }, barMaxWidth: 36, label: { show: true, position: 'top' } }],
    }
  }, [stats, unitTypeName])

  if (error) return <Alert type="error" showIcon title={t('common.loadFailed')} description={error} />
  if (!stats) return <Skeleton active paragraph={{ rows: 3 }} />
  const cards: { key: string; title: string; value: number; suffix?: string }[] = [
    { key: 'units', title: t('units.stats.units'), value: stats.unitsTotal },
    { key: 'households', title: t('units.stats.households'), value: stats.households },
    { key: 'people', title: t('units.stats.people'), value: stats.people },
    { key: 'partyOrgs', title: t('units.stats.partyOrgs'), value: stats.partyOrgs },
    { key: 'partyMembers', title: t('units.stats.partyMembers'), value: stats.partyMembers },
    { key: 'developing', title: t('units.stats.developing'), value: stats.partyMembersInDevelopment },
  ]
  return (
    <Flex vertical gap={12}>
      <Row gutter={[12, 12]} data-testid="unit-stats">
        {cards.map((c) => (
          <Col key={c.key} xs={12} sm={8} xl={4}>
            <Card size="small" style={{ height: '100%' }}>
              <Statistic title={c.title} value={c.value} data-testid={`unit-stat-${c.key}`} />
            </Card>
          </Col>
        ))}
      </Row>
      {stats.archivedUnits > 0 && <Typography.Text type="secondary">{t('units.stats.archived', { n: stats.archivedUnits })}</Typography.Text>}
      <Card size="small" title={t('units.stats.byType')}>
        {option ? (
          <Suspense fallback={<Skeleton.Node active style={{ width: '100%', height: 200 }} />}>
            <EChart option={option} height={200} data-testid="unit-type-chart" />
          </Suspense>
        ) : (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('units.stats.noUnits')} />
        )}
      </Card>
    </Flex>
  )
}

function ChildrenTable({ unitId, showArchived, onSelect }: { unitId: number; showArchived: boolean; onSelect: (id: number) => void }) {
  const { t } = useI18n()
  const [rows, setRows] = useState<UnitNode[] | null>(null)
  const [error, setError] = useState<string | null>(null)
  useEffect(() => {
    let current = true
    setRows(null)
    loadChildren(unitId, { status: showArchived ? 'all' : 'active' }).then(
      (items) => current && (setRows(items), setError(null)),
      (err: unknown) => current && setError(errorMessage(err)),
    )
    return () => {
      current = false
    }
  }, [unitId, showArchived])
  if (error) return <Alert type="error" showIcon title={t('common.loadFailed')} description={error} />
  return (
    <Table<UnitNode>
      size="small"
      rowKey="id"
      loading={rows === null}
      dataSource={rows ?? []}
      pagination={(rows?.length ?? 0) > 20 ? { pageSize: 20, showSizeChanger: false } : false}
      scroll={{ x: 'max-content' }}
      locale={{ emptyText: t('units.children.none') }}
      data-testid="unit-children"
      columns={[
        {
          title: t('units.field.name'),
          dataIndex: 'name',
          render: (name: string, row) => (
            <Button type="link" size="small" style={{ padding: 0 }} onClick={() => onSelect(row.id)}>
              {name}
            </Button>
          ),
        },
        { title: t('units.field.type'), dataIndex: 'type', render: (type: UnitNode['type']) => <UnitTypeTag type={type} /> },
        { title: t('units.field.code'), dataIndex: 'code', render: (code: string | null) => code ?? '—' },
        { title: t('units.children.count'), dataIndex: 'childCount' },
        {
          title: t('units.field.status'),
          dataIndex: 'status',
          render: (status: UnitNode['status']) => (status === 'archived' ? <Tag>{t('units.archived')}</Tag> : <Tag color="green">{t('units.active')}</Tag>),
        },
      ]}
    />
  )
}

export function UnitDetailPanel({ unitId, showArchived, onSelect, onUpdated }: {
  unitId: number
  showArchived: boolean
  onSelect: (id: number) => void
  onUpdated: (unit: UnitDetail) => void
}) {
  const { t } = useI18n()
  const { can } = useAuth()
  const navigate = useNavigate()
  const [loaded, setLoaded] = useState<Loaded | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [editing, setEditing] = useState<UnitDetail | null>(null)
  const [tab, setTab] = useState('children')

  useEffect(() => {
    let current = true
    setLoaded(null)
    setError(null)
    Promise.all([
      unwrap(api.GET('/api/units/{id}', { params: { path: { id: unitId } } })),
      unwrap(api.GET('/api/units/{id}/ancestors', { params: { path: { id: unitId } } })),
    ]).then(
      ([unit, ancestors]) => current && setLoaded({ unit, ancestors: ancestors.items }),
      (err: unknown) => current && setError(errorMessage(err)),
    )
    return () => {
      current = false
    }
  }, [unitId])

  if (error) return <Alert type="error" showIcon title={t('common.loadFailed')} description={error} data-testid="unit-detail-error" />
  if (!loaded) return <Skeleton active />
  const { unit, ancestors } = loaded
  const restructure = can('units.restructure') && unit.status === 'active' ? restructureChoices(unit) : []
  const menu: MenuProps['items'] = restructure.map(({ op, unitId: target }) => ({
    key: op,
    icon: restructureInfo[op].icon,
    label: t(restructureInfo[op].title),
    onClick: () => navigate(`/units/restructure?op=${op}&unit=${target}`),
  }))

  return (
    <Flex vertical gap={16} data-testid="unit-detail">
      <Breadcrumb
        items={ancestors.map((a) => ({
          key: a.id,
          title:
            a.id === unit.id ? (
              a.name
            ) : (
              <a
                href={`/units?unit=${a.id}`}
                onClick={(e) => {
                  e.preventDefault()
                  onSelect(a.id)
                }}
              >
                {a.name}
              </a>
            ),
        }))}
        data-testid="unit-breadcrumb"
      />
      <Flex wrap justify="space-between" align="center" gap={8}>
        <Space wrap size={8}>
          <span style={{ fontSize: 20 }}>{unitTypeIcon[unit.type]}</span>
          <Typography.Title level={4} style={{ margin: 0 }} data-testid="unit-detail-name">
            {unit.name}
          </Typography.Title>
          <UnitTypeTag type={unit.type} />
          {unit.code && <Typography.Text code>{unit.code}</Typography.Text>}
          {unit.status === 'archived' && <Tag>{t('units.archived')}</Tag>}
        </Space>
        <Space wrap>
          {can('units.manage') && unit.status === 'active' && (
            <Button icon={<EditOutlined />} onClick={() => setEditing(unit)} data-testid="unit-edit">
              {t('units.edit.button')}
            </Button>
          )}
          {menu.length > 0 && (
            <Dropdown menu={{ items: menu }} trigger={['click']}>
              <Button icon={<PartitionOutlined />} data-testid="unit-restructure">
                {t('units.restructure.button')} <DownOutlined />
              </Button>
            </Dropdown>
          )}
        </Space>
      </Flex>
      <Descriptions size="small" column={{ xs: 1, sm: 2, lg: 3 }} bordered>
        <Descriptions.Item label={t('units.field.address')}>{unit.address ?? '—'}</Descriptions.Item>
        <Descriptions.Item label={t('units.field.boundary')}>{unit.hasBoundary ? t('units.boundary.yes') : t('units.boundary.no')}</Descriptions.Item>
        <Descriptions.Item label={t('units.children.direct')}>{unit.childCount}</Descriptions.Item>
        <Descriptions.Item label={t('units.field.createdAt')}>{formatTime(unit.createdAt)}</Descriptions.Item>
        <Descriptions.Item label={t('units.field.updatedAt')}>{formatTime(unit.updatedAt)}</Descriptions.Item>
        {unit.archivedAt && <Descriptions.Item label={t('units.field.archivedAt')}>{formatTime(unit.archivedAt)}</Descriptions.Item>}
      </Descriptions>
      <StatsBlock key={`${unit.id}-${unit.updatedAt}`} unitId={unit.id} />
      <Tabs
        activeKey={tab}
        onChange={setTab}
        items={[
          { key: 'children', label: t('units.children.title'), children: <ChildrenTable unitId={unit.id} showArchived={showArchived} onSelect={onSelect} /> },
          { key: 'lineage', label: <span data-testid="tab-lineage"><HistoryOutlined /> {t('units.lineage.title')}</span>, children: <LineagePanel unitId={unit.id} onSelect={onSelect} /> },
        ]}
      />
      <Typography.Text type="secondary">
        <Link to={`/units/events?unitId=${unit.id}`}>{t('units.events.forUnit')}</Link>
      </Typography.Text>
      <UnitEditDialog
        unit={editing}
        onClose={() => setEditing(null)}
        onSaved={(saved) => {
          setEditing(null)
          setLoaded({ unit: saved, ancestors: ancestors.map((a) => (a.id === saved.id ? { ...a, name: saved.name, code: saved.code } : a)) })
          onUpdated(saved)
        }}
      />
    </Flex>
  )
}
