import { useRef, useState } from 'react'
import { Select, Typography } from 'antd'
import { api, unwrap, type ApiResult } from '../../api/client'
import { useI18n, type MessageKey } from '../../app/i18n'
import { useSearch } from '../../components/useSearch'

type Targets = ApiResult<'/api/requests/{id}/handoff-targets', 'get'>
type Target = Targets['items'][number]

const reasonKeys: Record<NonNullable<Target['reason']>, MessageKey> = {
  route: 'requests.handoff.reason.route',
  property_company: 'requests.handoff.reason.property_company',
  community: 'requests.handoff.reason.community',
  subdistrict: 'requests.handoff.reason.subdistrict',
}

interface BaseProps {
  requestId: number
  /** co_unit: 协办 — the holding unit and every unit already on the case are left out. */
  kind: 'dispatch' | 'transfer' | 'co_unit'
  style?: React.CSSProperties
  'data-testid'?: string
}
interface SingleProps extends BaseProps {
  mode?: undefined
  value?: number
  onChange?: (value: number | undefined) => void
}
interface MultipleProps extends BaseProps {
  mode: 'multiple'
  value?: number[]
  onChange?: (value: number[]) => void
}
type Props = SingleProps | MultipleProps

/**
 * The unit a case is dispatched or transferred to, or the units that co-handle it (mode="multiple"):
 * any unit of the county that may take it (GET /api/requests/{id}/handoff-targets), the suggested
 * ones first in their own group, each with its breadcrumb ("铜城街道 / 吉祥苑社区") so units of the
 * same name are told apart. Chosen units keep their labels while the search shows other units.
 */
export function HandoffSelect(props: Props) {
  const { requestId, kind, style } = props
  const { t, lang, unitTypeName } = useI18n()
  const [query, setQuery] = useState('')
  const known = useRef(new Map<number, Target>())
  const { data, loading, error } = useSearch(async (q) => {
    const page = await unwrap(api.GET('/api/requests/{id}/handoff-targets', { params: { path: { id: requestId }, query: { kind, q: q || undefined, pageSize: 50 } } }))
    for (const u of [...page.suggested, ...page.items]) known.current.set(u.id, u)
    return page
  }, query, [requestId, kind], query ? 250 : 0)

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
  const chosen = props.mode === 'multiple' ? props.value ?? [] : props.value !== undefined ? [props.value] : []
  const unlisted = chosen.filter((id) => !suggested.some((u) => u.id === id) && !rest_.some((u) => u.id === id))
  if (unlisted.length > 0) {
    options.push({
      label: '', title: 'chosen',
      options: unlisted.map((id) => {
        const remembered = known.current.get(id)
        return { value: id, label: remembered ? label(remembered) : `#${id}` }
      }),
    })
  }

  return (
    <Select<number | number[] | undefined, (typeof options)[number]>
      showSearch={{ filterOption: false, onSearch: setQuery }}
      mode={props.mode}
      value={props.mode === 'multiple' ? props.value ?? [] : props.value}
      onChange={(v) => {
        if (props.mode === 'multiple') props.onChange?.(Array.isArray(v) ? v : [])
        else props.onChange?.(typeof v === 'number' ? v : undefined)
      }}
      onSelect={() => setQuery('')}
      options={options}
      loading={loading}
      placeholder={t('requests.handoff.placeholder')}
      notFoundContent={error ? <Typography.Text type="danger">{error}</Typography.Text> : t('unit.none')}
      style={{ minWidth: 200, ...style }}
      allowClear
      data-testid={props['data-testid']}
    />
  )
}
