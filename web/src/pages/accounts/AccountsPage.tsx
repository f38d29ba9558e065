import { useState } from 'react'
import { App, Button, Dropdown, Grid, Input, Select, Space, Tag, Typography } from 'antd'
import { DownOutlined, PlusOutlined } from '@ant-design/icons'
import { api, errorMessage, unwrap, type AccountView, type ApiQuery, type Role } from '../../api/client'
import { useAuth } from '../../app/auth'
import { formatTime, ROLES, useI18n } from '../../app/i18n'
import { PageCard } from '../../components/PageCard'
import { DataTable, useUrlFilters, type DataColumn } from '../../components/DataTable'
import { GrantTag, grantText } from '../../components/GrantTag'
import { CreateAccountDialog, EditGrantsDialog, ResetPasswordDialog } from './AccountDialogs'

type AccountQuery = ApiQuery<'/api/accounts', 'get'>
const FILTERS = ['q', 'role', 'status'] as const
const STATUSES = ['active', 'disabled'] as const

interface RowAction {
  key: string
  label: string
  danger?: boolean
  disabled?: boolean
  run: () => void
}

const isRole = (value: string | undefined): value is Role => value !== undefined && (ROLES as string[]).includes(value)
const isStatus = (value: string | undefined): value is AccountView['status'] => value === 'active' || value === 'disabled'

export default function AccountsPage() {
  const { t, roleName } = useI18n()
  const { can, me } = useAuth()
  const { message, modal } = App.useApp()
  const phone = Grid.useBreakpoint().md === false
  const [filters, setFilters] = useUrlFilters(FILTERS)
  const [reloadKey, setReloadKey] = useState(0)
  const reload = () => setReloadKey((n) => n + 1)
  const [creating, setCreating] = useState(false)
  const [editing, setEditing] = useState<AccountView | null>(null)
  const [resetting, setResetting] = useState<AccountView | null>(null)
  const manage = can('accounts.manage')

  const setStatus = (account: AccountView, status: AccountView['status']) => {
    const disabling = status === 'disabled'
    void modal.confirm({
      title: t(disabling ? 'accounts.disableConfirm' : 'accounts.enableConfirm', { username: account.username }),
      okText: t(disabling ? 'accounts.disable' : 'accounts.enable'),
      okButtonProps: { danger: disabling },
      onOk: async () => {
        try {
          await unwrap(api.PATCH('/api/accounts/{id}', { params: { path: { id: account.id } }, body: { status } }))
          void message.success(t(disabling ? 'accounts.disabledDone' : 'accounts.enabledDone'))
          reload()
        } catch (err) {
          void message.error(errorMessage(err))
        }
      },
    })
  }

  const rowActions = (row: AccountView): RowAction[] => [
    { key: 'grants', label: t('accounts.editGrants'), run: () => setEditing(row) },
    { key: 'password', label: t('accounts.resetPassword'), run: () => setResetting(row) },
    row.status === 'active'
      ? { key: 'disable', label: t('accounts.disable'), danger: true, disabled: row.id === me?.id, run: () => setStatus(row, 'disabled') }
      : { key: 'enable', label: t('accounts.enable'), run: () => setStatus(row, 'active') },
  ]

  const whole = t('home.wholeDeployment')
  const columns: DataColumn<AccountView>[] = [
    { key: 'username', title: t('accounts.username'), dataIndex: 'username', render: (v: string) => <Typography.Text strong>{v}</Typography.Text> },
    { key: 'displayName', title: t('accounts.displayName'), dataIndex: 'displayName' },
    {
      key: 'grants',
      title: t('accounts.grants'),
      dataIndex: 'grants',
      render: (_: unknown, row) =>
        row.grants.length === 0 ? <Typography.Text type="secondary">{t('accounts.noGrants')}</Typography.Text> : row.grants.map((g) => <GrantTag key={`${g.role}@${g.unitId ?? 'all'}`} grant={g} />),
      exportValue: (row) => row.grants.map((g) => grantText(g, roleName, whole)).join('; '),
    },
    {
      key: 'status',
      title: t('accounts.status'),
      dataIndex: 'status',
      render: (_: unknown, row) => (
        <Space size={4} wrap>
          <Tag color={row.status === 'active' ? 'green' : 'default'}>{t(`accounts.status.${row.status}`)}</Tag>
          {row.locked && <Tag color="orange">{t('accounts.locked')}</Tag>}
          {row.mustChangePassword && <Tag color="blue">{t('accounts.mustChange')}</Tag>}
        </Space>
      ),
      exportValue: (row) =>
        [t(`accounts.status.${row.status}`), row.locked ? t('accounts.locked') : null, row.mustChangePassword ? t('accounts.mustChange') : null].filter(Boolean).join(', '),
    },
    {
      key: 'lastLoginAt',
      title: t('accounts.lastLoginAt'),
      dataIndex: 'lastLoginAt',
      render: (v: string | null) => (v ? formatTime(v) : <Typography.Text type="secondary">{t('accounts.never')}</Typography.Text>),
      exportValue: (row) => formatTime(row.lastLoginAt, true),
    },
    { key: 'createdAt', title: t('accounts.createdAt'), dataIndex: 'createdAt', render: (v: string) => formatTime(v), exportValue: (row) => formatTime(row.createdAt, true) },
  ]
  if (manage) {
    columns.push({
      key: 'actions',
      title: t('common.actions'),
      noExport: true,
      fixed: phone ? undefined : 'right',
      render: (_: unknown, row) =>
        phone ? (
          <Dropdown menu={{ items: rowActions(row).map(({ run, ...item }) => ({ ...item, onClick: run })) }} trigger={['click']}>
            <Button size="small">
              {t('common.actions')} <DownOutlined />
            </Button>
          </Dropdown>
        ) : (
          <Space size={0}>
            {rowActions(row).map((a) => (
              <Button key={a.key} type="link" size="small" danger={a.danger} disabled={a.disabled} onClick={a.run}>
                {a.label}
              </Button>
            ))}
          </Space>
        ),
    })
  }

  return (
    <PageCard title={t('accounts.title')}>
      <DataTable<AccountView, typeof filters>
        columns={columns}
        rowKey="id"
        filters={filters}
        reloadKey={reloadKey}
        exportFileName={t('accounts.title')}
        fetchPage={({ page, pageSize, filters: f }) => {
          const query: AccountQuery = { page, pageSize, q: f.q, role: isRole(f.role) ? f.role : undefined, status: isStatus(f.status) ? f.status : undefined }
          return unwrap(api.GET('/api/accounts', { params: { query } }))
        }}
        toolbar={
          <>
            <Input.Search
              key={filters.q ?? ''}
              defaultValue={filters.q}
              placeholder={t('accounts.searchPlaceholder')}
              allowClear
              onSearch={(q) => setFilters({ q })}
              style={{ width: 220 }}
              data-testid="accounts-search"
            />
            <Select
              value={filters.role}
              onChange={(role?: string) => setFilters({ role: role ?? null })}
              placeholder={t('accounts.role')}
              allowClear
              options={ROLES.map((r) => ({ value: r, label: roleName(r) }))}
              style={{ width: 180 }}
              popupMatchSelectWidth={false}
            />
            <Select
              value={filters.status}
              onChange={(status?: string) => setFilters({ status: status ?? null })}
              placeholder={t('accounts.status')}
              allowClear
              options={STATUSES.map((s) => ({ value: s, label: t(`accounts.status.${s}`) }))}
              style={{ width: 120 }}
            />
          </>
        }
        extra={
          manage && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="account-create">
              {t('accounts.create')}
            </Button>
          )
        }
      />
      <CreateAccountDialog open={creating} onClose={() => setCreating(false)} onCreated={reload} />
      <EditGrantsDialog account={editing} onClose={() => setEditing(null)} onSaved={reload} />
      <ResetPasswordDialog account={resetting} onClose={() => setResetting(null)} onDone={reload} />
    </PageCard>
  )
}
