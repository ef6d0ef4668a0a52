import type { ActivationRecord, DecisionRecord } from '../../../../services/engine/codec';

/** Sample records shared by the codec tests. */
export const EVENT = {
  eventId: 'e-1',
  userId: 'u-42',
  channel: 'web',
  type: 'page_view',
  occurredAt: 1_767_225_600_000,
  sessionId: 's-9',
  properties: { path: '/pricing', items: 3, logged_in: true },
  context: { locale: 'en-GB', region: 'GB', timezone: 'Europe/London', userAgent: null, bot: false },
};

export const ACTIVATION: ActivationRecord = {
  activationId: 'a-1',
  triggerId: 'cart-abandon',
  triggerVersion: 2,
  stepId: 'remind',
  userId: 'u-42',
  channel: 'email',
  actionType: 'email.send',
  params: { template: 'cart-reminder' },
  signalEventIds: ['e-1', 'e-2'],
  dueAt: 1_767_225_600_000,
  decidedAt: 1_767_225_600_010,
  emittedAt: 1_767_225_600_020,
  expiresAt: 1_767_312_000_000,
  slaMs: 300_000,
  renderToken: null,
};

export const DECISION: DecisionRecord = {
  decisionId: 'd-1',
  triggerId: 'cart-abandon',
  triggerVersion: 2,
  stepId: 'remind',
  userId: 'u-42',
  outcome: 'suppressed',
  reason: 'cooldown',
  signalEventIds: ['e-1'],
  dueAt: 1_767_225_600_000,
  decidedAt: 1_767_225_600_010,
  checks: [
    { name: 'consent', passed: true, detail: 'granted' },
    { name: 'cooldown', passed: false, detail: 'fired 3h ago' },
  ],
  activationId: null,
};
