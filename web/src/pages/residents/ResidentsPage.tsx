import { useState } from 'react'
import { Button, Input, InputNumber, Select, Space, Tag, Typography } from 'antd'
import { PlusOutlined } from '@ant-design/icons'
import { Link, useNavigate, useSearchParams } from 'react-router-dom'
import { api, unwrap, type ApiQuery } from '../../api/client'
import { useAuth } from '../../app/auth'
import { formatTime, useI18n } from '../../app/i18n'
import { PageCard } from '../../components/PageCard'
import { DataTable, useUrlFilters, type DataColumn, type SortSpec } from '../../components/DataTable'
import { UnitSelect } from '../../components/UnitSelect'
import { ExportButton } from '../imports/ExportButton'
import {
  addressOf, exactLookup, GENDERS, genderKey, isGender, isPersonStatus, PERSON_STATUSES, relationKey, STATUS_COLORS, statusKey, tagName,
  type PersonView,
} from './model'
import { PersonFormDialog } from './PersonFormDialog'
import { usePersonTags } from './usePersonTags'

type ResidentQuery = ApiQuery<'/api/residents', 'get'>
type ResidentSort = NonNullable<ResidentQuery['sort']>
const FILTERS = ['q', 'unitId', 'tagId', 'gender', 'ageMin', 'ageMax', 'status'] as const
type Filters = Partial<Record<(typeof FILTERS)[number], string>> & { lookup?: string }

const SORTABLE = new Set(['name', 'age', 'createdAt', 'address'])
const positive = (v: string | undefined): number | undefined => {
  const n = Number(v)
  return v !== undefined && Number.isInteger(n) && n >= 0 ? n : undefined
}

function toSort(sort: SortSpec | null): ResidentSort | undefined {
  if (!sort || !SORTABLE.has(sort.field)) return undefined
  // The address sorts one way only (village → grid → compound → building → room).
  if (sort.field === 'address') return 'address'
  // Youngest first is the latest birth date first.
  if (sort.field === 'age') return sort.order === 'desc' ? 'birthDate' : '-birthDate'
  return (sort.order === 'desc' ? `-${sort.field}` : sort.field) as ResidentSort
}

/** The list's filters as the API takes them (also used by the server-side export). */
function toQuery(f: Filters): Omit<ResidentQuery, 'page' | 'pageSize' | 'sort'> {
  const status = f.status === 'all' ? 'all' : isPersonStatus(f.status) ? f.status : undefined
  return {
    q: f.q || undefined,
    ...exactLookup(f.lookup),
    unitId: positive(f.unitId) || undefined,
    tagId: positive(f.tagId) || undefined,
    gender: isGender(f.gender) ? f.gender : undefined,
    ageMin: positive(f.ageMin),
    ageMax: positive(f.ageMax),
    status,
  }
}

export default function ResidentsPage() {
  const { t, lang } = useI18n()
  const { can } = useAuth()
  const navigate = useNavigate()
  const [params] = useSearchParams()
  const [urlFilters, setFilters] = useUrlFilters(FILTERS)
  // The exact identity/phone lookup stays in memory: a clear number must not sit in the address bar or history.
  const [lookup, setLookup] = useState<string | undefined>(undefined)
  const filters: Filters = { ...urlFilters, lookup }
  const [creating, setCreating] = useState(false)
  const { tags } = usePersonTags(true)
  const unitId = positive(urlFilters.unitId)

  const columns: DataColumn<PersonView>[] = [
    {
      key: 'name',
      title: t('residents.name'),
      dataIndex: 'name',
      sorter: true,
      fixed: 'left',
      render: (name: string, row) => (
        <Link to={`/residents/${row.id}`} data-testid="resident-link">
          {name}
        </Link>
      ),
    },
    { key: 'gender', title: t('residents.gender'), dataIndex: 'gender', render: (g: PersonView['gender']) => (g ? t(genderKey(g)) : ''), exportValue: (r) => (r.gender ? t(genderKey(r.gender)) : null) },
    {
      key: 'age',
      title: t('residents.age'),
      dataIndex: 'age',
      sorter: true,
      render: (age: number | null, row) => (age === null ? '' : <span title={row.birthDate ?? ''}>{age}</span>),
    },
    {
      key: 'idNumberMasked',
      title: t('residents.idNumber'),
      dataIndex: 'idNumberMasked',
      render: (v: string | null) => (v ? <Typography.Text style={{ fontFamily: 'monospace' }}>{v}</Typography.Text> : ''),
    },
    { key: 'phoneMasked', title: t('residents.phone'), dataIndex: 'phoneMasked', render: (v: string | null) => (v ? <span style={{ fontFamily: 'monospace' }}>{v}</span> : '') },
    { key: 'address', title: t('residents.address'), dataIndex: 'address', sorter: true, sortDirections: ['ascend'], render: (_: string, row) => addressOf(row), exportValue: (r) => addressOf(r) },
    {
      key: 'tags',
      title: t('residents.tags'),
      dataIndex: 'tags',
      render: (list: PersonView['tags']) => list.map((tag) => <Tag key={tag.id} color="volcano" style={{ marginBlock: 2 }}>{tagName(tag, lang)}</Tag>),
      exportValue: (r) => r.tags.map((tag) => tagName(tag, lang)).join('、'),
    },
    {
      key: 'household',
      title: t('residents.household'),
      dataIndex: 'householdId',
      responsive: ['md'],
      render: (id: number | null, row) =>
        id === null ? <Typography.Text type="secondary">{t('residents.noHousehold')}</Typography.Text> : <Link to={`/households/${id}`}>{row.relation ? t(relationKey(row.relation)) : `#${id}`}</Link>,
    },
    { key: 'status', title: t('residents.status'), dataIndex: 'status', render: (s: PersonView['status']) => <Tag color={STATUS_COLORS[s]}>{t(statusKey(s))}</Tag>, exportValue: (r) => t(statusKey(r.status)) },
    { key: 'createdAt', title: t('residents.createdAt'), dataIndex: 'createdAt', sorter: true, responsive: ['xxl'], render: (v: string) => formatTime(v), exportValue: (r) => formatTime(r.createdAt, true) },
  ]

  const sortParam = params.get('sort')
  const exportSort = toSort(sortParam ? { field: sortParam.replace(/^-/, ''), order: sortParam.startsWith('-') ? 'desc' : 'asc' } : null)

  return (
    <PageCard title={t('residents.title')}>
      <DataTable<PersonView, Filters>
        columns={columns}
        rowKey="id"
        filters={filters}
        exportFileName={t('residents.title')}
        fetchPage={({ page, pageSize, sort, filters: f }) =>
          unwrap(api.GET('/api/residents', { params: { query: { page, pageSize, sort: toSort(sort), ...toQuery(f) } } }))
        }
        exportButton={
          <ExportButton
            fileName={t('residents.title')}
            unmaskable={can('residents.unmask')}
            run={(options) => api.GET('/api/exports/residents.xlsx', { params: { query: { ...toQuery(filters), sort: exportSort, ...options } }, parseAs: 'blob' })}
          />
        }
        toolbar={
          <>
            <Input.Search
              key={`q-${urlFilters.q ?? ''}`}
              defaultValue={urlFilters.q}
              placeholder={t('residents.searchName')}
              allowClear
              onSearch={(q) => setFilters({ q })}
              style={{ width: 170 }}
              data-testid="residents-search"
            />
            <Input.Search
              placeholder={t('residents.searchExact')}
              allowClear
              onSearch={(v) => setLookup(v.trim() || undefined)}
              style={{ width: 230 }}
              autoComplete="off"
              data-testid="residents-lookup"
            />
            <UnitSelect value={unitId} onChange={(v) => setFilters({ unitId: v ? String(v) : null })} placeholder={t('residents.filterUnit')} style={{ width: 220 }} data-testid="residents-unit" />
            <Select
              value={urlFilters.tagId}
              onChange={(v?: string) => setFilters({ tagId: v ?? null })}
              placeholder={t('residents.tags')}
              allowClear
              options={tags.map((tag) => ({ value: String(tag.id), label: tagName(tag, lang) }))}
              style={{ width: 130 }}
              popupMatchSelectWidth={false}
              data-testid="residents-tag"
            />
            <Select
              value={urlFilters.gender}
              onChange={(v?: string) => setFilters({ gender: v ?? null })}
              placeholder={t('residents.gender')}
              allowClear
              options={GENDERS.map((g) => ({ value: g, label: t(genderKey(g)) }))}
              style={{ width: 90 }}
            />
            <Space.Compact>
              <InputNumber
                key={`min-${urlFilters.ageMin ?? ''}`}
                min={0}
                max={150}
                precision={0}
                defaultValue={positive(urlFilters.ageMin)}
                placeholder={t('residents.ageMin')}
                onBlur={(e) => setFilters({ ageMin: e.target.value.trim() || null })}
                onPressEnter={(e) => setFilters({ ageMin: e.currentTarget.value.trim() || null })}
                style={{ width: 90 }}
                data-testid="residents-age-min"
              />
              <InputNumber
                key={`max-${urlFilters.ageMax ?? ''}`}
                min={0}
                max={150}
                precision={0}
                defaultValue={positive(urlFilters.ageMax)}
                placeholder={t('residents.ageMax')}
                onBlur={(e) => setFilters({ ageMax: e.target.value.trim() || null })}
                onPressEnter={(e) => setFilters({ ageMax: e.currentTarget.value.trim() || null })}
                style={{ width: 90 }}
                data-testid="residents-age-max"
              />
            </Space.Compact>
            <Select
              value={urlFilters.status ?? 'active'}
              onChange={(v: string) => setFilters({ status: v === 'active' ? null : v })}
              options={[...PERSON_STATUSES.map((s) => ({ value: s, label: t(statusKey(s)) })), { value: 'all', label: t('common.all') }]}
              style={{ width: 100 }}
              aria-label={t('residents.status')}
            />
          </>
        }
        extra={
          can('residents.manage') && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="resident-create">
              {t('residents.create')}
            </Button>
          )
        }
      />
      <PersonFormDialog
        key={creating ? 'open' : 'closed'}
        open={creating}
        person={null}
        onClose={() => setCreating(false)}
        onSaved={(saved) => {
          setCreating(false)
          void navigate(`/residents/${saved.id}`)
        }}
      />
    </PageCard>
  )
}
