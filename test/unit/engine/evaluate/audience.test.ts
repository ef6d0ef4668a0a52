import { action, cond, DAY, ev, HOUR, outcomes, plan, sim, T0 } from './helpers';

const retarget = (over = {}) =>
  plan({
    event: 'product_view',
    steps: [
      action('paid', 'paid.audience.add', { id: 'add', params: { audience: 'viewers', network: 'meta' } }),
    ],
    unless: [cond('purchase', 30 * DAY)],
    ...over,
  });

describe('paid audience membership', () => {
  it('a member who later matches unless is removed (never retarget a converter)', () => {
    const s = sim([retarget()]);
    s.send(ev({ type: 'product_view' }), T0);
    s.send(ev({ type: 'purchase', occurredAt: T0 + HOUR }), T0 + HOUR);
    expect(outcomes(s)).toEqual(['trig:add:fired', 'trig:add:fired/converted']);
    expect(s.activations.map((a) => [a.actionType, a.params])).toEqual([
      ['paid.audience.add', { audience: 'viewers', network: 'meta' }],
      ['paid.audience.remove', { audience: 'viewers', network: 'meta' }],
    ]);
    expect(s.activations[1]?.activationId).not.toBe(s.activations[0]?.activationId);
    expect(s.states.get('u1')?.live.audiences).toEqual([]);
  });

  it('a member who matches exitIf is removed', () => {
    const s = sim([retarget({ unless: [], exitIf: [cond('demo_booked', null)] })]);
    s.send(ev({ type: 'product_view' }), T0);
    s.send(ev({ type: 'demo_booked', occurredAt: T0 + HOUR }), T0 + HOUR);
    expect(s.activations.map((a) => a.actionType)).toEqual(['paid.audience.add', 'paid.audience.remove']);
  });

  it('revoking a consent the add needed removes the member, with reason consent_revoked', () => {
    const s = sim([retarget()]);
    s.send(ev({ type: 'product_view' }), T0);
    s.send(
      {
        kind: 'consent',
        change: {
          userId: 'u1',
          purpose: 'ad_targeting',
          status: 'denied',
          updatedAt: T0 + HOUR,
          source: 't',
        },
      },
      T0 + HOUR,
    );
    expect(outcomes(s)).toEqual(['trig:add:fired', 'trig:add:fired/consent_revoked']);
    expect(s.activations[1]?.actionType).toBe('paid.audience.remove');
  });

  it('other events leave members alone, and a removal happens once', () => {
    const s = sim([retarget()]);
    s.send(ev({ type: 'product_view' }), T0);
    s.send(ev({ type: 'product_view', occurredAt: T0 + 1 }), T0 + 1);
    s.send(ev({ type: 'purchase', occurredAt: T0 + 2 }), T0 + 2);
    s.send(ev({ type: 'purchase', occurredAt: T0 + 3 }), T0 + 3);
    expect(s.activations.map((a) => a.actionType)).toEqual(['paid.audience.add', 'paid.audience.remove']);
  });

  it('shadow members are removed with a shadow decision and nothing emitted', () => {
    const s = sim([retarget({ mode: 'shadow' })]);
    s.send(ev({ type: 'product_view' }), T0);
    s.send(ev({ type: 'purchase', occurredAt: T0 + 1 }), T0 + 1);
    expect(outcomes(s)).toEqual(['trig:add:shadow', 'trig:add:shadow/converted']);
    expect(s.activations).toEqual([]);
  });
});
