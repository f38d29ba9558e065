import { AppError } from '../../server/errors.js'

/**
 * The request state machine, as a table. A request moves
 *   submitted → accepted (签收) → dispatched → in_progress → resolved → rated → closed
 * and may also be returned (退单), transferred (转办), paused while waiting for the resident,
 * reopened, or merged into another case. Two things ride alongside the status:
 * - a pending hand-off: the case has been dispatched or transferred to another unit which has not
 *   signed for it yet. Until it does, the unit that holds it stays responsible (首接负责);
 * - a pause: the clock stands still until the case is resumed.
 * Every service action names its transition here; a transition the table does not allow from the
 * current state is `invalid_transition` (409) and nothing changes.
 */

export const requestStatuses = ['submitted', 'accepted', 'dispatched', 'in_progress', 'resolved', 'rated', 'closed', 'merged'] as const
export type RequestStatus = (typeof requestStatuses)[number]

/** Statuses in which somebody still has to work on the case. */
export const openStatuses: readonly RequestStatus[] = ['submitted', 'accepted', 'dispatched', 'in_progress']
export const doneStatuses: readonly RequestStatus[] = ['resolved', 'rated', 'closed']
export const isOpenStatus = (s: string): boolean => (openStatuses as readonly string[]).includes(s)
export const isResolvedStatus = (s: string): boolean => (doneStatuses as readonly string[]).includes(s)

/** Who may take a transition (checked by the service against the caller's grants on the case's units). */
export type Party =
  | 'handler' // requests.handle on the holding unit, or the person it is assigned to
  | 'dispatcher' // requests.dispatch on the holding unit
  | 'pending_unit' // requests.handle on the unit a hand-off waits for
  | 'co_unit' // requests.handle on a co-handling unit
  | 'supervisor' // requests.supervise above or on the holding unit
  | 'county' // requests.supervise on the county
  | 'resident' // the holder of the tracking code
  | 'system' // the deadline sweep

type Rule3 = 'forbid' | 'allow' | 'require'

export interface TransitionRule {
  from: readonly RequestStatus[]
  /** The status afterwards; 'same' keeps it, 'computed' is decided by the service (documented per row). */
  to: RequestStatus | 'same' | 'computed'
  paused: Rule3
  pending: Rule3
  by: readonly Party[]
}

const open = openStatuses
const working: readonly RequestStatus[] = ['accepted', 'dispatched', 'in_progress']
const done = doneStatuses

export const transitions = {
  /** 签收: the holding unit signs for a new case (first response). */
  accept: { from: ['submitted'], to: 'accepted', paused: 'forbid', pending: 'forbid', by: ['handler'] },
  /** The unit a case was dispatched or transferred to signs for it and becomes its holder. */
  accept_handoff: { from: ['dispatched'], to: 'accepted', paused: 'forbid', pending: 'require', by: ['pending_unit'] },
  /** 退单 by the unit a hand-off waits for: back to the sender, in the status it had before. */
  return_handoff: { from: ['dispatched'], to: 'computed', paused: 'forbid', pending: 'require', by: ['pending_unit'] },
  /** 退单 by the person it was assigned to: back to the unit's pool (accepted). */
  return_assignment: { from: ['dispatched'], to: 'accepted', paused: 'forbid', pending: 'forbid', by: ['handler'] },
  /** 退单 by the holding unit: back to the unit that dispatched it there, or one level up (兜底). */
  return_upward: { from: ['submitted', 'accepted'], to: 'submitted', paused: 'forbid', pending: 'forbid', by: ['handler'] },
  /** 派单 to another unit (a grid, the property company, an agency); the sender stays responsible until it signs. */
  dispatch: { from: ['accepted', 'in_progress'], to: 'dispatched', paused: 'forbid', pending: 'forbid', by: ['dispatcher'] },
  /** 转办: hand a case that is not ours to the right unit; as with dispatch, we hold it until they sign. */
  transfer: { from: ['submitted', 'accepted', 'in_progress'], to: 'dispatched', paused: 'forbid', pending: 'forbid', by: ['dispatcher'] },
  /** Give the case to a person inside the holding unit; an accepted case becomes dispatched, others keep their status. */
  assign: { from: open, to: 'computed', paused: 'allow', pending: 'forbid', by: ['dispatcher'] },
  start: { from: ['accepted', 'dispatched'], to: 'in_progress', paused: 'forbid', pending: 'forbid', by: ['handler'] },
  /** Waiting for the resident: the resolution clock stops. */
  pause: { from: working, to: 'same', paused: 'forbid', pending: 'forbid', by: ['handler'] },
  resume: { from: working, to: 'same', paused: 'require', pending: 'allow', by: ['handler'] },
  /** Resolving a paused case resumes its clock first. Every co-unit must have finished its part. */
  resolve: { from: working, to: 'resolved', paused: 'allow', pending: 'forbid', by: ['handler'] },
  close: { from: ['resolved', 'rated'], to: 'closed', paused: 'allow', pending: 'allow', by: ['handler', 'system'] },
  /** The resident (or a callback) says it is not solved, or staff reopen it: back to work with a fresh resolution clock. */
  reopen: { from: done, to: 'in_progress', paused: 'allow', pending: 'allow', by: ['handler', 'supervisor', 'resident'] },
  /** A duplicate: it stops counting and points to the surviving case. */
  merge: { from: open, to: 'merged', paused: 'allow', pending: 'forbid', by: ['dispatcher'] },
  add_co_units: { from: working, to: 'same', paused: 'allow', pending: 'forbid', by: ['dispatcher'] },
  co_done: { from: working, to: 'same', paused: 'allow', pending: 'allow', by: ['co_unit'] },
  request_extension: { from: working, to: 'same', paused: 'forbid', pending: 'forbid', by: ['handler'] },
  decide_extension: { from: open, to: 'same', paused: 'allow', pending: 'allow', by: ['supervisor'] },
  /** 催办: a reminder to whoever holds it. */
  remind: { from: open, to: 'same', paused: 'allow', pending: 'allow', by: ['supervisor', 'dispatcher', 'system'] },
  escalate: { from: open, to: 'same', paused: 'forbid', pending: 'allow', by: ['system'] },
  /** The resident's answers (the first one moves a resolved case to rated); staff callbacks (回访) likewise. */
  rate: { from: done, to: 'computed', paused: 'allow', pending: 'allow', by: ['resident', 'handler'] },
  note: { from: [...open, ...done, 'merged'], to: 'same', paused: 'allow', pending: 'allow', by: ['handler', 'pending_unit', 'co_unit', 'supervisor'] },
  appeal: { from: [...open, ...done], to: 'same', paused: 'allow', pending: 'allow', by: ['handler'] },
  decide_appeal: { from: [...open, ...done, 'merged'], to: 'same', paused: 'allow', pending: 'allow', by: ['county'] },
} as const satisfies Record<string, TransitionRule>

export type Transition = keyof typeof transitions
export const transitionNames = Object.keys(transitions) as Transition[]

export interface CaseShape {
  status: string
  paused: boolean
  pending: boolean
}

/** Why a transition is not allowed from this state, or null when it is. */
export function transitionProblem(name: Transition, state: CaseShape): string | null {
  const rule: TransitionRule = transitions[name]
  if (!(rule.from as readonly string[]).includes(state.status)) return `not allowed from status ${state.status}`
  if (rule.paused === 'forbid' && state.paused) return 'not allowed while the case is paused'
  if (rule.paused === 'require' && !state.paused) return 'the case is not paused'
  if (rule.pending === 'forbid' && state.pending) return 'not allowed while a hand-off waits to be accepted'
  if (rule.pending === 'require' && !state.pending) return 'no hand-off is waiting'
  return null
}

export const canTransition = (name: Transition, state: CaseShape): boolean => transitionProblem(name, state) === null

/** Throws 409 invalid_transition when the table forbids it. */
export function assertTransition(name: Transition, state: CaseShape): void {
  const problem = transitionProblem(name, state)
  if (problem) throw new AppError('invalid_transition', { transition: name, status: state.status, paused: state.paused, pending: state.pending, problem })
}

/** The status after a transition whose target is fixed (not 'same' or 'computed'). */
export function targetStatus(name: Transition, current: RequestStatus): RequestStatus {
  const to: TransitionRule['to'] = transitions[name].to
  return to === 'same' || to === 'computed' ? current : to
}
