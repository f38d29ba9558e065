/**
 * The cases behind a number (GET /api/board/cases): the numerator or the denominator of a rate, or
 * the cases a counter counts, for the same unit, scope and period as the board. The total equals
 * the number on the board.
 */
import { useEffect, useState } from 'react'
import { Alert, Drawer, Flex, Segmented, Space, Table, Tag, Typography } from 'antd'
import { Link } from 'react-router-dom'
import { api, errorMessage, unwrap } from '../../api/client'
import { formatTime, useI18n } from '../../app/i18n'
import { DueBadge, StatusTag } from '../requests/parts'
import { satisfactionKeys, type RequestSummary } from '../requests/model'
import { metricKeys, type Dim, type DrillMetric, type DrillPage, type PeriodChoice } from './model'

export interface DrillTarget {
  unitId: number
  unitName: string
  metric: DrillMetric
  part: 'numerator' | 'denominator'
}

export function DrillDrawer({ target, period, dim, onClose }: { target: DrillTarget | null; period: PeriodChoice; dim: Dim; onClose: () => void }) {
  const { t } = useI18n()
  const [part, setPart] = useState<'numerator' | 'denominator'>('numerator')
  const [page, setPage] = useState(1)
  const [pageSize, setPageSize] = useState(20)
  const [data, setData] = useState<DrillPage | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [loading, setLoading] = useState(false)

  useEffect(() => {
    if (target) {
      setPart(target.part)
      setPage(1)
    }
  }, [target])

  useEffect(() => {
    if (!target) return
    let current = true
    setLoading(true)
    unwrap(api.GET('/api/board/cases', { params: { query: { unitId: target.unitId, metric: target.metric, part, dim, page, pageSize, ...period } } })).then(
      (d) => {
        if (!current) return
        setData(d)
        setError(null)
        setLoading(false)
      },
      (err: unknown) => {
        if (!current) return
        setError(errorMessage(err))
        setLoading(false)
      },
    )
    return () => {
      current = false
    }
  }, [target, part, page, pageSize, dim, period.period, period.year, period.from, period.to])

  const columns = [
    { key: 'id', title: t('requests.col.id'), dataIndex: 'id', render: (id: number) => <Link to={`/requests/${id}`}>#{id}</Link> },
    { key: 'title', title: t('requests.col.title'), dataIndex: 'title', render: (v: string, r: RequestSummary) => <Link to={`/requests/${r.id}`}>{v}</Link> },
    { key: 'status', title: t('requests.col.status'), dataIndex: 'status', render: (_: unknown, r: RequestSummary) => <StatusTag status={r.status} /> },
    { key: 'location', title: t('requests.col.location'), dataIndex: 'locationName' },
    { key: 'handler', title: t('requests.col.handler'), dataIndex: 'handlerName' },
    { key: 'submitted', title: t('requests.col.submittedAt'), dataIndex: 'submittedAt', render: (v: string) => formatTime(v) },
    { key: 'due', title: t('requests.col.due'), dataIndex: 'resolutionDueAt', render: (_: unknown, r: RequestSummary) => <DueBadge request={r} /> },
    {
      key: 'rating', title: t('requests.col.rating'), dataIndex: 'ratingSatisfaction',
      render: (v: RequestSummary['ratingSatisfaction']) => (v ? <Tag color={v === 'dissatisfied' ? 'red' : 'green'}>{t(satisfactionKeys[v])}</Tag> : '—'),
    },
  ]

  return (
    <Drawer
      open={target !== null}
      onClose={onClose}
      size={Math.min(980, window.innerWidth)}
      title={target ? t('board.drill.title', { unit: target.unitName, metric: t(metricKeys[target.metric]) }) : ''}
      destroyOnHidden
      data-testid="drill-drawer"
    >
      <Flex vertical gap={12}>
        <Space wrap>
          <Segmented
            value={part}
            onChange={(v) => {
              setPart(v as 'numerator' | 'denominator')
              setPage(1)
            }}
            options={[{ value: 'numerator', label: t('board.drill.numerator') }, { value: 'denominator', label: t('board.drill.denominator') }]}
            data-testid="drill-part"
          />
          {data && (
            <Typography.Text type="secondary" data-testid="drill-total" data-total={data.total}>
              {t('board.drill.total', { n: data.total, from: data.period.from, to: data.period.to })}
            </Typography.Text>
          )}
        </Space>
        {error && <Alert type="error" showIcon title={error} />}
        <Table<RequestSummary>
          rowKey="id"
          size="small"
          loading={loading}
          columns={columns}
          dataSource={data?.items ?? []}
          scroll={{ x: 'max-content' }}
          pagination={{
            current: page, pageSize, total: data?.total ?? 0, showSizeChanger: true,
            showTotal: (total) => t('common.total', { total }),
            onChange: (p, s) => {
              setPage(s !== pageSize ? 1 : p)
              setPageSize(s)
            },
          }}
          data-testid="drill-table"
        />
      </Flex>
    </Drawer>
  )
}
