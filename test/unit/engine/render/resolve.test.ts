import { indexPlans } from '../../../../services/engine/evaluate';
import type { RenderClaims } from '../../../../services/engine/render';
import { resolveRender } from '../../../../services/engine/render';
import type { StoredEvent, UserState } from '../../../../services/engine/state';
import { emptyUserState } from '../../../../services/engine/state';
import { action, cond, DAY, matcher, plan, T0 } from '../evaluate/helpers';

const followUp = action('email', 'email.send', {
  id: 'follow-up',
  params: { template: 'pricing-followup', plan: '${event.properties.plan}', tone: 'warm' },
  renderAt: 'open',
});
const plans = indexPlans([
  plan({
    id: 'pricing',
    steps: [followUp],
    unless: [cond('demo_booked', 30 * DAY)],
    goal: { ...matcher('purchase', {}, 'web'), withinMs: 7 * DAY },
  }),
]);
/** When the reader opens the email: an hour after it was issued. */
const OPEN = T0 + 3_600_000;
const claims: RenderClaims = {
  activationId: 'act-1',
  triggerId: 'pricing',
  triggerVersion: 1,
  stepId: 'follow-up',
  userId: 'u-1',
  expiresAt: T0 + DAY,
  issuedAt: T0,
};

function stored(type: string, occurredAt: number, channel: StoredEvent['channel'] = 'web'): StoredEvent {
  return {
    eventId: `${type}-${occurredAt}`,
    channel,
    type,
    occurredAt,
    sessionId: null,
    properties: {},
    context: null,
  };
}

/** The variant of a resolved render, or what was answered instead. */
const variantOf = (c: ReturnType<typeof resolveRender>) =>
  c !== null && typeof c === 'object' ? c.variant : c;

function stateWith(events: StoredEvent[]): UserState {
  return { ...emptyUserState(), history: events, profile: { lifecycle: 'trial', language: 'de' } };
}

describe('resolveRender', () => {
  it('gives the default variant, the literal params and the profile when nothing happened since send', () => {
    const content = resolveRender(plans, claims, stateWith([stored('purchase', T0 - 1000)]), OPEN);
    expect(content).toEqual({
      activationId: 'act-1',
      triggerId: 'pricing',
      stepId: 'follow-up',
      template: 'pricing-followup',
      variant: 'default',
      params: { template: 'pricing-followup', tone: 'warm' },
      profile: { lifecycle: 'trial', language: 'de' },
    });
  });

  it('selects the converted variant after a goal purchase since the email was sent', () => {
    const content = resolveRender(plans, claims, stateWith([stored('purchase', T0 + 60_000)]), OPEN);
    expect(variantOf(content)).toBe('converted');
  });

  it('selects the converted variant after an unless event since send', () => {
    expect(variantOf(resolveRender(plans, claims, stateWith([stored('demo_booked', T0 + 1)]), OPEN))).toBe(
      'converted',
    );
  });

  it('ignores a goal event on another channel than the goal names', () => {
    expect(
      variantOf(resolveRender(plans, claims, stateWith([stored('purchase', T0 + 1, 'mobile')]), OPEN)),
    ).toBe('default');
  });

  it('resolves for a user with no state', () => {
    expect(resolveRender(plans, claims, undefined, OPEN)).toMatchObject({ variant: 'default', profile: {} });
  });

  it('answers history_gone once the email is older than the history the engine keeps', () => {
    const kept = plans.historyLookbackMs;
    expect(kept).toBeGreaterThanOrEqual(30 * DAY);
    // A purchase since send is still in history up to the look-back...
    expect(resolveRender(plans, claims, stateWith([stored('purchase', T0 + 1)]), T0 + kept)).toMatchObject({
      variant: 'converted',
    });
    // ...past it, a purchase may have been pruned: no content rather than a default that may push it.
    expect(resolveRender(plans, claims, stateWith([]), T0 + kept + 1)).toBe('history_gone');
  });

  it('is null when the trigger or the step no longer exists', () => {
    expect(resolveRender(plans, { ...claims, triggerId: 'gone' }, undefined, OPEN)).toBeNull();
    expect(resolveRender(plans, { ...claims, stepId: 'gone' }, undefined, OPEN)).toBeNull();
  });
});
