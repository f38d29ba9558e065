/**
 * /posters — choose a unit (a compound, building, grid village or a whole community) and which
 * places get a QR poster; preview them and open the print view, where the browser's "save as PDF"
 * makes one file with one poster per A4 page.
 */
import { useEffect, useState } from 'react'
import { Alert, Button, Checkbox, Empty, Flex, Radio, Space, Spin, Typography } from 'antd'
import { PrinterOutlined } from '@ant-design/icons'
import { useSearchParams } from 'react-router-dom'
import { errorMessage } from '../../api/client'
import { useI18n, type MessageKey } from '../../app/i18n'
import { PageCard } from '../../components/PageCard'
import { UnitSelect } from '../../components/UnitSelect'
import { DEFAULT_KINDS, loadPosters, POSTER_KINDS, PosterSheet, posterCss, type PosterKind, type PosterSet } from './posters'

const kindKeys: Record<PosterKind, MessageKey> = {
  compound: 'requests.poster.kind.compound', building: 'requests.poster.kind.building', grid: 'requests.poster.kind.grid',
  community: 'requests.poster.kind.community', studio: 'requests.poster.kind.studio',
}

export function parsePosterParams(params: URLSearchParams): { unitId: number | null; scope: 'unit' | 'subtree'; kinds: PosterKind[] } {
  const unitId = Number(params.get('unitId'))
  const kinds = (params.get('kinds')?.split(',') ?? DEFAULT_KINDS).filter((k): k is PosterKind => (POSTER_KINDS as readonly string[]).includes(k))
  return { unitId: Number.isInteger(unitId) && unitId > 0 ? unitId : null, scope: params.get('scope') === 'subtree' ? 'subtree' : 'unit', kinds }
}

export default function PostersPage() {
  const { t } = useI18n()
  const [params, setParams] = useSearchParams()
  const { unitId, scope, kinds } = parsePosterParams(params)
  const [set, setSet] = useState<PosterSet | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [loading, setLoading] = useState(false)

  const update = (patch: Record<string, string | null>) =>
    setParams((current) => {
      const next = new URLSearchParams(current)
      for (const [k, v] of Object.entries(patch)) {
        if (v === null) next.delete(k)
        else next.set(k, v)
      }
      return next
    })

  const kindsKey = kinds.join(',')
  useEffect(() => {
    if (!unitId) {
      setSet(null)
      return
    }
    let current = true
    setLoading(true)
    loadPosters(unitId, scope, kinds).then(
      (s) => {
        if (!current) return
        setSet(s)
        setError(null)
        setLoading(false)
      },
      (err: unknown) => {
        if (!current) return
        setError(errorMessage(err))
        setSet(null)
        setLoading(false)
      },
    )
    return () => {
      current = false
    }
  }, [unitId, scope, kindsKey])

  const printUrl = `/posters/print?${params.toString()}`
  return (
    <PageCard
      title={t('requests.poster.title')}
      extra={
        <Button type="primary" icon={<PrinterOutlined />} disabled={!set || set.posters.length === 0} href={printUrl} target="_blank" data-testid="posters-print">
          {t('requests.poster.print', { n: set?.posters.length ?? 0 })}
        </Button>
      }
    >
      <style>{posterCss}</style>
      <Flex vertical gap={16}>
        <Flex wrap gap={16} align="center">
          <UnitSelect value={unitId ?? undefined} onChange={(id) => update({ unitId: typeof id === 'number' ? String(id) : null })} style={{ width: 280 }} data-testid="posters-unit" />
          <Radio.Group
            value={scope}
            onChange={(e) => update({ scope: e.target.value === 'subtree' ? 'subtree' : null })}
            optionType="button"
            options={[{ value: 'unit', label: t('requests.poster.scope.unit') }, { value: 'subtree', label: t('requests.poster.scope.subtree') }]}
            data-testid="posters-scope"
          />
          {scope === 'subtree' && (
            <Checkbox.Group
              value={kinds}
              onChange={(v) => update({ kinds: (v as string[]).join(',') })}
              options={POSTER_KINDS.map((k) => ({ value: k, label: t(kindKeys[k]) }))}
            />
          )}
        </Flex>
        <Typography.Text type="secondary">{t('requests.poster.hint')}</Typography.Text>
        {set && (
          <Alert
            type={set.publicOrigin ? 'success' : 'warning'}
            showIcon
            data-testid="posters-origin"
            title={t(set.publicOrigin ? 'requests.poster.origin.public' : 'requests.poster.origin.page', { origin: set.origin })}
          />
        )}
        {error && <Alert type="error" showIcon title={error} />}
        {set && set.missingCode.length > 0 && (
          <Alert
            type="warning"
            showIcon
            title={t('requests.poster.missingCode', { n: set.missingCode.length })}
            description={set.missingCode.map((u) => u.name).join('、')}
            data-testid="posters-missing-code"
          />
        )}
        {set?.truncated && <Alert type="warning" showIcon title={t('requests.poster.truncated')} />}
        {set?.studiosError && <Alert type="info" showIcon title={t('requests.poster.noStudios')} description={set.studiosError} />}
        {loading ? (
          <Spin />
        ) : !unitId ? (
          <Empty description={t('requests.poster.choose')} />
        ) : set && set.posters.length === 0 ? (
          <Empty description={t('requests.poster.none')} />
        ) : (
          set && (
            <Space wrap size={16} className="poster-list" data-testid="posters-preview">
              {set.posters.map((p) => (
                <div key={p.key} style={{ boxShadow: '0 1px 6px rgba(0,0,0,.15)' }}>
                  <PosterSheet set={set} target={p} scale={0.32} />
                </div>
              ))}
            </Space>
          )
        )}
      </Flex>
    </PageCard>
  )
}
