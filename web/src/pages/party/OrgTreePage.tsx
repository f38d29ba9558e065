/**
 * 党组织: the organization tree the caller may see (党委 → 党总支/党支部 → 党小组) with member
 * counts, and the selected organization's officers, members by stage and actions (?org=12).
 */
import { useEffect, useMemo, useState } from 'react'
import {
  Alert, Badge, Breadcrumb, Button, Card, Col, Descriptions, Empty, Flex, Grid, Input, Row, Skeleton, Space, Spin, Statistic, Switch, Table, Tag,
  Tree, Typography, type TreeDataNode,
} from 'antd'
import { EditOutlined, PlusOutlined, TeamOutlined, UserOutlined } from '@ant-design/icons'
import { Link, useSearchParams } from 'react-router-dom'
import { api, errorMessage, unwrap } from '../../api/client'
import { useAuth } from '../../app/auth'
import { useI18n } from '../../app/i18n'
import { PageCard } from '../../components/PageCard'
import { OrgKindTag, stages, type OrgDetail, type OrgTreeNode } from './meta'
import { CreateOrgDialog, EditOrgDialog, OfficersDialog } from './OrgDialogs'

function OrgDetailPanel({ orgId, onSelect, onChanged }: { orgId: number; onSelect: (id: number) => void; onChanged: () => void }) {
  const { t, lang } = useI18n()
  const { can } = useAuth()
  const [org, setOrg] = useState<OrgDetail | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [editing, setEditing] = useState<OrgDetail | null>(null)
  const [staffing, setStaffing] = useState<OrgDetail | null>(null)
  const [creating, setCreating] = useState(false)

  useEffect(() => {
    let current = true
    setOrg(null)
    setError(null)
    unwrap(api.GET('/api/party/orgs/{id}', { params: { path: { id: orgId } } })).then(
      (o) => current && setOrg(o),
      (err: unknown) => current && setError(errorMessage(err)),
    )
    return () => {
      current = false
    }
  }, [orgId])

  if (error) return <Alert type="error" showIcon title={t('common.loadFailed')} description={error} />
  if (!org) return <Skeleton active />
  const manage = can('party.manage') && org.status === 'active'
  const saved = (next: OrgDetail) => {
    setOrg(next)
    setEditing(null)
    setStaffing(null)
    onChanged()
  }

  return (
    <Flex vertical gap={16} data-testid="org-detail">
      <Breadcrumb
        items={[...org.ancestors, { id: org.id, name: org.name }].map((a) => ({
          key: a.id,
          title: a.id === org.id ? a.name : <a onClick={() => onSelect(a.id)}>{a.name}</a>,
        }))}
      />
      <Flex wrap justify="space-between" gap={8} align="center">
        <Space wrap>
          <Typography.Title level={4} style={{ margin: 0 }} data-testid="org-detail-name">
            {org.name}
          </Typography.Title>
          <OrgKindTag kind={org.kind} lang={lang} />
          {org.status === 'dissolved' && <Tag>{t('party.org.status.dissolved')}</Tag>}
        </Space>
        <Space wrap>
          <Link to={`/party/members?orgId=${org.id}`}>
            <Button icon={<TeamOutlined />}>{t('party.org.members')}</Button>
          </Link>
          {manage && (
            <>
              <Button icon={<EditOutlined />} onClick={() => setEditing(org)} data-testid="org-edit">
                {t('party.org.edit')}
              </Button>
              <Button icon={<UserOutlined />} onClick={() => setStaffing(org)} data-testid="org-officers">
                {t('party.officers.button')}
              </Button>
              <Button icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="org-create-child">
                {t('party.org.createChild')}
              </Button>
            </>
          )}
        </Space>
      </Flex>
      <Descriptions size="small" bordered column={{ xs: 1, sm: 2 }}>
        <Descriptions.Item label={t('party.org.unit')}>
          <Link to={`/units?unit=${org.unitId}`}>{org.unitName}</Link>
        </Descriptions.Item>
        <Descriptions.Item label={t('party.org.parent')}>{org.parentName ?? '—'}</Descriptions.Item>
        <Descriptions.Item label={t('party.org.established')}>{org.establishedDate ?? '—'}</Descriptions.Item>
        <Descriptions.Item label={t('party.org.children')}>{org.childCount}</Descriptions.Item>
      </Descriptions>
      <Card size="small" title={t('party.org.counts')}>
        <Row gutter={[12, 12]} data-testid="org-counts">
          {[...stages].reverse().map((s) => (
            <Col key={s} xs={12} sm={8} md={4}>
              <Statistic
                title={t(`party.stage.${s}`)}
                value={org.subtreeMemberCounts[s]}
                suffix={org.subtreeMemberCounts[s] !== org.memberCounts[s] ? <Typography.Text type="secondary" style={{ fontSize: 12 }}>{t('party.org.direct', { n: org.memberCounts[s] })}</Typography.Text> : undefined}
              />
            </Col>
          ))}
          <Col xs={12} sm={8} md={4}>
            <Statistic title={t('party.org.total')} value={org.subtreeMemberCounts.total} />
          </Col>
        </Row>
      </Card>
      <Card size="small" title={t('party.officers.title')}>
        <Table
          size="small"
          rowKey="id"
          pagination={false}
          dataSource={org.officers}
          locale={{ emptyText: t('party.officers.none') }}
          data-testid="org-officer-list"
          columns={[
            { title: t('party.officers.role'), dataIndex: 'role', render: (r: string) => t(`party.role.${r as 'secretary'}`) },
            {
              title: t('party.officers.person'),
              dataIndex: 'name',
              render: (name: string, row) => (can('residents.read') ? <Link to={`/residents/${row.personId}`}>{name}</Link> : name),
            },
            { title: t('party.officers.since'), dataIndex: 'since', render: (v: string | null) => v ?? '—' },
            { title: t('party.officers.until'), dataIndex: 'until', render: (v: string | null) => v ?? '—' },
          ]}
        />
      </Card>
      <EditOrgDialog org={editing} onClose={() => setEditing(null)} onSaved={saved} />
      <OfficersDialog org={staffing} onClose={() => setStaffing(null)} onSaved={saved} />
      <CreateOrgDialog
        open={creating}
        parent={org}
        onClose={() => setCreating(false)}
        onCreated={(created) => {
          setCreating(false)
          onChanged()
          onSelect(created.id)
        }}
      />
    </Flex>
  )
}

export default function OrgTreePage() {
  const { t, lang } = useI18n()
  const { can } = useAuth()
  const phone = Grid.useBreakpoint().md === false
  const [params, setParams] = useSearchParams()
  const orgParam = Number(params.get('org'))
  const selected = Number.isInteger(orgParam) && orgParam > 0 ? orgParam : null
  const [showDissolved, setShowDissolved] = useState(false)
  const [items, setItems] = useState<OrgTreeNode[]>([])
  const [loading, setLoading] = useState(true)
  const [error, setError] = useState<string | null>(null)
  const [generation, setGeneration] = useState(0)
  const [filter, setFilter] = useState('')
  const [expanded, setExpanded] = useState<number[] | null>(null)
  const [creatingTop, setCreatingTop] = useState(false)

  const select = (id: number) =>
    setParams((current) => {
      const next = new URLSearchParams(current)
      next.set('org', String(id))
      return next
    })

  useEffect(() => {
    let current = true
    setLoading(true)
    unwrap(api.GET('/api/party/orgs/tree', { params: { query: { status: showDissolved ? 'all' : 'active' } } })).then(
      (tree) => {
        if (!current) return
        setItems(tree.items)
        setError(null)
        setLoading(false)
      },
      (err: unknown) => {
        if (!current) return
        setError(errorMessage(err))
        setLoading(false)
      },
    )
    return () => {
      current = false
    }
  }, [showDissolved, generation])

  const byId = useMemo(() => new Map(items.map((o) => [o.id, o])), [items])
  // Open the first two levels at first, and always the branch of the selected organization.
  useEffect(() => {
    if (!items.length) return
    const isRoot = (o: OrgTreeNode | undefined) => o !== undefined && (o.parentId === null || !byId.has(o.parentId))
    setExpanded((previous) => {
      const open = new Set(previous ?? items.filter((o) => isRoot(o) || isRoot(byId.get(o.parentId ?? -1))).map((o) => o.id))
      for (let id = byId.get(selected ?? -1)?.parentId ?? null; id !== null && byId.has(id); id = byId.get(id)?.parentId ?? null) open.add(id)
      return [...open]
    })
  }, [items, selected, byId])

  const treeData = useMemo<TreeDataNode[]>(() => {
    const q = filter.trim()
    const children = new Map<number | null, OrgTreeNode[]>()
    for (const o of items) {
      const parent = o.parentId !== null && byId.has(o.parentId) ? o.parentId : null
      children.set(parent, [...(children.get(parent) ?? []), o])
    }
    const build = (o: OrgTreeNode): TreeDataNode | null => {
      const kids = (children.get(o.id) ?? []).map(build).filter((n): n is TreeDataNode => n !== null)
      const matches = !q || o.name.includes(q) || o.unitName.includes(q)
      if (!matches && kids.length === 0) return null
      return {
        key: o.id,
        title: (
          <span data-org-node={o.id} style={{ whiteSpace: 'nowrap' }}>
            <OrgKindTag kind={o.kind} lang={lang} />{' '}
            <span style={o.status === 'dissolved' ? { color: '#999', textDecoration: 'line-through' } : undefined}>{o.name}</span>{' '}
            <Badge count={o.memberCount} showZero={false} color="#c8102e" overflowCount={99999} title={t('party.org.memberCount', { n: o.memberCount })} />
          </span>
        ),
        children: kids.length ? kids : undefined,
        isLeaf: kids.length === 0,
      }
    }
    return (children.get(null) ?? []).map(build).filter((n): n is TreeDataNode => n !== null)
  }, [items, byId, filter, lang, t])

  const allKeys = useMemo(() => items.map((o) => o.id), [items])

  return (
    <PageCard
      title={t('party.org.title')}
      extra={
        can('party.manage') && (
          <Button icon={<PlusOutlined />} onClick={() => setCreatingTop(true)}>
            {t('party.org.createTop')}
          </Button>
        )
      }
    >
      <Row gutter={[16, 16]}>
        <Col xs={24} md={10} xl={8}>
          <Card size="small" styles={{ body: { padding: 8 } }}>
            <Flex vertical gap={8}>
              <Input.Search allowClear placeholder={t('party.org.filter')} onChange={(e) => setFilter(e.target.value)} data-testid="org-filter" />
              <Space size={6}>
                <Switch size="small" checked={showDissolved} onChange={setShowDissolved} />
                <Typography.Text type="secondary">{t('party.org.showDissolved')}</Typography.Text>
              </Space>
              {error && <Alert type="error" showIcon title={t('common.loadFailed')} description={error} />}
              <Spin spinning={loading}>
                <div style={{ maxHeight: phone ? 360 : 'calc(100vh - 260px)', minHeight: 200, overflow: 'auto' }} data-testid="org-tree">
                  {treeData.length === 0 && !loading ? (
                    <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={filter ? t('party.org.noMatch') : t('party.org.empty')} />
                  ) : (
                    <Tree
                      blockNode
                      showLine={{ showLeafIcon: false }}
                      treeData={treeData}
                      expandedKeys={filter.trim() ? allKeys : (expanded ?? [])}
                      onExpand={(keys) => setExpanded(keys.map(Number))}
                      selectedKeys={selected === null ? [] : [selected]}
                      onSelect={(keys) => keys[0] !== undefined && select(Number(keys[0]))}
                    />
                  )}
                </div>
              </Spin>
            </Flex>
          </Card>
        </Col>
        <Col xs={24} md={14} xl={16}>
          {selected === null ? (
            <Empty description={t('party.org.pick')} style={{ marginTop: 48 }} />
          ) : (
            <OrgDetailPanel key={selected} orgId={selected} onSelect={select} onChanged={() => setGeneration((n) => n + 1)} />
          )}
        </Col>
      </Row>
      <CreateOrgDialog
        open={creatingTop}
        parent={null}
        onClose={() => setCreatingTop(false)}
        onCreated={(org) => {
          setCreatingTop(false)
          setGeneration((n) => n + 1)
          select(org.id)
        }}
      />
    </PageCard>
  )
}

