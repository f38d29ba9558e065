import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { buildTestApp, dialects, type TestApp } from '../../../test/support/app.js'
import { createResident, createUnit, smallCounty, userWith, validIdNumber, validMobile } from '../../../test/support/factories.js'
import { download, readXlsx } from '../../../test/support/xlsx.js'
import { shanghaiDay } from '../../lib/time.js'
import type { Actor } from '../access/service.js'
import { ageOn, bornOnOrBefore, validatePersonInput } from './person-input.js'
import { checkPersonsBatch, createHousehold, createPerson, createPersonsBatch, residentRowsForExport } from './service.js'

const TODAY = '2026-11-30'

describe('person input rules (pure)', () => {
  it('reports every problem per field without throwing', () => {
    const res = validatePersonInput({ name: '  ', idNumber: '371524198005170000', phone: '12345', gender: 'x', birthDate: '2026-02-30', tagIds: ['a'] }, TODAY)
    expect(res.ok).toBe(false)
    const codes = Object.fromEntries(res.problems.map((p) => [p.field, p.code]))
    expect(codes).toMatchObject({ name: 'required', idNumber: 'invalid_id_number', phone: 'invalid_mobile', gender: 'invalid_value', birthDate: 'invalid_date', tagIds: 'invalid_value', unitId: 'required' })
  })

  it('derives birth date and gender from the identity number, and catches a mismatch', () => {
    const id = validIdNumber('1962-08-09', 'female')
    const ok = validatePersonInput({ name: ' 王  芳 ', idNumber: id.toLowerCase(), phone: '+86 139-0000-1111', unitId: 3 }, TODAY)
    expect(ok.ok).toBe(true)
    expect(ok.value).toMatchObject({ name: '王 芳', birthDate: '1962-08-09', gender: 'female', idNumber: id.toUpperCase(), phone: '13900001111', status: 'active' })
    const wrongBirth = validatePersonInput({ name: '王芳', idNumber: id, birthDate: '1962-08-10', unitId: 3 }, TODAY)
    expect(wrongBirth.problems).toEqual([expect.objectContaining({ field: 'birthDate', code: 'birth_date_mismatch' })])
    const wrongGender = validatePersonInput({ name: '王芳', idNumber: id, gender: 'male', unitId: 3 }, TODAY)
    expect(wrongGender.problems).toEqual([expect.objectContaining({ field: 'gender', code: 'gender_mismatch' })])
    expect(validatePersonInput({ name: '未来', birthDate: '2027-01-01', unitId: 3 }, TODAY).problems[0]?.code).toBe('invalid_date')
  })

  it('computes ages and age bounds on calendar days', () => {
    expect(ageOn('1956-11-30', TODAY)).toBe(70)
    expect(ageOn('1956-12-01', TODAY)).toBe(69)
    expect(bornOnOrBefore(TODAY, 60)).toBe('1966-11-30')
  })
})

describe.each(dialects)('residents and households on %s', (dialect) => {
  let t: TestApp
  let county: Awaited<ReturnType<typeof smallCounty>>
  let compoundA: { id: number; path: string }
  let compoundA2: { id: number; path: string }
  let compoundB: { id: number; path: string }

  beforeEach(async () => {
    t = await buildTestApp(dialect)
    county = await smallCounty(t)
    compoundA = await createUnit(t, { parentId: county.gridA.id, type: 'compound', name: '阳光小区' })
    compoundA2 = await createUnit(t, { parentId: county.gridA.id, type: 'compound', name: '幸福小区' })
    compoundB = await createUnit(t, { parentId: county.gridB.id, type: 'compound', name: '湖畔小区' })
  })
  afterEach(async () => { await t.close() })

  const countAudit = async () => Number((await t.dbHandle.db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)
  const personCount = async () => Number((await t.dbHandle.db.selectFrom('person').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)
  /** Audit entries whose action starts with the prefix (the API filters by exact action or a dotted prefix). */
  const auditOf = async (prefix: string) =>
    ((await t.admin.get('/api/audit?action=residents&pageSize=500')).body.items as any[]).filter((e) => e.action.startsWith(prefix))

  it('validates identity and mobile numbers, derives the birth date, and writes nothing on bad input', async () => {
    const id = validIdNumber('1948-03-15', 'male')
    const badCheck = id.slice(0, 17) + (id[17] === '0' ? '1' : '0')
    const bad = await t.admin.post('/api/residents', { name: '张三', unitId: compoundA.id, idNumber: badCheck })
    expect(bad.status).toBe(400)
    expect(bad.body.error.code).toBe('invalid_id_number')
    const badPhone = await t.admin.post('/api/residents', { name: '张三', unitId: compoundA.id, phone: '1234567' })
    expect(badPhone.status).toBe(400)
    expect(badPhone.body.error.code).toBe('invalid_mobile')
    const mismatch = await t.admin.post('/api/residents', { name: '张三', unitId: compoundA.id, idNumber: id, birthDate: '1948-03-16' })
    expect(mismatch.status).toBe(400)
    expect(mismatch.body.error.code).toBe('birth_date_mismatch')
    const genderMismatch = await t.admin.post('/api/residents', { name: '张三', unitId: compoundA.id, idNumber: id, gender: 'female' })
    expect(genderMismatch.body.error.code).toBe('gender_mismatch')
    const notHome = await t.admin.post('/api/residents', { name: '张三', unitId: county.communityA.id })
    expect(notHome.status).toBe(400)
    expect(notHome.body.error.code).toBe('invalid_resident_unit')
    const noPlace = await t.admin.post('/api/residents', { name: '张三' })
    expect(noPlace.status).toBe(400)
    expect(noPlace.body.error.code).toBe('validation_failed')
    const noUnit = await t.admin.post('/api/residents', { name: '张三', unitId: 999999 })
    expect(noUnit.status).toBe(404)
    expect(await personCount()).toBe(0)

    const phone = validMobile()
    const ok = await t.admin.post('/api/residents', { name: '张三', unitId: compoundA.id, idNumber: id, phone, room: '3单元502', ethnicity: '汉族' })
    expect(ok.status).toBe(201)
    expect(ok.body).toMatchObject({
      name: '张三', birthDate: '1948-03-15', gender: 'male', idNumberMasked: `${id.slice(0, 4)}**********${id.slice(-4)}`,
      phoneMasked: `${phone.slice(0, 3)}****${phone.slice(-4)}`, unitId: compoundA.id, room: '3单元502', status: 'active',
      address: '吉祥苑社区 第一网格 阳光小区 3单元502',
    })
    expect(ok.body.age).toBe(ageOn('1948-03-15', shanghaiDay(new Date())))
    expect(ok.text).not.toContain(id)
    expect(ok.text).not.toContain(phone)

    const dup = await t.admin.post('/api/residents', { name: '李四', unitId: compoundA2.id, idNumber: id.toLowerCase() })
    expect(dup.status).toBe(409)
    expect(dup.body.error.code).toBe('id_number_taken')
    expect(await personCount()).toBe(1)
  })

  it('keeps identity and phone numbers encrypted at rest and finds them only by exact value through the keyed hash', async () => {
    const id = validIdNumber('1990-12-01', 'female')
    const phone = validMobile()
    const created = await createResident(t, { unitId: compoundA.id, name: '刘梅', idNumber: id, phone })
    await createResident(t, { unitId: compoundA.id, name: '刘兰', idNumber: validIdNumber('1991-01-02', 'female'), phone: validMobile() })

    const raw = await t.dbHandle.db.selectFrom('person').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow()
    const rawText = JSON.stringify(raw)
    expect(rawText).not.toContain(id)
    expect(rawText).not.toContain(id.slice(6, 14))
    expect(rawText).not.toContain(phone)
    expect(raw.id_number_enc).toMatch(/^v1\./)
    expect(t.pii.decrypt(raw.id_number_enc as string)).toBe(id)
    expect(t.pii.decrypt(raw.phone_enc as string)).toBe(phone)
    expect(raw.id_number_hash).toBe(t.pii.lookupHash(id))
    expect(raw.id_number_masked).toBe(`${id.slice(0, 4)}**********${id.slice(-4)}`)

    const byId = await t.admin.get(`/api/residents?idNumber=${id.toLowerCase()}`)
    expect(byId.status).toBe(200)
    expect(byId.body.items.map((p: any) => p.id)).toEqual([created.id])
    const byPhone = await t.admin.get(`/api/residents?phone=${encodeURIComponent(`+86 ${phone.slice(0, 3)} ${phone.slice(3, 7)} ${phone.slice(7)}`)}`)
    expect(byPhone.body.items.map((p: any) => p.id)).toEqual([created.id])
    const unknown = await t.admin.get(`/api/residents?phone=13999999999`)
    expect(unknown.body).toMatchObject({ items: [], total: 0 })
    const partial = await t.admin.get(`/api/residents?idNumber=${id.slice(0, 10)}`)
    expect(partial.status).toBe(400)
    expect(partial.body.error.code).toBe('invalid_id_number')

    // A changed number is re-encrypted, re-hashed and re-masked; the old one no longer finds anyone.
    const newPhone = validMobile()
    const changed = await t.admin.patch(`/api/residents/${created.id}`, { phone: newPhone })
    expect(changed.status).toBe(200)
    expect(changed.body.phoneMasked).toBe(`${newPhone.slice(0, 3)}****${newPhone.slice(-4)}`)
    expect((await t.admin.get(`/api/residents?phone=${phone}`)).body.total).toBe(0)
    expect((await t.admin.get(`/api/residents?phone=${newPhone}`)).body.total).toBe(1)
    const cleared = await t.admin.patch(`/api/residents/${created.id}`, { phone: null })
    expect(cleared.body.phoneMasked).toBeNull()
    const rawAfter = await t.dbHandle.db.selectFrom('person').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow()
    expect([rawAfter.phone_enc, rawAfter.phone_hash, rawAfter.phone_masked]).toEqual([null, null, null])

    // The audit log keeps masked forms only.
    const audit = await t.dbHandle.db.selectFrom('audit_log').select(['before_json', 'after_json']).where('entity_type', '=', 'person').execute()
    expect(audit.length).toBeGreaterThanOrEqual(4)
    for (const entry of audit) {
      const text = `${entry.before_json} ${entry.after_json}`
      expect(text).not.toContain(id)
      expect(text).not.toContain(phone)
      expect(text).not.toContain(newPhone)
    }
  })

  it('unmasks one field for residents.unmask holders with a reason, audits the reveal but never the value', async () => {
    const id = validIdNumber('1955-06-06', 'male')
    const person = await createResident(t, { unitId: compoundA.id, name: '赵大爷', idNumber: id })
    const worker = await userWith(t, 'community_worker', county.communityA.id)
    const grid = await userWith(t, 'grid_worker', county.gridA.id)
    const other = await userWith(t, 'community_worker', county.communityB.id)

    const noReason = await worker.post(`/api/residents/${person.id}/unmask`, { field: 'idNumber', reason: 'x' })
    expect(noReason.status).toBe(400)
    const gridTry = await grid.post(`/api/residents/${person.id}/unmask`, { field: 'idNumber', reason: '核实身份办理低保' })
    expect(gridTry.status).toBe(403)
    const otherTry = await other.post(`/api/residents/${person.id}/unmask`, { field: 'idNumber', reason: '核实身份办理低保' })
    expect(otherTry.status).toBe(403)
    expect(otherTry.text).not.toContain(id)
    expect(await auditOf('residents.unmask')).toHaveLength(0)

    const shown = await worker.post(`/api/residents/${person.id}/unmask`, { field: 'idNumber', reason: '核实身份办理低保' })
    expect(shown.status).toBe(200)
    expect(shown.body).toEqual({ personId: person.id, field: 'idNumber', value: id })
    const entries = await auditOf('residents.unmask')
    expect(entries).toHaveLength(1)
    expect(entries[0]).toMatchObject({ entityType: 'person', entityId: String(person.id), reason: '核实身份办理低保', after: { field: 'idNumber' }, unitId: compoundA.id })
    expect(JSON.stringify(entries[0])).not.toContain(id)

    const noPhone = await worker.post(`/api/residents/${person.id}/unmask`, { field: 'phone', reason: '联系本人' })
    expect(noPhone.status).toBe(404)
    expect(noPhone.body.error.code).toBe('pii_not_recorded')
    expect(await auditOf('residents.unmask')).toHaveLength(1)
  })

  it('keeps a 吉祥苑社区 worker away from 洛神湖社区 residents: 403 on read and write, absent from lists', async () => {
    const mine = await createResident(t, { unitId: compoundA.id, name: '吉祥居民', idNumber: validIdNumber('1970-01-01') })
    const theirs = await createResident(t, { unitId: compoundB.id, name: '洛神居民', idNumber: validIdNumber('1971-01-01') })
    const hh = await t.admin.post('/api/households', { unitId: compoundB.id, room: '1-101' })
    const worker = await userWith(t, 'community_worker', county.communityA.id)

    expect((await t.anon.get(`/api/residents/${theirs.id}`)).status).toBe(401)
    expect((await worker.get(`/api/residents/${mine.id}`)).status).toBe(200)
    const read = await worker.get(`/api/residents/${theirs.id}`)
    expect(read.status).toBe(403)
    expect(read.body.error.code).toBe('forbidden')
    expect(read.text).not.toContain('洛神居民')
    expect((await worker.patch(`/api/residents/${theirs.id}`, { name: '改名' })).status).toBe(403)
    expect((await worker.post('/api/residents', { name: '越界', unitId: compoundB.id })).status).toBe(403)
    expect((await worker.patch(`/api/residents/${mine.id}`, { unitId: compoundB.id })).status).toBe(403)
    expect((await worker.get(`/api/households/${hh.body.id}`)).status).toBe(403)
    expect((await worker.post(`/api/households/${hh.body.id}/members`, { personId: mine.id, relation: 'other' })).status).toBe(403)

    const list = await worker.get('/api/residents?pageSize=100')
    expect(list.body.items.map((p: any) => p.name)).toEqual(['吉祥居民'])
    expect(list.body.total).toBe(1)
    expect((await worker.get(`/api/residents?unitId=${county.communityB.id}`)).body.total).toBe(0)
    expect((await worker.get(`/api/households`)).body.total).toBe(0)
    expect((await t.admin.get('/api/residents')).body.total).toBe(2)
    expect((await t.admin.get(`/api/residents/${theirs.id}`)).body.name).toBe('洛神居民')
    // Nothing changed on the other side.
    expect((await t.admin.get(`/api/residents/${theirs.id}`)).body.unitId).toBe(compoundB.id)
  })

  it('filters by name, unit subtree, tag, gender, age and status; pages and sorts', async () => {
    const tags = (await t.admin.get('/api/person-tags')).body.items as any[]
    const alone = tags.find((x) => x.nameZh === '独居老人')
    const disabled = tags.find((x) => x.nameZh === '残疾')
    const day = shanghaiDay(new Date())
    const yearsAgo = (n: number) => `${Number(day.slice(0, 4)) - n}${day.slice(4)}`
    await createResident(t, { unitId: compoundA.id, name: '王老汉', birthDate: yearsAgo(80), gender: 'male', tagIds: [alone.id] })
    await createResident(t, { unitId: compoundA.id, name: '王大妈', birthDate: yearsAgo(66), gender: 'female', tagIds: [alone.id, disabled.id] })
    await createResident(t, { unitId: compoundA2.id, name: '李小明', birthDate: yearsAgo(10), gender: 'male' })
    const moved = await createResident(t, { unitId: compoundB.id, name: '王外迁', birthDate: yearsAgo(40), gender: 'male' })
    await t.admin.patch(`/api/residents/${moved.id}`, { status: 'moved_out' })

    const names = async (qs: string) => ((await t.admin.get(`/api/residents?pageSize=100&${qs}`)).body.items as any[]).map((p) => p.name)
    expect(await names(`q=${encodeURIComponent('王')}`)).toEqual(['王老汉', '王大妈'])
    expect(await names(`q=${encodeURIComponent('王')}&status=all`)).toEqual(['王老汉', '王大妈', '王外迁'])
    expect(await names('status=moved_out')).toEqual(['王外迁'])
    expect(await names(`unitId=${compoundA.id}`)).toEqual(['王老汉', '王大妈'])
    const byName = await names(`unitId=${county.gridA.id}&sort=name`)
    expect([...byName].sort()).toEqual(['李小明', '王大妈', '王老汉'].sort())
    expect(await names(`unitId=${county.gridA.id}&sort=-name`)).toEqual([...byName].reverse())
    expect(await names(`tagId=${alone.id}`)).toEqual(['王老汉', '王大妈'])
    expect(await names(`tagId=${disabled.id}`)).toEqual(['王大妈'])
    expect(await names('gender=female')).toEqual(['王大妈'])
    expect(await names('ageMin=66')).toEqual(['王老汉', '王大妈'])
    expect(await names('ageMin=67')).toEqual(['王老汉'])
    expect(await names('ageMax=66')).toEqual(['王大妈', '李小明'])
    expect(await names('ageMin=11&ageMax=79')).toEqual(['王大妈'])
    expect(await names('sort=birthDate')).toEqual(['王老汉', '王大妈', '李小明'])

    const page = await t.admin.get('/api/residents?pageSize=2&page=2&sort=id')
    expect(page.body.total).toBe(3)
    expect(page.body.items.map((p: any) => p.name)).toEqual(['李小明'])
    const detail = (await t.admin.get(`/api/residents?q=${encodeURIComponent('王大妈')}`)).body.items[0]
    expect(detail.tags.map((x: any) => x.nameZh)).toEqual(['独居老人', '残疾'])
    expect((await t.admin.get('/api/residents?sort=nonsense')).status).toBe(400)
  })

  it('manages households: head, members with relations, move with everyone, dissolve only when empty', async () => {
    const created = await t.admin.post('/api/households', { unitId: compoundA.id, room: '2单元301' })
    expect(created.status).toBe(201)
    const hid = created.body.id
    const head = await createResident(t, { householdId: hid, relation: 'head', name: '户主甲', idNumber: validIdNumber('1960-02-02') })
    expect(head).toMatchObject({ unitId: compoundA.id, room: '2单元301', householdId: hid, relation: 'head', household: { headPersonId: head.id, headName: '户主甲', memberCount: 1 } })
    const wrongAddress = await t.admin.post('/api/residents', { name: '错址', householdId: hid, unitId: compoundA2.id })
    expect(wrongAddress.body.error.code).toBe('address_follows_household')
    const spouse = await createResident(t, { unitId: compoundA2.id, name: '配偶乙', phone: validMobile() })
    const joined = await t.admin.post(`/api/households/${hid}/members`, { personId: spouse.id, relation: 'spouse' })
    expect(joined.status).toBe(200)
    expect(joined.body.members.map((m: any) => [m.name, m.relation])).toEqual([['户主甲', 'head'], ['配偶乙', 'spouse']])
    expect(joined.text).not.toMatch(/138\d{8}/)
    expect((await t.admin.get(`/api/residents/${spouse.id}`)).body).toMatchObject({ unitId: compoundA.id, room: '2单元301' })
    const child = await createResident(t, { householdId: hid, relation: 'child', name: '孩子丙' })
    const secondHead = await t.admin.post(`/api/households/${hid}/members`, { personId: child.id, relation: 'head' })
    expect(secondHead.status).toBe(409)
    expect(secondHead.body.error.code).toBe('household_has_head')
    const other = await t.admin.post('/api/households', { unitId: compoundA2.id })
    expect((await t.admin.post(`/api/households/${other.body.id}/members`, { personId: child.id, relation: 'child' })).body.error.code).toBe('person_in_other_household')

    const newHead = await t.admin.patch(`/api/households/${hid}`, { headPersonId: spouse.id })
    expect(newHead.body).toMatchObject({ headPersonId: spouse.id, headName: '配偶乙' })
    expect(newHead.body.members.find((m: any) => m.personId === head.id).relation).toBe('other')

    const moveRoom = await t.admin.patch(`/api/residents/${child.id}`, { room: '9-9' })
    expect(moveRoom.status).toBe(409)
    expect(moveRoom.body.error.code).toBe('address_follows_household')

    const moved = await t.admin.post(`/api/households/${hid}/move`, { unitId: compoundA2.id, room: '5单元101' })
    expect(moved.status).toBe(200)
    expect(moved.body).toMatchObject({ unitId: compoundA2.id, room: '5单元101', memberCount: 3 })
    const people = (await t.admin.get(`/api/residents?householdId=${hid}`)).body.items as any[]
    expect(people.map((p) => [p.unitId, p.room])).toEqual([[compoundA2.id, '5单元101'], [compoundA2.id, '5单元101'], [compoundA2.id, '5单元101']])
    const worker = await userWith(t, 'community_worker', county.communityA.id)
    expect((await worker.post(`/api/households/${hid}/move`, { unitId: compoundB.id })).status).toBe(403)

    expect((await t.admin.patch(`/api/households/${hid}`, { status: 'dissolved' })).body.error.code).toBe('household_not_empty')
    for (const p of people) expect((await t.admin.delete(`/api/households/${hid}/members/${p.id}`)).status).toBe(200)
    const empty = await t.admin.get(`/api/households/${hid}`)
    expect(empty.body).toMatchObject({ memberCount: 0, headPersonId: null, members: [] })
    expect((await t.admin.get(`/api/residents/${child.id}`)).body).toMatchObject({ householdId: null, relation: null, unitId: compoundA2.id })
    expect((await t.admin.patch(`/api/households/${hid}`, { status: 'dissolved' })).body.status).toBe('dissolved')
    expect((await t.admin.get(`/api/households?unitId=${county.gridA.id}`)).body.total).toBe(1)
    expect((await t.admin.get(`/api/households?unitId=${county.gridA.id}&status=all`)).body.total).toBe(2)
    const audit = await auditOf('residents.household')
    expect(audit.map((e) => e.action)).toEqual(expect.arrayContaining(['residents.household_create', 'residents.household_move', 'residents.household_member', 'residents.household_update']))
  })

  it('seeds the care tags and lets a county-level manager edit the list', async () => {
    const list = await t.admin.get('/api/person-tags')
    expect(list.body.items.map((x: any) => x.nameZh)).toEqual(expect.arrayContaining(['独居老人', '残疾', '低保', '退役军人', '流动人口', '留守儿童', '空巢老人', '重点优抚']))
    const worker = await userWith(t, 'community_worker', county.communityA.id)
    expect((await worker.get('/api/person-tags')).status).toBe(200)
    expect((await worker.post('/api/person-tags', { code: 'kidney_dialysis', nameZh: '透析', nameEn: 'Dialysis' })).status).toBe(403)
    const created = await t.admin.post('/api/person-tags', { code: 'kidney_dialysis', nameZh: '透析', nameEn: 'Dialysis' })
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({ code: 'kidney_dialysis', needsCare: true, archived: false })
    expect((await t.admin.post('/api/person-tags', { code: 'kidney_dialysis', nameZh: 'x', nameEn: 'x' })).body.error.code).toBe('person_tag_code_taken')
    const countyAdmin = await userWith(t, 'community_worker', county.county.id)
    expect((await countyAdmin.patch(`/api/person-tags/${created.body.id}`, { archived: true })).body.archived).toBe(true)
    expect((await t.admin.get('/api/person-tags')).body.items.some((x: any) => x.code === 'kidney_dialysis')).toBe(false)
    expect((await t.admin.get('/api/person-tags?includeArchived=true')).body.items.some((x: any) => x.code === 'kidney_dialysis')).toBe(true)
    const archivedUse = await t.admin.post('/api/residents', { name: '透析者', unitId: compoundA.id, tagIds: [created.body.id] })
    expect(archivedUse.status).toBe(404)
    expect(archivedUse.body.error.code).toBe('person_tag_not_found')
  })

  it('exports rows masked, or unmasked only for residents.unmask holders; the rows alone write no audit entry', async () => {
    const id = validIdNumber('1966-06-16')
    const phone = validMobile()
    await createResident(t, { unitId: compoundA.id, name: '导出甲', idNumber: id, phone })
    await createResident(t, { unitId: compoundB.id, name: '导出乙', idNumber: validIdNumber('1967-07-17') })
    const actorAt = (role: 'community_worker' | 'grid_worker', unit: { id: number; path: string }): Actor => ({
      accountId: null, username: `${role}-export`, displayName: role, grants: [{ role, unitId: unit.id, unitPath: unit.path, unitName: null }],
      sessionId: null, ip: '127.0.0.1', requestId: 'test', lang: 'zh',
    })
    const auditBefore = await countAudit()
    const worker = actorAt('community_worker', county.communityA)
    const clear = await residentRowsForExport(t.dbHandle.db, t.pii, worker, {}, { unmasked: true })
    expect(clear.unmasked).toBe(true)
    expect(clear.rows.map((r) => [r.name, r.idNumber, r.phone])).toEqual([['导出甲', id, phone]])
    const masked = await residentRowsForExport(t.dbHandle.db, t.pii, worker, {}, { unmasked: false })
    expect(masked.rows[0]).toMatchObject({ idNumber: `${id.slice(0, 4)}**********${id.slice(-4)}`, unmasked: false })
    const grid = actorAt('grid_worker', county.gridA)
    const refused = await residentRowsForExport(t.dbHandle.db, t.pii, grid, {}, { unmasked: true })
    expect(refused.unmasked).toBe(false)
    expect(JSON.stringify(refused.rows)).not.toContain(id)
    expect(clear.unmaskedRows).toBe(1)
    // The export that asks for the rows writes the one entry (next test).
    expect(await countAudit()).toBe(auditBefore)
  })

  it('writes one audit entry per resident export: filters, row count, masked or not, and the reason when unmasked', async () => {
    const id = validIdNumber('1966-06-16')
    await createResident(t, { unitId: compoundA.id, name: '导出甲', idNumber: id, phone: validMobile() })
    await createResident(t, { unitId: compoundA2.id, name: '导出丙' })
    await createResident(t, { unitId: compoundB.id, name: '导出乙' })

    let before = await countAudit()
    const masked = await download(t.admin, `/api/exports/residents.xlsx?unitId=${county.communityA.id}&sort=name`)
    expect(masked.status).toBe(200)
    expect(await countAudit()).toBe(before + 1)
    const [entry] = ((await t.admin.get('/api/audit?action=exports.residents')).body.items as any[])
    expect(entry).toMatchObject({ action: 'exports.residents', unitId: county.communityA.id, reason: null })
    expect(entry.after).toEqual({ filters: { unitId: county.communityA.id, sort: 'name', status: 'active' }, rows: 2, unmasked: false, unmaskedRows: 0 })

    before = await countAudit()
    const clear = await download(t.admin, `/api/exports/residents.xlsx?unitId=${county.communityA.id}&unmasked=true&reason=${encodeURIComponent('核对低保名单')}`)
    expect(clear.status).toBe(200)
    expect(JSON.stringify([...(await readXlsx(clear.body)).values()])).toContain(id)
    expect(await countAudit()).toBe(before + 1)
    const [latest] = ((await t.admin.get('/api/audit?action=exports.residents')).body.items as any[])
    expect(latest).toMatchObject({ action: 'exports.residents', reason: '核对低保名单' })
    expect(latest.after).toEqual({ filters: { unitId: county.communityA.id, status: 'active', sort: 'id' }, rows: 2, unmasked: true, reason: '核对低保名单', unmaskedRows: 1 })
    expect(await auditOf('residents.export')).toHaveLength(0)
  })

  it('registers a batch of persons by createPerson’s rules: each refused alone, the rest written encrypted with households, heads, tags and audit', async () => {
    const admin: Actor = { accountId: null, username: 'importer', displayName: 'importer', grants: [{ role: 'county_admin', unitId: null, unitPath: null, unitName: null }], sessionId: null, ip: '127.0.0.1', requestId: 'imp', lang: 'zh' }
    const db = t.dbHandle.db
    const taken = validIdNumber('1950-01-01')
    await createResident(t, { unitId: compoundA.id, name: '已登记', idNumber: taken })
    const existing = await db.transaction().execute((trx) => createHousehold(trx, admin, { unitId: compoundA2.id, room: '9-9' }, { audit: false }))
    const tag = (await t.admin.get('/api/person-tags')).body.items[0]
    const idA = validIdNumber('1960-02-02', 'female')
    const phone = validMobile()
    const batch = {
      households: [{ unitId: compoundA.id, room: '8-1' }, { unitId: compoundA.id, room: '8-2' }],
      persons: [
        { input: { name: '户主甲', idNumber: idA, phone, tagIds: [tag.id], relation: 'head' }, newHousehold: 0 },
        { input: { name: '配偶甲', relation: 'spouse' }, newHousehold: 0 },
        { input: { name: '二户主', relation: 'head' }, newHousehold: 0 },
        { input: { name: '重号', idNumber: taken, relation: 'head' }, newHousehold: 1 },
        { input: { name: '同批重号', idNumber: idA, unitId: compoundA2.id } },
        { input: { name: '社区不是住址', unitId: county.communityA.id } },
        { input: { name: '入旧户', householdId: existing.id, relation: 'head' } },
        { input: { name: '坏号', idNumber: '123', unitId: compoundA.id } },
        { input: { name: '错地址', room: '别处' }, newHousehold: 0 },
      ],
    }
    const refusals = ['household_has_head', 'id_number_taken', 'id_number_taken', 'invalid_resident_unit', 'invalid_id_number', 'address_follows_household']
    const before = { persons: await personCount(), audit: await countAudit() }
    const checked = await checkPersonsBatch(db, t.pii, admin, batch)
    expect(checked.map((e) => e?.code ?? null)).toEqual([null, null, ...refusals.slice(0, 4), null, ...refusals.slice(4)])
    expect(await personCount()).toBe(before.persons)

    // Inside a transaction that rolls back, nothing stays.
    await expect(db.transaction().execute(async (trx) => {
      await createPersonsBatch(trx, t.pii, admin, batch)
      throw new Error('roll back')
    })).rejects.toThrow('roll back')
    expect({ persons: await personCount(), audit: await countAudit() }).toEqual(before)

    const out = await db.transaction().execute((trx) => createPersonsBatch(trx, t.pii, admin, batch))
    expect(out.persons.map((o) => o.refused?.code ?? null)).toEqual(checked.map((e) => e?.code ?? null))
    expect(out.households[0]).toEqual(expect.any(Number))
    expect(out.households[1]).toBeNull()
    expect(await personCount()).toBe(before.persons + 3)
    // the same audit as one by one: a household and three persons
    expect(await countAudit()).toBe(before.audit + 4)
    expect((await auditOf('residents.create')).length).toBe(3 + 1)

    const head = await db.selectFrom('person').selectAll().where('id', '=', out.persons[0]!.id as number).executeTakeFirstOrThrow()
    expect(head).toMatchObject({
      household_id: out.households[0], relation: 'head', unit_id: compoundA.id, room: '8-1', birth_date: '1960-02-02', gender: 'female',
      id_number_hash: t.pii.lookupHash(idA), id_number_masked: `${idA.slice(0, 4)}**********${idA.slice(-4)}`, phone_hash: t.pii.lookupHash(phone),
    })
    expect(head.id_number_enc).not.toContain(idA)
    expect(t.pii.decrypt(head.id_number_enc as string)).toBe(idA)
    const hh = (await t.admin.get(`/api/households/${out.households[0]}`)).body
    expect(hh).toMatchObject({ headPersonId: head.id, memberCount: 2, room: '8-1' })
    expect((await t.admin.get(`/api/residents/${head.id}`)).body.tags.map((x: any) => x.id)).toEqual([tag.id])
    expect((await t.admin.get(`/api/households/${existing.id}`)).body).toMatchObject({ headPersonId: out.persons[6]!.id, memberCount: 1 })

    // another community's worker is refused there, row by row
    const worker: Actor = { ...admin, grants: [{ role: 'community_worker', unitId: county.communityA.id, unitPath: county.communityA.path, unitName: null }] }
    const outside = await checkPersonsBatch(db, t.pii, worker, { households: [], persons: [{ input: { name: '外人', unitId: compoundB.id } }, { input: { name: '本社区', unitId: compoundA.id } }] })
    expect(outside.map((e) => e?.code ?? null)).toEqual(['forbidden', null])
  })

  it('lets an importer create households and people inside its own transaction, all or nothing', async () => {
    const admin = { accountId: null, username: 'importer', displayName: 'importer', grants: [{ role: 'county_admin' as const, unitId: null, unitPath: null, unitName: null }], sessionId: null, ip: '127.0.0.1', requestId: 'imp', lang: 'zh' as const }
    const db = t.dbHandle.db
    await expect(db.transaction().execute(async (trx) => {
      const { id: householdId } = await createHousehold(trx, admin, { unitId: compoundA.id, room: '7-7' })
      await createPerson(trx, t.pii, admin, { name: '导入甲', householdId, relation: 'head' })
      await createPerson(trx, t.pii, admin, { name: '导入乙', unitId: compoundA.id, idNumber: '123' })
    })).rejects.toMatchObject({ code: 'invalid_id_number' })
    expect(await personCount()).toBe(0)
    expect((await db.selectFrom('household').selectAll().execute()).length).toBe(0)

    await db.transaction().execute(async (trx) => {
      const { id: householdId } = await createHousehold(trx, admin, { unitId: compoundA.id, room: '7-7' })
      await createPerson(trx, t.pii, admin, { name: '导入甲', householdId, relation: 'head', phone: '13700000000' }, { audit: false })
    })
    const households = (await t.admin.get('/api/households')).body.items
    expect(households).toMatchObject([{ room: '7-7', headName: '导入甲', memberCount: 1 }])
  })
})
