/**
 * /board — the three rates (响应率, 解决率, 满意率) and the composite score of a unit's subtree for a
 * period, with the definitions beside every number, overdue and open counts, handling time in
 * calendar and working hours, the trend, the ranking of the children, and a drill-down from every
 * number to the cases behind it. Unit, period and scope live in the URL, so a view can be shared.
 */
import { useEffect, useMemo, useState, type ReactNode } from 'react'
import { Alert, App, Button, Card, Col, DatePicker, Drawer, Empty, Flex, Popover, Row, Segmented, Select, Skeleton, Space, Table, Tag, Tooltip, Typography } from 'antd'
import { DownloadOutlined, InfoCircleOutlined, SettingOutlined } from '@ant-design/icons'
import dayjs from 'dayjs'
import { useSearchParams } from 'react-router-dom'
import { api, ApiError, errorMessage, unwrap } from '../../api/client'
import { useAuth } from '../../app/auth'
import { useI18n } from '../../app/i18n'
import { PageCard } from '../../components/PageCard'
import { UnitSelect } from '../../components/UnitSelect'
import { roleAllows } from '../../../../src/modules/access/roles'
import { Chart } from './Chart'
import { DrillDrawer, type DrillTarget } from './DrillDrawer'
import {
  COUNT_TILES, hoursText, pct, PRESETS, presetKeys, RATE_CARDS, score,
  type BoardView, type Definitions, type Dim, type DrillMetric, type Granularity, type PeriodChoice, type Preset, type RankingItem, type TrendView, type WeightsView,
} from './model'
import { WeightsDialog } from './WeightsDialog'

const RATE_COLORS = ['#1677ff', '#52c41a', '#fa8c16', '#c8102e']

function usePeriod(params: URLSearchParams): PeriodChoice & { custom: boolean } {
  const from = params.get('from') ?? undefined
  const to = params.get('to') ?? undefined
  if (from && to) return { from, to, custom: true }
  const raw = params.get('period')
  const period = (PRESETS as string[]).includes(raw ?? '') ? (raw as Preset) : 'this_month'
  const year = Number(params.get('year'))
  return { period, ...(Number.isInteger(year) && year >= 2000 && year <= 2100 && (period === 'h1' || period === 'h2') ? { year } : {}), custom: false }
}

/** A definition from GET /api/board/definitions, in the page's language. */
function DefinitionInfo({ defs, keyName }: { defs: Definitions | null; keyName: string }) {
  const { lang } = useI18n()
  const d = defs?.definitions.find((x) => x.key === keyName)
  if (!d) return null
  return (
    <Popover
      title={d.name[lang]}
      content={
        <div style={{ maxWidth: 340 }}>
          <Typography.Paragraph strong style={{ marginBottom: 6 }}>{d.formula[lang]}</Typography.Paragraph>
          <Typography.Paragraph type="secondary" style={{ margin: 0 }}>{d.description[lang]}</Typography.Paragraph>
        </div>
      }
    >
      <InfoCircleOutlined style={{ color: '#8c8c8c', cursor: 'help' }} onClick={(e) => e.stopPropagation()} data-testid={`definition-${keyName}`} />
    </Popover>
  )
}

function RateCard({ label, value, sub, info, onClick, testId, rawValue }: { label: string; value: string; sub: ReactNode; info: ReactNode; onClick: () => void; testId: string; rawValue: number | null }) {
  return (
    <Card hoverable onClick={onClick} styles={{ body: { padding: 18 } }} data-testid={testId} data-value={rawValue ?? ''} style={{ height: '100%' }}>
      <Flex vertical gap={6}>
        <Space size={6}>
          <Typography.Text type="secondary" style={{ fontSize: 15 }}>{label}</Typography.Text>
          {info}
        </Space>
        <Typography.Text strong style={{ fontSize: 'clamp(26px, 6vw, 36px)', lineHeight: 1.1, color: '#1f1f1f' }} data-testid={`${testId}-value`}>{value}</Typography.Text>
        <Typography.Text type="secondary" style={{ fontSize: 13 }}>{sub}</Typography.Text>
      </Flex>
    </Card>
  )
}

function Tile({ label, value, onClick, info, testId, danger, raw }: { label: string; value: ReactNode; onClick?: () => void; info?: ReactNode; testId: string; danger?: boolean; raw?: number | null }) {
  return (
    <Card size="small" hoverable={!!onClick} onClick={onClick} data-testid={testId} data-value={raw ?? ''} styles={{ body: { padding: '10px 14px' } }}>
      <Space size={4}>
        <Typography.Text type="secondary" style={{ fontSize: 13 }}>{label}</Typography.Text>
        {info}
      </Space>
      <div style={{ fontSize: 22, fontWeight: 600, color: danger ? '#cf1322' : undefined }}>{value}</div>
    </Card>
  )
}

async function downloadExport(query: Record<string, string | number | undefined>): Promise<void> {
  const search = new URLSearchParams(Object.entries(query).flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)]])))
  const res = await fetch(`/api/board/export.xlsx?${search.toString()}`, { credentials: 'same-origin', headers: { 'Accept-Language': document.documentElement.lang || 'zh-CN' } })
  if (!res.ok) {
    let message = `HTTP ${res.status}`
    try {
      const body = (await res.json()) as { error?: { message?: string } }
      message = body.error?.message ?? message
    } catch {
      // not JSON
    }
    throw new ApiError(res.status, 'export_failed', message)
  }
  const blob = await res.blob()
  const disposition = res.headers.get('content-disposition') ?? ''
  const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition)
  const name = star?.[1] ? decodeURIComponent(star[1]) : 'board.xlsx'
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = name
  document.body.appendChild(a)
  a.click()
  a.remove()
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

export default function BoardPage() {
  const { t, lang, unitTypeName } = useI18n()
  const { me } = useAuth()
  const { message } = App.useApp()
  const [params, setParams] = useSearchParams()
  const unitParam = Number(params.get('unitId'))
  const unitId = Number.isInteger(unitParam) && unitParam > 0 ? unitParam : null
  const { custom, ...period } = usePeriod(params)
  const dim: Dim = params.get('dim') === 'handler' ? 'handler' : 'area'
  const granParam = params.get('gran')
  const granularity: Granularity | undefined = granParam === 'day' || granParam === 'week' || granParam === 'month' ? granParam : undefined

  const [board, setBoard] = useState<BoardView | null>(null)
  const [trend, setTrend] = useState<TrendView | null>(null)
  const [defs, setDefs] = useState<Definitions | null>(null)
  const [weights, setWeights] = useState<WeightsView | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [trendError, setTrendError] = useState<string | null>(null)
  const [loading, setLoading] = useState(false)
  const [drill, setDrill] = useState<DrillTarget | null>(null)
  const [defsOpen, setDefsOpen] = useState(false)
  const [weightsOpen, setWeightsOpen] = useState(false)
  const [exporting, setExporting] = useState(false)

  const update = (patch: Record<string, string | null>) =>
    setParams((current) => {
      const next = new URLSearchParams(current)
      for (const [k, v] of Object.entries(patch)) {
        if (v === null) next.delete(k)
        else next.set(k, v)
      }
      return next
    }, { replace: true })

  // Without a unit in the address: the unit of my first grant that may read the board, else the first county.
  useEffect(() => {
    if (unitId !== null || !me) return
    const fromGrant = me.grants.find((g) => g.unitId !== null && roleAllows(g.role, 'board.read'))?.unitId
    if (fromGrant) {
      update({ unitId: String(fromGrant) })
      return
    }
    unwrap(api.GET('/api/units', { params: { query: { type: 'county', pageSize: 1 } } })).then(
      (page) => page.items[0] && update({ unitId: String(page.items[0].id) }),
      (err: unknown) => setError(errorMessage(err)),
    )
  }, [unitId, me])

  useEffect(() => {
    unwrap(api.GET('/api/board/definitions')).then(setDefs, () => undefined)
  }, [])

  const periodKey = JSON.stringify(period)
  useEffect(() => {
    if (unitId === null) return
    let current = true
    setLoading(true)
    const query = { unitId, dim, ...period }
    Promise.all([
      unwrap(api.GET('/api/board', { params: { query } })),
      unwrap(api.GET('/api/board/weights', { params: { query: { unitId } } })),
    ]).then(
      ([b, w]) => {
        if (!current) return
        setBoard(b)
        setWeights(w)
        setError(null)
        setLoading(false)
      },
      (err: unknown) => {
        if (!current) return
        setError(errorMessage(err))
        setBoard(null)
        setLoading(false)
      },
    )
    unwrap(api.GET('/api/board/trend', { params: { query: { ...query, granularity } } })).then(
      (tr) => {
        if (!current) return
        setTrend(tr)
        setTrendError(null)
      },
      (err: unknown) => {
        if (!current) return
        setTrend(null)
        setTrendError(errorMessage(err))
      },
    )
    return () => {
      current = false
    }
  }, [unitId, dim, periodKey, granularity])

  const canEditWeights = useMemo(
    () => !!weights && !!me?.grants.some((g) => roleAllows(g.role, 'catalog.manage') && (g.unitId === null || g.unitId === weights.countyId)),
    [me, weights],
  )

  const openDrill = (metric: DrillMetric, part: 'numerator' | 'denominator' = 'numerator', unit?: { id: number; name: string }) => {
    if (!board) return
    setDrill({ unitId: unit?.id ?? board.unit.id, unitName: unit?.name ?? board.unit.name, metric, part })
  }

  const trendOption = useMemo(() => {
    if (!trend) return null
    const names = [t('board.rate.response'), t('board.rate.resolution'), t('board.rate.satisfaction'), t('board.composite')]
    const series = (['responseRate', 'resolutionRate', 'satisfactionRate', 'composite'] as const).map((k, i) => ({
      name: names[i], type: 'line', smooth: true, connectNulls: false, symbolSize: 6,
      lineStyle: { width: k === 'composite' ? 3 : 2 },
      data: trend.points.map((p) => (p.figures.rates[k] === null ? null : Math.round(p.figures.rates[k] * 1000) / 10)),
    }))
    return {
      color: RATE_COLORS,
      tooltip: { trigger: 'axis', valueFormatter: (v: number | null) => (v === null || v === undefined ? '—' : `${v}%`) },
      legend: { top: 0 },
      grid: { left: 48, right: 16, top: 36, bottom: 28 },
      xAxis: { type: 'category', data: trend.points.map((p) => p.key), boundaryGap: false },
      yAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
      series,
    }
  }, [trend, t])

  const ranked = useMemo(() => (board ? board.ranking.items.filter((i) => i.rank !== null) : []), [board])
  const rankingOption = useMemo(() => {
    if (!board || ranked.length === 0) return null
    const items = [...ranked].reverse()
    return {
      color: ['#c8102e'],
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: 'value', min: 0, max: 100 },
      yAxis: { type: 'category', data: items.map((i) => i.unit.name), axisLabel: { width: 120, overflow: 'truncate' } },
      series: [{ name: t('board.composite'), type: 'bar', data: items.map((i) => score(i.figures.rates.composite)), label: { show: true, position: 'right' }, barMaxWidth: 22 }],
    }
  }, [board, ranked, t])

  const gaugeOption = useMemo(() => {
    const value = board?.figures.rates.composite
    return {
      series: [{
        type: 'gauge', min: 0, max: 100, radius: '100%', center: ['50%', '64%'], startAngle: 200, endAngle: -20,
        progress: { show: true, width: 16, itemStyle: { color: '#c8102e' } }, axisLine: { lineStyle: { width: 16 } },
        axisTick: { show: false }, splitLine: { show: false }, axisLabel: { show: false },
        pointer: { show: false }, anchor: { show: false }, title: { show: false },
        detail: { valueAnimation: false, fontSize: 30, fontWeight: 700, color: '#1f1f1f', offsetCenter: [0, '8%'], formatter: () => score(value) },
        data: [{ value: value === null || value === undefined ? 0 : Math.round(value * 1000) / 10 }],
      }],
    }
  }, [board])

  const exportNow = async () => {
    if (unitId === null) return
    setExporting(true)
    try {
      await downloadExport({ unitId, dim, ...period })
    } catch (err) {
      void message.error(errorMessage(err))
    } finally {
      setExporting(false)
    }
  }

  const f = board?.figures
  const w = board?.weights
  const presetValue = custom ? 'custom' : period.period
  const thisYear = dayjs().year()

  const rankingColumns = [
    { key: 'rank', title: t('board.ranking.rank'), dataIndex: 'rank', width: 64, render: (v: number | null) => v ?? '—' },
    {
      key: 'unit', title: t('board.ranking.unit'), dataIndex: ['unit', 'name'],
      render: (_: unknown, r: RankingItem) => (
        <Tooltip title={t('board.ranking.enter')}>
          <Button type="link" size="small" style={{ paddingInline: 0 }} onClick={() => update({ unitId: String(r.unit.id) })} data-testid="ranking-unit">
            {r.unit.name}
          </Button>
        </Tooltip>
      ),
    },
    { key: 'type', title: t('board.ranking.type'), dataIndex: ['unit', 'type'], render: (v: string) => unitTypeName(v as Parameters<typeof unitTypeName>[0]) },
    {
      key: 'counted', title: t('board.count.counted'), dataIndex: ['figures', 'counts', 'counted'],
      render: (v: number, r: RankingItem) => <a onClick={() => openDrill('counted', 'numerator', r.unit)}>{v}</a>,
    },
    ...RATE_CARDS.map((c) => ({
      key: c.key, title: t(c.label), dataIndex: ['figures', 'rates', c.rate],
      render: (v: number | null, r: RankingItem) => <a onClick={() => openDrill(c.key, 'numerator', r.unit)}>{pct(v)}</a>,
    })),
    { key: 'composite', title: t('board.composite'), dataIndex: ['figures', 'rates', 'composite'], render: (v: number | null) => <Typography.Text strong>{score(v)}</Typography.Text> },
    {
      key: 'overdue', title: t('board.count.overdue'), dataIndex: ['figures', 'counts', 'overdue'],
      render: (v: number, r: RankingItem) => <a style={{ color: v > 0 ? '#cf1322' : undefined }} onClick={() => openDrill('overdue', 'numerator', r.unit)}>{v}</a>,
    },
    { key: 'open', title: t('board.count.open'), dataIndex: ['figures', 'counts', 'open'], render: (v: number, r: RankingItem) => <a onClick={() => openDrill('open', 'numerator', r.unit)}>{v}</a> },
  ]

  return (
    <PageCard
      title={t('board.title')}
      extra={
        <Space wrap>
          <Button onClick={() => setDefsOpen(true)} icon={<InfoCircleOutlined />} data-testid="board-definitions">{t('board.definitions')}</Button>
          {canEditWeights && <Button icon={<SettingOutlined />} onClick={() => setWeightsOpen(true)} data-testid="board-weights">{t('board.weights.title')}</Button>}
          <Button icon={<DownloadOutlined />} loading={exporting} disabled={!board} onClick={() => void exportNow()} data-testid="board-export">{t('board.export')}</Button>
        </Space>
      }
    >
      <Flex vertical gap={16}>
        <Flex wrap gap={12} align="center">
          <UnitSelect value={unitId ?? undefined} onChange={(id) => typeof id === 'number' && update({ unitId: String(id) })} style={{ width: 260 }} data-testid="board-unit" />
          <Select
            value={presetValue}
            onChange={(v: string) => (v === 'custom'
              ? update({ period: null, year: null, from: dayjs().startOf('month').format('YYYY-MM-DD'), to: dayjs().format('YYYY-MM-DD') })
              : update({ period: v, from: null, to: null, ...(v === 'h1' || v === 'h2' ? {} : { year: null }) }))}
            options={[...PRESETS.map((p) => ({ value: p, label: t(presetKeys[p]) })), { value: 'custom', label: t('board.period.custom') }]}
            style={{ width: 130 }}
            data-testid="board-period"
          />
          {(period.period === 'h1' || period.period === 'h2') && (
            <Select
              value={period.year ?? thisYear}
              onChange={(y: number) => update({ year: String(y) })}
              options={[0, 1, 2, 3].map((d) => ({ value: thisYear - d, label: String(thisYear - d) }))}
              style={{ width: 96 }}
            />
          )}
          {custom && (
            <DatePicker.RangePicker
              value={[dayjs(period.from), dayjs(period.to)]}
              allowClear={false}
              onChange={(range) => range?.[0] && range[1] && update({ from: range[0].format('YYYY-MM-DD'), to: range[1].format('YYYY-MM-DD') })}
            />
          )}
          <Segmented<Dim>
            value={dim}
            onChange={(v) => update({ dim: v === 'handler' ? 'handler' : null })}
            options={[{ value: 'area', label: t('board.dim.area') }, { value: 'handler', label: t('board.dim.handler') }]}
          />
          <DefinitionInfo defs={defs} keyName="scope" />
        </Flex>
        {board && (
          <Typography.Text type="secondary" data-testid="board-scope">
            {t('board.scopeLine', { unit: board.unit.name, from: board.period.from, to: board.period.to })}
          </Typography.Text>
        )}
        {error && <Alert type="error" showIcon title={t('common.loadFailed')} description={error} data-testid="board-error" />}
        {!board && !error && (loading || unitId === null) && <Skeleton active />}
        {board && f && w && (
          <>
            <Row gutter={[16, 16]}>
              {RATE_CARDS.map((c) => (
                <Col xs={12} xl={6} key={c.key}>
                  <RateCard
                    label={t(c.label)}
                    value={pct(f.rates[c.rate])}
                    rawValue={f.rates[c.rate]}
                    sub={c.numerator
                      ? t('board.fraction', { a: f.counts[c.numerator], b: f.counts[c.denominator] })
                      : t('board.satisfactionFraction', { s: f.counts.satisfied, b: f.counts.basicallySatisfied, n: f.counts.rated })}
                    info={<DefinitionInfo defs={defs} keyName={c.key} />}
                    onClick={() => openDrill(c.key)}
                    testId={`figure-${c.key}`}
                  />
                </Col>
              ))}
              <Col xs={12} xl={6}>
                <Card styles={{ body: { padding: '12px 12px 0' } }} data-testid="figure-composite" data-value={f.rates.composite ?? ''} hoverable onClick={() => openDrill('counted')} style={{ height: '100%' }}>
                  <Space size={6}>
                    <Typography.Text type="secondary" style={{ fontSize: 15 }}>{t('board.composite')}</Typography.Text>
                    <DefinitionInfo defs={defs} keyName="composite" />
                  </Space>
                  <Chart option={gaugeOption} height={150} />
                  <Typography.Text type="secondary" style={{ fontSize: 12, display: 'block', textAlign: 'center', paddingBottom: 8 }}>
                    {t('board.weightsLine', { r: w.response, s: w.resolution, m: w.satisfaction, b: w.basicallySatisfied })}
                  </Typography.Text>
                </Card>
              </Col>
            </Row>

            <Row gutter={[12, 12]}>
              {COUNT_TILES.map((c) => (
                <Col xs={12} sm={8} md={6} xl={3} key={c.metric}>
                  <Tile
                    label={t(c.label)}
                    value={f.counts[c.count]}
                    raw={f.counts[c.count]}
                    danger={(c.metric === 'overdue' || c.metric === 'dissatisfied') && f.counts[c.count] > 0}
                    onClick={() => openDrill(c.metric)}
                    info={<DefinitionInfo defs={defs} keyName={c.def} />}
                    testId={`count-${c.metric}`}
                  />
                </Col>
              ))}
              <Col xs={12} sm={8} md={6} xl={6}>
                <Tile label={t('board.rate.onTime')} value={pct(f.rates.onTimeResolutionRate)} raw={f.rates.onTimeResolutionRate} onClick={() => openDrill('on_time_resolution_rate')} info={<DefinitionInfo defs={defs} keyName="on_time_resolution_rate" />} testId="figure-on_time" />
              </Col>
              <Col xs={12} sm={8} md={6} xl={6}>
                <Tile label={t('board.hours.calendar')} value={hoursText(f.hours.avgHandling)} raw={f.hours.avgHandling} onClick={() => openDrill('avg_handling_hours')} info={<DefinitionInfo defs={defs} keyName="handling_hours" />} testId="figure-hours" />
              </Col>
              <Col xs={12} sm={8} md={6} xl={6}>
                <Tile label={t('board.hours.working')} value={hoursText(f.hours.avgWorking)} raw={f.hours.avgWorking} onClick={() => openDrill('avg_handling_hours')} info={<DefinitionInfo defs={defs} keyName="handling_hours" />} testId="figure-working-hours" />
              </Col>
              <Col xs={12} sm={8} md={6} xl={6}>
                <Tile label={t('board.count.excluded')} value={f.counts.excluded} raw={f.counts.excluded} info={<DefinitionInfo defs={defs} keyName="counted" />} testId="count-excluded" />
              </Col>
            </Row>

            <Row gutter={[16, 16]}>
              <Col xs={24} xl={12}>
                <Card
                  title={t('board.trend.title')}
                  size="small"
                  extra={
                    <Segmented
                      size="small"
                      value={granularity ?? 'auto'}
                      onChange={(v) => update({ gran: v === 'auto' ? null : String(v) })}
                      options={[
                        { value: 'auto', label: t('board.trend.auto') }, { value: 'day', label: t('board.trend.day') },
                        { value: 'week', label: t('board.trend.week') }, { value: 'month', label: t('board.trend.month') },
                      ]}
                    />
                  }
                >
                  {trendError ? <Alert type="warning" showIcon title={trendError} /> : trendOption && trend && trend.points.some((p) => p.figures.counts.submitted > 0)
                    ? <Chart option={trendOption} height={300} data-testid="board-trend" />
                    : <Empty description={t('board.empty')} />}
                </Card>
              </Col>
              <Col xs={24} xl={12}>
                <Card title={t('board.ranking.title', { of: board.ranking.of === 'children' ? t('board.ranking.children') : unitTypeName(board.ranking.of as Parameters<typeof unitTypeName>[0]) })} size="small">
                  {rankingOption ? (
                    <Chart
                      option={rankingOption}
                      height={Math.max(160, ranked.length * 34 + 24)}
                      onClick={(e) => {
                        const item = [...ranked].reverse()[e.dataIndex]
                        if (item) openDrill('counted', 'numerator', item.unit)
                      }}
                      data-testid="board-ranking-chart"
                    />
                  ) : (
                    <Empty description={t('board.ranking.none')} />
                  )}
                </Card>
              </Col>
            </Row>

            {board.ranking.items.length > 0 && (
              <Card title={t('board.ranking.table')} size="small">
                <Table<RankingItem>
                  rowKey={(r) => r.unit.id}
                  size="small"
                  columns={rankingColumns}
                  dataSource={board.ranking.items}
                  pagination={board.ranking.items.length > 20 ? { pageSize: 20 } : false}
                  scroll={{ x: 'max-content' }}
                  data-testid="board-ranking"
                />
              </Card>
            )}
            {board.predecessors.length > 0 && (
              <Typography.Text type="secondary">
                {t('board.predecessors')} {board.predecessors.map((p) => <Tag key={p.unit.id}>{p.unit.name}</Tag>)}
              </Typography.Text>
            )}
          </>
        )}
      </Flex>

      <DrillDrawer target={drill} period={period} dim={dim} onClose={() => setDrill(null)} />

      <Drawer open={defsOpen} onClose={() => setDefsOpen(false)} title={t('board.definitions')} size={Math.min(520, window.innerWidth)} data-testid="definitions-drawer">
        {defs ? (
          <Flex vertical gap={16}>
            {defs.definitions.map((d) => (
              <div key={d.key}>
                <Typography.Title level={5} style={{ marginBottom: 4 }}>{d.name[lang]}</Typography.Title>
                <Typography.Paragraph strong style={{ marginBottom: 4 }}>{d.formula[lang]}</Typography.Paragraph>
                <Typography.Paragraph type="secondary" style={{ margin: 0 }}>{d.description[lang]}</Typography.Paragraph>
              </div>
            ))}
          </Flex>
        ) : (
          <Skeleton active />
        )}
      </Drawer>

      {unitId !== null && (
        <WeightsDialog
          open={weightsOpen}
          unitId={unitId}
          view={weights}
          onClose={() => setWeightsOpen(false)}
          onSaved={(v) => {
            setWeights(v)
            setWeightsOpen(false)
            void message.success(t('board.weights.saved'))
            // The composite changes with the weights: reload the figures.
            unwrap(api.GET('/api/board', { params: { query: { unitId, dim, ...period } } })).then(setBoard, () => undefined)
          }}
        />
      )}
    </PageCard>
  )
}
