/** 组织关系转接: transfers from or to the organizations in the caller's subtree; receive or cancel those in transit. */
import { useState } from 'react'
import { Button, Select, Space, Tag } from 'antd'
import { PlusOutlined } from '@ant-design/icons'
import { Link } from 'react-router-dom'
import { api, unwrap } from '../../api/client'
import { useAuth } from '../../app/auth'
import { formatTime, useI18n } from '../../app/i18n'
import { DataTable, useUrlFilters, type DataColumn } from '../../components/DataTable'
import { PageCard } from '../../components/PageCard'
import type { TransferQuery, TransferView } from './meta'
import { OrgSelect } from './pickers'
import { StartTransferDialog, TransferActionDialog } from './TransferDialogs'

const FILTERS = ['status', 'direction', 'orgId'] as const
const STATUSES = ['in_transit', 'received', 'cancelled'] as const
const DIRECTIONS = ['internal', 'outbound', 'inbound'] as const
type Status = (typeof STATUSES)[number]
type Direction = (typeof DIRECTIONS)[number]
const isStatus = (v: string | undefined): v is Status => (STATUSES as readonly (string | undefined)[]).includes(v)
const isDirection = (v: string | undefined): v is Direction => (DIRECTIONS as readonly (string | undefined)[]).includes(v)

export default function TransfersPage() {
  const { t } = useI18n()
  const { can } = useAuth()
  const [filters, setFilters] = useUrlFilters(FILTERS)
  const [reloadKey, setReloadKey] = useState(0)
  const [action, setAction] = useState<{ transfer: TransferView; action: 'receive' | 'cancel' } | null>(null)
  const [inbound, setInbound] = useState(false)
  const manage = can('party.manage')
  const orgId = Number(filters.orgId)

  const columns: DataColumn<TransferView>[] = [
    { key: 'name', title: t('party.member.name'), dataIndex: 'name', render: (name: string, r) => <Link to={`/party/members/${r.memberId}`}>{name}</Link> },
    { key: 'direction', title: t('party.transfer.direction'), dataIndex: 'direction', render: (d: Direction) => t(`party.direction.${d}`), exportValue: (r) => t(`party.direction.${r.direction}`) },
    { key: 'from', title: t('party.transfer.from'), dataIndex: 'fromOrgName', render: (_: unknown, r) => r.fromOrgName ?? r.externalOrgName ?? '—', exportValue: (r) => r.fromOrgName ?? r.externalOrgName ?? '' },
    { key: 'to', title: t('party.transfer.to'), dataIndex: 'toOrgName', render: (_: unknown, r) => r.toOrgName ?? r.externalOrgName ?? '—', exportValue: (r) => r.toOrgName ?? r.externalOrgName ?? '' },
    { key: 'letterNo', title: t('party.transfer.letterNo'), dataIndex: 'letterNo', responsive: ['lg'] },
    { key: 'issuedDate', title: t('party.transfer.issuedDate'), dataIndex: 'issuedDate' },
    { key: 'receivedDate', title: t('party.transfer.receivedDate'), dataIndex: 'receivedDate', render: (v: string | null) => v ?? '—' },
    {
      key: 'status',
      title: t('party.transfer.status'),
      dataIndex: 'status',
      render: (s: Status) => <Tag color={s === 'in_transit' ? 'processing' : s === 'received' ? 'success' : 'default'}>{t(`party.transferStatus.${s}`)}</Tag>,
      exportValue: (r) => t(`party.transferStatus.${r.status}`),
    },
    { key: 'note', title: t('party.step.note'), dataIndex: 'note', responsive: ['xl'] },
    { key: 'updatedAt', title: t('party.transfer.updatedAt'), dataIndex: 'updatedAt', render: (v: string) => formatTime(v), exportValue: (r) => formatTime(r.updatedAt, true), responsive: ['xl'] },
  ]
  if (manage) {
    columns.push({
      key: 'actions',
      title: t('common.actions'),
      noExport: true,
      render: (_: unknown, r) =>
        r.status === 'in_transit' ? (
          <Space size={0}>
            <Button type="link" size="small" onClick={() => setAction({ transfer: r, action: 'receive' })} data-testid={`transfer-receive-${r.id}`}>
              {t('party.transfer.receive')}
            </Button>
            <Button type="link" size="small" danger onClick={() => setAction({ transfer: r, action: 'cancel' })}>
              {t('party.transfer.cancel')}
            </Button>
          </Space>
        ) : null,
    })
  }

  return (
    <PageCard title={t('party.transfer.pageTitle')}>
      <DataTable<TransferView, typeof filters>
        columns={columns}
        rowKey="id"
        filters={filters}
        reloadKey={reloadKey}
        exportFileName={t('party.transfer.pageTitle')}
        fetchPage={({ page, pageSize, filters: f }) => {
          const id = Number(f.orgId)
          const query: TransferQuery = {
            page,
            pageSize,
            status: isStatus(f.status) ? f.status : undefined,
            direction: isDirection(f.direction) ? f.direction : undefined,
            orgId: Number.isInteger(id) && id > 0 ? id : undefined,
          }
          return unwrap(api.GET('/api/party/transfers', { params: { query } }))
        }}
        toolbar={
          <>
            <Select value={filters.status} onChange={(s?: string) => setFilters({ status: s ?? null })} placeholder={t('party.transfer.status')} allowClear options={STATUSES.map((s) => ({ value: s, label: t(`party.transferStatus.${s}`) }))} style={{ width: 130 }} />
            <Select value={filters.direction} onChange={(d?: string) => setFilters({ direction: d ?? null })} placeholder={t('party.transfer.direction')} allowClear options={DIRECTIONS.map((d) => ({ value: d, label: t(`party.direction.${d}`) }))} style={{ width: 130 }} />
            <OrgSelect value={Number.isInteger(orgId) && orgId > 0 ? orgId : null} onChange={(id) => setFilters({ orgId: id === undefined ? null : String(id) })} placeholder={t('party.member.orgFilter')} style={{ width: 220 }} />
          </>
        }
        extra={
          manage && (
            <Button icon={<PlusOutlined />} onClick={() => setInbound(true)}>
              {t('party.transfer.inbound')}
            </Button>
          )
        }
      />
      <TransferActionDialog
        transfer={action?.transfer ?? null}
        action={action?.action ?? 'receive'}
        onClose={() => setAction(null)}
        onDone={() => {
          setAction(null)
          setReloadKey((n) => n + 1)
        }}
      />
      <StartTransferDialog
        open={inbound}
        member={null}
        onClose={() => setInbound(false)}
        onDone={() => {
          setInbound(false)
          setReloadKey((n) => n + 1)
        }}
      />
    </PageCard>
  )
}
