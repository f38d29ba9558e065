import { Card, Col, Empty, Flex, Row, Typography } from 'antd'
import { Link } from 'react-router-dom'
import { useAuth } from '../../app/auth'
import { useI18n } from '../../app/i18n'
import { navEntries } from '../../app/nav'
import { GrantTag } from '../../components/GrantTag'

/** The landing page: who you are, what your grants are, and the pages they open. No made-up figures. */
export default function HomePage() {
  const { me, can } = useAuth()
  const { t } = useI18n()
  if (!me) return null
  const pages = navEntries.filter((e) => e.path !== '/' && e.inMenu !== false && (e.action === null || can(e.action)))

  return (
    <Flex vertical gap={16}>
      <Card>
        <Typography.Title level={4} style={{ marginTop: 0 }} data-testid="welcome">
          {t('home.welcome', { name: me.displayName })}
        </Typography.Title>
        <Typography.Text type="secondary">{t('home.grants')}</Typography.Text>
        <div style={{ marginTop: 8 }} data-testid="my-grants">
          {me.grants.length === 0 ? (
            <Typography.Text>{t('home.noGrants')}</Typography.Text>
          ) : (
            me.grants.map((g) => <GrantTag key={`${g.role}@${g.unitId ?? 'all'}`} grant={g} />)
          )}
        </div>
      </Card>
      <Card title={t('home.pages')}>
        {pages.length === 0 ? (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('home.noPages')} />
        ) : (
          <Row gutter={[12, 12]}>
            {pages.map((e) => (
              <Col key={e.path} xs={12} sm={8} lg={6}>
                <Link to={e.path}>
                  <Card hoverable size="small">
                    <Flex align="center" gap={10}>
                      <span style={{ fontSize: 20, color: '#c8102e' }}>{e.icon}</span>
                      <Typography.Text>{t(e.label)}</Typography.Text>
                    </Flex>
                  </Card>
                </Link>
              </Col>
            ))}
          </Row>
        )}
      </Card>
    </Flex>
  )
}
