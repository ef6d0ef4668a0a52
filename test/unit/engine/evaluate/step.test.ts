import { holdoutBucket } from '../../../../services/engine/evaluate';
import { action, cond, DAY, ev, HOUR, MIN, outcomes, plan, policies, sim, T0 } from './helpers';

/** A user id whose holdout bucket for `trig` is below / above `percent`. */
function userIn(percent: number, control: boolean): string {
  for (let i = 0; ; i++) {
    const id = `user-${i}`;
    if (holdoutBucket('trig', id) < percent * 100 === control) return id;
  }
}

describe('decision order', () => {
  it('paused: not evaluated, nothing recorded (mode paused or runtime pause)', () => {
    const s = sim([plan({ mode: 'paused' })]);
    s.send(ev(), T0);
    expect(s.decisions).toEqual([]);
    const r = sim([plan()]);
    r.status.set('trig', { paused: true });
    r.send(ev(), T0);
    expect(r.decisions).toEqual([]);
  });

  it('breaker_open: recorded, nothing emitted', () => {
    const s = sim([plan()]);
    s.status.set('trig', { breakerOpen: true });
    s.send(ev(), T0);
    expect(outcomes(s)).toEqual(['trig:action:breaker_open']);
    expect(s.activations).toEqual([]);
  });

  it('expired: emitted after dueAt + window', () => {
    const s = sim([plan({ steps: [action('web', 'web.personalize', { windowMs: 10 * MIN })] })]);
    s.send(ev({ occurredAt: T0 - 10 * MIN - 1 }), T0);
    expect(outcomes(s)).toEqual(['trig:action:expired']);
  });

  it('window boundary: exactly at dueAt + window still fires', () => {
    const s = sim([plan({ steps: [action('web', 'web.personalize', { windowMs: 10 * MIN })] })]);
    s.send(ev({ occurredAt: T0 - 10 * MIN }), T0);
    expect(outcomes(s)).toEqual(['trig:action:fired']);
  });

  it('expired comes before bot and consent', () => {
    const s = sim([plan({ steps: [action('web', 'web.personalize', { windowMs: MIN })] })], {
      consent: false,
    });
    s.send(ev({ occurredAt: T0 - 2 * MIN }), T0);
    expect(outcomes(s)).toEqual(['trig:action:expired']);
  });

  it('suppressed: bot when the user exceeds maxEventsPerMinute (flag held for flagFor)', () => {
    const s = sim([plan({ event: 'buy' })], { policies: policies({ botMaxEventsPerMinute: 3 }) });
    for (let i = 0; i < 4; i++) s.send(ev({ type: 'noise', occurredAt: T0 + i }), T0 + i);
    s.send(ev({ type: 'buy', occurredAt: T0 + 10 }), T0 + 10);
    expect(outcomes(s)).toEqual(['trig:action:suppressed/bot']);
    s.send(ev({ type: 'buy', occurredAt: T0 + HOUR + 10 }), T0 + HOUR + 10);
    expect(outcomes(s)).toEqual(['trig:action:suppressed/bot', 'trig:action:fired']);
  });

  it('bot comes before consent', () => {
    const s = sim([plan({ event: 'buy' })], {
      policies: policies({ botMaxEventsPerMinute: 1 }),
      consent: false,
    });
    s.send(ev({ type: 'noise', occurredAt: T0 }), T0);
    s.send(ev({ type: 'buy', occurredAt: T0 + 1 }), T0 + 1);
    expect(outcomes(s)).toEqual(['trig:action:suppressed/bot']);
  });

  it('consent_missing, consent_denied, consent_stale', () => {
    const missing = sim([plan()], { consent: [] });
    missing.send(ev(), T0);
    expect(outcomes(missing)).toEqual(['trig:action:consent_missing']);

    const denied = sim([plan()], { consent: [] });
    denied.send(
      {
        kind: 'consent',
        change: {
          userId: 'u1',
          purpose: 'personalization',
          status: 'denied',
          updatedAt: T0 - 1,
          source: 't',
        },
      },
      T0 - 1,
    );
    denied.send(ev(), T0);
    expect(outcomes(denied)).toEqual(['trig:action:consent_denied']);

    const stale = sim([plan()], { policies: policies({ consentMaxAgeMs: 10 * DAY }), consent: [] });
    stale.send(
      {
        kind: 'consent',
        change: {
          userId: 'u1',
          purpose: 'personalization',
          status: 'granted',
          updatedAt: T0 - 10 * DAY - 1,
          source: 't',
        },
      },
      T0 - DAY,
    );
    stale.send(ev(), T0);
    expect(outcomes(stale)).toEqual(['trig:action:consent_stale']);
  });

  it('consent exactly maxAge old is still granted', () => {
    const s = sim([plan()], { policies: policies({ consentMaxAgeMs: 10 * DAY }), consent: [] });
    s.send(
      {
        kind: 'consent',
        change: {
          userId: 'u1',
          purpose: 'personalization',
          status: 'granted',
          updatedAt: T0 - 10 * DAY,
          source: 't',
        },
      },
      T0 - DAY,
    );
    s.send(ev(), T0);
    expect(outcomes(s)).toEqual(['trig:action:fired']);
  });

  it('consent.require purposes are needed on top of the channel purposes', () => {
    const s = sim([plan({ steps: [action('web', 'web.personalize', { require: ['offers'] })] })], {
      consent: ['personalization'],
    });
    s.send(ev(), T0);
    expect(outcomes(s)).toEqual(['trig:action:consent_missing']);
  });

  it('suppressed: cooldown within the cooldown after firing, eligible again after', () => {
    const s = sim([plan({ cooldownMs: HOUR })]);
    s.send(ev({ occurredAt: T0 }), T0);
    s.send(ev({ occurredAt: T0 + HOUR - 1 }), T0 + HOUR - 1);
    s.send(ev({ occurredAt: T0 + HOUR }), T0 + HOUR);
    expect(outcomes(s)).toEqual([
      'trig:action:fired',
      'trig:action:suppressed/cooldown',
      'trig:action:fired',
    ]);
  });

  it('suppressed: unless when any history condition holds', () => {
    const s = sim([plan({ unless: [cond('purchase', 30 * DAY), cond('demo_booked', 30 * DAY)] })]);
    s.send(ev({ type: 'demo_booked', occurredAt: T0 - DAY }), T0 - DAY);
    s.send(ev(), T0);
    expect(outcomes(s)).toEqual(['trig:action:suppressed/unless']);
  });

  it('unless history older than within does not suppress', () => {
    const s = sim([plan({ unless: [cond('purchase', HOUR)] })]);
    s.send(ev({ type: 'purchase', occurredAt: T0 - HOUR }), T0 - HOUR);
    s.send(ev(), T0);
    expect(outcomes(s)).toEqual(['trig:action:fired']);
  });

  it('explains a passed cooldown the same whether or not an input since dropped the last fire', () => {
    const detail = (withOtherInput: boolean) => {
      const s = sim([plan({ cooldownMs: DAY })]);
      s.send(ev({ eventId: 'first' }), T0);
      // Another event of the user after the cooldown: its evaluation drops the ended lastFiredAt.
      if (withOtherInput)
        s.send(ev({ eventId: 'other', type: 'unrelated', occurredAt: T0 + 2 * DAY }), T0 + 2 * DAY);
      s.send(ev({ eventId: 'again', occurredAt: T0 + 3 * DAY }), T0 + 3 * DAY);
      expect(outcomes(s)).toEqual(['trig:action:fired', 'trig:action:fired']);
      return s.decisions[1]?.checks.find((c) => c.name === 'cooldown');
    };
    expect(detail(false)).toEqual({
      name: 'cooldown',
      passed: true,
      detail: 'not fired within the cooldown',
    });
    expect(detail(true)).toEqual(detail(false));
    const s = sim([plan({ cooldownMs: DAY })]);
    s.send(ev({ eventId: 'first' }), T0);
    s.send(ev({ eventId: 'soon', occurredAt: T0 + HOUR }), T0 + HOUR);
    expect(s.decisions[1]?.checks.find((c) => c.name === 'cooldown')).toEqual({
      name: 'cooldown',
      passed: false,
      detail: `last fired ${T0}`,
    });
  });

  it('cooldown comes before unless', () => {
    const s = sim([plan({ unless: [cond('purchase', DAY)] })]);
    s.send(ev({ occurredAt: T0 }), T0);
    s.send(ev({ type: 'purchase', occurredAt: T0 + 1 }), T0 + 1);
    s.send(ev({ occurredAt: T0 + 2 }), T0 + 2);
    expect(outcomes(s)).toEqual(['trig:action:fired', 'trig:action:suppressed/cooldown']);
  });

  it('suppressed: caps, this trigger first (only emitted activations count)', () => {
    const s = sim([plan({ cooldownMs: 0, caps: [{ channel: 'web', max: 2, perMs: DAY }] })]);
    for (let i = 0; i < 3; i++) s.send(ev({ occurredAt: T0 + i }), T0 + i);
    expect(outcomes(s)).toEqual(['trig:action:fired', 'trig:action:fired', 'trig:action:suppressed/caps']);
    expect(s.decisions[2]?.checks.at(-1)?.detail).toMatch(/^trigger web/);
    s.send(ev({ occurredAt: T0 + DAY + 1 }), T0 + DAY + 1);
    expect(s.decisions[3]?.outcome).toBe('fired');
  });

  it('channel caps count across all triggers of the user', () => {
    const email = (id: string, type: string) =>
      plan({ id, event: type, steps: [action('email', 'email.send', { params: { t: id } })] });
    const s = sim([email('a', 'x'), email('b', 'y')], {
      policies: policies({ caps: { email: { max: 1, perMs: 7 * DAY } } }),
    });
    s.send(ev({ type: 'x' }), T0);
    s.send(ev({ type: 'y', occurredAt: T0 + 1 }), T0 + 1);
    expect(outcomes(s)).toEqual(['a:action:fired', 'b:action:suppressed/caps']);
    expect(s.decisions[1]?.checks.at(-1)?.detail).toMatch(/^channel email/);
  });

  it('two triggers competing for one cap in one evaluation: higher priority, then trigger id', () => {
    const pol = policies({ caps: { email: { max: 1, perMs: 7 * DAY } } });
    const email = (id: string, priority: number) =>
      plan({ id, priority, steps: [action('email', 'email.send', { params: { t: id } })] });
    const byPriority = sim([email('a-low', 10), email('z-high', 90)], { policies: pol });
    byPriority.send(ev(), T0);
    expect(outcomes(byPriority)).toEqual(['z-high:action:fired', 'a-low:action:suppressed/caps']);
    const byId = sim([email('zeta', 50), email('alpha', 50)], { policies: pol });
    byId.send(ev(), T0);
    expect(outcomes(byId)).toEqual(['alpha:action:fired', 'zeta:action:suppressed/caps']);
  });

  it('holdout and shadow decisions do not count towards caps', () => {
    const pol = policies({ caps: { email: { max: 1, perMs: 7 * DAY } } });
    const email = (id: string, over = {}) =>
      plan({ id, steps: [action('email', 'email.send', { params: { t: id } })], ...over });
    const s = sim([email('a', { mode: 'shadow', priority: 90 }), email('b')], { policies: pol });
    s.send(ev(), T0);
    expect(outcomes(s)).toEqual(['a:action:shadow', 'b:action:fired']);
  });

  it('suppressed: missing_field when a ${...} refers to an absent field', () => {
    const p = plan({
      steps: [
        action('web', 'web.personalize', {
          params: { plan: '${event.properties.plan}', name: '${profile.firstName}' },
        }),
      ],
    });
    const s = sim([p]);
    s.send(ev({ properties: { plan: 'team' } }), T0);
    expect(outcomes(s)).toEqual(['trig:action:suppressed/missing_field']);
    expect(s.decisions[0]?.checks.at(-1)?.detail).toBe('profile.firstName');
    const ok = sim([p], { profile: { firstName: 'Ada' } });
    ok.send(ev({ properties: { plan: 'team' } }), T0);
    expect(ok.activations[0]?.params).toEqual({ plan: 'team', name: 'Ada' });
  });

  it('fills ${event.*} with every field a template may name, userId included (stored events omit it)', () => {
    const p = plan({
      steps: [
        action('web', 'web.personalize', {
          params: {
            who: '${event.userId}',
            what: '${event.type}/${event.channel}/${event.eventId}',
            when: '${event.occurredAt}',
          },
        }),
      ],
    });
    const s = sim([p]);
    s.send(ev({ eventId: 'e-42' }), T0);
    expect(outcomes(s)).toEqual(['trig:action:fired']);
    expect(s.activations[0]?.params).toEqual({
      who: s.activations[0]?.userId,
      what: 'page_view/web/e-42',
      when: String(T0),
    });
    expect(s.activations[0]?.userId).toBeTruthy();
  });

  it('holdout: control users get a holdout decision, nothing emitted, cooldown applies', () => {
    const user = userIn(50, true);
    const s = sim([plan({ holdoutPercent: 50 })], { consent: [] });
    s.send(
      {
        kind: 'consent',
        change: {
          userId: user,
          purpose: 'personalization',
          status: 'granted',
          updatedAt: T0 - 1,
          source: 't',
        },
      },
      T0 - 1,
    );
    s.send(ev({ userId: user }), T0);
    s.send(ev({ userId: user, occurredAt: T0 + 1 }), T0 + 1);
    expect(outcomes(s)).toEqual(['trig:action:holdout', 'trig:action:suppressed/cooldown']);
    expect(s.activations).toEqual([]);
  });

  it('holdout comes after the suppression checks (control drawn from eligible users)', () => {
    const user = userIn(100, true);
    const s = sim([plan({ holdoutPercent: 100 })], { consent: [] });
    s.send(ev({ userId: user }), T0);
    expect(s.decisions[0]?.outcome).toBe('consent_missing');
  });

  it('treatment users fire', () => {
    const user = userIn(50, false);
    const s = sim([plan({ holdoutPercent: 50 })], { consent: [] });
    s.send(
      {
        kind: 'consent',
        change: {
          userId: user,
          purpose: 'personalization',
          status: 'granted',
          updatedAt: T0 - 1,
          source: 't',
        },
      },
      T0 - 1,
    );
    s.send(ev({ userId: user }), T0);
    expect(outcomes(s)).toEqual(['trig:action:fired']);
  });

  it('shadow: decision shadow, nothing emitted, its state kept apart from live', () => {
    const s = sim([plan({ id: 'sh', mode: 'shadow' }), plan({ id: 'lv' })]);
    s.send(ev(), T0);
    s.send(ev({ occurredAt: T0 + 1 }), T0 + 1);
    expect(outcomes(s)).toEqual([
      'lv:action:fired',
      'sh:action:shadow',
      'lv:action:suppressed/cooldown',
      'sh:action:suppressed/cooldown',
    ]);
    expect(s.activations.map((a) => a.triggerId)).toEqual(['lv']);
    const state = s.states.get('u1');
    expect(Object.keys(state?.shadow.triggers ?? {})).toEqual(['sh']);
    expect(Object.keys(state?.live.triggers ?? {})).toEqual(['lv']);
  });

  it('fired: the activation carries the decision fields and a render token request for renderAt open', () => {
    const s = sim([
      plan({ steps: [action('email', 'email.send', { params: { template: 'x' }, renderAt: 'open' })] }),
    ]);
    s.send(ev(), T0 + 1);
    const [a] = s.activations;
    const [d] = s.decisions;
    expect(d?.activationId).toBe(a?.activationId);
    expect(a).toMatchObject({
      channel: 'email',
      actionType: 'email.send',
      params: { template: 'x' },
      slaMs: 5 * MIN,
      decidedAt: T0 + 1,
    });
    expect(a?.renderToken).toEqual({
      activationId: a?.activationId,
      triggerId: 'trig',
      triggerVersion: 1,
      stepId: 'action',
      userId: 'u1',
      expiresAt: T0 + DAY,
    });
    expect(d?.checks.map((c) => c.name)).toEqual([
      'breaker',
      'window',
      'bot',
      'consent',
      'cooldown',
      'unless',
      'caps',
      'quiet_hours',
      'missing_field',
      'holdout',
    ]);
  });
});

describe('quiet hours', () => {
  const push = (over = {}) =>
    plan({ steps: [action('mobile', 'mobile.push', { params: { t: 'x' } })], ...over });

  it('defer to the end of quiet hours in the user timezone, then fire', () => {
    const s = sim([push()]);
    const at = Date.UTC(2026, 2, 2, 7, 0); // 07:00 UTC, quiet until 08:00
    s.send(ev({ occurredAt: at }), at);
    expect(outcomes(s)).toEqual(['trig:action:suppressed/quiet_hours']);
    expect(s.timers.get('u1')?.get('run:trig')).toBe(Date.UTC(2026, 2, 2, 8, 0));
    s.advanceTo(Date.UTC(2026, 2, 2, 9, 0));
    expect(outcomes(s)).toEqual(['trig:action:suppressed/quiet_hours', 'trig:action:fired']);
    expect(s.activations[0]?.dueAt).toBe(Date.UTC(2026, 2, 2, 8, 0));
    expect(s.activations[0]?.expiresAt).toBe(at + 2 * HOUR);
  });

  it('a deferral past the window is expired right away', () => {
    const s = sim([push()]);
    const at = Date.UTC(2026, 2, 2, 22, 0); // quiet until 08:00, window 2h
    s.send(ev({ occurredAt: at }), at);
    expect(outcomes(s)).toEqual(['trig:action:expired']);
  });

  it('drop suppresses with quiet_hours', () => {
    const pol = policies();
    const mobile = pol.channels.mobile;
    if (!mobile) throw new Error('fixture');
    const s = sim([push()], {
      policies: policies({
        channels: {
          ...pol.channels,
          mobile: { ...mobile, quietHours: { fromMin: 21 * 60, toMin: 8 * 60, action: 'drop' } },
        },
      }),
    });
    const at = Date.UTC(2026, 2, 2, 7, 0);
    s.send(ev({ occurredAt: at }), at);
    s.advanceTo(at + DAY);
    expect(outcomes(s)).toEqual(['trig:action:suppressed/quiet_hours']);
  });

  it('timezone: profile first, then event context, then policies default', () => {
    const at = Date.UTC(2026, 2, 2, 12, 0); // 12:00 UTC = 21:00 in Tokyo (quiet), 13:00 Berlin
    const wide = push({ steps: [action('mobile', 'mobile.push', { windowMs: DAY, params: { t: 'x' } })] });
    const ctx = (timezone: string) => ({ locale: 'en', region: 'GB', timezone, userAgent: null, bot: false });
    const fromContext = sim([wide]);
    fromContext.send(ev({ occurredAt: at, context: ctx('Asia/Tokyo') }), at);
    expect(fromContext.decisions[0]?.reason).toBe('quiet_hours');
    const fromProfile = sim([wide], { profile: { timezone: 'Europe/Berlin' } });
    fromProfile.send(ev({ occurredAt: at, context: ctx('Asia/Tokyo') }), at);
    expect(fromProfile.decisions[0]?.outcome).toBe('fired');
    const fromDefault = sim([wide], { policies: policies({ defaultTimezone: 'Asia/Tokyo' }) });
    fromDefault.send(ev({ occurredAt: at, context: null }), at);
    expect(fromDefault.decisions[0]?.reason).toBe('quiet_hours');
  });

  it('DST: deferral ends at 08:00 local across the Europe/Berlin March change', () => {
    // 29 March 2026: clocks go from 02:00 CET to 03:00 CEST. A push at 22:30 CET on the 28th is deferred
    // to 08:00 CEST = 06:00 UTC (not 07:00 UTC, which 08:00 was the day before).
    const s = sim(
      [push({ steps: [action('mobile', 'mobile.push', { windowMs: 12 * HOUR, params: { t: 'x' } })] })],
      {
        profile: { timezone: 'Europe/Berlin' },
      },
    );
    const at = Date.UTC(2026, 2, 28, 21, 30);
    s.send(ev({ occurredAt: at }), at);
    expect(s.timers.get('u1')?.get('run:trig')).toBe(Date.UTC(2026, 2, 29, 6, 0));
    s.advanceTo(Date.UTC(2026, 2, 29, 6, 0));
    expect(s.activations[0]?.dueAt).toBe(Date.UTC(2026, 2, 29, 6, 0));
  });

  it('quiet hours come after caps and before missing_field', () => {
    const s = sim([
      push({ steps: [action('mobile', 'mobile.push', { params: { t: '${event.properties.nope}' } })] }),
    ]);
    const at = Date.UTC(2026, 2, 2, 7, 0);
    s.send(ev({ occurredAt: at }), at);
    expect(s.decisions[0]?.reason).toBe('quiet_hours');
    s.advanceTo(Date.UTC(2026, 2, 2, 8, 0));
    expect(s.decisions[1]?.reason).toBe('missing_field');
  });
});
