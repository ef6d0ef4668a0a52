import { evaluate, indexPlans } from '../../../../services/engine/evaluate';
import { HISTORY_MAX, SEEN_IDS_MAX } from '../../../../services/engine/state';
import { action, cond, DAY, ev, event, HOUR, MIN, outcomes, plan, policies, sim, T0, wait } from './helpers';

const pricing = (over = {}) =>
  plan({
    steps: [
      action('web', 'web.personalize', { id: 'show-cta', params: { slot: 'hero' } }),
      wait('wait-a-day', DAY, [cond('demo_booked', null)]),
      action('email', 'email.send', { id: 'follow-up', params: { template: 'f' } }),
    ],
    ...over,
  });

describe('duplicates and input handling', () => {
  it('an event id already seen is ignored: no decisions, state unchanged', () => {
    const s = sim([plan({ cooldownMs: 0 })]);
    const e = event();
    s.send({ kind: 'event', event: e }, T0);
    const before = s.states.get('u1');
    const r = s.send({ kind: 'event', event: { ...e, occurredAt: T0 + 1 } }, T0 + 1);
    expect(r.changed).toBe(false);
    expect(r.decisions).toEqual([]);
    expect(r.state).toBe(before);
    expect(outcomes(s)).toEqual(['trig:action:fired']);
  });

  it('an id trimmed from the seen list is still a duplicate while history holds its event', () => {
    const s = sim([plan({ cooldownMs: 0 })]);
    const e = event({ eventId: 'kept' });
    s.send({ kind: 'event', event: e }, T0);
    // More events than the seen list keeps, of a type no plan mentions (so not in history).
    for (let i = 0; i <= SEEN_IDS_MAX; i++) s.send(ev({ type: 'other', eventId: `o${i}` }), T0 + 1);
    const state = s.states.get('u1');
    expect(state?.seen).not.toContain('kept');
    expect(state?.history.map((h) => h.eventId)).toEqual(['kept']);
    const r = s.send({ kind: 'event', event: e }, T0 + 2);
    expect(r.changed).toBe(false);
    expect(outcomes(s)).toEqual(['trig:action:fired']);
  });

  it('history keeps events from the look-back horizon on, and at most HISTORY_MAX of the newest', () => {
    const plans = [plan({ after: [cond('signup', DAY)] })];
    const lookback = indexPlans(plans).historyLookbackMs + HOUR; // + lateness.max
    const s = sim(plans);
    s.send(ev({ type: 'signup', eventId: 'old', occurredAt: T0 }), T0);
    s.send(ev({ type: 'signup', eventId: 'new', occurredAt: T0 + 1 }), T0 + 1);
    const ids = () => s.states.get('u1')?.history.map((h) => h.eventId);
    // An event exactly at the horizon stays; one millisecond later it is gone.
    s.send(ev({ type: 'other' }), T0 + lookback);
    expect(ids()).toEqual(['old', 'new']);
    s.send(ev({ type: 'signup', eventId: 'later', occurredAt: T0 + lookback }), T0 + lookback + 1);
    expect(ids()).toEqual(['new', 'later']);

    const many = sim(plans);
    for (let i = 0; i < HISTORY_MAX + 3; i++)
      many.send(ev({ type: 'signup', eventId: `s${i}`, occurredAt: T0 + i }), T0 + i);
    const kept = many.states.get('u1')?.history.map((h) => h.eventId) ?? [];
    expect(kept).toHaveLength(HISTORY_MAX);
    expect(kept[0]).toBe('s3');
    expect(kept.at(-1)).toBe(`s${HISTORY_MAX + 2}`);
  });

  it("keeps the events an unless needs when a heavy user's history passes HISTORY_MAX (never retarget a converter)", () => {
    const plans = [plan({ event: 'page_view', unless: [cond('purchase', 30 * DAY)], cooldownMs: 0 })];
    const s = sim(plans);
    s.send(ev({ type: 'purchase', eventId: 'bought', occurredAt: T0 }), T0);
    const views = HISTORY_MAX + 120;
    for (let i = 0; i < views; i++) {
      const t = T0 + DAY + i * 60_000;
      s.send(ev({ type: 'page_view', eventId: `v${i}`, occurredAt: t }), t);
    }
    const history = s.states.get('u1')?.history ?? [];
    expect(history[0]?.eventId).toBe('bought');
    expect(history.length).toBeLessThanOrEqual(HISTORY_MAX + 1);
    expect(history.at(-1)?.eventId).toBe(`v${views - 1}`);
    // Every page view, the last ones included, was suppressed by the purchase.
    const last = s.decisions.at(-1);
    expect([last?.outcome, last?.reason]).toEqual(['suppressed', 'unless']);
    expect(s.decisions.every((d) => d.reason === 'unless')).toBe(true);
  });

  it("keeps the event an unless's where needs, not just any event of its type", () => {
    const enterprise = cond('purchase', 30 * DAY, { where: { 'properties.plan': 'enterprise' } });
    const s = sim([plan({ event: 'page_view', unless: [enterprise], cooldownMs: 0 })]);
    s.send(ev({ type: 'purchase', eventId: 'big', properties: { plan: 'enterprise' } }), T0);
    for (let i = 0; i < HISTORY_MAX + 20; i++) {
      const t = T0 + DAY + i * 60_000;
      // A basic purchase among the views must not count for the enterprise one.
      const type = i === 10 ? 'purchase' : 'page_view';
      s.send(ev({ type, eventId: `x${i}`, occurredAt: t, properties: { plan: 'basic' } }), t);
    }
    expect(s.states.get('u1')?.history.some((e) => e.eventId === 'big')).toBe(true);
    expect([s.decisions.at(-1)?.outcome, s.decisions.at(-1)?.reason]).toEqual(['suppressed', 'unless']);
  });

  it('with more kept events than the slack, still rewrites the stored history only now and then', () => {
    const types = Array.from({ length: 60 }, (_, i) => `rare_${i}`);
    const s = sim([plan({ event: 'page_view', unless: types.map((t) => cond(t, 30 * DAY)), cooldownMs: 0 })]);
    types.forEach((type, i) => s.send(ev({ type, eventId: type, occurredAt: T0 + i }), T0 + i));
    let rewrites = 0;
    const views = 3 * HISTORY_MAX;
    for (let i = 0; i < views; i++) {
      const before = s.states.get('u1')?.history ?? [];
      const t = T0 + DAY + i * 60_000;
      s.send(ev({ type: 'page_view', eventId: `w${i}`, occurredAt: t }), t);
      const after = s.states.get('u1')?.history ?? [];
      // The write is cheap when the new history is the old one less a prefix plus the new event.
      const from = before.indexOf(after[0] as (typeof after)[number]);
      const prefixDrop = from >= 0 && after.slice(0, -1).every((e, k) => e === before[from + k]);
      if (!prefixDrop) rewrites += 1;
    }
    const history = s.states.get('u1')?.history ?? [];
    expect(types.every((t) => history.some((e) => e.eventId === t))).toBe(true);
    expect(history.length).toBeLessThanOrEqual(HISTORY_MAX + types.length);
    expect(rewrites).toBeGreaterThan(0);
    expect(rewrites).toBeLessThanOrEqual(Math.ceil(views / 50));
  });

  it('an event of a type no plan mentions is not kept in history', () => {
    const s = sim([plan()]);
    s.send(ev({ type: 'other' }), T0);
    expect(s.states.get('u1')?.history).toEqual([]);
  });

  it('does not mutate the state it was given and gives the same result twice', () => {
    const set = indexPlans([pricing()]);
    const input = ev();
    const state = sim([pricing()]).states.get('u1');
    const frozen = JSON.stringify(state);
    const a = evaluate(set, policies(), state, input, T0);
    const b = evaluate(set, policies(), state, input, T0);
    expect(JSON.stringify(state)).toBe(frozen);
    expect(a).toEqual(b);
  });

  it('profile updates merge; null removes; an older update never overwrites a newer one', () => {
    const s = sim([plan()]);
    const send = (attributes: Record<string, string | null>, updatedAt: number) =>
      s.send({ kind: 'profile', update: { userId: 'u1', attributes, updatedAt } }, T0);
    send({ a: '1', b: '2' }, 10);
    send({ a: null }, 20);
    send({ b: 'old' }, 5);
    expect(s.states.get('u1')?.profile).toEqual({ b: '2' });
  });

  it('an older consent record never overwrites a newer one', () => {
    const s = sim([plan()], { consent: [] });
    const send = (status: 'granted' | 'denied', updatedAt: number) =>
      s.send(
        {
          kind: 'consent',
          change: { userId: 'u1', purpose: 'personalization', status, updatedAt, source: 't' },
        },
        T0,
      );
    send('granted', T0 - 10);
    const r = send('denied', T0 - 20);
    expect(r.changed).toBe(false);
    s.send(ev(), T0);
    expect(outcomes(s)).toEqual(['trig:action:fired']);
  });

  it('a timer that is not in the state is disarmed (state is the truth)', () => {
    const r = evaluate(
      indexPlans([plan()]),
      policies(),
      undefined,
      { kind: 'timer', timer: { userId: 'u1', timerId: 'run:trig', dueAt: T0 } },
      T0,
    );
    expect(r.timers).toEqual([{ timerId: 'run:trig', dueAt: null }]);
    const bad = evaluate(
      indexPlans([plan()]),
      policies(),
      undefined,
      { kind: 'timer', timer: { userId: 'u1', timerId: 'nonsense', dueAt: T0 } },
      T0,
    );
    expect(bad.timers).toEqual([{ timerId: 'nonsense', dueAt: null }]);
  });

  it('a timer delivered early is re-armed at the due time the state holds', () => {
    const s = sim([pricing()]);
    s.send(ev(), T0);
    const r = evaluate(
      s.plans,
      s.policies,
      s.states.get('u1'),
      { kind: 'timer', timer: { userId: 'u1', timerId: 'run:trig', dueAt: T0 } },
      T0 + 1,
    );
    expect(r.timers).toEqual([{ timerId: 'run:trig', dueAt: T0 + DAY }]);
    expect(r.decisions).toEqual([]);
  });
});

describe('sequence', () => {
  it('runs action, waits, then runs the next action with dueAt = end of the wait', () => {
    const s = sim([pricing()]);
    s.send(ev(), T0);
    expect(s.timers.get('u1')?.get('run:trig')).toBe(T0 + DAY);
    s.advanceTo(T0 + DAY);
    expect(outcomes(s)).toEqual(['trig:show-cta:fired', 'trig:follow-up:fired']);
    expect(s.activations[1]).toMatchObject({ dueAt: T0 + DAY, expiresAt: T0 + 2 * DAY, channel: 'email' });
    expect(s.states.get('u1')?.live.triggers.trig?.run ?? null).toBeNull();
  });

  it('exitIf on a wait: an event during the wait ends the run with exited', () => {
    const s = sim([pricing()]);
    s.send(ev(), T0);
    s.send(ev({ type: 'demo_booked', occurredAt: T0 + HOUR }), T0 + HOUR);
    s.advanceTo(T0 + 2 * DAY);
    expect(outcomes(s)).toEqual(['trig:show-cta:fired', 'trig:wait-a-day:exited']);
    expect(s.timers.get('u1')?.has('run:trig') ?? false).toBe(false);
  });

  it('exitIf is checked when the wait starts, looking back to the run start', () => {
    // The first action is deferred by quiet hours; the exit event happens before the wait starts.
    const p = plan({
      steps: [
        action('mobile', 'mobile.push', { id: 'push', windowMs: 12 * HOUR, params: { t: 'x' } }),
        wait('pause', HOUR, [cond('purchase', null)]),
        action('web', 'web.personalize', { id: 'later' }),
      ],
    });
    const s = sim([p]);
    const at = Date.UTC(2026, 2, 2, 7, 0);
    s.send(ev({ occurredAt: at }), at);
    s.send(ev({ type: 'purchase', occurredAt: at + 10 * MIN }), at + 10 * MIN);
    s.advanceTo(at + 3 * HOUR);
    expect(outcomes(s)).toEqual(['trig:push:suppressed/quiet_hours', 'trig:push:fired', 'trig:pause:exited']);
  });

  it('exitIf events before the run start do not count', () => {
    const s = sim([pricing()]);
    s.send(ev({ type: 'demo_booked', occurredAt: T0 - HOUR }), T0 - HOUR);
    s.send(ev(), T0);
    s.advanceTo(T0 + DAY);
    expect(outcomes(s)).toEqual(['trig:show-cta:fired', 'trig:follow-up:fired']);
  });

  it('trigger-level exitIf applies on every event while the run is active', () => {
    const s = sim([pricing({ exitIf: [cond('purchase', null)] })]);
    s.send(ev(), T0);
    s.send(ev({ type: 'purchase', occurredAt: T0 + HOUR }), T0 + HOUR);
    expect(outcomes(s)).toEqual(['trig:show-cta:fired', 'trig:wait-a-day:exited']);
  });

  it('at most one active run per user and trigger: a new signal is absorbed by the run', () => {
    const s = sim([pricing({ cooldownMs: 0 })]);
    s.send(ev(), T0);
    s.send(ev({ occurredAt: T0 + HOUR }), T0 + HOUR);
    s.advanceTo(T0 + DAY);
    expect(outcomes(s)).toEqual(['trig:show-cta:fired', 'trig:follow-up:fired']);
  });

  it('a signal during an active run that fired within the cooldown records suppressed: cooldown', () => {
    const s = sim([pricing({ cooldownMs: 7 * DAY })]);
    s.send(ev(), T0);
    s.send(ev({ occurredAt: T0 + HOUR }), T0 + HOUR);
    s.advanceTo(T0 + DAY);
    expect(outcomes(s)).toEqual([
      'trig:show-cta:fired',
      'trig:show-cta:suppressed/cooldown',
      'trig:follow-up:fired',
    ]);
  });

  it('a sequence may start with a wait; the start checks run on its first action', () => {
    const p = plan({ steps: [wait('first', HOUR), action('web', 'web.personalize', { id: 'act' })] });
    const s = sim([p], { consent: false });
    s.send(ev(), T0);
    expect(s.decisions).toEqual([]);
    s.advanceTo(T0 + HOUR);
    expect(outcomes(s)).toEqual(['trig:act:consent_missing']);
  });

  it('later steps re-check consent, caps, quiet hours and missing field, and are skipped when they fail', () => {
    const p = plan({
      steps: [
        action('web', 'web.personalize', { id: 'one' }),
        wait('w', HOUR),
        action('email', 'email.send', { id: 'two', params: { n: '${profile.firstName}' } }),
        action('web', 'web.personalize', { id: 'three' }),
      ],
      unless: [cond('purchase', DAY)],
    });
    const s = sim([p], { consent: ['personalization'] });
    s.send(ev(), T0);
    // unless is not re-checked on later steps (only 1, 2, 4, 5's caps/quiet/missing).
    s.send(ev({ type: 'purchase', occurredAt: T0 + 1 }), T0 + 1);
    s.advanceTo(T0 + HOUR);
    expect(outcomes(s)).toEqual(['trig:one:fired', 'trig:two:consent_missing', 'trig:three:fired']);
  });

  it('later steps do not re-check cooldown', () => {
    const s = sim([pricing({ cooldownMs: 7 * DAY })]);
    s.send(ev(), T0);
    s.advanceTo(T0 + DAY);
    expect(outcomes(s)).toEqual(['trig:show-cta:fired', 'trig:follow-up:fired']);
  });

  it('a later step past its window is expired', () => {
    const s = sim([pricing()]);
    s.send(ev(), T0);
    s.advanceTo(T0 + DAY - 1);
    // The lane was down: the timer is processed two days late.
    const state = s.states.get('u1');
    const r = evaluate(
      s.plans,
      s.policies,
      state,
      { kind: 'timer', timer: { userId: 'u1', timerId: 'run:trig', dueAt: T0 + DAY } },
      T0 + 3 * DAY,
    );
    expect(r.decisions.map((d) => `${d.stepId}:${d.outcome}`)).toEqual(['follow-up:expired']);
  });

  it('redeploy: a pending step continues under the new version if its id still exists', () => {
    const s = sim([pricing()]);
    s.send(ev(), T0);
    const v2 = pricing({ version: 2 });
    const r = evaluate(
      indexPlans([v2]),
      s.policies,
      s.states.get('u1'),
      { kind: 'timer', timer: { userId: 'u1', timerId: 'run:trig', dueAt: T0 + DAY } },
      T0 + DAY,
    );
    expect(r.decisions.map((d) => `${d.stepId}:${d.outcome}:v${d.triggerVersion}`)).toEqual([
      'follow-up:fired:v2',
    ]);
  });

  it('redeploy: a pending step whose id no longer exists ends with step_removed', () => {
    const s = sim([pricing()]);
    s.send(ev(), T0);
    const v2 = plan({ version: 2, steps: [action('web', 'web.personalize', { id: 'show-cta' })] });
    const r = evaluate(
      indexPlans([v2]),
      s.policies,
      s.states.get('u1'),
      { kind: 'timer', timer: { userId: 'u1', timerId: 'run:trig', dueAt: T0 + DAY } },
      T0 + DAY,
    );
    expect(r.decisions.map((d) => `${d.stepId}:${d.outcome}:v${d.triggerVersion}`)).toEqual([
      'wait-a-day:step_removed:v1',
    ]);
    expect(r.state.live.triggers.trig?.run ?? null).toBeNull();
  });

  it('redeploy: a removed trigger ends its pending step with step_removed', () => {
    const s = sim([pricing()]);
    s.send(ev(), T0);
    const r = evaluate(
      indexPlans([]),
      s.policies,
      s.states.get('u1'),
      { kind: 'timer', timer: { userId: 'u1', timerId: 'run:trig', dueAt: T0 + DAY } },
      T0 + DAY,
    );
    expect(r.decisions.map((d) => d.outcome)).toEqual(['step_removed']);
  });

  it('a paused trigger drops its pending step without a decision', () => {
    const s = sim([pricing()]);
    s.send(ev(), T0);
    s.status.set('trig', { paused: true });
    s.advanceTo(T0 + DAY);
    expect(outcomes(s)).toEqual(['trig:show-cta:fired']);
    expect(s.states.get('u1')?.live.triggers.trig?.run ?? null).toBeNull();
  });

  it('consent revocation cancels pending steps that need it (consent_revoked)', () => {
    const s = sim([pricing()]);
    s.send(ev(), T0);
    s.send(
      {
        kind: 'consent',
        change: {
          userId: 'u1',
          purpose: 'email_marketing',
          status: 'denied',
          updatedAt: T0 + HOUR,
          source: 't',
        },
      },
      T0 + HOUR,
    );
    s.advanceTo(T0 + 2 * DAY);
    expect(outcomes(s)).toEqual(['trig:show-cta:fired', 'trig:wait-a-day:consent_revoked/email_marketing']);
  });

  it('revoking a purpose no pending step needs leaves the run alone', () => {
    const s = sim([pricing()]);
    s.send(ev(), T0);
    s.send(
      {
        kind: 'consent',
        change: { userId: 'u1', purpose: 'push', status: 'denied', updatedAt: T0 + HOUR, source: 't' },
      },
      T0 + HOUR,
    );
    s.advanceTo(T0 + DAY);
    expect(outcomes(s)).toEqual(['trig:show-cta:fired', 'trig:follow-up:fired']);
  });

  it('shadow sequences run in shadow state with shadow timers', () => {
    const s = sim([pricing({ mode: 'shadow' })]);
    s.send(ev(), T0);
    expect(s.timers.get('u1')?.get('shadow-run:trig')).toBe(T0 + DAY);
    s.advanceTo(T0 + DAY);
    expect(outcomes(s)).toEqual(['trig:show-cta:shadow', 'trig:follow-up:shadow']);
    expect(s.activations).toEqual([]);
  });
});

describe('goal attribution', () => {
  const withGoal = (over = {}) =>
    plan({ goal: { eventTypes: new Set(['purchase']), channel: null, where: [], withinMs: DAY }, ...over });

  it('a goal event within `within` after a fire counts one treatment conversion', () => {
    const s = sim([withGoal()]);
    s.send(ev(), T0);
    s.send(ev({ type: 'purchase', occurredAt: T0 + HOUR }), T0 + HOUR);
    s.send(ev({ type: 'purchase', occurredAt: T0 + 2 * HOUR }), T0 + 2 * HOUR);
    expect(s.conversions).toEqual([
      { triggerId: 'trig', group: 'treatment', shadow: false, eventId: expect.any(String), firedAt: T0 },
    ]);
  });

  it('a goal event after the window does not convert', () => {
    const s = sim([withGoal()]);
    s.send(ev(), T0);
    s.send(ev({ type: 'purchase', occurredAt: T0 + DAY + 1 }), T0 + DAY + 1);
    expect(s.conversions).toEqual([]);
  });

  it('holdout users convert in the holdout group', () => {
    const s = sim([withGoal({ holdoutPercent: 100 })]);
    s.send(ev(), T0);
    s.send(ev({ type: 'purchase', occurredAt: T0 + HOUR }), T0 + HOUR);
    expect(s.conversions.map((c) => c.group)).toEqual(['holdout']);
  });

  it('shadow conversions are marked shadow', () => {
    const s = sim([withGoal({ mode: 'shadow' })]);
    s.send(ev(), T0);
    s.send(ev({ type: 'purchase', occurredAt: T0 + HOUR }), T0 + HOUR);
    expect(s.conversions.map((c) => c.shadow)).toEqual([true]);
  });
});

describe('breaker counts', () => {
  it('returns activations per trigger so the runtime can trip the breaker', () => {
    const s = sim([plan({ id: 'a' }), plan({ id: 'b' })]);
    const r = s.send(ev(), T0);
    expect(r.activationCounts).toEqual({ a: 1, b: 1 });
  });
});

describe('redeploys seen by events and absence timers', () => {
  it('an event during a run whose pending step was removed ends it with step_removed', () => {
    const s = sim([pricing({ exitIf: [cond('purchase', null)] })]);
    s.send(ev(), T0);
    const v2 = plan({
      version: 2,
      exitIf: [cond('purchase', null)],
      steps: [action('web', 'web.personalize', { id: 'x' })],
    });
    const r = evaluate(
      indexPlans([v2]),
      s.policies,
      s.states.get('u1'),
      ev({ type: 'purchase', occurredAt: T0 + 1 }),
      T0 + 1,
    );
    expect(r.decisions.map((d) => `${d.stepId}:${d.outcome}`)).toEqual(['wait-a-day:step_removed']);
    expect(r.timers).toEqual([{ timerId: 'run:trig', dueAt: null }]);
  });

  it('an absence timer of a removed or paused trigger is dropped without a decision', () => {
    const absent = plan({
      event: 'cart',
      kind: {
        type: 'absent',
        withinMs: HOUR,
        absent: { eventTypes: new Set(['buy']), channel: null, where: [] },
      },
    });
    const s = sim([absent]);
    s.send(ev({ type: 'cart' }), T0);
    const timer = {
      kind: 'timer' as const,
      timer: { userId: 'u1', timerId: 'absent:trig', dueAt: T0 + HOUR },
    };
    const removed = evaluate(indexPlans([]), s.policies, s.states.get('u1'), timer, T0 + HOUR);
    expect(removed.decisions).toEqual([]);
    expect(removed.timers).toEqual([{ timerId: 'absent:trig', dueAt: null }]);
    const paused = evaluate(
      s.plans,
      s.policies,
      s.states.get('u1'),
      timer,
      T0 + HOUR,
      new Map([['trig', { paused: true }]]),
    );
    expect(paused.decisions).toEqual([]);
    expect(paused.state.live.triggers.trig?.absent ?? null).toBeNull();
  });
});
