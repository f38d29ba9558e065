import { useEffect, useState } from 'react'
import { Alert, Form, Input, Modal, Select, Typography } from 'antd'
import { api, errorMessage, unwrap } from '../../api/client'
import { useI18n } from '../../app/i18n'
import { UnitSelect } from '../../components/UnitSelect'
import { addressOf, applyServerErrors, RELATIONS, relationKey, type HouseholdDetail, type PersonView, type Relation } from './model'

/** A form in a modal that shows the server's refusal on the field it concerns and above the form. */
function useDialogSubmit<V extends object>(fields: string[], action: (values: V) => Promise<void>) {
  const { t } = useI18n()
  const [form] = Form.useForm<V>()
  const [saving, setSaving] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const submit = async (values: V) => {
    setSaving(true)
    setError(null)
    try {
      await action(values)
    } catch (err) {
      applyServerErrors(form, err, t, fields)
      setError(errorMessage(err))
    } finally {
      setSaving(false)
    }
  }
  return { form, saving, error, setError, submit }
}

export function CreateHouseholdDialog({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: (h: HouseholdDetail) => void }) {
  const { t } = useI18n()
  const { form, saving, error, setError, submit } = useDialogSubmit<{ unitId: number; room?: string }>(['unitId', 'room'], async (v) => {
    onCreated(await unwrap(api.POST('/api/households', { body: { unitId: v.unitId, room: v.room?.trim() || null } })))
  })
  useEffect(() => setError(null), [open, setError])
  return (
    <Modal open={open} title={t('residents.household.create')} onCancel={onClose} onOk={() => form.submit()} okText={t('common.save')} confirmLoading={saving} destroyOnHidden>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="dialog-error" />}
      <Form form={form} layout="vertical" onFinish={(v) => void submit(v)} preserve={false} requiredMark={false}>
        <Form.Item name="unitId" label={t('residents.unit')} extra={t('residents.unitHint')} rules={[{ required: true, message: t('residents.unitRequired') }]}>
          <UnitSelect style={{ width: '100%' }} data-testid="household-unit" />
        </Form.Item>
        <Form.Item name="room" label={t('residents.room')} rules={[{ max: 50 }]}>
          <Input autoComplete="off" placeholder={t('residents.roomPlaceholder')} data-testid="household-room" />
        </Form.Item>
      </Form>
    </Modal>
  )
}

export function MoveHouseholdDialog({ household, open, onClose, onMoved }: { household: HouseholdDetail; open: boolean; onClose: () => void; onMoved: (h: HouseholdDetail) => void }) {
  const { t } = useI18n()
  const { form, saving, error, setError, submit } = useDialogSubmit<{ unitId: number; room?: string }>(['unitId', 'room'], async (v) => {
    onMoved(await unwrap(api.POST('/api/households/{id}/move', { params: { path: { id: household.id } }, body: { unitId: v.unitId, room: v.room?.trim() || null } })))
  })
  useEffect(() => setError(null), [open, setError])
  return (
    <Modal open={open} title={t('residents.household.move')} onCancel={onClose} onOk={() => form.submit()} okText={t('residents.household.moveConfirm')} confirmLoading={saving} destroyOnHidden>
      <Typography.Paragraph type="secondary">{t('residents.household.moveHint', { address: household.address, count: household.memberCount })}</Typography.Paragraph>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="dialog-error" />}
      <Form form={form} layout="vertical" onFinish={(v) => void submit(v)} preserve={false} requiredMark={false} initialValues={{ room: household.room ?? undefined }}>
        <Form.Item name="unitId" label={t('residents.household.moveTo')} rules={[{ required: true, message: t('residents.unitRequired') }]}>
          <UnitSelect style={{ width: '100%' }} data-testid="move-unit" />
        </Form.Item>
        <Form.Item name="room" label={t('residents.room')} rules={[{ max: 50 }]}>
          <Input autoComplete="off" data-testid="move-room" />
        </Form.Item>
      </Form>
    </Modal>
  )
}

/** Finds residents by name (in the user's area) to add an existing person to the household. */
function PersonSearch({ value, onChange, exclude }: { value?: number; onChange?: (id: number | undefined) => void; exclude: number[] }) {
  const { t } = useI18n()
  const [query, setQuery] = useState('')
  const [people, setPeople] = useState<PersonView[]>([])
  const [loading, setLoading] = useState(false)
  const [error, setError] = useState<string | null>(null)
  useEffect(() => {
    const q = query.trim()
    if (!q) {
      setPeople([])
      return
    }
    let current = true
    setLoading(true)
    const timer = window.setTimeout(() => {
      unwrap(api.GET('/api/residents', { params: { query: { q, pageSize: 20 } } })).then(
        (page) => {
          if (!current) return
          setPeople(page.items)
          setError(null)
          setLoading(false)
        },
        (err: unknown) => {
          if (!current) return
          setError(errorMessage(err))
          setLoading(false)
        },
      )
    }, 250)
    return () => {
      current = false
      window.clearTimeout(timer)
    }
  }, [query])

  return (
    <Select
      showSearch={{ filterOption: false, onSearch: setQuery }}
      value={value}
      onChange={(v?: number) => onChange?.(v)}
      loading={loading}
      placeholder={t('residents.household.searchPerson')}
      notFoundContent={error ? <Typography.Text type="danger">{error}</Typography.Text> : query ? t('residents.household.noPerson') : t('residents.household.typeName')}
      options={people
        .filter((p) => !exclude.includes(p.id))
        .map((p) => ({
          value: p.id,
          label: `${p.name}${p.idNumberMasked ? ` · ${p.idNumberMasked}` : ''} · ${addressOf(p)}${p.householdId !== null ? ` · ${t('residents.household.inOther')}` : ''}`,
        }))}
      allowClear
      style={{ width: '100%' }}
      data-testid="member-person"
    />
  )
}

export function AddMemberDialog({ household, open, onClose, onAdded }: { household: HouseholdDetail; open: boolean; onClose: () => void; onAdded: (h: HouseholdDetail) => void }) {
  const { t } = useI18n()
  const hasHead = household.headPersonId !== null
  const { form, saving, error, setError, submit } = useDialogSubmit<{ personId: number; relation: Relation }>(['personId', 'relation'], async (v) => {
    onAdded(await unwrap(api.POST('/api/households/{id}/members', { params: { path: { id: household.id } }, body: v })))
  })
  useEffect(() => setError(null), [open, setError])
  return (
    <Modal open={open} title={t('residents.household.addMember')} onCancel={onClose} onOk={() => form.submit()} okText={t('common.save')} confirmLoading={saving} destroyOnHidden width={600}>
      <Typography.Paragraph type="secondary">{t('residents.household.addMemberHint', { address: household.address })}</Typography.Paragraph>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="dialog-error" />}
      <Form form={form} layout="vertical" onFinish={(v) => void submit(v)} preserve={false} requiredMark={false} initialValues={{ relation: hasHead ? 'spouse' : 'head' }}>
        <Form.Item name="personId" label={t('residents.household.person')} rules={[{ required: true, message: t('residents.household.personRequired') }]}>
          <PersonSearch exclude={household.members.map((m) => m.personId)} />
        </Form.Item>
        <Form.Item name="relation" label={t('residents.relation')} rules={[{ required: true }]}>
          <Select options={RELATIONS.filter((r) => r !== 'head' || !hasHead).map((r) => ({ value: r, label: t(relationKey(r)) }))} data-testid="member-relation" />
        </Form.Item>
      </Form>
    </Modal>
  )
}
