import fc from 'fast-check';

import { emptyUserState } from '../../../../services/engine/state';
import { action, cond, DAY, ev, HOUR, MIN, plan, sim, T0, wait } from '../evaluate/helpers';

describe('UserState', () => {
  it('a new user starts empty at revision 0', () => {
    const s = emptyUserState();
    expect(s.rev).toBe(0);
    expect(s.history).toEqual([]);
    expect(s.live).toEqual({ triggers: {}, emissions: [], audiences: [] });
    expect(s.shadow).toEqual({ triggers: {}, emissions: [], audiences: [] });
  });

  it('stays JSON-serialisable through runs, timers, audiences and goals (the Redis store writes JSON)', () => {
    const plans = [
      plan({
        id: 'seq',
        steps: [
          action('web', 'web.personalize', { id: 'a' }),
          wait('w', HOUR, [cond('buy', null)]),
          action('email', 'email.send', { id: 'b' }),
        ],
        goal: { eventTypes: new Set(['buy']), channel: null, where: [], withinMs: DAY },
      }),
      plan({
        id: 'cart',
        event: 'cart',
        kind: {
          type: 'absent',
          withinMs: HOUR,
          absent: { eventTypes: new Set(['buy']), channel: null, where: [] },
        },
        steps: [action('paid', 'paid.audience.add', { id: 'add', params: { audience: 'x' } })],
        unless: [cond('buy', DAY)],
        mode: 'shadow',
      }),
    ];
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('page_view', 'cart', 'buy'), fc.integer({ min: 0, max: 90 })), {
          maxLength: 15,
        }),
        (steps) => {
          const s = sim(plans);
          let now = T0;
          for (const [type, dt] of steps) {
            now += dt * MIN;
            s.send(ev({ type, occurredAt: now }), now);
            const state = s.states.get('u1');
            expect(JSON.parse(JSON.stringify(state))).toStrictEqual(state);
          }
        },
      ),
      { numRuns: 50 },
    );
  });
});
