import { useState } from 'react'
import { Alert, App, Form, Input, Modal, Typography } from 'antd'
import { api, errorMessage, unwrap, type AccountView } from '../../api/client'
import { useI18n } from '../../app/i18n'
import { GrantsEditor, toGrantInput, type GrantValue } from './GrantsEditor'

interface CreateValues {
  username: string
  displayName: string
  password: string
  grants: GrantValue[]
}

/** Shared shell: a form in a modal that shows the server's error in place and closes on success. */
function useSubmit<V>(action: (values: V) => Promise<void>) {
  const [saving, setSaving] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const submit = async (values: V) => {
    setSaving(true)
    setError(null)
    try {
      await action(values)
    } catch (err) {
      setError(errorMessage(err))
    } finally {
      setSaving(false)
    }
  }
  return { saving, error, setError, submit }
}

export function CreateAccountDialog({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: () => void }) {
  const { t } = useI18n()
  const { message } = App.useApp()
  const [form] = Form.useForm<CreateValues>()
  const { saving, error, setError, submit } = useSubmit<CreateValues>(async (values) => {
    const created = await unwrap(
      api.POST('/api/accounts', {
        body: { username: values.username.trim(), displayName: values.displayName.trim(), password: values.password, grants: toGrantInput(values.grants) },
      }),
    )
    void message.success(t('accounts.created', { username: created.username }))
    onCreated()
    close()
  })
  const close = () => {
    form.resetFields()
    setError(null)
    onClose()
  }

  return (
    <Modal open={open} title={t('accounts.create')} onCancel={close} onOk={() => form.submit()} confirmLoading={saving} okText={t('common.save')} destroyOnHidden width={640}>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="dialog-error" />}
      <Form form={form} layout="vertical" onFinish={(values) => void submit(values)} initialValues={{ grants: [{}] }} preserve={false} requiredMark={false}>
        <Form.Item name="username" label={t('accounts.username')} extra={t('accounts.usernameRule')} rules={[{ required: true, pattern: /^[A-Za-z0-9_.-]{2,64}$/, message: t('accounts.usernameRule') }]}>
          <Input autoComplete="off" data-testid="account-username" />
        </Form.Item>
        <Form.Item name="displayName" label={t('accounts.displayName')} rules={[{ required: true, whitespace: true, max: 100 }]}>
          <Input autoComplete="off" data-testid="account-display-name" />
        </Form.Item>
        <Form.Item name="password" label={t('accounts.initialPassword')} extra={t('password.rule')} rules={[{ required: true, min: 10, message: t('password.tooShort') }]}>
          <Input.Password autoComplete="new-password" data-testid="account-password" />
        </Form.Item>
        <Typography.Paragraph strong style={{ marginBottom: 8 }}>
          {t('accounts.grants')}
        </Typography.Paragraph>
        <GrantsEditor />
      </Form>
    </Modal>
  )
}

export function EditGrantsDialog({ account, onClose, onSaved }: { account: AccountView | null; onClose: () => void; onSaved: () => void }) {
  const { t } = useI18n()
  const { message } = App.useApp()
  const [form] = Form.useForm<{ grants: GrantValue[] }>()
  const { saving, error, setError, submit } = useSubmit<{ grants: GrantValue[] }>(async (values) => {
    if (!account) return
    await unwrap(api.PUT('/api/accounts/{id}/grants', { params: { path: { id: account.id } }, body: { grants: toGrantInput(values.grants) } }))
    void message.success(t('accounts.grantsSaved'))
    onSaved()
    close()
  })
  const close = () => {
    setError(null)
    onClose()
  }

  return (
    <Modal
      open={account !== null}
      title={account ? `${t('accounts.editGrants')} · ${account.displayName}(${account.username})` : ''}
      onCancel={close}
      onOk={() => form.submit()}
      confirmLoading={saving}
      okText={t('common.save')}
      destroyOnHidden
      width={640}
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      {account && (
        <Form
          form={form}
          layout="vertical"
          onFinish={(values) => void submit(values)}
          initialValues={{ grants: account.grants.map((g) => ({ role: g.role, unitId: g.unitId })) }}
          preserve={false}
        >
          <GrantsEditor />
        </Form>
      )}
    </Modal>
  )
}

export function ResetPasswordDialog({ account, onClose, onDone }: { account: AccountView | null; onClose: () => void; onDone: () => void }) {
  const { t } = useI18n()
  const { message } = App.useApp()
  const [form] = Form.useForm<{ newPassword: string }>()
  const { saving, error, setError, submit } = useSubmit<{ newPassword: string }>(async (values) => {
    if (!account) return
    await unwrap(api.POST('/api/accounts/{id}/reset-password', { params: { path: { id: account.id } }, body: { newPassword: values.newPassword } }))
    void message.success(t('accounts.resetDone', { username: account.username }))
    onDone()
    close()
  })
  const close = () => {
    form.resetFields()
    setError(null)
    onClose()
  }

  return (
    <Modal
      open={account !== null}
      title={account ? `${t('accounts.resetPassword')} · ${account.displayName}(${account.username})` : ''}
      onCancel={close}
      onOk={() => form.submit()}
      confirmLoading={saving}
      okText={t('common.save')}
      destroyOnHidden
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      <Form form={form} layout="vertical" onFinish={(values) => void submit(values)} preserve={false} requiredMark={false}>
        <Form.Item name="newPassword" label={t('password.new')} extra={t('password.rule')} rules={[{ required: true, min: 10, message: t('password.tooShort') }]}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
      </Form>
    </Modal>
  )
}
