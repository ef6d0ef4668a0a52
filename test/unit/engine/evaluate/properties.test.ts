/** Property-based tests (fast-check): determinism, consent, stable activation ids. */
import fc from 'fast-check';
import type { Input, Plan } from '../../../../services/engine/evaluate';
import { evaluate, indexPlans, Simulator } from '../../../../services/engine/evaluate';
import { action, ALL_PURPOSES, cond, DAY, HOUR, MIN, plan, policies, T0, wait } from './helpers';

const PLANS: Plan[] = [
  plan({
    id: 'plain',
    cooldownMs: HOUR,
    steps: [action('web', 'web.personalize', { id: 'a', require: ['offers'] })],
  }),
  plan({
    id: 'count',
    event: 'view',
    kind: { type: 'count', atLeast: 2, withinMs: HOUR, distinct: null },
    cooldownMs: 0,
    steps: [
      action('mobile', 'mobile.push', { id: 'push', params: { p: '${event.properties.p}' } }),
      wait('w', HOUR, [cond('buy', null)]),
      action('email', 'email.send', { id: 'mail' }),
    ],
    holdoutPercent: 30,
  }),
  plan({
    id: 'absent',
    event: 'cart',
    kind: {
      type: 'absent',
      withinMs: 30 * MIN,
      absent: { eventTypes: new Set(['buy']), channel: null, where: [] },
    },
    steps: [action('paid', 'paid.audience.add', { id: 'add', params: { audience: 'x' } })],
    unless: [cond('buy', DAY)],
  }),
  // A goal window outlives the cooldown: the state keeps a trigger whose cooldown ends in a later event.
  plan({
    id: 'goal',
    event: 'other',
    cooldownMs: 30 * MIN,
    goal: { eventTypes: new Set(['buy']), channel: null, where: [], withinMs: DAY },
    steps: [action('web', 'web.personalize', { id: 'g', require: ['offers'] })],
  }),
];

const inputArb: fc.Arbitrary<{ input: Input; dt: number }> = fc.oneof(
  fc
    .record({
      type: fc.constantFrom('page_view', 'view', 'cart', 'buy', 'other'),
      id: fc.integer({ min: 0, max: 40 }),
      skew: fc.integer({ min: -30, max: 5 }),
      p: fc.option(fc.constantFrom('a', 'b'), { nil: undefined }),
      dt: fc.integer({ min: 0, max: 40 }),
    })
    .map(({ type, id, skew, p, dt }) => ({
      dt: dt * MIN,
      input: {
        kind: 'event' as const,
        event: {
          eventId: `e${id}`,
          userId: 'u1',
          channel: 'web' as const,
          type,
          occurredAt: skew,
          sessionId: 's',
          properties: (p === undefined ? {} : { p }) as Record<string, string>,
          context: null,
        },
      },
    })),
  fc
    .record({
      purpose: fc.constantFrom(...ALL_PURPOSES),
      status: fc.constantFrom('granted' as const, 'denied' as const),
      dt: fc.integer({ min: 0, max: 40 }),
    })
    .map(({ purpose, status, dt }) => ({
      dt: dt * MIN,
      input: {
        kind: 'consent' as const,
        change: { userId: 'u1', purpose, status, updatedAt: 0, source: 'p' },
      },
    })),
  fc
    .record({
      timezone: fc.option(fc.constantFrom('UTC', 'Asia/Tokyo'), { nil: null }),
      tier: fc.constantFrom('gold', 'silver'),
      dt: fc.integer({ min: 0, max: 40 }),
    })
    .map(({ timezone, tier, dt }) => ({
      dt: dt * MIN,
      input: {
        kind: 'profile' as const,
        update: { userId: 'u1', attributes: { timezone, tier }, updatedAt: 0 },
      },
    })),
);

/** Freezes `value` and everything it holds, so that any later mutation throws (modules are strict). */
function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const v of Object.values(value)) deepFreeze(v);
  return value;
}

/**
 * Runs a timeline: relative times become absolute; event occurredAt skews are minutes around now. With
 * `frozen`, every state the simulator keeps is frozen whole, so the evaluation given it throws if it
 * changes anything of it instead of working on its own copy.
 */
function run(timeline: { input: Input; dt: number }[], frozen = false): Simulator {
  const s = new Simulator(indexPlans(PLANS), policies({ defaultTimezone: 'UTC' }), T0);
  if (frozen) {
    const set = s.states.set.bind(s.states);
    s.states.set = (id, state) => set(id, deepFreeze(state));
  }
  let now = T0;
  for (const { input, dt } of timeline) {
    now += dt;
    const concrete: Input =
      input.kind === 'event'
        ? { kind: 'event', event: { ...input.event, occurredAt: now + input.event.occurredAt * MIN } }
        : input.kind === 'consent'
          ? { kind: 'consent', change: { ...input.change, updatedAt: now } }
          : input.kind === 'profile'
            ? { kind: 'profile', update: { ...input.update, updatedAt: now } }
            : input;
    s.send(concrete, now);
  }
  s.advanceTo(now + 2 * DAY);
  return s;
}

describe('properties', () => {
  it('evaluation is deterministic: the same timeline gives the same decisions, activations and state', () => {
    fc.assert(
      fc.property(fc.array(inputArb, { maxLength: 30 }), (timeline) => {
        const a = run(timeline);
        const b = run(timeline);
        expect(b.decisions).toEqual(a.decisions);
        expect(b.activations).toEqual(a.activations);
        expect([...b.states]).toEqual([...a.states]);
      }),
      { numRuns: 60 },
    );
  });

  it('evaluation never changes the state it is given (trigger states are copied on write)', () => {
    fc.assert(
      fc.property(fc.array(inputArb, { maxLength: 30 }), (timeline) => {
        const frozen = run(timeline, true);
        const plain = run(timeline);
        expect(frozen.decisions).toEqual(plain.decisions);
        expect([...frozen.states]).toEqual([...plain.states]);
      }),
      { numRuns: 100 },
    );
  });

  it('evaluation never changes the state it is given when a cooldown ends under an open goal window', () => {
    // The case random timelines seldom reach: prune changes a trigger state no input touched.
    const consent = (purpose: string): { input: Input; dt: number } => ({
      dt: 0,
      input: {
        kind: 'consent',
        change: { userId: 'u1', purpose, status: 'granted', updatedAt: 0, source: 'p' },
      },
    });
    const other = (id: string, dt: number): { input: Input; dt: number } => ({
      dt,
      input: {
        kind: 'event',
        event: {
          eventId: id,
          userId: 'u1',
          channel: 'web',
          type: id === 'a' ? 'other' : 'page_view',
          occurredAt: 0,
          sessionId: 's',
          properties: {},
          context: null,
        },
      },
    });
    const timeline = [...ALL_PURPOSES.map(consent), other('a', MIN), other('b', 40 * MIN)];
    const frozen = run(timeline, true);
    expect(frozen.decisions.some((d) => d.triggerId === 'goal' && d.outcome === 'fired')).toBe(true);
    expect(frozen.states.get('u1')).toEqual(run(timeline).states.get('u1'));
  });

  it('no activation is produced without every required consent granted at decision time', () => {
    fc.assert(
      fc.property(fc.array(inputArb, { maxLength: 30 }), (timeline) => {
        const s = new Simulator(indexPlans(PLANS), policies(), T0);
        // Checks the activations decided since `from` against the consent of the state they were decided on.
        const checkSince = (from: number) => {
          for (const a of s.activations.slice(from)) {
            if (a.actionType === 'paid.audience.remove') continue; // protective, needs no consent
            const p = PLANS.find((x) => x.id === a.triggerId);
            const step = p?.steps.find((x) => x.id === a.stepId);
            const purposes = step?.kind === 'action' ? step.consent : [];
            const consent = s.states.get('u1')?.consent ?? {};
            expect(purposes.length).toBeGreaterThan(0);
            for (const purpose of purposes) expect(consent[purpose]?.status).toBe('granted');
          }
        };
        let now = T0;
        for (const { input, dt } of timeline) {
          now += dt;
          const concrete: Input =
            input.kind === 'event'
              ? { kind: 'event', event: { ...input.event, occurredAt: now + input.event.occurredAt * MIN } }
              : input.kind === 'consent'
                ? { kind: 'consent', change: { ...input.change, updatedAt: now } }
                : input;
          let before = s.activations.length;
          s.advanceTo(now, true);
          checkSince(before);
          before = s.activations.length;
          s.send(concrete, now);
          checkSince(before);
        }
      }),
      { numRuns: 80 },
    );
  });

  it('activation ids are stable: replaying the same signal gives the same id', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 20 }),
        fc.string({ minLength: 1, maxLength: 20 }),
        (userId, eventId) => {
          const set = indexPlans([PLANS[0] as Plan]);
          const state = evaluate(
            set,
            policies(),
            undefined,
            {
              kind: 'consent',
              change: { userId, purpose: 'personalization', status: 'granted', updatedAt: T0, source: 'p' },
            },
            T0,
          ).state;
          const withOffers = evaluate(
            set,
            policies(),
            state,
            {
              kind: 'consent',
              change: { userId, purpose: 'offers', status: 'granted', updatedAt: T0, source: 'p' },
            },
            T0,
          ).state;
          const input: Input = {
            kind: 'event',
            event: {
              eventId,
              userId,
              channel: 'web',
              type: 'page_view',
              occurredAt: T0,
              sessionId: null,
              properties: {},
              context: null,
            },
          };
          const first = evaluate(set, policies(), withOffers, input, T0);
          const replay = evaluate(set, policies(), withOffers, input, T0 + 5000);
          expect(first.activations).toHaveLength(1);
          expect(replay.activations[0]?.activationId).toBe(first.activations[0]?.activationId);
        },
      ),
      { numRuns: 100 },
    );
  });
});
