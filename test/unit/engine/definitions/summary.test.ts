import {
  parseTriggerText,
  summarizeTrigger,
  formatPerChannel,
  describeSignal,
} from '../../../../services/engine/definitions';
import type { PoliciesDefinition, TriggerDefinition } from '../../../../services/engine/definitions';
import { parsePoliciesText } from '../../../../services/engine/definitions';
import { POLICIES_YAML } from './fixtures';

function trigger(yaml: string): TriggerDefinition {
  const r = parseTriggerText('t.yaml', yaml);
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
  return r.parsed.value;
}
const policies = ((): PoliciesDefinition => {
  const r = parsePoliciesText('p.yaml', POLICIES_YAML);
  if (!r.ok) throw new Error('bad policies');
  return r.parsed.value;
})();

describe('summarizeTrigger', () => {
  it('resolves window and sla per channel from the policies', () => {
    const t = trigger(`id: two-channels
version: 2
mode: shadow
signal: { event: add_to_cart, absent: { event: [checkout_started, purchase], within: 1h } }
sequence:
  - { id: push, action: { channel: mobile, type: mobile.push } }
  - { id: pause, wait: 4h }
  - { id: mail, action: { channel: email, type: email.send } }
`);
    const s = summarizeTrigger(t, policies);
    expect(s).toEqual({
      id: 'two-channels',
      version: 2,
      mode: 'shadow',
      signal: 'add_to_cart, then no checkout_started|purchase within 1h',
      channels: ['mobile', 'email'],
      window: { mobile: '2h', email: '24h' },
      sla: { mobile: '5s', email: '5m' },
    });
    expect(formatPerChannel(s.window)).toBe('mobile 2h, email 24h');
  });

  it('prefers the trigger own window and sla', () => {
    const t = trigger(`id: own
version: 1
window: 5m
sla: 2s
signal: { event: page_view }
action: { channel: web, type: web.personalize }
`);
    const s = summarizeTrigger(t, policies);
    expect([formatPerChannel(s.window), formatPerChannel(s.sla)]).toEqual(['5m', '2s']);
    expect(formatPerChannel({})).toBe('-');
  });
});

describe('describeSignal', () => {
  it('mentions every part of a signal', () => {
    expect(
      describeSignal({
        event: ['page_view', 'screen_view'],
        channel: 'web',
        where: { a: 1, b: 2 },
        count: { atLeast: 3, within: '48h', distinct: 'sessionId' },
        after: [{ event: 'signup', within: '90d' }],
        profile: { lifecycle: 'trial' },
      }),
    ).toBe(
      'page_view|screen_view (web), where 2 conditions, count >= 3 in 48h distinct sessionId, after 1 history condition, profile 1 condition',
    );
    expect(describeSignal({ event: 'x', count: { atLeast: 5, within: 'session' }, after: [] })).toBe(
      'x, count >= 5 in one session',
    );
    expect(
      describeSignal({
        event: 'x',
        absent: { event: 'y', within: '1h' },
        after: [
          { event: 'a', within: '1d' },
          { event: 'b', within: '1d' },
        ],
        profile: { a: 1, b: 2 },
        where: { a: 1 },
      }),
    ).toBe('x, where 1 condition, then no y within 1h, after 2 history conditions, profile 2 conditions');
  });
});
