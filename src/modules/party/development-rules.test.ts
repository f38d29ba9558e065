import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { addMonths, addYears, checkNewStep, nextStepAfter, positionOf, reviewTimeline, stages, steps, type MemberFacts, type StepRecord } from './development-rules.js'
import { nestingProblem, officerRolesFor, orgKinds } from './org-kinds.js'

const applicant: MemberFacts = { stage: 'applicant', joinedDate: null, birthDate: '1990-05-05' }
const rec = (step: StepRecord['step'], date: string, sponsors?: string[]): StepRecord => ({ step, date, sponsors: sponsors ?? null })

describe('calendar arithmetic', () => {
  it('adds months and years, clamping to the end of the month', () => {
    expect(addMonths('2024-01-31', 1)).toBe('2024-02-29')
    expect(addMonths('2023-01-31', 1)).toBe('2023-02-28')
    expect(addMonths('2023-11-15', 2)).toBe('2024-01-15')
    expect(addYears('2024-02-29', 1)).toBe('2025-02-28')
    expect(addYears('2020-07-01', 1)).toBe('2021-07-01')
  })

  it('never moves backwards and never changes the day except to clamp it', () => {
    const date = fc.record({ y: fc.integer({ min: 1950, max: 2090 }), m: fc.integer({ min: 1, max: 12 }), d: fc.integer({ min: 1, max: 28 }) })
      .map(({ y, m, d }) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`)
    fc.assert(fc.property(date, fc.integer({ min: 0, max: 240 }), (d, n) => {
      const later = addMonths(d, n)
      return later >= d && later.slice(8) === d.slice(8)
    }))
  })
})

describe('the order of development steps', () => {
  it('accepts exactly the next step at every position and refuses any other', () => {
    fc.assert(fc.property(fc.constantFrom(...stages), fc.constantFrom(...steps), (stage, attempted) => {
      const facts: MemberFacts = { stage, joinedDate: stage === 'probationary' || stage === 'full' ? '2020-01-01' : null, birthDate: null }
      const expected = nextStepAfter(positionOf(facts, []))
      const refusal = checkNewStep(facts, [], { step: attempted, date: '2024-01-01', sponsors: ['甲', '乙'] }, '2026-01-01')
      return attempted === expected ? refusal === null : refusal?.code === 'invalid_stage_transition'
    }))
  })

  it('refuses skipping the talk, a date in the future or before the previous step, and admission without two different sponsors', () => {
    const recorded = [rec('application', '2024-01-10')]
    expect(checkNewStep(applicant, recorded, rec('activist', '2024-02-01'), '2026-01-01')).toMatchObject({ code: 'invalid_stage_transition', from: 'application', expected: 'talk' })
    expect(checkNewStep(applicant, recorded, rec('talk', '2024-01-09'), '2026-01-01')).toMatchObject({ code: 'invalid_step_date', problem: 'before_previous_step' })
    expect(checkNewStep(applicant, recorded, rec('talk', '2026-01-02'), '2026-01-01')).toMatchObject({ code: 'invalid_step_date', problem: 'in_future' })
    expect(checkNewStep(applicant, recorded, rec('talk', '2024-01-10'), '2026-01-01')).toBeNull()

    const candidate: MemberFacts = { stage: 'candidate', joinedDate: null, birthDate: null }
    expect(checkNewStep(candidate, [], rec('admission', '2024-01-01'), '2026-01-01')).toMatchObject({ code: 'sponsors_required' })
    expect(checkNewStep(candidate, [], rec('admission', '2024-01-01', ['张三']), '2026-01-01')).toMatchObject({ code: 'sponsors_required' })
    expect(checkNewStep(candidate, [], rec('admission', '2024-01-01', ['张三', ' 张三 ']), '2026-01-01')).toMatchObject({ code: 'sponsors_required' })
    expect(checkNewStep(candidate, [], rec('admission', '2024-01-01', ['张三', '李四']), '2026-01-01')).toBeNull()

    // A member registered as probationary without steps: full may follow, not before the admission date.
    const probationary: MemberFacts = { stage: 'probationary', joinedDate: '2024-07-01', birthDate: null }
    expect(checkNewStep(probationary, [], rec('full', '2024-06-30'), '2026-01-01')).toMatchObject({ code: 'invalid_step_date' })
    expect(checkNewStep(probationary, [], rec('full', '2025-07-01'), '2026-01-01')).toBeNull()
    expect(checkNewStep({ stage: 'full', joinedDate: '2000-01-01', birthDate: null }, [], rec('full', '2025-07-01'), '2026-01-01'))
      .toMatchObject({ code: 'invalid_stage_transition', expected: null })
  })
})

describe('flags on late and premature steps', () => {
  it('flags the talk more than a month after the application, and a talk still missing after a month', () => {
    expect(reviewTimeline(applicant, [rec('application', '2024-01-10'), rec('talk', '2024-02-10')], '2026-01-01').flags).toEqual([])
    const late = reviewTimeline(applicant, [rec('application', '2024-01-10'), rec('talk', '2024-02-11')], '2026-01-01')
    expect(late.stepFlags[1]).toEqual([{ code: 'talk_late', step: 'talk', expected: '2024-02-10' }])
    expect(late.stored.flags).toEqual(['talk_late'])

    const waiting = reviewTimeline(applicant, [rec('application', '2024-01-10')], '2024-02-10')
    expect(waiting.pending).toEqual({ step: 'talk', earliest: null, dueBy: '2024-02-10', overdue: false })
    expect(waiting.flags).toEqual([])
    expect(waiting.stored).toEqual({ flags: [], overdueFlag: 'talk_overdue', overdueAfter: '2024-02-10' })
    const overdue = reviewTimeline(applicant, [rec('application', '2024-01-10')], '2024-02-11')
    expect(overdue.flags.map((f) => f.code)).toEqual(['talk_overdue'])
  })

  it('flags a candidate with less than a year as activist, and missing sponsors', () => {
    const base = [rec('application', '2023-01-10'), rec('talk', '2023-01-20'), rec('activist', '2023-03-01')]
    expect(reviewTimeline(applicant, [...base, rec('candidate', '2024-02-29')], '2026-01-01').stored.flags).toEqual(['candidate_premature'])
    expect(reviewTimeline(applicant, [...base, rec('candidate', '2024-03-01')], '2026-01-01').stored.flags).toEqual([])
    const waiting = reviewTimeline(applicant, base, '2023-06-01')
    expect(waiting.pending).toMatchObject({ step: 'candidate', earliest: '2024-03-01', overdue: false })
    const imported = reviewTimeline(applicant, [...base, rec('candidate', '2024-03-01'), { step: 'admission', date: '2024-09-01', sponsors: null }], '2024-10-01')
    expect(imported.stored.flags).toEqual(['sponsors_missing'])
  })

  it('flags full membership before a year of probation, more than a month late, or still undecided after that', () => {
    const admitted = [rec('application', '2020-01-10'), rec('talk', '2020-01-20'), rec('activist', '2020-03-01'), rec('candidate', '2021-03-01'), rec('admission', '2021-07-01', ['甲', '乙'])]
    const flagOfFull = (date: string) => reviewTimeline(applicant, [...admitted, rec('full', date)], '2026-01-01').stored.flags
    expect(flagOfFull('2022-06-30')).toEqual(['full_premature'])
    expect(flagOfFull('2022-07-01')).toEqual([])
    expect(flagOfFull('2022-08-01')).toEqual([])
    expect(flagOfFull('2022-08-02')).toEqual(['full_late'])

    const legacy: MemberFacts = { stage: 'probationary', joinedDate: '2023-05-10', birthDate: null }
    expect(reviewTimeline(legacy, [], '2024-06-10')).toMatchObject({ flags: [], pending: { step: 'full', earliest: '2024-05-10', dueBy: '2024-06-10', overdue: false } })
    expect(reviewTimeline(legacy, [], '2024-06-11').flags.map((f) => f.code)).toEqual(['full_overdue'])
    expect(reviewTimeline({ stage: 'full', joinedDate: '2000-01-01', birthDate: null }, [], '2026-01-01')).toMatchObject({ pending: null, flags: [] })
  })

  it('flags an application made before the 18th birthday', () => {
    expect(reviewTimeline(applicant, [rec('application', '2008-05-04')], '2008-05-10').stored.flags).toEqual(['applicant_underage'])
    expect(reviewTimeline(applicant, [rec('application', '2008-05-05')], '2008-05-10').stored.flags).toEqual([])
  })
})

describe('organization kinds', () => {
  it('nests a group only under a branch, and lets only committees stand at the top', () => {
    expect(nestingProblem('group', 'branch')).toBeNull()
    expect(nestingProblem('group', 'temporary_branch')).toBeNull()
    for (const parent of ['committee', 'working_committee', 'general_branch', 'group'] as const) expect(nestingProblem('group', parent)).not.toBeNull()
    expect(nestingProblem('committee', null)).toBeNull()
    expect(nestingProblem('working_committee', null)).toBeNull()
    for (const kind of orgKinds.filter((k) => k !== 'committee' && k !== 'working_committee')) expect(nestingProblem(kind, null)).not.toBeNull()
    expect(nestingProblem('branch', 'branch')).not.toBeNull()
    expect(officerRolesFor('group')).toEqual(['group_leader'])
    expect(officerRolesFor('branch')).toContain('secretary')
  })
})
