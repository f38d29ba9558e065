/** A restructuring plan as a person reviews it before confirming: what is created, moved, archived, and who comes along. */
import type { ReactNode } from 'react'
import { Alert, Col, Collapse, Empty, Flex, Row, Space, Statistic, Table, Tag, Typography } from 'antd'
import { ArrowRightOutlined } from '@ant-design/icons'
import { useI18n, type MessageKey } from '../../app/i18n'
import { UnitTypeTag } from './meta'
import type { RestructurePlan } from './types'
import { orgKindName } from '../party/meta'

type Ref = { id: number | null; ref: string | null; name: string }
type Counts = RestructurePlan['counts']

const COUNT_KEYS: { key: keyof Counts; label: MessageKey }[] = [
  { key: 'households', label: 'units.plan.count.households' },
  { key: 'people', label: 'units.plan.count.people' },
  { key: 'compounds', label: 'units.plan.count.compounds' },
  { key: 'buildings', label: 'units.plan.count.buildings' },
  { key: 'partyOrgs', label: 'units.plan.count.partyOrgs' },
  { key: 'partyMembers', label: 'units.plan.count.partyMembers' },
  { key: 'unitsCreated', label: 'units.plan.count.unitsCreated' },
  { key: 'unitsMoved', label: 'units.plan.count.unitsMoved' },
  { key: 'unitsChanged', label: 'units.plan.count.unitsChanged' },
  { key: 'unitsArchived', label: 'units.plan.count.unitsArchived' },
]

export function RefName({ unit }: { unit: Ref }) {
  const { t } = useI18n()
  return (
    <span>
      {unit.name}
      {unit.id === null && (
        <Tag color="green" style={{ marginInlineStart: 4 }}>
          {t('units.plan.new')}
        </Tag>
      )}
    </span>
  )
}

function FromTo({ from, to }: { from: ReactNode; to: ReactNode }) {
  return (
    <Flex wrap gap={6} align="center">
      {from}
      <ArrowRightOutlined style={{ color: '#999' }} />
      {to}
    </Flex>
  )
}

export function PlanCounts({ counts }: { counts: Counts }) {
  const { t } = useI18n()
  return (
    <Row gutter={[12, 12]} data-testid="plan-counts">
      {COUNT_KEYS.map(({ key, label }) => (
        <Col key={key} xs={12} sm={8} md={6} lg={4} xl={4}>
          <Statistic title={t(label)} value={counts[key]} data-testid={`plan-count-${key}`} />
        </Col>
      ))}
    </Row>
  )
}

export function PlanView({ plan }: { plan: RestructurePlan }) {
  const { t, lang } = useI18n()
  const orgKind = (kind: string) => orgKindName(kind, lang)
  const relation = (r: RestructurePlan['lineage'][number]['relation']) => t(`units.relation.${r}`)
  const pageSize = 10
  const paged = <T,>(rows: T[]) => (rows.length > pageSize ? { pageSize, size: 'small' as const, showSizeChanger: false } : false)

  const sections = [
    plan.created.length > 0 && {
      key: 'created',
      label: `${t('units.plan.created')} (${plan.created.length})`,
      children: (
        <Table
          size="small"
          rowKey="ref"
          pagination={paged(plan.created)}
          dataSource={plan.created}
          scroll={{ x: 'max-content' }}
          columns={[
            { title: t('units.field.name'), dataIndex: 'name', render: (name: string) => <Typography.Text strong>{name}</Typography.Text> },
            { title: t('units.field.type'), dataIndex: 'type', render: (type: (typeof plan.created)[number]['type']) => <UnitTypeTag type={type} /> },
            { title: t('units.field.code'), dataIndex: 'code', render: (code: string | null) => code ?? '—' },
            { title: t('units.field.parent'), dataIndex: 'parent', render: (parent: Ref) => <RefName unit={parent} /> },
          ]}
        />
      ),
    },
    plan.moved.length > 0 && {
      key: 'moved',
      label: `${t('units.plan.moved')} (${plan.moved.length})`,
      children: (
        <Table
          size="small"
          rowKey={(row) => row.unit.id}
          pagination={paged(plan.moved)}
          dataSource={plan.moved}
          scroll={{ x: 'max-content' }}
          columns={[
            {
              title: t('units.field.name'),
              key: 'unit',
              render: (_: unknown, row) => (
                <Space size={4}>
                  <UnitTypeTag type={row.unit.type} />
                  {row.unit.name}
                </Space>
              ),
            },
            { title: t('units.plan.fromTo'), key: 'fromTo', render: (_: unknown, row) => <FromTo from={<RefName unit={row.from} />} to={<RefName unit={row.to} />} /> },
          ]}
        />
      ),
    },
    plan.changed.length > 0 && {
      key: 'changed',
      label: `${t('units.plan.changed')} (${plan.changed.length})`,
      children: (
        <Table
          size="small"
          rowKey={(row) => row.unit.id}
          pagination={paged(plan.changed)}
          dataSource={plan.changed}
          scroll={{ x: 'max-content' }}
          columns={[
            { title: t('units.field.name'), key: 'unit', render: (_: unknown, row) => row.unit.name },
            {
              title: t('units.plan.change'),
              key: 'change',
              render: (_: unknown, row) => (
                <Flex vertical gap={4}>
                  {row.type && <FromTo from={<UnitTypeTag type={row.type.from} />} to={<UnitTypeTag type={row.type.to} />} />}
                  {row.name && <FromTo from={row.name.from} to={row.name.to} />}
                  {row.code && <FromTo from={<Typography.Text code>{row.code.from ?? '—'}</Typography.Text>} to={<Typography.Text code>{row.code.to ?? '—'}</Typography.Text>} />}
                </Flex>
              ),
            },
          ]}
        />
      ),
    },
    plan.archived.length > 0 && {
      key: 'archived',
      label: `${t('units.plan.archived')} (${plan.archived.length})`,
      children: (
        <Flex wrap gap={6}>
          {plan.archived.map((u) => (
            <Tag key={u.id}>{u.name}</Tag>
          ))}
        </Flex>
      ),
    },
    plan.lineage.length > 0 && {
      key: 'lineage',
      label: `${t('units.plan.lineage')} (${plan.lineage.length})`,
      children: (
        <Flex vertical gap={4}>
          {plan.lineage.map((l, i) => (
            <FromTo key={i} from={<RefName unit={l.predecessor} />} to={<Space size={4}><Tag>{relation(l.relation)}</Tag><RefName unit={l.successor} /></Space>} />
          ))}
        </Flex>
      ),
    },
    (plan.party.created.length > 0 || plan.party.reparented.length > 0) && {
      key: 'party',
      label: `${t('units.plan.party')} (${plan.party.created.length + plan.party.reparented.length})`,
      children: (
        <Flex vertical gap={12}>
          {plan.party.created.length > 0 && (
            <div>
              <Typography.Text type="secondary">{t('units.plan.partyCreated')}</Typography.Text>
              <Table
                size="small"
                rowKey="ref"
                pagination={paged(plan.party.created)}
                dataSource={plan.party.created}
                scroll={{ x: 'max-content' }}
                columns={[
                  { title: t('units.field.name'), dataIndex: 'name', render: (name: string) => <Typography.Text strong>{name}</Typography.Text> },
                  { title: t('units.plan.orgKind'), dataIndex: 'kind', render: (kind: string) => <Tag color="red">{orgKind(kind)}</Tag> },
                  { title: t('units.plan.orgUnit'), dataIndex: 'unit', render: (unit: Ref) => <RefName unit={unit} /> },
                  { title: t('units.plan.orgParent'), dataIndex: 'parent', render: (parent: Ref | null) => (parent ? <RefName unit={parent} /> : '—') },
                ]}
              />
            </div>
          )}
          {plan.party.reparented.length > 0 && (
            <div>
              <Typography.Text type="secondary">{t('units.plan.partyReparented')}</Typography.Text>
              <Flex vertical gap={4} style={{ marginTop: 4 }}>
                {plan.party.reparented.map((r) => (
                  <FromTo
                    key={r.org.id}
                    from={
                      <Space size={4}>
                        <Tag color="red">{orgKind(r.org.kind)}</Tag>
                        {r.org.name}
                        <Typography.Text type="secondary">{t('units.plan.members', { n: r.org.members })}</Typography.Text>
                        {r.from && <Typography.Text type="secondary">({r.from.name})</Typography.Text>}
                      </Space>
                    }
                    to={<RefName unit={r.to} />}
                  />
                ))}
              </Flex>
            </div>
          )}
        </Flex>
      ),
    },
    (plan.lists.compounds.length > 0 || plan.lists.buildings.length > 0 || plan.lists.partyOrgs.length > 0) && {
      key: 'lists',
      label: t('units.plan.lists'),
      children: (
        <Flex vertical gap={8}>
          {plan.lists.compounds.length > 0 && (
            <div>
              <Typography.Text type="secondary">{t('units.plan.count.compounds')}: </Typography.Text>
              <Flex wrap gap={4} style={{ display: 'inline-flex' }}>
                {plan.lists.compounds.map((u) => <Tag key={u.id}>{u.name}</Tag>)}
              </Flex>
            </div>
          )}
          {plan.lists.buildings.length > 0 && (
            <div>
              <Typography.Text type="secondary">{t('units.plan.count.buildings')}: </Typography.Text>
              <Flex wrap gap={4} style={{ display: 'inline-flex' }}>
                {plan.lists.buildings.map((u) => <Tag key={u.id}>{u.name}</Tag>)}
              </Flex>
            </div>
          )}
          {plan.lists.partyOrgs.length > 0 && (
            <div>
              <Typography.Text type="secondary">{t('units.plan.count.partyOrgs')}: </Typography.Text>
              <Flex wrap gap={4} style={{ display: 'inline-flex' }}>
                {plan.lists.partyOrgs.map((o) => (
                  <Tag key={o.id} color="red">
                    {o.name} · {t('units.plan.members', { n: o.members })}
                  </Tag>
                ))}
              </Flex>
            </div>
          )}
        </Flex>
      ),
    },
  ].filter((s): s is { key: string; label: string; children: React.JSX.Element } => Boolean(s))

  return (
    <Flex vertical gap={16} data-testid="plan-view">
      <div>
        <Typography.Title level={5} style={{ margin: 0 }} data-testid="plan-title">
          {plan.title}
        </Typography.Title>
        <Space wrap size={12} style={{ marginTop: 4 }}>
          <Typography.Text type="secondary">
            {t('units.plan.effectiveDate')}: {plan.effectiveDate}
          </Typography.Text>
          <Space size={4}>
            <Typography.Text type="secondary">{t('units.plan.anchor')}:</Typography.Text>
            <UnitTypeTag type={plan.anchor.type} />
            {plan.anchor.name}
          </Space>
        </Space>
        {plan.note && <Typography.Paragraph style={{ marginTop: 8, marginBottom: 0 }}>{plan.note}</Typography.Paragraph>}
      </div>
      {plan.warnings.length > 0 && (
        <Flex vertical gap={8} data-testid="plan-warnings">
          {plan.warnings.map((w, i) => (
            <Alert key={`${w.code}-${i}`} type="warning" showIcon title={lang === 'zh' ? w.message : w.messageEn} />
          ))}
        </Flex>
      )}
      <PlanCounts counts={plan.counts} />
      {sections.length ? (
        <Collapse defaultActiveKey={sections.map((s) => s.key).filter((k) => k !== 'lists')} items={sections} size="small" />
      ) : (
        <Empty description={t('units.plan.nothing')} />
      )}
    </Flex>
  )
}

