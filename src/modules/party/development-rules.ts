/**
 * The development pipeline of a party member (发展党员工作细则), pure and dated in YYYY-MM-DD:
 * 入党申请人 applicant → 入党积极分子 activist → 发展对象 candidate → 预备党员 probationary → 正式党员 full.
 *
 * Steps are recorded in one fixed order (application, talk, activist, candidate, admission, full);
 * a step out of order is refused. Dates that break a rule are recorded but flagged:
 *   - the talk (谈话) within one month of the application;
 *   - at least one year as an activist before becoming a candidate;
 *   - two sponsors (入党介绍人) at admission;
 *   - one year of probation before becoming full — earlier is premature, more than a month past
 *     the year without a decision is late;
 *   - an application made before the 18th birthday.
 */
export const stages = ['applicant', 'activist', 'candidate', 'probationary', 'full'] as const
export type Stage = (typeof stages)[number]
export const steps = ['application', 'talk', 'activist', 'candidate', 'admission', 'full'] as const
export type Step = (typeof steps)[number]

/** The stage a member is in once a step is recorded. */
export const stageAfterStep: Record<Step, Stage> = {
  application: 'applicant', talk: 'applicant', activist: 'activist', candidate: 'candidate', admission: 'probationary', full: 'full',
}
/** The step that enters a stage (for members registered at a stage without their earlier steps). */
export const entryStepOf: Record<Stage, Step> = {
  applicant: 'application', activist: 'activist', candidate: 'candidate', probationary: 'admission', full: 'full',
}

/** 正式/预备: full and probationary members are party members; earlier stages are not yet. */
export const membershipOf = (stage: Stage): 'full' | 'probationary' | null => (stage === 'full' ? 'full' : stage === 'probationary' ? 'probationary' : null)

export const flagCodes = ['applicant_underage', 'talk_late', 'talk_overdue', 'candidate_premature', 'sponsors_missing', 'full_premature', 'full_late', 'full_overdue'] as const
export type FlagCode = (typeof flagCodes)[number]

export const flagMessages: Record<FlagCode, { zh: string; en: string }> = {
  applicant_underage: { zh: '提出入党申请时未满十八周岁', en: 'Applied before the 18th birthday' },
  talk_late: { zh: '谈话晚于入党申请后一个月', en: 'The talk came more than a month after the application' },
  talk_overdue: { zh: '入党申请已超过一个月仍未谈话', en: 'No talk yet, more than a month after the application' },
  candidate_premature: { zh: '入党积极分子培养考察不满一年即列为发展对象', en: 'Became a candidate before a full year as an activist' },
  sponsors_missing: { zh: '接收预备党员时入党介绍人不足两名', en: 'Admitted with fewer than two sponsors' },
  full_premature: { zh: '预备期不满一年即转正', en: 'Became a full member before a year of probation' },
  full_late: { zh: '预备期满一年后超过一个月才讨论转正', en: 'The full-membership decision came more than a month after the year of probation' },
  full_overdue: { zh: '预备期已满一年超过一个月,尚未讨论转正', en: 'Probation ended more than a month ago without a decision' },
}

export interface StepRecord {
  step: Step
  date: string
  sponsors?: string[] | null
}

/** What the pipeline needs to know about the member besides the steps. */
export interface MemberFacts {
  stage: Stage
  /** Admission date for members registered as probationary/full without steps. */
  joinedDate: string | null
  birthDate: string | null
}

export interface Flag {
  code: FlagCode
  /** The step it concerns (the pending step for an overdue flag). */
  step: Step
  /** The date the rule expected (limit or earliest date), when there is one. */
  expected: string | null
}

export interface Pending {
  step: Step
  /** Not allowed before (flagged premature if earlier). */
  earliest: string | null
  /** Late after this date. */
  dueBy: string | null
  overdue: boolean
}

export interface Review {
  /** Flags of each recorded step, parallel to the steps given. */
  stepFlags: Flag[][]
  /** The step that comes next, with its dates; null when the member is full. */
  pending: Pending | null
  /** Every current flag: the steps' flags and an overdue pending step. */
  flags: Flag[]
  /** What is stored for list filters: flags that never change, and when the pending step turns overdue. */
  stored: { flags: FlagCode[]; overdueFlag: FlagCode | null; overdueAfter: string | null }
}

// --- dates ----------------------------------------------------------------------------------

const daysInMonth = (y: number, m: number): number => new Date(Date.UTC(y, m, 0)).getUTCDate()

/** Calendar months later, the day clamped to the month's end (Jan 31 + 1 month = Feb 28/29). */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number]
  const total = y * 12 + (m - 1) + months
  const ny = Math.floor(total / 12)
  const nm = (total % 12) + 1
  const nd = Math.min(d, daysInMonth(ny, nm))
  return `${String(ny).padStart(4, '0')}-${String(nm).padStart(2, '0')}-${String(nd).padStart(2, '0')}`
}
export const addYears = (date: string, years: number): string => addMonths(date, years * 12)

// --- transitions ----------------------------------------------------------------------------

/** The step a member stands at: the last recorded one, or the entry step of a stage registered without steps. */
export function positionOf(facts: MemberFacts, recorded: StepRecord[]): Step {
  const last = recorded[recorded.length - 1]
  return last ? last.step : entryStepOf[facts.stage]
}

export const nextStepAfter = (step: Step): Step | null => steps[steps.indexOf(step) + 1] ?? null

export type StepRefusal =
  | { code: 'invalid_stage_transition'; from: Step; expected: Step | null; got: Step }
  | { code: 'invalid_step_date'; problem: 'in_future' | 'before_previous_step'; previous: string | null }
  | { code: 'sponsors_required'; problem: string }

/** Whether a step may be recorded next: the right order, a plausible date, two sponsors at admission. */
export function checkNewStep(facts: MemberFacts, recorded: StepRecord[], next: StepRecord, today: string): StepRefusal | null {
  const from = positionOf(facts, recorded)
  const expected = nextStepAfter(from)
  if (expected !== next.step) return { code: 'invalid_stage_transition', from, expected, got: next.step }
  if (next.date > today) return { code: 'invalid_step_date', problem: 'in_future', previous: null }
  const previous = recorded[recorded.length - 1]?.date ?? (facts.stage === 'probationary' || facts.stage === 'full' ? facts.joinedDate : null)
  if (previous !== null && next.date < previous) return { code: 'invalid_step_date', problem: 'before_previous_step', previous }
  if (next.step === 'admission') {
    const names = (next.sponsors ?? []).map((s) => s.trim()).filter(Boolean)
    if (names.length !== 2) return { code: 'sponsors_required', problem: 'give exactly two sponsors' }
    if (names[0] === names[1]) return { code: 'sponsors_required', problem: 'the two sponsors must be different people' }
  }
  return null
}

// --- review ---------------------------------------------------------------------------------

const dateOf = (recorded: StepRecord[], step: Step): string | null => recorded.find((s) => s.step === step)?.date ?? null

/** Flags every recorded step and works out the pending step, as of `today`. */
export function reviewTimeline(facts: MemberFacts, recorded: StepRecord[], today: string): Review {
  const application = dateOf(recorded, 'application')
  const activist = dateOf(recorded, 'activist')
  const admission = dateOf(recorded, 'admission') ?? facts.joinedDate

  const stepFlags = recorded.map((s): Flag[] => {
    const flags: Flag[] = []
    switch (s.step) {
      case 'application':
        if (facts.birthDate && s.date < addYears(facts.birthDate, 18)) flags.push({ code: 'applicant_underage', step: s.step, expected: addYears(facts.birthDate, 18) })
        break
      case 'talk':
        if (application && s.date > addMonths(application, 1)) flags.push({ code: 'talk_late', step: s.step, expected: addMonths(application, 1) })
        break
      case 'candidate':
        if (activist && s.date < addYears(activist, 1)) flags.push({ code: 'candidate_premature', step: s.step, expected: addYears(activist, 1) })
        break
      case 'admission':
        if ((s.sponsors ?? []).filter((n) => n.trim()).length < 2) flags.push({ code: 'sponsors_missing', step: s.step, expected: null })
        break
      case 'full':
        if (admission) {
          const earliest = addYears(admission, 1)
          if (s.date < earliest) flags.push({ code: 'full_premature', step: s.step, expected: earliest })
          else if (s.date > addMonths(earliest, 1)) flags.push({ code: 'full_late', step: s.step, expected: addMonths(earliest, 1) })
        }
        break
      default:
        break
    }
    return flags
  })

  const next = nextStepAfter(positionOf(facts, recorded))
  let pending: Pending | null = null
  let overdueFlag: FlagCode | null = null
  if (next === 'talk' && application) {
    pending = { step: next, earliest: null, dueBy: addMonths(application, 1), overdue: false }
    overdueFlag = 'talk_overdue'
  } else if (next === 'candidate') {
    pending = { step: next, earliest: activist ? addYears(activist, 1) : null, dueBy: null, overdue: false }
  } else if (next === 'full' && admission) {
    const earliest = addYears(admission, 1)
    pending = { step: next, earliest, dueBy: addMonths(earliest, 1), overdue: false }
    overdueFlag = 'full_overdue'
  } else if (next !== null) {
    pending = { step: next, earliest: null, dueBy: null, overdue: false }
  }
  if (pending?.dueBy && today > pending.dueBy) pending.overdue = true

  const flags = stepFlags.flat()
  if (pending?.overdue && overdueFlag) flags.push({ code: overdueFlag, step: pending.step, expected: pending.dueBy })
  return {
    stepFlags,
    pending,
    flags,
    stored: {
      flags: [...new Set(stepFlags.flat().map((f) => f.code))],
      overdueFlag: pending?.dueBy ? overdueFlag : null,
      overdueAfter: pending?.dueBy && overdueFlag ? pending.dueBy : null,
    },
  }
}
