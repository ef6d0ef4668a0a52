import {
  compileDefinitions,
  compilePolicies,
  compileTrigger,
  parsePoliciesText,
  parseTriggerText,
} from '../../../../services/engine/definitions';
import type { PoliciesDefinition, TriggerDefinition } from '../../../../services/engine/definitions';
import { MINIMAL_TRIGGER, POLICIES_YAML } from './fixtures';

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

const H = 3_600_000;
const D = 24 * H;

function whereOps(condition: string) {
  const plan = compileTrigger(
    trigger(
      MINIMAL_TRIGGER.replace(
        'event: page_view',
        // A function, so `$'` in a regex is not taken as a replacement pattern.
        () => `event: page_view\n  where: { properties.x: ${condition} }`,
      ),
    ),
    policies,
  );
  return plan.signal.where[0]?.ops;
}

describe('conditions compile to operators', () => {
  it('compiles a bare scalar to eq', () => {
    expect(whereOps('pro')).toEqual([{ op: 'eq', value: 'pro' }]);
    expect(whereOps('3')).toEqual([{ op: 'eq', value: 3 }]);
    expect(whereOps('false')).toEqual([{ op: 'eq', value: false }]);
  });

  it('compiles every operator', () => {
    const ops = whereOps(
      "{ eq: q, ne: n, in: [a, 1, true], notIn: [x], startsWith: s, endsWith: e, contains: c, gt: 0, gte: 1, lt: 10, lte: 9, exists: true, matches: '^a+$' }",
    );
    expect(ops?.slice(0, 12)).toEqual([
      { op: 'eq', value: 'q' },
      { op: 'ne', value: 'n' },
      { op: 'in', values: ['a', 1, true] },
      { op: 'notIn', values: ['x'] },
      { op: 'startsWith', value: 's' },
      { op: 'endsWith', value: 'e' },
      { op: 'contains', value: 'c' },
      { op: 'gt', value: 0 },
      { op: 'gte', value: 1 },
      { op: 'lt', value: 10 },
      { op: 'lte', value: 9 },
      { op: 'exists', value: true },
    ]);
    const matches = ops?.[12];
    if (matches?.op !== 'matches') throw new Error('no matches operator');
    expect(matches.regex).toBeInstanceOf(RegExp);
    expect(matches.regex.source).toBe('^a+$');
    expect(matches.regex.global || matches.regex.sticky).toBe(false);
    expect([matches.regex.test('aaa'), matches.regex.test('aaa'), matches.regex.test('ab')]).toEqual([
      true,
      true,
      false,
    ]);
  });

  it('compiles exists: false', () => {
    expect(whereOps('{ exists: false }')).toEqual([{ op: 'exists', value: false }]);
  });
});

describe('params compile to templates', () => {
  function params(yaml: string) {
    const plan = compileTrigger(
      trigger(MINIMAL_TRIGGER.replace('type: web.personalize', `type: web.personalize, params: ${yaml}`)),
      policies,
    );
    const step = plan.steps[0];
    return step?.kind === 'action' ? step.action.params : undefined;
  }

  it('splits text and references, and stringifies numbers and booleans', () => {
    expect(
      params(
        "{ a: 'Hi ${profile.firstName}, ${event.properties.productName} is back', n: 10, b: true, t: plain }",
      ),
    ).toEqual({
      a: [
        { text: 'Hi ' },
        { ref: { source: 'profile', path: 'firstName' } },
        { text: ', ' },
        { ref: { source: 'event', path: 'properties.productName' } },
        { text: ' is back' },
      ],
      n: [{ text: '10' }],
      b: [{ text: 'true' }],
      t: [{ text: 'plain' }],
    });
  });
});

describe('compileTrigger', () => {
  it('compiles a single action into one action step with the channel defaults resolved', () => {
    const plan = compileTrigger(trigger(MINIMAL_TRIGGER), policies);
    expect(plan).toEqual({
      id: 'minimal',
      version: 1,
      mode: 'live',
      priority: 50,
      risk: 'low',
      signal: {
        eventTypes: new Set(['page_view']),
        channel: null,
        where: [],
        kind: { type: 'plain' },
        after: [],
        profile: [],
      },
      suppression: { cooldownMs: 24 * H, caps: [], unless: [] },
      consentRequire: [],
      steps: [
        {
          kind: 'action',
          id: 'action',
          action: { channel: 'web', type: 'web.personalize', params: {}, renderAt: null },
          windowMs: 30 * 60_000,
          slaMs: 1_000,
          consent: ['personalization'],
        },
      ],
      exitIf: [],
      holdoutPercent: 0,
      goal: null,
    });
  });

  it('resolves window, sla and consent per action step channel; the trigger own values win', () => {
    const yaml = `id: two-channels
version: 2
signal: { event: add_to_cart, absent: { event: [checkout_started, purchase], within: 1h, where: { properties.total: { gt: 0 } } } }
consent: { require: [personalization, offers, offers] }
sla: 2s
sequence:
  - id: push
    action: { channel: mobile, type: mobile.push, params: { body: 'x \${event.properties.name}' } }
  - id: pause
    wait: 4h
    exitIf: [{ event: purchase }]
  - id: mail
    action: { channel: email, type: email.send, renderAt: open }
`;
    const plan = compileTrigger(trigger(yaml), policies);
    expect(plan.signal.kind).toEqual({
      type: 'absent',
      absent: {
        eventTypes: new Set(['checkout_started', 'purchase']),
        channel: null,
        where: [{ path: 'properties.total', ops: [{ op: 'gt', value: 0 }] }],
      },
      withinMs: H,
    });
    expect(plan.consentRequire).toEqual(['personalization', 'offers']);
    expect(plan.steps).toEqual([
      {
        kind: 'action',
        id: 'push',
        action: {
          channel: 'mobile',
          type: 'mobile.push',
          params: { body: [{ text: 'x ' }, { ref: { source: 'event', path: 'properties.name' } }] },
          renderAt: null,
        },
        windowMs: 2 * H,
        slaMs: 2_000,
        consent: ['push', 'personalization', 'offers'],
      },
      {
        kind: 'wait',
        id: 'pause',
        waitMs: 4 * H,
        exitIf: [{ eventTypes: new Set(['purchase']), channel: null, where: [], withinMs: null, atLeast: 1 }],
      },
      {
        kind: 'action',
        id: 'mail',
        action: { channel: 'email', type: 'email.send', params: {}, renderAt: 'open' },
        windowMs: 24 * H,
        slaMs: 2_000,
        consent: ['email_marketing', 'personalization', 'offers'],
      },
    ]);
  });

  it('compiles count, after, profile, suppression, exitIf, holdout and goal', () => {
    const yaml = `id: full
version: 3
mode: shadow
risk: high
approvedBy: someone
priority: 90
signal:
  event: page_view
  channel: web
  where: { properties.path: { startsWith: /pricing } }
  count: { atLeast: 3, within: 48h, distinct: sessionId }
  after: [{ event: signup, within: 90d, channel: web, atLeast: 2, where: { properties.plan: pro } }]
  profile: { lifecycle: { in: [prospect, trial] } }
window: 1h
suppression:
  cooldown: 7d
  caps: [{ channel: email, max: 1, per: 7d }]
  unless: [{ event: [purchase, demo_booked], within: 30d }]
action: { channel: email, type: email.send }
exitIf: [{ event: unsubscribe, within: 1d }]
holdout: 12.5
goal: { event: demo_booked, within: 7d, channel: web, where: { properties.source: sales } }
`;
    const plan = compileTrigger(trigger(yaml), policies);
    expect(plan.signal).toEqual({
      eventTypes: new Set(['page_view']),
      channel: 'web',
      where: [{ path: 'properties.path', ops: [{ op: 'startsWith', value: '/pricing' }] }],
      kind: { type: 'count', atLeast: 3, withinMs: 48 * H, distinct: 'sessionId' },
      after: [
        {
          eventTypes: new Set(['signup']),
          channel: 'web',
          where: [{ path: 'properties.plan', ops: [{ op: 'eq', value: 'pro' }] }],
          withinMs: 90 * D,
          atLeast: 2,
        },
      ],
      profile: [{ path: 'lifecycle', ops: [{ op: 'in', values: ['prospect', 'trial'] }] }],
    });
    expect(plan.suppression).toEqual({
      cooldownMs: 7 * D,
      caps: [{ channel: 'email', max: 1, perMs: 7 * D }],
      unless: [
        {
          eventTypes: new Set(['purchase', 'demo_booked']),
          channel: null,
          where: [],
          withinMs: 30 * D,
          atLeast: 1,
        },
      ],
    });
    expect(plan.exitIf).toEqual([
      { eventTypes: new Set(['unsubscribe']), channel: null, where: [], withinMs: D, atLeast: 1 },
    ]);
    expect([plan.mode, plan.risk, plan.priority, plan.holdoutPercent]).toEqual(['shadow', 'high', 90, 12.5]);
    expect(plan.goal).toEqual({
      eventTypes: new Set(['demo_booked']),
      channel: 'web',
      where: [{ path: 'properties.source', ops: [{ op: 'eq', value: 'sales' }] }],
      withinMs: 7 * D,
    });
    expect(plan.steps[0]).toMatchObject({ windowMs: H, slaMs: 5 * 60_000 });
  });

  it('compiles within: session', () => {
    const plan = compileTrigger(
      trigger(
        MINIMAL_TRIGGER.replace(
          'event: page_view',
          'event: screen_view\n  count: { atLeast: 5, within: session }',
        ),
      ),
      policies,
    );
    expect(plan.signal.kind).toEqual({ type: 'count', atLeast: 5, withinMs: 'session', distinct: null });
  });

  it('refuses definitions that skipped validation', () => {
    const t = trigger(MINIMAL_TRIGGER);
    const noWeb = { ...policies, channels: {} };
    expect(() => compileTrigger(t, noWeb)).toThrow(/channel web is not in policies/);
    expect(() => compileTrigger({ ...t, window: '5 minutes' }, policies)).toThrow(/is not a duration/);
  });
});

describe('compilePolicies', () => {
  it('turns durations into ms and quiet hours into minutes of the day', () => {
    expect(compilePolicies(policies)).toEqual({
      channels: {
        web: { slaMs: 1_000, windowMs: 30 * 60_000, consent: ['personalization'], quietHours: null },
        mobile: {
          slaMs: 5_000,
          windowMs: 2 * H,
          consent: ['push'],
          quietHours: { fromMin: 1260, toMin: 480, action: 'defer' },
        },
        email: {
          slaMs: 5 * 60_000,
          windowMs: 24 * H,
          consent: ['email_marketing'],
          quietHours: { fromMin: 1320, toMin: 420, action: 'defer' },
        },
        paid: { slaMs: 15 * 60_000, windowMs: 7 * D, consent: ['ad_targeting'], quietHours: null },
      },
      caps: { email: { max: 3, perMs: 7 * D }, mobile: { max: 5, perMs: D } },
      defaultCooldownMs: 24 * H,
      defaultTimezone: 'UTC',
      consentMaxAgeMs: 395 * D,
      latenessMaxMs: H,
      botMaxEventsPerMinute: 120,
      botFlagForMs: H,
      breakerMaxActivationsPerMinute: 5000,
    });
  });
});

describe('compileDefinitions', () => {
  const texts = {
    'triggers/policies.yaml': POLICIES_YAML,
    'triggers/low.yaml': `${MINIMAL_TRIGGER.replace('minimal', 'low-priority')}priority: 10\n`,
    'triggers/b.yaml': MINIMAL_TRIGGER.replace('minimal', 'b-default'),
    'triggers/a.yaml': MINIMAL_TRIGGER.replace('minimal', 'a-default'),
    'triggers/high.yaml': `${MINIMAL_TRIGGER.replace('minimal', 'high-priority').replace('page_view', '[page_view, purchase]')}priority: 99\ngoal: { event: signup, within: 1d }\n`,
  };

  it('orders plans by priority, then id, and indexes them by event type in that order', () => {
    const result = compileDefinitions(texts);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.plans.map((p) => p.id)).toEqual([
      'high-priority',
      'a-default',
      'b-default',
      'low-priority',
    ]);
    expect(result.index.plans).toBe(result.plans);
    expect(result.index.byId.get('a-default')?.id).toBe('a-default');
    const ids = (type: string) => (result.index.byEventType.get(type) ?? []).map((p) => p.id);
    expect(ids('page_view')).toEqual(['high-priority', 'a-default', 'b-default', 'low-priority']);
    expect(ids('purchase')).toEqual(['high-priority']);
    expect(ids('signup')).toEqual(['high-priority']);
    expect(result.index.byEventType.has('add_to_cart')).toBe(false);
    expect(result.index.byEventType.get('page_view')?.[0]).toBe(result.index.byId.get('high-priority'));
    expect(result.policies.defaultTimezone).toBe('UTC');
  });

  it('compiles nothing when anything is invalid, and returns every error', () => {
    const result = compileDefinitions({
      ...texts,
      'triggers/bad.yaml': 'id: bad\n',
      'triggers/worse.yaml': '[',
    });
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.errors.map((e) => e.file)).toEqual([
        'triggers/bad.yaml',
        'triggers/bad.yaml',
        'triggers/worse.yaml',
      ]);
  });
});

describe('the routing index of compiled definitions', () => {
  it('routes every event type a trigger mentions (signal, absent, after, unless, exitIf, goal) to it, and no other', () => {
    const result = compileDefinitions({
      'triggers/policies.yaml': POLICIES_YAML,
      'triggers/cart.yaml': `id: cart
version: 1
signal: { event: add_to_cart, absent: { event: checkout_started, within: 1h } }
suppression: { unless: [{ event: purchase, within: 1d }] }
sequence:
  - { id: wait-first, wait: 1h, exitIf: [{ event: app_open }] }
  - { id: push, action: { channel: mobile, type: mobile.push } }
exitIf: [{ event: email_click }]
goal: { event: ad_click, within: 3d }
`,
      'triggers/web.yaml':
        'id: web\nversion: 1\nsignal: { event: page_view, after: [{ event: signup, within: 1d }] }\naction: { channel: web, type: web.personalize }\n',
    });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    const ids = (type: string) => (result.index.byEventType.get(type) ?? []).map((p) => p.id);
    for (const type of [
      'add_to_cart',
      'checkout_started',
      'purchase',
      'app_open',
      'email_click',
      'ad_click',
    ]) {
      expect([type, ids(type)]).toEqual([type, ['cart']]);
    }
    expect(ids('page_view')).toEqual(['web']);
    expect(ids('signup')).toEqual(['web']);
    expect(ids('screen_view')).toEqual([]);
    expect(result.index.byEventType.size).toBe(8);
  });
});
