/** 党代表工作室: the representatives' studios with their reception hours; open, edit or close them. */
import { useState } from 'react'
import { Button, Input, Select, Tag } from 'antd'
import { PlusOutlined } from '@ant-design/icons'
import { Link } from 'react-router-dom'
import { api, unwrap } from '../../api/client'
import { useAuth } from '../../app/auth'
import { useI18n } from '../../app/i18n'
import { DataTable, useUrlFilters, type DataColumn } from '../../components/DataTable'
import { PageCard } from '../../components/PageCard'
import { UnitPicker } from '../units/UnitPicker'
import type { StudioQuery, StudioView } from './meta'
import { StudioDialog } from './StudioDialog'

const FILTERS = ['q', 'status', 'unitId'] as const

export default function StudiosPage() {
  const { t } = useI18n()
  const { can } = useAuth()
  const [filters, setFilters] = useUrlFilters(FILTERS)
  const [reloadKey, setReloadKey] = useState(0)
  const [dialog, setDialog] = useState<{ studio: StudioView | null } | null>(null)
  const manage = can('party.manage')
  const unitId = Number(filters.unitId)

  const columns: DataColumn<StudioView>[] = [
    { key: 'name', title: t('party.studio.name'), dataIndex: 'name' },
    { key: 'representative', title: t('party.studio.representative'), dataIndex: 'representativeName', render: (v: string, r) => <Link to={`/party/members/${r.memberId}`}>{v}</Link> },
    { key: 'unit', title: t('party.studio.unit'), dataIndex: 'unitName' },
    { key: 'hours', title: t('party.studio.hours'), dataIndex: 'receptionHours' },
    { key: 'specialty', title: t('party.studio.specialty'), dataIndex: 'specialty', responsive: ['lg'] },
    { key: 'address', title: t('party.studio.address'), dataIndex: 'address', responsive: ['lg'] },
    {
      key: 'status',
      title: t('party.studio.status'),
      dataIndex: 'status',
      render: (s: StudioView['status']) => <Tag color={s === 'active' ? 'green' : 'default'}>{t(`party.studio.status.${s}`)}</Tag>,
      exportValue: (r) => t(`party.studio.status.${r.status}`),
    },
  ]
  if (manage) {
    columns.push({
      key: 'actions',
      title: t('common.actions'),
      noExport: true,
      render: (_: unknown, r) => (
        <Button type="link" size="small" onClick={() => setDialog({ studio: r })}>
          {t('party.studio.edit')}
        </Button>
      ),
    })
  }

  return (
    <PageCard title={t('party.studio.pageTitle')}>
      <DataTable<StudioView, typeof filters>
        columns={columns}
        rowKey="id"
        filters={filters}
        reloadKey={reloadKey}
        exportFileName={t('party.studio.pageTitle')}
        fetchPage={({ page, pageSize, filters: f }) => {
          const id = Number(f.unitId)
          const status = f.status === 'active' || f.status === 'closed' || f.status === 'all' ? f.status : undefined
          const query: StudioQuery = { page, pageSize, q: f.q, status, unitId: Number.isInteger(id) && id > 0 ? id : undefined }
          return unwrap(api.GET('/api/party/studios', { params: { query } }))
        }}
        toolbar={
          <>
            <Input.Search key={filters.q ?? ''} defaultValue={filters.q} placeholder={t('party.studio.search')} allowClear onSearch={(q) => setFilters({ q })} style={{ width: 200 }} />
            <Select
              value={filters.status}
              onChange={(s?: string) => setFilters({ status: s ?? null })}
              placeholder={t('party.studio.status')}
              allowClear
              options={[
                { value: 'active', label: t('party.studio.status.active') },
                { value: 'closed', label: t('party.studio.status.closed') },
                { value: 'all', label: t('common.all') },
              ]}
              style={{ width: 120 }}
            />
            <UnitPicker value={Number.isInteger(unitId) && unitId > 0 ? unitId : null} onChange={(id) => setFilters({ unitId: id === undefined ? null : String(id) })} style={{ width: 220 }} />
          </>
        }
        extra={
          manage && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setDialog({ studio: null })}>
              {t('party.studio.create')}
            </Button>
          )
        }
      />
      <StudioDialog
        open={dialog !== null}
        studio={dialog?.studio ?? null}
        onClose={() => setDialog(null)}
        onSaved={() => {
          setDialog(null)
          setReloadKey((n) => n + 1)
        }}
      />
    </PageCard>
  )
}
