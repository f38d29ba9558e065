/**
 * Party members from a spreadsheet: each row finds a registered resident by identity number (through
 * the keyed hash), an organization by name, and registers the member at a development stage through
 * the party module's service (createMember), marking a 党代表 through changeMember in the same
 * savepoint: both run inside the import's transaction, so a row lands whole or not at all.
 */
import { isValidIdNumber, normalizeIdNumber } from '../../lib/pii.js'
import { requireActionOnPath } from '../access/service.js'
import { changeMember, createMember, listOrgs } from '../party/service.js'
import { listResidents } from '../residents/service.js'
import type { Stage } from '../party/development-rules.js'
import { parseDateCell, parseYesNo, type ImportSpec, type RowProblem } from './columns.js'
import type { Importer, Parsed } from './engine.js'
import { getUnit } from '../units/service.js'
import { splitUnitPath } from './unit-index.js'

type Key = 'idNumber' | 'name' | 'org' | 'stage' | 'applicationDate' | 'joinedDate' | 'fullDate' | 'representative'

const stageNames: Record<string, Stage> = {
  入党申请人: 'applicant', 申请人: 'applicant', 入党积极分子: 'activist', 积极分子: 'activist', 发展对象: 'candidate',
  预备党员: 'probationary', 正式党员: 'full', 党员: 'full',
  applicant: 'applicant', activist: 'activist', candidate: 'candidate', probationary: 'probationary', full: 'full',
}

export const membersSpec: ImportSpec<Key> = {
  kind: 'members',
  title: '党员',
  sheetName: '党员',
  intro: [
    '每行一名党员或入党积极分子等发展对象,须先作为居民登记(按身份证号查找)。',
    '“所属党组织”填写党总支、党支部或党小组的名称;名称不唯一时写出上级组织,如 吉祥苑社区党委/第一网格党支部。',
    '入党申请人须填写申请入党日期;预备党员、正式党员须填写入党日期;转正日期只用于正式党员。',
    '“是否党代表”只能对正式党员填“是”。',
    '第 2 行是示例(第一列以“示例:”开头),导入时会自动跳过。',
  ],
  columns: [
    { key: 'idNumber', header: '身份证号', aliases: ['公民身份号码', '身份证号码'], required: true, width: 22, note: '已登记居民的身份证号', example: '示例:371524198005060016', text: true },
    { key: 'name', header: '姓名', required: false, width: 12, note: '可不填;填写时须与居民登记的姓名一致', example: '张三' },
    { key: 'org', header: '所属党组织', required: true, width: 30, note: '党组织名称,可带上级:上级名称/名称', example: '第一网格党支部' },
    { key: 'stage', header: '发展阶段', required: true, width: 12, note: '当前所处阶段', allowed: ['入党申请人', '入党积极分子', '发展对象', '预备党员', '正式党员'], example: '正式党员' },
    { key: 'applicationDate', header: '申请入党日期', required: false, width: 14, note: '入党申请人必填,如 2020-03-01', example: '2015-03-01', text: true },
    { key: 'joinedDate', header: '入党日期', required: false, width: 14, note: '预备党员、正式党员必填(接收为预备党员的日期)', example: '2017-07-01', text: true },
    { key: 'fullDate', header: '转正日期', required: false, width: 14, note: '正式党员选填,不早于入党日期', example: '2018-07-01', text: true },
    { key: 'representative', header: '是否党代表', required: false, width: 10, note: '是 / 否,只用于正式党员', allowed: ['是', '否'], example: '否' },
  ],
}

interface MemberValue {
  personId: number
  orgId: number
  stage: Stage
  applicationDate: string | null
  joinedDate: string | null
  fullDate: string | null
  representative: boolean
}

interface OrgRef { id: number; name: string; parentName: string | null }

interface State {
  target: { id: number; name: string }
  persons: Map<string, { id: number; name: string } | null>
  orgs: Map<string, OrgRef[]>
  count: number
  representatives: number
}

export const membersImporter: Importer<Key, MemberValue, State> = {
  spec: membersSpec,

  async checkTarget(env) {
    requireActionOnPath(env.actor, 'party.manage', (await getUnit(env.db, env.actor, env.targetUnitId)).path)
  },

  async prepare(env) {
    const unit = await getUnit(env.db, env.actor, env.targetUnitId)
    requireActionOnPath(env.actor, 'party.manage', unit.path)
    return { target: unit, persons: new Map(), orgs: new Map(), count: 0, representatives: 0 }
  },

  async parse(cells, state, env): Promise<Parsed<MemberValue>> {
    const problems: RowProblem[] = []
    const idRaw = cells.raw('idNumber')
    const idText = cells.text('idNumber')
    let person: { id: number; name: string } | null = null
    if (idText === null) problems.push(cells.problem('idNumber', '必填'))
    else if (typeof idRaw === 'number') problems.push(cells.problem('idNumber', '以数字格式填写,末位已被 Excel 改变;请将该列设为文本后重新填写'))
    else if (!isValidIdNumber(normalizeIdNumber(idText))) problems.push(cells.problem('idNumber', '无效(应为 18 位,校验位正确)'))
    else {
      const id = normalizeIdNumber(idText)
      if (!state.persons.has(id)) {
        const found = await listResidents(env.db, env.pii, env.actor, { idNumber: id, status: 'all', page: 1, pageSize: 1 })
        const p = found.items[0]
        state.persons.set(id, p ? { id: p.id, name: p.name } : null)
      }
      person = state.persons.get(id) ?? null
      if (!person) problems.push(cells.problem('idNumber', '系统中没有该身份证号的居民(请先登记或导入居民)'))
      const name = cells.text('name')
      if (person && name !== null && name !== person.name) problems.push(cells.problem('name', `与居民登记的姓名(${person.name})不一致`))
    }

    let orgId: number | null = null
    const orgText = cells.text('org')
    if (orgText === null) problems.push(cells.problem('org', '必填'))
    else {
      const names = splitUnitPath(orgText)
      const name = names[names.length - 1] as string
      if (!state.orgs.has(name)) {
        const { items } = await listOrgs(env.db, env.actor, { unitId: state.target.id, q: name, status: 'active', page: 1, pageSize: 100 })
        state.orgs.set(name, items.filter((o) => o.name === name).map((o) => ({ id: o.id, name: o.name, parentName: o.parentName })))
      }
      const parentName = names.length > 1 ? names[names.length - 2] : null
      const candidates = (state.orgs.get(name) ?? []).filter((o) => parentName === null || o.parentName === parentName)
      if (candidates.length === 1) orgId = (candidates[0] as OrgRef).id
      else problems.push(cells.problem('org', candidates.length === 0
        ? `在${state.target.name}之下找不到该党组织`
        : '名称不唯一,请写出上级组织,如 吉祥苑社区党委/第一网格党支部'))
    }

    const stageText = cells.text('stage')
    const stage = stageText === null ? null : stageNames[stageText] ?? null
    if (stageText === null) problems.push(cells.problem('stage', '必填'))
    else if (stage === null) problems.push(cells.problem('stage', '应为 入党申请人、入党积极分子、发展对象、预备党员 或 正式党员'))

    const date = (key: 'applicationDate' | 'joinedDate' | 'fullDate'): string | null => {
      const raw = cells.raw(key)
      const value = parseDateCell(raw)
      if (raw !== null && value === null) problems.push(cells.problem(key, '日期无效,应写作 2020-03-01'))
      else if (value !== null && value > env.today) problems.push(cells.problem(key, '不能晚于今天'))
      return value
    }
    const applicationDate = date('applicationDate')
    const joinedDate = date('joinedDate')
    const fullDate = date('fullDate')
    if (stage === 'applicant' && applicationDate === null) problems.push(cells.problem('applicationDate', '入党申请人须填写'))
    if ((stage === 'probationary' || stage === 'full') && joinedDate === null) problems.push(cells.problem('joinedDate', '预备党员、正式党员须填写'))
    if (fullDate !== null && stage !== 'full') problems.push(cells.problem('fullDate', '只用于正式党员'))
    if (fullDate !== null && joinedDate !== null && fullDate < joinedDate) problems.push(cells.problem('fullDate', '不能早于入党日期'))
    const rep = parseYesNo(cells.text('representative'))
    if (rep === undefined) problems.push(cells.problem('representative', '应为 是 或 否'))
    if (rep === true && stage !== null && stage !== 'full') problems.push(cells.problem('representative', '党代表须为正式党员'))

    if (problems.length > 0 || !person || orgId === null || stage === null) return { problems }
    return { value: { personId: person.id, orgId, stage, applicationDate, joinedDate, fullDate, representative: rep === true } }
  },

  checkAll(records) {
    const seen = new Map<number, number>()
    for (const r of records) {
      if (!r.value) continue
      const first = seen.get(r.value.personId)
      if (first !== undefined) r.problems.push({ column: null, header: '身份证号', message: `与第${first}行重复` })
      else seen.set(r.value.personId, r.rowNumber)
    }
  },

  async writeRow(db, record, state, env) {
    const v = record.value as MemberValue
    const { id } = await createMember(db, env.actor, {
      personId: v.personId, orgId: v.orgId, stage: v.stage,
      ...(v.applicationDate ? { applicationDate: v.applicationDate } : {}),
      joinedDate: v.joinedDate, fullDate: v.fullDate,
    }, { audit: false })
    if (v.representative) await changeMember(db, env.actor, id, { isRepresentative: true })
    state.count++
    if (v.representative) state.representatives++
  },

  resetWrites(state) {
    state.count = 0
    state.representatives = 0
  },

  problemsOf(error) {
    const field = (error.details as { field?: string }[] | null)?.[0]?.field
    const header = field === 'applicationDate' ? '申请入党日期' : field === 'joinedDate' ? '入党日期' : field === 'fullDate' ? '转正日期' : null
    switch (error.code) {
      case 'already_party_member': return [{ column: null, header: '身份证号', message: '已有党员(发展)档案,不能重复登记' }]
      case 'party_org_inactive':
      case 'org_cannot_hold_members':
        return [{ column: null, header: '所属党组织', message: error.zh }]
      case 'forbidden': return [{ column: null, header: '所属党组织', message: '无权在该党组织登记党员,或该居民不在您的管辖范围内' }]
      case 'person_not_found': return [{ column: null, header: '身份证号', message: '居民不存在' }]
      case 'validation_failed': return [{ column: null, header, message: header ? '日期不符合要求' : error.zh }]
      default: return [{ column: null, header: null, message: error.zh }]
    }
  },

  snapshot: (state) => ({ count: state.count, representatives: state.representatives }),
  restore(state, snapshot) {
    const s = snapshot as { count?: number; representatives?: number } | null
    state.count = s?.count ?? 0
    state.representatives = s?.representatives ?? 0
  },

  summary(state) {
    return { members: state.count, representatives: state.representatives }
  },
}
