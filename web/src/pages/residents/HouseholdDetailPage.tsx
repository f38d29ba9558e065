import { useState } from 'react'
import { App, Button, Descriptions, Dropdown, Flex, Grid, Space, Table, Tag, Typography, type MenuProps } from 'antd'
import { ArrowLeftOutlined, DownOutlined, PlusOutlined, SwapOutlined, UserAddOutlined } from '@ant-design/icons'
import { Link, useParams } from 'react-router-dom'
import { api, errorMessage, unwrap } from '../../api/client'
import { useAuth } from '../../app/auth'
import { formatTime, useI18n } from '../../app/i18n'
import { PageCard } from '../../components/PageCard'
import { AddMemberDialog, MoveHouseholdDialog } from './HouseholdDialogs'
import { genderKey, householdStatusKey, RELATIONS, relationKey, STATUS_COLORS, statusKey, type HouseholdDetail, type HouseholdMember, type Relation } from './model'
import { PersonFormDialog } from './PersonFormDialog'
import { RecordError, RecordLoading, useRecord } from './RecordState'

export default function HouseholdDetailPage() {
  const { t } = useI18n()
  const { can } = useAuth()
  const { message, modal } = App.useApp()
  const phone = Grid.useBreakpoint().md === false
  const id = Number(useParams().id)
  const valid = Number.isInteger(id) && id > 0
  const record = useRecord<HouseholdDetail>(
    () => (valid ? unwrap(api.GET('/api/households/{id}', { params: { path: { id } } })) : Promise.reject(new Error(t('residents.household.notFound')))),
    [id],
  )
  const [dialog, setDialog] = useState<'add' | 'register' | 'move' | null>(null)
  const manage = can('residents.manage')

  const back = (
    <Link to="/households">
      <Button type="text" icon={<ArrowLeftOutlined />} aria-label={t('residents.households.back')} />
    </Link>
  )
  if (record.loading && !record.data) return <PageCard title={back}><RecordLoading /></PageCard>
  if (record.error || !record.data) {
    return (
      <PageCard title={<Space>{back}{t('residents.household')}</Space>}>
        <RecordError error={record.error} backTo="/households" backLabel={t('residents.households.back')} onRetry={record.reload} />
      </PageCard>
    )
  }
  const h = record.data
  const active = h.status === 'active'
  // Dialogs start from the household as it is now (head, room), so they are remade when it changes.
  const version = `${h.updatedAt}-${h.memberCount}-${h.headPersonId ?? 0}`

  const write = async (pending: Promise<HouseholdDetail>, done: string) => {
    try {
      record.set(await pending)
      void message.success(done)
    } catch (err) {
      void message.error(errorMessage(err))
    }
  }
  const setRelation = (m: HouseholdMember, relation: Relation) =>
    void write(unwrap(api.POST('/api/households/{id}/members', { params: { path: { id: h.id } }, body: { personId: m.personId, relation } })), t('residents.saved'))
  const makeHead = (m: HouseholdMember) =>
    void write(unwrap(api.PATCH('/api/households/{id}', { params: { path: { id: h.id } }, body: { headPersonId: m.personId } })), t('residents.household.headChanged', { name: m.name }))
  const remove = (m: HouseholdMember) =>
    void modal.confirm({
      title: t('residents.household.removeConfirm', { name: m.name }),
      content: t('residents.household.removeHint'),
      okButtonProps: { danger: true },
      okText: t('residents.household.remove'),
      onOk: () => write(unwrap(api.DELETE('/api/households/{id}/members/{personId}', { params: { path: { id: h.id, personId: m.personId } } })), t('residents.household.removed', { name: m.name })),
    })
  const dissolve = () =>
    void modal.confirm({
      title: t('residents.household.dissolveConfirm'),
      okButtonProps: { danger: true },
      okText: t('residents.household.dissolve'),
      onOk: () => write(unwrap(api.PATCH('/api/households/{id}', { params: { path: { id: h.id } }, body: { status: 'dissolved' } })), t('residents.household.dissolved')),
    })

  const memberMenu = (m: HouseholdMember): MenuProps['items'] => [
    ...(m.relation !== 'head' ? [{ key: 'head', label: t('residents.household.makeHead'), onClick: () => makeHead(m) }] : []),
    {
      key: 'relation',
      label: t('residents.household.changeRelation'),
      children: RELATIONS.filter((r) => r !== 'head' && r !== m.relation).map((r) => ({ key: `relation-${r}`, label: t(relationKey(r)), onClick: () => setRelation(m, r) })),
    },
    { type: 'divider' as const },
    { key: 'remove', label: t('residents.household.remove'), danger: true, onClick: () => remove(m) },
  ]

  const columns = [
    { key: 'name', title: t('residents.name'), dataIndex: 'name', render: (name: string, m: HouseholdMember) => <Link to={`/residents/${m.personId}`}>{name}</Link> },
    {
      key: 'relation',
      title: t('residents.relation'),
      dataIndex: 'relation',
      render: (r: HouseholdMember['relation']) => (r ? <Tag color={r === 'head' ? 'red' : undefined}>{t(relationKey(r))}</Tag> : ''),
    },
    { key: 'gender', title: t('residents.gender'), dataIndex: 'gender', render: (g: HouseholdMember['gender']) => (g ? t(genderKey(g)) : '') },
    { key: 'age', title: t('residents.age'), dataIndex: 'age' },
    { key: 'idNumberMasked', title: t('residents.idNumber'), dataIndex: 'idNumberMasked', render: (v: string | null) => <span style={{ fontFamily: 'monospace' }}>{v ?? ''}</span> },
    { key: 'phoneMasked', title: t('residents.phone'), dataIndex: 'phoneMasked', responsive: ['md' as const], render: (v: string | null) => <span style={{ fontFamily: 'monospace' }}>{v ?? ''}</span> },
    { key: 'status', title: t('residents.status'), dataIndex: 'status', render: (s: HouseholdMember['status']) => <Tag color={STATUS_COLORS[s]}>{t(statusKey(s))}</Tag> },
    ...(manage && active
      ? [
          {
            key: 'actions',
            title: t('common.actions'),
            render: (_: unknown, m: HouseholdMember) => (
              <Dropdown menu={{ items: memberMenu(m) }} trigger={['click']}>
                <Button size="small" data-testid="member-actions">
                  {t('common.actions')} <DownOutlined />
                </Button>
              </Dropdown>
            ),
          },
        ]
      : []),
  ]

  return (
    <Flex vertical gap={16}>
      <PageCard
        title={
          <Space wrap size={8}>
            {back}
            <span>{t('residents.household')} #{h.id}</span>
            <Tag color={active ? 'green' : 'default'}>{t(householdStatusKey(h.status))}</Tag>
          </Space>
        }
        extra={
          manage &&
          active && (
            <Space wrap>
              <Button icon={<SwapOutlined />} onClick={() => setDialog('move')} data-testid="household-move">
                {!phone && t('residents.household.move')}
              </Button>
              {h.memberCount === 0 && (
                <Button danger onClick={dissolve} data-testid="household-dissolve">
                  {t('residents.household.dissolve')}
                </Button>
              )}
            </Space>
          )
        }
      >
        <Descriptions
          column={{ xs: 1, sm: 1, md: 2, lg: 3, xl: 3, xxl: 3 }}
          size="small"
          bordered
          styles={{ label: { whiteSpace: 'nowrap' } }}
          items={[
            { key: 'address', label: t('residents.address'), children: h.address || h.unitName, span: { xs: 1, md: 2, lg: 2 } },
            { key: 'room', label: t('residents.room'), children: h.room ?? '—' },
            { key: 'head', label: t('residents.household.head'), children: h.headName && h.headPersonId ? <Link to={`/residents/${h.headPersonId}`}>{h.headName}</Link> : t('residents.household.noHead') },
            { key: 'members', label: t('residents.household.memberCount'), children: h.memberCount },
            { key: 'createdAt', label: t('residents.createdAt'), children: formatTime(h.createdAt) },
          ]}
        />
      </PageCard>
      <PageCard
        title={t('residents.household.membersTitle')}
        extra={
          manage &&
          active && (
            <Space wrap>
              <Button icon={<UserAddOutlined />} onClick={() => setDialog('add')} data-testid="member-add">
                {t('residents.household.addMember')}
              </Button>
              <Button icon={<PlusOutlined />} onClick={() => setDialog('register')} data-testid="member-register">
                {t('residents.household.registerMember')}
              </Button>
            </Space>
          )
        }
      >
        {h.members.length === 0 ? (
          <Typography.Text type="secondary">{t('residents.household.empty')}</Typography.Text>
        ) : (
          <Table<HouseholdMember> rowKey="personId" size="middle" columns={columns} dataSource={h.members} pagination={false} scroll={{ x: 'max-content' }} data-testid="household-members" />
        )}
      </PageCard>
      <AddMemberDialog key={`add-${version}`} household={h} open={dialog === 'add'} onClose={() => setDialog(null)} onAdded={(next) => { setDialog(null); record.set(next); void message.success(t('residents.saved')) }} />
      <MoveHouseholdDialog key={`move-${version}`} household={h} open={dialog === 'move'} onClose={() => setDialog(null)} onMoved={(next) => { setDialog(null); record.set(next); void message.success(t('residents.household.moved')) }} />
      <PersonFormDialog
        key={`register-${version}`}
        open={dialog === 'register'}
        person={null}
        household={{ id: h.id, address: h.address || h.unitName, hasHead: h.headPersonId !== null }}
        onClose={() => setDialog(null)}
        onSaved={() => {
          setDialog(null)
          record.reload()
          void message.success(t('residents.saved'))
        }}
      />
    </Flex>
  )
}
