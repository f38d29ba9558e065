import type { Insertable } from 'kysely'
import type { Db } from '../db/connect.js'
import type { RequestEventTable, RequestRatingTable, RequestTable } from '../db/tables/requests.js'
import { maskMobile, type PiiCipher } from '../lib/pii.js'
import { shanghaiDay } from '../lib/time.js'
import { randomToken } from '../lib/tokens.js'
import { loadCalendar } from '../modules/calendar/service.js'
import { computeDeadline, type WorkingCalendar } from '../modules/calendar/working-time.js'
import { listOfferedItems, resolveRoute } from '../modules/catalog/service.js'
import type { RouteView, ServiceItemView } from '../modules/catalog/schema.js'
import { handlingMinutes, newClock, resolutionDeadlines, responseDueAt, type Clock } from '../modules/requests/deadlines.js'
import { rebuildRollups } from '../modules/requests/rollup.js'
import { handlerRoles } from '../modules/requests/routing.js'
import { personName } from './names.js'
import type { Random } from './random.js'
import * as store from './store.js'

/*
 * A history of service requests for the demo county (issue 3 item 7, part 8): a few thousand cases
 * over the last months, routed by the real catalog routing (resolveRoute), with deadlines from the
 * real working calendar and the requests module's own clock arithmetic (deadlines.ts), and the
 * timeline each transition would have written. Most are closed and rated; recent ones are still
 * open, some past their deadlines (flagged as the sweep would have flagged them). They are written
 * in batches, then the board's rollups are rebuilt from them with the module's rebuildRollups.
 *
 * Tracking codes are random (crypto), not derived from the seed: a tracking code is a secret.
 */

const DAYS_BACK = 180
const AUTO_CLOSE_DAYS = 15
const MINUTE = 60_000

interface Location {
  id: number
  type: string
  name: string
  path: string
  parentId: number | null
  /** The menu the location shares (a community's compounds, the villages, the development zone). */
  menu: string
  setting: 'urban' | 'rural' | 'park'
}

export interface HistoryOptions {
  countyId: number
  countyPath: string
  count: number
  asOf: string
  rng: Random
  report: (done: number, total: number) => void
}

/** What residents write, by item: a few phrasings each; anything else gets a general sentence. */
const DETAILS: [RegExp, string[]][] = [
  [/水电维修/, ['卫生间水管接口漏水,楼下天花板已经渗水。', '厨房插座没电,空开一直跳闸。', '家里水龙头关不严,一直滴水。']],
  [/楼道照明/, ['单元楼道灯不亮,晚上老人上下楼不方便。', '三楼到五楼的声控灯坏了一个多星期。']],
  [/电梯/, ['电梯运行时有异响,停靠不平。', '电梯按钮失灵,经常停在半层。']],
  [/下水管道/, ['厨房下水道堵了,污水反上来。', '楼前化粪池井盖冒水,气味很大。']],
  [/房屋漏水/, ['顶楼下雨漏水,墙皮脱落。', '外墙渗水,卧室墙面发霉。']],
  [/供暖/, ['暖气片不热,室温只有十四五度。', '家里暖气一半热一半凉,请物业排气。']],
  [/垃圾/, ['小区东门垃圾桶满了两天没人清运。', '路边建筑垃圾堆放很久没人清理。']],
  [/楼道杂物/, ['楼道里堆满纸箱和旧家具,影响通行,也有火灾隐患。']],
  [/噪音/, ['楼下商户晚上十点以后还在放音乐。', '隔壁装修周末一大早就开始施工。']],
  [/宠物/, ['邻居的狗经常半夜叫,还在楼道里随地便溺。']],
  [/纠纷/, ['邻居在公共区域私自搭建,双方协商不成,请社区调解。', '因楼上漏水赔偿问题与邻居发生争执。']],
  [/停车/, ['小区门口车辆乱停,消防通道被占。', '有车辆长期占用他人车位。']],
  [/路灯/, ['村西头路灯坏了,晚上路黑。', '小区北侧道路的路灯不亮。']],
  [/燃气/, ['楼道里闻到燃气味,已经开窗通风。']],
  [/消防/, ['有人在楼道给电动车充电,存在火灾隐患。', '消防通道被杂物堵塞。']],
  [/物业服务投诉/, ['物业维修响应慢,报修三天没人来。', '物业收费标准不公开,请社区督促。']],
  [/高龄津贴|养老保险|医保|社保|低保|救助|补贴|残疾/, ['家里老人行动不便,请网格员帮忙代办。', '想咨询办理条件和需要的材料,请帮忙代办。', '材料已经准备好,麻烦帮忙提交。']],
  [/助餐|助浴|助洁|理发|代购|助医|健康|康复|陪伴|文化娱乐|适老化/, ['独居老人,希望预约上门服务。', '老人腿脚不好,想预约这项服务,每周一次。']],
  [/紧急呼叫/, ['老人在家摔倒了,呼叫器报警,请尽快上门。']],
  [/登记|许可|备案|注销|税|营业执照/, ['企业需要办理这项业务,请“红帮办”协助准备材料。', '项目落地需要尽快办结,请帮助协调。']],
]

const RESOLUTIONS = ['已上门处理完毕,居民确认。', '已协调相关单位处理,问题已解决。', '已按规定办结,结果已电话告知。', '已现场核实并整改到位。', '已代办提交,审批通过。']

const COMMENTS = {
  satisfied: ['处理及时,非常满意。', '网格员态度很好,谢谢!', '当天就解决了。', null, null],
  basically_satisfied: ['解决了,就是时间有点长。', '基本满意。', null],
  dissatisfied: ['拖了很久才来,不满意。', '问题只解决了一半。', '没人提前联系。'],
}

function describe(rng: Random, item: ServiceItemView, place: string): string {
  const match = DETAILS.find(([re]) => re.test(item.name))
  const detail = match ? rng.pick(match[1]) : `${item.name},请尽快处理。`
  return `${place}:${detail}`
}

/** How often each item is asked for, by where the request comes from. */
function itemWeight(item: ServiceItemView, setting: Location['setting']): number {
  if (setting === 'park') return item.crossRegion && /登记|许可|税|备案|营业执照|注销/.test(item.name) ? 2 : item.crossRegion ? 0.4 : 0
  if (item.elderlyCare) return 3
  if (item.crossRegion) return 0.05
  if (item.proxyHandling) return setting === 'rural' ? 4 : 1
  if (item.ownerUnitType === 'property_company') return setting === 'urban' ? 5 : 0
  if (/供暖|电梯/.test(item.name) && setting === 'rural') return 0
  return setting === 'urban' ? 2.5 : 2
}

/** A submission instant: more recent days weigh more (the service is catching on); office hours weigh most. */
function submittedAt(rng: Random, end: number): number {
  let days: number
  for (;;) {
    days = rng.int(0, DAYS_BACK - 1)
    if (rng.next() < 0.5 + (0.5 * (DAYS_BACK - days)) / DAYS_BACK) break
  }
  const hour = rng.weighted([[7, 2], [8, 6], [9, 9], [10, 9], [11, 6], [12, 2], [13, 2], [14, 6], [15, 8], [16, 7], [17, 5], [18, 3], [19, 3], [20, 2], [21, 1]])
  // end is a Shanghai midnight; days back, then the local hour (UTC+8).
  return end - (days + 1) * 86_400_000 + (hour - 8) * 3_600_000 + 8 * 3_600_000 + rng.int(0, 59) * MINUTE
}

const iso = (ms: number): string => new Date(ms).toISOString()
/** A deadline as an instant; a calendar that cannot place it (no schedule that far ahead) never arrives. */
const instant = (deadline: string | null): number => (deadline === null ? Number.POSITIVE_INFINITY : Date.parse(deadline))

export async function generateRequestHistory(db: Db, pii: PiiCipher, o: HistoryOptions): Promise<number> {
  const rng = o.rng
  const now = Date.now()
  const end = Math.min(now, Date.parse(`${o.asOf}T00:00:00+08:00`))
  const calendar: WorkingCalendar = await loadCalendar(db, o.countyId)

  const rows = await store.requestLocations(db, o.countyPath)
  const communityIds = new Map(rows.filter((r) => r.type === 'community').map((r) => [r.id, r.name]))
  const parkIds = new Set(rows.filter((r) => r.type === 'park').map((r) => r.id))
  const locations: Location[] = []
  for (const r of rows) {
    const ancestors = r.path.split('/').filter(Boolean).map(Number)
    const community = ancestors.find((id) => communityIds.has(id))
    if (r.type === 'compound' && community !== undefined) locations.push({ id: r.id, type: r.type, name: r.name, path: r.path, parentId: r.parent_id, menu: `c${community}`, setting: 'urban' })
    else if (r.type === 'village' || (r.type === 'grid' && r.parent_type === 'new_village')) locations.push({ id: r.id, type: r.type, name: r.name, path: r.path, parentId: r.parent_id, menu: 'rural', setting: 'rural' })
    else if (r.type === 'enterprise' && ancestors.some((id) => parkIds.has(id))) locations.push({ id: r.id, type: r.type, name: r.name, path: r.path, parentId: r.parent_id, menu: 'park', setting: 'park' })
  }
  if (locations.length === 0) return 0

  const menus = new Map<string, { item: ServiceItemView; weight: number }[]>()
  const menuOf = async (loc: Location) => {
    let menu = menus.get(loc.menu)
    if (!menu) {
      const items = await listOfferedItems(db, { locationUnitId: loc.id, audience: 'public' })
      menu = items.map((item) => ({ item, weight: itemWeight(item, loc.setting) })).filter((m) => m.weight > 0)
      menus.set(loc.menu, menu)
    }
    return menu
  }
  // Routing is the catalog's own (resolveRoute), asked once per class of equivalent questions. The
  // ranking (catalog/routing.ts) looks at an item only through rules naming it or its (parent)
  // category, its default unit and its owner level: with no rule naming single items, items that
  // agree on those route alike. A compound routes like every compound of its grid served by the same
  // property company unless a rule or an item is anchored at a compound. Both are checked first.
  const day = shanghaiDay(new Date(end))
  const anchors = await store.routingAnchors(db, o.countyId)
  const shareItems = !anchors.itemRules
  const shareCompounds = !anchors.compoundRules
  const companies = await store.propertyCompaniesOn(db, o.countyPath, day)
  const routes = new Map<string, Promise<RouteView>>()
  // a category counts only when some rule names it (or names its parent category)
  const categoryKey = (id: number | null) => (id !== null && anchors.ruleCategories.has(id) ? id : '-')
  // a promise per class: a batch asks for all its routes at once (on PostgreSQL they travel in parallel over the pool)
  const routeOf = (loc: Location, item: ServiceItemView): Promise<RouteView> => {
    const itemKey = shareItems
      ? `${categoryKey(item.categoryId)}|${categoryKey(item.parentCategoryId)}|${item.defaultUnitId}|${item.ownerUnitType}`
      : `i${item.id}`
    const placeKey = shareCompounds && loc.type === 'compound' ? `g${loc.parentId}|${companies.get(loc.id) ?? '-'}` : `u${loc.id}`
    const key = `${placeKey}|${itemKey}`
    let route = routes.get(key)
    if (!route) routes.set(key, (route = resolveRoute(db, { locationUnitId: loc.id, itemId: item.id, date: day })))
    return route
  }
  const unitPaths = new Map(rows.map((r) => [r.id, r.path]))
  const pathOf = async (id: number) => unitPaths.get(id) ?? (await store.findUnitPathsByIds(db, [id])).get(id)?.path ?? null

  // locations by weight: urban compounds ask most, villages next, enterprises least
  const byWeight = locations.map((l) => [l, l.setting === 'urban' ? 3 : l.setting === 'rural' ? 1.6 : 0.5] as const)
  const workers = new Map<number, string>()
  // units with a demo account act through it (its inbox then holds real cases); elsewhere a named worker
  const accounts = await store.unitWorkerAccounts(db, o.countyPath, handlerRoles)
  const workerOf = (unitId: number) => accounts.get(unitId)?.name
    ?? workers.get(unitId) ?? (workers.set(unitId, personName(rng, rng.chance(0.5) ? 'male' : 'female')), workers.get(unitId))
  const staff = (unitId: number) => ({ actor_id: accounts.get(unitId)?.id ?? null, actor_name: workerOf(unitId) })

  let written = 0
  let drawn = 0
  const BATCH = 250
  while (drawn < o.count) {
    const size = Math.min(BATCH, o.count - drawn)
    drawn += size
    const requests: Insertable<RequestTable>[] = []
    const timelines: Omit<Insertable<RequestEventTable>, 'request_id'>[][] = []
    const ratings: Omit<Insertable<RequestRatingTable>, 'request_id'>[][] = []
    const leads: { unitId: number; status: string; at: string }[] = []
    // first what is asked where (and the routes for it, all at once), then what happened to each case
    const asked: { loc: Location; item: ServiceItemView; route: Promise<RouteView> }[] = []
    for (let n = 0; n < size; n++) {
      const loc = rng.weighted(byWeight)
      const menu = await menuOf(loc)
      if (menu.length === 0) continue
      const item = rng.weighted(menu.map((m) => [m.item, m.weight] as const))
      asked.push({ loc, item, route: routeOf(loc, item) })
    }
    await Promise.all(asked.map((a) => a.route))
    for (const { loc, item, route: routed } of asked) {
      const route = await routed
      const sub = submittedAt(rng, end)
      const subIso = iso(sub)
      const clock: Clock = newClock({ priority: item.priority, response: item.responseTime, resolution: item.resolutionTime }, subIso)
      const responseDue = responseDueAt(subIso, clock, calendar)
      const resolution = resolutionDeadlines(clock, calendar)
      const source = loc.setting === 'park' ? 'enterprise' : rng.weighted(loc.setting === 'urban' ? [['qr', 60], ['hotline', 18], ['walk_in', 8], ['patrol', 14]] as const : [['qr', 35], ['hotline', 15], ['walk_in', 30], ['patrol', 20]] as const)
      const anonymous = item.anonymousAllowed && source === 'qr' && rng.chance(0.25)
      const phone = anonymous ? null : `1${rng.pick(['38', '39', '58', '59', '86', '87', '35', '52'])}${String(rng.int(0, 99_999_999)).padStart(8, '0')}`
      const contact = anonymous ? null : personName(rng, rng.chance(0.5) ? 'male' : 'female')

      // the handling unit: where routing sends it; a community sends some grid matters on to the grid (派单)
      let handlerId = route.unitId
      let handlerPath = route.unitPath
      let dispatcherId: number | null = null
      const grid = loc.type === 'compound' && loc.parentId !== null ? loc.parentId : null
      const dispatch = grid !== null && route.unitType === 'community' && !item.proxyHandling && rng.chance(0.35)

      // what happened, as fractions of the allowances (most on time, some late, a few stuck)
      const stuck = rng.chance(0.015)
      const acceptAt = instant(computeDeadline(subIso, clock.response, calendar, { fraction: rng.chance(0.9) ? 0.05 + rng.next() * 0.85 : 1.1 + rng.next() * 1.5 }))
      const resolveAt = stuck ? Number.POSITIVE_INFINITY
        : instant(computeDeadline(subIso, clock.resolution, calendar, { fraction: rng.chance(0.87) ? 0.08 + rng.next() * 0.85 : 1.05 + rng.next() * 0.6 }))
      const accepted = acceptAt <= now
      const startAt = Math.max(acceptAt + rng.int(5, 180) * MINUTE, acceptAt)
      const dispatchAt = acceptAt + rng.int(2, 60) * MINUTE
      const handoffAt = dispatchAt + rng.int(5, 240) * MINUTE
      const resolved = accepted && resolveAt <= now && resolveAt > startAt
      if (dispatch && accepted && handoffAt <= now) {
        dispatcherId = route.unitId
        handlerId = grid
        handlerPath = (await pathOf(grid)) ?? route.unitPath
      }
      const events: Omit<Insertable<RequestEventTable>, 'request_id'>[] = []
      const ev = (at: number, kind: string, e: Partial<Insertable<RequestEventTable>> = {}) =>
        events.push({ county_id: o.countyId, kind, at: iso(at), actor_id: null, actor_name: null, unit_id: null, from_status: null, to_status: null, visibility: 'internal', note: null, data_json: null, ...e })
      ev(sub, 'submitted', { visibility: 'public', unit_id: loc.id, to_status: 'submitted', data_json: JSON.stringify({ source, itemId: item.id, photos: 0 }) })
      const recordedBy = source === 'hotline' || source === 'walk_in' || source === 'patrol' ? (accounts.get(route.unitId)?.id ?? null) : null
      if (source === 'hotline' || source === 'walk_in' || source === 'patrol') ev(sub, 'recorded', { ...staff(route.unitId), note: `${workerOf(route.unitId)}(${source})`, data_json: JSON.stringify({ source, recordedBy }) })
      ev(sub, 'routed', { unit_id: route.unitId, data_json: JSON.stringify({ via: route.via, ruleId: route.ruleId, coUnitIds: route.coUnits.map((u) => u.id) }) })

      const row: Insertable<RequestTable> = {
        county_id: o.countyId, tracking_code: randomToken(18), source, item_id: item.id, category_id: item.categoryId,
        location_unit_id: loc.id, location_path: loc.path, handler_unit_id: route.unitId, handler_path: route.unitPath, assignee_id: null,
        status: 'submitted', is_open: 1, priority: item.priority, title: item.name, description: describe(rng, item, loc.name), address: null, lat: null, lng: null,
        contact_name: contact, phone_enc: phone ? pii.encrypt(phone) : null, phone_hash: phone ? pii.lookupHash(phone) : null, phone_masked: phone ? maskMobile(phone) : null,
        anonymous: anonymous ? 1 : 0, recorded_by: recordedBy, submitted_at: subIso, submitted_day: shanghaiDay(subIso),
        response_due_at: responseDue, resolution_due_at: resolution?.dueAt ?? null, warn_at: resolution?.warnAt ?? null,
        first_unit_id: route.unitId, clock_json: JSON.stringify(clock), created_at: subIso, updated_at: subIso,
        // every column spelled out: a multi-row INSERT on SQLite writes NULL, not the default, for a missing key
        accepted_at: null, dispatched_at: null, started_at: null, resolved_at: null, closed_at: null, paused_at: null, paused_minutes: 0,
        response_overdue: 0, resolution_overdue: 0, warned: 0, escalation_level: 0, reopen_count: 0, merged_into_id: null,
        rating_contacted: null, rating_solved: null, rating_satisfaction: null, rated_at: null, excluded: 0, handling_minutes: null, working_minutes: null,
        version: 1, pending_unit_id: null, pending_path: null, pending_kind: null, pending_from_status: null, dispatcher_unit_id: null,
      }
      const caseRatings: Omit<Insertable<RequestRatingTable>, 'request_id'>[] = []
      let last = sub
      if (accepted) {
        const worker = staff(route.unitId)
        ev(acceptAt, 'accepted', { visibility: 'public', unit_id: route.unitId, ...worker, from_status: 'submitted', to_status: 'accepted' })
        Object.assign(row, { status: 'accepted', accepted_at: iso(acceptAt) })
        last = acceptAt
        if (dispatcherId !== null) {
          ev(dispatchAt, 'dispatched', { visibility: 'public', unit_id: handlerId, ...worker, from_status: 'accepted', to_status: 'dispatched', data_json: JSON.stringify({ from: route.unitId, to: handlerId }) })
          ev(handoffAt, 'handoff_accepted', { visibility: 'public', unit_id: handlerId, ...staff(handlerId), from_status: 'dispatched', to_status: 'accepted', data_json: JSON.stringify({ from: route.unitId, kind: 'dispatch' }) })
          Object.assign(row, { handler_unit_id: handlerId, handler_path: handlerPath, dispatcher_unit_id: dispatcherId, dispatched_at: iso(dispatchAt) })
          last = handoffAt
        }
        row.assignee_id = accounts.get(handlerId)?.id ?? null
        const begin = Math.max(startAt, last + MINUTE)
        if (begin <= now) {
          ev(begin, 'started', { visibility: 'public', unit_id: handlerId, ...staff(handlerId), from_status: 'accepted', to_status: 'in_progress' })
          Object.assign(row, { status: 'in_progress', started_at: iso(begin) })
          last = begin
        }
      }
      // the sweep's flags, at the instants it would have raised them
      if ((row.accepted_at ? Date.parse(row.accepted_at) : now) > Date.parse(responseDue) && Date.parse(responseDue) <= now) {
        row.response_overdue = 1
        ev(Date.parse(responseDue) + MINUTE, 'response_overdue', { unit_id: route.unitId, actor_name: 'sweep', data_json: JSON.stringify({ dueAt: responseDue }) })
      }
      const doneAt = resolved && row.started_at ? Math.max(resolveAt, last + MINUTE) : null
      if (resolution && Date.parse(resolution.warnAt) <= (doneAt ?? now)) {
        row.warned = 1
        ev(Date.parse(resolution.warnAt), 'reminded', { unit_id: handlerId, actor_name: 'sweep', data_json: JSON.stringify({ by: 'sweep', reason: 'warning', dueAt: resolution.dueAt }) })
      }
      if (resolution && Date.parse(resolution.dueAt) <= (doneAt ?? now)) {
        row.resolution_overdue = 1
        row.escalation_level = 1
        const at = Date.parse(resolution.dueAt) + MINUTE
        ev(at, 'overdue', { unit_id: handlerId, actor_name: 'sweep', data_json: JSON.stringify({ dueAt: resolution.dueAt }) })
        const supervisor = handlerPath.split('/').filter(Boolean).map(Number).slice(-2, -1)[0]
        if (supervisor !== undefined) ev(at, 'escalated', { unit_id: supervisor, actor_name: 'sweep', data_json: JSON.stringify({ level: 1 }) })
      }
      if (doneAt !== null) {
        const minutes = handlingMinutes(subIso, iso(doneAt), clock, calendar)
        ev(doneAt, 'resolved', { visibility: 'public', unit_id: handlerId, ...staff(handlerId), from_status: 'in_progress', to_status: 'resolved', note: rng.pick(RESOLUTIONS), data_json: JSON.stringify({ photos: 0 }) })
        Object.assign(row, { status: 'resolved', is_open: 0, resolved_at: iso(doneAt), handling_minutes: minutes.handling, working_minutes: minutes.working })
        let resolvedAt = doneAt
        // the resident's three answers (most rate, from the tracking link); a few say "not solved" once
        const rateAt = doneAt + rng.int(30, 5 * 24 * 60) * MINUTE
        if (rng.chance(0.8) && rateAt <= now) {
          const reopened = !anonymous && rng.chance(0.03)
          if (reopened) {
            caseRatings.push({ at: iso(rateAt), source: 'resident', contacted: 1, solved: 0, satisfaction: 'dissatisfied', comment: '问题没有解决,又坏了。', actor_id: null })
            ev(rateAt, 'rated', { visibility: 'public', from_status: 'resolved', to_status: 'resolved', note: '问题没有解决,又坏了。', data_json: JSON.stringify({ contacted: true, solved: false, satisfaction: 'dissatisfied', source: 'resident' }) })
            ev(rateAt, 'reopened', { visibility: 'public', from_status: 'resolved', to_status: 'in_progress', note: '问题没有解决,又坏了。', data_json: JSON.stringify({ reason: 'not_solved', by: 'resident' }) })
            const again = rateAt + rng.int(60, 3 * 24 * 60) * MINUTE
            const restarted: Clock = { ...clock, resolutionStart: iso(rateAt), extensions: [] }
            const due = resolutionDeadlines(restarted, calendar)
            // reopening resets the warning and overdue flags for the fresh clock (intake.ts reopenPatch)
            Object.assign(row, {
              reopen_count: 1, clock_json: JSON.stringify(restarted), resolution_due_at: due?.dueAt ?? null, warn_at: due?.warnAt ?? null,
              warned: 0, resolution_overdue: 0, escalation_level: 0,
            })
            const until = again <= now ? again : now
            if (due && Date.parse(due.dueAt) <= until) {
              Object.assign(row, { warned: 1, resolution_overdue: 1, escalation_level: 1 })
              ev(Date.parse(due.dueAt) + MINUTE, 'overdue', { unit_id: handlerId, actor_name: 'sweep', data_json: JSON.stringify({ dueAt: due.dueAt }) })
            }
            if (again <= now) {
              const m2 = handlingMinutes(subIso, iso(again), restarted, calendar)
              ev(again, 'resolved', { visibility: 'public', unit_id: handlerId, ...staff(handlerId), from_status: 'in_progress', to_status: 'resolved', note: '返工处理完毕,居民确认。', data_json: JSON.stringify({ photos: 0 }) })
              Object.assign(row, { resolved_at: iso(again), handling_minutes: m2.handling, working_minutes: m2.working })
              resolvedAt = again
            } else {
              Object.assign(row, { status: 'in_progress', is_open: 1, resolved_at: null, handling_minutes: null, working_minutes: null, rating_contacted: 1, rating_solved: 0, rating_satisfaction: 'dissatisfied', rated_at: iso(rateAt) })
              resolvedAt = Number.NaN
            }
          }
          const secondRate = resolvedAt + rng.int(30, 2 * 24 * 60) * MINUTE
          if (Number.isFinite(resolvedAt) && (!reopened || (secondRate <= now && rng.chance(0.8)))) {
            const at = reopened ? secondRate : rateAt
            const satisfaction = rng.weighted([['satisfied', reopened ? 50 : 82], ['basically_satisfied', reopened ? 35 : 13], ['dissatisfied', reopened ? 15 : 5]] as const)
            const solved = satisfaction !== 'dissatisfied' || rng.chance(0.6)
            const contacted = satisfaction !== 'dissatisfied' || rng.chance(0.7)
            const comment = solved ? rng.pick(COMMENTS[satisfaction]) : null
            if (solved) {
              caseRatings.push({ at: iso(at), source: 'resident', contacted: contacted ? 1 : 0, solved: 1, satisfaction, comment, actor_id: null })
              ev(at, 'rated', { visibility: 'public', from_status: 'resolved', to_status: 'rated', note: comment, data_json: JSON.stringify({ contacted, solved: true, satisfaction, source: 'resident' }) })
              Object.assign(row, { status: 'rated', rating_contacted: contacted ? 1 : 0, rating_solved: 1, rating_satisfaction: satisfaction, rated_at: iso(at) })
            }
          }
        }
        // resolved cases close by themselves after fifteen days (the sweep's auto-close)
        const closeAt = Number.isFinite(resolvedAt) ? resolvedAt + AUTO_CLOSE_DAYS * 86_400_000 + rng.int(1, 60) * MINUTE : Number.POSITIVE_INFINITY
        if ((row.status === 'resolved' || row.status === 'rated') && closeAt <= now) {
          ev(closeAt, 'closed', { visibility: 'public', unit_id: handlerId, actor_name: 'sweep', from_status: row.status, to_status: 'closed', data_json: JSON.stringify({ by: 'sweep' }) })
          Object.assign(row, { status: 'closed', closed_at: iso(closeAt) })
        }
      }
      row.updated_at = events.reduce((m, e) => (e.at > m ? e.at : m), subIso)
      events.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0))
      requests.push(row)
      timelines.push(events)
      ratings.push(caseRatings)
      leads.push({ unitId: handlerId, status: row.is_open === 1 ? (row.accepted_at ? 'accepted' : 'pending') : 'done', at: subIso })
    }
    await db.transaction().execute(async (trx) => {
      const ids = await store.insertRequests(trx, requests)
      await store.insertRequestEvents(trx, timelines.flatMap((events, i) => events.map((e) => ({ ...e, request_id: ids[i] as number }))))
      await store.insertRequestRatings(trx, ratings.flatMap((list, i) => list.map((r) => ({ ...r, request_id: ids[i] as number }))))
      await store.insertRequestLeads(trx, leads.map((l, i) => ({ request_id: ids[i] as number, unit_id: l.unitId, role: 'lead', status: l.status, created_at: l.at })))
    })
    written += requests.length
    o.report(drawn, o.count)
  }
  await rebuildRollups(db, { countyId: o.countyId })
  return written
}
