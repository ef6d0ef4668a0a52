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

function stateWith(events: StoredEvent[]): UserState {
  return { ...emptyUserState(), history: events, profile: { lifecycle: 'trial', language: 'de' } };
}

describe('resolveRender', () => {
  it('gives the default variant, the literal params and the profile when nothing happened since send', () => {
    const content = resolveRender(plans, claims, stateWith([stored('purchase', T0 - 1000)]));
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
    const content = resolveRender(plans, claims, stateWith([stored('purchase', T0 + 60_000)]));
    expect(content?.variant).toBe('converted');
  });

  it('selects the converted variant after an unless event since send', () => {
    expect(resolveRender(plans, claims, stateWith([stored('demo_booked', T0 + 1)]))?.variant).toBe(
      'converted',
    );
  });

  it('ignores a goal event on another channel than the goal names', () => {
    expect(resolveRender(plans, claims, stateWith([stored('purchase', T0 + 1, 'mobile')]))?.variant).toBe(
      'default',
    );
  });

  it('resolves for a user with no state', () => {
    expect(resolveRender(plans, claims, undefined)).toMatchObject({ variant: 'default', profile: {} });
  });

  it('is null when the trigger or the step no longer exists', () => {
    expect(resolveRender(plans, { ...claims, triggerId: 'gone' }, undefined)).toBeNull();
    expect(resolveRender(plans, { ...claims, stepId: 'gone' }, undefined)).toBeNull();
  });
});
