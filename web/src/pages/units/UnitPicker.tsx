import { useEffect, useRef, useState } from 'react'
import { Flex, Select, Tag, Typography } from 'antd'
import { api, errorMessage, unwrap } from '../../api/client'
import { useI18n } from '../../app/i18n'
import { UnitTypeTag, unitPathText } from './meta'
import type { UnitListItem, UnitType } from './types'

interface Props {
  value?: number | null
  onChange?: (value: number | undefined, unit: UnitListItem | undefined) => void
  /** Only units of these types (one type is filtered by the server, several in the page). */
  types?: UnitType[]
  /** Archived units too (default: active only). */
  status?: 'active' | 'all'
  placeholder?: string
  style?: React.CSSProperties
  disabled?: boolean
  'data-testid'?: string
}

/**
 * Picks an active unit by part of its name or code; each option shows the type and the path from the
 * top (姜楼镇 / 陈店新村 / 网格), so two units of the same name can be told apart. Works in a Form.Item.
 */
export function UnitPicker({ value, onChange, types, status = 'active', placeholder, style, disabled, ...rest }: Props) {
  const { t } = useI18n()
  const [query, setQuery] = useState('')
  const [units, setUnits] = useState<UnitListItem[]>([])
  const [loading, setLoading] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const known = useRef(new Map<number, UnitListItem>())
  const typeKey = (types ?? []).join(',')

  useEffect(() => {
    let current = true
    setLoading(true)
    const wanted = typeKey ? (typeKey.split(',') as UnitType[]) : []
    const timer = window.setTimeout(() => {
      const type = wanted.length === 1 ? wanted[0] : undefined
      unwrap(api.GET('/api/units', { params: { query: { q: query.trim() || undefined, type, status, pageSize: wanted.length > 1 ? 100 : 30 } } })).then(
        (page) => {
          if (!current) return
          const items = wanted.length > 1 ? page.items.filter((u) => wanted.includes(u.type)) : page.items
          for (const u of items) known.current.set(u.id, u)
          setUnits(items)
          setError(null)
          setLoading(false)
        },
        (err: unknown) => {
          if (!current) return
          setError(errorMessage(err))
          setLoading(false)
        },
      )
    }, 250)
    return () => {
      current = false
      window.clearTimeout(timer)
    }
  }, [query, typeKey, status])

  // A value set from outside (a preselected unit) gets its name even if no search has shown it.
  const [, setResolved] = useState(0)
  useEffect(() => {
    if (typeof value !== 'number' || known.current.has(value)) return
    let current = true
    Promise.all([
      unwrap(api.GET('/api/units/{id}', { params: { path: { id: value } } })),
      unwrap(api.GET('/api/units/{id}/ancestors', { params: { path: { id: value } } })),
    ]).then(
      ([unit, ancestors]) => {
        if (!current) return
        known.current.set(value, { ...unit, ancestorNames: ancestors.items.slice(0, -1).map((a) => a.name) })
        setResolved((n) => n + 1)
      },
      () => undefined,
    )
    return () => {
      current = false
    }
  }, [value])

  const option = (u: UnitListItem) => ({
    value: u.id,
    title: unitPathText(u.ancestorNames, u.name),
    label: (
      <Flex gap={6} align="center" style={{ minWidth: 0 }}>
        <UnitTypeTag type={u.type} />
        <span style={{ overflow: 'hidden', textOverflow: 'ellipsis' }}>{u.name}</span>
        {u.status === 'archived' && <Tag style={{ marginInlineEnd: 0 }}>{t('units.archived')}</Tag>}
        {u.ancestorNames.length > 0 && (
          <Typography.Text type="secondary" ellipsis style={{ fontSize: 12 }}>
            {u.ancestorNames.slice(-2).join(' / ')}
          </Typography.Text>
        )}
      </Flex>
    ),
  })
  const options = units.map(option)
  if (typeof value === 'number' && !units.some((u) => u.id === value)) {
    const remembered = known.current.get(value)
    options.push(remembered ? option(remembered) : { value, title: `#${value}`, label: <span>#{value}</span> })
  }

  return (
    <Select<number>
      showSearch={{ filterOption: false, onSearch: setQuery }}
      value={value ?? undefined}
      onChange={(v?: number) => onChange?.(v, v === undefined ? undefined : known.current.get(v))}
      options={options}
      optionLabelProp="label"
      loading={loading}
      disabled={disabled}
      placeholder={placeholder ?? t('unit.searchPlaceholder')}
      notFoundContent={error ? <Typography.Text type="danger">{error}</Typography.Text> : t('unit.none')}
      style={{ minWidth: 220, ...style }}
      popupMatchSelectWidth={false}
      allowClear
      data-testid={rest['data-testid']}
    />
  )
}
