/**
 * The county's weights of the composite score (response + resolution + satisfaction = 1) and the
 * credit of a 基本满意 answer. Saving needs catalog.manage on the county; every change is audited.
 */
import { useEffect, useState } from 'react'
import { Alert, Button, Flex, Form, InputNumber, Modal, Typography } from 'antd'
import { api, errorMessage, unwrap } from '../../api/client'
import { useI18n } from '../../app/i18n'
import type { WeightsView } from './model'

type Weights = WeightsView['weights']

export function WeightsDialog({ open, unitId, view, onClose, onSaved }: { open: boolean; unitId: number; view: WeightsView | null; onClose: () => void; onSaved: (v: WeightsView) => void }) {
  const { t } = useI18n()
  const [form] = Form.useForm<Weights>()
  const [saving, setSaving] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const values = Form.useWatch([], form) as Partial<Weights> | undefined
  const sum = (values?.response ?? 0) + (values?.resolution ?? 0) + (values?.satisfaction ?? 0)
  const sumOk = Math.abs(sum - 1) < 1e-6

  useEffect(() => {
    if (open && view) form.setFieldsValue(view.weights)
    setError(null)
  }, [open, view, form])

  const save = async () => {
    const w = await form.validateFields()
    setSaving(true)
    setError(null)
    try {
      onSaved(await unwrap(api.PUT('/api/board/weights', { body: { unitId, ...w } })))
    } catch (err) {
      setError(errorMessage(err))
    } finally {
      setSaving(false)
    }
  }

  const field = (name: keyof Weights, label: string) => (
    <Form.Item name={name} label={label} rules={[{ required: true }]}>
      <InputNumber min={0} max={1} step={0.05} precision={2} style={{ width: 140 }} data-testid={`weight-${name}`} />
    </Form.Item>
  )

  return (
    <Modal
      open={open}
      title={t('board.weights.title')}
      onCancel={onClose}
      onOk={() => void save()}
      okButtonProps={{ loading: saving, disabled: !sumOk }}
      destroyOnHidden
      footer={(_, { OkBtn, CancelBtn }) => (
        <>
          {view && <Button onClick={() => form.setFieldsValue(view.defaults)}>{t('board.weights.defaults')}</Button>}
          <CancelBtn />
          <OkBtn />
        </>
      )}
    >
      <Form<Weights> form={form} layout="vertical">
        <Flex wrap gap={16}>
          {field('response', t('board.rate.response'))}
          {field('resolution', t('board.rate.resolution'))}
          {field('satisfaction', t('board.rate.satisfaction'))}
        </Flex>
        <Typography.Paragraph type={sumOk ? 'secondary' : 'danger'} style={{ marginTop: -8 }} data-testid="weights-sum">
          {t('board.weights.sum', { sum: sum.toFixed(2) })}
        </Typography.Paragraph>
        <Form.Item name="basicallySatisfied" label={t('board.weights.basic')} rules={[{ required: true }]} extra={t('board.weights.basicHint')}>
          <InputNumber min={0} max={1} step={0.05} precision={2} style={{ width: 140 }} />
        </Form.Item>
      </Form>
      {error && <Alert type="error" showIcon title={error} />}
    </Modal>
  )
}
