/** An ECharts canvas for the board (lines, bars, gauges; tree-shaken) that follows its container's width. */
import { useEffect, useRef } from 'react'
import * as echarts from 'echarts/core'
import { BarChart, GaugeChart, LineChart } from 'echarts/charts'
import { GridComponent, LegendComponent, MarkLineComponent, TooltipComponent } from 'echarts/components'
import { CanvasRenderer } from 'echarts/renderers'
import type { EChartsCoreOption } from 'echarts/core'

echarts.use([BarChart, GaugeChart, LineChart, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent, CanvasRenderer])

export interface ChartClick {
  name: string
  dataIndex: number
  seriesName?: string
}

export function Chart({ option, height = 280, onClick, 'data-testid': testId }: { option: EChartsCoreOption; height?: number; onClick?: (e: ChartClick) => void; 'data-testid'?: string }) {
  const element = useRef<HTMLDivElement>(null)
  const chart = useRef<echarts.ECharts | null>(null)
  const clickRef = useRef(onClick)
  clickRef.current = onClick

  useEffect(() => {
    const node = element.current
    if (!node) return
    const instance = echarts.init(node, undefined, { renderer: 'canvas' })
    chart.current = instance
    instance.on('click', (e) => clickRef.current?.({ name: String(e.name ?? ''), dataIndex: e.dataIndex ?? -1, seriesName: e.seriesName }))
    const observer = new ResizeObserver(() => instance.resize())
    observer.observe(node)
    return () => {
      observer.disconnect()
      instance.dispose()
      chart.current = null
    }
  }, [])

  useEffect(() => {
    chart.current?.setOption(option, { notMerge: true })
  }, [option])

  return <div ref={element} style={{ width: '100%', height }} data-testid={testId} />
}
