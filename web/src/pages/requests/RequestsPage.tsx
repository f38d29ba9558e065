/**
 * /requests — the worker inbox: 我的 (assigned to me) / 本单位 (held by, waiting for, or co-handled
 * by my units) / 已超期 / 全部, sorted by the resolution deadline, with due badges, filters,
 * Excel export and the staff intake form (hotline, walk-in, patrol).
 */
import { useEffect, useState } from 'react'
import { Badge, Button, DatePicker, Flex, Input, Select, Space, Tabs, Tag, Typography } from 'antd'
import { PlusOutlined } from '@ant-design/icons'
import dayjs from 'dayjs'
import { Link, useNavigate } from 'react-router-dom'
import { api, unwrap } from '../../api/client'
import { useAuth } from '../../app/auth'
import { formatTime, useI18n } from '../../app/i18n'
import { DataTable, useUrlFilters, type DataColumn } from '../../components/DataTable'
import { PageCard } from '../../components/PageCard'
import { UnitSelect } from '../../components/UnitSelect'
import {
  BOXES, PRIORITIES, STATUSES, dueKeys, dueState, priorityKeys, satisfactionKeys, sourceKeys, statusKeys, type Box, type Priority, type RequestQuery,
  type RequestSummary,
} from './model'
import { DueBadge, PriorityTag, StatusTag } from './parts'
import { StaffIntakeDialog } from './StaffIntakeDialog'

const FILTERS = ['box', 'status', 'priority', 'unitId', 'q', 'from', 'to', 'due', 'awaiting'] as const
const boxKeys = { mine: 'requests.box.mine', unit: 'requests.box.unit', overdue: 'requests.box.overdue', all: 'requests.box.all' } as const

const isBox = (v: string | undefined): v is Box => (BOXES as string[]).includes(v ?? '')
const isPriority = (v: string | undefined): v is Priority => (PRIORITIES as string[]).includes(v ?? '')
const isStatus = (v: string | undefined): v is NonNullable<RequestQuery['status']> => v === 'open' || v === 'done' || (STATUSES as string[]).includes(v ?? '')

export default function RequestsPage() {
  const { t } = useI18n()
  const { can } = useAuth()
  const navigate = useNavigate()
  const [filters, setFilters] = useUrlFilters(FILTERS)
  const box: Box = isBox(filters.box) ? filters.box : 'unit'
  const [intakeOpen, setIntakeOpen] = useState(false)
  const [overdueCount, setOverdueCount] = useState<number | null>(null)

  useEffect(() => {
    let current = true
    unwrap(api.GET('/api/requests', { params: { query: { box: 'overdue', pageSize: 1 } } })).then(
      (page) => current && setOverdueCount(page.total),
      () => current && setOverdueCount(null),
    )
    return () => {
      current = false
    }
  }, [])

  const columns: DataColumn<RequestSummary>[] = [
    { key: 'id', title: t('requests.col.id'), dataIndex: 'id', width: 72, render: (id: number) => <Link to={`/requests/${id}`}>#{id}</Link> },
    {
      key: 'title',
      title: t('requests.col.title'),
      dataIndex: 'title',
      render: (_: unknown, r) => (
        <Flex vertical gap={2} style={{ maxWidth: 320 }}>
          <Space size={4} wrap>
            <Link to={`/requests/${r.id}`} data-testid="request-link">{r.title}</Link>
            <PriorityTag priority={r.priority} />
            {r.reopenCount > 0 && <Tag color="volcano">{t('requests.tag.reopened', { n: r.reopenCount })}</Tag>}
            {r.excluded && <Tag>{t('requests.tag.excluded')}</Tag>}
          </Space>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>{t(sourceKeys[r.source])}</Typography.Text>
        </Flex>
      ),
      exportValue: (r) => r.title,
    },
    {
      key: 'status',
      title: t('requests.col.status'),
      dataIndex: 'status',
      render: (_: unknown, r) => (
        <Space size={4} wrap>
          <StatusTag status={r.status} />
          {r.paused && <Tag>{t('requests.tag.paused')}</Tag>}
          {r.pendingUnitName && <Tag color="gold">{t('requests.tag.pending', { unit: r.pendingUnitName })}</Tag>}
        </Space>
      ),
      exportValue: (r) => t(statusKeys[r.status]),
    },
    { key: 'priority', title: t('requests.col.priority'), dataIndex: 'priority', hidden: true, exportValue: (r) => t(priorityKeys[r.priority]) },
    { key: 'location', title: t('requests.col.location'), dataIndex: 'locationName' },
    {
      key: 'handler',
      title: t('requests.col.handler'),
      dataIndex: 'handlerName',
      render: (_: unknown, r) => (
        <Flex vertical gap={2}>
          <span>{r.handlerName ?? '—'}</span>
          {r.assigneeName && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{r.assigneeName}</Typography.Text>}
        </Flex>
      ),
      exportValue: (r) => [r.handlerName, r.assigneeName].filter(Boolean).join(' / '),
    },
    {
      key: 'submitted',
      title: t('requests.col.submittedAt'),
      dataIndex: 'submittedAt',
      sorter: true,
      render: (v: string) => formatTime(v),
      exportValue: (r) => formatTime(r.submittedAt),
    },
    {
      key: 'due',
      title: t('requests.col.due'),
      dataIndex: 'resolutionDueAt',
      render: (_: unknown, r) => <DueBadge request={r} />,
      exportValue: (r) => `${formatTime(r.resolutionDueAt)} ${t(dueKeys[dueState(r)])}`,
    },
    {
      key: 'rating',
      title: t('requests.col.rating'),
      dataIndex: 'ratingSatisfaction',
      render: (v: RequestSummary['ratingSatisfaction']) => (v ? <Tag color={v === 'dissatisfied' ? 'red' : 'green'}>{t(satisfactionKeys[v])}</Tag> : '—'),
      exportValue: (r) => (r.ratingSatisfaction ? t(satisfactionKeys[r.ratingSatisfaction]) : ''),
    },
  ]

  return (
    <PageCard title={t('requests.inbox.title')}>
      <Tabs
        activeKey={box}
        onChange={(key) => setFilters({ box: key === 'unit' ? null : key })}
        items={BOXES.map((b) => ({
          key: b,
          label: b === 'overdue' && overdueCount ? <Badge count={overdueCount} size="small" offset={[8, -2]}>{t(boxKeys[b])}</Badge> : t(boxKeys[b]),
        }))}
        data-testid="inbox-tabs"
      />
      <DataTable<RequestSummary, typeof filters>
        columns={columns}
        rowKey="id"
        filters={filters}
        exportFileName={t('requests.inbox.title')}
        fetchPage={({ page, pageSize, sort, filters: f }) => {
          const query: RequestQuery = {
            page, pageSize, box: isBox(f.box) ? f.box : 'unit',
            status: isStatus(f.status) ? f.status : undefined,
            priority: isPriority(f.priority) ? f.priority : undefined,
            unitId: f.unitId ? Number(f.unitId) : undefined,
            q: f.q || undefined, from: f.from || undefined, to: f.to || undefined,
            due: f.due === 'warning' ? 'warning' : undefined,
            awaiting: f.awaiting === 'acceptance' ? 'acceptance' : undefined,
            sort: sort?.field === 'submitted' ? (sort.order === 'desc' ? '-submitted' : 'submitted') : 'due',
          }
          return unwrap(api.GET('/api/requests', { params: { query } }))
        }}
        toolbar={
          <>
            {filters.awaiting === 'acceptance' && (
              <Tag closable color="orange" onClose={() => setFilters({ awaiting: null })} style={{ alignSelf: 'center' }} data-testid="inbox-filter-awaiting">
                {t('requests.filter.awaitingAcceptance')}
              </Tag>
            )}
            {filters.due === 'warning' && (
              <Tag closable color="orange" onClose={() => setFilters({ due: null })} style={{ alignSelf: 'center' }} data-testid="inbox-filter-due">
                {t('requests.filter.dueWarning')}
              </Tag>
            )}
            <Input.Search
              key={filters.q ?? ''}
              defaultValue={filters.q}
              placeholder={t('requests.filter.q')}
              allowClear
              onSearch={(q) => setFilters({ q })}
              style={{ width: 200 }}
              data-testid="inbox-search"
            />
            <Select
              value={filters.status}
              onChange={(status?: string) => setFilters({ status: status ?? null })}
              placeholder={box === 'all' ? t('requests.filter.statusAny') : t('requests.filter.statusOpen')}
              allowClear
              popupMatchSelectWidth={false}
              options={[
                { value: 'open', label: t('requests.filter.open') },
                { value: 'done', label: t('requests.filter.done') },
                ...STATUSES.map((s) => ({ value: s, label: t(statusKeys[s]) })),
              ]}
              style={{ width: 130 }}
              data-testid="inbox-status"
            />
            <Select
              value={filters.priority}
              onChange={(priority?: string) => setFilters({ priority: priority ?? null })}
              placeholder={t('requests.col.priority')}
              allowClear
              options={PRIORITIES.map((p) => ({ value: p, label: t(priorityKeys[p]) }))}
              style={{ width: 110 }}
            />
            <UnitSelect
              value={filters.unitId ? Number(filters.unitId) : undefined}
              onChange={(id) => setFilters({ unitId: typeof id === 'number' ? String(id) : null })}
              placeholder={t('requests.filter.unit')}
              style={{ width: 200 }}
            />
            <DatePicker.RangePicker
              value={filters.from && filters.to ? [dayjs(filters.from), dayjs(filters.to)] : null}
              onChange={(range) => setFilters({ from: range?.[0]?.format('YYYY-MM-DD') ?? null, to: range?.[1]?.format('YYYY-MM-DD') ?? null })}
              placeholder={[t('requests.filter.from'), t('requests.filter.to')]}
              style={{ width: 240 }}
            />
          </>
        }
        extra={
          can('requests.intake') && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setIntakeOpen(true)} data-testid="intake-open">
              {t('requests.intake.open')}
            </Button>
          )
        }
      />
      <StaffIntakeDialog open={intakeOpen} onClose={() => setIntakeOpen(false)} onCreated={(id) => navigate(`/requests/${id}`)} />
    </PageCard>
  )
}
