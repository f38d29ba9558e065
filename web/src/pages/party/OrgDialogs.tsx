/** Create, edit and staff a party organization. */
import { useEffect } from 'react'
import { App, Button, DatePicker, Flex, Form, Input, Modal, Select } from 'antd'
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons'
import dayjs, { type Dayjs } from 'dayjs'
import { api, unwrap, type ApiBody } from '../../api/client'
import { useI18n } from '../../app/i18n'
import { ErrorAlert } from '../units/ErrorAlert'
import { UnitPicker } from '../units/UnitPicker'
import { afterShanghaiToday } from '../units/meta'
import { childKindsOf, officerRolesFor, orgKindName, orgKinds, type OfficerRole, type OrgDetail, type OrgKind } from './meta'
import { OrgSelect, PersonSelect } from './pickers'
import { useSaving } from '../../components/useSaving'

const day = (value: Dayjs | null | undefined): string | null => (value ? value.format('YYYY-MM-DD') : null)

interface CreateValues {
  name: string
  kind: OrgKind
  unitId: number
  parentId?: number | null
  establishedDate?: Dayjs | null
}

/** A new organization under `parent` (or at the top when parent is null). */
export function CreateOrgDialog({ open, parent, onClose, onCreated }: { open: boolean; parent: OrgDetail | null; onClose: () => void; onCreated: (org: OrgDetail) => void }) {
  const { t, lang } = useI18n()
  const { message } = App.useApp()
  const [form] = Form.useForm<CreateValues>()
  const { saving, error, setError, run } = useSaving()
  const kinds = childKindsOf(parent ? parent.kind : null)

  useEffect(() => {
    if (open) {
      form.resetFields()
      form.setFieldsValue({ kind: kinds[0], unitId: parent?.unitId, parentId: parent?.id ?? null })
      setError(null)
    }
    // Reset each time the dialog opens for another parent.
  }, [open, parent?.id])

  const submit = (v: CreateValues) =>
    run(async () => {
      const body: ApiBody<'/api/party/orgs', 'post'> = {
        name: v.name.trim(), kind: v.kind, unitId: v.unitId, parentId: parent?.id ?? null, establishedDate: day(v.establishedDate),
      }
      const created = await unwrap(api.POST('/api/party/orgs', { body }))
      void message.success(t('party.org.created', { name: created.name }))
      onCreated(created)
    })

  return (
    <Modal open={open} title={parent ? t('party.org.createUnder', { name: parent.name }) : t('party.org.createTop')} onCancel={onClose} onOk={() => form.submit()} okText={t('common.save')} confirmLoading={saving} destroyOnHidden forceRender>
      {error !== null && <div style={{ marginBottom: 16 }}><ErrorAlert error={error} testId="dialog-error" /></div>}
      <Form form={form} layout="vertical" onFinish={(v) => void submit(v)} requiredMark={false}>
        <Form.Item name="kind" label={t('party.org.kind')} rules={[{ required: true }]}>
          <Select options={kinds.map((k) => ({ value: k, label: orgKindName(k, lang) }))} data-testid="org-create-kind" />
        </Form.Item>
        <Form.Item name="name" label={t('party.org.name')} rules={[{ required: true, whitespace: true, message: t('party.org.nameRequired') }, { max: 100 }]}>
          <Input placeholder={t('party.org.namePlaceholder')} data-testid="org-create-name" />
        </Form.Item>
        <Form.Item name="unitId" label={t('party.org.unit')} extra={t('party.org.unitHelp')} rules={[{ required: true, message: t('party.org.unitRequired') }]}>
          <UnitPicker style={{ width: '100%' }} data-testid="org-create-unit" />
        </Form.Item>
        <Form.Item name="establishedDate" label={t('party.org.established')}>
          <DatePicker disabledDate={afterShanghaiToday} />
        </Form.Item>
      </Form>
    </Modal>
  )
}

interface EditValues {
  name: string
  kind: OrgKind
  parentId?: number | null
  establishedDate?: Dayjs | null
  status: 'active' | 'dissolved'
}

export function EditOrgDialog({ org, onClose, onSaved }: { org: OrgDetail | null; onClose: () => void; onSaved: (org: OrgDetail) => void }) {
  const { t, lang } = useI18n()
  const { message } = App.useApp()
  const [form] = Form.useForm<EditValues>()
  const { saving, error, setError, run } = useSaving()

  useEffect(() => {
    if (org) {
      form.setFieldsValue({
        name: org.name, kind: org.kind, parentId: org.parentId, establishedDate: org.establishedDate ? dayjs(org.establishedDate) : null, status: org.status,
      })
      setError(null)
    }
  }, [org, form])

  const submit = (v: EditValues) =>
    run(async () => {
      if (!org) return
      const body: ApiBody<'/api/party/orgs/{id}', 'patch'> = {}
      if (v.name.trim() !== org.name) body.name = v.name.trim()
      if (v.kind !== org.kind) body.kind = v.kind
      if ((v.parentId ?? null) !== org.parentId) body.parentId = v.parentId ?? null
      if (day(v.establishedDate) !== org.establishedDate) body.establishedDate = day(v.establishedDate)
      if (v.status !== org.status) body.status = v.status
      const saved = Object.keys(body).length ? await unwrap(api.PATCH('/api/party/orgs/{id}', { params: { path: { id: org.id } }, body })) : org
      void message.success(t('party.saved'))
      onSaved(saved)
    })

  return (
    <Modal open={org !== null} title={t('party.org.edit')} onCancel={onClose} onOk={() => form.submit()} okText={t('common.save')} confirmLoading={saving} forceRender>
      {error !== null && <div style={{ marginBottom: 16 }}><ErrorAlert error={error} testId="dialog-error" /></div>}
      <Form form={form} layout="vertical" onFinish={(v) => void submit(v)} requiredMark={false}>
        <Form.Item name="name" label={t('party.org.name')} rules={[{ required: true, whitespace: true, message: t('party.org.nameRequired') }, { max: 100 }]}>
          <Input />
        </Form.Item>
        <Form.Item name="kind" label={t('party.org.kind')} rules={[{ required: true }]}>
          <Select options={orgKinds.map((k) => ({ value: k, label: orgKindName(k, lang) }))} />
        </Form.Item>
        <Form.Item name="parentId" label={t('party.org.parent')} extra={t('party.org.parentHelp')}>
          <OrgSelect style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="establishedDate" label={t('party.org.established')}>
          <DatePicker disabledDate={afterShanghaiToday} />
        </Form.Item>
        <Form.Item name="status" label={t('party.org.status')} extra={t('party.org.dissolveHelp')}>
          <Select options={[{ value: 'active', label: t('party.org.status.active') }, { value: 'dissolved', label: t('party.org.status.dissolved') }]} style={{ width: 160 }} />
        </Form.Item>
      </Form>
    </Modal>
  )
}

interface OfficerValue {
  personId?: number
  role?: OfficerRole
  since?: Dayjs | null
  until?: Dayjs | null
}

/** Replaces the secretary, deputies and committee members (or a group's leader); each must be a full or probationary member. */
export function OfficersDialog({ org, onClose, onSaved }: { org: OrgDetail | null; onClose: () => void; onSaved: (org: OrgDetail) => void }) {
  const { t } = useI18n()
  const { message } = App.useApp()
  const [form] = Form.useForm<{ officers: OfficerValue[] }>()
  const { saving, error, setError, run } = useSaving()
  const roles = org ? officerRolesFor(org.kind) : []

  useEffect(() => {
    if (org) {
      form.setFieldsValue({
        officers: org.officers.map((o) => ({ personId: o.personId, role: o.role, since: o.since ? dayjs(o.since) : null, until: o.until ? dayjs(o.until) : null })),
      })
      setError(null)
    }
  }, [org, form])

  const submit = (v: { officers?: OfficerValue[] }) =>
    run(async () => {
      if (!org) return
      const officers = (v.officers ?? []).map((o) => ({ personId: o.personId as number, role: o.role as OfficerRole, since: day(o.since), until: day(o.until) }))
      const saved = await unwrap(api.PUT('/api/party/orgs/{id}/officers', { params: { path: { id: org.id } }, body: { officers } }))
      void message.success(t('party.saved'))
      onSaved(saved)
    })

  return (
    <Modal open={org !== null} title={t('party.officers.edit', { name: org?.name ?? '' })} onCancel={onClose} onOk={() => form.submit()} okText={t('common.save')} confirmLoading={saving} width={820} forceRender>
      {error !== null && <div style={{ marginBottom: 16 }}><ErrorAlert error={error} testId="dialog-error" /></div>}
      <Form form={form} layout="vertical" onFinish={(v) => void submit(v)} requiredMark={false}>
        <Form.List name="officers">
          {(fields, { add, remove }) => (
            <Flex vertical>
              {fields.map((field) => (
                <Flex key={field.key} gap={8} wrap align="flex-start">
                  <Form.Item name={[field.name, 'role']} rules={[{ required: true, message: t('party.officers.roleRequired') }]} style={{ width: 130 }}>
                    <Select options={roles.map((r) => ({ value: r, label: t(`party.role.${r}`) }))} placeholder={t('party.officers.role')} />
                  </Form.Item>
                  <Form.Item name={[field.name, 'personId']} rules={[{ required: true, message: t('party.officers.personRequired') }]} style={{ flex: '1 1 240px' }}>
                    <PersonSelect style={{ width: '100%' }} />
                  </Form.Item>
                  <Form.Item name={[field.name, 'since']} style={{ width: 140 }}>
                    <DatePicker placeholder={t('party.officers.since')} />
                  </Form.Item>
                  <Form.Item name={[field.name, 'until']} style={{ width: 140 }}>
                    <DatePicker placeholder={t('party.officers.until')} />
                  </Form.Item>
                  <Button icon={<DeleteOutlined />} aria-label={t('party.officers.remove')} onClick={() => remove(field.name)} />
                </Flex>
              ))}
              <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({ role: roles[0] })} style={{ maxWidth: 240 }}>
                {t('party.officers.add')}
              </Button>
            </Flex>
          )}
        </Form.List>
      </Form>
    </Modal>
  )
}
