import { useState } from 'react'
import { Alert, Button, Card, Flex, Form, Input, Segmented, Typography } from 'antd'
import { LockOutlined, UserOutlined } from '@ant-design/icons'
import { Navigate, useSearchParams } from 'react-router-dom'
import { errorMessage } from '../../api/client'
import { useAuth } from '../../app/auth'
import { useI18n, type Lang } from '../../app/i18n'
import { PageLoading } from '../../components/PageLoading'

interface Values {
  username: string
  password: string
}

/** Only same-site paths are followed after login, never another origin. */
function safeNext(raw: string | null): string {
  return raw && raw.startsWith('/') && !raw.startsWith('//') && !raw.startsWith('/login') ? raw : '/'
}

export default function LoginPage() {
  const { t, lang, setLang } = useI18n()
  const { status, login, endedReason } = useAuth()
  const [params] = useSearchParams()
  const [submitting, setSubmitting] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const next = safeNext(params.get('next'))

  if (status === 'loading') return <PageLoading fullScreen />
  // Logged in (now or already): go where the visitor was heading.
  if (status === 'authenticated') return <Navigate to={next} replace />

  const submit = async (values: Values) => {
    setSubmitting(true)
    setError(null)
    try {
      await login(values.username.trim(), values.password)
    } catch (err) {
      setError(errorMessage(err))
      setSubmitting(false)
    }
  }

  return (
    <Flex vertical align="center" justify="center" style={{ minHeight: '100vh', padding: 16, background: 'linear-gradient(160deg, #fff5f5 0%, #f5f5f5 60%)' }}>
      <Card style={{ width: '100%', maxWidth: 400 }} styles={{ body: { padding: 28 } }}>
        <Flex justify="flex-end">
          <Segmented<Lang>
            size="small"
            value={lang}
            onChange={setLang}
            options={[
              { label: t('lang.zh'), value: 'zh' },
              { label: t('lang.en'), value: 'en' },
            ]}
            aria-label={t('lang.switch')}
          />
        </Flex>
        <Flex vertical align="center" gap={4} style={{ margin: '8px 0 24px' }}>
          <img src="/favicon.svg" alt="" width={48} height={48} />
          <Typography.Title level={3} style={{ margin: '8px 0 0' }}>
            {t('app.name')}
          </Typography.Title>
          <Typography.Text type="secondary">{t('app.tagline')}</Typography.Text>
        </Flex>
        {(error ?? endedReason) && (
          <Alert type="error" showIcon title={error ?? endedReason} style={{ marginBottom: 16 }} data-testid="login-error" role="alert" />
        )}
        <Form<Values> layout="vertical" onFinish={(values) => void submit(values)} requiredMark={false} size="large">
          <Form.Item name="username" label={t('login.username')} rules={[{ required: true, whitespace: true, message: t('login.usernameRequired') }]}>
            <Input prefix={<UserOutlined />} autoComplete="username" autoFocus data-testid="login-username" />
          </Form.Item>
          <Form.Item name="password" label={t('login.password')} rules={[{ required: true, message: t('login.passwordRequired') }]}>
            <Input.Password prefix={<LockOutlined />} autoComplete="current-password" data-testid="login-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={submitting} data-testid="login-submit">
            {t('login.submit')}
          </Button>
        </Form>
      </Card>
      <Typography.Text type="secondary" style={{ marginTop: 16, fontSize: 12 }}>
        {t('login.footer')}
      </Typography.Text>
    </Flex>
  )
}
