/** The columns of each export: Chinese headers, widths, and how each cell is read from a list row. Pure. */
import type { XlsxColumn } from '../../lib/xlsx.js'
import type { AccountView } from '../accounts/schema.js'
import type { AuditEntryView } from '../audit/schema.js'
import type { MemberView } from '../party/schema.js'
import { flagMessages } from '../party/development-rules.js'
import type { ResidentExportRow } from '../residents/service.js'
import type { UnitView } from '../units/schema.js'

const yesNo = (b: boolean) => (b ? '是' : '否')
const json = (v: unknown): string | null => (v === null || v === undefined ? null : JSON.stringify(v))

const genderZh: Record<string, string> = { male: '男', female: '女' }
const relationZh: Record<string, string> = { head: '户主', spouse: '配偶', child: '子女', parent: '父母', other: '其他' }
const personStatusZh: Record<string, string> = { active: '在册', moved_out: '迁出', deceased: '已故' }
export const unitTypeZh: Record<string, string> = {
  county: '县', town: '镇', subdistrict: '街道', village: '村', new_village: '新村', community: '社区', grid: '网格',
  compound: '小区', building: '楼院', agency: '机关', park: '园区', enterprise: '企业',
}
const stageZh: Record<string, string> = { applicant: '入党申请人', activist: '入党积极分子', candidate: '发展对象', probationary: '预备党员', full: '正式党员' }
const membershipZh: Record<string, string> = { full: '正式党员', probationary: '预备党员' }
const memberStatusZh: Record<string, string> = { active: '正常', incoming: '待转入', transferred_out: '已转出', deceased: '已故', removed: '已除名' }
const levelZh: Record<string, string> = { national: '全国', provincial: '省', municipal: '市', county: '县', town: '乡镇' }
const roleZh: Record<string, string> = {
  county_admin: '县级管理员', org_dept: '组织部', town_admin: '乡镇(街道)管理员', community_worker: '社区(村)工作者', grid_worker: '网格员',
  agency_staff: '机关工作人员', enterprise_officer: '红帮办专员', enterprise_user: '企业用户', property_staff: '物业人员', auditor: '审计员',
}

export const residentColumns: XlsxColumn<ResidentExportRow>[] = [
  { header: '姓名', width: 12, value: (r) => r.name },
  { header: '性别', width: 6, value: (r) => (r.gender ? genderZh[r.gender] ?? r.gender : null) },
  { header: '出生日期', width: 12, type: 'date', value: (r) => r.birthDate },
  { header: '年龄', width: 6, type: 'number', value: (r) => r.age },
  { header: '民族', width: 8, value: (r) => r.ethnicity },
  { header: '身份证号', width: 22, value: (r) => r.idNumber },
  { header: '手机号', width: 14, value: (r) => r.phone },
  { header: '所属单位', width: 16, value: (r) => r.unitName },
  { header: '住址', width: 36, value: (r) => r.address },
  { header: '门牌/房号', width: 12, value: (r) => r.room },
  { header: '户编号', width: 10, type: 'number', value: (r) => r.householdId },
  { header: '与户主关系', width: 10, value: (r) => (r.relation ? relationZh[r.relation] ?? r.relation : null) },
  { header: '标签', width: 20, value: (r) => r.tags.map((t) => t.nameZh).join(',') },
  { header: '状态', width: 8, value: (r) => personStatusZh[r.status] ?? r.status },
  { header: '备注', width: 24, value: (r) => r.note },
  { header: '登记时间', width: 20, type: 'datetime', value: (r) => r.createdAt },
]

export interface UnitExportRow extends UnitView {
  parentName: string | null
  parentCode: string | null
}

export const unitColumns: XlsxColumn<UnitExportRow>[] = [
  { header: '名称', width: 24, value: (r) => r.name },
  { header: '类型', width: 8, value: (r) => unitTypeZh[r.type] ?? r.type },
  { header: '编码', width: 20, value: (r) => r.code },
  { header: '上级名称', width: 24, value: (r) => r.parentName },
  { header: '上级编码', width: 20, value: (r) => r.parentCode },
  { header: '地址', width: 36, value: (r) => r.address },
  { header: '层级', width: 6, type: 'number', value: (r) => r.depth },
  { header: '状态', width: 8, value: (r) => (r.status === 'archived' ? '已归档' : '在用') },
  { header: '创建时间', width: 20, type: 'datetime', value: (r) => r.createdAt },
  { header: '更新时间', width: 20, type: 'datetime', value: (r) => r.updatedAt },
]

export const memberColumns: XlsxColumn<MemberView>[] = [
  { header: '姓名', width: 12, value: (r) => r.name },
  { header: '性别', width: 6, value: (r) => (r.gender ? genderZh[r.gender] ?? r.gender : null) },
  { header: '出生日期', width: 12, type: 'date', value: (r) => r.birthDate },
  { header: '手机号', width: 14, value: (r) => r.phoneMasked },
  { header: '所属党组织', width: 28, value: (r) => r.orgName },
  { header: '发展阶段', width: 12, value: (r) => stageZh[r.stage] ?? r.stage },
  { header: '党员类别', width: 10, value: (r) => (r.membership ? membershipZh[r.membership] ?? r.membership : null) },
  { header: '入党日期', width: 12, type: 'date', value: (r) => r.joinedDate },
  { header: '转正日期', width: 12, type: 'date', value: (r) => r.fullDate },
  { header: '是否党代表', width: 10, value: (r) => yesNo(r.isRepresentative) },
  { header: '党代表级别', width: 10, value: (r) => (r.representativeLevel ? levelZh[r.representativeLevel] ?? r.representativeLevel : null) },
  { header: '状态', width: 8, value: (r) => memberStatusZh[r.status] ?? r.status },
  { header: '异常标记', width: 36, value: (r) => r.flags.map((f) => flagMessages[f]?.zh ?? f).join(';') },
  { header: '登记时间', width: 20, type: 'datetime', value: (r) => r.createdAt },
]

export const auditColumns: XlsxColumn<AuditEntryView>[] = [
  { header: '时间', width: 20, type: 'datetime', value: (r) => r.at },
  { header: '操作人', width: 16, value: (r) => r.actorUsername },
  { header: '操作', width: 26, value: (r) => r.action },
  { header: '对象类型', width: 14, value: (r) => r.entityType },
  { header: '对象编号', width: 10, value: (r) => r.entityId },
  { header: '单位编号', width: 10, type: 'number', value: (r) => r.unitId },
  { header: 'IP 地址', width: 16, value: (r) => r.ip },
  { header: '请求编号', width: 20, value: (r) => r.requestId },
  { header: '原因', width: 24, value: (r) => r.reason },
  { header: '变更前', width: 40, value: (r) => json(r.before) },
  { header: '变更后', width: 40, value: (r) => json(r.after) },
]

export const accountColumns: XlsxColumn<AccountView>[] = [
  { header: '用户名', width: 18, value: (r) => r.username },
  { header: '姓名', width: 14, value: (r) => r.displayName },
  { header: '状态', width: 8, value: (r) => (r.status === 'active' ? '启用' : '停用') },
  { header: '已锁定', width: 8, value: (r) => yesNo(r.locked) },
  { header: '须修改密码', width: 10, value: (r) => yesNo(r.mustChangePassword) },
  { header: '授权', width: 48, value: (r) => r.grants.map((g) => `${roleZh[g.role] ?? g.role}@${g.unitName ?? '全部'}`).join(';') },
  { header: '最后登录', width: 20, type: 'datetime', value: (r) => r.lastLoginAt },
  { header: '创建时间', width: 20, type: 'datetime', value: (r) => r.createdAt },
]
