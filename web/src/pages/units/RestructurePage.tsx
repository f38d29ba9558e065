import { Button, Card, Col, Flex, Row, Select, Typography } from 'antd'
import { ArrowLeftOutlined } from '@ant-design/icons'
import { useSearchParams } from 'react-router-dom'
import { useI18n } from '../../app/i18n'
import { PageCard } from '../../components/PageCard'
import { isRestructureSlug, RESTRUCTURE_SLUGS, type RestructureSlug } from './restructureApi'
import { restructureInfo } from './restructureInfo'
import { MergeVillagesWizard } from './wizards/MergeVillagesWizard'
import { RedivideGridsWizard } from './wizards/RedivideGridsWizard'
import { MergeGridsWizard } from './wizards/MergeGridsWizard'
import { SplitWizard } from './wizards/SplitWizard'
import { ArchiveWizard, MoveWizard, RenameWizard } from './wizards/SimpleWizards'

function WizardFor({ op, unitId }: { op: RestructureSlug; unitId: number | null }) {
  switch (op) {
    case 'merge-villages':
      return <MergeVillagesWizard initialUnitId={unitId} />
    case 'redivide-grids':
      return <RedivideGridsWizard initialUnitId={unitId} />
    case 'merge-grids':
      return <MergeGridsWizard initialUnitId={unitId} />
    case 'move':
      return <MoveWizard initialUnitId={unitId} />
    case 'rename':
      return <RenameWizard initialUnitId={unitId} />
    case 'archive':
      return <ArchiveWizard initialUnitId={unitId} />
    case 'split':
      return <SplitWizard initialUnitId={unitId} />
  }
}

/** /units/restructure?op=merge-villages&unit=12: choose an operation, then its wizard (preview before confirming). */
export default function RestructurePage() {
  const { t } = useI18n()
  const [params, setParams] = useSearchParams()
  const opParam = params.get('op')
  const op = isRestructureSlug(opParam) ? opParam : null
  const unitParam = Number(params.get('unit'))
  const unitId = Number.isInteger(unitParam) && unitParam > 0 ? unitParam : null
  const choose = (next: RestructureSlug | null) => setParams(next ? { op: next } : {})

  if (!op) {
    return (
      <PageCard title={t('units.restructure.title')}>
        <Typography.Paragraph type="secondary">{t('units.restructure.intro')}</Typography.Paragraph>
        <Row gutter={[16, 16]}>
          {RESTRUCTURE_SLUGS.map((slug) => (
            <Col key={slug} xs={24} sm={12} lg={8}>
              <Card hoverable onClick={() => choose(slug)} data-testid={`op-${slug}`} style={{ height: '100%' }}>
                <Card.Meta avatar={<span style={{ fontSize: 22, color: '#c8102e' }}>{restructureInfo[slug].icon}</span>} title={t(restructureInfo[slug].title)} description={t(restructureInfo[slug].description)} />
              </Card>
            </Col>
          ))}
        </Row>
      </PageCard>
    )
  }

  return (
    <PageCard
      title={
        <Flex align="center" gap={8} wrap>
          <Button type="text" icon={<ArrowLeftOutlined />} onClick={() => choose(null)} aria-label={t('units.restructure.title')} />
          <span>{t(restructureInfo[op].title)}</span>
        </Flex>
      }
      extra={
        <Select<RestructureSlug>
          value={op}
          onChange={choose}
          options={RESTRUCTURE_SLUGS.map((s) => ({ value: s, label: t(restructureInfo[s].title) }))}
          style={{ width: 160 }}
          aria-label={t('units.restructure.title')}
        />
      }
    >
      <Typography.Paragraph type="secondary">{t(restructureInfo[op].description)}</Typography.Paragraph>
      <WizardFor key={`${op}-${unitId ?? ''}`} op={op} unitId={unitId} />
    </PageCard>
  )
}
