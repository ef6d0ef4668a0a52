/**
 * One action step through the decision order of spec/triggers.md, and a run advancing through its
 * steps. The first action step of a run gets the full order (1-8); later steps run 1, 2, 4 and the caps,
 * quiet hours and missing field checks of 5 before they emit.
 */
import type { RunState, StoredEvent } from '../state';
import { historyHolds } from './conditions';
import { checkConsent } from './consent';
import type { Ctx, Space } from './context';
import { decide, spaceOf, timerId, triggerState } from './context';
import { activationIdOf, holdoutBucket } from './hash';
import type { Check, Outcome } from './output';
import type { ActionStep, HistoryCondition, Plan } from './plan';
import { renderParams } from './template';
import { inQuietHours, isKnownTimeZone, quietHoursEnd } from './zone';

/** The user's time zone: profile `timezone`, else the signal event's context, else policies default. */
export function userTimeZone(ctx: Ctx, event: StoredEvent): string {
  const fromProfile = ctx.state.profile.timezone;
  if (fromProfile !== undefined && isKnownTimeZone(fromProfile)) return fromProfile;
  const fromEvent = event.context?.timezone;
  if (fromEvent !== undefined && isKnownTimeZone(fromEvent)) return fromEvent;
  return ctx.policies.defaultTimezone;
}

type StepResult = { kind: 'emitted' | 'holdout' | 'stopped' } | { kind: 'deferred'; until: number };

interface Attempt {
  plan: Plan;
  step: ActionStep;
  run: RunState;
  /** When the step is due (the signal, the end of a wait, or the end of a deferral). */
  dueAt: number;
  /** The window counts from here (the due time before any deferral). */
  windowFrom: number;
}

function emittedCount(
  ctx: Ctx,
  space: Space,
  channel: string,
  sinceExcl: number,
  triggerId?: string,
): number {
  const lists =
    space === 'shadow' ? [ctx.state.live.emissions, ctx.state.shadow.emissions] : [ctx.state.live.emissions];
  let n = 0;
  for (const list of lists) {
    for (const e of list) {
      if (e.channel === channel && e.at > sinceExcl && (triggerId === undefined || e.triggerId === triggerId))
        n++;
    }
  }
  return n;
}

/** Runs the decision order for one action step and records the decision (and the activation if fired). */
function attemptAction(ctx: Ctx, a: Attempt): StepResult {
  const { plan, step, run } = a;
  const space = spaceOf(plan);
  const ts = triggerState(ctx, space, plan.id);
  const isStart = !run.started;
  const checks: Check[] = [];
  const ids = run.signalEventIds;
  const expiresAt = a.windowFrom + step.windowMs;
  const stop = (outcome: Outcome, reason: string | null): StepResult => {
    decide(ctx, plan, step.id, outcome, reason, ids, a.dueAt, checks);
    return { kind: 'stopped' };
  };
  const pass = (name: string, passed: boolean, detail: string) => {
    checks.push({ name, passed, detail });
    return passed;
  };

  // 1. breaker (paused triggers never get here).
  if (!pass('breaker', ctx.status.get(plan.id)?.breakerOpen !== true, 'breaker closed'))
    return stop('breaker_open', null);
  // 2. window.
  if (!pass('window', ctx.now <= expiresAt, `expiresAt ${expiresAt}`)) return stop('expired', null);
  // 3. bot (run start only).
  if (isStart) {
    const bot = ctx.state.bot;
    const flagged = bot !== null && bot.from <= a.dueAt && a.dueAt < bot.until;
    if (!pass('bot', !flagged, flagged ? `flagged until ${bot?.until}` : 'not flagged'))
      return stop('suppressed', 'bot');
  }
  // 4. consent.
  const consent = checkConsent(ctx.state.consent, step.consent, ctx.now, ctx.policies.consentMaxAgeMs);
  checks.push(...consent.checks);
  if (consent.outcome) return stop(consent.outcome, null);
  // 5. cooldown, unless (run start only), caps, quiet hours, missing field.
  if (isStart) {
    const last = ts.lastFiredAt;
    const cooling = last !== null && ctx.now - last < plan.suppression.cooldownMs;
    // Not "never fired" when it did long ago: upkeep.ts drops an ended cooldown's lastFiredAt, so whether
    // it is still there depends on the inputs since, and the explanation should not.
    if (!pass('cooldown', !cooling, cooling ? `last fired ${last}` : 'not fired within the cooldown'))
      return stop('suppressed', 'cooldown');
    const exclude = new Set(ids);
    const hit = plan.suppression.unless.find((c) =>
      historyHolds(c, ctx.state.history, a.dueAt - (c.withinMs ?? 0), Number.POSITIVE_INFINITY, exclude),
    );
    if (
      !pass('unless', hit === undefined, hit ? `${[...hit.eventTypes].join('|')} in history` : 'none holds')
    )
      return stop('suppressed', 'unless');
  }
  const channel = step.action.channel;
  for (const cap of plan.suppression.caps.filter((c) => c.channel === channel)) {
    const n = emittedCount(ctx, space, channel, ctx.now - cap.perMs, plan.id);
    if (!pass('caps', n < cap.max, `trigger ${channel}: ${n} of ${cap.max} per ${cap.perMs}ms`))
      return stop('suppressed', 'caps');
  }
  const channelCap = ctx.policies.caps[channel];
  if (channelCap) {
    const n = emittedCount(ctx, space, channel, ctx.now - channelCap.perMs);
    if (
      !pass(
        'caps',
        n < channelCap.max,
        `channel ${channel}: ${n} of ${channelCap.max} per ${channelCap.perMs}ms`,
      )
    )
      return stop('suppressed', 'caps');
  }
  const quiet = ctx.policies.channels[channel]?.quietHours ?? null;
  if (quiet) {
    const zone = userTimeZone(ctx, run.event);
    if (inQuietHours(quiet, ctx.now, zone)) {
      if (quiet.action === 'drop') {
        pass('quiet_hours', false, `quiet hours in ${zone}: dropped`);
        return stop('suppressed', 'quiet_hours');
      }
      const until = quietHoursEnd(quiet, ctx.now, zone);
      if (until > expiresAt) {
        // Spec "Window": a deferral that cannot meet the window is expired.
        pass('quiet_hours', false, `quiet hours in ${zone} end at ${until}, after expiresAt ${expiresAt}`);
        return stop('expired', null);
      }
      pass('quiet_hours', false, `quiet hours in ${zone}: deferred until ${until}`);
      decide(ctx, plan, step.id, 'suppressed', 'quiet_hours', ids, a.dueAt, checks);
      return { kind: 'deferred', until };
    }
    pass('quiet_hours', true, `outside quiet hours in ${zone}`);
  }
  const rendered = renderParams(step.action.params, run.event, ctx.state.profile, ctx.userId);
  if (
    !pass('missing_field', rendered.missing.length === 0, rendered.missing.join(', ') || 'all fields present')
  )
    return stop('suppressed', 'missing_field');
  // 6. holdout (run start only).
  if (isStart) {
    const bucket = holdoutBucket(plan.id, ctx.userId);
    const control = bucket < plan.holdoutPercent * 100;
    pass('holdout', !control, `bucket ${bucket} vs ${plan.holdoutPercent * 100}`);
    if (control) {
      ts.lastFiredAt = ctx.now;
      if (plan.goal) ts.goal = { group: 'holdout', from: ctx.now, until: ctx.now + plan.goal.withinMs };
      decide(ctx, plan, step.id, 'holdout', null, ids, a.dueAt, checks);
      return { kind: 'holdout' };
    }
  }
  // 7. shadow, 8. fired: both count for caps and cooldown in their own state.
  if (isStart) {
    ts.lastFiredAt = ctx.now;
    if (plan.goal) ts.goal = { group: 'treatment', from: ctx.now, until: ctx.now + plan.goal.withinMs };
  }
  ctx.state[space].emissions.push({ at: ctx.now, triggerId: plan.id, channel });
  if (step.action.type === 'paid.audience.add') {
    const audiences = ctx.state[space].audiences.filter(
      (m) => !(m.triggerId === plan.id && m.stepId === step.id),
    );
    audiences.push({
      triggerId: plan.id,
      stepId: step.id,
      params: rendered.params,
      purposes: [...step.consent],
      addedAt: ctx.now,
      signalEventIds: [...ids],
    });
    ctx.state[space].audiences = audiences;
  }
  if (space === 'shadow') {
    decide(ctx, plan, step.id, 'shadow', null, ids, a.dueAt, checks);
    return { kind: 'emitted' };
  }
  const activationId = activationIdOf(plan.id, step.id, ctx.userId, ids);
  ctx.activations.push({
    activationId,
    triggerId: plan.id,
    triggerVersion: plan.version,
    stepId: step.id,
    userId: ctx.userId,
    channel,
    actionType: step.action.type,
    params: rendered.params,
    signalEventIds: [...ids],
    dueAt: a.dueAt,
    decidedAt: ctx.now,
    expiresAt,
    slaMs: step.slaMs,
    renderToken:
      step.action.renderAt === 'open'
        ? {
            activationId,
            triggerId: plan.id,
            triggerVersion: plan.version,
            stepId: step.id,
            userId: ctx.userId,
            expiresAt,
          }
        : null,
  });
  ctx.activationCounts[plan.id] = (ctx.activationCounts[plan.id] ?? 0) + 1;
  decide(ctx, plan, step.id, 'fired', null, ids, a.dueAt, checks, activationId);
  return { kind: 'emitted' };
}

/** True when an exit condition holds looking back to the run's start (or its `within`, if shorter). */
export function exitHolds(
  ctx: Ctx,
  c: HistoryCondition,
  since: number,
  exclude: ReadonlySet<string>,
): boolean {
  const from = c.withinMs === null ? since - 1 : Math.max(since - 1, ctx.now - c.withinMs);
  return historyHolds(c, ctx.state.history, from, Number.POSITIVE_INFINITY, exclude);
}

/** Ends a run: clears it and disarms its timer. */
export function endRun(ctx: Ctx, plan: { id: string }, space: Space): void {
  triggerState(ctx, space, plan.id).run = null;
  ctx.timers.set(timerId(space, 'run', plan.id), null);
}

/**
 * Advances a run from step `from`: action steps are attempted in turn; a wait parks the run (after the
 * exitIf check looking back to the run's start); a deferral parks it on the action step. A failed first
 * action step ends the run; a failed later step is skipped and the run continues.
 */
export function advance(
  ctx: Ctx,
  plan: Plan,
  run: RunState,
  from: number,
  dueAt: number,
  windowFrom: number,
): void {
  const space = spaceOf(plan);
  const ts = triggerState(ctx, space, plan.id);
  ts.run = run;
  let due = dueAt;
  let wf = windowFrom;
  for (let i = from; i < plan.steps.length; i++) {
    const step = plan.steps[i];
    if (!step) break;
    if (step.kind === 'action') {
      const r = attemptAction(ctx, { plan, step, run, dueAt: due, windowFrom: wf });
      if (r.kind === 'deferred') {
        Object.assign(run, { stepId: step.id, phase: 'defer', dueAt: r.until, windowFrom: wf });
        ctx.timers.set(timerId(space, 'run', plan.id), r.until);
        return;
      }
      if (r.kind === 'holdout' || (r.kind === 'stopped' && !run.started)) {
        endRun(ctx, plan, space);
        return;
      }
      run.started = true;
      wf = due;
      continue;
    }
    due += step.waitMs;
    wf = due;
    const exclude = new Set(run.signalEventIds);
    const exit = [...step.exitIf, ...plan.exitIf].find((c) => exitHolds(ctx, c, run.startedAt, exclude));
    if (exit) {
      decide(ctx, plan, step.id, 'exited', null, run.signalEventIds, due, [
        { name: 'exitIf', passed: false, detail: `${[...exit.eventTypes].join('|')} since run start` },
      ]);
      endRun(ctx, plan, space);
      return;
    }
    Object.assign(run, { stepId: step.id, phase: 'wait', dueAt: due, windowFrom: due });
    ctx.timers.set(timerId(space, 'run', plan.id), due);
    return;
  }
  endRun(ctx, plan, space);
}

/** Starts a run for a matched signal, unless one is active (one run per user and trigger). */
export function startRun(
  ctx: Ctx,
  plan: Plan,
  event: StoredEvent,
  signalEventIds: string[],
  dueAt: number,
): void {
  const ts = triggerState(ctx, spaceOf(plan), plan.id);
  const first = plan.steps[0];
  if (!first) return;
  if (ts.run) {
    // One run per user and trigger: the signal is absorbed by the active run. When the run already fired
    // within the cooldown, that is the reason to record (README: semantics decisions).
    const last = ts.lastFiredAt;
    if (last !== null && ctx.now - last < plan.suppression.cooldownMs) {
      const step = plan.steps.find((s) => s.kind === 'action') ?? first;
      decide(ctx, plan, step.id, 'suppressed', 'cooldown', signalEventIds, dueAt, [
        { name: 'cooldown', passed: false, detail: `last fired ${last}; run active at ${ts.run.stepId}` },
      ]);
    }
    return;
  }
  const run: RunState = {
    version: plan.version,
    stepId: first.id,
    phase: 'wait',
    dueAt,
    windowFrom: dueAt,
    startedAt: dueAt,
    started: false,
    signalEventIds,
    event,
  };
  advance(ctx, plan, run, 0, dueAt, dueAt);
}
