import { useState } from 'react'
import { Alert, Button, Form, Input, Modal, Space, Typography } from 'antd'
import { EyeInvisibleOutlined, EyeOutlined } from '@ant-design/icons'
import { api, errorMessage, unwrap } from '../../api/client'
import { useAuth } from '../../app/auth'
import { useI18n } from '../../app/i18n'

type Field = 'idNumber' | 'phone'

/**
 * A masked identity or phone number with a "查看" button: the clear value needs a stated reason
 * (kept in the audit log by the server) and is shown for this view only — it lives in this
 * component's state and is gone when the page is left or "隐藏" is pressed.
 */
export function RevealField({ personId, field, masked }: { personId: number; field: Field; masked: string | null }) {
  const { t } = useI18n()
  const { can } = useAuth()
  const [asking, setAsking] = useState(false)
  const [clear, setClear] = useState<string | null>(null)
  const [saving, setSaving] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [form] = Form.useForm<{ reason: string }>()
  const label = t(field === 'idNumber' ? 'residents.idNumber' : 'residents.phone')

  if (masked === null) return <Typography.Text type="secondary">{t('residents.notRecorded')}</Typography.Text>

  const reveal = async ({ reason }: { reason: string }) => {
    setSaving(true)
    setError(null)
    try {
      const result = await unwrap(api.POST('/api/residents/{id}/unmask', { params: { path: { id: personId } }, body: { field, reason: reason.trim() } }))
      setClear(result.value)
      setAsking(false)
      form.resetFields()
    } catch (err) {
      setError(errorMessage(err))
    } finally {
      setSaving(false)
    }
  }

  return (
    <Space size={4} wrap>
      <Typography.Text code={clear === null} copyable={clear !== null} strong={clear !== null} data-testid={`${field}-value`} style={{ fontFamily: 'monospace' }}>
        {clear ?? masked}
      </Typography.Text>
      {clear === null ? (
        can('residents.unmask') && (
          <Button size="small" type="link" icon={<EyeOutlined />} onClick={() => setAsking(true)} data-testid={`${field}-reveal`}>
            {t('residents.reveal')}
          </Button>
        )
      ) : (
        <Button size="small" type="link" icon={<EyeInvisibleOutlined />} onClick={() => setClear(null)} data-testid={`${field}-hide`}>
          {t('residents.hide')}
        </Button>
      )}
      <Modal
        open={asking}
        title={t('residents.reveal.title', { field: label })}
        onCancel={() => {
          setAsking(false)
          setError(null)
        }}
        onOk={() => form.submit()}
        okText={t('residents.reveal.confirm')}
        confirmLoading={saving}
        destroyOnHidden
      >
        <Alert type="warning" showIcon title={t('residents.reveal.audited')} style={{ marginBottom: 16 }} />
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="reveal-error" />}
        <Form form={form} layout="vertical" onFinish={(v) => void reveal(v)} preserve={false}>
          <Form.Item
            name="reason"
            label={t('residents.reveal.reason')}
            rules={[
              {
                validator: (_, value: string | undefined) =>
                  (value ?? '').trim().length >= 2 ? Promise.resolve() : Promise.reject(new Error(t('residents.reveal.reasonRequired'))),
              },
            ]}
          >
            <Input.TextArea rows={3} maxLength={200} showCount placeholder={t('residents.reveal.reasonPlaceholder')} data-testid="reveal-reason" />
          </Form.Item>
        </Form>
      </Modal>
    </Space>
  )
}
