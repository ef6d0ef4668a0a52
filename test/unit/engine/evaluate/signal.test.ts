import { action, cond, DAY, ev, HOUR, MIN, outcomes, plan, sim, T0 } from './helpers';

describe('signal: plain', () => {
  it('fires on each matching event (suppression decides what gets through)', () => {
    const s = sim([plan({ cooldownMs: 0 })]);
    s.send(ev({ occurredAt: T0 }), T0);
    s.send(ev({ occurredAt: T0 + MIN }), T0 + MIN);
    expect(outcomes(s)).toEqual(['trig:action:fired', 'trig:action:fired']);
  });

  it('ignores events of other types, other channels or failing where', () => {
    const s = sim([plan({ channel: 'web', where: { 'properties.path': { startsWith: '/pricing' } } })]);
    s.send(ev({ type: 'click', properties: { path: '/pricing' } }), T0);
    s.send(ev({ channel: 'mobile', properties: { path: '/pricing' } }), T0);
    s.send(ev({ properties: { path: '/docs' } }), T0);
    s.send(ev({ properties: {} }), T0);
    expect(s.decisions).toEqual([]);
    s.send(ev({ properties: { path: '/pricing/team' } }), T0);
    expect(outcomes(s)).toEqual(['trig:action:fired']);
  });

  it('dueAt is the signal occurredAt and expiresAt is dueAt + window', () => {
    const s = sim([plan()]);
    s.send(ev({ occurredAt: T0 - 5 * MIN }), T0);
    const a = s.activations[0];
    expect(a?.dueAt).toBe(T0 - 5 * MIN);
    expect(a?.expiresAt).toBe(T0 - 5 * MIN + 30 * MIN);
    expect(a?.slaMs).toBe(1000);
  });
});

describe('signal: count', () => {
  const counting = (within: number | 'session', distinct: string | null = null, atLeast = 3) =>
    plan({ kind: { type: 'count', atLeast, withinMs: within, distinct }, cooldownMs: 0 });

  it('fires on the event that brings the count to atLeast, not on the ones after it', () => {
    const s = sim([counting(HOUR)]);
    for (let i = 0; i < 4; i++) s.send(ev({ occurredAt: T0 + i * MIN }), T0 + i * MIN);
    expect(outcomes(s)).toEqual(['trig:action:fired']);
    expect(s.decisions[0]?.signalEventIds).toHaveLength(3);
  });

  it('window is (t - D, t]: an event exactly D before does not count', () => {
    const s = sim([counting(HOUR, null, 2)]);
    s.send(ev({ occurredAt: T0 }), T0);
    s.send(ev({ occurredAt: T0 + HOUR }), T0 + HOUR);
    expect(s.decisions).toEqual([]);
    s.send(ev({ occurredAt: T0 + HOUR + 1 }), T0 + HOUR + 1);
    expect(outcomes(s)).toEqual(['trig:action:fired']);
  });

  it('one millisecond inside the window counts', () => {
    const s = sim([counting(HOUR, null, 2)]);
    s.send(ev({ occurredAt: T0 + 1 }), T0 + 1);
    s.send(ev({ occurredAt: T0 + HOUR }), T0 + HOUR);
    expect(outcomes(s)).toEqual(['trig:action:fired']);
  });

  it('distinct counts distinct values of the path (third session)', () => {
    const s = sim([counting(48 * HOUR, 'sessionId')]);
    s.send(ev({ sessionId: 'a', occurredAt: T0 }), T0);
    s.send(ev({ sessionId: 'a', occurredAt: T0 + MIN }), T0 + MIN);
    s.send(ev({ sessionId: 'b', occurredAt: T0 + 2 * MIN }), T0 + 2 * MIN);
    expect(s.decisions).toEqual([]);
    s.send(ev({ sessionId: 'c', occurredAt: T0 + 3 * MIN }), T0 + 3 * MIN);
    s.send(ev({ sessionId: 'c', occurredAt: T0 + 4 * MIN }), T0 + 4 * MIN);
    expect(outcomes(s)).toEqual(['trig:action:fired']);
  });

  it('within: session counts events of the current session only', () => {
    const s = sim([counting('session', null, 2)]);
    s.send(ev({ sessionId: 'a', occurredAt: T0 }), T0);
    s.send(ev({ sessionId: 'b', occurredAt: T0 + MIN }), T0 + MIN);
    expect(s.decisions).toEqual([]);
    s.send(ev({ sessionId: 'b', occurredAt: T0 + 2 * MIN }), T0 + 2 * MIN);
    expect(outcomes(s)).toEqual(['trig:action:fired']);
  });

  it('within: session never fires for events without a session', () => {
    const s = sim([counting('session', null, 1)]);
    s.send(ev({ sessionId: null }), T0);
    expect(s.decisions).toEqual([]);
  });

  it('an out-of-order event is counted at its own occurredAt', () => {
    const s = sim([counting(HOUR, null, 3)]);
    s.send(ev({ occurredAt: T0 + 30 * MIN }), T0 + 30 * MIN);
    // Arrives later but happened 40 minutes earlier: at its own t the later event does not count yet.
    s.send(ev({ occurredAt: T0 - 10 * MIN }), T0 + 31 * MIN);
    expect(s.decisions).toEqual([]);
    // The next event sees both in (t - 1h, t].
    s.send(ev({ occurredAt: T0 + 32 * MIN }), T0 + 32 * MIN);
    expect(outcomes(s)).toEqual(['trig:action:fired']);
    expect(s.decisions[0]?.signalEventIds).toHaveLength(3);
  });

  it('an out-of-order event does not see events after its own occurredAt', () => {
    const s = sim([counting(HOUR, null, 2)]);
    s.send(ev({ occurredAt: T0 }), T0);
    s.send(ev({ occurredAt: T0 - 10 * MIN }), T0 + MIN);
    // At t = T0 - 10m the event at T0 is in the future: no fire.
    expect(s.decisions).toEqual([]);
  });
});

describe('signal: absent', () => {
  const cart = (over = {}) =>
    plan({
      event: 'add_to_cart',
      kind: {
        type: 'absent',
        withinMs: HOUR,
        absent: { eventTypes: new Set(['purchase']), channel: null, where: [] },
      },
      steps: [action('web', 'web.personalize', { params: { slot: 'cart' } })],
      ...over,
    });

  it('arms at t + D and fires at expiry with dueAt = t + D', () => {
    const s = sim([cart()]);
    s.send(ev({ type: 'add_to_cart', occurredAt: T0 }), T0);
    expect(s.decisions).toEqual([]);
    expect(s.timers.get('u1')?.get('absent:trig')).toBe(T0 + HOUR);
    s.advanceTo(T0 + 2 * HOUR);
    expect(outcomes(s)).toEqual(['trig:action:fired']);
    expect(s.activations[0]?.dueAt).toBe(T0 + HOUR);
  });

  it('an absent event in (t, t + D] disarms, including exactly at the deadline', () => {
    const s = sim([cart()]);
    s.send(ev({ type: 'add_to_cart', occurredAt: T0 }), T0);
    s.send(ev({ type: 'purchase', occurredAt: T0 + HOUR }), T0 + HOUR);
    expect(s.timers.get('u1')?.has('absent:trig') ?? false).toBe(false);
    s.advanceTo(T0 + 3 * HOUR);
    expect(s.decisions).toEqual([]);
  });

  it('an absent event just after the deadline does not disarm', () => {
    const s = sim([cart()]);
    s.send(ev({ type: 'add_to_cart', occurredAt: T0 }), T0);
    s.send(ev({ type: 'purchase', occurredAt: T0 + HOUR + 1 }), T0 + HOUR - 1);
    s.advanceTo(T0 + HOUR + 2);
    expect(outcomes(s)).toEqual(['trig:action:fired']);
  });

  it('an absent event at t itself does not disarm (the interval is open at t)', () => {
    const s = sim([cart()]);
    s.send(ev({ type: 'add_to_cart', occurredAt: T0 }), T0);
    s.send(ev({ type: 'purchase', occurredAt: T0 }), T0);
    s.advanceTo(T0 + HOUR);
    expect(outcomes(s)).toEqual(['trig:action:fired']);
  });

  it('a new matching event while armed re-arms at its own t + D (debounce)', () => {
    const s = sim([cart()]);
    s.send(ev({ type: 'add_to_cart', occurredAt: T0 }), T0);
    s.send(ev({ type: 'add_to_cart', occurredAt: T0 + 30 * MIN }), T0 + 30 * MIN);
    s.advanceTo(T0 + HOUR + 10 * MIN);
    expect(s.decisions).toEqual([]);
    s.advanceTo(T0 + 90 * MIN);
    expect(outcomes(s)).toEqual(['trig:action:fired']);
    expect(s.activations[0]?.dueAt).toBe(T0 + 90 * MIN);
  });

  it('an absent event that arrives late but before the timer fires still disarms (checked at expiry)', () => {
    const s = sim([cart()]);
    s.send(ev({ type: 'add_to_cart', occurredAt: T0 }), T0);
    // Not routed to the disarm (arrives after the deadline passed in event time but before the timer ran).
    s.send(ev({ type: 'purchase', occurredAt: T0 + 10 * MIN }), T0 + 10 * MIN);
    s.advanceTo(T0 + 2 * HOUR);
    expect(s.decisions).toEqual([]);
  });

  it('an arming event after a known absent event in (t, t + D] does not arm (out of order)', () => {
    const s = sim([cart()]);
    s.send(ev({ type: 'purchase', occurredAt: T0 + 10 * MIN }), T0 + 10 * MIN);
    s.send(ev({ type: 'add_to_cart', occurredAt: T0 }), T0 + 11 * MIN);
    s.advanceTo(T0 + 2 * HOUR);
    expect(s.decisions).toEqual([]);
  });
});

describe('signal: after and profile', () => {
  it('after: the history must exist within D looking back from t', () => {
    const s = sim([plan({ after: [cond('signup', 90 * DAY)] })]);
    s.send(ev(), T0);
    expect(s.decisions).toEqual([]);
    s.send(ev({ type: 'signup', occurredAt: T0 + MIN }), T0 + MIN);
    s.send(ev({ occurredAt: T0 + 2 * MIN }), T0 + 2 * MIN);
    expect(outcomes(s)).toEqual(['trig:action:fired']);
  });

  it('after: history older than within does not count', () => {
    const s = sim([plan({ after: [cond('signup', HOUR)] })]);
    s.send(ev({ type: 'signup', occurredAt: T0 - HOUR }), T0 - HOUR);
    s.send(ev({ occurredAt: T0 }), T0);
    expect(s.decisions).toEqual([]);
  });

  it('after: atLeast counts matching history events', () => {
    const s = sim([plan({ after: [cond('visit', DAY, { atLeast: 2 })] })]);
    s.send(ev({ type: 'visit', occurredAt: T0 - 2 * MIN }), T0 - 2 * MIN);
    s.send(ev({ occurredAt: T0 }), T0);
    expect(s.decisions).toEqual([]);
    s.send(ev({ type: 'visit', occurredAt: T0 + MIN }), T0 + MIN);
    s.send(ev({ occurredAt: T0 + 2 * MIN }), T0 + 2 * MIN);
    expect(outcomes(s)).toEqual(['trig:action:fired']);
  });

  it('profile: conditions on attributes; a missing attribute fails', () => {
    const p = plan({ profile: { lifecycle: { in: ['prospect', 'trial'] } } });
    const missing = sim([p]);
    missing.send(ev(), T0);
    expect(missing.decisions).toEqual([]);
    const other = sim([p], { profile: { lifecycle: 'customer' } });
    other.send(ev(), T0);
    expect(other.decisions).toEqual([]);
    const ok = sim([p], { profile: { lifecycle: 'trial' } });
    ok.send(ev(), T0);
    expect(outcomes(ok)).toEqual(['trig:action:fired']);
  });
});

describe('signal: bots and lateness', () => {
  it('events with context.bot never match', () => {
    const s = sim([plan()]);
    s.send(ev({ context: { locale: 'en', region: 'GB', timezone: 'UTC', userAgent: null, bot: true } }), T0);
    expect(s.decisions).toEqual([]);
  });

  it('an event older than lateness.max when read is counted but never fires', () => {
    const s = sim([plan({ kind: { type: 'count', atLeast: 2, withinMs: 3 * HOUR, distinct: null } })]);
    s.send(ev({ occurredAt: T0 - HOUR - 1 }), T0);
    expect(s.decisions).toEqual([]);
    s.send(ev({ occurredAt: T0 }), T0);
    expect(outcomes(s)).toEqual(['trig:action:fired']);
  });

  it('an event exactly lateness.max old still fires', () => {
    const s = sim([plan({ steps: [action('web', 'web.personalize', { windowMs: 2 * HOUR })] })]);
    s.send(ev({ occurredAt: T0 - HOUR }), T0);
    expect(outcomes(s)).toEqual(['trig:action:fired']);
  });
});
