/**
 * The working set of one evaluate() call: the user's next state (a private copy), the outputs collected
 * so far, and small helpers every rule uses (decisions, timers, trigger state per mode).
 */
import type { StoredEvent, TriggerState, UserState } from '../state';
import { hashOf } from './hash';
import type { Check, Decision, Outcome, ActivationDraft } from './output';
import type { Plan, PoliciesPlan } from './plan';
import type { PlanSet } from './plan-set';

/**
 * Runtime status of a trigger that is not part of its definition: the circuit breaker is per trigger and
 * global (not per user), so the runtime counts activations across users (EvaluateResult.activationCounts)
 * and passes the verdict back in here. `paused` marks a trigger paused at runtime (like mode paused).
 */
export interface TriggerStatus {
  breakerOpen?: boolean;
  paused?: boolean;
}

/** A goal conversion attributed to a trigger and group (spec "goal"). */
export interface Conversion {
  triggerId: string;
  group: 'treatment' | 'holdout';
  /** True when the trigger runs in shadow mode (keep apart from live lift). */
  shadow: boolean;
  /** The goal event. */
  eventId: string;
  /** Decision time of the fire or holdout that opened the goal window. */
  firedAt: number;
}

/** Arm (dueAt) or disarm (null) one timer of this user. */
export interface TimerChange {
  timerId: string;
  dueAt: number | null;
}

export type Space = 'live' | 'shadow';

export interface Ctx {
  set: PlanSet;
  policies: PoliciesPlan;
  now: number;
  userId: string;
  state: UserState;
  status: ReadonlyMap<string, TriggerStatus>;
  decisions: Decision[];
  activations: ActivationDraft[];
  timers: Map<string, number | null>;
  conversions: Conversion[];
  activationCounts: Record<string, number>;
  /**
   * Trigger states this evaluation may change: those it created or copied. The others are shared with the
   * state it was given (copy on write, see triggerState).
   */
  owned: Set<TriggerState>;
}

export function spaceOf(plan: Plan): Space {
  return plan.mode === 'shadow' ? 'shadow' : 'live';
}

/** True when the trigger must not be evaluated at all (mode paused, or paused at runtime). */
export function isPaused(ctx: Ctx, plan: Plan): boolean {
  return plan.mode === 'paused' || ctx.status.get(plan.id)?.paused === true;
}

/** Timer ids: `run:<trigger>` / `absent:<trigger>`, prefixed `shadow-` for shadow state. */
export function timerId(space: Space, kind: 'run' | 'absent', triggerId: string): string {
  return `${space === 'shadow' ? 'shadow-' : ''}${kind}:${triggerId}`;
}

export function parseTimerId(id: string): { space: Space; kind: 'run' | 'absent'; triggerId: string } | null {
  const m = /^(shadow-)?(run|absent):(.+)$/.exec(id);
  if (!m) return null;
  return { space: m[1] ? 'shadow' : 'live', kind: m[2] as 'run' | 'absent', triggerId: m[3] ?? '' };
}

/**
 * The trigger state of `triggerId` in `space` for changing, created empty when missing. Trigger states
 * are copied on write: evaluate's copy of the user's state shares them with the state it was given, and
 * the first call here for a trigger replaces the shared one by a copy (its run copied too, since
 * advancing mutates it). Everything that changes a trigger state gets it from here; reading
 * `ctx.state[space].triggers[id]` directly is for reading only.
 */
export function triggerState(ctx: Ctx, space: Space, triggerId: string): TriggerState {
  const triggers = ctx.state[space].triggers;
  let ts = triggers[triggerId];
  if (ts && ctx.owned.has(ts)) return ts;
  ts = ts
    ? { ...ts, run: ts.run ? { ...ts.run, signalEventIds: [...ts.run.signalEventIds] } : null }
    : { lastFiredAt: null, run: null, absent: null, goal: null };
  triggers[triggerId] = ts;
  ctx.owned.add(ts);
  return ts;
}

/** Records one decision; its id is deterministic from its content. */
export function decide(
  ctx: Ctx,
  trigger: { id: string; version: number },
  stepId: string,
  outcome: Outcome,
  reason: string | null,
  signalEventIds: readonly string[],
  dueAt: number,
  checks: Check[],
  activationId: string | null = null,
): Decision {
  const decision: Decision = {
    decisionId: `dec-${hashOf([trigger.id, trigger.version, stepId, ctx.userId, outcome, reason ?? '', dueAt, ctx.now, ...signalEventIds])}`,
    triggerId: trigger.id,
    triggerVersion: trigger.version,
    stepId,
    userId: ctx.userId,
    outcome,
    reason,
    signalEventIds: [...signalEventIds],
    dueAt,
    decidedAt: ctx.now,
    checks,
    activationId,
  };
  ctx.decisions.push(decision);
  return decision;
}

/** Inserts an event into history in occurredAt order (out-of-order events land where they belong). */
export function insertHistory(history: StoredEvent[], e: StoredEvent): void {
  let i = history.length;
  while (i > 0 && (history[i - 1] as StoredEvent).occurredAt > e.occurredAt) i--;
  history.splice(i, 0, e);
}
