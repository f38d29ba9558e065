import { Type } from 'typebox'
import type { App } from '../../server/types.js'
import { BoardQuery, BoardView, DefinitionsView, DrillPage, DrillQuery, ExportQuery, TrendQuery, TrendView, WeightsInput, WeightsQuery, WeightsView } from './schema.js'
import * as service from './service.js'

const tags = ['board']
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
const Binary = Type.Unsafe<Buffer>({ type: 'string', format: 'binary' })

export function boardRoutes(app: App): void {
  app.get('/api/board', {
    schema: {
      summary: '三率 board of a unit subtree for a period: counts, rates, composite, handling hours, and the ranking of its children (or of a unit type)',
      tags, querystring: BoardQuery, response: { 200: BoardView },
    },
    config: { action: 'board.read' },
  }, (req) => service.getBoard(app.db, req.actor, req.query))

  app.get('/api/board/trend', {
    schema: { summary: 'The figures per day, week or month of the period (for the trend chart)', tags, querystring: TrendQuery, response: { 200: TrendView } },
    config: { action: 'board.read' },
  }, (req) => service.getTrend(app.db, req.actor, req.query))

  app.get('/api/board/cases', {
    schema: {
      summary: 'Drill-down: the cases behind a number (metric and part), a page of the requests list; total equals the number on the board',
      tags, querystring: DrillQuery, response: { 200: DrillPage },
    },
    config: { action: 'board.read' },
  }, (req) => service.drillDown(app.db, req.actor, req.query))

  app.get('/api/board/definitions', {
    schema: { summary: 'How every number of the board is defined (zh and en texts the UI shows)', tags, response: { 200: DefinitionsView } },
    config: { action: 'board.read' },
  }, () => service.getDefinitions())

  app.get('/api/board/weights', {
    schema: { summary: 'The weights of the composite score in force for a unit\'s county', tags, querystring: WeightsQuery, response: { 200: WeightsView } },
    config: { action: 'board.read' },
  }, (req) => service.getWeights(app.db, req.actor, req.query))

  app.put('/api/board/weights', {
    schema: {
      summary: 'Set the county\'s weights (response + resolution + satisfaction = 1, and the credit of 基本满意); catalog.manage on the county, audited',
      tags, body: WeightsInput, response: { 200: WeightsView },
    },
    config: { action: 'catalog.manage' },
  }, (req) => service.setWeights(app.db, req.actor, req.body))

  app.get('/api/board/export.xlsx', {
    schema: {
      summary: 'The board and its ranking as an .xlsx workbook (Chinese headers)', tags, querystring: ExportQuery,
      response: { 200: { description: 'The workbook', content: { [XLSX]: { schema: Binary } } } },
    },
    config: { action: 'board.read' },
  }, async (req, reply) => {
    const { file, fileName } = await service.exportBoard(app.db, req.actor, req.query)
    return reply
      .header('content-type', XLSX)
      .header('content-disposition', `attachment; filename="board.xlsx"; filename*=UTF-8''${encodeURIComponent(fileName)}`)
      .header('cache-control', 'private, no-store')
      .send(file)
  })
}
