/** Open or edit a party representative's studio (党代表工作室) with its reception hours. */
import { useEffect, useState } from 'react'
import { App, Form, Input, Modal, Select } from 'antd'
import { api, unwrap } from '../../api/client'
import { useI18n } from '../../app/i18n'
import { ErrorAlert } from '../units/ErrorAlert'
import { UnitPicker } from '../units/UnitPicker'
import type { StudioView } from './meta'
import { MemberSelect } from './pickers'

interface Values {
  memberId?: number
  unitId?: number
  name: string
  specialty?: string
  receptionHours?: string
  address?: string
  status?: 'active' | 'closed'
}

const text = (v: string | undefined): string | null => v?.trim() || null

/** `studio` edits; otherwise opens a new one (for `memberId` when given). */
export function StudioDialog({ open, studio, memberId, onClose, onSaved }: {
  open: boolean
  studio: StudioView | null
  memberId?: number
  onClose: () => void
  onSaved: (studio: StudioView) => void
}) {
  const { t } = useI18n()
  const { message } = App.useApp()
  const [form] = Form.useForm<Values>()
  const [saving, setSaving] = useState(false)
  const [error, setError] = useState<unknown>(null)

  useEffect(() => {
    if (!open) return
    form.resetFields()
    setError(null)
    if (studio) {
      form.setFieldsValue({
        memberId: studio.memberId, unitId: studio.unitId, name: studio.name, specialty: studio.specialty ?? '', receptionHours: studio.receptionHours ?? '',
        address: studio.address ?? '', status: studio.status,
      })
    } else form.setFieldsValue({ memberId })
  }, [open, studio, memberId, form])

  const submit = async (v: Values) => {
    setSaving(true)
    setError(null)
    try {
      const saved = studio
        ? await unwrap(api.PATCH('/api/party/studios/{id}', {
            params: { path: { id: studio.id } },
            body: { unitId: v.unitId, name: v.name.trim(), specialty: text(v.specialty), receptionHours: text(v.receptionHours), address: text(v.address), status: v.status },
          }))
        : await unwrap(api.POST('/api/party/studios', {
            body: { memberId: v.memberId as number, unitId: v.unitId as number, name: v.name.trim(), specialty: text(v.specialty), receptionHours: text(v.receptionHours), address: text(v.address) },
          }))
      void message.success(t('party.saved'))
      onSaved(saved)
    } catch (err) {
      setError(err)
    } finally {
      setSaving(false)
    }
  }

  return (
    <Modal open={open} title={studio ? t('party.studio.edit') : t('party.studio.create')} onCancel={onClose} onOk={() => form.submit()} okText={t('common.save')} confirmLoading={saving} forceRender width={600}>
      {error !== null && <div style={{ marginBottom: 16 }}><ErrorAlert error={error} testId="dialog-error" /></div>}
      <Form form={form} layout="vertical" onFinish={(v) => void submit(v)} requiredMark={false}>
        <Form.Item name="memberId" label={t('party.studio.representative')} extra={t('party.studio.representativeHelp')} rules={[{ required: true, message: t('party.studio.representativeRequired') }]}>
          <MemberSelect representatives disabled={studio !== null || memberId !== undefined} style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="name" label={t('party.studio.name')} rules={[{ required: true, whitespace: true, message: t('party.studio.nameRequired') }, { max: 100 }]}>
          <Input placeholder={t('party.studio.namePlaceholder')} />
        </Form.Item>
        <Form.Item name="unitId" label={t('party.studio.unit')} rules={[{ required: true, message: t('party.org.unitRequired') }]}>
          <UnitPicker style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="receptionHours" label={t('party.studio.hours')} rules={[{ max: 200 }]}>
          <Input placeholder={t('party.studio.hoursPlaceholder')} />
        </Form.Item>
        <Form.Item name="specialty" label={t('party.studio.specialty')} rules={[{ max: 100 }]}>
          <Input placeholder={t('party.studio.specialtyPlaceholder')} />
        </Form.Item>
        <Form.Item name="address" label={t('party.studio.address')} rules={[{ max: 200 }]}>
          <Input />
        </Form.Item>
        {studio && (
          <Form.Item name="status" label={t('party.studio.status')}>
            <Select options={[{ value: 'active', label: t('party.studio.status.active') }, { value: 'closed', label: t('party.studio.status.closed') }]} style={{ width: 160 }} />
          </Form.Item>
        )}
      </Form>
    </Modal>
  )
}
