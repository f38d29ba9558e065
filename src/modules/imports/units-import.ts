/**
 * Units from a spreadsheet: each row names a unit, its type, its code and its parent's code (a unit
 * already in the tree under the target, or one created by an earlier row of the same file). Rows are
 * judged with the units module's pure rules (which type may stand under which, what a code looks
 * like) and written through its service (createUnitIn, audited per unit) inside the import's
 * transaction, so all or nothing is one transaction and a valid row lands whole or not at all.
 */
import { AppError } from '../../server/errors.js'
import { requireActionOnPath } from '../access/service.js'
import { createUnitIn, getUnit, unitCodesTaken } from '../units/service.js'
import { canBeChildOf } from '../units/hierarchy.js'
import { codeProblem } from '../units/codes.js'
import type { UnitType } from '../units/schema.js'
import type { ImportSpec, RowProblem } from './columns.js'
import type { Importer, Parsed } from './engine.js'
import { loadUnitIndex, type IndexedUnit, type UnitIndex } from './unit-index.js'

type Key = 'name' | 'type' | 'code' | 'parentCode' | 'address'

export const unitTypeNames: Record<UnitType, string> = {
  county: '县', town: '镇', subdistrict: '街道', village: '村', new_village: '新村', community: '社区', grid: '网格',
  compound: '小区', building: '楼院', agency: '机关', park: '园区', enterprise: '企业',
}
const typeByName = new Map<string, UnitType>([
  ...Object.entries(unitTypeNames).map(([t, zh]) => [zh, t as UnitType] as const),
  ...Object.keys(unitTypeNames).map((t) => [t, t as UnitType] as const),
  ['乡', 'town'], ['乡镇', 'town'], ['网格村', 'grid'], ['楼栋', 'building'], ['楼', 'building'], ['开发区', 'park'], ['非公企业', 'enterprise'],
])

export const unitsSpec: ImportSpec<Key> = {
  kind: 'units',
  title: '单位',
  sheetName: '单位',
  intro: [
    '每行一个单位,建在所选导入单位之下。“上级编码”不填时,上级就是所选导入单位。',
    '上级可以是系统中已有的单位,也可以是本文件中前面某一行新建的单位(上级须写在下级之前)。',
    '编码:县 6 位、乡镇/街道 9 位、村/新村/社区 12 位、网格 15 位(以上级编码开头);小区、楼院、机关、园区、企业可用字母、数字和“-”。网格不填编码时自动生成。',
    '第 2 行是示例(第一列以“示例:”开头),导入时会自动跳过。',
  ],
  columns: [
    { key: 'name', header: '名称', required: true, width: 24, note: '单位名称,最多 100 字', example: '示例:幸福小区' },
    { key: 'type', header: '类型', required: true, width: 10, note: '单位类型', allowed: Object.values(unitTypeNames), example: '小区' },
    { key: 'code', header: '编码', required: false, width: 20, note: '行政区划或单位编码,全系统唯一', example: 'XF-001', text: true },
    { key: 'parentCode', header: '上级编码', required: false, width: 20, note: '上级单位的编码;不填则为所选导入单位', example: '', text: true },
    { key: 'address', header: '地址', required: false, width: 36, note: '最多 300 字', example: '东阿县铜城街道幸福路 8 号' },
  ],
}

interface UnitValue {
  name: string
  type: UnitType
  code: string | null
  /** The parent: an existing unit, or a code created by an earlier row. */
  parent: { existing: IndexedUnit } | { inFile: string }
  address: string | null
}

interface State {
  units: UnitIndex
  /** Code → row number of rows that create a unit with that code. */
  fileCodes: Map<string, { rowNumber: number; type: UnitType; index: number }>
  created: Map<string, number>
  count: number
}

export const unitsImporter: Importer<Key, UnitValue, State> = {
  spec: unitsSpec,

  async checkTarget(env) {
    requireActionOnPath(env.actor, 'units.manage', (await getUnit(env.db, env.actor, env.targetUnitId)).path)
  },

  async prepare(env) {
    const units = await loadUnitIndex(env.db, env.actor, env.targetUnitId)
    requireActionOnPath(env.actor, 'units.manage', units.target.path)
    return { units, fileCodes: new Map(), created: new Map(), count: 0 }
  },

  async parse(cells, state): Promise<Parsed<UnitValue>> {
    const problems: RowProblem[] = []
    const name = cells.text('name')
    if (name === null) problems.push(cells.problem('name', '必填'))
    else if (name.length > 100) problems.push(cells.problem('name', '过长(最多 100 字)'))
    const typeText = cells.text('type')
    const type = typeText === null ? null : typeByName.get(typeText) ?? null
    if (typeText === null) problems.push(cells.problem('type', '必填'))
    else if (type === null) problems.push(cells.problem('type', `应为 ${Object.values(unitTypeNames).join('、')} 之一`))
    const code = cells.text('code')
    if (code !== null) {
      const taken = await state.units.findByCode(code)
      if (!/^[0-9A-Za-z-]{1,32}$/.test(code)) problems.push(cells.problem('code', '只能包含字母、数字和“-”(最多 32 位)'))
      else if (taken.ok || taken.problem === 'outside') problems.push(cells.problem('code', '已被系统中的其他单位使用'))
    }
    const address = cells.text('address')
    if (address !== null && address.length > 300) problems.push(cells.problem('address', '过长(最多 300 字)'))

    const parentCode = cells.text('parentCode')
    let parent: UnitValue['parent'] | null = null
    if (parentCode === null) parent = { existing: state.units.target }
    else {
      const found = await state.units.findByCode(parentCode)
      if (found.ok) parent = { existing: found.unit }
      else if (found.problem === 'outside') problems.push(cells.problem('parentCode', `不在所选导入单位(${state.units.target.name})之内`))
      else parent = { inFile: parentCode }
    }
    if (problems.length > 0 || name === null || type === null || parent === null) return { problems }

    if ('existing' in parent) {
      const parentType = parent.existing.type as UnitType
      if (!canBeChildOf(type, parentType)) problems.push(cells.problem('type', `${unitTypeNames[type]}不能建在${unitTypeNames[parentType] ?? parentType}(${parent.existing.name})之下`))
      const fit = code !== null ? codeProblem(type, code, parent.existing.code) : null
      if (fit) problems.push(cells.problem('code', codeMessage(fit)))
    }
    if (problems.length > 0) return { problems }
    return { value: { name, type, code, parent, address } }
  },

  checkAll(records, state) {
    for (const r of records) {
      const v = r.value
      if (!v) continue
      if ('inFile' in v.parent) {
        const parentCode = v.parent.inFile
        const p = state.fileCodes.get(parentCode)
        if (!p) {
          const later = records.find((o) => o.index > r.index && o.value?.code === parentCode)
          r.problems.push({ column: null, header: '上级编码', message: later ? `上级在本文件第${later.rowNumber}行,须写在本行之前` : `找不到编码为 ${parentCode} 的上级单位` })
        } else {
          const parentRecord = records[p.index]
          if (parentRecord && parentRecord.problems.length > 0) r.problems.push({ column: null, header: '上级编码', message: `上级(第${p.rowNumber}行)有错误,未能导入` })
          else if (!canBeChildOf(v.type, p.type)) r.problems.push({ column: null, header: '类型', message: `${unitTypeNames[v.type]}不能建在${unitTypeNames[p.type]}之下` })
          else {
            const fit = v.code !== null ? codeProblem(v.type, v.code, parentCode) : null
            if (fit) r.problems.push({ column: null, header: '编码', message: codeMessage(fit) })
          }
        }
      }
      if (v.code !== null) {
        const first = state.fileCodes.get(v.code)
        if (first) r.problems.push({ column: null, header: '编码', message: `与第${first.rowNumber}行重复` })
        else if (r.problems.length === 0) state.fileCodes.set(v.code, { rowNumber: r.rowNumber, type: v.type, index: r.index })
      }
    }
  },

  async writeRow(db, record, state, env) {
    const v = record.value as UnitValue
    let parentId: number
    if ('existing' in v.parent) parentId = v.parent.existing.id
    else {
      const created = state.created.get(v.parent.inFile)
      if (created === undefined) throw new AppError('unit_not_found', { parentCode: v.parent.inFile })
      parentId = created
    }
    const unit = await createUnitIn(db, env.actor, { parentId, type: v.type, name: v.name, code: v.code, address: v.address })
    if (unit.code) state.created.set(unit.code, unit.id)
    state.count++
  },

  // All or nothing checks without writing (a rolled-back batch would lose the parents later batches name).
  async checkBatch(db, records) {
    const taken = await unitCodesTaken(db, records.flatMap((r) => (r.value?.code ? [r.value.code] : [])))
    for (const r of records) if (r.value?.code && taken.has(r.value.code)) r.problems = [{ column: null, header: '编码', message: '已被系统中的其他单位使用' }]
  },

  resetWrites(state) {
    state.created.clear()
    state.count = 0
  },

  problemsOf(error) {
    switch (error.code) {
      case 'unit_code_taken': return [{ column: null, header: '编码', message: '已被系统中的其他单位使用' }]
      case 'unit_code_invalid': return [{ column: null, header: '编码', message: error.zh }]
      case 'invalid_unit_parent': return [{ column: null, header: '类型', message: '不能建在该上级单位之下' }]
      case 'unit_not_found': return [{ column: null, header: '上级编码', message: '上级单位未能导入或不存在' }]
      case 'unit_archived': return [{ column: null, header: '上级编码', message: '上级单位已归档' }]
      case 'forbidden': return [{ column: null, header: '上级编码', message: '无权在该上级单位下建立单位' }]
      default: return [{ column: null, header: null, message: error.zh }]
    }
  },

  // Units created before a restart are found again by their codes when the file is re-read.
  snapshot: (state) => ({ count: state.count }),
  restore(state, snapshot) {
    state.count = (snapshot as { count?: number } | null)?.count ?? 0
  },

  summary(state) {
    return { units: state.count }
  },
}

function codeMessage(problem: string): string {
  const digits = /^(\d+) digits starting with the parent's code (\S+)/.exec(problem)
  if (digits) return `应为 ${digits[1]} 位数字,并以上级编码 ${digits[2]} 开头`
  const plain = /^(\d+) digits$/.exec(problem)
  if (plain) return `应为 ${plain[1]} 位数字`
  return '只能包含字母、数字和“-”(最多 32 位)'
}
