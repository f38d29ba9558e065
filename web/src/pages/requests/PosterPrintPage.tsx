/**
 * /posters/print — the posters alone, without the app's shell, one per A4 page: "打印 / 存为 PDF"
 * prints a whole community in one file. Listed with the public pages (no shell) but it needs a
 * login: the units come from the staff API.
 */
import { useEffect, useState } from 'react'
import { Alert, Button, Flex, Spin, Typography } from 'antd'
import { PrinterOutlined } from '@ant-design/icons'
import { Navigate, useLocation, useSearchParams } from 'react-router-dom'
import { errorMessage } from '../../api/client'
import { useAuth } from '../../app/auth'
import { useI18n } from '../../app/i18n'
import { PageLoading } from '../../components/PageLoading'
import { loadPosters, PosterSheet, posterCss, type PosterSet } from './posters'
import { parsePosterParams } from './PostersPage'

export default function PosterPrintPage() {
  const { status } = useAuth()
  const { t } = useI18n()
  const location = useLocation()
  const [params] = useSearchParams()
  const { unitId, scope, kinds } = parsePosterParams(params)
  const [set, setSet] = useState<PosterSet | null>(null)
  const [error, setError] = useState<string | null>(null)

  const kindsKey = kinds.join(',')
  useEffect(() => {
    if (status !== 'authenticated') return
    if (!unitId) {
      setError(t('requests.poster.choose'))
      return
    }
    let current = true
    loadPosters(unitId, scope, kinds).then(
      (s) => current && setSet(s),
      (err: unknown) => current && setError(errorMessage(err)),
    )
    return () => {
      current = false
    }
  }, [status, unitId, scope, kindsKey])

  useEffect(() => {
    if (set) document.title = `${t('requests.poster.title')} · ${set.root.name}`
  }, [set, t])

  if (status === 'loading') return <PageLoading fullScreen />
  if (status === 'anonymous') return <Navigate to={`/login?next=${encodeURIComponent(location.pathname + location.search)}`} replace />

  return (
    <div style={{ background: '#e8e8e8', minHeight: '100vh' }}>
      <style>{posterCss}</style>
      <Flex className="poster-toolbar" justify="space-between" align="center" gap={12} wrap style={{ position: 'sticky', top: 0, zIndex: 2, background: '#fff', padding: '10px 16px', borderBottom: '1px solid #f0f0f0' }}>
        <Typography.Text strong>
          {set ? t('requests.poster.printTitle', { name: set.root.name, n: set.posters.length }) : t('requests.poster.title')}
        </Typography.Text>
        <Flex gap={8} align="center" wrap>
          <Typography.Text type="secondary">{t('requests.poster.printHint')}</Typography.Text>
          <Button type="primary" icon={<PrinterOutlined />} onClick={() => window.print()} disabled={!set || set.posters.length === 0} data-testid="poster-print-button">
            {t('requests.poster.printButton')}
          </Button>
        </Flex>
      </Flex>
      {error ? (
        <Alert type="error" showIcon title={error} style={{ margin: 24 }} className="poster-toolbar" />
      ) : !set ? (
        <Flex justify="center" style={{ padding: 48 }}><Spin /></Flex>
      ) : set.posters.length === 0 ? (
        <Alert type="info" showIcon title={t('requests.poster.none')} style={{ margin: 24 }} className="poster-toolbar" />
      ) : (
        <Flex vertical align="center" gap={16} className="poster-list" style={{ padding: 24 }} data-testid="poster-print">
          {set.posters.map((p) => (
            <PosterSheet key={p.key} set={set} target={p} style={{ boxShadow: '0 2px 10px rgba(0,0,0,.2)' }} />
          ))}
        </Flex>
      )}
    </div>
  )
}
