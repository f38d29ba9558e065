import { useState } from 'react'
import { App, Button, Card, Descriptions, Empty, Flex, Grid, Space, Table, Tag, Typography } from 'antd'
import { ArrowLeftOutlined, EditOutlined, HomeOutlined } from '@ant-design/icons'
import { Link, useParams } from 'react-router-dom'
import { api, errorMessage, unwrap } from '../../api/client'
import { useAuth } from '../../app/auth'
import { formatTime, useI18n } from '../../app/i18n'
import { PageCard } from '../../components/PageCard'
import { addressOf, genderKey, relationKey, STATUS_COLORS, statusKey, tagName, type HouseholdDetail, type HouseholdMember, type PersonDetail } from './model'
import { PersonFormDialog } from './PersonFormDialog'
import { RecordError, RecordLoading, useRecord } from './RecordState'
import { RevealField } from './RevealField'

function HouseholdCard({ person }: { person: PersonDetail }) {
  const { t } = useI18n()
  const { can } = useAuth()
  const householdId = person.householdId
  const household = useRecord<HouseholdDetail | null>(
    () => (householdId === null ? Promise.resolve(null) : unwrap(api.GET('/api/households/{id}', { params: { path: { id: householdId } } }))),
    [householdId],
  )

  const columns = [
    {
      key: 'name',
      title: t('residents.name'),
      dataIndex: 'name',
      render: (name: string, m: HouseholdMember) =>
        m.personId === person.id ? <Typography.Text strong>{name}</Typography.Text> : <Link to={`/residents/${m.personId}`}>{name}</Link>,
    },
    { key: 'relation', title: t('residents.relation'), dataIndex: 'relation', render: (r: HouseholdMember['relation']) => (r ? t(relationKey(r)) : '') },
    { key: 'age', title: t('residents.age'), dataIndex: 'age' },
    { key: 'idNumberMasked', title: t('residents.idNumber'), dataIndex: 'idNumberMasked', responsive: ['md' as const], render: (v: string | null) => <span style={{ fontFamily: 'monospace' }}>{v ?? ''}</span> },
  ]

  return (
    <Card
      size="small"
      title={
        <Space>
          <HomeOutlined />
          {t('residents.household')}
        </Space>
      }
      extra={householdId !== null && <Link to={`/households/${householdId}`}>{t('residents.household.open')}</Link>}
      data-testid="resident-household"
    >
      {householdId === null ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('residents.noHouseholdLong')}>
          {can('residents.manage') && person.status === 'active' && (
            <Link to="/households">
              <Button>{t('residents.household.goFound')}</Button>
            </Link>
          )}
        </Empty>
      ) : household.error ? (
        <Typography.Text type="danger">{errorMessage(household.error)}</Typography.Text>
      ) : (
        <>
          {household.data && (
            <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
              {household.data.address} · {t('residents.household.members', { count: household.data.memberCount })}
            </Typography.Paragraph>
          )}
          <Table<HouseholdMember> size="small" rowKey="personId" columns={columns} dataSource={household.data?.members ?? []} loading={household.loading} pagination={false} scroll={{ x: 'max-content' }} />
        </>
      )}
    </Card>
  )
}

export default function ResidentDetailPage() {
  const { t, lang } = useI18n()
  const { can } = useAuth()
  const { message } = App.useApp()
  const phone = Grid.useBreakpoint().md === false
  const id = Number(useParams().id)
  const valid = Number.isInteger(id) && id > 0
  const record = useRecord<PersonDetail>(
    () => (valid ? unwrap(api.GET('/api/residents/{id}', { params: { path: { id } } })) : Promise.reject(new Error(t('residents.notFound.title')))),
    [id],
  )
  const [editing, setEditing] = useState(false)

  const back = (
    <Link to="/residents">
      <Button type="text" icon={<ArrowLeftOutlined />} aria-label={t('residents.backToList')} />
    </Link>
  )

  if (record.loading && !record.data) return <PageCard title={back}><RecordLoading /></PageCard>
  if (record.error || !record.data) {
    return (
      <PageCard title={<Space>{back}{t('residents.detail.title')}</Space>}>
        <RecordError error={record.error} backTo="/residents" backLabel={t('residents.backToList')} onRetry={record.reload} />
      </PageCard>
    )
  }
  const p = record.data

  return (
    <Flex vertical gap={16}>
      <PageCard
        title={
          <Space wrap size={8}>
            {back}
            <span data-testid="resident-name">{p.name}</span>
            <Tag color={STATUS_COLORS[p.status]}>{t(statusKey(p.status))}</Tag>
          </Space>
        }
        extra={
          can('residents.manage') && (
            <Button icon={<EditOutlined />} onClick={() => setEditing(true)} data-testid="resident-edit">
              {!phone && t('residents.edit')}
            </Button>
          )
        }
      >
        <Descriptions
          column={{ xs: 1, sm: 1, md: 2, lg: 2, xl: 3, xxl: 3 }}
          size="small"
          bordered
          styles={{ label: { whiteSpace: 'nowrap' } }}
          data-testid="resident-fields"
          items={[
            { key: 'gender', label: t('residents.gender'), children: p.gender ? t(genderKey(p.gender)) : '—' },
            { key: 'birthDate', label: t('residents.birthDate'), children: p.birthDate ? `${p.birthDate}${p.age !== null ? `(${t('residents.ageYears', { age: p.age })})` : ''}` : '—' },
            { key: 'ethnicity', label: t('residents.ethnicity'), children: p.ethnicity ?? '—' },
            { key: 'idNumber', label: t('residents.idNumber'), children: <RevealField key={`id-${p.id}-${p.idNumberMasked}`} personId={p.id} field="idNumber" masked={p.idNumberMasked} />, span: { xs: 1, md: 2, xl: 2 } },
            { key: 'phone', label: t('residents.phone'), children: <RevealField key={`phone-${p.id}-${p.phoneMasked}`} personId={p.id} field="phone" masked={p.phoneMasked} /> },
            { key: 'address', label: t('residents.address'), children: addressOf(p), span: { xs: 1, md: 2, xl: 2 } },
            { key: 'room', label: t('residents.room'), children: p.room ?? '—' },
            { key: 'relation', label: t('residents.relation'), children: p.relation ? t(relationKey(p.relation)) : '—' },
            {
              key: 'tags',
              label: t('residents.tags'),
              children: p.tags.length ? p.tags.map((tag) => <Tag key={tag.id} color="volcano">{tagName(tag, lang)}</Tag>) : '—',
              span: { xs: 1, md: 2, xl: 2 },
            },
            { key: 'note', label: t('residents.note'), children: p.note ?? '—', span: { xs: 1, md: 2, xl: 3 } },
            { key: 'createdAt', label: t('residents.createdAt'), children: formatTime(p.createdAt) },
            { key: 'updatedAt', label: t('residents.updatedAt'), children: formatTime(p.updatedAt) },
          ]}
        />
        <Typography.Paragraph type="secondary" style={{ marginTop: 12, marginBottom: 0, fontSize: 12 }}>
          {t('residents.detail.maskedNote')}
        </Typography.Paragraph>
      </PageCard>
      <HouseholdCard person={p} />
      <PersonFormDialog
        // A fresh form whenever the resident changes: its initial values are the current ones.
        key={`${p.id}-${p.updatedAt}`}
        open={editing}
        person={p}
        onClose={() => setEditing(false)}
        onSaved={(saved) => {
          setEditing(false)
          record.set(saved)
          void message.success(t('residents.saved'))
        }}
      />
    </Flex>
  )
}
