/**
 * The signal (spec/triggers.md "1. Signal"): plain, count and absent, plus the after and profile
 * conditions. Called for events that are neither duplicates, bots nor late.
 */
import type { StoredEvent } from '../state';
import { eventField, eventMatches, firstAfter, historyHolds, profileHolds } from './conditions';
import type { Ctx } from './context';
import { spaceOf, timerId, triggerState } from './context';
import type { AbsentSignal, CountSignal, Plan } from './plan';
import { SESSION_LOOKBACK_MS } from './plan-set';
import { startRun } from './step';

/** Most signal event ids carried by a count signal (the newest ones). */
const MAX_SIGNAL_IDS = 50;

/** After and profile conditions, looking back from `dueAt` (the signal events themselves excluded). */
function conditionsHold(ctx: Ctx, plan: Plan, dueAt: number, ids: readonly string[]): boolean {
  const exclude = new Set(ids);
  const afterOk = plan.signal.after.every((c) =>
    historyHolds(c, ctx.state.history, dueAt - (c.withinMs ?? 0), dueAt, exclude),
  );
  return afterOk && profileHolds(plan.signal.profile, ctx.state.profile);
}

/** A matched signal: check after/profile, then start a run. */
export function signalMatched(ctx: Ctx, plan: Plan, event: StoredEvent, ids: string[], dueAt: number): void {
  if (conditionsHold(ctx, plan, dueAt, ids)) startRun(ctx, plan, event, ids, dueAt);
}

/** The matching events counted for `e` at its time t: occurredAt in (t - D, t] or in e's session. */
function counted(ctx: Ctx, plan: Plan, k: CountSignal, e: StoredEvent): StoredEvent[] {
  const t = e.occurredAt;
  const history = ctx.state.history;
  const from = k.withinMs === 'session' ? t - SESSION_LOOKBACK_MS : t - k.withinMs;
  const out: StoredEvent[] = [];
  for (let i = firstAfter(history, from); i < history.length; i++) {
    const h = history[i] as StoredEvent;
    if (h.occurredAt > t) break;
    if (k.withinMs === 'session' && h.sessionId !== e.sessionId) continue;
    if (eventMatches(plan.signal, h)) out.push(h);
  }
  return out;
}

function size(k: CountSignal, events: readonly StoredEvent[]): number {
  if (k.distinct === null) return events.length;
  const values = new Set<string>();
  for (const h of events) {
    const v = eventField(h, k.distinct);
    if (v !== undefined) values.add(`${typeof v}:${String(v)}`);
  }
  return values.size;
}

/** Count: fires on the event that brings the number to at least N (it was below N without this event). */
function onCount(ctx: Ctx, plan: Plan, k: CountSignal, e: StoredEvent): void {
  if (k.withinMs === 'session' && e.sessionId === null) return;
  const events = counted(ctx, plan, k, e);
  const without = events.filter((h) => h.eventId !== e.eventId);
  if (size(k, events) < k.atLeast || size(k, without) >= k.atLeast) return;
  const ids = events.slice(-MAX_SIGNAL_IDS).map((h) => h.eventId);
  signalMatched(ctx, plan, e, ids, e.occurredAt);
}

/** Absent: arm (or re-arm, debounce) a timer for t + D unless an absent event is already known in (t, t + D]. */
function onAbsentArm(ctx: Ctx, plan: Plan, k: AbsentSignal, e: StoredEvent): void {
  const space = spaceOf(plan);
  const ts = triggerState(ctx, space, plan.id);
  const t = e.occurredAt;
  if (ts.absent && ts.absent.armedAt > t) return; // an older event arriving late does not move a newer arm
  const dueAt = t + k.withinMs;
  const disarmed = ctx.state.history.some(
    (h) => h.occurredAt > t && h.occurredAt <= dueAt && h.eventId !== e.eventId && eventMatches(k.absent, h),
  );
  if (disarmed) return;
  ts.absent = { armedAt: t, dueAt, event: e };
  ctx.timers.set(timerId(space, 'absent', plan.id), dueAt);
}

/** Evaluates the signal of `plan` for event `e` (already in history). */
export function onSignalEvent(ctx: Ctx, plan: Plan, e: StoredEvent): void {
  if (!eventMatches(plan.signal, e)) return;
  const k = plan.signal.kind;
  if (k.type === 'plain') signalMatched(ctx, plan, e, [e.eventId], e.occurredAt);
  else if (k.type === 'count') onCount(ctx, plan, k, e);
  else onAbsentArm(ctx, plan, k, e);
}

/**
 * Disarms an armed absence timer when `e` is an absent event in (t, t + D]: the user did what we waited
 * for. Late events disarm too (they are counted in state).
 */
export function onAbsentEvent(ctx: Ctx, plan: Plan, e: StoredEvent): void {
  const k = plan.signal.kind;
  if (k.type !== 'absent') return;
  const space = spaceOf(plan);
  const armed = ctx.state[space].triggers[plan.id]?.absent;
  if (!armed || !eventMatches(k.absent, e)) return;
  if (e.occurredAt > armed.armedAt && e.occurredAt <= armed.dueAt) {
    triggerState(ctx, space, plan.id).absent = null;
    ctx.timers.set(timerId(space, 'absent', plan.id), null);
  }
}

/** An absence timer came due: fire unless an absent event in (t, t + D] arrived meanwhile. */
export function onAbsentDue(ctx: Ctx, plan: Plan): void {
  const space = spaceOf(plan);
  const ts = triggerState(ctx, space, plan.id);
  const armed = ts.absent;
  ts.absent = null;
  ctx.timers.set(timerId(space, 'absent', plan.id), null);
  const k = plan.signal.kind;
  if (!armed || k.type !== 'absent') return;
  const disarmed = ctx.state.history.some(
    (h) =>
      h.occurredAt > armed.armedAt &&
      h.occurredAt <= armed.dueAt &&
      h.eventId !== armed.event.eventId &&
      eventMatches(k.absent, h),
  );
  if (!disarmed) signalMatched(ctx, plan, armed.event, [armed.event.eventId], armed.dueAt);
}
