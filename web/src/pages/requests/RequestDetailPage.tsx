/**
 * /requests/:id — one case: what the resident asked (text, photos, place, masked phone), where it
 * stands (status, units, deadlines), its immutable timeline (internal and public notes), co-units,
 * extensions, appeals and ratings, and the buttons for exactly the steps the API says the caller
 * may take now (`allowedActions`).
 */
import { useCallback, useEffect, useState } from 'react'
import { Alert, App, Button, Card, Col, Descriptions, Empty, Flex, Image, Input, Modal, Result, Row, Skeleton, Space, Tag, Timeline, Tooltip, Typography } from 'antd'
import { ArrowLeftOutlined, EyeOutlined, LockOutlined, ReloadOutlined } from '@ant-design/icons'
import { Link, useParams } from 'react-router-dom'
import { api, ApiError, errorMessage, unwrap } from '../../api/client'
import { usePublicOrigin } from '../../app/deployment'
import { formatTime, useI18n, type MessageKey } from '../../app/i18n'
import { ActionDialog, actionLabels, type DialogSpec } from './ActionDialog'
import { eventKey, priorityKeys, satisfactionKeys, sourceKeys, statusKeys, type ActionName, type RequestDetail, type RequestStatus } from './model'
import { DueBadge, PriorityTag, StatusTag } from './parts'

/** The order of the buttons; the first allowed one of the main path is the primary button. */
const MAIN: ActionName[] = ['accept', 'start', 'resolve', 'dispatch', 'assign', 'transfer', 'return', 'pause', 'resume', 'close', 'reopen']
const MORE: ActionName[] = ['add_co_units', 'request_extension', 'remind', 'callback', 'merge', 'appeal', 'note']
const DANGER = new Set<ActionName>(['return', 'reopen', 'merge'])

const durationKeys: Record<string, MessageKey> = { hours: 'requests.unit.hours', working_hours: 'requests.unit.working_hours', working_days: 'requests.unit.working_days' }
const appealKeys: Record<string, MessageKey> = { malicious: 'requests.appeal.malicious', duplicate: 'requests.appeal.duplicate', not_our_duty: 'requests.appeal.not_our_duty' }
const decisionKeys: Record<string, MessageKey> = { pending: 'requests.decision.pending', approved: 'requests.decision.approved', rejected: 'requests.decision.rejected' }
const coStatusKeys: Record<string, MessageKey> = { pending: 'requests.co.pending', accepted: 'requests.co.accepted', done: 'requests.co.done' }

function hours(minutes: number | null): string {
  return minutes === null ? '—' : (minutes / 60).toFixed(1)
}

function PhoneField({ r }: { r: RequestDetail }) {
  const { t } = useI18n()
  const { message } = App.useApp()
  const [open, setOpen] = useState(false)
  const [reason, setReason] = useState('')
  const [phone, setPhone] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  if (!r.phoneMasked) return <span>{r.anonymous ? t('requests.detail.anonymous') : '—'}</span>
  const reveal = async () => {
    setBusy(true)
    try {
      const res = await unwrap(api.POST('/api/requests/{id}/unmask-phone', { params: { path: { id: r.id } }, body: { reason: reason.trim() } }))
      setPhone(res.phone)
      setOpen(false)
    } catch (err) {
      void message.error(errorMessage(err))
    } finally {
      setBusy(false)
    }
  }
  return (
    <Space size={4}>
      <span data-testid="detail-phone">{phone ?? r.phoneMasked}</span>
      {!phone && r.allowedActions.includes('unmask_phone') && (
        <Tooltip title={t('requests.detail.unmask')}>
          <Button size="small" type="text" icon={<EyeOutlined />} onClick={() => setOpen(true)} aria-label={t('requests.detail.unmask')} data-testid="unmask-phone" />
        </Tooltip>
      )}
      <Modal open={open} title={t('requests.detail.unmask')} onCancel={() => setOpen(false)} onOk={() => void reveal()} okButtonProps={{ disabled: reason.trim().length < 2, loading: busy }} destroyOnHidden>
        <Typography.Paragraph type="secondary">{t('requests.detail.unmaskHint')}</Typography.Paragraph>
        <Input.TextArea rows={2} maxLength={200} value={reason} onChange={(e) => setReason(e.target.value)} placeholder={t('requests.detail.unmaskReason')} data-testid="unmask-reason" />
      </Modal>
    </Space>
  )
}

/** Steps the resident took without an account (their submit, their rating, a reopening after their "not solved"). */
function byResident(e: RequestDetail['timeline'][number]): boolean {
  if (e.kind === 'submitted' || e.kind === 'rated') return true
  const data = e.data as { by?: unknown } | null
  return e.kind === 'reopened' && data !== null && typeof data === 'object' && data.by === 'resident'
}

function TimelineCard({ r }: { r: RequestDetail }) {
  const { t } = useI18n()
  const events = [...r.timeline].reverse()
  return (
    <Card title={t('requests.detail.timeline')} styles={{ body: { paddingBottom: 0 } }}>
      <Timeline
        items={events.map((e) => {
          const key = eventKey(e.kind)
          const from = e.fromStatus as RequestStatus | null
          const to = e.toStatus as RequestStatus | null
          return {
            key: e.id,
            color: e.kind === 'reopened' || e.kind === 'overdue' || e.kind === 'escalated' ? 'red' : e.visibility === 'public' ? 'green' : 'blue',
            content: (
              <Flex vertical gap={2} data-testid="timeline-event" data-kind={e.kind}>
                <Space size={6} wrap>
                  <Typography.Text strong>{key ? t(key) : e.kind}</Typography.Text>
                  <Tag color={e.visibility === 'public' ? 'green' : 'default'} icon={e.visibility === 'internal' ? <LockOutlined /> : undefined} style={{ marginInlineEnd: 0 }}>
                    {t(e.visibility === 'public' ? 'requests.visibility.public' : 'requests.visibility.internal')}
                  </Tag>
                  {from && to && from !== to && statusKeys[from] && statusKeys[to] && (
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>{`${t(statusKeys[from])} → ${t(statusKeys[to])}`}</Typography.Text>
                  )}
                </Space>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {[formatTime(e.at, true), e.actorName ?? (byResident(e) ? t('requests.detail.resident') : t('requests.detail.system')), e.unitName].filter(Boolean).join(' · ')}
                </Typography.Text>
                {e.note && <Typography.Paragraph style={{ margin: 0, whiteSpace: 'pre-wrap' }}>{e.note}</Typography.Paragraph>}
              </Flex>
            ),
          }
        })}
      />
    </Card>
  )
}

export default function RequestDetailPage() {
  const { id: idParam = '' } = useParams()
  const id = Number(idParam)
  const { t } = useI18n()
  const { message } = App.useApp()
  const publicOrigin = usePublicOrigin()
  const [r, setR] = useState<RequestDetail | null>(null)
  const [error, setError] = useState<ApiError | null>(null)
  const [conflict, setConflict] = useState<string | null>(null)
  const [dialog, setDialog] = useState<DialogSpec | null>(null)
  const [loading, setLoading] = useState(false)

  const load = useCallback(() => {
    if (!Number.isInteger(id) || id < 1) {
      setError(new ApiError(404, 'request_not_found', t('requests.detail.badId')))
      return
    }
    setLoading(true)
    unwrap(api.GET('/api/requests/{id}', { params: { path: { id } } })).then(
      (detail) => {
        setR(detail)
        setError(null)
        setConflict(null)
        setLoading(false)
      },
      (err: unknown) => {
        setError(err instanceof ApiError ? err : new ApiError(0, 'network_error', errorMessage(err)))
        setLoading(false)
      },
    )
  }, [id, t])
  useEffect(load, [load])

  if (error && !r) {
    return (
      <Card>
        <Result
          status={error.status === 404 ? '404' : error.status === 403 ? '403' : 'error'}
          title={error.status === 404 ? t('requests.detail.notFound') : t('common.loadFailed')}
          subTitle={error.message}
          extra={
            <Space>
              <Link to="/requests"><Button type="primary">{t('requests.detail.backToInbox')}</Button></Link>
              {error.status !== 404 && <Button onClick={load}>{t('common.retry')}</Button>}
            </Space>
          }
          data-testid="request-error"
        />
      </Card>
    )
  }
  if (!r) return <Card><Skeleton active /></Card>

  const allowed = new Set(r.allowedActions)
  const main = MAIN.filter((a) => allowed.has(a))
  const more = MORE.filter((a) => allowed.has(a))
  const done = (next: RequestDetail, label: string) => {
    setDialog(null)
    setR(next)
    setConflict(null)
    void message.success(t('requests.detail.done', { action: label }))
  }
  const stepButton = (a: ActionName, primary: boolean) => (
    <Button
      key={a}
      type={primary ? 'primary' : 'default'}
      danger={DANGER.has(a)}
      onClick={() => setDialog({ kind: 'step', action: a as Extract<DialogSpec, { kind: 'step' }>['action'] })}
      data-testid={`action-${a}`}
    >
      {t(actionLabels[a])}
    </Button>
  )
  const dialogLabel = dialog?.kind === 'step' ? t(actionLabels[dialog.action]) : dialog?.kind === 'co_done' ? t(actionLabels.co_done) : t('requests.detail.decision')

  return (
    <Flex vertical gap={16} data-testid="request-detail" data-status={r.status} data-version={r.version}>
      <Card
        title={
          <Flex align="center" gap={8} wrap style={{ paddingBlock: 8 }}>
            <Link to="/requests" aria-label={t('requests.detail.backToInbox')}><ArrowLeftOutlined /></Link>
            <Typography.Text type="secondary">#{r.id}</Typography.Text>
            <Typography.Title level={4} style={{ margin: 0, whiteSpace: 'normal' }} data-testid="detail-title">{r.title}</Typography.Title>
            <StatusTag status={r.status} />
            <PriorityTag priority={r.priority} />
            {r.paused && <Tag>{t('requests.tag.paused')}</Tag>}
            {r.excluded && <Tag>{t('requests.tag.excluded')}</Tag>}
            {r.reopenCount > 0 && <Tag color="volcano">{t('requests.tag.reopened', { n: r.reopenCount })}</Tag>}
          </Flex>
        }
        extra={<Button icon={<ReloadOutlined />} loading={loading} onClick={load} aria-label={t('table.refresh')} />}
      >
        {conflict && (
          <Alert
            type="warning"
            showIcon
            title={t('requests.detail.conflict')}
            description={conflict}
            action={<Button size="small" onClick={load}>{t('requests.detail.reload')}</Button>}
            style={{ marginBottom: 16 }}
            data-testid="version-conflict"
          />
        )}
        {main.length + more.length > 0 ? (
          <Flex wrap gap={8} data-testid="detail-actions">
            {main.map((a, i) => stepButton(a, i === 0))}
            {more.map((a) => stepButton(a, false))}
          </Flex>
        ) : (
          <Typography.Text type="secondary" data-testid="detail-no-actions">{t('requests.detail.noActions')}</Typography.Text>
        )}
      </Card>

      <Row gutter={[16, 16]}>
        <Col xs={24} lg={15}>
          <Flex vertical gap={16}>
            <Card title={t('requests.detail.request')}>
              <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', fontSize: 15 }} data-testid="detail-description">{r.description}</Typography.Paragraph>
              {r.photos.length > 0 && (
                <Image.PreviewGroup>
                  <Flex wrap gap={8} style={{ marginBottom: 16 }} data-testid="detail-photos">
                    {r.photos.map((p) => (
                      <Flex vertical key={p.id} align="center" gap={2}>
                        <Image src={p.url} width={96} height={96} style={{ objectFit: 'cover', borderRadius: 6 }} alt="" />
                        <Typography.Text type="secondary" style={{ fontSize: 11 }}>{t(p.stage === 'intake' ? 'requests.photo.intake' : 'requests.photo.resolution')}</Typography.Text>
                      </Flex>
                    ))}
                  </Flex>
                </Image.PreviewGroup>
              )}
              <Descriptions
                size="small"
                column={{ xs: 1, sm: 2 }}
                items={[
                  { key: 'location', label: t('requests.col.location'), children: r.locationName },
                  { key: 'address', label: t('requests.detail.address'), children: r.address ?? '—' },
                  { key: 'contact', label: t('requests.detail.contact'), children: r.contactName ?? (r.anonymous ? t('requests.detail.anonymous') : '—') },
                  { key: 'phone', label: t('requests.detail.phone'), children: <PhoneField r={r} /> },
                  { key: 'source', label: t('requests.detail.source'), children: t(sourceKeys[r.source]) },
                  { key: 'priority', label: t('requests.col.priority'), children: t(priorityKeys[r.priority]) },
                  {
                    key: 'tracking', label: t('requests.detail.tracking'),
                    children: <Typography.Text copyable={{ text: `${publicOrigin}/track/${r.trackingCode}` }} style={{ fontFamily: 'monospace', fontSize: 12 }}>{r.trackingCode}</Typography.Text>,
                  },
                ]}
              />
            </Card>
            <TimelineCard r={r} />
          </Flex>
        </Col>
        <Col xs={24} lg={9}>
          <Flex vertical gap={16}>
            <Card title={t('requests.detail.handling')}>
              <Descriptions
                size="small"
                column={1}
                items={[
                  { key: 'handler', label: t('requests.col.handler'), children: <span data-testid="detail-handler">{r.handlerName ?? '—'}</span> },
                  ...(r.pendingUnitName ? [{ key: 'pending', label: t('requests.detail.pending'), children: <Tag color="gold">{`${r.pendingUnitName}(${t(r.pendingKind === 'transfer' ? 'requests.action.transfer' : 'requests.action.dispatch')})`}</Tag> }] : []),
                  { key: 'assignee', label: t('requests.detail.assignee'), children: r.assigneeName ?? '—' },
                  { key: 'submitted', label: t('requests.col.submittedAt'), children: formatTime(r.submittedAt) },
                  { key: 'responseDue', label: t('requests.detail.responseDue'), children: r.acceptedAt ? t('requests.detail.acceptedAt', { time: formatTime(r.acceptedAt) }) : <Space size={4}>{formatTime(r.responseDueAt)}{r.responseOverdue && <Tag color="red">{t('requests.due.overdue')}</Tag>}</Space> },
                  { key: 'due', label: t('requests.col.due'), children: <DueBadge request={r} /> },
                  { key: 'clock', label: t('requests.detail.clock'), children: `${r.clock.resolution.amount} ${t(durationKeys[r.clock.resolution.unit] ?? 'requests.unit.hours')}` },
                  ...(r.resolvedAt ? [{ key: 'handlingTime', label: t('requests.detail.handlingTime'), children: t('requests.detail.hours', { calendar: hours(r.handlingMinutes), working: hours(r.workingMinutes) }) }] : []),
                ]}
              />
            </Card>

            {r.coUnits.length > 1 || r.coUnits.some((u) => u.role === 'co') ? (
              <Card title={t('requests.detail.coUnits')} size="small">
                <Flex vertical gap={8}>
                  {r.coUnits.map((u) => (
                    <Flex key={u.unitId} justify="space-between" align="center" gap={8}>
                      <Space size={4} wrap>
                        <span>{u.unitName}</span>
                        <Tag color={u.role === 'lead' ? 'red' : 'blue'}>{t(u.role === 'lead' ? 'requests.co.lead' : 'requests.co.co')}</Tag>
                        <Tag>{t(coStatusKeys[u.status] ?? 'requests.co.pending')}</Tag>
                      </Space>
                      {u.role === 'co' && u.status !== 'done' && allowed.has('co_done') && (
                        <Button size="small" onClick={() => setDialog({ kind: 'co_done', unitId: u.unitId, unitName: u.unitName })}>{t(actionLabels.co_done)}</Button>
                      )}
                    </Flex>
                  ))}
                </Flex>
              </Card>
            ) : null}

            {r.extensions.length > 0 && (
              <Card title={t('requests.extensions.title')} size="small">
                <Flex vertical gap={12}>
                  {r.extensions.map((x) => (
                    <Flex vertical key={x.id} gap={4}>
                      <Space size={4} wrap>
                        <Typography.Text strong>{`+${x.amount} ${t(durationKeys[x.unit] ?? 'requests.unit.hours')}`}</Typography.Text>
                        <Tag color={x.status === 'approved' ? 'green' : x.status === 'rejected' ? 'red' : 'gold'}>{t(decisionKeys[x.status] ?? 'requests.decision.pending')}</Tag>
                        <Typography.Text type="secondary" style={{ fontSize: 12 }}>{formatTime(x.requestedAt)}</Typography.Text>
                      </Space>
                      <Typography.Text>{x.reason}</Typography.Text>
                      {x.decisionNote && <Typography.Text type="secondary">{x.decisionNote}</Typography.Text>}
                      {x.status === 'pending' && allowed.has('decide_extension') && (
                        <Space>
                          <Button size="small" type="primary" onClick={() => setDialog({ kind: 'decide_extension', extensionId: x.id, approve: true })}>{t('requests.dialog.approve')}</Button>
                          <Button size="small" danger onClick={() => setDialog({ kind: 'decide_extension', extensionId: x.id, approve: false })}>{t('requests.dialog.reject')}</Button>
                        </Space>
                      )}
                    </Flex>
                  ))}
                </Flex>
              </Card>
            )}

            {r.appeals.length > 0 && (
              <Card title={t('requests.appeals.title')} size="small">
                <Flex vertical gap={12}>
                  {r.appeals.map((a) => (
                    <Flex vertical key={a.id} gap={4}>
                      <Space size={4} wrap>
                        <Typography.Text strong>{t(appealKeys[a.kind] ?? 'requests.appeal.duplicate')}</Typography.Text>
                        <Tag color={a.status === 'approved' ? 'green' : a.status === 'rejected' ? 'red' : 'gold'}>{t(decisionKeys[a.status] ?? 'requests.decision.pending')}</Tag>
                        <Typography.Text type="secondary" style={{ fontSize: 12 }}>{a.unitName}</Typography.Text>
                      </Space>
                      <Typography.Text>{a.reason}</Typography.Text>
                      {a.decisionNote && <Typography.Text type="secondary">{a.decisionNote}</Typography.Text>}
                      {a.status === 'pending' && allowed.has('decide_appeal') && (
                        <Space>
                          <Button size="small" type="primary" onClick={() => setDialog({ kind: 'decide_appeal', appealId: a.id, approve: true })}>{t('requests.dialog.approve')}</Button>
                          <Button size="small" danger onClick={() => setDialog({ kind: 'decide_appeal', appealId: a.id, approve: false })}>{t('requests.dialog.reject')}</Button>
                        </Space>
                      )}
                    </Flex>
                  ))}
                </Flex>
              </Card>
            )}

            <Card title={t('requests.detail.ratings')} size="small">
              {r.ratings.length === 0 ? (
                <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('requests.detail.noRatings')} />
              ) : (
                <Flex vertical gap={12} data-testid="detail-ratings">
                  {[...r.ratings].reverse().map((x) => (
                    <Flex vertical key={x.id} gap={2}>
                      <Space size={4} wrap>
                        <Tag color={x.satisfaction === 'dissatisfied' ? 'red' : 'green'}>{t(satisfactionKeys[x.satisfaction])}</Tag>
                        <Tag color={x.solved ? 'green' : 'volcano'}>{t(x.solved ? 'requests.rating.solvedYes' : 'requests.rating.solvedNo')}</Tag>
                        <Tag>{t(x.contacted ? 'requests.rating.contactedYes' : 'requests.rating.contactedNo')}</Tag>
                      </Space>
                      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                        {`${formatTime(x.at)} · ${x.source === 'callback' ? t('requests.rating.byCallback', { name: x.actorName ?? '' }) : t('requests.rating.byResident')}`}
                      </Typography.Text>
                      {x.comment && <Typography.Text>{x.comment}</Typography.Text>}
                    </Flex>
                  ))}
                </Flex>
              )}
            </Card>
          </Flex>
        </Col>
      </Row>

      <ActionDialog
        spec={dialog}
        request={r}
        onClose={() => setDialog(null)}
        onDone={(next) => done(next, dialogLabel)}
        onError={(err) => {
          setDialog(null)
          if (err.code === 'version_conflict') setConflict(err.message)
          else setError(err)
          if (err.code === 'request_not_found') setR(null)
        }}
      />
    </Flex>
  )
}
