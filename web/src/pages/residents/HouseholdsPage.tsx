import { useState } from 'react'
import { Button, Input, Select, Tag, Typography } from 'antd'
import { PlusOutlined } from '@ant-design/icons'
import { Link, useNavigate } from 'react-router-dom'
import { api, unwrap } from '../../api/client'
import { useAuth } from '../../app/auth'
import { formatTime, useI18n } from '../../app/i18n'
import { PageCard } from '../../components/PageCard'
import { DataTable, useUrlFilters, type DataColumn } from '../../components/DataTable'
import { UnitSelect } from '../../components/UnitSelect'
import { CreateHouseholdDialog } from './HouseholdDialogs'
import { addressOf, HOUSEHOLD_STATUSES, householdStatusKey, isHouseholdStatus, type HouseholdView } from './model'

const FILTERS = ['q', 'unitId', 'status'] as const

export default function HouseholdsPage() {
  const { t } = useI18n()
  const { can } = useAuth()
  const navigate = useNavigate()
  const [filters, setFilters] = useUrlFilters(FILTERS)
  const [creating, setCreating] = useState(false)
  const unitId = Number(filters.unitId) || undefined

  const columns: DataColumn<HouseholdView>[] = [
    { key: 'id', title: t('residents.household.number'), dataIndex: 'id', render: (id: number) => <Link to={`/households/${id}`} data-testid="household-link">#{id}</Link> },
    { key: 'address', title: t('residents.address'), dataIndex: 'address', render: (_: string, row) => addressOf(row), exportValue: (row) => addressOf(row) },
    {
      key: 'head',
      title: t('residents.household.head'),
      dataIndex: 'headName',
      render: (name: string | null, row) =>
        name && row.headPersonId ? <Link to={`/residents/${row.headPersonId}`}>{name}</Link> : <Typography.Text type="secondary">{t('residents.household.noHead')}</Typography.Text>,
    },
    { key: 'memberCount', title: t('residents.household.memberCount'), dataIndex: 'memberCount', align: 'right' },
    {
      key: 'status',
      title: t('residents.status'),
      dataIndex: 'status',
      render: (s: HouseholdView['status']) => <Tag color={s === 'active' ? 'green' : 'default'}>{t(householdStatusKey(s))}</Tag>,
      exportValue: (row) => t(householdStatusKey(row.status)),
    },
    { key: 'createdAt', title: t('residents.createdAt'), dataIndex: 'createdAt', responsive: ['lg'], render: (v: string) => formatTime(v), exportValue: (row) => formatTime(row.createdAt, true) },
  ]

  return (
    <PageCard title={t('residents.households.title')}>
      <DataTable<HouseholdView, typeof filters>
        columns={columns}
        rowKey="id"
        filters={filters}
        exportFileName={t('residents.households.title')}
        fetchPage={({ page, pageSize, filters: f }) =>
          unwrap(
            api.GET('/api/households', {
              params: {
                query: {
                  page, pageSize, q: f.q || undefined, unitId: Number(f.unitId) || undefined,
                  status: f.status === 'all' ? 'all' : isHouseholdStatus(f.status) ? f.status : undefined,
                },
              },
            }),
          )
        }
        toolbar={
          <>
            <Input.Search
              key={`q-${filters.q ?? ''}`}
              defaultValue={filters.q}
              placeholder={t('residents.households.search')}
              allowClear
              onSearch={(q) => setFilters({ q })}
              style={{ width: 200 }}
              data-testid="households-search"
            />
            <UnitSelect value={unitId} onChange={(v) => setFilters({ unitId: v ? String(v) : null })} placeholder={t('residents.filterUnit')} style={{ width: 220 }} />
            <Select
              value={filters.status ?? 'active'}
              onChange={(v: string) => setFilters({ status: v === 'active' ? null : v })}
              options={[...HOUSEHOLD_STATUSES.map((s) => ({ value: s, label: t(householdStatusKey(s)) })), { value: 'all', label: t('common.all') }]}
              style={{ width: 100 }}
              aria-label={t('residents.status')}
            />
          </>
        }
        extra={
          can('residents.manage') && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="household-create">
              {t('residents.household.create')}
            </Button>
          )
        }
      />
      <CreateHouseholdDialog
        key={creating ? 'open' : 'closed'}
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(h) => {
          setCreating(false)
          void navigate(`/households/${h.id}`)
        }}
      />
    </PageCard>
  )
}
