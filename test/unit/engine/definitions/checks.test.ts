import { errorsOf, errorsOfTrigger, MINIMAL_TRIGGER, POLICIES_YAML } from './fixtures';

const withSequence = (steps: string, extra = '') => `id: seq
version: 1
signal: { event: page_view }
${extra}sequence:
${steps}`;

describe('cross-field rules of one trigger', () => {
  it('risk: high needs approvedBy', () => {
    expect(errorsOfTrigger(`${MINIMAL_TRIGGER}risk: high\n`)).toEqual([
      'triggers/t.yaml:6 risk: risk: high needs approvedBy (who approved this trigger)',
    ]);
    expect(errorsOfTrigger(`${MINIMAL_TRIGGER}risk: high\napprovedBy: null\n`)).toEqual([
      'triggers/t.yaml:7 approvedBy: risk: high needs approvedBy (who approved this trigger)',
    ]);
    expect(errorsOfTrigger(`${MINIMAL_TRIGGER}risk: high\napprovedBy: maria\n`)).toEqual([]);
  });

  it('needs exactly one of action and sequence', () => {
    expect(errorsOfTrigger('id: none\nversion: 1\nsignal: { event: page_view }\n')).toEqual([
      'triggers/t.yaml:1 missing action or sequence (what to do when the signal matches)',
    ]);
    const both = `${MINIMAL_TRIGGER}sequence:\n  - id: one\n    action: { channel: web, type: web.personalize }\n`;
    expect(errorsOfTrigger(both)).toEqual([
      'triggers/t.yaml:5 action: write either action (one step) or sequence, not both',
    ]);
  });

  it('does not combine count and absent', () => {
    const yaml = MINIMAL_TRIGGER.replace(
      'event: page_view',
      'event: page_view\n  count: { atLeast: 2, within: 1h }\n  absent: { event: purchase, within: 1h }',
    );
    expect(errorsOfTrigger(yaml)).toEqual([
      'triggers/t.yaml:6 signal.absent: count and absent cannot be combined in one signal (use after for history conditions)',
    ]);
  });

  it('keeps step ids unique within a trigger', () => {
    const yaml = withSequence(`  - id: step-a
    action: { channel: web, type: web.personalize }
  - id: step-a
    wait: 1h
  - id: step-b
    action: { channel: email, type: email.send }
`);
    expect(errorsOfTrigger(yaml)).toEqual([
      "triggers/t.yaml:7 sequence[1].id: step id 'step-a' is already used by sequence[0]",
    ]);
  });

  it('makes each step an action or a wait, and puts exitIf only on waits', () => {
    const yaml = withSequence(`  - id: both
    action: { channel: web, type: web.personalize }
    wait: 1h
  - id: neither
  - id: exit-on-action
    action: { channel: web, type: web.personalize }
    exitIf: [{ event: purchase }]
`);
    expect(errorsOfTrigger(yaml)).toEqual([
      'triggers/t.yaml:7 sequence[0].wait: a step is either an action or a wait (split it into two steps)',
      'triggers/t.yaml:8 sequence[1]: a step needs action or wait',
      'triggers/t.yaml:11 sequence[2].exitIf: exitIf belongs on a wait step or at the top of the trigger (for the whole sequence)',
    ]);
  });

  it('accepts exitIf on waits and at the top of the trigger', () => {
    const yaml = withSequence(
      `  - id: wait-first
    wait: 1h
    exitIf: [{ event: purchase, within: 1d, channel: web, atLeast: 1 }]
  - id: act
    action: { channel: web, type: web.personalize }
`,
      'exitIf: [{ event: [purchase, demo_booked], where: { properties.plan: pro } }]\n',
    );
    expect(errorsOfTrigger(yaml)).toEqual([]);
  });

  it('needs an action step in a sequence', () => {
    expect(errorsOfTrigger(withSequence('  - id: only-wait\n    wait: 1h\n'))).toEqual([
      'triggers/t.yaml:4 sequence: the sequence has no action step (nothing would ever be emitted)',
    ]);
  });

  it('matches the action type prefix to its channel', () => {
    const yaml = MINIMAL_TRIGGER.replace('type: web.personalize', 'type: email.send');
    expect(errorsOfTrigger(yaml)).toEqual([
      'triggers/t.yaml:5 action.type: "email.send" is not a web action (use web.<name>)',
    ]);
    expect(errorsOfTrigger(MINIMAL_TRIGGER.replace('web.personalize', 'web.banner-v2'))).toEqual([]);
    expect(errorsOfTrigger(MINIMAL_TRIGGER.replace('web.personalize', 'sms.send'))).toEqual([
      'triggers/t.yaml:5 action.type: "sms.send" is not a web action (use web.<name>)',
    ]);
  });

  it('takes a custom type close to a standard one for a typo', () => {
    expect(errorsOfTrigger(MINIMAL_TRIGGER.replace('web.personalize', 'web.personalise'))).toEqual([
      `triggers/t.yaml:5 action.type: "web.personalise" is not a known type (did you mean 'web.personalize'? custom types need a distinct name)`,
    ]);
    expect(errorsOfTrigger(MINIMAL_TRIGGER.replace('web.personalize', 'web.popup'))).toEqual([]);
    const inbox = MINIMAL_TRIGGER.replace(
      'channel: web, type: web.personalize',
      'channel: mobile, type: mobile.inbox',
    );
    expect(errorsOfTrigger(inbox)).toEqual([]);
  });

  it('allows renderAt only on email', () => {
    const yaml = MINIMAL_TRIGGER.replace('type: web.personalize', 'type: web.personalize, renderAt: open');
    expect(errorsOfTrigger(yaml)).toEqual([
      'triggers/t.yaml:5 action.renderAt: renderAt: open is only for email actions (this one is web)',
    ]);
    const email = MINIMAL_TRIGGER.replace(
      'channel: web, type: web.personalize',
      'channel: email, type: email.send, renderAt: open',
    );
    expect(errorsOfTrigger(email)).toEqual([]);
  });

  it('reports ${...} references that can never resolve, at the param', () => {
    const yaml = `${MINIMAL_TRIGGER.replace(/action:.*\n/, '')}action:
  channel: web
  type: web.personalize
  params:
    ok: '\${event.properties.plan} for \${profile.firstName}'
    count: 3
    bad: '\${event.plan}'
`;
    expect(errorsOfTrigger(yaml)).toEqual([
      'triggers/t.yaml:11 action.params.bad: ${event.plan} can never resolve (an event has eventId, userId, channel, type, occurredAt, sessionId, properties.<name>, context.<name>)',
    ]);
  });

  it('checks event paths in every where and in count.distinct', () => {
    const yaml = `id: paths
version: 1
signal:
  event: page_view
  where: { propertes.path: /x }
  count: { atLeast: 2, within: 1h, distinct: session }
  after: [{ event: signup, within: 1d, where: { context.city: Berlin } }]
suppression:
  unless: [{ event: purchase, within: 1d, where: { userId: u1 } }]
exitIf: [{ event: purchase, where: { foo: 1 } }]
goal: { event: purchase, within: 1d, where: { properties: x } }
sequence:
  - id: wait-first
    wait: 1h
    exitIf: [{ event: purchase, where: { sessionid: s } }]
  - id: act
    action: { channel: web, type: web.personalize }
`;
    const errors = errorsOfTrigger(yaml);
    expect(errors.map((e) => e.replace(/ \(use type.*$/, ''))).toEqual([
      'triggers/t.yaml:5 signal.where["propertes.path"]: "propertes.path" is not a field of an event',
      'triggers/t.yaml:6 signal.count.distinct: "session" is not a field of an event',
      'triggers/t.yaml:7 signal.after[0].where["context.city"]: "context.city" is not a field of an event',
      'triggers/t.yaml:9 suppression.unless[0].where.userId: "userId" is not a field of an event',
      'triggers/t.yaml:10 exitIf[0].where.foo: "foo" is not a field of an event',
      'triggers/t.yaml:11 goal.where.properties: "properties" is not a field of an event',
      'triggers/t.yaml:15 sequence[0].exitIf[0].where.sessionid: "sessionid" is not a field of an event',
    ]);
    expect(errors[0]).toMatch(/did you mean 'properties.path'\?\)$/);
  });

  it('checks the absent where too', () => {
    const yaml = MINIMAL_TRIGGER.replace(
      'event: page_view',
      'event: page_view\n  absent: { event: purchase, within: 1h, where: { amount: 3 } }',
    );
    expect(errorsOfTrigger(yaml)).toEqual([
      expect.stringMatching(
        /^triggers\/t\.yaml:5 signal\.absent\.where\.amount: "amount" is not a field of an event/,
      ),
    ]);
  });
});

describe('rules against the policies', () => {
  it('needs sla <= window, with the defaults from the channel policy', () => {
    expect(errorsOfTrigger(`${MINIMAL_TRIGGER}sla: 1h\n`)).toEqual([
      'triggers/t.yaml:6 sla: sla 1h is longer than window 30m (web default from policies.yaml): no activation could meet it (make sla <= window)',
    ]);
    expect(errorsOfTrigger(`${MINIMAL_TRIGGER}window: 500ms\n`)).toEqual([
      'triggers/t.yaml:6 window: sla 1s (web default from policies.yaml) is longer than window 500ms: no activation could meet it (make sla <= window)',
    ]);
    expect(errorsOfTrigger(`${MINIMAL_TRIGGER}window: 1s\nsla: 1s\n`)).toEqual([]);
  });

  it('checks sla <= window for each channel of a sequence, once per channel', () => {
    const yaml = withSequence(
      `  - id: web-step
    action: { channel: web, type: web.personalize }
  - id: email-step
    action: { channel: email, type: email.send }
  - id: email-again
    action: { channel: email, type: email.send }
`,
      'window: 2m\n',
    );
    // email's default sla is 5m, over the trigger's 2m window; web's 1s is fine.
    expect(errorsOfTrigger(yaml)).toEqual([
      'triggers/t.yaml:4 window: sla 5m (email default from policies.yaml) is longer than window 2m: no activation could meet it (make sla <= window)',
    ]);
  });

  it('reports a channel that policies.yaml does not configure', () => {
    const policies = POLICIES_YAML.replace(/ {2}paid: .*\n/, '');
    const trigger = MINIMAL_TRIGGER.replace(
      'channel: web, type: web.personalize',
      'channel: paid, type: paid.audience.add',
    );
    expect(errorsOf({ 'triggers/policies.yaml': policies, 'triggers/t.yaml': trigger })).toEqual([
      'triggers/t.yaml:5 action.channel: channel paid is not configured in policies.yaml (add channels.paid with sla, window and consent)',
    ]);
  });
});

describe('rules within policies.yaml', () => {
  it('needs sla <= window per channel and quiet hours with a length', () => {
    const policies = POLICIES_YAML.replace('sla: 15m, window: 7d', 'sla: 8d, window: 7d').replace(
      "from: '21:00', to: '08:00'",
      "from: '21:00', to: '21:00'",
    );
    expect(errorsOf({ 'triggers/policies.yaml': policies })).toEqual([
      'triggers/policies.yaml:5 channels.mobile.quietHours.to: quiet hours start and end at the same time (remove quietHours or give them a length)',
      'triggers/policies.yaml:11 channels.paid.sla: sla 8d is longer than window 7d (make sla <= window, e.g. sla 7d)',
    ]);
  });
});
