/**
 * 单位树: the county tree on the left (lazy, searchable), the selected unit on the right with its
 * breadcrumb, counts, children and lineage. The selected unit is in the address (?unit=12).
 */
import { useCallback, useEffect, useMemo, useState } from 'react'
import { Alert, Button, Card, Col, Empty, Flex, Grid, Row, Space, Spin, Switch, Tag, Tree, Typography, type TreeDataNode } from 'antd'
import { HistoryOutlined, PartitionOutlined } from '@ant-design/icons'
import { Link, useSearchParams } from 'react-router-dom'
import { api, errorMessage, unwrap } from '../../api/client'
import { useAuth } from '../../app/auth'
import { useI18n } from '../../app/i18n'
import { PageCard } from '../../components/PageCard'
import { unitTypeIcon } from './meta'
import { UnitDetailPanel } from './UnitDetailPanel'
import { UnitPicker } from './UnitPicker'
import { useUnitTree } from './useUnitTree'
import type { UnitNode } from './types'

function NodeTitle({ unit }: { unit: UnitNode }) {
  const { t } = useI18n()
  return (
    <span data-unit-node={unit.id} style={{ whiteSpace: 'nowrap' }}>
      <span style={{ color: '#8c8c8c', marginInlineEnd: 6 }}>{unitTypeIcon[unit.type]}</span>
      <span style={unit.status === 'archived' ? { color: '#999', textDecoration: 'line-through' } : undefined}>{unit.name}</span>
      {unit.code && (
        <Typography.Text type="secondary" style={{ fontSize: 12, marginInlineStart: 6 }}>
          {unit.code}
        </Typography.Text>
      )}
      {unit.status === 'archived' && (
        <Tag style={{ marginInlineStart: 6 }} bordered={false}>
          {t('units.archived')}
        </Tag>
      )}
    </span>
  )
}

/** Scrolls the tree panel (vertically only) so the unit's node is in view. */
function scrollTreeTo(id: number): void {
  const node = document.querySelector(`[data-unit-node="${id}"]`)
  const box = document.querySelector('[data-testid="unit-tree"]')
  if (!(node instanceof HTMLElement) || !(box instanceof HTMLElement)) return
  const n = node.getBoundingClientRect()
  const b = box.getBoundingClientRect()
  if (n.top < b.top) box.scrollTop -= b.top - n.top + 8
  else if (n.bottom > b.bottom) box.scrollTop += n.bottom - b.bottom + 8
}

export default function UnitsPage() {
  const { t } = useI18n()
  const { can } = useAuth()
  const phone = Grid.useBreakpoint().md === false
  const [params, setParams] = useSearchParams()
  const unitParam = Number(params.get('unit'))
  const selected = Number.isInteger(unitParam) && unitParam > 0 ? unitParam : null
  const showArchived = params.get('archived') === '1'
  const tree = useUnitTree(showArchived)
  const [jumpError, setJumpError] = useState<string | null>(null)
  const { state, reveal, load, setExpanded, expanded } = tree

  const select = useCallback(
    (id: number | null) =>
      setParams((current) => {
        const next = new URLSearchParams(current)
        if (id === null) next.delete('unit')
        else next.set('unit', String(id))
        return next
      }),
    [setParams],
  )
  const setShowArchived = (on: boolean) =>
    setParams((current) => {
      const next = new URLSearchParams(current)
      if (on) next.set('archived', '1')
      else next.delete('archived')
      return next
    })

  // Opening a unit (from the address, the search box or a link) opens its branch of the tree.
  useEffect(() => {
    if (selected === null || tree.loading) return
    let current = true
    setJumpError(null)
    unwrap(api.GET('/api/units/{id}/ancestors', { params: { path: { id: selected } } }))
      .then(async (ancestors) => {
        const self = ancestors.items[ancestors.items.length - 1]
        if (self?.status === 'archived' && !showArchived) {
          setShowArchived(true)
          return
        }
        await reveal(ancestors.items.map((a) => a.id))
        if (!current) return
        window.setTimeout(() => scrollTreeTo(selected), 50)
      })
      .catch((err: unknown) => current && setJumpError(errorMessage(err)))
    return () => {
      current = false
    }
    // `reveal` changes with the archived switch, which reloads the tree first.
  }, [selected, tree.loading])

  const treeData = useMemo<TreeDataNode[]>(() => {
    const build = (id: number, seen: Set<number>): TreeDataNode | null => {
      const unit = state.nodes.get(id)
      if (!unit || seen.has(id)) return null
      seen.add(id)
      const childIds = state.children.get(id)
      const children = childIds?.map((c) => build(c, seen)).filter((n): n is TreeDataNode => n !== null)
      const leaf = childIds !== undefined ? childIds.length === 0 : !showArchived && unit.childCount === 0
      return { key: id, title: <NodeTitle unit={unit} />, isLeaf: leaf, children: leaf ? undefined : children }
    }
    const seen = new Set<number>()
    return state.roots.map((r) => build(r, seen)).filter((n): n is TreeDataNode => n !== null)
  }, [state, showArchived])

  const treePanel = (
    <Card size="small" styles={{ body: { padding: 8 } }}>
      <Flex vertical gap={8}>
        <UnitPicker
          value={null}
          status={showArchived ? 'all' : 'active'}
          onChange={(id) => id !== undefined && select(id)}
          placeholder={t('units.tree.search')}
          style={{ width: '100%' }}
          data-testid="unit-search"
        />
        <Flex justify="space-between" align="center" wrap gap={8}>
          <Space size={6}>
            <Switch size="small" checked={showArchived} onChange={setShowArchived} data-testid="show-archived" />
            <Typography.Text type="secondary">{t('units.tree.showArchived')}</Typography.Text>
          </Space>
          <Button size="small" type="link" onClick={tree.reload}>
            {t('table.refresh')}
          </Button>
        </Flex>
        {tree.error && <Alert type="error" showIcon title={t('common.loadFailed')} description={tree.error} action={<Button size="small" onClick={tree.reload}>{t('common.retry')}</Button>} />}
        {jumpError && <Alert type="warning" showIcon title={jumpError} closable onClose={() => setJumpError(null)} />}
        <Spin spinning={tree.loading}>
          <div style={{ maxHeight: phone ? 360 : 'calc(100vh - 260px)', minHeight: 200, overflow: 'auto' }} data-testid="unit-tree">
            {treeData.length === 0 && !tree.loading ? (
              <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('units.tree.empty')} />
            ) : (
              <Tree
                blockNode
                showLine={{ showLeafIcon: false }}
                treeData={treeData}
                expandedKeys={expanded}
                onExpand={(keys) => setExpanded(keys.map(Number))}
                selectedKeys={selected === null ? [] : [selected]}
                onSelect={(keys) => keys[0] !== undefined && select(Number(keys[0]))}
                loadData={(node) => load(Number(node.key)).catch((err: unknown) => setJumpError(errorMessage(err)))}
              />
            )}
          </div>
        </Spin>
      </Flex>
    </Card>
  )

  return (
    <PageCard
      title={t('units.tree.title')}
      extra={
        <Space wrap>
          <Link to="/units/events">
            <Button icon={<HistoryOutlined />}>{t('nav.units.events')}</Button>
          </Link>
          {can('units.restructure') && (
            <Link to="/units/restructure">
              <Button type="primary" icon={<PartitionOutlined />}>
                {t('nav.units.restructure')}
              </Button>
            </Link>
          )}
        </Space>
      }
    >
      <Row gutter={[16, 16]}>
        <Col xs={24} md={9} xl={7}>
          {treePanel}
        </Col>
        <Col xs={24} md={15} xl={17}>
          {selected === null ? (
            <Empty description={t('units.tree.pick')} style={{ marginTop: 48 }} />
          ) : (
            <UnitDetailPanel
              key={selected}
              unitId={selected}
              showArchived={showArchived}
              onSelect={select}
              onUpdated={(unit) => tree.update(unit)}
            />
          )}
        </Col>
      </Row>
    </PageCard>
  )
}
