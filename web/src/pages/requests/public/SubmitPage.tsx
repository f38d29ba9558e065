/**
 * /r/:code — where a QR poster leads. The place (小区, 楼院, 网格村 or 党代表工作室) with its
 * breadcrumb, the service menu offered there and "其他问题"; then the form; then the tracking
 * code and link. One Idempotency-Key per submit, kept for its retries, so a retry after a lost
 * answer returns the first request instead of filing a second.
 */
import { useCallback, useEffect, useRef, useState } from 'react'
import { Alert, Button, Card, Checkbox, Flex, Form, Input, Result, Skeleton, Tag, Typography } from 'antd'
import { CheckCircleFilled, EditOutlined, HeartOutlined, LeftOutlined, RightOutlined, SafetyCertificateOutlined } from '@ant-design/icons'
import { Link, useNavigate, useParams } from 'react-router-dom'
import { api, ApiError, errorMessage, unwrap } from '../../../api/client'
import { useI18n } from '../../../app/i18n'
import { PhotoPicker } from '../PhotoPicker'
import {
  absoluteUrl, friendlyTime, newIdempotencyKey, normalizePhone, saveCase, savedCases, type LocationView, type MenuItem, type PublicSubmitInput, type SubmitResult,
} from '../model'
import { PublicShell } from './PublicShell'

type Choice = { kind: 'item'; item: MenuItem } | { kind: 'free' }

interface FormValues {
  title?: string
  description: string
  address?: string
  contactName?: string
  phone?: string
}

function MenuCard({ title, description, tags, onClick, testId }: { title: string; description?: string | null; tags?: React.ReactNode; onClick: () => void; testId: string }) {
  return (
    <Card hoverable onClick={onClick} styles={{ body: { padding: 14 } }} data-testid={testId} role="button">
      <Flex justify="space-between" align="center" gap={8}>
        <Flex vertical gap={4} style={{ minWidth: 0 }}>
          <Typography.Text strong style={{ fontSize: 17 }}>{title}</Typography.Text>
          {description && <Typography.Paragraph type="secondary" ellipsis={{ rows: 2 }} style={{ margin: 0, fontSize: 14 }}>{description}</Typography.Paragraph>}
          {tags}
        </Flex>
        <RightOutlined style={{ color: '#bfbfbf', flex: 'none' }} />
      </Flex>
    </Card>
  )
}

function Menu({ location, onChoose }: { location: LocationView; onChoose: (c: Choice) => void }) {
  const { t } = useI18n()
  // The elderly-care menu (爱老助老) first, then the rest in catalog order, grouped by category.
  const groups = new Map<string, MenuItem[]>()
  const elderly = location.items.filter((i) => i.elderlyCare)
  if (elderly.length) groups.set(t('requests.public.elderlyMenu'), elderly)
  for (const item of location.items.filter((i) => !i.elderlyCare)) groups.set(item.categoryName, [...(groups.get(item.categoryName) ?? []), item])
  return (
    <Flex vertical gap={16}>
      <Typography.Text style={{ fontSize: 16 }}>{t('requests.public.chooseService')}</Typography.Text>
      {[...groups.entries()].map(([group, items]) => (
        <Flex vertical gap={8} key={group}>
          <Typography.Text type="secondary" style={{ fontSize: 14 }}>
            {group === t('requests.public.elderlyMenu') && <HeartOutlined style={{ color: '#c8102e', marginRight: 6 }} />}
            {group}
          </Typography.Text>
          {items.map((item) => (
            <MenuCard
              key={item.id}
              title={item.name}
              description={item.description}
              onClick={() => onChoose({ kind: 'item', item })}
              testId={`menu-item-${item.id}`}
              tags={(item.proxyHandling || item.elderlyCare) && (
                <Flex gap={4} wrap>
                  {item.elderlyCare && <Tag color="red">{t('requests.public.tag.elderly')}</Tag>}
                  {item.proxyHandling && <Tag color="blue">{t('requests.public.tag.proxy')}</Tag>}
                </Flex>
              )}
            />
          ))}
        </Flex>
      ))}
      {location.freeTextAllowed && (
        <Flex vertical gap={8}>
          <Typography.Text type="secondary" style={{ fontSize: 14 }}>{t('requests.public.otherGroup')}</Typography.Text>
          <MenuCard title={t('requests.public.other')} description={t('requests.public.otherHint')} onClick={() => onChoose({ kind: 'free' })} testId="menu-other" />
        </Flex>
      )}
    </Flex>
  )
}

function SubmitForm({ location, choice, onBack, onDone }: { location: LocationView; choice: Choice; onBack: () => void; onDone: (r: SubmitResult) => void }) {
  const { t } = useI18n()
  const [form] = Form.useForm<FormValues>()
  const [tokens, setTokens] = useState<string[]>([])
  const [uploading, setUploading] = useState(false)
  const [anonymous, setAnonymous] = useState(false)
  const [sending, setSending] = useState(false)
  const [error, setError] = useState<ApiError | null>(null)
  // One key per submit; a retry of the same submit (lost answer, network error) sends it again.
  const key = useRef<string | null>(null)
  const item = choice.kind === 'item' ? choice.item : null
  const anonymousAllowed = item?.anonymousAllowed ?? false

  const submit = async (values: FormValues) => {
    setError(null)
    setSending(true)
    key.current ??= newIdempotencyKey()
    const phone = values.phone?.trim() ? normalizePhone(values.phone) : null
    const body: PublicSubmitInput = {
      locationCode: location.code,
      description: values.description.trim(),
      ...(item ? { itemId: item.id } : {}),
      ...(!item && values.title?.trim() ? { title: values.title.trim() } : {}),
      ...(values.address?.trim() ? { address: values.address.trim() } : {}),
      ...(tokens.length ? { photoTokens: tokens } : {}),
      ...(anonymous ? { anonymous: true } : { ...(phone ? { phone } : {}), ...(values.contactName?.trim() ? { contactName: values.contactName.trim() } : {}) }),
    }
    try {
      const result = await unwrap(api.POST('/api/public/requests', { body, headers: { 'Idempotency-Key': key.current } }))
      key.current = null
      onDone(result)
    } catch (err) {
      const apiError = err instanceof ApiError ? err : new ApiError(0, 'network_error', errorMessage(err))
      // A refused submit (4xx other than a rate limit) wrote nothing: the next try is a new submit.
      if (apiError.status >= 400 && apiError.status < 500 && apiError.status !== 429 && apiError.status !== 408) key.current = null
      setError(apiError)
    } finally {
      setSending(false)
    }
  }

  return (
    <Flex vertical gap={12}>
      <Button type="link" icon={<LeftOutlined />} onClick={onBack} style={{ alignSelf: 'flex-start', paddingInline: 0 }} data-testid="submit-back">
        {t('requests.public.backToMenu')}
      </Button>
      <Card styles={{ body: { padding: 16 } }}>
        <Typography.Text type="secondary" style={{ fontSize: 14 }}>{t('requests.public.youChose')}</Typography.Text>
        <Typography.Title level={4} style={{ margin: '4px 0 0' }} data-testid="submit-choice">
          {item ? item.name : t('requests.public.other')}
        </Typography.Title>
        {item?.description && <Typography.Paragraph type="secondary" style={{ margin: '6px 0 0', fontSize: 14 }}>{item.description}</Typography.Paragraph>}
      </Card>
      <Card styles={{ body: { padding: 16 } }}>
        <Form<FormValues> form={form} layout="vertical" size="large" onFinish={(v) => void submit(v)} requiredMark="optional" data-testid="submit-form">
          {!item && (
            <Form.Item name="title" label={t('requests.public.titleLabel')} rules={[{ max: 100 }]}>
              <Input placeholder={t('requests.public.titlePlaceholder')} maxLength={100} data-testid="submit-title" />
            </Form.Item>
          )}
          <Form.Item
            name="description"
            label={t('requests.public.description')}
            rules={[{ required: true, whitespace: true, message: t('requests.public.descriptionRequired') }, { max: 2000 }]}
          >
            <Input.TextArea rows={4} maxLength={2000} showCount placeholder={t('requests.public.descriptionPlaceholder')} data-testid="submit-description" />
          </Form.Item>
          <Form.Item name="address" label={t('requests.public.address')} rules={[{ max: 200 }]}>
            <Input placeholder={t('requests.public.addressPlaceholder')} maxLength={200} data-testid="submit-address" />
          </Form.Item>
          <Form.Item label={t('requests.public.photos')}>
            <PhotoPicker onChange={setTokens} onBusyChange={setUploading} large data-testid="submit-photos" />
          </Form.Item>
          {anonymousAllowed && (
            <Form.Item>
              <Checkbox checked={anonymous} onChange={(e) => setAnonymous(e.target.checked)} data-testid="submit-anonymous">
                {t('requests.public.anonymous')}
              </Checkbox>
            </Form.Item>
          )}
          {!anonymous && (
            <>
              <Form.Item name="contactName" label={t('requests.public.contactName')} rules={[{ max: 50 }]}>
                <Input maxLength={50} autoComplete="name" data-testid="submit-name" />
              </Form.Item>
              <Form.Item
                name="phone"
                label={t('requests.public.phone')}
                required={!anonymousAllowed}
                extra={anonymousAllowed ? t('requests.public.phoneOptional') : t('requests.public.phoneNeeded')}
                rules={[
                  { required: !anonymousAllowed, whitespace: true, message: t('requests.public.phoneRequired') },
                  { validator: (_r, v?: string) => (!v?.trim() || normalizePhone(v) ? Promise.resolve() : Promise.reject(new Error(t('requests.public.phoneInvalid')))) },
                ]}
              >
                <Input inputMode="tel" autoComplete="tel" maxLength={20} placeholder="138 0000 0000" data-testid="submit-phone" />
              </Form.Item>
            </>
          )}
          <Flex gap={8} align="flex-start" style={{ marginBottom: 16, color: '#595959', fontSize: 13 }} data-testid="privacy-note">
            <SafetyCertificateOutlined style={{ color: '#389e0d', marginTop: 3 }} />
            <span>{t('requests.public.privacy')}</span>
          </Flex>
          {error && (
            <Alert
              type={error.status === 429 ? 'warning' : 'error'}
              showIcon
              style={{ marginBottom: 12 }}
              title={error.status === 429 ? t('requests.public.rateLimited') : error.status === 0 ? t('requests.public.networkProblem') : t('requests.public.submitFailed')}
              description={error.message}
              data-testid="submit-error"
            />
          )}
          <Button type="primary" htmlType="submit" size="large" block loading={sending} disabled={uploading} style={{ height: 52, fontSize: 18 }} data-testid="submit-send">
            {uploading ? t('requests.public.waitPhotos') : error && (error.status === 0 || error.status >= 500) ? t('requests.public.retry') : t('requests.public.send')}
          </Button>
        </Form>
      </Card>
    </Flex>
  )
}

function Success({ result, onAnother }: { result: SubmitResult; onAnother: () => void }) {
  const { t, lang } = useI18n()
  const link = absoluteUrl(result.trackingUrl)
  const trackPath = new URL(link).pathname
  return (
    <Flex vertical gap={12} data-testid="submit-success">
      <Card styles={{ body: { padding: 20 } }}>
        <Flex vertical align="center" gap={8} style={{ textAlign: 'center' }}>
          <CheckCircleFilled style={{ fontSize: 52, color: '#52c41a' }} />
          <Typography.Title level={3} style={{ margin: 0 }}>{t('requests.public.successTitle')}</Typography.Title>
          <Typography.Text type="secondary" style={{ fontSize: 15 }}>{t('requests.public.successBody', { place: result.locationName })}</Typography.Text>
        </Flex>
      </Card>
      <Card title={t('requests.public.trackingCode')} styles={{ body: { padding: 16 } }}>
        <Flex vertical gap={12}>
          <Typography.Text
            copyable={{ text: result.trackingCode, tooltips: [t('requests.public.copy'), t('requests.public.copied')] }}
            style={{ fontFamily: 'ui-monospace, Menlo, Consolas, monospace', fontSize: 17, wordBreak: 'break-all' }}
            data-testid="tracking-code"
          >
            {result.trackingCode}
          </Typography.Text>
          <Typography.Text type="secondary" style={{ fontSize: 14 }}>{t('requests.public.trackingLink')}</Typography.Text>
          <Typography.Text copyable={{ text: link, tooltips: [t('requests.public.copyLink'), t('requests.public.copied')] }} style={{ wordBreak: 'break-all', fontSize: 14 }} data-testid="tracking-link">
            <a href={link}>{link}</a>
          </Typography.Text>
          <Alert type="info" showIcon title={t('requests.public.saveLink')} />
          {(result.responseDueAt || result.resolutionDueAt) && (
            <Flex vertical gap={4} style={{ fontSize: 15 }}>
              {result.responseDueAt && <span>{t('requests.public.respondBy', { time: friendlyTime(result.responseDueAt, lang) })}</span>}
              {result.resolutionDueAt && <span>{t('requests.public.resolveBy', { time: friendlyTime(result.resolutionDueAt, lang) })}</span>}
            </Flex>
          )}
        </Flex>
      </Card>
      <Link to={trackPath}>
        <Button type="primary" size="large" block style={{ height: 52, fontSize: 18 }} data-testid="go-track">{t('requests.public.viewProgress')}</Button>
      </Link>
      <Button size="large" block icon={<EditOutlined />} onClick={onAnother}>{t('requests.public.another')}</Button>
    </Flex>
  )
}

export default function SubmitPage() {
  const { code = '' } = useParams()
  const { t } = useI18n()
  const navigate = useNavigate()
  const [location, setLocation] = useState<LocationView | null>(null)
  const [error, setError] = useState<ApiError | null>(null)
  const [choice, setChoice] = useState<Choice | null>(null)
  const [result, setResult] = useState<SubmitResult | null>(null)

  const load = useCallback(() => {
    setError(null)
    unwrap(api.GET('/api/public/locations/{code}', { params: { path: { code } } })).then(setLocation, (err: unknown) =>
      setError(err instanceof ApiError ? err : new ApiError(0, 'network_error', errorMessage(err))),
    )
  }, [code])
  useEffect(load, [load])

  useEffect(() => {
    document.title = location ? `${location.name} · ${t('requests.public.brand')}` : t('requests.public.brand')
  }, [location, t])
  // Braces matter: newer browsers make scrollTo return a promise, which React would take for a cleanup.
  useEffect(() => {
    window.scrollTo(0, 0)
  }, [choice, result])

  if (error) {
    return (
      <PublicShell title={t('requests.public.brand')}>
        <Result
          status={error.status === 404 ? 'warning' : 'error'}
          title={error.status === 404 ? t('requests.public.unknownCode') : t('common.loadFailed')}
          subTitle={error.message}
          extra={error.status !== 404 && <Button type="primary" onClick={load}>{t('common.retry')}</Button>}
          data-testid="location-error"
        />
      </PublicShell>
    )
  }
  if (!location) {
    return (
      <PublicShell title={t('app.loading')}>
        <Card><Skeleton active /></Card>
      </PublicShell>
    )
  }

  const crumbs = location.breadcrumb.slice(1).join(' › ')
  const saved = savedCases()
  return (
    <PublicShell
      title={location.name}
      subtitle={
        <span data-testid="location-breadcrumb">
          {location.studio ? `${t('requests.public.studioAt', { unit: location.unitName })} · ` : ''}
          {crumbs || location.breadcrumb.join(' › ')}
        </span>
      }
    >
      {result ? (
        <Success result={result} onAnother={() => { setResult(null); setChoice(null) }} />
      ) : choice ? (
        <SubmitForm
          location={location}
          choice={choice}
          onBack={() => setChoice(null)}
          onDone={(r) => {
            saveCase({ code: r.trackingCode, title: r.title, at: r.submittedAt })
            setResult(r)
          }}
        />
      ) : (
        <Flex vertical gap={16}>
          <Card styles={{ body: { padding: 16 } }}>
            <Typography.Paragraph style={{ margin: 0, fontSize: 16 }}>{t('requests.public.intro')}</Typography.Paragraph>
          </Card>
          <Menu location={location} onChoose={setChoice} />
          {saved.length > 0 && (
            <Card size="small" title={t('requests.public.mine')}>
              <Flex vertical gap={6}>
                {saved.map((c) => (
                  // A free-text title is the start of the description: it wraps instead of running off a narrow screen.
                  <Button key={c.code} type="link" style={{ justifyContent: 'flex-start', paddingInline: 0, height: 'auto', whiteSpace: 'normal', textAlign: 'left' }} onClick={() => navigate(`/track/${c.code}`)}>
                    {c.title}
                  </Button>
                ))}
              </Flex>
            </Card>
          )}
        </Flex>
      )}
    </PublicShell>
  )
}
