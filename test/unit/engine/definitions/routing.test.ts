import { parseTriggerText } from '../../../../services/engine/definitions';
import { routedEventTypes } from '../../../../services/engine/definitions/routing';

describe('routedEventTypes', () => {
  it('collects signal, absent, after, unless, exitIf (trigger and steps) and goal events once each', () => {
    const r = parseTriggerText(
      't.yaml',
      `id: all-events
version: 1
signal:
  event: [page_view, screen_view]
  absent: { event: [checkout_started, purchase], within: 1h }
  after: [{ event: signup, within: 90d }]
suppression:
  unless: [{ event: purchase, within: 30d }, { event: refund, within: 30d }]
exitIf: [{ event: unsubscribe }]
sequence:
  - id: wait-first
    wait: 1h
    exitIf: [{ event: [demo_booked, page_view] }]
  - id: act
    action: { channel: web, type: web.personalize }
goal: { event: email_click, within: 7d }
`,
    );
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(routedEventTypes(r.parsed.value).sort()).toEqual(
      [
        'checkout_started',
        'demo_booked',
        'email_click',
        'page_view',
        'purchase',
        'refund',
        'screen_view',
        'signup',
        'unsubscribe',
      ].sort(),
    );
  });

  it('is only the signal event for a plain trigger', () => {
    const r = parseTriggerText(
      't.yaml',
      'id: plain\nversion: 1\nsignal: { event: ad_click }\naction: { channel: web, type: web.x }\n',
    );
    if (!r.ok) throw new Error('invalid');
    expect(routedEventTypes(r.parsed.value)).toEqual(['ad_click']);
  });
});
