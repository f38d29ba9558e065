/**
 * /open311-keys — 开放接口密钥: the Open311 API keys issued in the caller's area (county or
 * sub-district administrators). A new key is shown once, with a copy button (the server keeps only
 * its hash); revoking takes effect at once. The server audits both and keeps keys inside the caller's
 * subtree. The top of the page tells an integrator where the GeoReport v2 interface is and how to post.
 */
import { useState } from 'react'
import { Alert, App, Button, Descriptions, Flex, Form, Input, Modal, Select, Tag, Typography } from 'antd'
import { PlusOutlined } from '@ant-design/icons'
import { Link } from 'react-router-dom'
import { api, errorMessage, unwrap, type ApiQuery, type ApiResult } from '../../api/client'
import { useAuth } from '../../app/auth'
import { formatTime, useI18n } from '../../app/i18n'
import { DataTable, useUrlFilters, type DataColumn } from '../../components/DataTable'
import { PageCard } from '../../components/PageCard'
import { UnitSelect, type UnitChoice } from '../../components/UnitSelect'
import { useSaving } from '../../components/useSaving'

type KeyView = ApiResult<'/api/open311-keys', 'get'>['items'][number]
type CreatedKey = ApiResult<'/api/open311-keys', 'post'>
type KeyQuery = ApiQuery<'/api/open311-keys', 'get'>
type StatusFilter = NonNullable<KeyQuery['status']>

const FILTERS = ['status', 'unitId'] as const
const STATUS_FILTERS: StatusFilter[] = ['active', 'revoked', 'all']
const STATUS_COLORS: Record<KeyView['status'], string> = { active: 'green', revoked: 'default', unit_inactive: 'orange' }
const isStatusFilter = (v: string | undefined): v is StatusFilter => (STATUS_FILTERS as string[]).includes(v ?? '')

const V2 = '/open311/v2'

/** A POST an integrator can paste into a shell: form-encoded, as the specification asks. */
function postExample(origin: string, key: string, placeCode: string): string {
  return [
    `curl -X POST '${origin}${V2}/requests.json' \\`,
    `  --data-urlencode 'api_key=${key}' \\`,
    `  --data-urlencode 'service_code=SERVICE_CODE' \\`,
    `  --data-urlencode 'address_id=${placeCode}' \\`,
    `  --data-urlencode 'description=楼道灯不亮' \\`,
    `  --data-urlencode 'phone=13800000000'`,
  ].join('\n')
}

function CodeBlock({ text, testId }: { text: string; testId?: string }) {
  return (
    <Typography.Paragraph copyable={{ text }} style={{ marginBottom: 0 }} data-testid={testId}>
      <pre style={{ margin: 0, whiteSpace: 'pre-wrap', wordBreak: 'break-all', fontSize: 12 }}>{text}</pre>
    </Typography.Paragraph>
  )
}

/** Where the interface is and one POST, for whoever connects a system. */
function UsagePanel() {
  const { t } = useI18n()
  const origin = window.location.origin
  const discovery = `${origin}${V2}/discovery.json`
  const services = `${origin}${V2}/services.json`
  return (
    <Flex vertical gap={8} style={{ marginBottom: 16 }}>
      <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>{t('open311.intro')}</Typography.Paragraph>
      <Descriptions size="small" column={1} bordered styles={{ label: { width: 140 } }}>
        <Descriptions.Item label={t('open311.discovery')}>
          <Typography.Link href={discovery} target="_blank" copyable={{ text: discovery }} data-testid="open311-discovery">{discovery}</Typography.Link>
        </Descriptions.Item>
        <Descriptions.Item label={t('open311.services')}>
          <Typography.Link href={services} target="_blank" copyable={{ text: services }}>{services}</Typography.Link>
        </Descriptions.Item>
        <Descriptions.Item label={t('open311.example')}>
          <CodeBlock text={postExample(origin, 'o311_…', 'PLACE_CODE')} />
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>{t('open311.exampleHint')}</Typography.Text>
        </Descriptions.Item>
      </Descriptions>
    </Flex>
  )
}

interface CreateValues {
  name: string
  unitId?: UnitChoice
}

function CreateKeyDialog({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: (key: CreatedKey) => void }) {
  const { t } = useI18n()
  const [form] = Form.useForm<CreateValues>()
  const { saving, error, setError, run } = useSaving()

  const save = async () => {
    let v: CreateValues
    try {
      v = await form.validateFields()
    } catch {
      return // the form shows what is missing
    }
    const unitId = v.unitId
    if (typeof unitId !== 'number') return
    await run(async () => onCreated(await unwrap(api.POST('/api/open311-keys', { body: { name: v.name.trim(), unitId } }))))
  }

  return (
    <Modal
      open={open}
      title={t('open311.create')}
      onCancel={onClose}
      onOk={() => void save()}
      okButtonProps={{ loading: saving, 'data-testid': 'open311-key-save' }}
      destroyOnHidden
      // Cleared once closed, not when the opening animation ends (by then someone may have typed).
      afterOpenChange={(visible) => {
        if (!visible) form.resetFields()
        setError(null)
      }}
    >
      <Form<CreateValues> form={form} layout="vertical">
        <Form.Item name="name" label={t('open311.name')} extra={t('open311.nameHint')} rules={[{ required: true, whitespace: true }, { max: 100 }]}>
          <Input maxLength={100} data-testid="open311-key-name" />
        </Form.Item>
        <Form.Item name="unitId" label={t('open311.unit')} extra={t('open311.unitHint')} rules={[{ required: true, message: t('open311.unitRequired') }]}>
          <UnitSelect data-testid="open311-key-unit" />
        </Form.Item>
        {error !== null && <Alert type="error" showIcon title={errorMessage(error)} data-testid="dialog-error" />}
      </Form>
    </Modal>
  )
}

/** The new key, this once: copy it, then it is gone from the browser too. */
function CreatedKeyDialog({ created, onClose }: { created: CreatedKey | null; onClose: () => void }) {
  const { t } = useI18n()
  const unit = created ? `${created.unitName}${created.unitCode ? `（${created.unitCode}）` : ''}` : ''
  return (
    <Modal
      open={created !== null}
      title={t('open311.created.title')}
      onCancel={onClose}
      maskClosable={false}
      footer={<Button type="primary" onClick={onClose} data-testid="open311-key-done">{t('open311.created.copied')}</Button>}
      destroyOnHidden
      width={640}
    >
      {created && (
        <Flex vertical gap={12}>
          <Alert type="warning" showIcon title={t('open311.created.once')} />
          <Typography.Text>{t('open311.created.for', { name: created.name, unit })}</Typography.Text>
          <Typography.Paragraph
            copyable={{ text: created.key }}
            code
            style={{ fontSize: 15, wordBreak: 'break-all', marginBottom: 0 }}
            data-testid="open311-created-key"
          >
            {created.key}
          </Typography.Paragraph>
          <CodeBlock text={postExample(window.location.origin, created.key, created.unitCode ?? 'PLACE_CODE')} />
        </Flex>
      )}
    </Modal>
  )
}

export default function Open311KeysPage() {
  const { t } = useI18n()
  const { can } = useAuth()
  const { message, modal } = App.useApp()
  const [filters, setFilters] = useUrlFilters(FILTERS)
  const [reloadKey, setReloadKey] = useState(0)
  const reload = () => setReloadKey((n) => n + 1)
  const [creating, setCreating] = useState(false)
  const [created, setCreated] = useState<CreatedKey | null>(null)

  const revoke = (key: KeyView) =>
    void modal.confirm({
      title: t('open311.revokeConfirm', { name: key.name }),
      content: t('open311.revokeHint'),
      okText: t('open311.revoke'),
      okButtonProps: { danger: true, 'data-testid': 'open311-revoke-ok' },
      onOk: async () => {
        try {
          await unwrap(api.POST('/api/open311-keys/{id}/revoke', { params: { path: { id: key.id } } }))
          void message.success(t('open311.revoked'))
          reload()
        } catch (err) {
          void message.error(errorMessage(err))
        }
      },
    })

  const never = <Typography.Text type="secondary">{t('open311.never')}</Typography.Text>
  const columns: DataColumn<KeyView>[] = [
    { key: 'name', title: t('open311.name'), dataIndex: 'name', render: (v: string) => <Typography.Text strong>{v}</Typography.Text> },
    {
      key: 'unit', title: t('open311.unit'), dataIndex: 'unitName',
      render: (_: unknown, r) => <>{r.unitName}{r.unitCode && <Typography.Text type="secondary"> · {r.unitCode}</Typography.Text>}</>,
      exportValue: (r) => (r.unitCode ? `${r.unitName} (${r.unitCode})` : r.unitName),
    },
    {
      key: 'status', title: t('open311.status'), dataIndex: 'status',
      render: (_: unknown, r) => <Tag color={STATUS_COLORS[r.status]}>{t(`open311.status.${r.status}`)}</Tag>,
      exportValue: (r) => t(`open311.status.${r.status}`),
    },
    {
      key: 'created', title: t('open311.createdAt'), dataIndex: 'createdAt',
      render: (_: unknown, r) => (
        <Flex vertical>
          <span>{formatTime(r.createdAt)}</span>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>{r.createdByName ?? t('open311.commandLine')}</Typography.Text>
        </Flex>
      ),
      exportValue: (r) => formatTime(r.createdAt, true),
    },
    { key: 'createdBy', title: t('open311.createdBy'), hidden: true, exportValue: (r) => r.createdByName ?? t('open311.commandLine') },
    {
      key: 'lastUsedAt', title: t('open311.lastUsedAt'), dataIndex: 'lastUsedAt',
      render: (v: string | null) => (v ? formatTime(v) : never), exportValue: (r) => formatTime(r.lastUsedAt, true),
    },
    { key: 'requestCount', title: t('open311.requestCount'), dataIndex: 'requestCount', align: 'right' },
    {
      key: 'revoked', title: t('open311.revokedAt'), dataIndex: 'revokedAt',
      render: (_: unknown, r) => r.revokedAt && (
        <Flex vertical>
          <span>{formatTime(r.revokedAt)}</span>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>{r.revokedByName ?? t('open311.commandLine')}</Typography.Text>
        </Flex>
      ),
      exportValue: (r) => formatTime(r.revokedAt, true),
    },
    { key: 'revokedBy', title: t('open311.revokedBy'), hidden: true, exportValue: (r) => (r.revokedAt ? r.revokedByName ?? t('open311.commandLine') : '') },
    {
      key: 'actions', title: t('common.actions'), noExport: true,
      render: (_: unknown, r) => r.status !== 'revoked' && (
        <Button type="link" size="small" danger onClick={() => revoke(r)} data-testid={`open311-revoke-${r.id}`}>{t('open311.revoke')}</Button>
      ),
    },
  ]

  const unitFilter = filters.unitId && /^\d+$/.test(filters.unitId) ? Number(filters.unitId) : undefined
  return (
    <PageCard title={t('open311.title')}>
      <UsagePanel />
      <DataTable<KeyView, typeof filters>
        columns={columns}
        rowKey="id"
        filters={filters}
        reloadKey={reloadKey}
        exportFileName={t('open311.nav')}
        fetchPage={({ page, pageSize, filters: f }) => {
          const query: KeyQuery = { page, pageSize, status: isStatusFilter(f.status) ? f.status : 'active', unitId: f.unitId && /^\d+$/.test(f.unitId) ? Number(f.unitId) : undefined }
          return unwrap(api.GET('/api/open311-keys', { params: { query } }))
        }}
        toolbar={
          <>
            <Select<StatusFilter>
              value={isStatusFilter(filters.status) ? filters.status : 'active'}
              onChange={(status) => setFilters({ status: status === 'active' ? null : status })}
              options={STATUS_FILTERS.map((s) => ({ value: s, label: t(`open311.status.${s}`) }))}
              style={{ width: 120 }}
              data-testid="open311-status-filter"
            />
            <UnitSelect
              value={unitFilter}
              onChange={(unitId) => setFilters({ unitId: typeof unitId === 'number' ? String(unitId) : null })}
              placeholder={t('open311.unit')}
              style={{ width: 240 }}
            />
            {can('audit.read') && <Link to="/audit?entityType=open311_key">{t('open311.audit')}</Link>}
          </>
        }
        extra={<Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="open311-key-create">{t('open311.create')}</Button>}
      />
      <CreateKeyDialog
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(key) => {
          setCreating(false)
          setCreated(key)
          reload()
        }}
      />
      <CreatedKeyDialog created={created} onClose={() => setCreated(null)} />
    </PageCard>
  )
}
