/** 党员: members and people in development, filtered by organization, stage, flags (有异常) and more. */
import { useState } from 'react'
import { App, Button, DatePicker, Form, Input, Modal, Select, Space, Switch, Tag, Typography } from 'antd'
import { PlusOutlined, WarningOutlined } from '@ant-design/icons'
import type { Dayjs } from 'dayjs'
import { Link, useNavigate } from 'react-router-dom'
import { api, unwrap, type ApiBody } from '../../api/client'
import { useAuth } from '../../app/auth'
import { useI18n } from '../../app/i18n'
import { DataTable, useUrlFilters, type DataColumn } from '../../components/DataTable'
import { PageCard } from '../../components/PageCard'
import { ErrorAlert } from '../units/ErrorAlert'
import { afterShanghaiToday } from '../units/meta'
import {
  flagCodes, flagMessage, MEMBER_STATUSES, stageColor, stages, type FlagCode, type MemberQuery, type MemberStatus, type MemberView, type Stage,
} from './meta'
import { OrgSelect, PersonSelect } from './pickers'

const FILTERS = ['q', 'orgId', 'stage', 'membership', 'status', 'flag', 'flagged', 'rep'] as const
const HOLDING = ['general_branch', 'branch', 'temporary_branch', 'group'] as const

const isStage = (v: string | undefined): v is Stage => v !== undefined && (stages as readonly string[]).includes(v)
const isFlag = (v: string | undefined): v is FlagCode => v !== undefined && (flagCodes as readonly string[]).includes(v)
const isStatus = (v: string | undefined): v is MemberStatus | 'all' => v === 'all' || (v !== undefined && (MEMBER_STATUSES as string[]).includes(v))
const positive = (v: string | undefined): number | undefined => {
  const n = Number(v)
  return Number.isInteger(n) && n > 0 ? n : undefined
}

type Sort = NonNullable<MemberQuery['sort']>
function toSort(sort: { field: string; order: 'asc' | 'desc' } | null): Sort | undefined {
  if (!sort) return undefined
  if (sort.field === 'joinedDate') return sort.order === 'desc' ? '-joinedDate' : 'joinedDate'
  if (sort.field === 'name') return 'name'
  if (sort.field === 'stage') return 'stage'
  return undefined
}

interface RegisterValues {
  personId: number
  orgId: number
  stage: Stage
  applicationDate?: Dayjs | null
  joinedDate?: Dayjs | null
  fullDate?: Dayjs | null
  note?: string
}

function RegisterMemberDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useI18n()
  const { message } = App.useApp()
  const navigate = useNavigate()
  const [form] = Form.useForm<RegisterValues>()
  const stage = Form.useWatch<Stage | undefined>('stage', form) ?? 'applicant'
  const [saving, setSaving] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const future = afterShanghaiToday
  const day = (d: Dayjs | null | undefined) => (d ? d.format('YYYY-MM-DD') : undefined)

  const submit = async (v: RegisterValues) => {
    setSaving(true)
    setError(null)
    try {
      const body: ApiBody<'/api/party/members', 'post'> = {
        personId: v.personId,
        orgId: v.orgId,
        stage: v.stage,
        applicationDate: v.stage === 'applicant' ? day(v.applicationDate) : undefined,
        joinedDate: v.stage === 'probationary' || v.stage === 'full' ? day(v.joinedDate) : undefined,
        fullDate: v.stage === 'full' ? day(v.fullDate) : undefined,
        note: v.note?.trim() || undefined,
      }
      const created = await unwrap(api.POST('/api/party/members', { body }))
      void message.success(t('party.member.registered', { name: created.name }))
      onClose()
      void navigate(`/party/members/${created.id}`)
    } catch (err) {
      setError(err)
    } finally {
      setSaving(false)
    }
  }

  return (
    <Modal open={open} title={t('party.member.register')} onCancel={onClose} onOk={() => form.submit()} okText={t('common.save')} confirmLoading={saving} destroyOnHidden width={600}>
      {error !== null && <div style={{ marginBottom: 16 }}><ErrorAlert error={error} testId="dialog-error" /></div>}
      <Form form={form} layout="vertical" initialValues={{ stage: 'applicant' }} onFinish={(v) => void submit(v)} requiredMark={false}>
        <Form.Item name="personId" label={t('party.member.person')} rules={[{ required: true, message: t('party.officers.personRequired') }]}>
          <PersonSelect style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="orgId" label={t('party.member.org')} extra={t('party.member.orgHelp')} rules={[{ required: true, message: t('party.member.orgRequired') }]}>
          <OrgSelect kinds={HOLDING} style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="stage" label={t('party.member.stage')}>
          <Select options={stages.map((s) => ({ value: s, label: t(`party.stage.${s}`) }))} style={{ width: 200 }} />
        </Form.Item>
        {stage === 'applicant' && (
          <Form.Item name="applicationDate" label={t('party.step.application')} rules={[{ required: true, message: t('party.step.dateRequired') }]}>
            <DatePicker disabledDate={future} />
          </Form.Item>
        )}
        {(stage === 'probationary' || stage === 'full') && (
          <Form.Item name="joinedDate" label={t('party.member.joinedDate')} rules={[{ required: true, message: t('party.step.dateRequired') }]}>
            <DatePicker disabledDate={future} />
          </Form.Item>
        )}
        {stage === 'full' && (
          <Form.Item name="fullDate" label={t('party.member.fullDate')}>
            <DatePicker disabledDate={future} />
          </Form.Item>
        )}
        {(stage === 'activist' || stage === 'candidate') && <Typography.Paragraph type="secondary">{t('party.member.laterStageHelp')}</Typography.Paragraph>}
        <Form.Item name="note" label={t('party.step.note')}>
          <Input.TextArea rows={2} maxLength={500} />
        </Form.Item>
      </Form>
    </Modal>
  )
}

export function StageTag({ stage }: { stage: Stage }) {
  const { t } = useI18n()
  return <Tag color={stageColor[stage]}>{t(`party.stage.${stage}`)}</Tag>
}

export default function MembersPage() {
  const { t, lang } = useI18n()
  const { can } = useAuth()
  const [filters, setFilters] = useUrlFilters(FILTERS)
  const [registering, setRegistering] = useState(false)

  const columns: DataColumn<MemberView>[] = [
    {
      key: 'name',
      title: t('party.member.name'),
      dataIndex: 'name',
      sorter: true,
      render: (name: string, row) => (
        <Link to={`/party/members/${row.id}`} data-testid={`member-${row.id}`}>
          {name}
        </Link>
      ),
    },
    { key: 'gender', title: t('party.member.gender'), dataIndex: 'gender', render: (g: string | null) => (g ? t(`party.gender.${g === 'female' ? 'female' : 'male'}`) : '—'), exportValue: (r) => (r.gender ? t(`party.gender.${r.gender === 'female' ? 'female' : 'male'}`) : '') },
    { key: 'orgName', title: t('party.member.org'), dataIndex: 'orgName' },
    { key: 'stage', title: t('party.member.stage'), dataIndex: 'stage', sorter: true, render: (s: Stage) => <StageTag stage={s} />, exportValue: (r) => t(`party.stage.${r.stage}`) },
    { key: 'joinedDate', title: t('party.member.joinedDate'), dataIndex: 'joinedDate', sorter: true, render: (v: string | null) => v ?? '—' },
    { key: 'phone', title: t('party.member.phone'), dataIndex: 'phoneMasked', responsive: ['lg'] },
    {
      key: 'rep',
      title: t('party.member.representative'),
      dataIndex: 'isRepresentative',
      render: (v: boolean, row) => (v ? <Tag color="gold">{row.representativeLevel ? t(`party.level.${row.representativeLevel}`) : t('party.member.representative')}</Tag> : null),
      exportValue: (r) => (r.isRepresentative ? t('common.yes') : ''),
    },
    {
      key: 'flags',
      title: t('party.member.flags'),
      dataIndex: 'flags',
      render: (flags: FlagCode[]) =>
        flags.length ? (
          <Space size={4} wrap>
            {flags.map((f) => (
              <Tag key={f} color="error" icon={<WarningOutlined />} title={flagMessage(f, lang)}>
                {t(`party.flag.${f}`)}
              </Tag>
            ))}
          </Space>
        ) : null,
      exportValue: (r) => r.flags.map((f) => flagMessage(f, lang)).join('; '),
    },
    { key: 'status', title: t('party.member.status'), dataIndex: 'status', render: (s: MemberStatus) => (s === 'active' ? null : <Tag>{t(`party.status.${s}`)}</Tag>), exportValue: (r) => t(`party.status.${r.status}`) },
  ]

  return (
    <PageCard title={t('party.member.title')}>
      <DataTable<MemberView, typeof filters>
        columns={columns}
        rowKey="id"
        filters={filters}
        exportFileName={t('party.member.title')}
        fetchPage={({ page, pageSize, sort, filters: f }) => {
          const query: MemberQuery = {
            page,
            pageSize,
            q: f.q,
            orgId: positive(f.orgId),
            stage: isStage(f.stage) ? f.stage : undefined,
            membership: f.membership === 'full' || f.membership === 'probationary' ? f.membership : undefined,
            status: isStatus(f.status) ? f.status : undefined,
            flag: isFlag(f.flag) ? f.flag : undefined,
            flagged: f.flagged === '1' ? true : undefined,
            isRepresentative: f.rep === '1' ? true : undefined,
            sort: toSort(sort),
          }
          return unwrap(api.GET('/api/party/members', { params: { query } }))
        }}
        toolbar={
          <>
            <Input.Search key={filters.q ?? ''} defaultValue={filters.q} placeholder={t('party.member.search')} allowClear onSearch={(q) => setFilters({ q })} style={{ width: 160 }} data-testid="members-search" />
            <OrgSelect value={positive(filters.orgId) ?? null} onChange={(id) => setFilters({ orgId: id === undefined ? null : String(id) })} placeholder={t('party.member.orgFilter')} style={{ width: 220 }} />
            <Select
              value={filters.stage}
              onChange={(stage?: string) => setFilters({ stage: stage ?? null })}
              placeholder={t('party.member.stage')}
              allowClear
              options={stages.map((s) => ({ value: s, label: t(`party.stage.${s}`) }))}
              style={{ width: 140 }}
              popupMatchSelectWidth={false}
            />
            <Select
              value={filters.membership}
              onChange={(m?: string) => setFilters({ membership: m ?? null })}
              placeholder={t('party.member.membership')}
              allowClear
              options={[{ value: 'full', label: t('party.membership.full') }, { value: 'probationary', label: t('party.membership.probationary') }]}
              style={{ width: 120 }}
            />
            <Select
              value={filters.status}
              onChange={(s?: string) => setFilters({ status: s ?? null })}
              placeholder={t('party.member.status')}
              allowClear
              options={[...MEMBER_STATUSES.map((s) => ({ value: s, label: t(`party.status.${s}`) })), { value: 'all', label: t('common.all') }]}
              style={{ width: 130 }}
              popupMatchSelectWidth={false}
            />
            <Select
              value={filters.flag}
              onChange={(f?: string) => setFilters({ flag: f ?? null })}
              placeholder={t('party.member.flag')}
              allowClear
              options={flagCodes.map((f) => ({ value: f, label: t(`party.flag.${f}`) }))}
              style={{ width: 150 }}
              popupMatchSelectWidth={false}
            />
            <Space size={4}>
              <Switch size="small" checked={filters.flagged === '1'} onChange={(on) => setFilters({ flagged: on ? '1' : null })} data-testid="members-flagged" />
              <Typography.Text>{t('party.member.flaggedOnly')}</Typography.Text>
            </Space>
            <Space size={4}>
              <Switch size="small" checked={filters.rep === '1'} onChange={(on) => setFilters({ rep: on ? '1' : null })} />
              <Typography.Text>{t('party.member.representativesOnly')}</Typography.Text>
            </Space>
          </>
        }
        extra={
          can('party.manage') && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setRegistering(true)}>
              {t('party.member.register')}
            </Button>
          )
        }
      />
      <RegisterMemberDialog open={registering} onClose={() => setRegistering(false)} />
    </PageCard>
  )
}
