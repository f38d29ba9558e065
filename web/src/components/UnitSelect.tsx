import { useRef, useState } from 'react'
import { Select, Typography } from 'antd'
import { api, unwrap, type UnitSummary } from '../api/client'
import { useI18n } from '../app/i18n'
import { useSearch } from './useSearch'

/** `null` is "the whole deployment" (a grant without a unit), offered only when `allowWhole`. */
export type UnitChoice = number | null

interface Props {
  value?: UnitChoice
  onChange?: (value: UnitChoice | undefined) => void
  allowWhole?: boolean
  placeholder?: string
  style?: React.CSSProperties
  'data-testid'?: string
}

const WHOLE = 'whole'

/** Picks a unit by typing part of its name or code (GET /api/units?q=); works inside antd Form.Item. */
export function UnitSelect({ value, onChange, allowWhole = false, placeholder, style, ...rest }: Props) {
  const { t, lang, unitTypeName } = useI18n()
  const [query, setQuery] = useState('')
  // Remember units we have shown, so the chosen one keeps its label when the search changes.
  const known = useRef(new Map<number, UnitSummary>())
  const { data, loading, error } = useSearch(async (q) => {
    const page = await unwrap(api.GET('/api/units', { params: { query: { q: q || undefined, pageSize: 30 } } }))
    for (const u of page.items) known.current.set(u.id, u)
    return page
  }, query, [], 250)
  const units = data?.items ?? []

  const label = (u: UnitSummary) => {
    const kind = `${unitTypeName(u.type)}${u.code ? ` · ${u.code}` : ''}`
    return lang === 'zh' ? `${u.name}（${kind}）` : `${u.name} (${kind})`
  }
  const options = [
    ...(allowWhole ? [{ value: WHOLE, label: t('unit.wholeDeployment') }] : []),
    ...units.map((u) => ({ value: String(u.id), label: label(u) })),
  ]
  const selected = value === null ? WHOLE : value === undefined ? undefined : String(value)
  if (typeof value === 'number' && !units.some((u) => u.id === value)) {
    const remembered = known.current.get(value)
    options.push({ value: String(value), label: remembered ? label(remembered) : `#${value}` })
  }

  return (
    <Select
      showSearch={{ filterOption: false, onSearch: setQuery }}
      value={selected}
      onChange={(v: string | undefined) => onChange?.(v === undefined ? undefined : v === WHOLE ? null : Number(v))}
      options={options}
      loading={loading}
      placeholder={placeholder ?? t('unit.searchPlaceholder')}
      notFoundContent={error ? <Typography.Text type="danger">{error}</Typography.Text> : t('unit.none')}
      style={{ minWidth: 200, ...style }}
      allowClear
      data-testid={rest['data-testid']}
    />
  )
}
