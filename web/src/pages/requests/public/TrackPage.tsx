/**
 * /track/:trackingCode (the link the server hands out and staff copy; /t/ is its short alias) — the resident's own
 * case: where it stands in plain words, the deadlines, the public steps and notes, their photos,
 * and after resolution the three questions. Answering "not solved" reopens the case.
 */
import { useCallback, useEffect, useState } from 'react'
import { Alert, Button, Card, Descriptions, Flex, Image, Result, Skeleton, Steps, Tag, Timeline, Typography } from 'antd'
import { ReloadOutlined } from '@ant-design/icons'
import { useParams } from 'react-router-dom'
import { api, ApiError, errorMessage, unwrap } from '../../../api/client'
import { useI18n, type Translate } from '../../../app/i18n'
import { RatingForm } from '../RatingForm'
import { eventKey, friendlyTime, progressStep, satisfactionKeys, spanParts, type RatingInput, type ResidentCase } from '../model'
import { PublicShell } from './PublicShell'

function spanText(t: Translate, ms: number): string {
  const { days, hours, minutes } = spanParts(ms)
  if (days > 0) return t('requests.span.daysHours', { days, hours })
  if (hours > 0) return t('requests.span.hoursMinutes', { hours, minutes })
  return t('requests.span.minutes', { minutes: Math.max(1, minutes) })
}

/** One sentence that says where the case stands and what happens next. */
function StatusLine({ c }: { c: ResidentCase }) {
  const { t, lang } = useI18n()
  const now = Date.now()
  const pausedNote = [...c.timeline].reverse().find((e) => e.kind === 'paused')?.note
  let type: 'info' | 'success' | 'warning' = 'info'
  let title: string
  let detail: string | null = null
  if (c.status === 'merged') {
    title = t('requests.track.merged')
  } else if (c.paused) {
    type = 'warning'
    title = t('requests.track.paused')
    detail = pausedNote ?? null
  } else if (c.status === 'submitted') {
    title = t('requests.track.waiting')
    if (c.responseDueAt) detail = t('requests.public.respondBy', { time: friendlyTime(c.responseDueAt, lang) })
  } else if (c.status === 'accepted' || c.status === 'dispatched' || c.status === 'in_progress') {
    title = t('requests.track.working', { unit: c.handlerName ?? '' })
    if (c.resolutionDueAt) {
      const left = Date.parse(c.resolutionDueAt) - now
      detail = left > 0
        ? t('requests.track.dueIn', { time: friendlyTime(c.resolutionDueAt, lang), left: spanText(t, left) })
        : t('requests.track.late', { time: friendlyTime(c.resolutionDueAt, lang) })
      if (left <= 0) type = 'warning'
    }
  } else if (c.status === 'resolved') {
    type = 'success'
    title = c.canRate ? t('requests.track.resolvedRate') : t('requests.track.resolved')
  } else {
    type = 'success'
    title = t('requests.track.done')
  }
  return <Alert type={type} showIcon title={<span style={{ fontSize: 16 }}>{title}</span>} description={detail} data-testid="track-status" />
}

export default function TrackPage() {
  const { trackingCode = '' } = useParams()
  const { t, lang } = useI18n()
  const [data, setData] = useState<ResidentCase | null>(null)
  const [error, setError] = useState<ApiError | null>(null)
  const [loading, setLoading] = useState(false)
  const [rated, setRated] = useState<'reopened' | 'thanks' | null>(null)
  const [rateError, setRateError] = useState<string | null>(null)

  const load = useCallback(() => {
    setLoading(true)
    unwrap(api.GET('/api/public/requests/{trackingCode}', { params: { path: { trackingCode } } })).then(
      (c) => {
        setData(c)
        setError(null)
        setLoading(false)
      },
      (err: unknown) => {
        setError(err instanceof ApiError ? err : new ApiError(0, 'network_error', errorMessage(err)))
        setLoading(false)
      },
    )
  }, [trackingCode])
  useEffect(load, [load])
  useEffect(() => {
    document.title = data ? `${data.title} · ${t('requests.public.brand')}` : t('requests.public.brand')
  }, [data, t])

  const rate = async (answer: RatingInput) => {
    try {
      const next = await unwrap(api.POST('/api/public/requests/{trackingCode}/rating', { params: { path: { trackingCode } }, body: answer }))
      setData(next)
      setRateError(null)
      setRated(answer.solved ? 'thanks' : 'reopened')
      window.scrollTo(0, 0)
    } catch (err) {
      setRated(null)
      // Shown above the form; the answers stay so the resident can send again.
      setRateError(errorMessage(err))
    }
  }

  if (error && !data) {
    return (
      <PublicShell title={t('requests.track.title')}>
        <Result
          status={error.status === 404 ? 'warning' : 'error'}
          title={error.status === 404 ? t('requests.track.notFound') : t('common.loadFailed')}
          // The API's not-found text speaks to staff ("not in your area"); a resident holds a code they may have mistyped.
          subTitle={error.status === 404 ? t('requests.track.notFoundHint') : error.message}
          extra={error.status !== 404 && <Button type="primary" onClick={load}>{t('common.retry')}</Button>}
          data-testid="track-error"
        />
      </PublicShell>
    )
  }
  if (!data) {
    return (
      <PublicShell title={t('requests.track.title')}>
        <Card><Skeleton active /></Card>
      </PublicShell>
    )
  }

  const step = progressStep(data.status)
  const stepTitles = [t('requests.track.step.submitted'), t('requests.track.step.accepted'), t('requests.track.step.working'), t('requests.track.step.resolved'), t('requests.track.step.rated')]
  const events = [...data.timeline].reverse()
  return (
    <PublicShell title={data.title} subtitle={[data.locationName, data.address].filter(Boolean).join(' · ')}>
      <Flex vertical gap={12}>
        {rated === 'reopened' && <Alert type="warning" showIcon title={t('requests.track.reopenedNotice')} data-testid="track-reopened" />}
        <Card styles={{ body: { padding: 16 } }}>
          <Flex vertical gap={16}>
            {data.status !== 'merged' && (
              <Steps
                size="small"
                titlePlacement="vertical"
                current={step}
                status={data.paused ? 'wait' : step === 4 || data.status === 'resolved' ? 'finish' : 'process'}
                items={stepTitles.map((title) => ({ title }))}
                responsive={false}
                data-testid="track-steps"
                data-step={step}
              />
            )}
            <StatusLine c={data} />
            <Flex justify="flex-end">
              <Button size="small" icon={<ReloadOutlined />} loading={loading} onClick={load}>{t('requests.track.refresh')}</Button>
            </Flex>
          </Flex>
        </Card>

        {data.canRate && (
          <Card title={t('requests.track.rateTitle')} styles={{ body: { padding: 16 } }} data-testid="track-rate">
            <Typography.Paragraph type="secondary" style={{ fontSize: 15 }}>{t('requests.track.rateIntro')}</Typography.Paragraph>
            {rateError && <Alert type="error" showIcon title={rateError} style={{ marginBottom: 12 }} data-testid="rate-error" />}
            <RatingForm large onSubmit={rate} reopenHint={t('requests.track.reopenHint')} />
          </Card>
        )}
        {data.rating && !data.canRate && (
          <Card title={t('requests.track.yourRating')} styles={{ body: { padding: 16 } }} data-testid="track-rating">
            <Flex vertical gap={6} style={{ fontSize: 15 }}>
              <span>{`${t('requests.rating.contacted')} ${data.rating.contacted ? t('requests.rating.contactedYes') : t('requests.rating.contactedNo')}`}</span>
              <span>{`${t('requests.rating.solved')} ${data.rating.solved ? t('requests.rating.solvedYes') : t('requests.rating.solvedNo')}`}</span>
              <span>
                {`${t('requests.rating.satisfaction')} `}
                <Tag color={data.rating.satisfaction === 'dissatisfied' ? 'red' : 'green'}>{t(satisfactionKeys[data.rating.satisfaction])}</Tag>
              </span>
              {data.rating.comment && <Typography.Text type="secondary">{data.rating.comment}</Typography.Text>}
              <Typography.Text type="secondary" style={{ fontSize: 13 }}>{friendlyTime(data.rating.at, lang)}</Typography.Text>
            </Flex>
          </Card>
        )}

        <Card title={t('requests.track.details')} styles={{ body: { padding: 16 } }}>
          <Descriptions
            column={1}
            size="small"
            items={[
              { key: 'handler', label: t('requests.track.handler'), children: data.handlerName ?? '—' },
              { key: 'submitted', label: t('requests.track.submittedAt'), children: friendlyTime(data.submittedAt, lang) },
              ...(data.responseDueAt ? [{ key: 'response', label: t('requests.track.responseDue'), children: data.acceptedAt ? t('requests.track.respondedAt', { time: friendlyTime(data.acceptedAt, lang) }) : friendlyTime(data.responseDueAt, lang) }] : []),
              ...(data.resolutionDueAt ? [{ key: 'resolution', label: t('requests.track.resolutionDue'), children: data.resolvedAt ? t('requests.track.resolvedAt', { time: friendlyTime(data.resolvedAt, lang) }) : friendlyTime(data.resolutionDueAt, lang) }] : []),
              ...(data.phoneMasked ? [{ key: 'phone', label: t('requests.track.phone'), children: data.phoneMasked }] : []),
            ]}
          />
          <Typography.Paragraph style={{ marginTop: 12, marginBottom: 0, whiteSpace: 'pre-wrap', fontSize: 15 }} data-testid="track-description">{data.description}</Typography.Paragraph>
          {data.photos.length > 0 && (
            <Image.PreviewGroup>
              <Flex wrap gap={8} style={{ marginTop: 12 }} data-testid="track-photos">
                {data.photos.map((p) => (
                  <Image key={p.id} src={p.url} width={88} height={88} style={{ objectFit: 'cover', borderRadius: 8 }} alt="" />
                ))}
              </Flex>
            </Image.PreviewGroup>
          )}
        </Card>

        <Card title={t('requests.track.timeline')} styles={{ body: { padding: '16px 16px 0' } }}>
          <Timeline
            items={events.map((e, i) => {
              const key = eventKey(e.kind)
              return {
                key: `${e.at}-${i}`,
                color: e.kind === 'reopened' ? 'red' : e.kind === 'resolved' || e.kind === 'rated' ? 'green' : 'blue',
                content: (
                  <Flex vertical gap={2} data-testid="track-event" data-kind={e.kind}>
                    <Typography.Text strong>{key ? t(key) : e.kind}{e.unitName ? ` · ${e.unitName}` : ''}</Typography.Text>
                    <Typography.Text type="secondary" style={{ fontSize: 13 }}>{friendlyTime(e.at, lang)}</Typography.Text>
                    {e.note && <Typography.Text style={{ whiteSpace: 'pre-wrap' }}>{e.note}</Typography.Text>}
                  </Flex>
                ),
              }
            })}
          />
        </Card>
        <Typography.Text type="secondary" style={{ fontSize: 13, textAlign: 'center' }}>{t('requests.track.keepLink')}</Typography.Text>
      </Flex>
    </PublicShell>
  )
}
