import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { buildTestApp, dialects, type TestApp } from '../../../test/support/app.js'
import { createPartyMember, createPartyOrg, createResident, createUnit, smallCounty, userWith } from '../../../test/support/factories.js'
import { shanghaiDay } from '../../lib/time.js'
import { systemActor } from '../access/service.js'
import { addMonths, addYears } from './development-rules.js'
import { changeMember, createMember, ensurePartyChain, refreshPartyChecks } from './service.js'

describe.each(dialects)('party organizations and members on %s', (dialect) => {
  let t: TestApp
  let county: Awaited<ReturnType<typeof smallCounty>>
  let compoundA: { id: number; path: string }
  let compoundB: { id: number; path: string }
  let orgs: { countyCommittee: any; working: any; committeeA: any; branchA: any; groupA: any; committeeB: any; branchB: any }

  beforeEach(async () => {
    t = await buildTestApp(dialect)
    county = await smallCounty(t)
    compoundA = await createUnit(t, { parentId: county.gridA.id, type: 'compound', name: '阳光小区' })
    compoundB = await createUnit(t, { parentId: county.gridB.id, type: 'compound', name: '湖畔小区' })
    const countyCommittee = await createPartyOrg(t, { unitId: county.county.id, kind: 'committee', name: '中共测试县委员会' })
    const working = await createPartyOrg(t, { unitId: county.subdistrict.id, kind: 'working_committee', parentId: countyCommittee.id, name: '铜城街道党工委' })
    const committeeA = await createPartyOrg(t, { unitId: county.communityA.id, kind: 'committee', parentId: working.id, name: '吉祥苑社区党委' })
    const branchA = await createPartyOrg(t, { unitId: county.gridA.id, kind: 'branch', parentId: committeeA.id, name: '第一网格党支部' })
    const groupA = await createPartyOrg(t, { unitId: compoundA.id, kind: 'group', parentId: branchA.id, name: '阳光小区党小组' })
    const committeeB = await createPartyOrg(t, { unitId: county.communityB.id, kind: 'committee', parentId: working.id, name: '洛神湖社区党委' })
    const branchB = await createPartyOrg(t, { unitId: county.gridB.id, kind: 'branch', parentId: committeeB.id, name: '洛神湖第一网格党支部' })
    orgs = { countyCommittee, working, committeeA, branchA, groupA, committeeB, branchB }
  })
  afterEach(async () => { await t.close() })

  const today = () => shanghaiDay(new Date())
  const countRows = async (table: 'party_member' | 'audit_log') =>
    Number((await t.dbHandle.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)

  it('registers a member and marks a 党代表 inside the caller’s transaction (an importer’s): a refusal rolls both back with their audit', async () => {
    const actor = systemActor('import-test')
    const db = t.dbHandle.db
    const full = await createResident(t, { unitId: compoundA.id, name: '代表甲' })
    const applicant = await createResident(t, { unitId: compoundA.id, name: '申请乙' })
    const before = { members: await countRows('party_member'), audit: await countRows('audit_log') }
    await expect(db.transaction().execute(async (trx) => {
      const { id } = await createMember(trx, actor, { personId: full.id, orgId: orgs.branchA.id, stage: 'full', joinedDate: '2001-07-01' })
      await changeMember(trx, actor, id, { isRepresentative: true })
      const second = await createMember(trx, actor, { personId: applicant.id, orgId: orgs.branchA.id, stage: 'applicant', applicationDate: '2024-03-01' })
      await changeMember(trx, actor, second.id, { isRepresentative: true })
    })).rejects.toMatchObject({ code: 'representative_requires_full_member' })
    expect({ members: await countRows('party_member'), audit: await countRows('audit_log') }).toEqual(before)

    const id = await db.transaction().execute(async (trx) => {
      const made = await createMember(trx, actor, { personId: full.id, orgId: orgs.branchA.id, stage: 'full', joinedDate: '2001-07-01' })
      await changeMember(trx, actor, made.id, { isRepresentative: true })
      return made.id
    })
    expect((await t.admin.get(`/api/party/members/${id}`)).body).toMatchObject({ isRepresentative: true, stage: 'full' })
    // party.member_create and party.member_update, written with the rows
    expect({ members: await countRows('party_member'), audit: await countRows('audit_log') }).toEqual({ members: before.members + 1, audit: before.audit + 2 })
  })

  it('nests organizations by kind and unit, and refuses a bad parent or a cycle', async () => {
    const groupUnderCommittee = await t.admin.post('/api/party/orgs', { name: '错组', kind: 'group', unitId: compoundA.id, parentId: orgs.committeeA.id })
    expect(groupUnderCommittee.status).toBe(400)
    expect(groupUnderCommittee.body.error.code).toBe('invalid_party_org_parent')
    const rootBranch = await t.admin.post('/api/party/orgs', { name: '孤支部', kind: 'branch', unitId: county.gridA.id, parentId: null })
    expect(rootBranch.body.error.code).toBe('invalid_party_org_parent')
    const elsewhere = await t.admin.post('/api/party/orgs', { name: '越界支部', kind: 'branch', unitId: county.gridB.id, parentId: orgs.committeeA.id })
    expect(elsewhere.status).toBe(400)
    expect(elsewhere.body.error.code).toBe('party_org_unit_outside_parent')
    const missingUnit = await t.admin.post('/api/party/orgs', { name: 'x', kind: 'committee', unitId: 999999, parentId: null })
    expect(missingUnit.status).toBe(404)

    expect(orgs.groupA).toMatchObject({ kind: 'group', parentId: orgs.branchA.id, parentName: '第一网格党支部', unitId: compoundA.id, depth: 4 })
    expect(orgs.groupA.path).toBe(`${orgs.branchA.path}${orgs.groupA.id}/`)
    const detail = await t.admin.get(`/api/party/orgs/${orgs.groupA.id}`)
    expect(detail.body.ancestors.map((a: any) => a.name)).toEqual(['中共测试县委员会', '铜城街道党工委', '吉祥苑社区党委', '第一网格党支部'])

    const cycle = await t.admin.patch(`/api/party/orgs/${orgs.committeeA.id}`, { parentId: orgs.branchA.id })
    expect(cycle.status).toBe(400)
    expect(cycle.body.error.code).toBe('invalid_party_org_parent')
    const notEmpty = await t.admin.patch(`/api/party/orgs/${orgs.branchA.id}`, { status: 'dissolved' })
    expect(notEmpty.status).toBe(409)
    expect(notEmpty.body.error.code).toBe('party_org_not_empty')
    const toGroup = await t.admin.patch(`/api/party/orgs/${orgs.branchA.id}`, { kind: 'group' })
    expect(toGroup.body.error.code).toBe('invalid_party_org_parent')

    // Moving committee A under the county committee moves the whole subtree's paths.
    const moved = await t.admin.patch(`/api/party/orgs/${orgs.committeeA.id}`, { parentId: orgs.countyCommittee.id })
    expect(moved.status).toBe(200)
    expect(moved.body.path).toBe(`${orgs.countyCommittee.path}${orgs.committeeA.id}/`)
    const group = await t.admin.get(`/api/party/orgs/${orgs.groupA.id}`)
    expect(group.body.path).toBe(`${orgs.countyCommittee.path}${orgs.committeeA.id}/${orgs.branchA.id}/${orgs.groupA.id}/`)
    expect(group.body.ancestors.map((a: any) => a.name)).toEqual(['中共测试县委员会', '吉祥苑社区党委', '第一网格党支部'])
    const children = await t.admin.get(`/api/party/orgs/${orgs.countyCommittee.id}/children`)
    expect(children.body.items.map((o: any) => o.name).sort()).toEqual(['吉祥苑社区党委', '铜城街道党工委'].sort())
  })

  it('shows each worker the tree of their own community with member counts, and nothing of the other', async () => {
    await createPartyMember(t, { unitId: compoundA.id, orgId: orgs.branchA.id })
    await createPartyMember(t, { unitId: compoundA.id, orgId: orgs.groupA.id, stage: 'probationary', joinedDate: '2025-09-01' })
    await createPartyMember(t, { unitId: compoundA.id, orgId: orgs.branchA.id, stage: 'applicant' })
    await createPartyMember(t, { unitId: compoundB.id, orgId: orgs.branchB.id })

    const all = await t.admin.get('/api/party/orgs/tree')
    expect(all.status).toBe(200)
    expect(all.body.items.map((n: any) => n.name)).toEqual(['中共测试县委员会', '铜城街道党工委', '吉祥苑社区党委', '第一网格党支部', '阳光小区党小组', '洛神湖社区党委', '洛神湖第一网格党支部'])
    const byName = Object.fromEntries(all.body.items.map((n: any) => [n.name, n]))
    expect(byName['中共测试县委员会']).toMatchObject({ memberCount: 3, childCount: 1, parentId: null, depth: 0 })
    expect(byName['第一网格党支部']).toMatchObject({ memberCount: 2, childCount: 1 })
    expect(byName['阳光小区党小组']).toMatchObject({ memberCount: 1 })

    const worker = await userWith(t, 'community_worker', county.communityA.id)
    const mine = await worker.get('/api/party/orgs/tree')
    expect(mine.body.items.map((n: any) => n.name)).toEqual(['吉祥苑社区党委', '第一网格党支部', '阳光小区党小组'])
    expect(mine.body.items[0].parentId).toBe(orgs.working.id)
    const shallow = await t.admin.get(`/api/party/orgs/tree?rootId=${orgs.working.id}&maxDepth=1`)
    expect(shallow.body.items.map((n: any) => n.name)).toEqual(['铜城街道党工委', '吉祥苑社区党委', '洛神湖社区党委'])

    const detail = await worker.get(`/api/party/orgs/${orgs.branchA.id}`)
    expect(detail.body.memberCounts).toEqual({ applicant: 1, activist: 0, candidate: 0, probationary: 0, full: 1, total: 2 })
    expect(detail.body.subtreeMemberCounts).toEqual({ applicant: 1, activist: 0, candidate: 0, probationary: 1, full: 1, total: 3 })

    const other = await worker.get(`/api/party/orgs/${orgs.branchB.id}`)
    expect(other.status).toBe(403)
    expect((await worker.get(`/api/party/orgs/tree?rootId=${orgs.committeeB.id}`)).status).toBe(403)
    expect((await worker.patch(`/api/party/orgs/${orgs.branchB.id}`, { name: '改名' })).status).toBe(403)
    expect((await worker.post('/api/party/orgs', { name: '越界', kind: 'branch', unitId: county.gridB.id, parentId: orgs.committeeB.id })).status).toBe(403)
    const list = await worker.get('/api/party/orgs')
    expect(list.body.items.map((o: any) => o.name)).toEqual(['吉祥苑社区党委', '第一网格党支部', '阳光小区党小组'])
    const members = await worker.get('/api/party/members?status=all')
    expect(members.body.total).toBe(3)
    const memberB = (await t.admin.get(`/api/party/members?orgId=${orgs.branchB.id}`)).body.items[0]
    expect((await worker.get(`/api/party/members/${memberB.id}`)).status).toBe(403)
    expect((await worker.post(`/api/party/members/${memberB.id}/steps`, { step: 'full', date: '2024-01-01' })).status).toBe(403)
    const personA = await createResident(t, { unitId: compoundA.id, name: '想去洛神' })
    expect((await worker.post('/api/party/members', { personId: personA.id, orgId: orgs.branchB.id, applicationDate: '2025-01-01' })).status).toBe(403)
    const personB = await createResident(t, { unitId: compoundB.id, name: '洛神居民' })
    const pulled = await worker.post('/api/party/members', { personId: personB.id, orgId: orgs.branchA.id, applicationDate: '2025-01-01' })
    expect(pulled.status).toBe(403)
  })

  it('walks the development pipeline: refuses steps out of order, flags late and premature steps, filters 有异常', async () => {
    const applicant = await createPartyMember(t, { unitId: compoundA.id, orgId: orgs.branchA.id, stage: 'applicant', applicationDate: '2020-01-10', birthDate: '1990-04-04' })
    expect(applicant).toMatchObject({ stage: 'applicant', membership: null, flags: ['talk_overdue'], pending: { step: 'talk', dueBy: '2020-02-10', overdue: true } })
    expect(applicant.timeline.map((s: any) => s.step)).toEqual(['application'])
    expect(applicant.flagDetails[0]).toMatchObject({ code: 'talk_overdue', message: '入党申请已超过一个月仍未谈话' })
    const id = applicant.id
    const step = (body: object) => t.admin.post(`/api/party/members/${id}/steps`, body)

    const skip = await step({ step: 'activist', date: '2020-03-01' })
    expect(skip.status).toBe(409)
    expect(skip.body.error.code).toBe('invalid_stage_transition')
    expect((await step({ step: 'talk', date: '2019-12-31' })).body.error.code).toBe('invalid_step_date')
    expect((await step({ step: 'talk', date: addMonths(today(), 1) })).body.error.code).toBe('invalid_step_date')

    const talk = await step({ step: 'talk', date: '2020-03-01' })
    expect(talk.status).toBe(200)
    expect(talk.body.timeline[1]).toMatchObject({ step: 'talk', flags: [{ code: 'talk_late', expected: '2020-02-10' }] })
    expect(talk.body.flags).toEqual(['talk_late'])
    expect((await step({ step: 'activist', date: '2020-04-01' })).body.stage).toBe('activist')
    const candidate = await step({ step: 'candidate', date: '2020-10-01' })
    expect(candidate.body).toMatchObject({ stage: 'candidate', flags: ['talk_late', 'candidate_premature'] })
    const noSponsors = await step({ step: 'admission', date: '2021-06-01' })
    expect(noSponsors.status).toBe(400)
    expect(noSponsors.body.error.code).toBe('sponsors_required')
    const admitted = await step({ step: 'admission', date: '2021-06-01', sponsors: ['张三', '李四'] })
    expect(admitted.body).toMatchObject({ stage: 'probationary', membership: 'probationary', joinedDate: '2021-06-01' })
    expect(admitted.body.timeline[4].sponsors).toEqual(['张三', '李四'])
    expect(admitted.body.flags).toEqual(['talk_late', 'candidate_premature', 'full_overdue'])
    const full = await step({ step: 'full', date: '2022-06-15' })
    expect(full.body).toMatchObject({ stage: 'full', membership: 'full', fullDate: '2022-06-15', pending: null })
    expect(full.body.flags).toEqual(['talk_late', 'candidate_premature'])
    expect((await step({ step: 'full', date: '2022-07-01' })).body.error.code).toBe('invalid_stage_transition')

    // Only the last step can be taken back; the stage follows.
    const talkId = full.body.timeline[1].id
    expect((await t.admin.delete(`/api/party/members/${id}/steps/${talkId}`)).body.error.code).toBe('invalid_stage_transition')
    const undone = await t.admin.delete(`/api/party/members/${id}/steps/${full.body.timeline[5].id}`)
    expect(undone.body).toMatchObject({ stage: 'probationary', fullDate: null })
    const early = await step({ step: 'full', date: '2022-05-01' })
    expect(early.body.timeline[5].flags.map((f: any) => f.code)).toEqual(['full_premature'])

    const clean = await createPartyMember(t, { unitId: compoundA.id, orgId: orgs.branchA.id, stage: 'full', joinedDate: '2015-07-01', fullDate: '2016-07-01' })
    const overdue = await createPartyMember(t, { unitId: compoundA.id, orgId: orgs.branchA.id, stage: 'probationary', joinedDate: addYears(today(), -2) })
    const recent = await createPartyMember(t, { unitId: compoundA.id, orgId: orgs.branchA.id, stage: 'applicant', applicationDate: today() })
    const ids = async (qs: string) => ((await t.admin.get(`/api/party/members?pageSize=100&${qs}`)).body.items as any[]).map((m) => m.id).sort((a, b) => a - b)
    expect(await ids('flagged=true')).toEqual([id, overdue.id].sort((a, b) => a - b))
    expect(await ids('flag=candidate_premature')).toEqual([id])
    expect(await ids('flag=full_overdue')).toEqual([overdue.id])
    expect(await ids('flag=talk_overdue')).toEqual([])
    expect(await ids('stage=applicant')).toEqual([recent.id])
    expect(await ids('membership=full')).toEqual([id, clean.id].sort((a, b) => a - b))
    expect(await ids('membership=probationary')).toEqual([overdue.id])
    expect((await t.admin.get('/api/party/members?flag=nonsense')).status).toBe(400)

    const again = await t.admin.post('/api/party/members', { personId: applicant.personId, orgId: orgs.branchA.id, applicationDate: '2024-01-01' })
    expect(again.status).toBe(409)
    expect(again.body.error.code).toBe('already_party_member')
    const intoCommittee = await t.admin.post('/api/party/members', { personId: (await createResident(t, { unitId: compoundA.id })).id, orgId: orgs.committeeA.id, applicationDate: '2024-01-01' })
    expect(intoCommittee.body.error.code).toBe('org_cannot_hold_members')
    // Members written outside the services (demo generator, bulk import) get their checks in one batch call.
    const db = t.dbHandle.db
    const now = new Date().toISOString()
    const person = await createResident(t, { unitId: compoundA.id, name: '批量导入' })
    const { id: bulkId } = await db.insertInto('party_member').values({ person_id: person.id, org_id: orgs.branchA.id, stage: 'activist', status: 'active', created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow()
    await db.insertInto('party_member_step').values([
      { member_id: bulkId, step: 'application', date: '2019-01-01', created_at: now },
      { member_id: bulkId, step: 'talk', date: '2019-05-01', created_at: now },
      { member_id: bulkId, step: 'activist', date: '2019-06-01', created_at: now },
    ]).execute()
    expect(await ids('flag=talk_late')).toEqual([id])
    expect(await refreshPartyChecks(db)).toBe(5)
    expect(await ids('flag=talk_late')).toEqual([id, bulkId])
    expect(await ids('flagged=true')).toEqual([id, overdue.id, bulkId])

    const audit = await t.admin.get(`/api/audit?entityType=party_member&entityId=${id}&pageSize=50`)
    expect(audit.body.items.map((e: any) => e.action)).toEqual(expect.arrayContaining(['party.member_create', 'party.step', 'party.step_delete']))
  })

  it('keeps officers to members: one secretary, roles that fit the kind', async () => {
    const secretary = await createPartyMember(t, { unitId: compoundA.id, orgId: orgs.branchA.id, name: '王书记' })
    const deputy = await createPartyMember(t, { unitId: compoundA.id, orgId: orgs.branchA.id, name: '李副书记' })
    const applicant = await createPartyMember(t, { unitId: compoundA.id, orgId: orgs.branchA.id, stage: 'applicant' })
    const outsider = await createResident(t, { unitId: compoundA.id })
    const put = (orgId: number, officers: object[]) => t.admin.put(`/api/party/orgs/${orgId}/officers`, { officers })

    expect((await put(orgs.branchA.id, [{ personId: outsider.id, role: 'secretary' }])).body.error.code).toBe('officer_not_member')
    expect((await put(orgs.branchA.id, [{ personId: applicant.personId, role: 'committee_member' }])).body.error.code).toBe('officer_not_member')
    expect((await put(orgs.branchA.id, [{ personId: secretary.personId, role: 'secretary' }, { personId: deputy.personId, role: 'secretary' }])).body.error.code).toBe('invalid_officer_role')
    expect((await put(orgs.branchA.id, [{ personId: secretary.personId, role: 'group_leader' }])).body.error.code).toBe('invalid_officer_role')
    const ok = await put(orgs.branchA.id, [
      { personId: secretary.personId, role: 'secretary', since: '2024-01-01' },
      { personId: deputy.personId, role: 'deputy_secretary' },
      { personId: deputy.personId, role: 'secretary', since: '2020-01-01', until: '2023-12-31' },
    ])
    expect(ok.status).toBe(200)
    expect(ok.body.officers.map((o: any) => [o.name, o.role])).toEqual([['王书记', 'secretary'], ['李副书记', 'deputy_secretary'], ['李副书记', 'secretary']])
    expect((await put(orgs.groupA.id, [{ personId: deputy.personId, role: 'group_leader' }])).status).toBe(200)
    const worker = await userWith(t, 'community_worker', county.communityB.id)
    expect((await worker.put(`/api/party/orgs/${orgs.branchA.id}/officers`, { officers: [] })).status).toBe(403)
  })

  it('transfers membership between communities, out of and into the county', async () => {
    const workerA = await userWith(t, 'community_worker', county.communityA.id)
    const workerB = await userWith(t, 'community_worker', county.communityB.id)
    const member = await createPartyMember(t, { unitId: compoundA.id, orgId: orgs.branchA.id, name: '迁移党员' })
    const applicant = await createPartyMember(t, { unitId: compoundA.id, orgId: orgs.branchA.id, stage: 'applicant' })

    expect((await workerA.post('/api/party/transfers', { direction: 'internal', memberId: applicant.id, toOrgId: orgs.branchB.id, issuedDate: today() })).body.error.code).toBe('transfer_not_allowed')
    const missing = await workerA.post('/api/party/transfers', { direction: 'internal', memberId: member.id, issuedDate: today() })
    expect(missing.status).toBe(400)
    expect(missing.body.error.details).toEqual([expect.objectContaining({ field: 'toOrgId' })])
    const stolen = await workerB.post('/api/party/transfers', { direction: 'internal', memberId: member.id, toOrgId: orgs.branchB.id, issuedDate: today() })
    expect(stolen.status).toBe(403)

    const sent = await workerA.post('/api/party/transfers', { direction: 'internal', memberId: member.id, toOrgId: orgs.branchB.id, issuedDate: today(), letterNo: '东组转字第12号' })
    expect(sent.status).toBe(201)
    expect(sent.body).toMatchObject({ status: 'in_transit', direction: 'internal', fromOrgId: orgs.branchA.id, toOrgId: orgs.branchB.id, name: '迁移党员' })
    expect((await workerA.get(`/api/party/members/${member.id}`)).body.openTransferId).toBe(sent.body.id)
    expect((await workerA.post('/api/party/transfers', { direction: 'outbound', memberId: member.id, externalOrgName: '聊城市某党支部', issuedDate: today() })).body.error.code).toBe('transfer_in_progress')
    expect((await workerB.get('/api/party/transfers')).body.items.map((x: any) => x.id)).toEqual([sent.body.id])

    expect((await workerA.post(`/api/party/transfers/${sent.body.id}/receive`, { receivedDate: today() })).status).toBe(403)
    const received = await workerB.post(`/api/party/transfers/${sent.body.id}/receive`, { receivedDate: today() })
    expect(received.status).toBe(200)
    expect(received.body).toMatchObject({ status: 'received', receivedDate: today() })
    expect((await workerB.get(`/api/party/members/${member.id}`)).body).toMatchObject({ orgId: orgs.branchB.id, status: 'active', openTransferId: null })
    expect((await workerA.get(`/api/party/members/${member.id}`)).status).toBe(403)
    expect((await workerB.post(`/api/party/transfers/${sent.body.id}/receive`, { receivedDate: today() })).body.error.code).toBe('transfer_not_open')

    // Out of the county: the sending branch records the receipt; the member leaves the lists.
    const out = await workerB.post('/api/party/transfers', { direction: 'outbound', memberId: member.id, externalOrgName: '济南市历下区某社区党委', issuedDate: today() })
    expect(out.status).toBe(201)
    expect((await workerB.post(`/api/party/transfers/${out.body.id}/receive`, { receivedDate: today() })).status).toBe(200)
    expect((await workerB.get(`/api/party/members/${member.id}`)).body.status).toBe('transferred_out')
    expect((await workerB.get('/api/party/members')).body.items.map((m: any) => m.id)).not.toContain(member.id)

    // Into the county: a person in the registry arrives from outside; received by the target branch.
    const newcomer = await createResident(t, { unitId: compoundB.id, name: '新来党员' })
    const inbound = await workerB.post('/api/party/transfers', {
      direction: 'inbound', personId: newcomer.id, toOrgId: orgs.branchB.id, externalOrgName: '北京市某党支部', stage: 'full', joinedDate: '2012-07-01', issuedDate: today(),
    })
    expect(inbound.status).toBe(201)
    const arriving = (await workerB.get(`/api/party/members?status=incoming`)).body.items
    expect(arriving.map((m: any) => m.name)).toEqual(['新来党员'])
    expect((await workerA.post(`/api/party/transfers/${inbound.body.id}/receive`, { receivedDate: today() })).status).toBe(403)
    expect((await workerB.post(`/api/party/transfers/${inbound.body.id}/receive`, { receivedDate: today() })).status).toBe(200)
    expect((await workerB.get(`/api/party/members/${arriving[0].id}`)).body).toMatchObject({ status: 'active', stage: 'full', orgId: orgs.branchB.id })

    // The one who left comes back to live in 洛神湖 and the inbound is cancelled: the membership stays outside.
    const notMine = await workerB.post('/api/party/transfers', {
      direction: 'inbound', personId: member.personId, toOrgId: orgs.branchB.id, externalOrgName: '济南市历下区某社区党委', stage: 'full', joinedDate: '2010-07-01', issuedDate: today(),
    })
    expect(notMine.status).toBe(403)
    expect((await t.admin.patch(`/api/residents/${member.personId}`, { unitId: compoundB.id })).status).toBe(200)
    const back = await workerB.post('/api/party/transfers', {
      direction: 'inbound', personId: member.personId, toOrgId: orgs.branchB.id, externalOrgName: '济南市历下区某社区党委', stage: 'full', joinedDate: '2010-07-01', issuedDate: today(),
    })
    expect(back.status).toBe(201)
    expect(back.body.memberId).toBe(member.id)
    const cancelled = await workerB.post(`/api/party/transfers/${back.body.id}/cancel`, { note: '未报到' })
    expect(cancelled.body.status).toBe('cancelled')
    expect((await workerB.get(`/api/party/members/${member.id}`)).body.status).toBe('transferred_out')
    expect((await t.admin.get(`/api/party/members/${member.id}`)).body.transfers.map((x: any) => x.status)).toEqual(['cancelled', 'received', 'received'])
  })

  it('flags party representatives and their studios, with a public page that shows no personal information', async () => {
    const probationary = await createPartyMember(t, { unitId: compoundA.id, orgId: orgs.branchA.id, stage: 'probationary', joinedDate: '2025-09-01' })
    const rep = await createPartyMember(t, { unitId: compoundA.id, orgId: orgs.branchA.id, name: '刘代表' })
    expect((await t.admin.patch(`/api/party/members/${probationary.id}`, { isRepresentative: true })).body.error.code).toBe('representative_requires_full_member')
    const studioBody = { memberId: rep.id, unitId: compoundA.id, name: '刘代表法律服务工作室', specialty: '法律咨询', receptionHours: '每周三 9:00-11:30', address: '阳光小区红旗驿站' }
    expect((await t.admin.post('/api/party/studios', studioBody)).body.error.code).toBe('studio_owner_not_representative')
    const marked = await t.admin.patch(`/api/party/members/${rep.id}`, { isRepresentative: true, representativeLevel: 'county' })
    expect(marked.body).toMatchObject({ isRepresentative: true, representativeLevel: 'county' })
    const studio = await t.admin.post('/api/party/studios', studioBody)
    expect(studio.status).toBe(201)
    expect(studio.body).toMatchObject({ name: '刘代表法律服务工作室', representativeName: '刘代表', unitName: '阳光小区', status: 'active' })
    expect((await t.admin.post('/api/party/studios', studioBody)).body.error.code).toBe('studio_exists')
    expect((await t.admin.get('/api/party/members?isRepresentative=true')).body.items.map((m: any) => m.id)).toEqual([rep.id])

    const workerA = await userWith(t, 'grid_worker', county.gridA.id)
    const workerB = await userWith(t, 'community_worker', county.communityB.id)
    expect((await workerA.get('/api/party/studios')).body.items.map((s: any) => s.id)).toEqual([studio.body.id])
    expect((await workerB.get('/api/party/studios')).body.total).toBe(0)
    expect((await workerB.get(`/api/party/studios/${studio.body.id}`)).status).toBe(403)
    expect((await workerB.patch(`/api/party/studios/${studio.body.id}`, { name: '改' })).status).toBe(403)

    const pub = await t.anon.get(`/api/public/studios/${studio.body.id}`)
    expect(pub.status).toBe(200)
    expect(pub.body).toEqual({ id: studio.body.id, name: '刘代表法律服务工作室', unitId: compoundA.id, unitName: '阳光小区', specialty: '法律咨询', receptionHours: '每周三 9:00-11:30', address: '阳光小区红旗驿站' })
    expect(pub.text).not.toContain('representative')
    expect(Object.keys(pub.body)).not.toContain('memberId')

    const unmarked = await t.admin.patch(`/api/party/members/${rep.id}`, { isRepresentative: false })
    expect(unmarked.body.studio).toMatchObject({ status: 'closed' })
    expect((await t.anon.get(`/api/public/studios/${studio.body.id}`)).status).toBe(404)
    expect((await t.anon.get('/api/public/studios/999999')).body.error.code).toBe('studio_not_found')
  })

  it('builds the 社区党委—网格党支部—楼院党小组 chain for restructuring, reusing and re-attaching what exists', async () => {
    const community = await createUnit(t, { parentId: county.subdistrict.id, type: 'community', name: '新社区' })
    const g1 = await createUnit(t, { parentId: community.id, type: 'grid', name: '一网格' })
    const g2 = await createUnit(t, { parentId: community.id, type: 'grid', name: '二网格' })
    const c1 = await createUnit(t, { parentId: g1.id, type: 'compound', name: '东苑' })
    const c2 = await createUnit(t, { parentId: g2.id, type: 'compound', name: '西苑' })
    const db = t.dbHandle.db
    const actor = systemActor('restructure-test')

    const chain = await db.transaction().execute((trx) => ensurePartyChain(trx, actor, { communityUnitId: community.id, gridUnitIds: [g1.id, g2.id], compoundUnitIds: [c1.id, c2.id] }))
    expect(chain.branches.every((b) => b.created) && chain.groups.every((g) => g.created)).toBe(true)
    const committee = (await t.admin.get(`/api/party/orgs/${chain.committeeId}`)).body
    expect(committee).toMatchObject({ name: '新社区党委', kind: 'committee', parentId: orgs.working.id, unitId: community.id })
    const tree = (await t.admin.get(`/api/party/orgs/tree?rootId=${chain.committeeId}`)).body.items as any[]
    const nameOf = (id: number | null) => tree.find((n) => n.id === id)?.name ?? null
    expect(tree[0]).toMatchObject({ name: '新社区党委', kind: 'committee' })
    expect(tree.map((n) => [n.name, n.kind, nameOf(n.parentId)]).sort()).toEqual([
      ['一网格党支部', 'branch', '新社区党委'], ['东苑党小组', 'group', '一网格党支部'], ['二网格党支部', 'branch', '新社区党委'],
      ['新社区党委', 'committee', null], ['西苑党小组', 'group', '二网格党支部'],
    ].sort())
    // Depth-first: every node comes after its parent.
    tree.forEach((n, i) => { if (i > 0) expect(tree.findIndex((p) => p.id === n.parentId)).toBeLessThan(i) })

    const again = await db.transaction().execute((trx) => ensurePartyChain(trx, actor, { communityUnitId: community.id, gridUnitIds: [g1.id, g2.id], compoundUnitIds: [c1.id, c2.id] }))
    expect(again.committeeId).toBe(chain.committeeId)
    expect([...again.branches, ...again.groups].some((x) => x.created)).toBe(false)

    // 东苑 is re-divided into 二网格 (as the units module does); its group follows to 二网格's branch.
    await db.updateTable('unit').set({ parent_id: g2.id, path: `${g2.path}${c1.id}/` }).where('id', '=', c1.id).execute()
    const redivided = await db.transaction().execute((trx) => ensurePartyChain(trx, actor, { communityUnitId: community.id, gridUnitIds: [g2.id], compoundUnitIds: [c1.id] }))
    const branch2 = redivided.branches[0]!.orgId
    const group1 = (await t.admin.get(`/api/party/orgs/${redivided.groups[0]!.orgId}`)).body
    expect(group1).toMatchObject({ name: '东苑党小组', parentId: branch2 })
    expect(group1.path.startsWith((await t.admin.get(`/api/party/orgs/${branch2}`)).body.path)).toBe(true)
    const moves = await t.admin.get('/api/audit?action=party.org_move')
    expect(moves.body.total).toBe(1)

    const me = { ...actor, grants: [{ role: 'community_worker' as const, unitId: county.communityA.id, unitPath: county.communityA.path, unitName: null }] }
    await expect(db.transaction().execute((trx) => ensurePartyChain(trx, me, { communityUnitId: community.id, gridUnitIds: [], compoundUnitIds: [] }))).rejects.toMatchObject({ code: 'forbidden' })
  })
})
