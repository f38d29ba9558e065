/**
 * 党员档案: one member with the development timeline (入党申请 → 谈话 → 积极分子 → 发展对象 → 预备党员 →
 * 正式党员), each step's date, sponsors and the rules it broke, the pending step with its earliest
 * and due dates, transfers of membership, and the representative's studio.
 */
import { useEffect, useState } from 'react'
import {
  Alert, App, Button, Card, Descriptions, Empty, Flex, Grid, Result, Skeleton, Space, Table, Tag, Timeline, Typography, type TimelineProps,
} from 'antd'
import { ArrowLeftOutlined, CheckCircleFilled, ClockCircleOutlined, EditOutlined, PlusOutlined, SwapOutlined, WarningFilled } from '@ant-design/icons'
import { Link, useNavigate, useParams } from 'react-router-dom'
import { api, ApiError, errorMessage, unwrap } from '../../api/client'
import { useAuth } from '../../app/auth'
import { useI18n } from '../../app/i18n'
import { PageCard } from '../../components/PageCard'
import { StageTag } from './MembersPage'
import { AddStepDialog, EditMemberDialog, nextStepOf } from './MemberDialogs'
import { steps, type MemberDetail, type Step, type TransferView } from './meta'
import { positionOf } from '../../../../src/modules/party/development-rules'
import { StudioDialog } from './StudioDialog'
import { StartTransferDialog, TransferActionDialog } from './TransferDialogs'

function DevelopmentTimeline({ member, onUndo }: { member: MemberDetail; onUndo: (() => void) | null }) {
  const { t } = useI18n()
  const recorded = new Map(member.timeline.map((s) => [s.step, s]))
  const last = member.timeline[member.timeline.length - 1]
  const pending = member.status === 'active' ? member.pending : null
  // Steps up to where the member stands (the stage they were registered at) that have no record were never entered.
  const reached = steps.indexOf(positionOf({ stage: member.stage, joinedDate: member.joinedDate, birthDate: member.birthDate }, member.timeline))
  const knownDate: Partial<Record<Step, string | null>> = { admission: member.joinedDate, full: member.fullDate }

  const items: NonNullable<TimelineProps['items']> = steps.map((step, index) => {
    const s = recorded.get(step)
    if (s) {
      const flagged = s.flags.length > 0
      return {
        color: flagged ? 'red' : 'green',
        icon: flagged ? <WarningFilled /> : <CheckCircleFilled />,
        content: (
          <div data-testid={`timeline-${step}`} className={flagged ? 'timeline-flagged' : undefined}>
            <Space wrap size={8}>
              <Typography.Text strong>{t(`party.step.${step}`)}</Typography.Text>
              <Typography.Text>{s.date}</Typography.Text>
              {flagged && <Tag color="error">{t('party.step.flagged')}</Tag>}
              {onUndo && last?.id === s.id && (
                <Button size="small" type="link" danger onClick={onUndo} data-testid="step-undo">
                  {t('party.step.undo')}
                </Button>
              )}
            </Space>
            {s.sponsors && s.sponsors.length > 0 && (
              <div>
                <Typography.Text type="secondary">{t('party.step.sponsors')}: {s.sponsors.join('、')}</Typography.Text>
              </div>
            )}
            {s.note && (
              <div>
                <Typography.Text type="secondary">{s.note}</Typography.Text>
              </div>
            )}
            {s.flags.map((f) => (
              <Alert
                key={f.code}
                type="error"
                showIcon
                style={{ marginTop: 6 }}
                title={f.message}
                description={f.expected ? t('party.flag.expected', { date: f.expected }) : undefined}
                data-testid={`step-flag-${f.code}`}
              />
            ))}
          </div>
        ),
      }
    }
    if (pending && pending.step === step) {
      return {
        color: pending.overdue ? 'red' : 'blue',
        icon: <ClockCircleOutlined />,
        content: (
          <div data-testid="timeline-pending">
            <Space wrap size={8}>
              <Typography.Text strong>{t(`party.step.${step}`)}</Typography.Text>
              <Tag color={pending.overdue ? 'error' : 'processing'}>{pending.overdue ? t('party.pending.overdue') : t('party.pending.next')}</Tag>
            </Space>
            {(pending.earliest || pending.dueBy) && (
              <div>
                <Typography.Text type={pending.overdue ? 'danger' : 'secondary'}>
                  {pending.earliest && t('party.pending.earliest', { date: pending.earliest })} {pending.dueBy && t('party.pending.dueBy', { date: pending.dueBy })}
                </Typography.Text>
              </div>
            )}
          </div>
        ),
      }
    }
    // Earlier steps not on file (registered at a later stage) and steps still to come.
    return {
      color: 'gray',
      content: (
        <Typography.Text type="secondary">
          {t(`party.step.${step}`)}
          {index <= reached && (knownDate[step] ? ` ${knownDate[step]}` : ` · ${t('party.step.notOnFile')}`)}
        </Typography.Text>
      ),
    }
  })

  return <Timeline items={items} data-testid="member-timeline" />
}

export default function MemberDetailPage() {
  const { t } = useI18n()
  const { can } = useAuth()
  const { modal, message } = App.useApp()
  const navigate = useNavigate()
  const phone = Grid.useBreakpoint().md === false
  const id = Number(useParams().id)
  const [member, setMember] = useState<MemberDetail | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [adding, setAdding] = useState<MemberDetail | null>(null)
  const [editing, setEditing] = useState<MemberDetail | null>(null)
  const [transferring, setTransferring] = useState(false)
  const [transferAction, setTransferAction] = useState<{ transfer: TransferView; action: 'receive' | 'cancel' } | null>(null)
  const [studioOpen, setStudioOpen] = useState(false)
  const [generation, setGeneration] = useState(0)
  const reload = () => setGeneration((n) => n + 1)

  useEffect(() => {
    if (!Number.isInteger(id) || id < 1) {
      setError(new ApiError(404, 'party_member_not_found', t('party.member.notFound')))
      return
    }
    let current = true
    unwrap(api.GET('/api/party/members/{id}', { params: { path: { id } } })).then(
      (m) => current && (setMember(m), setError(null)),
      (err: unknown) => current && setError(err),
    )
    return () => {
      current = false
    }
  }, [id, generation])

  if (error !== null && !member) {
    const forbidden = error instanceof ApiError && error.status === 403
    return (
      <Result
        status={forbidden ? '403' : error instanceof ApiError && error.status === 404 ? '404' : 'error'}
        title={forbidden ? t('error.403.title') : t('common.loadFailed')}
        subTitle={errorMessage(error)}
        extra={<Link to="/party/members"><Button>{t('party.member.backToList')}</Button></Link>}
      />
    )
  }
  if (!member) return <PageCard title={t('party.member.detail')}><Skeleton active /></PageCard>

  const manage = can('party.manage')
  const active = member.status === 'active'
  const next = nextStepOf(member)
  const lastStep = member.timeline[member.timeline.length - 1]
  const undo =
    manage && active && lastStep && member.timeline.length > 1
      ? () =>
          void modal.confirm({
            title: t('party.step.undoConfirm', { step: t(`party.step.${lastStep.step}`), date: lastStep.date }),
            okButtonProps: { danger: true },
            onOk: async () => {
              try {
                setMember(await unwrap(api.DELETE('/api/party/members/{id}/steps/{stepId}', { params: { path: { id: member.id, stepId: lastStep.id } } })))
                void message.success(t('party.step.undone'))
              } catch (err) {
                void message.error(errorMessage(err))
              }
            },
          })
      : null
  const openTransfer = member.transfers.find((tr) => tr.status === 'in_transit') ?? null

  return (
    <PageCard
      title={
        <Flex align="center" gap={8} wrap>
          <Button type="text" icon={<ArrowLeftOutlined />} onClick={() => navigate(-1)} aria-label={t('party.member.backToList')} />
          <span data-testid="member-name">{member.name}</span>
          <StageTag stage={member.stage} />
          {member.status !== 'active' && <Tag>{t(`party.status.${member.status}`)}</Tag>}
          {member.isRepresentative && <Tag color="gold">{member.representativeLevel ? t(`party.level.${member.representativeLevel}`) : t('party.member.representative')}</Tag>}
        </Flex>
      }
      extra={
        manage &&
        !phone && (
          <Space wrap>
            <Button icon={<EditOutlined />} onClick={() => setEditing(member)} data-testid="member-edit">
              {t('party.member.edit')}
            </Button>
          </Space>
        )
      }
    >
      <Flex vertical gap={16}>
        {member.flagDetails.length > 0 && (
          <Alert
            type="error"
            showIcon
            title={t('party.member.flaggedTitle', { n: member.flagDetails.length })}
            description={member.flagDetails.map((f, i) => (
              <div key={`${f.code}-${i}`}>
                {t(`party.step.${f.step}`)}: {f.message}
              </div>
            ))}
            data-testid="member-flags"
          />
        )}
        <Descriptions size="small" bordered column={{ xs: 1, sm: 2, lg: 3 }}>
          <Descriptions.Item label={t('party.member.gender')}>{member.gender ? t(`party.gender.${member.gender === 'female' ? 'female' : 'male'}`) : '—'}</Descriptions.Item>
          <Descriptions.Item label={t('party.member.birthDate')}>{member.birthDate ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t('party.member.idNumber')}>{member.idNumberMasked ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t('party.member.phone')}>{member.phoneMasked ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t('party.member.org')}>
            <Link to={`/party/orgs?org=${member.orgId}`}>{member.orgName}</Link>
          </Descriptions.Item>
          <Descriptions.Item label={t('party.member.residence')}>
            {can('residents.read') ? <Link to={`/residents/${member.personId}`}>{member.unitName}</Link> : member.unitName}
          </Descriptions.Item>
          <Descriptions.Item label={t('party.member.joinedDate')}>{member.joinedDate ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t('party.member.fullDate')}>{member.fullDate ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t('party.member.status')}>{t(`party.status.${member.status}`)}</Descriptions.Item>
        </Descriptions>

        <Card
          size="small"
          title={t('party.timeline.title')}
          extra={
            manage &&
            active &&
            next && (
              <Button type="primary" size="small" icon={<PlusOutlined />} onClick={() => setAdding(member)} data-testid="step-add">
                {t('party.step.addNext', { step: t(`party.step.${next}`) })}
              </Button>
            )
          }
        >
          <DevelopmentTimeline member={member} onUndo={undo} />
        </Card>

        <Card
          size="small"
          title={t('party.transfer.title')}
          extra={
            manage &&
            active &&
            member.membership &&
            !openTransfer && (
              <Button size="small" icon={<SwapOutlined />} onClick={() => setTransferring(true)} data-testid="transfer-start">
                {t('party.transfer.start')}
              </Button>
            )
          }
        >
          <Table<TransferView>
            size="small"
            rowKey="id"
            pagination={false}
            dataSource={member.transfers}
            scroll={{ x: 'max-content' }}
            locale={{ emptyText: t('party.transfer.none') }}
            columns={[
              { title: t('party.transfer.direction'), dataIndex: 'direction', render: (d: TransferView['direction']) => t(`party.direction.${d}`) },
              { title: t('party.transfer.from'), key: 'from', render: (_: unknown, r) => r.fromOrgName ?? r.externalOrgName ?? '—' },
              { title: t('party.transfer.to'), key: 'to', render: (_: unknown, r) => r.toOrgName ?? r.externalOrgName ?? '—' },
              { title: t('party.transfer.issuedDate'), dataIndex: 'issuedDate' },
              { title: t('party.transfer.receivedDate'), dataIndex: 'receivedDate', render: (v: string | null) => v ?? '—' },
              { title: t('party.transfer.status'), dataIndex: 'status', render: (s: TransferView['status']) => <Tag color={s === 'in_transit' ? 'processing' : s === 'received' ? 'success' : 'default'}>{t(`party.transferStatus.${s}`)}</Tag> },
              {
                title: t('common.actions'),
                key: 'actions',
                render: (_: unknown, r) =>
                  manage && r.status === 'in_transit' ? (
                    <Space size={0}>
                      <Button type="link" size="small" onClick={() => setTransferAction({ transfer: r, action: 'receive' })}>
                        {t('party.transfer.receive')}
                      </Button>
                      <Button type="link" size="small" danger onClick={() => setTransferAction({ transfer: r, action: 'cancel' })}>
                        {t('party.transfer.cancel')}
                      </Button>
                    </Space>
                  ) : null,
              },
            ]}
          />
        </Card>

        <Card
          size="small"
          title={t('party.studio.title')}
          extra={
            manage &&
            member.isRepresentative &&
            (!member.studio || member.studio.status === 'closed') && (
              <Button size="small" icon={<PlusOutlined />} onClick={() => setStudioOpen(true)}>
                {t('party.studio.create')}
              </Button>
            )
          }
        >
          {member.studio ? (
            <Descriptions size="small" column={{ xs: 1, sm: 2 }}>
              <Descriptions.Item label={t('party.studio.name')}>
                {member.studio.name} {member.studio.status === 'closed' && <Tag>{t('party.studio.status.closed')}</Tag>}
              </Descriptions.Item>
              <Descriptions.Item label={t('party.studio.unit')}>{member.studio.unitName}</Descriptions.Item>
              <Descriptions.Item label={t('party.studio.hours')}>{member.studio.receptionHours ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('party.studio.specialty')}>{member.studio.specialty ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('party.studio.address')}>{member.studio.address ?? '—'}</Descriptions.Item>
            </Descriptions>
          ) : (
            <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={member.isRepresentative ? t('party.studio.noneYet') : t('party.studio.notRepresentative')} />
          )}
        </Card>
        {manage && phone && (
          <Button icon={<EditOutlined />} onClick={() => setEditing(member)} block>
            {t('party.member.edit')}
          </Button>
        )}
      </Flex>
      <AddStepDialog
        member={adding}
        onClose={() => setAdding(null)}
        onSaved={(m) => {
          setAdding(null)
          setMember(m)
        }}
      />
      <EditMemberDialog
        member={editing}
        onClose={() => setEditing(null)}
        onSaved={(m) => {
          setEditing(null)
          setMember(m)
        }}
      />
      <StartTransferDialog
        open={transferring}
        member={member}
        onClose={() => setTransferring(false)}
        onDone={() => {
          setTransferring(false)
          reload()
        }}
      />
      <TransferActionDialog
        transfer={transferAction?.transfer ?? null}
        action={transferAction?.action ?? 'receive'}
        onClose={() => setTransferAction(null)}
        onDone={() => {
          setTransferAction(null)
          reload()
        }}
      />
      <StudioDialog
        open={studioOpen}
        studio={null}
        memberId={member.id}
        onClose={() => setStudioOpen(false)}
        onSaved={() => {
          setStudioOpen(false)
          reload()
        }}
      />
    </PageCard>
  )
}
