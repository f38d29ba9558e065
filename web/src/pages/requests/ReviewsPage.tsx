/**
 * /request-reviews — what waits for a supervisor (requests.supervise): extension requests (延期申请)
 * of the units below, and for the county the appeals (免考核申诉) that would leave a case out of the
 * rates. Each row opens the case or is decided here; approved appeals stay visible and audited.
 */
import { useState } from 'react'
import { App, Button, Segmented, Space, Tabs, Tag, Typography } from 'antd'
import { Link } from 'react-router-dom'
import { api, unwrap, type ApiResult } from '../../api/client'
import { formatTime, useI18n, type MessageKey } from '../../app/i18n'
import { DataTable, useUrlFilters, type DataColumn } from '../../components/DataTable'
import { PageCard } from '../../components/PageCard'
import { ActionDialog, type DialogSpec } from './ActionDialog'

type Extension = ApiResult<'/api/request-extensions', 'get'>['items'][number]
type Appeal = ApiResult<'/api/request-appeals', 'get'>['items'][number]
type Status = 'pending' | 'approved' | 'rejected'
const STATUSES: Status[] = ['pending', 'approved', 'rejected']
const statusKeys: Record<Status, MessageKey> = { pending: 'requests.decision.pending', approved: 'requests.decision.approved', rejected: 'requests.decision.rejected' }
const statusColor: Record<string, string> = { pending: 'gold', approved: 'green', rejected: 'red' }
const durationKeys: Record<string, MessageKey> = { hours: 'requests.unit.hours', working_hours: 'requests.unit.working_hours', working_days: 'requests.unit.working_days' }
const appealKeys: Record<string, MessageKey> = { malicious: 'requests.appeal.malicious', duplicate: 'requests.appeal.duplicate', not_our_duty: 'requests.appeal.not_our_duty' }

const isStatus = (v: string | undefined): v is Status => (STATUSES as string[]).includes(v ?? '')

export default function ReviewsPage() {
  const { t } = useI18n()
  const { message } = App.useApp()
  const [filters, setFilters] = useUrlFilters(['tab', 'status'] as const)
  const tab = filters.tab === 'appeals' ? 'appeals' : 'extensions'
  const status: Status = isStatus(filters.status) ? filters.status : 'pending'
  const [reloadKey, setReloadKey] = useState(0)
  const [dialog, setDialog] = useState<{ spec: DialogSpec; requestId: number } | null>(null)

  const statusTag = (s: string) => <Tag color={statusColor[s] ?? 'default'}>{isStatus(s) ? t(statusKeys[s]) : s}</Tag>
  const caseLink = (id: number) => <Link to={`/requests/${id}`}>{t('requests.reviews.case', { id })}</Link>
  const decide = (spec: DialogSpec, requestId: number) => (
    <Space size={4}>
      <Button size="small" type="primary" onClick={() => setDialog({ spec: { ...spec, approve: true } as DialogSpec, requestId })} data-testid="review-approve">{t('requests.dialog.approve')}</Button>
      <Button size="small" danger onClick={() => setDialog({ spec: { ...spec, approve: false } as DialogSpec, requestId })}>{t('requests.dialog.reject')}</Button>
    </Space>
  )

  const extensionColumns: DataColumn<Extension>[] = [
    { key: 'request', title: t('requests.reviews.request'), dataIndex: 'requestId', render: (id: number) => caseLink(id) },
    { key: 'extra', title: t('requests.dialog.extra'), dataIndex: 'amount', render: (_: unknown, x) => `+${x.amount} ${t(durationKeys[x.unit] ?? 'requests.unit.hours')}`, exportValue: (x) => `${x.amount} ${x.unit}` },
    { key: 'reason', title: t('requests.dialog.reason'), dataIndex: 'reason', render: (v: string) => <Typography.Paragraph ellipsis={{ rows: 2 }} style={{ margin: 0, maxWidth: 360 }}>{v}</Typography.Paragraph> },
    { key: 'requestedAt', title: t('requests.reviews.requestedAt'), dataIndex: 'requestedAt', render: (v: string) => formatTime(v), exportValue: (x) => formatTime(x.requestedAt) },
    { key: 'status', title: t('requests.col.status'), dataIndex: 'status', render: (v: string) => statusTag(v), exportValue: (x) => (isStatus(x.status) ? t(statusKeys[x.status]) : x.status) },
    { key: 'note', title: t('requests.reviews.decisionNote'), dataIndex: 'decisionNote', render: (v: string | null) => v ?? '—' },
    {
      key: 'actions', title: t('common.actions'), noExport: true,
      render: (_: unknown, x) => (x.status === 'pending' ? decide({ kind: 'decide_extension', extensionId: x.id, approve: true }, x.requestId) : null),
    },
  ]
  const appealColumns: DataColumn<Appeal>[] = [
    { key: 'request', title: t('requests.reviews.request'), dataIndex: 'requestId', render: (id: number) => caseLink(id) },
    { key: 'unit', title: t('requests.reviews.unit'), dataIndex: 'unitName' },
    { key: 'kind', title: t('requests.dialog.appealKind'), dataIndex: 'kind', render: (v: string) => t(appealKeys[v] ?? 'requests.appeal.duplicate'), exportValue: (a) => t(appealKeys[a.kind] ?? 'requests.appeal.duplicate') },
    { key: 'reason', title: t('requests.dialog.reason'), dataIndex: 'reason', render: (v: string) => <Typography.Paragraph ellipsis={{ rows: 2 }} style={{ margin: 0, maxWidth: 360 }}>{v}</Typography.Paragraph> },
    { key: 'requestedAt', title: t('requests.reviews.requestedAt'), dataIndex: 'requestedAt', render: (v: string) => formatTime(v), exportValue: (a) => formatTime(a.requestedAt) },
    { key: 'status', title: t('requests.col.status'), dataIndex: 'status', render: (v: string) => statusTag(v), exportValue: (a) => (isStatus(a.status) ? t(statusKeys[a.status]) : a.status) },
    { key: 'note', title: t('requests.reviews.decisionNote'), dataIndex: 'decisionNote', render: (v: string | null) => v ?? '—' },
    {
      key: 'actions', title: t('common.actions'), noExport: true,
      render: (_: unknown, a) => (a.status === 'pending' ? decide({ kind: 'decide_appeal', appealId: a.id, approve: true }, a.requestId) : null),
    },
  ]

  const statusFilter = (
    <Segmented<Status>
      value={status}
      onChange={(v) => setFilters({ status: v === 'pending' ? null : v })}
      options={STATUSES.map((s) => ({ value: s, label: t(statusKeys[s]) }))}
    />
  )

  return (
    <PageCard title={t('requests.reviews.title')}>
      <Tabs
        activeKey={tab}
        onChange={(key) => setFilters({ tab: key === 'extensions' ? null : key })}
        items={[{ key: 'extensions', label: t('requests.extensions.title') }, { key: 'appeals', label: t('requests.appeals.title') }]}
      />
      <Typography.Paragraph type="secondary" style={{ marginTop: -8 }}>
        {t(tab === 'appeals' ? 'requests.reviews.hint.appeals' : 'requests.reviews.hint.extensions')}
      </Typography.Paragraph>
      {tab === 'extensions' ? (
        <DataTable<Extension, { status: Status }>
          key="extensions"
          columns={extensionColumns}
          rowKey="id"
          filters={{ status }}
          reloadKey={reloadKey}
          exportFileName={t('requests.extensions.title')}
          toolbar={statusFilter}
          fetchPage={({ page, pageSize, filters: f }) => unwrap(api.GET('/api/request-extensions', { params: { query: { page, pageSize, status: f.status } } }))}
        />
      ) : (
        <DataTable<Appeal, { status: Status }>
          key="appeals"
          columns={appealColumns}
          rowKey="id"
          filters={{ status }}
          reloadKey={reloadKey}
          exportFileName={t('requests.appeals.title')}
          toolbar={statusFilter}
          fetchPage={({ page, pageSize, filters: f }) => unwrap(api.GET('/api/request-appeals', { params: { query: { page, pageSize, status: f.status } } }))}
        />
      )}
      {dialog && (
        <ActionDialog
          spec={dialog.spec}
          // A decision needs no version: only the case id matters here.
          request={{ id: dialog.requestId, version: 1, handlerUnitId: null }}
          onClose={() => setDialog(null)}
          onDone={() => {
            setDialog(null)
            setReloadKey((n) => n + 1)
            void message.success(t('requests.reviews.decided'))
          }}
          onError={(err) => {
            setDialog(null)
            setReloadKey((n) => n + 1)
            void message.error(err.message)
          }}
        />
      )}
    </PageCard>
  )
}
