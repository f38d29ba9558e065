import { addMonths, addYears } from '../modules/party/development-rules.js'
import { personName } from './names.js'
import type { Random } from './random.js'

/**
 * Party members of the demo, pure: who joins (about 6 % of adults, weighted the way membership is:
 * more men, more middle-aged and older people), when, and the development steps with dates that
 * follow the rules (发展党员工作细则) — except for a few deliberately flagged cases, so the
 * "有异常" lists have something to show. A few more adults are in the pipeline (applicants,
 * activists, candidates).
 */

export const MEMBER_SHARE = 0.06

export type DemoStage = 'applicant' | 'activist' | 'candidate' | 'probationary' | 'full'

export interface StepDraft {
  step: 'application' | 'talk' | 'activist' | 'candidate' | 'admission' | 'full'
  date: string
  sponsors: string[] | null
}

export interface MemberDraft {
  stage: DemoStage
  joinedDate: string | null
  fullDate: string | null
  steps: StepDraft[]
}

export interface Candidate {
  age: number
  male: boolean
  birthDate: string
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10)
}

const minDate = (a: string, b: string): string => (a < b ? a : b)

/** How likely someone is a member relative to others (CCP membership skews male and older). */
export function membershipWeight(c: Candidate): number {
  if (c.age < 21) return 0
  const byAge = c.age <= 25 ? 0.35 : c.age <= 35 ? 0.85 : c.age <= 60 ? 1.1 : c.age <= 80 ? 1.45 : 1.2
  return byAge * (c.male ? 1.6 : 0.75)
}

/**
 * Exactly `count` of the candidates, drawn with probability proportional to their weight
 * (Efraimidis–Spirakis: the largest keys u^(1/w)). Returns their indexes, ascending.
 */
export function weightedSample(rng: Random, weights: readonly number[], count: number): number[] {
  const keyed: { i: number; key: number }[] = []
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i] as number
    const u = rng.next()
    if (w > 0) keyed.push({ i, key: Math.log(u) / w })
  }
  keyed.sort((a, b) => b.key - a.key || a.i - b.i)
  return keyed.slice(0, count).map((k) => k.i).sort((a, b) => a - b)
}

type Anomaly = 'none' | 'talk_late' | 'candidate_premature' | 'sponsors_missing' | 'full_late'

const sponsors = (rng: Random, anomaly: Anomaly): string[] => {
  const first = personName(rng, rng.chance(0.7) ? 'male' : 'female')
  if (anomaly === 'sponsors_missing') return [first]
  let second = personName(rng, rng.chance(0.7) ? 'male' : 'female')
  while (second === first) second = personName(rng, 'male')
  return [first, second]
}

/** The steps from application to admission, ending on `admission`, walking backwards. */
function stepsUpTo(rng: Random, admission: string, anomaly: Anomaly): StepDraft[] {
  const candidate = addDays(admission, -rng.int(60, 150))
  const activist = anomaly === 'candidate_premature' ? addMonths(candidate, -rng.int(8, 11)) : addDays(addYears(candidate, -1), -rng.int(0, 120))
  const application = addDays(activist, -rng.int(60, 150))
  const talk = addDays(application, anomaly === 'talk_late' ? rng.int(40, 55) : rng.int(7, 28))
  return [
    { step: 'application', date: application, sponsors: null },
    { step: 'talk', date: talk, sponsors: null },
    { step: 'activist', date: activist, sponsors: null },
    { step: 'candidate', date: candidate, sponsors: null },
    { step: 'admission', date: admission, sponsors: sponsors(rng, anomaly) },
  ]
}

const pickAnomaly = (rng: Random): Anomaly =>
  rng.chance(0.06) ? rng.pick(['talk_late', 'candidate_premature', 'sponsors_missing', 'full_late'] as const) : 'none'

/**
 * A member (full or probationary) as of `asOf`. Members admitted in the last six years carry their
 * whole recorded timeline; earlier ones are registered at their stage with the admission and
 * full-membership dates only (as a county's records usually are).
 */
export function memberDraft(rng: Random, c: Candidate, asOf: string): MemberDraft {
  const adult = addYears(c.birthDate, 18)
  // Probationary: admitted during the last year (a tenth of them past the year without a decision).
  if (c.age >= 22 && c.age <= 45 && rng.chance(0.045)) {
    const overdue = rng.chance(0.1)
    const admission = overdue ? addDays(addMonths(asOf, -13), -rng.int(5, 60)) : addDays(asOf, -rng.int(10, 330))
    const steps = stepsUpTo(rng, admission, 'none')
    if (steps[0]!.date >= adult) return { stage: 'probationary', joinedDate: admission, fullDate: null, steps }
  }
  const latest = addMonths(asOf, -16)
  const joinedAge = Math.min(c.age - 2, rng.around(28, 6, 19, 60))
  let admission = minDate(addDays(addYears(c.birthDate, joinedAge), rng.int(0, 300)), latest)
  if (admission < addYears(adult, 1)) admission = minDate(addYears(adult, 2), latest)
  const anomaly = pickAnomaly(rng)
  const full = anomaly === 'full_late' ? addDays(addYears(admission, 1), rng.int(45, 100)) : addDays(addYears(admission, 1), rng.int(0, 25))
  if (admission >= addYears(asOf, -6)) {
    const steps = stepsUpTo(rng, admission, anomaly)
    if (steps[0]!.date >= adult) return { stage: 'full', joinedDate: admission, fullDate: full, steps: [...steps, { step: 'full', date: full, sponsors: null }] }
  }
  return { stage: 'full', joinedDate: admission, fullDate: addDays(addYears(admission, 1), rng.int(0, 25)), steps: [] }
}

/** Someone in the pipeline: an applicant (some still waiting for their talk), an activist or a candidate. */
export function pipelineDraft(rng: Random, stage: 'applicant' | 'activist' | 'candidate', asOf: string): MemberDraft {
  if (stage === 'applicant') {
    const application = addDays(asOf, -rng.int(5, 150))
    const talk = addDays(application, rng.int(7, 28))
    const steps: StepDraft[] = [{ step: 'application', date: application, sponsors: null }]
    if (talk <= asOf && rng.chance(0.8)) steps.push({ step: 'talk', date: talk, sponsors: null })
    return { stage, joinedDate: null, fullDate: null, steps }
  }
  if (stage === 'activist') {
    const activist = addDays(asOf, -rng.int(20, 330))
    const application = addDays(activist, -rng.int(60, 150))
    return {
      stage, joinedDate: null, fullDate: null,
      steps: [
        { step: 'application', date: application, sponsors: null },
        { step: 'talk', date: addDays(application, rng.int(7, 28)), sponsors: null },
        { step: 'activist', date: activist, sponsors: null },
      ],
    }
  }
  const candidate = addDays(asOf, -rng.int(10, 150))
  const activist = addDays(addYears(candidate, -1), -rng.int(0, 90))
  const application = addDays(activist, -rng.int(60, 150))
  return {
    stage, joinedDate: null, fullDate: null,
    steps: [
      { step: 'application', date: application, sponsors: null },
      { step: 'talk', date: addDays(application, rng.int(7, 28)), sponsors: null },
      { step: 'activist', date: activist, sponsors: null },
      { step: 'candidate', date: candidate, sponsors: null },
    ],
  }
}
