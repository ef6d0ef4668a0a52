import {
  indexPlans,
  maxRunMs,
  requiredStateTtlMs,
  SESSION_LOOKBACK_MS,
} from '../../../../services/engine/evaluate';
import { action, cond, DAY, HOUR, plan, policies, wait } from './helpers';

describe('indexPlans', () => {
  it('orders by priority then id, and routes every event type a plan mentions', () => {
    const a = plan({
      id: 'a',
      priority: 10,
      event: 'x',
      unless: [cond('u', DAY)],
      exitIf: [cond('ex', null)],
    });
    const b = plan({
      id: 'b',
      priority: 90,
      event: 'x',
      kind: {
        type: 'absent',
        withinMs: HOUR,
        absent: { eventTypes: new Set(['abs']), channel: null, where: [] },
      },
      after: [cond('af', DAY)],
      steps: [
        action('web', 'web.personalize'),
        wait('w', HOUR, [cond('wx', null)]),
        action('web', 'web.personalize', { id: 'b2' }),
      ],
      goal: { eventTypes: new Set(['g']), channel: null, where: [], withinMs: DAY },
    });
    const set = indexPlans([a, b]);
    expect(set.plans.map((p) => p.id)).toEqual(['b', 'a']);
    expect(set.byEventType.get('x')?.map((p) => p.id)).toEqual(['b', 'a']);
    for (const t of ['abs', 'af', 'wx', 'g']) expect(set.byEventType.get(t)?.map((p) => p.id)).toEqual(['b']);
    for (const t of ['u', 'ex']) expect(set.byEventType.get(t)?.map((p) => p.id)).toEqual(['a']);
    expect(set.byId.get('a')).toBe(a);
    expect(maxRunMs(b)).toBe(30 * 60_000 + HOUR + 30 * 60_000);
  });

  it('history look-back covers counts, sessions, after, unless, exitIf and runs', () => {
    expect(
      indexPlans([plan({ kind: { type: 'count', atLeast: 2, withinMs: 48 * HOUR, distinct: null } })])
        .historyLookbackMs,
    ).toBe(48 * HOUR);
    expect(
      indexPlans([plan({ kind: { type: 'count', atLeast: 2, withinMs: 'session', distinct: null } })])
        .historyLookbackMs,
    ).toBe(SESSION_LOOKBACK_MS);
    expect(indexPlans([plan({ after: [cond('s', 90 * DAY)] })]).historyLookbackMs).toBe(90 * DAY);
    expect(indexPlans([plan({ exitIf: [cond('s', 3 * DAY)] })]).historyLookbackMs).toBe(3 * DAY);
    expect(indexPlans([]).historyLookbackMs).toBe(0);
  });
});

describe('requiredStateTtlMs', () => {
  it('covers consent maxAge, history, cooldowns, goals and absence timers', () => {
    const pol = policies({ consentMaxAgeMs: 10 * DAY, latenessMaxMs: HOUR });
    expect(requiredStateTtlMs(indexPlans([plan({ cooldownMs: DAY })]), pol)).toBe(10 * DAY);
    expect(requiredStateTtlMs(indexPlans([plan({ cooldownMs: 30 * DAY })]), pol)).toBe(30 * DAY);
    expect(requiredStateTtlMs(indexPlans([plan({ after: [cond('s', 90 * DAY)] })]), pol)).toBe(
      90 * DAY + HOUR,
    );
    expect(
      requiredStateTtlMs(
        indexPlans([
          plan({ goal: { eventTypes: new Set(['g']), channel: null, where: [], withinMs: 20 * DAY } }),
        ]),
        pol,
      ),
    ).toBe(20 * DAY);
    expect(
      requiredStateTtlMs(
        indexPlans([
          plan({
            kind: {
              type: 'absent',
              withinMs: 15 * DAY,
              absent: { eventTypes: new Set(['x']), channel: null, where: [] },
            },
          }),
        ]),
        pol,
      ),
    ).toBe(15 * DAY + HOUR);
  });
});
