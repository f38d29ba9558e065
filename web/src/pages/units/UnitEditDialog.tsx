import { useEffect, useState } from 'react'
import { App, Form, Input, InputNumber, Modal } from 'antd'
import { api, unwrap } from '../../api/client'
import { useI18n } from '../../app/i18n'
import { ErrorAlert } from './ErrorAlert'
import { checkRule } from './formRules'
import type { UnitDetail, UnitPatch } from './types'

interface Values {
  name: string
  code?: string
  address?: string
  sortOrder?: number
  boundary?: string
}

const boundaryText = (unit: UnitDetail): string => (unit.boundary ? JSON.stringify(unit.boundary, null, 2) : '')

/** Corrections to a unit (a name change here is a correction; an official renaming goes through the rename wizard). */
export function UnitEditDialog({ unit, onClose, onSaved }: { unit: UnitDetail | null; onClose: () => void; onSaved: (unit: UnitDetail) => void }) {
  const { t } = useI18n()
  const { message } = App.useApp()
  const [form] = Form.useForm<Values>()
  const [saving, setSaving] = useState(false)
  const [error, setError] = useState<unknown>(null)

  useEffect(() => {
    if (unit) {
      form.setFieldsValue({ name: unit.name, code: unit.code ?? '', address: unit.address ?? '', sortOrder: unit.sortOrder, boundary: boundaryText(unit) })
      setError(null)
    }
  }, [unit, form])

  const save = async (values: Values) => {
    if (!unit) return
    const patch: UnitPatch = {}
    const name = values.name.trim()
    if (name !== unit.name) patch.name = name
    const code = values.code?.trim() || null
    if (code !== unit.code) patch.code = code
    const address = values.address?.trim() || null
    if (address !== unit.address) patch.address = address
    if (values.sortOrder !== undefined && values.sortOrder !== null && values.sortOrder !== unit.sortOrder) patch.sortOrder = values.sortOrder
    const boundary = values.boundary?.trim() ?? ''
    if (boundary !== boundaryText(unit).trim()) patch.boundary = boundary ? (JSON.parse(boundary) as UnitPatch['boundary']) : null
    if (Object.keys(patch).length === 0) {
      onClose()
      return
    }
    setSaving(true)
    setError(null)
    try {
      const saved = await unwrap(api.PATCH('/api/units/{id}', { params: { path: { id: unit.id } }, body: patch }))
      void message.success(t('units.edit.saved'))
      onSaved(saved)
    } catch (err) {
      setError(err)
    } finally {
      setSaving(false)
    }
  }

  return (
    <Modal
      open={unit !== null}
      title={t('units.edit.title', { name: unit?.name ?? '' })}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('common.save')}
      confirmLoading={saving}
      width={640}
      forceRender
    >
      {error !== null && (
        <div style={{ marginBottom: 16 }}>
          <ErrorAlert error={error} testId="dialog-error" />
        </div>
      )}
      <Form form={form} layout="vertical" onFinish={(v) => void save(v)} requiredMark={false}>
        <Form.Item name="name" label={t('units.field.name')} extra={t('units.edit.nameHelp')} rules={[{ required: true, whitespace: true, message: t('units.edit.nameRequired') }, { max: 100 }]}>
          <Input data-testid="unit-edit-name" />
        </Form.Item>
        <Form.Item name="code" label={t('units.field.code')} extra={t('units.edit.codeHelp')} rules={[{ pattern: /^[0-9A-Za-z-]{1,32}$/, message: t('units.edit.codeRule') }]}>
          <Input style={{ maxWidth: 280 }} />
        </Form.Item>
        <Form.Item name="address" label={t('units.field.address')} rules={[{ max: 300 }]}>
          <Input />
        </Form.Item>
        <Form.Item name="sortOrder" label={t('units.field.sortOrder')}>
          <InputNumber min={0} max={1000000} />
        </Form.Item>
        <Form.Item
          name="boundary"
          label={t('units.field.boundary')}
          extra={t('units.edit.boundaryHelp')}
          rules={[
            checkRule((value: string | undefined) => {
              if (!value?.trim()) return null
              let parsed: unknown
              try {
                parsed = JSON.parse(value)
              } catch {
                return t('units.edit.boundaryJson')
              }
              const type = typeof parsed === 'object' && parsed !== null ? (parsed as { type?: unknown }).type : null
              return type === 'Polygon' || type === 'MultiPolygon' ? null : t('units.edit.boundaryType')
            }),
          ]}
        >
          <Input.TextArea rows={6} style={{ fontFamily: 'monospace', fontSize: 12 }} placeholder='{"type":"Polygon","coordinates":[[[116.2,36.3],[116.3,36.3],[116.3,36.4],[116.2,36.3]]]}' />
        </Form.Item>
      </Form>
    </Modal>
  )
}
