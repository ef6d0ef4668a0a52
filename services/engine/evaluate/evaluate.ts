/**
 * evaluate(): one input against one user's state and every plan, returning what to do. Pure and
 * deterministic: the same arguments always give the same result (DESIGN.md decision 2).
 */
import type { SpaceState, StoredEvent, UserState } from '../state';
import { emptyUserState, SEEN_IDS_MAX, storedEventWith } from '../state';
import { onAudienceEvent, removeMembership } from './audience';
import { eventMatches } from './conditions';
import type { Conversion, Ctx, Space, TimerChange, TriggerStatus } from './context';
import { decide, insertHistory, isPaused, parseTimerId, spaceOf, timerId, triggerState } from './context';
import type { ConsentChange, EngineEvent, Input, ProfileUpdate } from './input';
import { inputUserId } from './input';
import type { ActivationDraft, Decision } from './output';
import type { Plan, PoliciesPlan } from './plan';
import type { PlanSet } from './plan-set';
import { onAbsentDue, onAbsentEvent, onSignalEvent } from './signal';
import { advance, endRun, exitHolds } from './step';
import { prune, recordRate, rememberSeen } from './upkeep';

/** What one evaluation decided. */
export interface EvaluateResult {
  /** The user's next state (same `rev` as given: the store bumps it on write). */
  state: UserState;
  /** False when nothing changed (e.g. a duplicate event): the caller may skip the write. */
  changed: boolean;
  decisions: Decision[];
  /** Activations to emit, in decision order; emittedAt and the render token are added by the emitter. */
  activations: ActivationDraft[];
  /** Timers to arm or disarm for this user. */
  timers: TimerChange[];
  conversions: Conversion[];
  /** Activations per trigger in this evaluation, for the runtime's per-trigger breaker (TriggerStatus). */
  activationCounts: Record<string, number>;
}

/**
 * Evaluates `input` for one user. `userState` undefined means a user never seen. `now` is the decision
 * time (epoch ms). `triggerStatus` carries runtime status per trigger id (breaker open, paused).
 */
export function evaluate(
  plans: PlanSet,
  policies: PoliciesPlan,
  userState: UserState | undefined,
  input: Input,
  now: number,
  triggerStatus: ReadonlyMap<string, TriggerStatus> = new Map(),
): EvaluateResult {
  const before = userState ?? emptyUserState();
  const ctx: Ctx = {
    set: plans,
    policies,
    now,
    userId: inputUserId(input),
    state: cloneState(before),
    status: triggerStatus,
    decisions: [],
    activations: [],
    timers: new Map(),
    conversions: [],
    activationCounts: {},
    owned: new Set(),
  };
  let changed = true;
  switch (input.kind) {
    case 'event':
      changed = onEvent(ctx, input.event);
      break;
    case 'profile':
      changed = onProfile(ctx, input.update);
      break;
    case 'consent':
      changed = onConsent(ctx, input.change);
      break;
    case 'timer':
      onTimer(ctx, input.timer.timerId);
      break;
  }
  if (!changed) {
    return {
      state: before,
      changed,
      decisions: [],
      activations: [],
      timers: [],
      conversions: [],
      activationCounts: {},
    };
  }
  prune(ctx);
  return {
    state: ctx.state,
    changed,
    decisions: ctx.decisions,
    activations: ctx.activations,
    timers: [...ctx.timers]
      .filter(
        ([id, dueAt]) =>
          dueAt !== null || hadTimer(before, id) || (input.kind === 'timer' && input.timer.timerId === id),
      )
      .map(([id, dueAt]) => ({ timerId: id, dueAt })),
    conversions: ctx.conversions,
    activationCounts: ctx.activationCounts,
  };
}

/**
 * A copy of the state that evaluate may change. Stored events, consent records, emissions, audience
 * memberships, absence arms and goal windows are never mutated (only replaced), so they are shared;
 * containers are copied, and trigger states are copied on write (triggerState). Far cheaper than a deep
 * clone: an event touches a few of a user's trigger states, and the copy of all of them was a tenth of
 * the engine's CPU (docs/performance.md).
 */
function cloneState(s: UserState): UserState {
  // Written out field by field (not `...s`): one object shape for every state evaluation builds.
  return {
    rev: s.rev,
    v: s.v,
    history: s.history.slice(),
    seen: s.seen.slice(),
    rate: s.rate.slice(),
    bot: s.bot ? { from: s.bot.from, until: s.bot.until } : null,
    // Shared until onProfile / onConsent replace them: most inputs leave them alone, and the Redis
    // store writes them only when they are new objects.
    profile: s.profile,
    profileAt: s.profileAt,
    consent: s.consent,
    live: cloneSpace(s.live),
    shadow: cloneSpace(s.shadow),
  };
}

function cloneSpace(x: SpaceState): SpaceState {
  return { triggers: { ...x.triggers }, emissions: x.emissions.slice(), audiences: x.audiences.slice() };
}

/** True when the state held the run or absence timer `id` (so disarming it is news to the index). */
function hadTimer(state: UserState, id: string): boolean {
  const t = parseTimerId(id);
  const ts = t ? state[t.space].triggers[t.triggerId] : undefined;
  return t !== null && ts !== undefined && (t.kind === 'run' ? ts.run !== null : ts.absent !== null);
}

function stored(e: EngineEvent): StoredEvent {
  return storedEventWith(e, e.context);
}

/** Goal attribution: a goal event in (from, until] of an open goal window converts once. */
function onGoal(ctx: Ctx, plan: Plan, space: Space, e: StoredEvent): void {
  const ts = ctx.state[space].triggers[plan.id];
  const goal = ts?.goal;
  if (!ts || !goal || !plan.goal || !eventMatches(plan.goal, e)) return;
  if (e.occurredAt <= goal.from || e.occurredAt > goal.until) return;
  triggerState(ctx, space, plan.id).goal = null;
  ctx.conversions.push({
    triggerId: plan.id,
    group: goal.group,
    shadow: space === 'shadow',
    eventId: e.eventId,
    firedAt: goal.from,
  });
}

/** exitIf on every event while a run is active (trigger level, and the wait's own while parked on it). */
function onExit(ctx: Ctx, plan: Plan, space: Space, e: StoredEvent): void {
  const run = ctx.state[space].triggers[plan.id]?.run;
  if (!run || e.occurredAt < run.startedAt) return;
  const step = plan.steps.find((s) => s.id === run.stepId);
  if (!step) {
    decide(
      ctx,
      { id: plan.id, version: run.version },
      run.stepId,
      'step_removed',
      null,
      run.signalEventIds,
      run.dueAt,
      [],
    );
    endRun(ctx, plan, space);
    return;
  }
  const conditions = [...plan.exitIf, ...(step.kind === 'wait' && run.phase === 'wait' ? step.exitIf : [])];
  const exclude = new Set(run.signalEventIds);
  const exit = conditions.find((c) => eventMatches(c, e) && exitHolds(ctx, c, run.startedAt, exclude));
  if (!exit) return;
  decide(ctx, plan, run.stepId, 'exited', null, run.signalEventIds, run.dueAt, [
    { name: 'exitIf', passed: false, detail: `${e.type} ${e.eventId}` },
  ]);
  endRun(ctx, plan, space);
}

function onEvent(ctx: Ctx, input: EngineEvent): boolean {
  const state = ctx.state;
  if (isDuplicate(state, input.eventId)) return false;
  rememberSeen(state, input.eventId);
  recordRate(ctx, input.occurredAt);
  // Spec: events with context.bot never match; they only feed the rate and dedupe.
  if (input.context?.bot) return true;
  const plans = ctx.set.byEventType.get(input.type) ?? [];
  if (plans.length === 0) return true;
  const e = stored(input);
  insertHistory(state.history, e);
  const live = plans.filter((p) => !isPaused(ctx, p));
  for (const p of live) {
    const space = spaceOf(p);
    onGoal(ctx, p, space, e);
    onAbsentEvent(ctx, p, e);
    onExit(ctx, p, space, e);
    onAudienceEvent(ctx, p, space, e);
  }
  // Spec: events older than lateness.max when read are counted but never fire.
  if (ctx.now - e.occurredAt > ctx.policies.latenessMaxMs) return true;
  for (const p of live) onSignalEvent(ctx, p, e);
  return true;
}

/**
 * True when the user already had an event with this id. Every event goes into `seen` before history,
 * so while `seen` was never trimmed (shorter than SEEN_IDS_MAX) it holds every id history does and
 * history need not be searched.
 */
function isDuplicate(state: UserState, eventId: string): boolean {
  if (state.seen.includes(eventId)) return true;
  return state.seen.length >= SEEN_IDS_MAX && state.history.some((h) => h.eventId === eventId);
}

function onProfile(ctx: Ctx, u: ProfileUpdate): boolean {
  // Copies: the state given to evaluate shares its profile objects with ours (cloneState).
  const profile = { ...ctx.state.profile };
  const profileAt = { ...ctx.state.profileAt };
  let changed = false;
  for (const [name, value] of Object.entries(u.attributes)) {
    const at = profileAt[name];
    if (at !== undefined && at > u.updatedAt) continue;
    changed = true;
    profileAt[name] = u.updatedAt;
    if (value === null) delete profile[name];
    else profile[name] = value;
  }
  if (changed) Object.assign(ctx.state, { profile, profileAt });
  return changed;
}

/** Purposes the rest of a run still needs (from the step it is parked on). */
function remainingPurposes(plan: Plan, stepId: string, phase: 'wait' | 'defer'): Set<string> {
  const i = plan.steps.findIndex((s) => s.id === stepId);
  const purposes = new Set<string>();
  if (i < 0) return purposes;
  for (const s of plan.steps.slice(phase === 'defer' ? i : i + 1)) {
    if (s.kind === 'action') s.consent.forEach((p) => purposes.add(p));
  }
  return purposes;
}

function onConsent(ctx: Ctx, c: ConsentChange): boolean {
  const prev = ctx.state.consent[c.purpose];
  if (prev && prev.updatedAt > c.updatedAt) return false;
  ctx.state.consent = {
    ...ctx.state.consent,
    [c.purpose]: { status: c.status, updatedAt: c.updatedAt, source: c.source },
  };
  if (c.status !== 'denied') return true;
  for (const space of ['live', 'shadow'] as const) {
    for (const [id, ts] of Object.entries(ctx.state[space].triggers)) {
      const plan = ctx.set.byId.get(id);
      const run = ts.run;
      if (!run || !plan || isPaused(ctx, plan)) continue;
      if (!remainingPurposes(plan, run.stepId, run.phase).has(c.purpose)) continue;
      decide(ctx, plan, run.stepId, 'consent_revoked', c.purpose, run.signalEventIds, run.dueAt, [
        { name: 'consent', passed: false, detail: `${c.purpose}: denied at ${c.updatedAt}` },
      ]);
      endRun(ctx, plan, space);
    }
    for (const m of ctx.state[space].audiences.filter((x) => x.purposes.includes(c.purpose))) {
      removeMembership(
        ctx,
        ctx.set.byId.get(m.triggerId),
        space,
        m,
        'consent_revoked',
        m.signalEventIds,
        c.updatedAt,
      );
    }
  }
  return true;
}

function onTimer(ctx: Ctx, id: string): void {
  const parsed = parseTimerId(id);
  if (!parsed) {
    ctx.timers.set(id, null);
    return;
  }
  const { space, kind, triggerId } = parsed;
  const ts = ctx.state[space].triggers[triggerId];
  const entry = kind === 'run' ? ts?.run : ts?.absent;
  if (!ts || !entry) {
    ctx.timers.set(id, null); // a stale hint: the state is the truth
    return;
  }
  if (entry.dueAt > ctx.now) {
    ctx.timers.set(id, entry.dueAt); // not due yet: keep the index in step with the state
    return;
  }
  const plan = ctx.set.byId.get(triggerId);
  if (kind === 'absent') {
    if (!plan || isPaused(ctx, plan) || spaceOf(plan) !== space) {
      triggerState(ctx, space, triggerId).absent = null;
      ctx.timers.set(id, null);
      return;
    }
    onAbsentDue(ctx, plan);
    return;
  }
  // The run is advanced (mutated) below: take this evaluation's own copy of it.
  const run = triggerState(ctx, space, triggerId).run;
  if (!run) return;
  const step = plan && spaceOf(plan) === space ? plan.steps.findIndex((s) => s.id === run.stepId) : -1;
  const current = step >= 0 ? plan?.steps[step] : undefined;
  if (plan && isPaused(ctx, plan)) {
    endRun(ctx, plan, space); // paused: not evaluated, the pending step is dropped (README)
    return;
  }
  if (!plan || !current || (run.phase === 'defer' && current.kind !== 'action')) {
    // Spec "Sequence": on redeploy a pending step whose id no longer exists ends with step_removed.
    decide(
      ctx,
      { id: triggerId, version: run.version },
      run.stepId,
      'step_removed',
      null,
      run.signalEventIds,
      run.dueAt,
      [],
    );
    endRun(ctx, { id: triggerId }, space);
    return;
  }
  run.version = plan.version;
  ctx.timers.set(timerId(space, 'run', triggerId), null);
  if (run.phase === 'defer') advance(ctx, plan, run, step, run.dueAt, run.windowFrom);
  else advance(ctx, plan, run, step + 1, run.dueAt, run.dueAt);
}
