import { finishActivation } from '../../../../services/engine/evaluate';
import type { ActivationDraft } from '../../../../services/engine/evaluate';

const draft: ActivationDraft = {
  activationId: 'act-1',
  triggerId: 't',
  triggerVersion: 1,
  stepId: 's',
  userId: 'u',
  channel: 'email',
  actionType: 'email.send',
  params: {},
  signalEventIds: ['e'],
  dueAt: 1,
  decidedAt: 2,
  expiresAt: 3,
  slaMs: 4,
  renderToken: {
    activationId: 'act-1',
    triggerId: 't',
    triggerVersion: 1,
    stepId: 's',
    userId: 'u',
    expiresAt: 3,
  },
};

describe('finishActivation', () => {
  it('sets emittedAt and signs the render token request', () => {
    const a = finishActivation(draft, 10, (r) => `signed:${r.activationId}:${r.expiresAt}`);
    expect(a.emittedAt).toBe(10);
    expect(a.renderToken).toBe('signed:act-1:3');
  });

  it('leaves renderToken null when there is nothing to sign', () => {
    const sign = jest.fn(() => 'x');
    expect(finishActivation({ ...draft, renderToken: null }, 10, sign).renderToken).toBeNull();
    expect(sign).not.toHaveBeenCalled();
  });
});
