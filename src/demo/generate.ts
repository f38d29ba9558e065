import type { Insertable } from 'kysely'
import type { Db } from '../db/connect.js'
import type { PersonTable } from '../db/tables/county.js'
import { maskIdNumber, maskMobile, type PiiCipher } from '../lib/pii.js'
import { nowIso, shanghaiDay } from '../lib/time.js'
import { sha256 } from '../lib/tokens.js'
import { systemActor } from '../modules/access/service.js'
import { recordAudit } from '../modules/audit/service.js'
import { createUnit } from '../modules/units/service.js'
import { executeRestructure } from '../modules/units/restructuring.js'
import { createOrg, createStudio, ensurePartyChain, refreshPartyChecks, updateMember, updateOrg } from '../modules/party/service.js'
import { seedCatalog } from '../modules/catalog/seed.js'
import { assignPropertyCompany, createRule, listCategories } from '../modules/catalog/service.js'
import { addYears } from '../modules/party/development-rules.js'
import {
  AGENCIES, APPROVAL_BUREAU, COMMUNITIES, COUNTY, DONG_E_EJIAO, JIXIANGYUAN, JIXIANGYUAN_NEW_GRIDS, JIXIANGYUAN_REDIVIDED_ON,
  JIXIANGYUAN_RESIDENT_UNITS, LUOSHENHU, MERGES, PARK, POLICE, PROPERTY_COMPANIES, STUDIO_SPECIALTIES, TOWNS,
} from './county.js'
import { createDemoAccounts, type DemoAccount } from './accounts.js'
import { MEMBER_SHARE, memberDraft, membershipWeight, pipelineDraft, weightedSample, type MemberDraft } from './members.js'
import { NamePool, compoundName, creditCode, enterpriseName, villageName } from './names.js'
import { PeopleFactory, apartment, farmhouse, type HouseholdDraft } from './people.js'
import type { ProgressListener } from './progress.js'
import { Random } from './random.js'
import { generateRequestHistory } from './requests.js'
import * as store from './store.js'

/*
 * The deterministic demo county (issue 3, item 7): 东阿县 as the source article describes it.
 * The same seed gives the same county — names, codes, people, members — on every machine and both
 * databases; only ciphertexts, ids and timestamps of writing differ. Units above the village level
 * are created through the units service; villages, grids, compounds, buildings and enterprises,
 * households and people, members and their steps are written in batches (src/demo/store.ts);
 * the merging of villages and the re-division of 吉祥苑社区's grids run through the real
 * restructuring operation, party chains, the catalog, property companies and studios through their
 * modules' services.
 */

export type DemoScale = 'tiny' | 'small' | 'full'
export const demoScales: readonly DemoScale[] = ['tiny', 'small', 'full']

interface ScaleSpec {
  householdsPerCompound: [number, number]
  householdsPerVillage: [number, number]
  buildingsPerCompound: [number, number]
  floors: number
  /** Service requests of the history (item 8). */
  requests: number
}

/** tiny: for tests; small: the default first start (seconds); full: about 400,000 residents. */
export const SCALES: Record<DemoScale, ScaleSpec> = {
  tiny: { householdsPerCompound: [2, 3], householdsPerVillage: [2, 3], buildingsPerCompound: [1, 3], floors: 6, requests: 240 },
  small: { householdsPerCompound: [8, 14], householdsPerVillage: [8, 14], buildingsPerCompound: [2, 6], floors: 6, requests: 3000 },
  full: { householdsPerCompound: [190, 390], householdsPerVillage: [350, 600], buildingsPerCompound: [6, 20], floors: 11, requests: 40000 },
}

export const DEFAULT_SEED = 371524
/** The setting that records a finished generation (seed, scale, when). */
export const DEMO_SETTING = 'demo.county'

export interface DemoOptions {
  scale?: DemoScale
  seed?: number
  /** Shared password of the demo accounts; generated when absent. */
  password: string
  /** The day ages and histories are counted back from (YYYY-MM-DD, default today in Asia/Shanghai). */
  asOf?: string
  onProgress?: ProgressListener
  /** Generate the request history (default true). */
  requests?: boolean
}

export interface DemoResult {
  countyId: number
  seed: number
  scale: DemoScale
  accounts: DemoAccount[]
  facts: store.CountyFacts
  requests: number
  ms: number
  phases: { phase: string; ms: number }[]
}

export class DemoExistsError extends Error {
  constructor() {
    super(`the demo county ${COUNTY.name} (${COUNTY.code}) already exists in this database / 演示县已存在`)
  }
}

interface Ref {
  id: number
  path: string
  depth: number
  countyId: number
  name: string
  code: string | null
}

interface Place extends Ref {
  kind: 'compound' | 'village'
  /** Buildings of a compound (people live in buildings); empty for a village. */
  buildings: Ref[]
  community: string | null
}

interface Slim {
  personId: number
  age: number
  male: boolean
  birthDate: string
  /** The compound or village the person lives in. */
  placeId: number
}

const PHASES: readonly { phase: string; label: string }[] = [
  { phase: 'units', label: '单位 units' },
  { phase: 'party', label: '党组织 party organizations' },
  { phase: 'residents', label: '居民 residents' },
  { phase: 'members', label: '党员 party members' },
  { phase: 'restructuring', label: '村庄合并与网格细分 restructuring' },
  { phase: 'catalog', label: '服务清单与物业 catalog and property' },
  { phase: 'studios', label: '党代表工作室 studios' },
  { phase: 'accounts', label: '演示账号 accounts' },
  { phase: 'checks', label: '发展党员校验 pipeline checks' },
  { phase: 'requests', label: '诉求历史 request history' },
]

const pad = (n: number, width: number): string => String(n).padStart(width, '0')
const childRef = (parent: Ref, id: number, name: string, code: string | null): Ref => ({
  id, path: `${parent.path}${id}/`, depth: parent.depth + 1, countyId: parent.countyId, name, code,
})
/** Runs `task` over the items, at most `width` at a time (PostgreSQL overlaps the round trips; SQLite queues them). */
async function inParallel<T>(items: readonly T[], width: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < items.length) await task(items[next++] as T)
  }
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker))
}

const CHINESE_NUMERALS = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十', '十一', '十二', '十三', '十四', '十五', '十六']

export async function generateDemo(db: Db, pii: PiiCipher, options: DemoOptions): Promise<DemoResult> {
  const started = Date.now()
  const scale = options.scale ?? 'small'
  const spec = SCALES[scale]
  const seed = options.seed ?? DEFAULT_SEED
  const asOf = options.asOf ?? shanghaiDay(new Date())
  const root = new Random(seed)
  const actor = systemActor('demo')
  const emit = options.onProgress ?? (() => undefined)
  const phaseTimes: { phase: string; ms: number }[] = []
  const withRequests = options.requests ?? true

  if (await store.findUnitByCode(db, COUNTY.code)) throw new DemoExistsError()

  /** Runs one phase; `unit` names what its result counts, `progressUnit` what its progress counts (default the same). */
  const run = async (phase: string, unit: string, fn: (report: (done: number, total: number) => void) => Promise<number>, progressUnit = unit) => {
    const index = PHASES.findIndex((p) => p.phase === phase)
    const base = { phase, label: PHASES[index]!.label, step: index + 1, steps: PHASES.length, unit }
    const t0 = Date.now()
    emit({ ...base, done: 0, total: 0, state: 'start', ms: 0 })
    const done = await fn((d, total) => emit({ ...base, unit: progressUnit, done: d, total, state: 'progress', ms: Date.now() - t0 }))
    const ms = Date.now() - t0
    phaseTimes.push({ phase, ms })
    emit({ ...base, done, total: done, state: 'end', ms })
  }

  // --- 1. units ------------------------------------------------------------------------------------
  const towns = new Map<string, Ref>()
  const communities = new Map<string, Ref>()
  const agencies = new Map<string, Ref>()
  const villages = new Map<string, Ref[]>()
  const grids = new Map<string, Ref[]>()
  const places: Place[] = []
  const enterprises: Ref[] = []
  const propertyCompanies = new Map<string, Ref>()
  const residentUnits: Ref[] = []
  let county!: Ref
  let park!: Ref

  await run('units', 'units', async (report) => {
    const rng = root.fork('units')
    const credit = new Set<string>()
    const creditOf = (kind: '11' | '91') => {
      for (;;) {
        const code = creditCode(rng, kind, COUNTY.code)
        if (!credit.has(code)) return credit.add(code), code
      }
    }
    const made = (v: { id: number; path: string; depth: number; name: string; code: string | null }, countyId: number): Ref =>
      ({ id: v.id, path: v.path, depth: v.depth, countyId, name: v.name, code: v.code })

    const c = await createUnit(db, actor, { parentId: null, type: 'county', name: COUNTY.name, code: COUNTY.code, address: COUNTY.address })
    county = made(c, c.id)
    for (const [i, t] of TOWNS.entries()) {
      towns.set(t.name, made(await createUnit(db, actor, { parentId: county.id, type: t.type, name: t.name, code: t.code, address: `${COUNTY.name}${t.name}`, sortOrder: i + 1 }), county.id))
    }
    for (const [i, cm] of COMMUNITIES.entries()) {
      const town = towns.get(cm.town) as Ref
      communities.set(cm.name, made(await createUnit(db, actor, { parentId: town.id, type: 'community', name: cm.name, code: cm.code, address: cm.address, sortOrder: i + 1 }), county.id))
    }
    for (const [i, a] of AGENCIES.entries()) {
      const parent = a.under ? (towns.get(a.under) as Ref) : county
      agencies.set(a.name, made(await createUnit(db, actor, { parentId: parent.id, type: 'agency', name: a.name, code: creditOf('11'), address: a.address, sortOrder: 100 + i }), county.id))
    }
    park = made(await createUnit(db, actor, { parentId: county.id, type: 'park', name: PARK.name, code: creditOf('11'), address: PARK.address, sortOrder: 200 }), county.id)
    let created = 2 + TOWNS.length + COMMUNITIES.length + AGENCIES.length
    report(created, created)

    const now = nowIso()
    await db.transaction().execute(async (trx) => {
      await store.lockUnitTree(trx)
      const names = new NamePool([...MERGES.flatMap((m) => m.villages), ...COMMUNITIES.map((x) => x.name)])

      // villages: the ones a merger names first, then invented ones; codes town code + 201…
      const villageDrafts: { town: Ref; name: string; code: string }[] = []
      for (const t of TOWNS) {
        const town = towns.get(t.name) as Ref
        const list = [...MERGES.filter((m) => m.town === t.name).flatMap((m) => m.villages)]
        for (let i = 0; i < t.villages; i++) list.push(names.take(() => villageName(rng)))
        list.forEach((name, i) => villageDrafts.push({ town, name, code: `${t.code}${pad(201 + i, 3)}` }))
      }
      // grids before any re-division: 一网格 … with codes community code + 001…
      const gridDrafts: { community: string; ref: Ref; name: string; code: string }[] = []
      for (const cm of COMMUNITIES) {
        const ref = communities.get(cm.name) as Ref
        for (let g = 0; g < cm.grids; g++) gridDrafts.push({ community: cm.name, ref, name: `${CHINESE_NUMERALS[g]}网格`, code: `${cm.code}${pad(g + 1, 3)}` })
      }
      const enterpriseNames = new NamePool([DONG_E_EJIAO, ...PROPERTY_COMPANIES.map((p) => p.name), ...JIXIANGYUAN_RESIDENT_UNITS])
      const parkNames = [DONG_E_EJIAO, ...Array.from({ length: PARK.enterprises - 1 }, () => enterpriseNames.take(() => enterpriseName(rng)))]

      const level1 = await store.insertUnits(trx, [
        ...villageDrafts.map((v, i) => ({ parent: v.town, type: 'village', name: v.name, code: v.code, address: `${COUNTY.name}${v.town.name}${v.name}`, sortOrder: 100 + i })),
        ...gridDrafts.map((g, i) => ({ parent: g.ref, type: 'grid', name: g.name, code: g.code, address: null, sortOrder: i + 1 })),
        ...parkNames.map((name, i) => ({ parent: park, type: 'enterprise', name, code: creditOf('91'), address: `${PARK.address.replace(/\d+号$/, '')}${i + 2}号`, sortOrder: i + 1 })),
        ...PROPERTY_COMPANIES.map((p, i) => ({ parent: towns.get(p.under) as Ref, type: 'enterprise', name: p.name, code: creditOf('91'), address: null, sortOrder: 300 + i })),
        ...JIXIANGYUAN_RESIDENT_UNITS.map((name, i) => ({ parent: communities.get(JIXIANGYUAN) as Ref, type: 'enterprise', name, code: creditOf('91'), address: null, sortOrder: 500 + i })),
      ], now)
      let k = 0
      for (const v of villageDrafts) {
        const ref = childRef(v.town, level1[k++] as number, v.name, v.code)
        villages.set(v.town.name, [...(villages.get(v.town.name) ?? []), ref])
      }
      for (const g of gridDrafts) grids.set(g.community, [...(grids.get(g.community) ?? []), childRef(g.ref, level1[k++] as number, g.name, g.code)])
      for (const name of parkNames) enterprises.push(childRef(park, level1[k++] as number, name, null))
      for (const p of PROPERTY_COMPANIES) propertyCompanies.set(p.name, childRef(towns.get(p.under) as Ref, level1[k++] as number, p.name, null))
      for (const name of JIXIANGYUAN_RESIDENT_UNITS) residentUnits.push(childRef(communities.get(JIXIANGYUAN) as Ref, level1[k++] as number, name, null))

      // compounds: exactly as many per community as the facts say, spread over its grids in order
      const namedCompound = (community: string) => `${community.replace(/社区$/, '')}小区`
      const compoundNames = new NamePool(COMMUNITIES.map((x) => namedCompound(x.name)))
      const compoundDrafts: { grid: Ref; name: string; code: string; community: string; address: string }[] = []
      for (const cm of COMMUNITIES) {
        const gridRefs = grids.get(cm.name) as Ref[]
        const street = cm.address.replace(/\d+号$/, '')
        for (let i = 0; i < cm.compounds; i++) {
          const name = i === 0 ? namedCompound(cm.name) : compoundNames.take(() => compoundName(rng))
          compoundDrafts.push({
            grid: gridRefs[Math.floor((i * gridRefs.length) / cm.compounds)] as Ref, name, code: `${cm.code}XQ${pad(i + 1, 3)}`, community: cm.name,
            address: `${street}${rng.int(1, 300)}号`,
          })
        }
      }
      const compoundIds = await store.insertUnits(trx, compoundDrafts.map((d, i) => ({ parent: d.grid, type: 'compound', name: d.name, code: d.code, address: d.address, sortOrder: i + 1 })), now)
      const compoundRefs = compoundDrafts.map((d, i) => childRef(d.grid, compoundIds[i] as number, d.name, d.code))

      // buildings (楼院) under each compound
      const buildingDrafts: { compound: number; ref: Ref; name: string; code: string }[] = []
      compoundRefs.forEach((ref, ci) => {
        const n = rng.int(...spec.buildingsPerCompound)
        for (let b = 0; b < n; b++) buildingDrafts.push({ compound: ci, ref, name: `${b + 1}号楼`, code: `${ref.code}L${pad(b + 1, 2)}` })
      })
      const buildingIds = await store.insertUnits(trx, buildingDrafts.map((d, i) => ({ parent: d.ref, type: 'building', name: d.name, code: d.code, address: null, sortOrder: i + 1 })), now)
      const buildingsOf = new Map<number, Ref[]>()
      buildingDrafts.forEach((d, i) => buildingsOf.set(d.compound, [...(buildingsOf.get(d.compound) ?? []), childRef(d.ref, buildingIds[i] as number, d.name, d.code)]))

      compoundRefs.forEach((ref, i) => places.push({ ...ref, kind: 'compound', buildings: buildingsOf.get(i) ?? [], community: compoundDrafts[i]!.community }))
      for (const list of villages.values()) for (const v of list) places.push({ ...v, kind: 'village', buildings: [], community: null })
      created += level1.length + compoundIds.length + buildingIds.length
    })
    report(created, created)
    return created
  })

  // --- 2. party organizations ------------------------------------------------------------------------
  const residenceOrg = new Map<number, number>() // compound or village unit → the organization its residents join
  const workplaces: { orgId: number; weight: number }[] = []
  const orgOfUnit = new Map<number, number>() // the top organization of a unit (for secretaries and studios)
  const oldGridBranches: number[] = []
  await run('party', 'organizations', async () => {
    const rng = root.fork('party')
    let count = 0
    await db.transaction().execute(async (trx) => {
      const org = async (name: string, kind: 'committee' | 'working_committee' | 'general_branch' | 'branch' | 'group', unitId: number, parentId: number | null, established = '2018-07-01') => {
        const { id } = await createOrg(trx, actor, { name, kind, unitId, parentId, establishedDate: established })
        count++
        if (!orgOfUnit.has(unitId)) orgOfUnit.set(unitId, id)
        return id
      }
      const countyCommittee = await org('中共东阿县委员会', 'committee', county.id, null, '1949-10-01')
      const agencyWork = await org('中共东阿县直属机关工作委员会', 'working_committee', county.id, countyCommittee, '1984-05-01')
      orgOfUnit.set(county.id, countyCommittee)
      const townOrg = new Map<string, number>()
      for (const t of TOWNS) {
        const ref = towns.get(t.name) as Ref
        const id = t.type === 'subdistrict'
          ? await org(`中共东阿县${t.name}工作委员会`, 'working_committee', ref.id, countyCommittee, '2001-03-01')
          : await org(`中共东阿县${t.name}委员会`, 'committee', ref.id, countyCommittee, '1984-05-01')
        townOrg.set(t.name, id)
        for (const v of villages.get(t.name) ?? []) residenceOrg.set(v.id, await org(`${v.name}党支部`, 'branch', v.id, id, `19${rng.int(56, 99)}-0${rng.int(1, 9)}-01`))
      }
      // 社区党委—网格党支部—楼院党小组 for every community, through the party module's own chain builder
      for (const cm of COMMUNITIES) {
        const ref = communities.get(cm.name) as Ref
        const gridIds = (grids.get(cm.name) as Ref[]).map((g) => g.id)
        const compounds = places.filter((p) => p.kind === 'compound' && p.community === cm.name)
        const chain = await ensurePartyChain(trx, actor, { communityUnitId: ref.id, gridUnitIds: gridIds, compoundUnitIds: compounds.map((p) => p.id) })
        count += chain.branches.length + chain.groups.length + 1
        orgOfUnit.set(ref.id, chain.committeeId)
        for (const g of chain.groups) residenceOrg.set(g.unitId, g.orgId)
        if (cm.name === JIXIANGYUAN) oldGridBranches.push(...chain.branches.map((b) => b.orgId))
      }
      for (const a of AGENCIES) {
        if (!a.party) continue
        const ref = agencies.get(a.name) as Ref
        const parent = a.under ? (townOrg.get(a.under) as number) : agencyWork
        const top = await org(a.party.name, a.party.kind, ref.id, parent, '1990-07-01')
        const branches = a.party.branches ?? []
        if (branches.length === 0) workplaces.push({ orgId: top, weight: a.weight })
        for (const b of branches) workplaces.push({ orgId: await org(b, 'branch', ref.id, top, '2005-07-01'), weight: a.weight / branches.length })
      }
      const parkCommittee = await org('中共东阿经济开发区工作委员会', 'working_committee', park.id, countyCommittee, '2006-09-01')
      for (const [i, e] of enterprises.entries()) {
        if (i === 0) {
          // 山东东阿东方阿胶股份有限公司: a company committee with the 书记工作室 (“三个一”党建工作法)
          const top = await org('中共山东东阿东方阿胶股份有限公司委员会', 'committee', e.id, parkCommittee, '2003-06-18')
          for (const b of ['机关党支部', '生产一车间党支部', '生产二车间党支部', '研发中心党支部', '营销中心党支部']) {
            workplaces.push({ orgId: await org(b, 'branch', e.id, top, '2008-07-01'), weight: 3 })
          }
        } else if (rng.chance(0.35)) {
          workplaces.push({ orgId: await org(`${e.name}党支部`, 'branch', e.id, parkCommittee, `20${pad(rng.int(5, 22), 2)}-07-01`), weight: 0.7 })
        }
      }
      for (const n of ['第一', '第二']) workplaces.push({ orgId: await org(`东阿经济开发区非公企业${n}联合党支部`, 'branch', park.id, parkCommittee, '2016-07-01'), weight: 2 })
      const redButler = propertyCompanies.get(PROPERTY_COMPANIES[0]!.name) as Ref
      workplaces.push({ orgId: await org(`${redButler.name}党支部`, 'branch', redButler.id, townOrg.get('铜城街道') as number, '2020-07-01'), weight: 0.6 })
    })
    return count
  })

  // --- 3. residents -----------------------------------------------------------------------------------
  const slim: Slim[] = []
  await run('residents', 'people', async (report) => {
    const rng = root.fork('residents')
    const people = new PeopleFactory(rng.fork('people'), COUNTY.code, asOf)
    const tagIds = new Map((await store.personTags(db)).map((t) => [t.code, t.id]))
    const perBatch = scale === 'full' ? 4 : 40
    const now = nowIso()
    for (let start = 0; start < places.length; start += perBatch) {
      const batch = places.slice(start, start + perBatch)
      const drafts: { place: Place; unitId: number; household: HouseholdDraft }[] = []
      for (const place of batch) {
        if (place.kind === 'compound') {
          const count = rng.int(...spec.householdsPerCompound)
          const perBuilding = new Map<number, number>()
          for (let h = 0; h < count; h++) {
            const building = place.buildings[h % place.buildings.length] as Ref
            const k = perBuilding.get(building.id) ?? 0
            perBuilding.set(building.id, k + 1)
            const entrances = 2
            const room = apartment((k % entrances) + 1, (Math.floor(k / entrances) % spec.floors) + 1, Math.floor(k / (entrances * spec.floors)) + 1)
            drafts.push({ place, unitId: building.id, household: people.household(room, 'urban') })
          }
        } else {
          const count = rng.int(...spec.householdsPerVillage)
          for (let h = 0; h < count; h++) drafts.push({ place, unitId: place.id, household: people.household(farmhouse(rng, h + 1), 'rural') })
        }
      }
      await db.transaction().execute(async (trx) => {
        const householdIds = await store.insertHouseholds(trx, drafts.map((d) => ({
          county_id: county.id, unit_id: d.unitId, room: d.household.room, head_person_id: null, status: 'active', created_at: now, updated_at: now,
        })))
        const rows: Insertable<PersonTable>[] = []
        const meta: { place: Place; age: number; male: boolean; birthDate: string; tags: string[] }[] = []
        drafts.forEach((d, i) => {
          for (const p of d.household.persons) {
            rows.push({
              county_id: county.id, unit_id: d.unitId, household_id: householdIds[i], relation: p.relation, name: p.name, gender: p.gender,
              birth_date: p.birthDate, ethnicity: p.ethnicity, room: d.household.room, status: 'active', note: null, created_at: now, updated_at: now,
              // personal information exactly as the residents module stores it: ciphertext, keyed hash, mask
              id_number_enc: pii.encrypt(p.idNumber), id_number_hash: pii.lookupHash(p.idNumber), id_number_masked: maskIdNumber(p.idNumber),
              phone_enc: p.phone ? pii.encrypt(p.phone) : null, phone_hash: p.phone ? pii.lookupHash(p.phone) : null, phone_masked: p.phone ? maskMobile(p.phone) : null,
            })
            meta.push({ place: d.place, age: p.age, male: p.gender === 'male', birthDate: p.birthDate, tags: p.tags })
          }
        })
        const personIds = await store.insertPersons(trx, rows)
        const links: { person_id: number; tag_id: number }[] = []
        personIds.forEach((id, i) => {
          const m = meta[i]!
          slim.push({ personId: id, age: m.age, male: m.male, birthDate: m.birthDate, placeId: m.place.id })
          for (const code of m.tags) {
            const tag = tagIds.get(code)
            if (tag !== undefined) links.push({ person_id: id, tag_id: tag })
          }
        })
        await store.insertTagLinks(trx, links)
        await store.setHouseholdHeads(trx, householdIds)
      })
      report(Math.min(places.length, start + perBatch), places.length)
    }
    return slim.length
  }, 'compounds and villages')

  // --- 4. party members ---------------------------------------------------------------------------------
  const memberIdsByPerson = new Map<number, { memberId: number; stage: string; orgId: number; placeId: number; representative: boolean }>()
  await run('members', 'members and applicants', async () => {
    const rng = root.fork('members')
    const adults = slim.filter((p) => p.age >= 18)
    const chosen = weightedSample(rng, adults.map((p) => membershipWeight(p)), Math.round(adults.length * MEMBER_SHARE))
    const chosenSet = new Set(chosen)
    const totalWeight = workplaces.reduce((a, w) => a + w.weight, 0)
    const workplaceOf = (): number => {
      let x = rng.next() * totalWeight
      for (const w of workplaces) if ((x -= w.weight) < 0) return w.orgId
      return workplaces[workplaces.length - 1]!.orgId
    }
    const drafts: { person: Slim; orgId: number; draft: MemberDraft }[] = []
    for (const i of chosen) {
      const person = adults[i] as Slim
      const atWork = person.age >= 22 && person.age <= 59 && rng.chance(0.3)
      const orgId = atWork ? workplaceOf() : (residenceOrg.get(person.placeId) as number)
      drafts.push({ person, orgId, draft: memberDraft(rng, person, asOf) })
    }
    // the pipeline: younger adults who applied, are activists or candidates
    const young = adults.map((p, i) => ({ p, i })).filter(({ p, i }) => !chosenSet.has(i) && p.age >= 19 && p.age <= 40)
    const pipeline = rng.shuffle(young)
    const counts = { applicant: Math.round(adults.length * 0.002), activist: Math.round(adults.length * 0.0025), candidate: Math.round(adults.length * 0.0012) }
    let next = 0
    for (const stage of ['applicant', 'activist', 'candidate'] as const) {
      for (let n = 0; n < counts[stage] && next < pipeline.length; n++) {
        const person = pipeline[next++]!.p
        const orgId = person.age <= 35 && rng.chance(0.25) ? workplaceOf() : (residenceOrg.get(person.placeId) as number)
        drafts.push({ person, orgId, draft: pipelineDraft(rng, stage, asOf) })
      }
    }
    // party representatives (党代表) of the county and town congresses: about one full member in eighty
    const fullIdx = drafts.map((d, i) => (d.draft.stage === 'full' ? i : -1)).filter((i) => i >= 0)
    const repLevel = new Map(rng.shuffle(fullIdx).slice(0, Math.round(fullIdx.length / 80)).map((i) => [i, rng.chance(0.7) ? 'county' : 'town'] as const))
    const now = nowIso()
    await db.transaction().execute(async (trx) => {
      const ids = await store.insertMembers(trx, drafts.map((d, i) => ({
        county_id: county.id, person_id: d.person.personId, org_id: d.orgId, stage: d.draft.stage, joined_date: d.draft.joinedDate, full_date: d.draft.fullDate,
        is_representative: repLevel.has(i) ? 1 : 0, representative_level: repLevel.get(i) ?? null, status: 'active', created_at: now, updated_at: now,
      })))
      const steps = drafts.flatMap((d, i) => d.draft.steps.map((s) => ({
        member_id: ids[i] as number, step: s.step, date: s.date, sponsors_json: s.sponsors ? JSON.stringify(s.sponsors) : null, note: null, actor_id: null, created_at: now,
      })))
      await store.insertSteps(trx, steps)
      drafts.forEach((d, i) => memberIdsByPerson.set(d.person.personId, {
        memberId: ids[i] as number, stage: d.draft.stage, orgId: d.orgId, placeId: d.person.placeId, representative: repLevel.has(i),
      }))

      // secretaries and group leaders: the longest-standing full member of the organization (or of its subtree)
      const orgs = await store.orgsInCounty(trx, county.id)
      const fullByOrg = new Map<number, { personId: number; joined: string }[]>()
      drafts.forEach((d) => {
        if (d.draft.stage !== 'full') return
        fullByOrg.set(d.orgId, [...(fullByOrg.get(d.orgId) ?? []), { personId: d.person.personId, joined: d.draft.joinedDate as string }])
      })
      const byPath = orgs.map((o) => ({ ...o, members: (fullByOrg.get(o.id) ?? []).sort((a, b) => (a.joined < b.joined ? -1 : a.joined > b.joined ? 1 : a.personId - b.personId)) }))
      const officers: { org_id: number; person_id: number; role: string; since: string | null; until: null }[] = []
      const taken = new Set<number>()
      for (const o of byPath) {
        let pool = o.members
        if (pool.length === 0 && o.kind !== 'group') pool = byPath.filter((x) => x.path.startsWith(o.path) && x.id !== o.id).flatMap((x) => x.members)
        const holder = pool.find((m) => !taken.has(m.personId)) ?? pool[0]
        if (!holder) continue
        taken.add(holder.personId)
        officers.push({ org_id: o.id, person_id: holder.personId, role: o.kind === 'group' ? 'group_leader' : 'secretary', since: `20${pad(rng.int(16, 24), 2)}-0${rng.int(1, 9)}-01`, until: null })
      }
      await store.insertOfficers(trx, officers)
    })
    return drafts.length
  })

  // --- 5. restructuring: new villages, 吉祥苑社区's grids -------------------------------------------------
  await run('restructuring', 'operations', async () => {
    let operations = 0
    for (const m of MERGES) {
      const town = towns.get(m.town) as Ref
      const list = villages.get(m.town) as Ref[]
      const villageIds = m.villages.map((name) => (list.find((v) => v.name === name) as Ref).id)
      await executeRestructure(db, actor, 'merge_villages', {
        villageIds, newVillage: { townId: town.id, name: m.newVillage, code: m.code, address: `${COUNTY.name}${m.town}${m.newVillage}` },
        effectiveDate: m.effectiveDate, note: m.note,
      })
      operations++
    }
    // 吉祥苑社区: 5 grids optimized into 13, a party branch per grid and a group per compound
    const community = communities.get(JIXIANGYUAN) as Ref
    const compounds = await store.unitsInSubtree(db, community.path, 'compound')
    const ordered = compounds.sort((a, b) => (a.code ?? '').localeCompare(b.code ?? ''))
    const newGrids = Array.from({ length: JIXIANGYUAN_NEW_GRIDS }, (_, g) => ({
      name: `第${CHINESE_NUMERALS[g]}网格`,
      compoundIds: ordered.filter((_, i) => Math.floor((i * JIXIANGYUAN_NEW_GRIDS) / ordered.length) === g).map((c) => c.id),
    }))
    await executeRestructure(db, actor, 'redivide_grids', {
      communityId: community.id, grids: newGrids, partyChain: true, effectiveDate: JIXIANGYUAN_REDIVIDED_ON,
      note: '“红管家”:将原有的5个网格优化细分为13个,以网格为单位建立党支部,以小区为单位建立楼院党小组,构建“社区党委—网格党支部—楼院(小区)党小组”组织网和治理网。',
    })
    operations++
    // The old grids' branches lost their groups to the new branches: dissolved through the party service.
    for (const id of oldGridBranches) await updateOrg(db, actor, id, { status: 'dissolved' })
    return operations
  })

  // --- 6. catalog, routing defaults, property companies ------------------------------------------------
  await run('catalog', 'compounds with a property company', async () => {
    const rng = root.fork('catalog')
    await seedCatalog(db, {
      countyUnitId: county.id, approvalAgencyUnitId: (agencies.get(APPROVAL_BUREAU) as Ref).id,
      elderlyCareCommunityUnitId: (communities.get(LUOSHENHU) as Ref).id,
    })
    const categories = new Map((await listCategories(db, actor, {})).map((c) => [c.code, c.id]))
    // routing defaults: enterprises' requests go to the zone (红帮办); traffic to the police; construction to the housing bureau
    await createRule(db, actor, { locationUnitId: park.id, targetKind: 'unit', targetUnitId: park.id, note: '园区企业诉求由“红帮办”专员统一受理' })
    const traffic = categories.get('traffic')
    if (traffic) await createRule(db, actor, { locationUnitId: county.id, categoryId: traffic, targetKind: 'unit', targetUnitId: (agencies.get(POLICE) as Ref).id, note: '交通出行事项由县公安局交警大队办理' })
    const construction = categories.get('construction')
    if (construction) await createRule(db, actor, { locationUnitId: county.id, categoryId: construction, targetKind: 'unit', targetUnitId: (agencies.get('东阿县住房和城乡建设局') as Ref).id })

    // who serves which compound is drawn first, in order; the assignments (one transaction each) then run a few at a time
    const plan: { compound: number; steps: { propertyUnitId: number; since: string; note?: string }[] }[] = []
    for (const place of places) {
      if (place.kind !== 'compound') continue
      if (rng.chance(0.08)) continue // 业主自管: an older compound without a property company
      const candidates = PROPERTY_COMPANIES.filter((p) => p.serves.includes(place.community as string))
      const company = propertyCompanies.get(rng.pick(candidates.length ? candidates : PROPERTY_COMPANIES).name) as Ref
      const since = `20${pad(rng.int(15, 23), 2)}-${pad(rng.int(1, 12), 2)}-01`
      if (rng.chance(0.05)) {
        // a company that left after a poor half-yearly evaluation (退出程序) and its successor
        const former = propertyCompanies.get(rng.pick(PROPERTY_COMPANIES).name) as Ref
        if (former.id !== company.id) {
          plan.push({ compound: place.id, steps: [
            { propertyUnitId: former.id, since: '2016-01-01' },
            { propertyUnitId: company.id, since: '2024-07-01', note: '原物业服务企业半年度服务质量评价不合格,启动退出程序后重新选聘' },
          ] })
          continue
        }
      }
      plan.push({ compound: place.id, steps: [{ propertyUnitId: company.id, since }] })
    }
    await inParallel(plan, 6, async (p) => {
      for (const step of p.steps) await assignPropertyCompany(db, actor, p.compound, step)
    })
    const assigned = plan.length
    return assigned
  })

  // --- 7. party representatives' studios (党代表专业工作室), one per community ------------------------------
  await run('studios', 'studios', async () => {
    const rng = root.fork('studios')
    const full = [...memberIdsByPerson.values()].filter((m) => m.stage === 'full')
    const placeCommunity = new Map(places.map((p) => [p.id, p.community]))
    const owners = new Set<number>()
    let studios = 0
    for (const [i, cm] of COMMUNITIES.entries()) {
      const living = full.filter((m) => placeCommunity.get(m.placeId) === cm.name && !owners.has(m.memberId))
      // a representative who lives in the community; failing that, a member there is elected one (through the party service)
      const reps = living.filter((m) => m.representative)
      const pool = reps.length ? reps : living.length ? living : full.filter((m) => m.representative && !owners.has(m.memberId))
      if (pool.length === 0) continue
      const m = rng.pick(pool)
      owners.add(m.memberId)
      if (!m.representative) {
        await updateMember(db, actor, m.memberId, { isRepresentative: true, representativeLevel: 'county' })
        m.representative = true
      }
      const specialty = STUDIO_SPECIALTIES[i % STUDIO_SPECIALTIES.length] as string
      await createStudio(db, actor, {
        memberId: m.memberId, unitId: (communities.get(cm.name) as Ref).id, name: `${cm.name}党代表${specialty}工作室`, specialty,
        receptionHours: `每周${rng.pick(['一', '二', '三', '四', '五'])} ${rng.pick(['9:00-11:30', '14:30-17:00'])}`, address: `${cm.address}党群服务中心`,
      })
      studios++
    }
    return studios
  })

  // --- 8. accounts ---------------------------------------------------------------------------------------
  let accounts: DemoAccount[] = []
  await run('accounts', 'accounts', async () => {
    const jixiangyuan = communities.get(JIXIANGYUAN) as Ref
    const firstGrid = (await store.unitsInSubtree(db, jixiangyuan.path, 'grid')).sort((a, b) => (a.code ?? '').localeCompare(b.code ?? ''))[0]!
    const servingJixiangyuan = propertyCompanies.get(PROPERTY_COMPANIES[0]!.name) as Ref
    accounts = await createDemoAccounts(db, options.password, {
      county: county, town: towns.get('铜城街道') as Ref, community: jixiangyuan, grid: { id: firstGrid.id, name: firstGrid.name },
      agency: agencies.get(APPROVAL_BUREAU) as Ref, park, enterprise: enterprises[0] as Ref, property: servingJixiangyuan,
    })
    return accounts.length
  })

  // --- 9. pipeline checks -----------------------------------------------------------------------------------
  await run('checks', 'members checked', async () => refreshPartyChecks(db))

  // --- 10. request history -------------------------------------------------------------------------------
  let requestCount = 0
  await run('requests', 'requests', async (report) => {
    if (!withRequests) return 0
    requestCount = await generateRequestHistory(db, pii, {
      countyId: county.id, countyPath: county.path, count: spec.requests, asOf, rng: root.fork('requests'), report,
    })
    return requestCount
  })

  const facts = await store.countyFacts(db, county.path, addYears(asOf, -18))
  const ms = Date.now() - started
  const summary = { seed, scale, asOf, generatedAt: nowIso(), facts, requests: requestCount, ms }
  await db.transaction().execute(async (trx) => {
    await store.writeSetting(trx, DEMO_SETTING, JSON.stringify(summary), nowIso())
    await recordAudit(trx, actor, { action: 'demo.generate', entityType: 'unit', entityId: county.id, unitId: county.id, unitPath: county.path, after: summary })
  })
  return { countyId: county.id, seed, scale, accounts, facts, requests: requestCount, ms, phases: phaseTimes }
}

/** A digest of everything the seed decides (names, codes, people, members), to compare two generations. */
export async function demoDigest(db: Db): Promise<string> {
  const county = await store.findUnitByCode(db, COUNTY.code)
  if (!county) throw new Error('no demo county')
  const rows = await store.digestRows(db, county.path)
  const lines = [
    ...rows.units.map((u) => `u|${u.type}|${u.name}|${u.code}|${u.status}|${u.depth}|${u.parent_name}|${u.parent_code}`),
    ...rows.persons.map((p) => `p|${p.name}|${p.gender}|${p.birth_date}|${p.id_number_masked}|${p.phone_masked}|${p.relation}|${p.room}|${p.unit_code}|${p.unit_name}`),
    ...rows.members.map((m) => `m|${m.id_number_masked}|${m.name}|${m.stage}|${m.joined_date}|${m.full_date}|${m.is_representative}|${m.org_name}`),
  ].sort()
  return sha256(lines.join('\n'))
}

