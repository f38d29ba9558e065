import type { Db } from '../db/connect.js'
import { hashPassword, passwordProblem } from '../lib/passwords.js'
import { nowIso } from '../lib/time.js'
import { systemActor } from '../modules/access/service.js'
import type { Role } from '../modules/access/roles.js'
import { recordAudit } from '../modules/audit/service.js'
import * as store from './store.js'

/** One demo login: `demo_<role>`, its grant (role × unit), and where that is, for the printed list and the README. */
export interface DemoAccount {
  username: string
  role: Role
  displayName: string
  unitId: number
  unitName: string
  /** What the account is for, in Chinese and English. */
  zh: string
  en: string
}

interface Places {
  county: { id: number; name: string }
  town: { id: number; name: string }
  community: { id: number; name: string }
  grid: { id: number; name: string }
  agency: { id: number; name: string }
  park: { id: number; name: string }
  enterprise: { id: number; name: string }
  property: { id: number; name: string }
}

/** The accounts, one per role, each granted where its role works in the article's county. */
export function demoAccountSpecs(p: Places): Omit<DemoAccount, 'username'>[] {
  return [
    { role: 'county_admin', displayName: '演示·县级管理员', unitId: p.county.id, unitName: p.county.name, zh: '县级管理员(全县)', en: 'County administrator (whole county)' },
    { role: 'org_dept', displayName: '演示·县委组织部', unitId: p.county.id, unitName: p.county.name, zh: '县委组织部(全县党组织、考核、村庄调整)', en: 'Organization department (party, assessments, restructuring)' },
    { role: 'town_admin', displayName: '演示·铜城街道', unitId: p.town.id, unitName: p.town.name, zh: '街道管理员(铜城街道)', en: 'Sub-district administrator (铜城街道)' },
    { role: 'community_worker', displayName: '演示·吉祥苑社区', unitId: p.community.id, unitName: p.community.name, zh: '社区工作者“红管家”(吉祥苑社区)', en: 'Community worker, 红管家 (吉祥苑社区)' },
    { role: 'grid_worker', displayName: '演示·网格员', unitId: p.grid.id, unitName: `${p.community.name}${p.grid.name}`, zh: `网格员(吉祥苑社区${p.grid.name})`, en: `Grid worker (吉祥苑社区 ${p.grid.name})` },
    { role: 'agency_staff', displayName: '演示·行政审批服务局', unitId: p.agency.id, unitName: p.agency.name, zh: '机关工作人员(行政审批服务局,跨域通办)', en: 'Agency staff (行政审批服务局, cross-region services)' },
    { role: 'enterprise_officer', displayName: '演示·红帮办专员', unitId: p.park.id, unitName: p.park.name, zh: '“红帮办”专员(东阿经济开发区)', en: 'Enterprise service officer, 红帮办 (development zone)' },
    { role: 'enterprise_user', displayName: '演示·东方阿胶', unitId: p.enterprise.id, unitName: p.enterprise.name, zh: '企业用户(山东东阿东方阿胶股份有限公司)', en: 'Enterprise user (山东东阿东方阿胶股份有限公司)' },
    { role: 'property_staff', displayName: '演示·物业公司', unitId: p.property.id, unitName: p.property.name, zh: `物业服务企业(${p.property.name})`, en: `Property company staff (${p.property.name})` },
    { role: 'auditor', displayName: '演示·审计员', unitId: p.county.id, unitName: p.county.name, zh: '审计员(全县,只读与审计日志)', en: 'Auditor (whole county, read-only and the audit log)' },
  ]
}

/**
 * Creates (or resets) the demo accounts with the shared password. The password is hashed once for
 * all of them: scrypt is deliberately slow, and ten hashes would add seconds to the first start.
 * They need no password change at first login (they are for trying the product).
 */
export async function createDemoAccounts(db: Db, password: string, places: Places): Promise<DemoAccount[]> {
  const specs = demoAccountSpecs(places).map((s) => ({ ...s, username: `demo_${s.role}` }))
  for (const s of specs) {
    const problem = passwordProblem(s.username, password)
    if (problem) throw new Error(`the demo password is not acceptable (${problem}): at least 10 characters`)
  }
  const hash = await hashPassword(password)
  const now = nowIso()
  await db.transaction().execute(async (trx) => {
    const existing = new Map((await store.findAccountsByUsernames(trx, specs.map((s) => s.username))).map((a) => [a.username, a.id]))
    for (const s of specs) {
      let id = existing.get(s.username)
      if (id === undefined) id = await store.insertAccount(trx, { username: s.username, display_name: s.displayName, password_hash: hash, now })
      else await store.resetAccount(trx, id, { display_name: s.displayName, password_hash: hash, now })
      await store.replaceGrants(trx, id, [{ role: s.role, unitId: s.unitId }], now)
    }
    await recordAudit(trx, systemActor('demo'), {
      action: 'demo.accounts', entityType: 'account', unitId: places.county.id,
      after: specs.map((s) => ({ username: s.username, role: s.role, unitId: s.unitId, unitName: s.unitName })),
    })
  })
  return specs
}
