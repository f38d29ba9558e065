/** 调整记录: every restructuring that touched the caller's subtree, with the full plan, created units and lineage. */
import { useEffect, useState } from 'react'
import { Alert, DatePicker, Descriptions, Drawer, Flex, Grid, Select, Skeleton, Space, Tag, Typography } from 'antd'
import { ArrowRightOutlined } from '@ant-design/icons'
import dayjs, { type Dayjs } from 'dayjs'
import { Link, useSearchParams } from 'react-router-dom'
import { api, errorMessage, unwrap } from '../../api/client'
import { formatTime, useI18n } from '../../app/i18n'
import { DataTable, useUrlFilters, type DataColumn } from '../../components/DataTable'
import { PageCard } from '../../components/PageCard'
import { PlanView } from './PlanView'
import { UnitPicker } from './UnitPicker'
import { RESTRUCTURE_KINDS, type EventQuery, type RestructureEvent, type RestructureEventDetail, type RestructureKind } from './types'

const FILTERS = ['kind', 'unitId', 'from', 'to'] as const
const DAY = /^\d{4}-\d{2}-\d{2}$/
const isKind = (v: string | undefined): v is RestructureKind => v !== undefined && (RESTRUCTURE_KINDS as string[]).includes(v)

function EventDrawer({ id, onClose }: { id: number | null; onClose: () => void }) {
  const { t } = useI18n()
  const phone = Grid.useBreakpoint().md === false
  const [event, setEvent] = useState<RestructureEventDetail | null>(null)
  const [error, setError] = useState<string | null>(null)

  useEffect(() => {
    if (id === null) return
    let current = true
    setEvent(null)
    setError(null)
    unwrap(api.GET('/api/restructure-events/{id}', { params: { path: { id } } })).then(
      (e) => current && setEvent(e),
      (err: unknown) => current && setError(errorMessage(err)),
    )
    return () => {
      current = false
    }
  }, [id])

  return (
    <Drawer open={id !== null} onClose={onClose} size={phone ? '100%' : 880} title={event?.title ?? t('units.events.detail')} destroyOnHidden data-testid="event-drawer">
      {error && <Alert type="error" showIcon title={error} />}
      {!event && !error && <Skeleton active />}
      {event && (
        <Flex vertical gap={20}>
          <Descriptions size="small" bordered column={{ xs: 1, sm: 2 }}>
            <Descriptions.Item label={t('units.events.kind')}>
              <Tag color="red">{t(`units.kind.${event.kind}`)}</Tag>
            </Descriptions.Item>
            <Descriptions.Item label={t('units.plan.effectiveDate')}>{event.effectiveDate}</Descriptions.Item>
            <Descriptions.Item label={t('units.events.actor')}>{event.actorUsername ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={t('units.events.recordedAt')}>{formatTime(event.createdAt)}</Descriptions.Item>
          </Descriptions>
          {event.createdUnits.length > 0 && (
            <div>
              <Typography.Text strong>{t('units.wizard.createdUnits')}</Typography.Text>
              <Flex wrap gap={6} style={{ marginTop: 8 }}>
                {event.createdUnits.map((c) => (
                  <Link key={c.id} to={`/units?unit=${c.id}`}>
                    <Tag color="green">{event.plan.created.find((p) => p.ref === c.ref)?.name ?? c.ref}</Tag>
                  </Link>
                ))}
              </Flex>
            </div>
          )}
          {event.lineage.length > 0 && (
            <div>
              <Typography.Text strong>{t('units.plan.lineage')}</Typography.Text>
              <Flex vertical gap={4} style={{ marginTop: 8 }}>
                {event.lineage.map((l, i) => (
                  <Space key={i} wrap size={6}>
                    <Link to={`/units?unit=${l.predecessorId}&archived=1`}>{l.predecessorName}</Link>
                    <ArrowRightOutlined style={{ color: '#999' }} />
                    <Tag>{t(`units.relation.${l.relation}`)}</Tag>
                    <Link to={`/units?unit=${l.successorId}`}>{l.successorName}</Link>
                  </Space>
                ))}
              </Flex>
            </div>
          )}
          <PlanView plan={event.plan} />
        </Flex>
      )}
    </Drawer>
  )
}

export default function RestructureEventsPage() {
  const { t } = useI18n()
  const [filters, setFilters] = useUrlFilters(FILTERS)
  const [params, setParams] = useSearchParams()
  const eventParam = Number(params.get('event'))
  const open = Number.isInteger(eventParam) && eventParam > 0 ? eventParam : null
  const setOpen = (id: number | null) =>
    setParams((current) => {
      const next = new URLSearchParams(current)
      if (id === null) next.delete('event')
      else next.set('event', String(id))
      return next
    }, { replace: id === null })

  const columns: DataColumn<RestructureEvent>[] = [
    { key: 'effectiveDate', title: t('units.plan.effectiveDate'), dataIndex: 'effectiveDate' },
    { key: 'kind', title: t('units.events.kind'), dataIndex: 'kind', render: (k: RestructureKind) => <Tag color="red">{t(`units.kind.${k}`)}</Tag>, exportValue: (row) => t(`units.kind.${row.kind}`) },
    {
      key: 'title',
      title: t('units.events.title'),
      dataIndex: 'title',
      render: (title: string, row) => (
        <a onClick={() => setOpen(row.id)} data-testid={`event-${row.id}`}>
          {title}
        </a>
      ),
    },
    { key: 'anchor', title: t('units.plan.anchor'), dataIndex: 'anchorUnitName', render: (v: string | null, row) => (row.anchorUnitId ? <Link to={`/units?unit=${row.anchorUnitId}`}>{v}</Link> : '—') },
    { key: 'households', title: t('units.plan.count.households'), dataIndex: ['counts', 'households'], responsive: ['lg'] },
    { key: 'people', title: t('units.plan.count.people'), dataIndex: ['counts', 'people'], responsive: ['lg'] },
    { key: 'partyOrgs', title: t('units.plan.count.partyOrgs'), dataIndex: ['counts', 'partyOrgs'], responsive: ['xl'] },
    { key: 'actor', title: t('units.events.actor'), dataIndex: 'actorUsername', responsive: ['md'] },
    { key: 'createdAt', title: t('units.events.recordedAt'), dataIndex: 'createdAt', render: (v: string) => formatTime(v), exportValue: (row) => formatTime(row.createdAt, true), responsive: ['md'] },
  ]

  const range: [Dayjs, Dayjs] | null = filters.from && filters.to && DAY.test(filters.from) && DAY.test(filters.to) ? [dayjs(filters.from), dayjs(filters.to)] : null
  const unitId = Number(filters.unitId)

  return (
    <PageCard title={t('units.events.pageTitle')}>
      <DataTable<RestructureEvent, typeof filters>
        columns={columns}
        rowKey="id"
        filters={filters}
        exportFileName={t('units.events.pageTitle')}
        fetchPage={({ page, pageSize, filters: f }) => {
          const id = Number(f.unitId)
          const query: EventQuery = {
            page,
            pageSize,
            kind: isKind(f.kind) ? f.kind : undefined,
            unitId: Number.isInteger(id) && id > 0 ? id : undefined,
            from: f.from && DAY.test(f.from) ? f.from : undefined,
            to: f.to && DAY.test(f.to) ? f.to : undefined,
          }
          return unwrap(api.GET('/api/restructure-events', { params: { query } }))
        }}
        toolbar={
          <>
            <Select
              value={filters.kind}
              onChange={(kind?: string) => setFilters({ kind: kind ?? null })}
              placeholder={t('units.events.kind')}
              allowClear
              options={RESTRUCTURE_KINDS.map((k) => ({ value: k, label: t(`units.kind.${k}`) }))}
              style={{ width: 160 }}
            />
            <UnitPicker
              value={Number.isInteger(unitId) && unitId > 0 ? unitId : null}
              status="all"
              onChange={(id) => setFilters({ unitId: id === undefined ? null : String(id) })}
              placeholder={t('units.events.unitFilter')}
              style={{ width: 240 }}
            />
            <DatePicker.RangePicker
              value={range}
              onChange={(days) => setFilters({ from: days?.[0]?.format('YYYY-MM-DD') ?? null, to: days?.[1]?.format('YYYY-MM-DD') ?? null })}
              style={{ width: 260 }}
            />
          </>
        }
      />
      <EventDrawer id={open} onClose={() => setOpen(null)} />
    </PageCard>
  )
}
