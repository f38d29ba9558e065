/** Search-as-you-type pickers for people, party organizations and members; each works inside a Form.Item. */
import { useEffect, useRef, useState, type ReactNode } from 'react'
import { Flex, Select, Typography } from 'antd'
import { api, errorMessage, unwrap, type ApiResult } from '../../api/client'
import { useI18n } from '../../app/i18n'
import { OrgKindTag, type MemberView, type OrgKind, type OrgView } from './meta'

type PersonView = ApiResult<'/api/residents', 'get'>['items'][number]

interface SearchSelectProps<T> {
  value?: number | null
  onChange?: (value: number | undefined, item: T | undefined) => void
  placeholder?: string
  style?: React.CSSProperties
  disabled?: boolean
  'data-testid'?: string
  search: (q: string) => Promise<T[]>
  /** Loads one item by id, for a value set before any search showed it. */
  fetchOne?: (id: number) => Promise<T>
  idOf: (item: T) => number
  render: (item: T) => ReactNode
  text: (item: T) => string
  /** Changes when the search itself changes (a filter), so it runs again. */
  searchKey?: string
}

function SearchSelect<T>({ value, onChange, placeholder, style, disabled, search, fetchOne, idOf, render, text, searchKey = '', ...rest }: SearchSelectProps<T>) {
  const { t } = useI18n()
  const [query, setQuery] = useState('')
  const [items, setItems] = useState<T[]>([])
  const [loading, setLoading] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const known = useRef(new Map<number, T>())
  const [, setResolved] = useState(0)
  const searchRef = useRef(search)
  searchRef.current = search
  const fetchRef = useRef(fetchOne)
  fetchRef.current = fetchOne

  useEffect(() => {
    let current = true
    setLoading(true)
    const timer = window.setTimeout(() => {
      searchRef.current(query.trim()).then(
        (found) => {
          if (!current) return
          for (const item of found) known.current.set(idOf(item), item)
          setItems(found)
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
    // idOf is a pure accessor; the search runs again when the query or the filter changes.
  }, [query, searchKey])

  useEffect(() => {
    if (typeof value !== 'number' || known.current.has(value) || !fetchRef.current) return
    let current = true
    fetchRef.current(value).then(
      (item) => {
        if (!current) return
        known.current.set(value, item)
        setResolved((n) => n + 1)
      },
      () => undefined,
    )
    return () => {
      current = false
    }
  }, [value])

  const options = items.map((item) => ({ value: idOf(item), label: render(item), title: text(item) }))
  if (typeof value === 'number' && !items.some((i) => idOf(i) === value)) {
    const remembered = known.current.get(value)
    options.push({ value, label: remembered ? render(remembered) : `#${value}`, title: remembered ? text(remembered) : `#${value}` })
  }
  return (
    <Select<number>
      showSearch={{ filterOption: false, onSearch: setQuery }}
      value={value ?? undefined}
      onChange={(v?: number) => onChange?.(v, v === undefined ? undefined : known.current.get(v))}
      options={options}
      loading={loading}
      disabled={disabled}
      placeholder={placeholder}
      notFoundContent={error ? <Typography.Text type="danger">{error}</Typography.Text> : t('party.picker.none')}
      style={{ minWidth: 220, ...style }}
      popupMatchSelectWidth={false}
      allowClear
      data-testid={rest['data-testid']}
    />
  )
}

type PickerProps<T> = Omit<SearchSelectProps<T>, 'search' | 'idOf' | 'render' | 'text' | 'fetchOne' | 'searchKey'>

/** A resident by name; identity and phone numbers are shown masked, with the address, to tell namesakes apart. */
export function PersonSelect(props: PickerProps<PersonView>) {
  const { t } = useI18n()
  return (
    <SearchSelect<PersonView>
      {...props}
      placeholder={props.placeholder ?? t('party.picker.person')}
      search={async (q) => (await unwrap(api.GET('/api/residents', { params: { query: { q: q || undefined, pageSize: 20 } } }))).items}
      fetchOne={(id) => unwrap(api.GET('/api/residents/{id}', { params: { path: { id } } }))}
      idOf={(p) => p.id}
      text={(p) => p.name}
      render={(p) => (
        <Flex gap={6} align="baseline" style={{ minWidth: 0 }}>
          <span>{p.name}</span>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {[p.idNumberMasked, p.phoneMasked].filter(Boolean).join(' · ')}
          </Typography.Text>
          <Typography.Text type="secondary" ellipsis style={{ fontSize: 12, maxWidth: 260 }}>
            {p.address}
          </Typography.Text>
        </Flex>
      )}
    />
  )
}

/** A party organization by name, optionally only of some kinds (those that hold members, say). */
export function OrgSelect({ kinds, ...props }: PickerProps<OrgView> & { kinds?: readonly OrgKind[] }) {
  const { t, lang } = useI18n()
  const kindKey = (kinds ?? []).join(',')
  return (
    <SearchSelect<OrgView>
      {...props}
      searchKey={kindKey}
      placeholder={props.placeholder ?? t('party.picker.org')}
      search={async (q) => {
        const page = await unwrap(api.GET('/api/party/orgs', { params: { query: { q: q || undefined, pageSize: 50 } } }))
        return kinds ? page.items.filter((o) => kinds.includes(o.kind)) : page.items
      }}
      fetchOne={(id) => unwrap(api.GET('/api/party/orgs/{id}', { params: { path: { id } } }))}
      idOf={(o) => o.id}
      text={(o) => o.name}
      render={(o) => (
        <Flex gap={6} align="center" style={{ minWidth: 0 }}>
          <OrgKindTag kind={o.kind} lang={lang} />
          <span>{o.name}</span>
          <Typography.Text type="secondary" ellipsis style={{ fontSize: 12, maxWidth: 200 }}>
            {o.unitName}
          </Typography.Text>
        </Flex>
      )}
    />
  )
}

/** A member by name; `representatives` keeps to party representatives (for studios). */
export function MemberSelect({ representatives = false, ...props }: PickerProps<MemberView> & { representatives?: boolean }) {
  const { t } = useI18n()
  return (
    <SearchSelect<MemberView>
      {...props}
      searchKey={String(representatives)}
      placeholder={props.placeholder ?? t('party.picker.member')}
      search={async (q) =>
        (await unwrap(api.GET('/api/party/members', { params: { query: { q: q || undefined, isRepresentative: representatives || undefined, pageSize: 30 } } }))).items
      }
      fetchOne={(id) => unwrap(api.GET('/api/party/members/{id}', { params: { path: { id } } }))}
      idOf={(m) => m.id}
      text={(m) => m.name}
      render={(m) => (
        <Flex gap={6} align="baseline">
          <span>{m.name}</span>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {m.orgName}
          </Typography.Text>
        </Flex>
      )}
    />
  )
}
