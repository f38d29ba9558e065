import { useEffect, useState } from 'react'
import { Alert, App, Button, Checkbox, Form, Input, InputNumber, Modal, Space, Switch, Tag, Typography } from 'antd'
import { PlusOutlined } from '@ant-design/icons'
import { api, ApiError, errorMessage, unwrap } from '../../api/client'
import { useAuth } from '../../app/auth'
import { useI18n } from '../../app/i18n'
import { PageCard } from '../../components/PageCard'
import { DataTable, useUrlFilters, type DataColumn } from '../../components/DataTable'
import type { PersonTag } from './model'

interface TagValues {
  code: string
  nameZh: string
  nameEn: string
  needsCare: boolean
  sortOrder?: number
}

/**
 * The tag list is county-wide, so only residents.manage at county level (or deployment-wide) edits
 * it; the server checks, this only decides whether to offer the buttons.
 */
function useTagManager(): boolean {
  const { me, can } = useAuth()
  const [county, setCounty] = useState(false)
  const grants = me?.grants ?? []
  const wholeDeployment = grants.some((g) => g.unitId === null)
  const unitIds = grants.map((g) => g.unitId).filter((u): u is number => u !== null)
  const key = unitIds.join(',')
  useEffect(() => {
    if (!can('residents.manage') || wholeDeployment || unitIds.length === 0) return
    let current = true
    Promise.all(unitIds.map((id) => unwrap(api.GET('/api/units/{id}', { params: { path: { id } } })).catch(() => null))).then((units) => {
      if (current) setCounty(units.some((u) => u?.type === 'county'))
    }, () => undefined)
    return () => {
      current = false
    }
  }, [key, wholeDeployment])
  return can('residents.manage') && (wholeDeployment || county)
}

function TagDialog({ tag, open, onClose, onSaved }: { tag: PersonTag | null; open: boolean; onClose: () => void; onSaved: () => void }) {
  const { t } = useI18n()
  const [form] = Form.useForm<TagValues>()
  const [saving, setSaving] = useState(false)
  const [error, setError] = useState<string | null>(null)
  useEffect(() => setError(null), [open])

  const submit = async (v: TagValues) => {
    setSaving(true)
    setError(null)
    try {
      if (tag) {
        await unwrap(api.PATCH('/api/person-tags/{id}', { params: { path: { id: tag.id } }, body: { nameZh: v.nameZh.trim(), nameEn: v.nameEn.trim(), needsCare: v.needsCare, sortOrder: v.sortOrder } }))
      } else {
        await unwrap(api.POST('/api/person-tags', { body: { code: v.code.trim(), nameZh: v.nameZh.trim(), nameEn: v.nameEn.trim(), needsCare: v.needsCare, sortOrder: v.sortOrder } }))
      }
      onSaved()
    } catch (err) {
      if (err instanceof ApiError && err.code === 'person_tag_code_taken') form.setFields([{ name: 'code', errors: [errorMessage(err)] }])
      setError(errorMessage(err))
    } finally {
      setSaving(false)
    }
  }

  return (
    <Modal open={open} title={tag ? t('residents.tags.edit') : t('residents.tags.create')} onCancel={onClose} onOk={() => form.submit()} okText={t('common.save')} confirmLoading={saving} destroyOnHidden>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="dialog-error" />}
      <Form
        form={form}
        layout="vertical"
        onFinish={(v) => void submit(v)}
        preserve={false}
        requiredMark={false}
        initialValues={tag ? { code: tag.code, nameZh: tag.nameZh, nameEn: tag.nameEn, needsCare: tag.needsCare, sortOrder: tag.sortOrder } : { needsCare: true, sortOrder: 100 }}
      >
        <Form.Item name="nameZh" label={t('residents.tags.nameZh')} rules={[{ required: true, whitespace: true }, { max: 30 }]}>
          <Input autoComplete="off" data-testid="tag-name-zh" />
        </Form.Item>
        <Form.Item name="nameEn" label={t('residents.tags.nameEn')} rules={[{ required: true, whitespace: true }, { max: 60 }]}>
          <Input autoComplete="off" data-testid="tag-name-en" />
        </Form.Item>
        <Form.Item name="code" label={t('residents.tags.code')} extra={t('residents.tags.codeRule')} rules={[{ required: true, pattern: /^[a-z][a-z0-9_]{1,39}$/, message: t('residents.tags.codeRule') }]}>
          <Input autoComplete="off" disabled={tag !== null} data-testid="tag-code" />
        </Form.Item>
        <Space size="large" wrap>
          <Form.Item name="needsCare" valuePropName="checked">
            <Checkbox>{t('residents.tags.needsCare')}</Checkbox>
          </Form.Item>
          <Form.Item name="sortOrder" label={t('residents.tags.sortOrder')}>
            <InputNumber min={0} max={10000} precision={0} />
          </Form.Item>
        </Space>
      </Form>
    </Modal>
  )
}

const FILTERS = ['archived'] as const

export default function PersonTagsPage() {
  const { t } = useI18n()
  const { message } = App.useApp()
  const manager = useTagManager()
  const [filters, setFilters] = useUrlFilters(FILTERS)
  const [reloadKey, setReloadKey] = useState(0)
  const [editing, setEditing] = useState<PersonTag | 'new' | null>(null)
  const reload = () => setReloadKey((n) => n + 1)

  const setArchived = async (tag: PersonTag, archived: boolean) => {
    try {
      await unwrap(api.PATCH('/api/person-tags/{id}', { params: { path: { id: tag.id } }, body: { archived } }))
      void message.success(t(archived ? 'residents.tags.archivedDone' : 'residents.tags.restoredDone', { name: tag.nameZh }))
      reload()
    } catch (err) {
      void message.error(errorMessage(err))
    }
  }

  const columns: DataColumn<PersonTag>[] = [
    { key: 'nameZh', title: t('residents.tags.nameZh'), dataIndex: 'nameZh', render: (v: string, row) => <Tag color={row.archived ? 'default' : 'volcano'}>{v}</Tag>, exportValue: (row) => row.nameZh },
    { key: 'nameEn', title: t('residents.tags.nameEn'), dataIndex: 'nameEn' },
    { key: 'code', title: t('residents.tags.code'), dataIndex: 'code', render: (v: string) => <Typography.Text code>{v}</Typography.Text> },
    { key: 'needsCare', title: t('residents.tags.needsCare'), dataIndex: 'needsCare', render: (v: boolean) => (v ? t('common.yes') : t('common.no')), exportValue: (row) => (row.needsCare ? t('common.yes') : t('common.no')) },
    { key: 'sortOrder', title: t('residents.tags.sortOrder'), dataIndex: 'sortOrder', align: 'right', responsive: ['md'] },
    {
      key: 'archived',
      title: t('residents.status'),
      dataIndex: 'archived',
      render: (v: boolean) => (v ? <Tag>{t('residents.tags.archived')}</Tag> : <Tag color="green">{t('residents.tags.inUse')}</Tag>),
      exportValue: (row) => (row.archived ? t('residents.tags.archived') : t('residents.tags.inUse')),
    },
  ]
  if (manager) {
    columns.push({
      key: 'actions',
      title: t('common.actions'),
      noExport: true,
      render: (_: unknown, row) => (
        <Space size={0}>
          <Button type="link" size="small" onClick={() => setEditing(row)} data-testid="tag-edit">
            {t('residents.tags.rename')}
          </Button>
          <Button type="link" size="small" danger={!row.archived} onClick={() => void setArchived(row, !row.archived)} data-testid="tag-archive">
            {row.archived ? t('residents.tags.restore') : t('residents.tags.archive')}
          </Button>
        </Space>
      ),
    })
  }

  return (
    <PageCard title={t('residents.tags.title')}>
      {!manager && <Alert type="info" showIcon title={t('residents.tags.readOnly')} style={{ marginBottom: 12 }} />}
      <DataTable<PersonTag, typeof filters>
        columns={columns}
        rowKey="id"
        filters={filters}
        reloadKey={reloadKey}
        exportFileName={t('residents.tags.title')}
        fetchPage={async ({ page, pageSize, filters: f }) => {
          // The tag list is short and not paged by the API: it is paged here.
          const { items } = await unwrap(api.GET('/api/person-tags', { params: { query: { includeArchived: f.archived === 'show' } } }))
          return { items: items.slice((page - 1) * pageSize, page * pageSize), total: items.length }
        }}
        toolbar={
          <Space>
            <Switch checked={filters.archived === 'show'} onChange={(on) => setFilters({ archived: on ? 'show' : null })} size="small" data-testid="tags-show-archived" />
            <Typography.Text>{t('residents.tags.showArchived')}</Typography.Text>
          </Space>
        }
        extra={
          manager && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')} data-testid="tag-create">
              {t('residents.tags.create')}
            </Button>
          )
        }
      />
      <TagDialog
        // A fresh form for each tag: the form's initial values are those of the tag being edited.
        key={editing === null ? 'closed' : editing === 'new' ? 'new' : editing.id}
        tag={editing === 'new' ? null : editing}
        open={editing !== null}
        onClose={() => setEditing(null)}
        onSaved={() => {
          setEditing(null)
          reload()
          void message.success(t('residents.saved'))
        }}
      />
    </PageCard>
  )
}
