/** Where a unit came from and what became of it, through restructurings (predecessors → successors). */
import { useEffect, useState } from 'react'
import { Alert, Button, Card, Col, Empty, Flex, List, Row, Skeleton, Space, Tag, Typography } from 'antd'
import { ArrowRightOutlined } from '@ant-design/icons'
import { Link } from 'react-router-dom'
import { api, errorMessage, unwrap } from '../../api/client'
import { useI18n } from '../../app/i18n'
import { UnitTypeTag } from './meta'
import type { UnitLineage } from './types'

export function LineagePanel({ unitId, onSelect }: { unitId: number; onSelect: (id: number) => void }) {
  const { t } = useI18n()
  const [lineage, setLineage] = useState<UnitLineage | null>(null)
  const [error, setError] = useState<string | null>(null)

  useEffect(() => {
    let current = true
    setLineage(null)
    unwrap(api.GET('/api/units/{id}/lineage', { params: { path: { id: unitId } } })).then(
      (l) => current && (setLineage(l), setError(null)),
      (err: unknown) => current && setError(errorMessage(err)),
    )
    return () => {
      current = false
    }
  }, [unitId])

  if (error) return <Alert type="error" showIcon title={t('common.loadFailed')} description={error} />
  if (!lineage) return <Skeleton active />
  if (lineage.edges.length === 0 && lineage.events.length === 0) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('units.lineage.none')} />

  const unitLink = (u: { id: number; name: string; status: string }) => (
    <Button type="link" size="small" style={{ padding: 0 }} onClick={() => onSelect(u.id)}>
      {u.name}
      {u.status === 'archived' && <Tag style={{ marginInlineStart: 4 }}>{t('units.archived')}</Tag>}
    </Button>
  )

  return (
    <Flex vertical gap={16} data-testid="unit-lineage">
      <Row gutter={[12, 12]}>
        <Col xs={24} md={12}>
          <Card size="small" title={t('units.lineage.predecessors')}>
            {lineage.predecessors.length ? (
              <List
                size="small"
                dataSource={lineage.predecessors}
                data-testid="lineage-predecessors"
                renderItem={(p) => (
                  <List.Item>
                    <Space wrap size={4}>
                      <UnitTypeTag type={p.unit.type} />
                      {unitLink(p.unit)}
                      {p.distance > 1 && <Tag>{t('units.lineage.distance', { n: p.distance })}</Tag>}
                      {p.insideSubtree && <Tag color="blue">{t('units.lineage.inside')}</Tag>}
                      {p.shared && <Tag color="orange">{t('units.lineage.shared')}</Tag>}
                    </Space>
                  </List.Item>
                )}
              />
            ) : (
              <Typography.Text type="secondary">{t('common.none')}</Typography.Text>
            )}
          </Card>
        </Col>
        <Col xs={24} md={12}>
          <Card size="small" title={t('units.lineage.successors')}>
            {lineage.successors.length ? (
              <List
                size="small"
                dataSource={lineage.successors}
                data-testid="lineage-successors"
                renderItem={(s) => (
                  <List.Item>
                    <Space wrap size={4}>
                      <UnitTypeTag type={s.unit.type} />
                      {unitLink(s.unit)}
                      {s.distance > 1 && <Tag>{t('units.lineage.distance', { n: s.distance })}</Tag>}
                    </Space>
                  </List.Item>
                )}
              />
            ) : (
              <Typography.Text type="secondary">{t('common.none')}</Typography.Text>
            )}
          </Card>
        </Col>
      </Row>
      {lineage.edges.length > 0 && (
        <Card size="small" title={t('units.lineage.edges')}>
          <Flex vertical gap={6} data-testid="lineage-edges">
            {lineage.edges.map((e, i) => (
              <Flex key={i} wrap gap={6} align="center">
                <Typography.Text type="secondary" style={{ minWidth: 90 }}>
                  {e.effectiveDate}
                </Typography.Text>
                <a onClick={() => onSelect(e.predecessorId)}>{e.predecessorName}</a>
                <ArrowRightOutlined style={{ color: '#999' }} />
                <Tag>{t(`units.relation.${e.relation}`)}</Tag>
                <a onClick={() => onSelect(e.successorId)}>{e.successorName}</a>
                <Link to={`/units/events?event=${e.eventId}`} style={{ fontSize: 12 }}>
                  #{e.eventId}
                </Link>
              </Flex>
            ))}
          </Flex>
        </Card>
      )}
      {lineage.events.length > 0 && (
        <Card size="small" title={t('units.lineage.events')}>
          <List
            size="small"
            dataSource={lineage.events}
            renderItem={(ev) => (
              <List.Item extra={<Link to={`/units/events?event=${ev.id}`}>{t('units.events.open')}</Link>}>
                <Space wrap size={8}>
                  <Typography.Text type="secondary">{ev.effectiveDate}</Typography.Text>
                  <Tag color="red">{t(`units.kind.${ev.kind}`)}</Tag>
                  {ev.title}
                </Space>
              </List.Item>
            )}
          />
        </Card>
      )}
    </Flex>
  )
}
