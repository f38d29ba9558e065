/**
 * Residents with households from a spreadsheet. Each row is judged by the residents module's own
 * rules (validatePersonInput) and written through its service inside the import's transaction, a
 * batch at a time (createPersonsBatch) or, when a batch falls back, row by row (createHousehold,
 * createPerson); this file only turns Chinese cells into API fields, resolves units and tags, groups
 * rows into households by 户号, and says what is wrong in Chinese.
 */
import type { AppError } from '../../server/errors.js'
import { requireActionOnPath } from '../access/service.js'
import { validatePersonInput, PERSON_LIMITS, type FieldProblem } from '../residents/person-input.js'
import {
  checkPersonsBatch, createHousehold, createPerson, createPersonsBatch, listPersonTags, PersonsBatchOrderError, residentUnitTypes, type PersonsBatch,
} from '../residents/service.js'
import { parseDateCell, splitList, type ImportSpec, type RowCells, type RowProblem } from './columns.js'
import { BatchOrderMismatch, type Importer, type Parsed, type RowRecord } from './engine.js'
import { getUnit } from '../units/service.js'
import { loadUnitIndex, splitUnitPath, type UnitIndex } from './unit-index.js'

type Key = 'name' | 'gender' | 'birthDate' | 'idNumber' | 'phone' | 'ethnicity' | 'unitCode' | 'unitPath' | 'room' | 'householdKey' | 'relation' | 'tags' | 'note'

const relationNames: Record<string, 'head' | 'spouse' | 'child' | 'parent' | 'other'> = {
  户主: 'head', 本人: 'head', 配偶: 'spouse', 妻子: 'spouse', 丈夫: 'spouse', 妻: 'spouse', 夫: 'spouse',
  子女: 'child', 儿子: 'child', 女儿: 'child', 子: 'child', 女: 'child', 长子: 'child', 长女: 'child', 次子: 'child', 次女: 'child',
  父母: 'parent', 父亲: 'parent', 母亲: 'parent', 父: 'parent', 母: 'parent', 其他: 'other',
  head: 'head', spouse: 'spouse', child: 'child', parent: 'parent', other: 'other',
}
const genderNames: Record<string, 'male' | 'female'> = { 男: 'male', 女: 'female', male: 'male', female: 'female', m: 'male', f: 'female' }
const unitTypeZh: Record<string, string> = {
  county: '县', town: '镇', subdistrict: '街道', village: '村', new_village: '新村', community: '社区', grid: '网格',
  compound: '小区', building: '楼院', agency: '机关', park: '园区', enterprise: '企业',
}

export function residentsSpec(tagNames: string[]): ImportSpec<Key> {
  return {
    kind: 'residents',
    title: '居民',
    sheetName: '居民',
    intro: [
      '每行一位居民;同一户的成员填写相同的“户号”(户号只在本文件内用来分户,可以是 1、2、3 或原户籍编号)。',
      '住址:填写“所属单位编码”或“所属单位”其中之一,须为所选导入单位之下的村、网格、小区或楼院。同一户各行的住址须一致。',
      '身份证号、手机号请以文本格式填写(模板中这两列已设为文本),否则 Excel 会丢失末位数字。',
      '第 2 行是示例(第一列以“示例:”开头),导入时会自动跳过,可直接覆盖或删除。',
      '错误报告可直接修改后重新上传:“错误原因”“原行号”两列会被忽略。',
    ],
    oneOf: [['unitCode', 'unitPath']],
    columns: [
      { key: 'name', header: '姓名', required: true, width: 12, note: '居民姓名', example: '示例:张三' },
      { key: 'gender', header: '性别', required: false, width: 6, note: '可不填,由身份证号推出', allowed: ['男', '女'], example: '男' },
      { key: 'birthDate', header: '出生日期', required: false, width: 12, note: '如 1980-05-06;可不填,由身份证号推出', example: '1980-05-06', text: true },
      { key: 'idNumber', header: '身份证号', aliases: ['公民身份号码', '身份证号码'], required: false, width: 22, note: '18 位居民身份证号,校验位须正确;同一身份证号只能登记一次', example: '371524198005060016', text: true },
      { key: 'phone', header: '手机号', aliases: ['联系电话', '手机号码'], required: false, width: 14, note: '11 位手机号', example: '13812345678', text: true },
      { key: 'ethnicity', header: '民族', required: false, width: 8, note: '如 汉族、回族', example: '汉族' },
      { key: 'unitCode', header: '所属单位编码', required: false, width: 18, note: '村、网格、小区或楼院的编码(与“所属单位”二选一)', example: '', text: true },
      { key: 'unitPath', header: '所属单位', required: false, width: 28, note: '单位名称,可带上级,用“/”分隔,如 幸福小区/3号楼(与“所属单位编码”二选一)', example: '幸福小区/3号楼' },
      { key: 'room', header: '门牌/房号', aliases: ['房号', '门牌号', '门牌', '门牌号/房号'], required: false, width: 12, note: '如 2单元301', example: '2单元301' },
      { key: 'householdKey', header: '户号', required: false, width: 10, note: '同一户填写相同户号;不填则不分户', example: '1', text: true },
      { key: 'relation', header: '与户主关系', required: false, width: 10, note: '填写户号时使用;每户最多一位户主', allowed: ['户主', '配偶', '子女', '父母', '其他'], example: '户主' },
      { key: 'tags', header: '标签', aliases: ['关爱标签', '人员类别'], required: false, width: 18, note: `多个用逗号分隔;可用:${tagNames.join('、')}`, example: tagNames.slice(0, 1).join(',') },
      { key: 'note', header: '备注', required: false, width: 20, note: `最多 ${PERSON_LIMITS.note} 字`, example: '' },
    ],
  }
}

interface ResidentValue {
  name: string
  gender: 'male' | 'female' | null
  birthDate: string | null
  idNumber: string | null
  phone: string | null
  ethnicity: string | null
  unitId: number
  room: string | null
  householdKey: string | null
  relation: 'head' | 'spouse' | 'child' | 'parent' | 'other' | null
  tagIds: number[]
  note: string | null
}

interface Household {
  unitId: number
  room: string | null
  firstRow: number
  headRow: number | null
  lastIndex: number
  /** Set once written (in this attempt, or restored after a restart). */
  id: number | null
}

interface State {
  units: UnitIndex
  tags: Map<string, number>
  tagNames: string[]
  households: Map<string, Household>
  persons: number
  householdsCreated: number
}

function idNumberReason(raw: unknown): string {
  if (typeof raw === 'number') return '以数字格式填写,末位已被 Excel 改变;请将该列设为文本后重新填写'
  const v = String(raw).trim().toUpperCase()
  if (v.length !== 18) return `应为 18 位(当前 ${v.length} 位)`
  if (!/^\d{17}[\dX]$/.test(v)) return '含非法字符(只能是数字,末位可为 X)'
  const y = Number(v.slice(6, 10))
  const m = Number(v.slice(10, 12))
  const d = Number(v.slice(12, 14))
  const date = new Date(Date.UTC(y, m - 1, d))
  if (v[0] === '0' || y < 1900 || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d || date.getTime() > Date.now()) return '出生日期部分无效'
  return '校验位错误'
}

const fieldKey: Record<string, Key> = {
  name: 'name', gender: 'gender', birthDate: 'birthDate', idNumber: 'idNumber', phone: 'phone', ethnicity: 'ethnicity',
  room: 'room', relation: 'relation', tagIds: 'tags', note: 'note', householdId: 'householdKey',
}

function fieldMessage(p: FieldProblem, cells: RowCells<Key> | null): string {
  switch (p.code) {
    case 'required': return '必填'
    case 'too_long': {
      const limit = (PERSON_LIMITS as Record<string, number>)[p.field]
      return limit ? `过长(最多 ${limit} 字)` : '过长'
    }
    case 'invalid_date': return /future|1900/.test(p.message) ? '不能晚于今天,也不能早于 1900 年' : '日期无效,应写作 1980-05-06'
    case 'invalid_id_number': return idNumberReason(cells?.raw('idNumber') ?? '')
    case 'invalid_mobile': return '应为 11 位手机号(如 13812345678)'
    case 'birth_date_mismatch': return `与身份证号不一致(身份证号中为 ${/\d{4}-\d{2}-\d{2}/.exec(p.message)?.[0] ?? ''})`
    case 'gender_mismatch': return `与身份证号不一致(身份证号中为${p.message.includes('female') ? '女' : '男'})`
    default: return '取值无效'
  }
}

/** The good rows of a batch as the residents module's batch: households not written yet are created by it. */
function personsBatch(records: RowRecord<ResidentValue>[], state: State): { batch: PersonsBatch; fresh: Household[] } {
  const fresh: Household[] = []
  const indexOf = new Map<Household, number>()
  const persons = records.map((r): PersonsBatch['persons'][number] => {
    const v = r.value as ResidentValue
    const fields = { name: v.name, gender: v.gender, birthDate: v.birthDate, idNumber: v.idNumber, phone: v.phone, ethnicity: v.ethnicity, tagIds: v.tagIds, note: v.note }
    const h = v.householdKey ? state.households.get(v.householdKey) ?? null : null
    if (!h) return { input: { ...fields, unitId: v.unitId, room: v.room } }
    if (h.id !== null) return { input: { ...fields, householdId: h.id, relation: v.relation ?? 'other' } }
    let index = indexOf.get(h)
    if (index === undefined) {
      index = fresh.length
      fresh.push(h)
      indexOf.set(h, index)
    }
    return { input: { ...fields, relation: v.relation ?? 'other' }, newHousehold: index }
  })
  return { batch: { households: fresh.map((h) => ({ unitId: h.unitId, room: h.room })), persons }, fresh }
}

const refusalProblems = (err: AppError, record: RowRecord<ResidentValue>): RowProblem[] =>
  residentsImporter.problemsOf({ code: err.code, details: err.details, zh: err.messageIn('zh') }, record)

export const residentsImporter: Importer<Key, ResidentValue, State> = {
  spec: residentsSpec([]),
  async templateSpec(db) {
    const { items } = await listPersonTags(db, {})
    return residentsSpec(items.map((t) => t.nameZh))
  },

  async checkTarget(env) {
    requireActionOnPath(env.actor, 'residents.manage', (await getUnit(env.db, env.actor, env.targetUnitId)).path)
  },

  async prepare(env) {
    const [units, tags] = await Promise.all([loadUnitIndex(env.db, env.actor, env.targetUnitId), listPersonTags(env.db, {})])
    requireActionOnPath(env.actor, 'residents.manage', units.target.path)
    const tagMap = new Map<string, number>()
    for (const t of tags.items) for (const name of [t.nameZh, t.code, t.nameEn.toLowerCase()]) tagMap.set(name, t.id)
    return { units, tags: tagMap, tagNames: tags.items.map((t) => t.nameZh), households: new Map(), persons: 0, householdsCreated: 0 }
  },

  async parse(cells, state, env): Promise<Parsed<ResidentValue>> {
    const problems: RowProblem[] = []
    const genderText = cells.text('gender')
    const gender = genderText === null ? null : genderNames[genderText.toLowerCase()] ?? undefined
    if (gender === undefined) problems.push(cells.problem('gender', '应为 男 或 女'))
    const birthRaw = cells.raw('birthDate')
    const birthDate = parseDateCell(birthRaw)
    if (birthRaw !== null && birthDate === null) problems.push(cells.problem('birthDate', '日期无效,应写作 1980-05-06'))
    const idRaw = cells.raw('idNumber')
    if (typeof idRaw === 'number' && Math.abs(idRaw) >= 1e15) problems.push(cells.problem('idNumber', idNumberReason(idRaw)))

    // Where the person lives: a unit code or a name path under the target.
    let unitId: number | null = null
    const code = cells.text('unitCode')
    const pathText = cells.text('unitPath')
    const unitKey: Key = code !== null ? 'unitCode' : 'unitPath'
    if (code === null && pathText === null) problems.push(cells.problem(cells.has('unitCode') ? 'unitCode' : 'unitPath', '必填(填写所属单位编码或所属单位)'))
    else {
      const found = code !== null ? await state.units.findByCode(code) : state.units.findByPath(splitUnitPath(pathText as string))
      if (!found.ok) {
        problems.push(cells.problem(unitKey, found.problem === 'ambiguous'
          ? '名称不唯一,请写出上级名称(如 幸福小区/3号楼)或改填所属单位编码'
          : found.problem === 'outside' ? `不在所选导入单位(${state.units.target.name})之内` : `在${state.units.target.name}之下找不到该单位`))
      } else if (!(residentUnitTypes as readonly string[]).includes(found.unit.type)) {
        problems.push(cells.problem(unitKey, `须为村、网格、小区或楼院(${found.unit.name}是${unitTypeZh[found.unit.type] ?? found.unit.type})`))
      } else unitId = found.unit.id
    }

    const relationText = cells.text('relation')
    const relation = relationText === null ? null : relationNames[relationText] ?? undefined
    if (relation === undefined) problems.push(cells.problem('relation', '应为 户主、配偶、子女、父母 或 其他'))
    const householdKey = cells.text('householdKey')
    if (relation && householdKey === null) problems.push(cells.problem('relation', '填写与户主关系时须填写户号'))

    const tagIds: number[] = []
    const unknownTags: string[] = []
    for (const name of splitList(cells.text('tags'))) {
      const id = state.tags.get(name) ?? state.tags.get(name.toLowerCase())
      if (id === undefined) unknownTags.push(name)
      else if (!tagIds.includes(id)) tagIds.push(id)
    }
    if (unknownTags.length) problems.push(cells.problem('tags', `没有这些标签:${unknownTags.join('、')}(可用:${state.tagNames.join('、')})`))

    const raw = {
      name: cells.text('name'), gender: gender ?? null, birthDate, idNumber: typeof idRaw === 'number' ? null : cells.text('idNumber'),
      phone: cells.text('phone'), ethnicity: cells.text('ethnicity'), unitId: unitId ?? state.units.target.id, room: cells.text('room'),
      tagIds, note: cells.text('note'),
    }
    const checked = validatePersonInput(raw, env.today)
    if (!checked.ok) {
      for (const p of checked.problems) {
        const key = fieldKey[p.field]
        if (!key || (key === 'idNumber' && typeof idRaw === 'number')) continue
        problems.push(cells.problem(key, fieldMessage(p, cells)))
      }
    }
    if (problems.length > 0 || !checked.ok || unitId === null) return { problems }
    const v = checked.value
    return {
      value: {
        name: v.name, gender: v.gender, birthDate: v.birthDate, idNumber: v.idNumber, phone: v.phone, ethnicity: v.ethnicity,
        unitId, room: v.room, householdKey, relation: relation ?? null, tagIds: v.tagIds, note: v.note,
      },
    }
  },

  checkAll(records, state) {
    const seenIds = new Map<string, number>()
    for (const r of records) {
      const v = r.value
      if (!v) continue
      if (v.idNumber) {
        const first = seenIds.get(v.idNumber)
        if (first !== undefined) {
          r.problems.push({ column: null, header: '身份证号', message: `与第${first}行重复` })
          continue
        }
        seenIds.set(v.idNumber, r.rowNumber)
      }
      if (!v.householdKey) continue
      const h = state.households.get(v.householdKey)
      if (!h) {
        state.households.set(v.householdKey, { unitId: v.unitId, room: v.room, firstRow: r.rowNumber, headRow: v.relation === 'head' ? r.rowNumber : null, lastIndex: r.index, id: null })
        continue
      }
      if (h.unitId !== v.unitId || (h.room ?? '') !== (v.room ?? '')) {
        r.problems.push({ column: null, header: '户号', message: `${v.householdKey} 的住址(所属单位、门牌/房号)与同户第${h.firstRow}行不一致` })
        continue
      }
      if (v.relation === 'head') {
        if (h.headRow !== null) {
          r.problems.push({ column: null, header: '与户主关系', message: `户号 ${v.householdKey} 已有户主(第${h.headRow}行)` })
          continue
        }
        h.headRow = r.rowNumber
      }
      h.lastIndex = r.index
    }
  },

  async writeRow(db, record, state, env) {
    const v = record.value as ResidentValue
    const household = v.householdKey ? state.households.get(v.householdKey) ?? null : null
    let createdHousehold = false
    try {
      if (household && household.id === null) {
        household.id = (await createHousehold(db, env.actor, { unitId: household.unitId, room: household.room }, { audit: false })).id
        createdHousehold = true
      }
      await createPerson(db, env.pii, env.actor, {
        name: v.name, gender: v.gender, birthDate: v.birthDate, idNumber: v.idNumber, phone: v.phone, ethnicity: v.ethnicity,
        ...(household ? { householdId: household.id, relation: v.relation ?? 'other' } : { unitId: v.unitId, room: v.room }),
        tagIds: v.tagIds, note: v.note,
      }, { audit: false })
    } catch (err) {
      // The engine rolls the row back, household included.
      if (createdHousehold && household) household.id = null
      throw err
    }
    if (createdHousehold) state.householdsCreated++
    state.persons++
  },

  /**
   * The fast path for 50,000 rows: the residents module registers a batch with a few statements
   * (createPersonsBatch, by createPerson's rules); a row it refuses gets its problems here.
   */
  async checkBatch(db, records, state, env) {
    const refusals = await checkPersonsBatch(db, env.pii, env.actor, personsBatch(records, state).batch)
    records.forEach((r, i) => {
      const refused = refusals[i]
      if (refused) r.problems = refusalProblems(refused, r)
    })
  },

  async writeBatch(db, records, state, env) {
    const { batch, fresh } = personsBatch(records, state)
    let written: Awaited<ReturnType<typeof createPersonsBatch>>
    try {
      written = await createPersonsBatch(db, env.pii, env.actor, batch, { audit: false })
    } catch (err) {
      if (err instanceof PersonsBatchOrderError) throw new BatchOrderMismatch()
      throw err
    }
    fresh.forEach((h, i) => {
      const id = written.households[i] ?? null
      if (id === null) return
      h.id = id
      state.householdsCreated++
    })
    let count = 0
    records.forEach((r, i) => {
      const outcome = written.persons[i]
      if (outcome?.refused) r.problems = refusalProblems(outcome.refused, r)
      else count++
    })
    state.persons += count
    return count
  },

  resetWrites(state) {
    for (const h of state.households.values()) h.id = null
    state.persons = 0
    state.householdsCreated = 0
  },

  problemsOf(error, record) {
    const at = (header: string, message: string): RowProblem[] => [{ column: null, header, message }]
    switch (error.code) {
      case 'id_number_taken': return at('身份证号', '已登记(系统中已有该身份证号的居民)')
      case 'invalid_id_number': return at('身份证号', '无效')
      case 'invalid_mobile': return at('手机号', '应为 11 位手机号')
      case 'unit_not_found':
      case 'invalid_resident_unit':
      case 'unit_archived':
        return at('所属单位', error.zh)
      case 'forbidden': return at('所属单位', '无权在该单位登记居民')
      case 'person_tag_not_found': return at('标签', '标签不存在或已停用')
      case 'household_has_head': return at('与户主关系', `户号 ${record.value?.householdKey ?? ''} 已有户主`)
      default: return [{ column: null, header: null, message: error.zh }]
    }
  },

  snapshot(state, nextIndex) {
    const open: Record<string, number> = {}
    for (const [key, h] of state.households) if (h.id !== null && h.lastIndex >= nextIndex) open[key] = h.id
    return { households: open, persons: state.persons, householdsCreated: state.householdsCreated }
  },

  restore(state, snapshot) {
    const s = snapshot as { households?: Record<string, number>; persons?: number; householdsCreated?: number } | null
    if (!s) return
    for (const [key, id] of Object.entries(s.households ?? {})) {
      const h = state.households.get(key)
      if (h) h.id = id
    }
    state.persons = s.persons ?? 0
    state.householdsCreated = s.householdsCreated ?? 0
  },

  summary(state) {
    return { persons: state.persons, households: state.householdsCreated }
  },
}
