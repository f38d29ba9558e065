/**
 * /dispatch — the dispatcher's desk (requests.dispatch): the cases of my unit waiting to be signed
 * for (new ones, and those returned up to us) and those signed for but not yet handed on, with
 * quick 签收 / 派单 / 转办 / 分派, and beside them the open load of each person of the unit and its
 * assignment policy (manual, round-robin, least load).
 */
import { useEffect, useMemo, useState } from 'react'
import { App, Button, Card, Col, Empty, Flex, Progress, Row, Select, Space, Tabs, Tag, Typography } from 'antd'
import { Link } from 'react-router-dom'
import { api, errorMessage, unwrap, type ApiResult } from '../../api/client'
import { useAuth } from '../../app/auth'
import { formatTime, useI18n, type MessageKey } from '../../app/i18n'
import { DataTable, useUrlFilters, type DataColumn } from '../../components/DataTable'
import { PageCard } from '../../components/PageCard'
import { UnitSelect } from '../../components/UnitSelect'
import { roleAllows } from '../../../../src/modules/access/roles'
import { ActionDialog, actionLabels, type CaseRef, type DialogSpec } from './ActionDialog'
import { statusKeys, type RequestSummary } from './model'
import { DueBadge, PriorityTag } from './parts'

type Policy = ApiResult<'/api/units/{id}/assignment-policy', 'get'>
type PolicyName = Policy['policy']
const POLICIES: PolicyName[] = ['manual', 'round_robin', 'least_load']
const policyKeys: Record<PolicyName, MessageKey> = { manual: 'requests.policy.manual', round_robin: 'requests.policy.round_robin', least_load: 'requests.policy.least_load' }
const QUEUES = ['submitted', 'accepted'] as const
type Queue = (typeof QUEUES)[number]
const queueKeys: Record<Queue, MessageKey> = { submitted: 'requests.dispatch.queue.submitted', accepted: 'requests.dispatch.queue.accepted' }

function LoadPanel({ unitId, reloadKey }: { unitId: number; reloadKey: number }) {
  const { t } = useI18n()
  const { message } = App.useApp()
  const [policy, setPolicy] = useState<Policy | null>(null)
  const [error, setError] = useState<string | null>(null)

  useEffect(() => {
    let current = true
    setPolicy(null)
    unwrap(api.GET('/api/units/{id}/assignment-policy', { params: { path: { id: unitId } } })).then(
      (p) => {
        if (!current) return
        setPolicy(p)
        setError(null)
      },
      (err: unknown) => current && setError(errorMessage(err)),
    )
    return () => {
      current = false
    }
  }, [unitId, reloadKey])

  const change = async (next: PolicyName) => {
    try {
      setPolicy(await unwrap(api.PUT('/api/units/{id}/assignment-policy', { params: { path: { id: unitId } }, body: { policy: next } })))
      void message.success(t('requests.policy.saved'))
    } catch (err) {
      void message.error(errorMessage(err))
    }
  }

  const max = Math.max(1, ...(policy?.workers.map((w) => w.openCases) ?? [0]))
  return (
    <Card title={t('requests.dispatch.load')} size="small" data-testid="dispatch-load">
      {error ? (
        <Typography.Text type="danger">{error}</Typography.Text>
      ) : !policy ? (
        <Typography.Text type="secondary">{t('app.loading')}</Typography.Text>
      ) : (
        <Flex vertical gap={12}>
          <Space wrap>
            <Typography.Text>{t('requests.policy.label')}</Typography.Text>
            <Select<PolicyName>
              value={policy.policy}
              onChange={(v) => void change(v)}
              options={POLICIES.map((p) => ({ value: p, label: t(policyKeys[p]) }))}
              style={{ width: 160 }}
              data-testid="dispatch-policy"
            />
          </Space>
          {policy.workers.length === 0 ? (
            <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('requests.dialog.noWorkers')} />
          ) : (
            [...policy.workers].sort((a, b) => b.openCases - a.openCases).map((w) => (
              <Flex key={w.accountId} vertical gap={0} data-testid="load-row">
                <Flex justify="space-between">
                  <span>{w.displayName}</span>
                  <Typography.Text type="secondary">{t('requests.dispatch.openCases', { n: w.openCases })}</Typography.Text>
                </Flex>
                <Progress percent={Math.round((w.openCases / max) * 100)} showInfo={false} size="small" strokeColor={w.openCases === max && max > 3 ? '#fa8c16' : undefined} />
              </Flex>
            ))
          )}
        </Flex>
      )}
    </Card>
  )
}

export default function DispatchPage() {
  const { t } = useI18n()
  const { me } = useAuth()
  const { message } = App.useApp()
  const [filters, setFilters] = useUrlFilters(['queue', 'unitId'] as const)
  const queue: Queue = filters.queue === 'accepted' ? 'accepted' : 'submitted'
  // The unit of my first grant that may dispatch, unless another one is chosen.
  const defaultUnit = useMemo(() => me?.grants.find((g) => g.unitId !== null && roleAllows(g.role, 'requests.dispatch'))?.unitId ?? undefined, [me])
  const unitId = filters.unitId ? Number(filters.unitId) : defaultUnit
  const [reloadKey, setReloadKey] = useState(0)
  const [dialog, setDialog] = useState<{ spec: DialogSpec; request: CaseRef } | null>(null)

  const accept = async (r: RequestSummary, thenDispatch: boolean) => {
    try {
      const next = await unwrap(api.POST('/api/requests/{id}/accept', { params: { path: { id: r.id } }, body: { version: r.version } }))
      void message.success(t('requests.detail.done', { action: t(actionLabels.accept) }))
      setReloadKey((n) => n + 1)
      if (thenDispatch) setDialog({ spec: { kind: 'step', action: 'dispatch' }, request: next })
    } catch (err) {
      void message.error(errorMessage(err))
      setReloadKey((n) => n + 1)
    }
  }
  const open = (r: RequestSummary, action: 'dispatch' | 'transfer' | 'assign') => setDialog({ spec: { kind: 'step', action }, request: r })

  const columns: DataColumn<RequestSummary>[] = [
    {
      key: 'title',
      title: t('requests.col.title'),
      dataIndex: 'title',
      render: (_: unknown, r) => (
        <Space size={4} wrap>
          <Link to={`/requests/${r.id}`}>{`#${r.id} ${r.title}`}</Link>
          <PriorityTag priority={r.priority} />
          {r.reopenCount > 0 && <Tag color="volcano">{t('requests.tag.reopened', { n: r.reopenCount })}</Tag>}
        </Space>
      ),
      exportValue: (r) => r.title,
    },
    { key: 'location', title: t('requests.col.location'), dataIndex: 'locationName' },
    { key: 'assignee', title: t('requests.detail.assignee'), dataIndex: 'assigneeName', render: (v: string | null) => v ?? '—' },
    { key: 'submitted', title: t('requests.col.submittedAt'), dataIndex: 'submittedAt', render: (v: string) => formatTime(v), exportValue: (r) => formatTime(r.submittedAt) },
    { key: 'due', title: t('requests.col.due'), dataIndex: 'resolutionDueAt', render: (_: unknown, r) => <DueBadge request={r} />, exportValue: (r) => formatTime(r.resolutionDueAt) },
    {
      key: 'actions',
      title: t('common.actions'),
      noExport: true,
      fixed: 'right',
      render: (_: unknown, r) => (
        <Space size={4} wrap>
          {r.status === 'submitted' && (
            <>
              <Button size="small" type="primary" onClick={() => void accept(r, true)} data-testid="quick-accept-dispatch">{t('requests.dispatch.acceptAndDispatch')}</Button>
              <Button size="small" onClick={() => void accept(r, false)} data-testid="quick-accept">{t(actionLabels.accept)}</Button>
              <Button size="small" onClick={() => open(r, 'transfer')}>{t(actionLabels.transfer)}</Button>
            </>
          )}
          {r.status === 'accepted' && (
            <>
              <Button size="small" type="primary" onClick={() => open(r, 'dispatch')} data-testid="quick-dispatch">{t(actionLabels.dispatch)}</Button>
              <Button size="small" onClick={() => open(r, 'assign')} data-testid="quick-assign">{t(actionLabels.assign)}</Button>
            </>
          )}
        </Space>
      ),
    },
  ]

  return (
    <PageCard
      title={t('requests.dispatch.title')}
      extra={
        <UnitSelect
          value={unitId}
          onChange={(id) => setFilters({ unitId: typeof id === 'number' ? String(id) : null })}
          placeholder={t('requests.dispatch.unit')}
          style={{ width: 240 }}
          data-testid="dispatch-unit"
        />
      }
    >
      <Row gutter={[16, 16]}>
        <Col xs={24} xxl={17}>
          <Tabs
            activeKey={queue}
            onChange={(key) => setFilters({ queue: key === 'submitted' ? null : key })}
            items={QUEUES.map((q) => ({ key: q, label: t(queueKeys[q]) }))}
          />
          <Typography.Paragraph type="secondary" style={{ marginTop: -8 }}>{t(queue === 'submitted' ? 'requests.dispatch.hint.submitted' : 'requests.dispatch.hint.accepted')}</Typography.Paragraph>
          <DataTable<RequestSummary, { queue: Queue; unitId?: number }>
            columns={columns}
            rowKey="id"
            filters={{ queue, unitId }}
            reloadKey={reloadKey}
            exportFileName={`${t('requests.dispatch.title')}-${t(statusKeys[queue])}`}
            fetchPage={({ page, pageSize, filters: f }) =>
              unwrap(api.GET('/api/requests', { params: { query: { box: 'unit', status: f.queue, unitId: f.unitId, page, pageSize, sort: 'due' } } }))
            }
          />
        </Col>
        <Col xs={24} xxl={7}>
          {unitId ? <LoadPanel unitId={unitId} reloadKey={reloadKey} /> : <Card size="small"><Empty description={t('requests.dispatch.chooseUnit')} /></Card>}
        </Col>
      </Row>
      {dialog && (
        <ActionDialog
          spec={dialog.spec}
          request={dialog.request}
          onClose={() => setDialog(null)}
          onDone={() => {
            const label = dialog.spec.kind === 'step' ? t(actionLabels[dialog.spec.action]) : ''
            setDialog(null)
            setReloadKey((n) => n + 1)
            void message.success(t('requests.detail.done', { action: label }))
          }}
          onError={(err) => {
            setDialog(null)
            setReloadKey((n) => n + 1)
            void message.error(err.code === 'version_conflict' ? t('requests.detail.conflict') : err.message)
          }}
        />
      )}
    </PageCard>
  )
}
