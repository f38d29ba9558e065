/**
 * Staff intake (POST /api/requests): a phone call, a walk-in or a grid patrol recorded on a
 * resident's behalf. The item list is what the catalog offers at the chosen place (internal items
 * included); leave it empty to describe the matter in free text.
 */
import { useEffect, useRef, useState } from 'react'
import { Alert, Checkbox, Form, Input, Modal, Radio, Select } from 'antd'
import { api, errorMessage, unwrap, type ApiBody, type ApiResult } from '../../api/client'
import { useI18n } from '../../app/i18n'
import { UnitSelect } from '../../components/UnitSelect'
import { PhotoPicker } from './PhotoPicker'
import { newIdempotencyKey, normalizePhone, STAFF_SOURCES } from './model'

type Item = ApiResult<'/api/catalog/items', 'get'>['items'][number]
type IntakeBody = ApiBody<'/api/requests', 'post'>

interface Values {
  source: IntakeBody['source']
  locationUnitId?: number
  itemId?: number
  title?: string
  description: string
  address?: string
  contactName?: string
  phone?: string
  anonymous?: boolean
}

const sourceKeys = { hotline: 'requests.source.hotline', walk_in: 'requests.source.walk_in', patrol: 'requests.source.patrol' } as const

export function StaffIntakeDialog({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: (id: number) => void }) {
  const { t } = useI18n()
  const [form] = Form.useForm<Values>()
  const locationUnitId = Form.useWatch('locationUnitId', form)
  const itemId = Form.useWatch('itemId', form)
  const anonymous = Form.useWatch('anonymous', form) === true
  const [items, setItems] = useState<Item[]>([])
  const [itemsError, setItemsError] = useState<string | null>(null)
  const [tokens, setTokens] = useState<string[]>([])
  const [uploading, setUploading] = useState(false)
  const [saving, setSaving] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [pickerKey, setPickerKey] = useState(0)
  const key = useRef<string | null>(null)

  useEffect(() => {
    if (!open || !locationUnitId) {
      setItems([])
      return
    }
    let current = true
    unwrap(api.GET('/api/catalog/items', { params: { query: { offeredAt: locationUnitId, status: 'active', pageSize: 200 } } })).then(
      (page) => {
        if (!current) return
        setItems(page.items)
        setItemsError(null)
      },
      (err: unknown) => current && setItemsError(errorMessage(err)),
    )
    return () => {
      current = false
    }
  }, [open, locationUnitId])

  const item = items.find((i) => i.id === itemId)
  const anonymousAllowed = item?.anonymousAllowed ?? false

  const close = () => {
    form.resetFields()
    setError(null)
    setTokens([])
    setPickerKey((k) => k + 1)
    key.current = null
    onClose()
  }

  const save = async () => {
    const v = await form.validateFields()
    if (!v.locationUnitId) return
    setSaving(true)
    setError(null)
    key.current ??= newIdempotencyKey()
    const phone = v.phone?.trim() ? normalizePhone(v.phone) : null
    const body: IntakeBody = {
      source: v.source,
      locationUnitId: v.locationUnitId,
      description: v.description.trim(),
      ...(v.itemId ? { itemId: v.itemId } : {}),
      ...(!v.itemId && v.title?.trim() ? { title: v.title.trim() } : {}),
      ...(v.address?.trim() ? { address: v.address.trim() } : {}),
      ...(tokens.length ? { photoTokens: tokens } : {}),
      ...(v.anonymous ? { anonymous: true } : { ...(phone ? { phone } : {}), ...(v.contactName?.trim() ? { contactName: v.contactName.trim() } : {}) }),
    }
    try {
      const created = await unwrap(api.POST('/api/requests', { body, headers: { 'Idempotency-Key': key.current } }))
      close()
      onCreated(created.id)
    } catch (err) {
      setError(errorMessage(err))
    } finally {
      setSaving(false)
    }
  }

  return (
    <Modal
      open={open}
      title={t('requests.intake.title')}
      onCancel={close}
      onOk={() => void save()}
      okText={t('requests.intake.submit')}
      okButtonProps={{ loading: saving, disabled: uploading, 'data-testid': 'intake-submit' }}
      width={640}
      destroyOnHidden
    >
      <Form<Values> form={form} layout="vertical" initialValues={{ source: 'hotline' }} data-testid="intake-form">
        <Form.Item name="source" label={t('requests.intake.source')} rules={[{ required: true }]}>
          <Radio.Group optionType="button" options={STAFF_SOURCES.map((s) => ({ value: s, label: t(sourceKeys[s]) }))} />
        </Form.Item>
        <Form.Item name="locationUnitId" label={t('requests.intake.location')} rules={[{ required: true, message: t('requests.intake.locationRequired') }]}>
          <UnitSelect data-testid="intake-location" />
        </Form.Item>
        <Form.Item name="itemId" label={t('requests.intake.item')} extra={itemsError ?? (locationUnitId ? undefined : t('requests.intake.itemAfterLocation'))}>
          <Select
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            placeholder={t('requests.intake.itemFree')}
            disabled={!locationUnitId}
            options={items.map((i) => ({ value: i.id, label: `${i.categoryName} · ${i.name}` }))}
            data-testid="intake-item"
          />
        </Form.Item>
        {!itemId && (
          <Form.Item name="title" label={t('requests.public.titleLabel')} rules={[{ max: 100 }]}>
            <Input maxLength={100} />
          </Form.Item>
        )}
        <Form.Item name="description" label={t('requests.public.description')} rules={[{ required: true, whitespace: true, message: t('requests.public.descriptionRequired') }]}>
          <Input.TextArea rows={4} maxLength={2000} showCount data-testid="intake-description" />
        </Form.Item>
        <Form.Item name="address" label={t('requests.public.address')}>
          <Input maxLength={200} placeholder={t('requests.public.addressPlaceholder')} />
        </Form.Item>
        {anonymousAllowed && (
          <Form.Item name="anonymous" valuePropName="checked">
            <Checkbox>{t('requests.intake.anonymous')}</Checkbox>
          </Form.Item>
        )}
        {!anonymous && (
          <>
            <Form.Item name="contactName" label={t('requests.public.contactName')}>
              <Input maxLength={50} />
            </Form.Item>
            <Form.Item
              name="phone"
              label={t('requests.intake.phone')}
              rules={[
                { required: !anonymousAllowed, whitespace: true, message: t('requests.public.phoneRequired') },
                { validator: (_r, v?: string) => (!v?.trim() || normalizePhone(v) ? Promise.resolve() : Promise.reject(new Error(t('requests.public.phoneInvalid')))) },
              ]}
            >
              <Input inputMode="tel" maxLength={20} data-testid="intake-phone" />
            </Form.Item>
          </>
        )}
        <Form.Item label={t('requests.public.photos')}>
          <PhotoPicker key={pickerKey} onChange={setTokens} onBusyChange={setUploading} />
        </Form.Item>
        {error && <Alert type="error" showIcon title={error} data-testid="intake-error" />}
      </Form>
    </Modal>
  )
}
