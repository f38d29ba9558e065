import type { ReactNode } from 'react'
import { Col, DatePicker, Flex, Input, Row, Typography } from 'antd'
import dayjs, { type Dayjs } from 'dayjs'
import { api, unwrap, type ApiQuery, type AuditEntryView } from '../../api/client'
import { formatTime, TIME_ZONE, useI18n } from '../../app/i18n'
import { PageCard } from '../../components/PageCard'
import { DataTable, useUrlFilters, type DataColumn } from '../../components/DataTable'

type AuditQuery = ApiQuery<'/api/audit', 'get'>
// from/to are calendar days (YYYY-MM-DD, Beijing time) in the URL; `to` includes its whole day.
const FILTERS = ['actor', 'action', 'entityType', 'entityId', 'from', 'to'] as const
const DAY = /^\d{4}-\d{2}-\d{2}$/

const dayStart = (day: string | undefined, plusDays = 0): string | undefined =>
  day && DAY.test(day) ? dayjs.tz(day, TIME_ZONE).add(plusDays, 'day').toISOString() : undefined

function Json({ value }: { value: unknown }) {
  return <pre className="chorus-json">{JSON.stringify(value, null, 2)}</pre>
}

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <span>
      <Typography.Text type="secondary">{label}:</Typography.Text> {children}
    </span>
  )
}

function AuditDetails({ entry }: { entry: AuditEntryView }) {
  const { t } = useI18n()
  const hasChange = entry.before !== null || entry.after !== null
  return (
    // Width 0 / min-width 100%: the details take the table's width instead of widening the table.
    <div style={{ width: 0, minWidth: '100%', padding: '4px 0' }} data-testid="audit-details">
      <Flex wrap gap="4px 24px" style={{ marginBottom: 12 }}>
        <Field label={t('audit.ip')}>{entry.ip ?? '—'}</Field>
        <Field label={t('audit.requestId')}>
          {entry.requestId ? (
            <Typography.Text code copyable>
              {entry.requestId}
            </Typography.Text>
          ) : (
            '—'
          )}
        </Field>
        {entry.reason && <Field label={t('audit.reason')}>{entry.reason}</Field>}
      </Flex>
      {hasChange ? (
        <Row gutter={[12, 12]}>
          <Col xs={24} md={12}>
            <Typography.Text type="secondary">{t('audit.before')}</Typography.Text>
            <Json value={entry.before} />
          </Col>
          <Col xs={24} md={12}>
            <Typography.Text type="secondary">{t('audit.after')}</Typography.Text>
            <Json value={entry.after} />
          </Col>
        </Row>
      ) : (
        <Typography.Text type="secondary">{t('audit.noChange')}</Typography.Text>
      )}
    </div>
  )
}

export default function AuditPage() {
  const { t } = useI18n()
  const [filters, setFilters] = useUrlFilters(FILTERS)

  const columns: DataColumn<AuditEntryView>[] = [
    { key: 'at', title: t('audit.at'), dataIndex: 'at', render: (v: string) => formatTime(v, true), exportValue: (row) => formatTime(row.at, true) },
    {
      key: 'actor',
      title: t('audit.actor'),
      dataIndex: 'actorUsername',
      render: (v: string | null) => v ?? <Typography.Text type="secondary">{t('audit.system')}</Typography.Text>,
      exportValue: (row) => row.actorUsername ?? t('audit.system'),
    },
    { key: 'action', title: t('audit.action'), dataIndex: 'action', render: (v: string) => <Typography.Text code>{v}</Typography.Text> },
    {
      key: 'entity',
      title: t('audit.entity'),
      dataIndex: 'entityType',
      render: (_: unknown, row) => (row.entityId ? `${row.entityType} #${row.entityId}` : row.entityType),
      exportValue: (row) => (row.entityId ? `${row.entityType} #${row.entityId}` : row.entityType),
    },
    { key: 'ip', title: t('audit.ip'), dataIndex: 'ip', responsive: ['lg'] },
    { key: 'before', title: t('audit.before'), dataIndex: 'before', hidden: true },
    { key: 'after', title: t('audit.after'), dataIndex: 'after', hidden: true },
    { key: 'reason', title: t('audit.reason'), dataIndex: 'reason', hidden: true },
    { key: 'requestId', title: t('audit.requestId'), dataIndex: 'requestId', hidden: true },
  ]

  const range: [Dayjs, Dayjs] | null =
    filters.from && filters.to && DAY.test(filters.from) && DAY.test(filters.to) ? [dayjs(filters.from), dayjs(filters.to)] : null

  return (
    <PageCard title={t('audit.title')}>
      <DataTable<AuditEntryView, typeof filters>
        columns={columns}
        rowKey="id"
        filters={filters}
        exportFileName={t('audit.title')}
        fetchPage={({ page, pageSize, filters: f }) => {
          const query: AuditQuery = {
            page,
            pageSize,
            actor: f.actor,
            action: f.action,
            entityType: f.entityType,
            entityId: f.entityId,
            from: dayStart(f.from),
            to: dayStart(f.to, 1),
          }
          return unwrap(api.GET('/api/audit', { params: { query } }))
        }}
        expandable={{ expandedRowRender: (entry) => <AuditDetails entry={entry} /> }}
        toolbar={
          <>
            <Input.Search
              key={`actor-${filters.actor ?? ''}`}
              defaultValue={filters.actor}
              placeholder={t('audit.actorPlaceholder')}
              allowClear
              onSearch={(actor) => setFilters({ actor })}
              style={{ width: 170 }}
            />
            <Input.Search
              key={`action-${filters.action ?? ''}`}
              defaultValue={filters.action}
              placeholder={t('audit.actionPlaceholder')}
              allowClear
              onSearch={(action) => setFilters({ action })}
              style={{ width: 220 }}
            />
            <Input.Search
              key={`entity-${filters.entityType ?? ''}`}
              defaultValue={filters.entityType}
              placeholder={t('audit.entityType')}
              allowClear
              onSearch={(entityType) => setFilters({ entityType })}
              style={{ width: 150 }}
            />
            <Input.Search
              key={`entityId-${filters.entityId ?? ''}`}
              defaultValue={filters.entityId}
              placeholder={t('audit.entityId')}
              allowClear
              onSearch={(entityId) => setFilters({ entityId })}
              style={{ width: 150 }}
            />
            <DatePicker.RangePicker
              value={range}
              onChange={(days) =>
                setFilters({ from: days?.[0]?.format('YYYY-MM-DD') ?? null, to: days?.[1]?.format('YYYY-MM-DD') ?? null })
              }
              style={{ width: 260 }}
            />
          </>
        }
      />
    </PageCard>
  )
}
