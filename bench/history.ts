/**
 * The bench county and its request history, written fast.
 *
 * The county tree has the shape the source article gives 东阿县 (2 sub-districts and 9 towns;
 * 12 urban communities holding 220 compounds, 吉祥苑社区 with 53 compounds in 13 grids; villages and
 * new villages with their grid villages; county and dispatched agencies; the development zone with
 * 153 enterprises; property companies). Units go in with direct inserts in one transaction.
 *
 * Requests are history: submitted over the last `days` days up to `endDay`, most of them closed and
 * rated, recent ones still open (some overdue, flagged as the sweep would have flagged them), a few
 * excluded by an appeal or merged. They are written with prepared multi-row INSERTs (run.ts), 20,000
 * rows per transaction, without timeline events (the board reads only the request rows and the rollups);
 * run.ts then gives each its lead unit row (request_unit, which the inbox reads) and builds the rollups
 * once with the requests module's rebuildRollups.
 */
import crypto from 'node:crypto'
import type { Insertable } from 'kysely'
import type { Db } from '../src/db/connect.js'
import type { RequestTable } from '../src/db/tables/requests.js'

export interface Unit { id: number; path: string; depth: number; name: string; type: string; code: string | null }

/** A small deterministic generator (mulberry32), so runs are comparable. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let x = a
    x = Math.imul(x ^ (x >>> 15), x | 1)
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61)
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
}

const COMMUNITIES: [town: string, name: string, compounds: number, grids: number][] = [
  ['铜城街道', '吉祥苑社区', 53, 13], ['铜城街道', '洛神湖社区', 18, 5], ['铜城街道', '阿胶街社区', 17, 5], ['铜城街道', '曙光社区', 15, 4],
  ['铜城街道', '府前社区', 14, 4], ['铜城街道', '香江社区', 13, 4], ['铜城街道', '东关社区', 12, 3], ['新城街道', '新城社区', 17, 5],
  ['新城街道', '艾山社区', 16, 4], ['新城街道', '滨河社区', 16, 4], ['新城街道', '曹植社区', 15, 4], ['新城街道', '少岱山社区', 14, 4],
]
const TOWNS: [name: string, code: string, type: 'town' | 'subdistrict', villages: number, newVillages: number][] = [
  ['铜城街道', '371524001', 'subdistrict', 8, 0], ['新城街道', '371524002', 'subdistrict', 7, 0], ['刘集镇', '371524101', 'town', 13, 0],
  ['牛角店镇', '371524102', 'town', 10, 1], ['大桥镇', '371524103', 'town', 14, 0], ['高集镇', '371524104', 'town', 12, 0],
  ['姜楼镇', '371524105', 'town', 9, 1], ['姚寨镇', '371524106', 'town', 13, 0], ['鱼山镇', '371524107', 'town', 12, 0],
  ['陈集镇', '371524108', 'town', 10, 1], ['油坊镇', '371524109', 'town', 9, 1],
]
const COUNTY_AGENCIES = [
  '县委组织部', '县行政审批服务局', '县公安局', '县民政局', '县人力资源和社会保障局', '县住房和城乡建设局', '县自然资源和规划局', '县生态环境分局',
  '县城市管理局', '县市场监督管理局', '县卫生健康局', '县教育和体育局', '县交通运输局', '县水利局', '县农业农村局', '县应急管理局', '黄河河务局',
  '县医疗保障局', '县退役军人事务局', '县供电公司', '县自来水公司', '县燃气公司', '县热力公司', '县邮政分公司',
]
const DISPATCHED = ['派出所', '司法所', '市场监管所']

export interface BenchCounty {
  county: Unit
  /** 吉祥苑社区: the inbox bench logs in as its community worker. */
  jixiangyuan: Unit
  /** A compound of 吉祥苑社区 with a QR code, for the intake bench. */
  intakeCompound: Unit
  units: number
  /** Where requests happen, with who may handle them. */
  places: Place[]
}

interface Place {
  unit: Unit
  weight: number
  /** Handlers with their weights. */
  handlers: [Unit, number][]
}

/** The county tree, inserted directly (one transaction). */
export async function buildCounty(db: Db, random: () => number): Promise<BenchCounty> {
  const now = new Date().toISOString()
  let units = 0
  return db.transaction().execute(async (trx) => {
    const add = async (parent: Unit | null, type: string, name: string, code: string | null = null): Promise<Unit> => {
      const { id } = await trx.insertInto('unit').values({
        parent_id: parent?.id ?? null, county_id: null, type, name, code, path: `/tmp-${crypto.randomUUID()}/`, depth: parent ? parent.depth + 1 : 0,
        address: null, created_at: now, updated_at: now,
      }).returning('id').executeTakeFirstOrThrow()
      const path = `${parent?.path ?? '/'}${id}/`
      await trx.updateTable('unit').set({ path, county_id: parent ? Number(parent.path.split('/')[1]) : id }).where('id', '=', id).execute()
      units++
      return { id, path, depth: parent ? parent.depth + 1 : 0, name, type, code }
    }
    const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)]!
    const county = await add(null, 'county', '东阿县', '371524')
    const agencies: Unit[] = []
    for (const [i, name] of COUNTY_AGENCIES.entries()) agencies.push(await add(county, 'agency', name, `A3715240${String(i + 1).padStart(2, '0')}`))
    const park = await add(county, 'park', '东阿经济开发区')
    const propertyCompanies: Unit[] = []
    for (let i = 1; i <= 12; i++) propertyCompanies.push(await add(county, 'enterprise', `东阿县第${i}物业服务有限公司`))
    const places: Place[] = []
    let jixiangyuan: Unit | null = null
    let intakeCompound: Unit | null = null
    for (let e = 1; e <= 153; e++) {
      const ent = await add(park, 'enterprise', `开发区企业${e}`)
      places.push({ unit: ent, weight: 0.3, handlers: [[park, 0.7], [pick(agencies), 0.3]] })
    }
    for (const [townName, townCode, type, villages, newVillages] of TOWNS) {
      const town = await add(county, type, townName, townCode)
      const local = [] as Unit[]
      for (const suffix of DISPATCHED) local.push(await add(town, 'agency', `${townName}${suffix}`))
      for (const [, name, compounds, grids] of COMMUNITIES.filter((c) => c[0] === townName)) {
        const community = await add(town, 'community', name, `${townCode}${String(COMMUNITIES.findIndex((c) => c[1] === name) + 1).padStart(3, '0')}`)
        if (name === '吉祥苑社区') jixiangyuan = community
        const gridUnits: Unit[] = []
        for (let g = 1; g <= grids; g++) gridUnits.push(await add(community, 'grid', `${name}第${g}网格`))
        for (let k = 1; k <= compounds; k++) {
          const grid = gridUnits[(k - 1) % grids]!
          const compound = await add(grid, 'compound', `${name.replace('社区', '')}${k}号小区`, `C${community.id}-${k}`)
          if (name === '吉祥苑社区' && k === 1) intakeCompound = compound
          const property = pick(propertyCompanies)
          const handlers: [Unit, number][] = [[community, 0.5], [grid, 0.2], [property, 0.2], [pick([...local, ...agencies]), 0.1]]
          places.push({ unit: compound, weight: 1, handlers })
          const buildings = 2 + Math.floor(random() * 7)
          for (let b = 1; b <= buildings; b++) {
            const building = await add(compound, 'building', `${b}号楼`)
            places.push({ unit: building, weight: 0.6, handlers })
          }
        }
      }
      for (let v = 1; v <= villages; v++) {
        const village = await add(town, 'village', `${townName.slice(0, 2)}${v}村`, `${townCode}2${String(v).padStart(2, '0')}`)
        places.push({ unit: village, weight: 2.2, handlers: [[village, 0.6], [town, 0.25], [pick(local), 0.15]] })
      }
      for (let n = 1; n <= newVillages; n++) {
        const nv = await add(town, 'new_village', `${townName.slice(0, 2)}新村`, `${townCode}3${String(n).padStart(2, '0')}`)
        for (let g = 1; g <= 4; g++) {
          const gridVillage = await add(nv, 'grid', `${townName.slice(0, 2)}新村第${g}网格村`)
          places.push({ unit: gridVillage, weight: 2, handlers: [[nv, 0.6], [gridVillage, 0.2], [pick(local), 0.2]] })
        }
      }
    }
    if (!jixiangyuan || !intakeCompound) throw new Error('the bench county lacks 吉祥苑社区')
    return { county, jixiangyuan, intakeCompound, units, places }
  })
}

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR
const SHANGHAI = 8 * HOUR
const TITLES = ['水电维修', '楼道照明', '噪音扰民', '垃圾清运', '下水道堵塞', '路灯不亮', '助老陪诊', '社保咨询', '违章停车', '绿化修剪', '电梯故障', '供暖不热']
const SOURCES = ['qr', 'qr', 'qr', 'hotline', 'hotline', 'walk_in', 'patrol']

function chooser(weights: number[], random: () => number): () => number {
  const cumulative: number[] = []
  let sum = 0
  for (const w of weights) cumulative.push((sum += w))
  return () => {
    const x = random() * sum
    let lo = 0
    let hi = cumulative.length - 1
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (cumulative[mid]! < x) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}

/** Random tracking codes (144 bits, like the app's), drawn from one buffer refilled now and then. */
let pool = Buffer.alloc(0)
let poolAt = 0
function nextTrackingCode(): string {
  if (poolAt + 18 > pool.length) { pool = crypto.randomBytes(18 * 10_000); poolAt = 0 }
  poolAt += 18
  return pool.toString('base64url', poolAt - 18, poolAt)
}

const iso = (ms: number) => new Date(ms).toISOString()
const dayOf = (ms: number) => new Date(ms + SHANGHAI).toISOString().slice(0, 10)

/** One request of the history, submitted at `submitted` (ms), looked at from `now` (ms). */
function requestRow(random: () => number, countyId: number, place: Place, handler: Unit, submitted: number, now: number): Insertable<RequestTable> {
  const age = (now - submitted) / DAY
  const responseDue = submitted + 4 * HOUR
  const resolutionDue = submitted + 7 * DAY
  // The chance a case is still open falls with its age.
  const open = random() < 0.9 * Math.exp(-age / 4) + (age < 60 ? 0.01 : 0.002)
  const accepted = open && age < 0.25 && random() < 0.4 ? null : submitted + Math.min(age * DAY, -Math.log(1 - random()) * 1.4 * HOUR)
  let status: string
  let resolved: number | null = null
  if (open) status = accepted === null ? 'submitted' : (['accepted', 'dispatched', 'in_progress'] as const)[Math.floor(random() * 3)]!
  else {
    resolved = Math.min(now - MINUTE, (accepted ?? submitted) + Math.exp(Math.log(1.5 * DAY) + 1.8 * (random() * 2 - 1)))
    status = 'closed'
  }
  const merged = !open && random() < 0.01
  if (merged) { status = 'merged'; resolved = null }
  const rated = resolved !== null && random() < 0.85
  const solved = rated ? random() < 0.92 : false
  const s = random()
  const satisfaction = !rated ? null : solved ? (s < 0.78 ? 'satisfied' : s < 0.96 ? 'basically_satisfied' : 'dissatisfied') : (s < 0.2 ? 'basically_satisfied' : 'dissatisfied')
  if (rated && resolved !== null && now - resolved < 15 * DAY) status = random() < 0.5 ? 'rated' : 'closed'
  else if (!rated && resolved !== null && now - resolved < 15 * DAY) status = 'resolved'
  const handling = resolved === null ? null : Math.round((resolved - submitted) / MINUTE)
  const overdue = (resolved !== null && resolved > resolutionDue) || (open && now > resolutionDue) ? 1 : 0
  const trackingCode = nextTrackingCode()
  const at = iso(submitted)
  return {
    county_id: countyId, tracking_code: trackingCode, source: SOURCES[Math.floor(random() * SOURCES.length)]!, item_id: null, category_id: null,
    location_unit_id: place.unit.id, location_path: place.unit.path, handler_unit_id: handler.id, handler_path: handler.path,
    status, is_open: open && !merged ? 1 : 0, priority: random() < 0.05 ? 'urgent' : 'general', title: TITLES[Math.floor(random() * TITLES.length)]!,
    description: '历史诉求', anonymous: 1, submitted_at: at, submitted_day: dayOf(submitted),
    accepted_at: accepted === null ? null : iso(accepted), response_due_at: iso(responseDue), resolution_due_at: iso(resolutionDue),
    warn_at: iso(submitted + 5.6 * DAY), resolved_at: resolved === null ? null : iso(resolved), closed_at: status === 'closed' && resolved !== null ? iso(resolved + 15 * DAY) : null,
    response_overdue: accepted === null ? (now > responseDue ? 1 : 0) : accepted > responseDue ? 1 : 0, resolution_overdue: merged ? 0 : overdue,
    warned: overdue, escalation_level: overdue, reopen_count: rated && random() < 0.04 ? 1 : 0,
    rating_contacted: rated ? 1 : null, rating_solved: rated ? (solved ? 1 : 0) : null, rating_satisfaction: satisfaction,
    rated_at: rated && resolved !== null ? iso(resolved + 2 * HOUR) : null, excluded: !merged && random() < 0.012 ? 1 : 0,
    handling_minutes: handling, working_minutes: handling === null ? null : Math.round(handling * 0.27),
    first_unit_id: handler.id, created_at: at, updated_at: at,
  }
}

export interface HistoryOptions {
  total: number
  /** Days of history, ending the day before `now`. */
  days: number
  now: number
  onProgress(done: number): void
}

/** Writes a chunk of rows in one transaction. */
export type RowSink = (rows: Insertable<RequestTable>[]) => Promise<void>

/** Writes `total` requests spread over the days before today; returns the first and last submission day. */
export async function writeHistory(sink: RowSink, county: BenchCounty, random: () => number, options: HistoryOptions): Promise<{ from: string; to: string }> {
  const pickPlace = chooser(county.places.map((p) => p.weight), random)
  const handlerPickers = county.places.map((p) => chooser(p.handlers.map((h) => h[1]), random))
  const todayStart = Date.parse(`${dayOf(options.now)}T00:00:00+08:00`)
  const start = todayStart - options.days * DAY
  const perTransaction = 20_000
  let done = 0
  while (done < options.total) {
    const n = Math.min(perTransaction, options.total - done)
    const rows: Insertable<RequestTable>[] = []
    for (let j = 0; j < n; j++) {
      // Requests arrive in order over the period, with a working-hours bias inside the day.
      const k = done + j
      const dayIndex = Math.floor((k / options.total) * options.days)
      const hour = random() < 0.8 ? 8 + random() * 10 : random() * 24
      const submitted = start + dayIndex * DAY + hour * HOUR
      const pi = pickPlace()
      const place = county.places[pi]!
      rows.push(requestRow(random, county.county.id, place, place.handlers[handlerPickers[pi]!()]![0], submitted, options.now))
    }
    await sink(rows)
    done += n
    options.onProgress(done)
  }
  return { from: dayOf(start), to: dayOf(todayStart - DAY) }
}

/** The columns every history row sets, in the order the prepared INSERTs bind them. */
export const historyColumns = [
  'county_id', 'tracking_code', 'source', 'item_id', 'category_id', 'location_unit_id', 'location_path', 'handler_unit_id', 'handler_path', 'status',
  'is_open', 'priority', 'title', 'description', 'anonymous', 'submitted_at', 'submitted_day', 'accepted_at', 'response_due_at', 'resolution_due_at',
  'warn_at', 'resolved_at', 'closed_at', 'response_overdue', 'resolution_overdue', 'warned', 'escalation_level', 'reopen_count', 'rating_contacted',
  'rating_solved', 'rating_satisfaction', 'rated_at', 'excluded', 'handling_minutes', 'working_minutes', 'first_unit_id', 'created_at', 'updated_at',
] as const satisfies readonly (keyof RequestTable)[]

export const rowValues = (row: Insertable<RequestTable>): unknown[] => historyColumns.map((c) => row[c] ?? null)
