import ExcelJS from 'exceljs'
import type { Figures } from './definitions.js'
import type { BoardView } from './schema.js'

/** The board and its ranking as one small workbook with Chinese headers, built in memory. */

const typeNames: Record<string, string> = {
  county: '县', town: '镇', subdistrict: '街道', village: '村', new_village: '新村', community: '社区', grid: '网格',
  compound: '小区', building: '楼院', agency: '机关', park: '园区', enterprise: '企业',
}
const presetNames: Record<string, string> = {
  this_month: '本月', last_month: '上月', this_quarter: '本季度', last_quarter: '上季度', this_half: '本半年度', last_half: '上一个半年',
  h1: '上半年', h2: '下半年', this_year: '本年', last_year: '上年',
}
const PERCENT = '0.00%'
const HOURS = '0.0'

type Cell = string | number | null

const rateCells = (f: Figures): Cell[] => [
  f.rates.responseRate, f.rates.resolutionRate, f.rates.satisfactionRate, f.rates.composite === null ? null : f.rates.composite * 100, f.rates.onTimeResolutionRate,
]

export const exportFileName = (board: BoardView) => `三率_${board.unit.name}_${board.period.from}_${board.period.to}.xlsx`

export async function boardWorkbook(board: BoardView): Promise<Buffer> {
  const wb = new ExcelJS.Workbook()
  wb.creator = 'Chorus'
  const dash = '—'
  const w = board.weights

  const summary = wb.addWorksheet('三率汇总', { views: [{ state: 'frozen', ySplit: 1 }] })
  summary.columns = [{ header: '项目', width: 26 }, { header: '数值', width: 16 }, { header: '说明', width: 70 }]
  summary.getRow(1).font = { bold: true }
  const f = board.figures
  const line = (label: string, value: Cell, note = '', numFmt?: string) => {
    const row = summary.addRow([label, value ?? dash, note])
    if (numFmt && value !== null) row.getCell(2).numFmt = numFmt
  }
  line('单位', board.unit.name, `${typeNames[board.unit.type] ?? board.unit.type}${board.unit.code ? ` · ${board.unit.code}` : ''}`)
  line('统计期', `${board.period.from} 至 ${board.period.to}`, board.period.preset ? presetNames[board.period.preset] ?? board.period.preset : '自定义')
  line('统计口径', board.dim === 'area' ? '区域口径' : '承办口径', board.dim === 'area' ? '发生在本单位及下级的诉求' : '由本单位及下级承办的诉求')
  if (board.predecessors.length > 0) line('含前身单位', board.predecessors.map((p) => p.unit.name).join('、'))
  line('响应率', f.rates.responseRate, `按时签收 ${f.counts.respondedOnTime} ÷ 计入 ${f.counts.counted};权重 ${w.response}`, PERCENT)
  line('解决率', f.rates.resolutionRate, `答复已解决 ${f.counts.solved} ÷ 已评价 ${f.counts.rated};权重 ${w.resolution}`, PERCENT)
  line('满意率', f.rates.satisfactionRate, `(满意 ${f.counts.satisfied} + ${w.basicallySatisfied} × 基本满意 ${f.counts.basicallySatisfied}) ÷ 已评价 ${f.counts.rated};权重 ${w.satisfaction}`, PERCENT)
  line('综合得分', f.rates.composite === null ? null : f.rates.composite * 100, '百分制;"—"的比率不参与,其余权重按比例放大', '0.00')
  line('按时办结率', f.rates.onTimeResolutionRate, `按期办结 ${f.counts.resolvedOnTime} ÷ 已办结 ${f.counts.resolved}`, PERCENT)
  line('提交件数', f.counts.submitted)
  line('计入件数', f.counts.counted, `免考核或被合并 ${f.counts.excluded} 件不计入`)
  line('超期件数', f.counts.overdue)
  line('在办件数', f.counts.open)
  line('重办件数', f.counts.reopened)
  line('平均办理时长(自然小时)', f.hours.avgHandling, '', HOURS)
  line('平均办理时长(工作小时)', f.hours.avgWorking, '扣除暂停等待时间', HOURS)

  const ranking = wb.addWorksheet('下级排名', { views: [{ state: 'frozen', ySplit: 1 }] })
  ranking.columns = [
    { header: '排名', width: 6 }, { header: '单位', width: 28 }, { header: '类型', width: 8 }, { header: '提交件数', width: 10 }, { header: '计入件数', width: 10 },
    { header: '响应率', width: 10, style: { numFmt: PERCENT } }, { header: '解决率', width: 10, style: { numFmt: PERCENT } },
    { header: '满意率', width: 10, style: { numFmt: PERCENT } }, { header: '综合得分', width: 10, style: { numFmt: '0.00' } },
    { header: '按时办结率', width: 12, style: { numFmt: PERCENT } }, { header: '超期件数', width: 10 }, { header: '在办件数', width: 10 },
    { header: '平均办理时长(自然小时)', width: 22, style: { numFmt: HOURS } }, { header: '平均办理时长(工作小时)', width: 22, style: { numFmt: HOURS } },
  ]
  ranking.getRow(1).font = { bold: true }
  for (const item of board.ranking.items) {
    const g = item.figures
    ranking.addRow([
      item.rank ?? dash, item.unit.name, typeNames[item.unit.type] ?? item.unit.type, g.counts.submitted, g.counts.counted,
      ...rateCells(g).map((v) => v ?? dash), g.counts.overdue, g.counts.open, g.hours.avgHandling ?? dash, g.hours.avgWorking ?? dash,
    ])
  }
  return Buffer.from(await wb.xlsx.writeBuffer())
}
