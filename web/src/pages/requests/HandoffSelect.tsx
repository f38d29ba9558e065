import { useEffect, useRef, useState } from 'react'
import { Select, Typography } from 'antd'
import { api, errorMessage, unwrap, type ApiResult } from '../../api/client'
import { useI18n, type MessageKey } from '../../app/i18n'

type Targets = ApiResult<'/api/requests/{id}/handoff-targets', 'get'>
type Target = Targets['items'][number]

const reasonKeys: Record<NonNullable<Target['reason']>, MessageKey> = {
  route: 'requests.handoff.reason.route',
  property_company: 'requests.handoff.reason.property_company',
  community: 'requests.handoff.reason.community',
  subdistrict: 'requests.handoff.reason.subdistrict',
}

interface Props {
  requestId: number
  kind: 'dispatch' | 'transfer'
  value?: number
  onChange?: (value: number | undefined) => void
  style?: React.CSSProperties
  'data-testid'?: string
}

/**
 * The unit a case is dispatched or transferred to: any unit of the county that may take it
 * (GET /api/requests/{id}/handoff-targets), the suggested ones first in their own group, each with
 * its breadcrumb ("铜城街道 / 吉祥苑社区") so units of the same name are told apart.
 */
export function HandoffSelect({ requestId, kind, value, onChange, style, ...rest }: Props) {
  const { t, lang, unitTypeName } = useI18n()
  const [query, setQuery] = useState('')
  const [data, setData] = useState<Targets | null>(null)
  const [loading, setLoading] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const known = useRef(new Map<number, Target>())

  useEffect(() => {
    let current = true
    setLoading(true)
    const timer = window.setTimeout(() => {
      unwrap(api.GET('/api/requests/{id}/handoff-targets', { params: { path: { id: requestId }, query: { kind, q: query.trim() || undefined, pageSize: 50 } } })).then(
        (page) => {
          if (!current) return
          for (const u of [...page.suggested, ...page.items]) known.current.set(u.id, u)
          setData(page)
          setError(null)
          setLoading(false)
        },
        (err: unknown) => {
          if (!current) return
          setError(errorMessage(err))
          setLoading(false)
        },
      )
    }, query ? 250 : 0)
    return () => {
      current = false
      window.clearTimeout(timer)
    }
  }, [requestId, kind, query])

  const label = (u: Target) => {
    const trail = u.pathNames.length > 1 ? u.pathNames.join(' / ') : u.name
    const kindText = `${unitTypeName(u.type)}${u.code ? ` · ${u.code}` : ''}${u.reason ? ` · ${t(reasonKeys[u.reason])}` : ''}`
    return lang === 'zh' ? `${trail}（${kindText}）` : `${trail} (${kindText})`
  }
  const suggested = data?.suggested ?? []
  const rest_ = (data?.items ?? []).filter((u) => !suggested.some((s) => s.id === u.id))
  const options: { label: React.ReactNode; title: string; options: { value: number; label: string; 'data-testid'?: string }[] }[] = []
  if (suggested.length > 0) {
    options.push({ label: t('requests.handoff.suggested'), title: 'suggested', options: suggested.map((u) => ({ value: u.id, label: label(u) })) })
  }
  if (rest_.length > 0) {
    const more = (data?.total ?? 0) - (data?.items.length ?? 0)
    options.push({
      label: more > 0 ? `${t('requests.handoff.all')} · ${t('requests.handoff.more', { n: more })}` : t('requests.handoff.all'),
      title: 'all', options: rest_.map((u) => ({ value: u.id, label: label(u) })),
    })
  }
  if (value !== undefined && !suggested.some((u) => u.id === value) && !rest_.some((u) => u.id === value)) {
    const remembered = known.current.get(value)
    options.push({ label: '', title: 'chosen', options: [{ value, label: remembered ? label(remembered) : `#${value}` }] })
  }

  return (
    <Select
      showSearch={{ filterOption: false, onSearch: setQuery }}
      value={value}
      onChange={(v: number | undefined) => onChange?.(v)}
      options={options}
      loading={loading}
      placeholder={t('requests.handoff.placeholder')}
      notFoundContent={error ? <Typography.Text type="danger">{error}</Typography.Text> : t('unit.none')}
      style={{ minWidth: 200, ...style }}
      allowClear
      data-testid={rest['data-testid']}
    />
  )
}
