import { useState } from 'react'
import { Alert, App, Button, Form, Input, Modal } from 'antd'
import { api, errorMessage, unwrap } from '../api/client'
import { useAuth } from './auth'
import { useI18n } from './i18n'

interface Values {
  currentPassword: string
  newPassword: string
  confirm: string
}

/**
 * Changes the logged-in account's own password. `forced` (first login, or after a reset) cannot
 * be dismissed: the only ways out are a new password or logging out.
 */
export function ChangePasswordDialog({ open, forced, onClose }: { open: boolean; forced: boolean; onClose: () => void }) {
  const { t } = useI18n()
  const { me, refresh, logout } = useAuth()
  const { message } = App.useApp()
  const [form] = Form.useForm<Values>()
  const [saving, setSaving] = useState(false)
  const [error, setError] = useState<string | null>(null)

  const close = () => {
    form.resetFields()
    setError(null)
    onClose()
  }

  const submit = async (values: Values) => {
    setSaving(true)
    setError(null)
    try {
      await unwrap(api.POST('/api/auth/password', { body: { currentPassword: values.currentPassword, newPassword: values.newPassword } }))
      void message.success(t('password.changed'))
      await refresh()
      close()
    } catch (err) {
      setError(errorMessage(err))
    } finally {
      setSaving(false)
    }
  }

  return (
    <Modal
      open={open}
      title={t('password.title')}
      closable={!forced}
      mask={{ closable: !forced }}
      keyboard={!forced}
      onCancel={forced ? undefined : close}
      destroyOnHidden
      footer={[
        forced ? (
          <Button key="logout" onClick={() => void logout()}>
            {t('user.logout')}
          </Button>
        ) : (
          <Button key="cancel" onClick={close}>
            {t('common.cancel')}
          </Button>
        ),
        <Button key="ok" type="primary" loading={saving} onClick={() => form.submit()} data-testid="password-submit">
          {t('common.save')}
        </Button>,
      ]}
    >
      {forced && <Alert type="warning" showIcon title={t('password.mustChange')} style={{ marginBottom: 16 }} />}
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="password-error" />}
      <Form form={form} layout="vertical" onFinish={(values) => void submit(values)} requiredMark={false} preserve={false}>
        {/* Lets password managers file the new password under the right account. */}
        <input type="text" name="username" autoComplete="username" value={me?.username ?? ''} readOnly hidden />
        <Form.Item name="currentPassword" label={t('password.current')} rules={[{ required: true, message: t('login.passwordRequired') }]}>
          <Input.Password autoComplete="current-password" />
        </Form.Item>
        <Form.Item
          name="newPassword"
          label={t('password.new')}
          extra={t('password.rule')}
          rules={[{ required: true, min: 10, message: t('password.tooShort') }]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item
          name="confirm"
          label={t('password.confirm')}
          dependencies={['newPassword']}
          rules={[
            { required: true, message: t('password.mismatch') },
            ({ getFieldValue }) => ({
              validator: (_rule, value) =>
                value === getFieldValue('newPassword') ? Promise.resolve() : Promise.reject(new Error(t('password.mismatch'))),
            }),
          ]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
      </Form>
    </Modal>
  )
}
