/**
 * /request-templates — response templates (回复模板) the handlers pick from when they resolve a case or
 * write a note: a unit's own, its ancestors', and those offered everywhere. Dispatchers of a unit
 * keep their unit's templates; every change is audited by the server.
 */
import { useState } from 'react'
import { Alert, App, Button, Form, Input, Modal, Space, Typography } from 'antd'
import { PlusOutlined } from '@ant-design/icons'
import { api, errorMessage, unwrap, type ApiResult } from '../../api/client'
import { useAuth } from '../../app/auth'
import { formatTime, useI18n } from '../../app/i18n'
import { DataTable, type DataColumn } from '../../components/DataTable'
import { PageCard } from '../../components/PageCard'
import { UnitSelect, type UnitChoice } from '../../components/UnitSelect'

type Template = ApiResult<'/api/request-templates', 'get'>[number]

interface Values {
  unitId?: UnitChoice
  title: string
  body: string
}

function TemplateDialog({ editing, open, onClose, onSaved }: { editing: Template | null; open: boolean; onClose: () => void; onSaved: () => void }) {
  const { t } = useI18n()
  const { me } = useAuth()
  const [form] = Form.useForm<Values>()
  const [saving, setSaving] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const whole = me?.grants.some((g) => g.unitId === null) ?? false

  const save = async () => {
    const v = await form.validateFields()
    setSaving(true)
    setError(null)
    try {
      if (editing) await unwrap(api.PATCH('/api/request-templates/{id}', { params: { path: { id: editing.id } }, body: { title: v.title.trim(), body: v.body.trim() } }))
      else await unwrap(api.POST('/api/request-templates', { body: { unitId: v.unitId ?? null, title: v.title.trim(), body: v.body.trim() } }))
      onSaved()
    } catch (err) {
      setError(errorMessage(err))
    } finally {
      setSaving(false)
    }
  }

  return (
    <Modal
      open={open}
      title={editing ? t('requests.templates.edit') : t('requests.templates.create')}
      onCancel={onClose}
      onOk={() => void save()}
      okButtonProps={{ loading: saving, 'data-testid': 'template-save' }}
      destroyOnHidden
      afterOpenChange={(visible) => {
        if (visible) form.setFieldsValue(editing ? { title: editing.title, body: editing.body } : { title: '', body: '' })
        setError(null)
      }}
    >
      <Form<Values> form={form} layout="vertical" data-testid="template-form">
        {editing ? (
          <Form.Item label={t('requests.templates.unit')}>
            <Typography.Text>{editing.unitName ?? t('requests.templates.everywhere')}</Typography.Text>
          </Form.Item>
        ) : (
          <Form.Item name="unitId" label={t('requests.templates.unit')} rules={[{ required: !whole, message: t('requests.dialog.unitRequired') }]} extra={t('requests.templates.unitHint')}>
            <UnitSelect allowWhole={whole} data-testid="template-unit" />
          </Form.Item>
        )}
        <Form.Item name="title" label={t('requests.templates.titleLabel')} rules={[{ required: true, whitespace: true }, { max: 100 }]}>
          <Input maxLength={100} data-testid="template-title" />
        </Form.Item>
        <Form.Item name="body" label={t('requests.templates.body')} rules={[{ required: true, whitespace: true }, { max: 2000 }]}>
          <Input.TextArea rows={5} maxLength={2000} showCount data-testid="template-body" />
        </Form.Item>
        {error && <Alert type="error" showIcon title={error} />}
      </Form>
    </Modal>
  )
}

export default function TemplatesPage() {
  const { t } = useI18n()
  const { message, modal } = App.useApp()
  const [reloadKey, setReloadKey] = useState(0)
  const [dialog, setDialog] = useState<{ editing: Template | null } | null>(null)

  const remove = (tpl: Template) =>
    void modal.confirm({
      title: t('requests.templates.deleteConfirm', { title: tpl.title }),
      okButtonProps: { danger: true },
      onOk: async () => {
        try {
          await unwrap(api.DELETE('/api/request-templates/{id}', { params: { path: { id: tpl.id } } }))
          setReloadKey((n) => n + 1)
        } catch (err) {
          void message.error(errorMessage(err))
        }
      },
    })

  const columns: DataColumn<Template>[] = [
    { key: 'title', title: t('requests.templates.titleLabel'), dataIndex: 'title', render: (v: string) => <Typography.Text strong>{v}</Typography.Text> },
    { key: 'body', title: t('requests.templates.body'), dataIndex: 'body', render: (v: string) => <Typography.Paragraph ellipsis={{ rows: 2 }} style={{ margin: 0, maxWidth: 480 }}>{v}</Typography.Paragraph> },
    { key: 'unit', title: t('requests.templates.unit'), dataIndex: 'unitName', render: (v: string | null) => v ?? t('requests.templates.everywhere'), exportValue: (r) => r.unitName ?? t('requests.templates.everywhere') },
    { key: 'createdAt', title: t('requests.templates.createdAt'), dataIndex: 'createdAt', render: (v: string) => formatTime(v), exportValue: (r) => formatTime(r.createdAt) },
    {
      key: 'actions', title: t('common.actions'), noExport: true,
      render: (_: unknown, r) => (
        <Space size={0}>
          <Button type="link" size="small" onClick={() => setDialog({ editing: r })}>{t('requests.templates.edit')}</Button>
          <Button type="link" size="small" danger onClick={() => remove(r)}>{t('requests.templates.delete')}</Button>
        </Space>
      ),
    },
  ]

  return (
    <PageCard title={t('requests.templates.title')}>
      <DataTable<Template, Record<string, never>>
        columns={columns}
        rowKey="id"
        filters={{}}
        reloadKey={reloadKey}
        exportFileName={t('requests.templates.title')}
        // The API answers with the whole (short) list; the table pages it here.
        fetchPage={async ({ page, pageSize }) => {
          const all = await unwrap(api.GET('/api/request-templates'))
          return { items: all.slice((page - 1) * pageSize, page * pageSize), total: all.length }
        }}
        toolbar={<Typography.Text type="secondary">{t('requests.templates.hint')}</Typography.Text>}
        extra={<Button type="primary" icon={<PlusOutlined />} onClick={() => setDialog({ editing: null })} data-testid="template-create">{t('requests.templates.create')}</Button>}
      />
      <TemplateDialog
        open={dialog !== null}
        editing={dialog?.editing ?? null}
        onClose={() => setDialog(null)}
        onSaved={() => {
          setDialog(null)
          setReloadKey((n) => n + 1)
          void message.success(t('requests.templates.saved'))
        }}
      />
    </PageCard>
  )
}
