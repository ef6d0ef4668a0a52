import { parsePoliciesText, parseTriggerText } from '../../../../services/engine/definitions';
import { formatDefinitionError } from '../../../../services/engine/definitions';
import { MINIMAL_TRIGGER, POLICIES_YAML } from './fixtures';

function errors(yaml: string): string[] {
  const r = parseTriggerText('triggers/t.yaml', yaml);
  return r.ok ? [] : r.errors.map(formatDefinitionError);
}

describe('parseTriggerText', () => {
  it('accepts a minimal trigger and applies defaults', () => {
    const r = parseTriggerText('t.yaml', MINIMAL_TRIGGER);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.parsed.value).toMatchObject({
      id: 'minimal',
      mode: 'live',
      risk: 'low',
      priority: 50,
      holdout: 0,
    });
    expect(r.parsed.source.file).toBe('t.yaml');
  });

  it('reports a bare number as a duration with file, line, path and the fix', () => {
    const yaml = `${MINIMAL_TRIGGER.replace(/action:.*\n/, '')}sequence:
  - id: first
    action: { channel: web, type: web.personalize }
  - id: wait-a-day
    wait: 24
  - id: last
    action: { channel: email, type: email.send }
`;
    expect(errors(yaml)).toEqual([
      'triggers/t.yaml:9 sequence[1].wait: "24" is not a duration (use 24h; units: ms, s, m, h, d)',
    ]);
  });

  it('names an unknown key and suggests the known one', () => {
    const yaml = `${MINIMAL_TRIGGER}suppression:
  coldown: 7d
`;
    expect(errors(yaml)).toEqual([
      "triggers/t.yaml:7 suppression.coldown: unknown key 'coldown' (did you mean 'cooldown'?)",
    ]);
  });

  it('lists the allowed keys when an unknown key is close to none', () => {
    expect(errors(`${MINIMAL_TRIGGER}banana: 1\n`)).toEqual([
      expect.stringMatching(
        /^triggers\/t\.yaml:6 banana: unknown key 'banana' \(allowed here: id, version, description, owner, mode,/,
      ),
    ]);
  });

  it('reports each of several unknown keys on its own line', () => {
    const yaml = `${MINIMAL_TRIGGER}windw: 5m
sal: 1s
`;
    expect(errors(yaml)).toEqual([
      "triggers/t.yaml:6 windw: unknown key 'windw' (did you mean 'window'?)",
      "triggers/t.yaml:7 sal: unknown key 'sal' (did you mean 'sla'?)",
    ]);
  });

  it('suggests the enum value meant', () => {
    expect(errors(`${MINIMAL_TRIGGER}mode: shadw\n`)).toEqual([
      `triggers/t.yaml:6 mode: "shadw" is not allowed (use live, shadow, paused; did you mean 'shadow'?)`,
    ]);
    expect(errors(`${MINIMAL_TRIGGER}risk: 3\n`)).toEqual([
      `triggers/t.yaml:6 risk: 3 is not allowed (use low, medium, high)`,
    ]);
  });

  it('names missing required keys at the enclosing mapping', () => {
    expect(errors('id: some-id\nsignal: { event: x }\naction: { channel: web, type: web.x }\n')).toEqual([
      'triggers/t.yaml:1 version: missing (expected a number)',
    ]);
    expect(
      errors('id: some-id\nversion: 1\nsignal:\n  where: {}\naction: { channel: web, type: web.x }\n'),
    ).toEqual([
      'triggers/t.yaml:3 signal.event: expected an event type or a list of event types (e.g. page_view or [page_view, screen_view])',
    ]);
  });

  it('checks ids, versions, ranges and types', () => {
    const yaml = `id: Cart_Abandonment
version: 0
priority: 101
holdout: -1
approvedBy: ''
signal: { event: page_view }
action: { channel: web, type: personalize, params: { a: [1] } }
`;
    expect(errors(yaml)).toEqual([
      'triggers/t.yaml:1 id: "Cart_Abandonment" is not a valid id (use 2-63 characters: lower-case letters, digits and dashes, e.g. cart-abandonment)',
      'triggers/t.yaml:2 version: must be >= 1 (got 0)',
      'triggers/t.yaml:3 priority: must be <= 100 (got 101)',
      'triggers/t.yaml:4 holdout: must be >= 0 (got -1)',
      'triggers/t.yaml:5 approvedBy: must not be empty',
      'triggers/t.yaml:7 action.type: "personalize" is not an action type (use web.personalize, mobile.push, mobile.inapp, email.send, paid.audience.add, paid.audience.remove or a custom <channel>.<name>)',
      'triggers/t.yaml:7 action.params.a: expected a string or a number or true or false (got a list)',
    ]);
  });

  it('rejects a fractional version and a non-mapping file', () => {
    expect(errors(MINIMAL_TRIGGER.replace('version: 1', 'version: 1.5'))).toEqual([
      'triggers/t.yaml:2 version: expected a whole number (got 1.5)',
    ]);
    expect(errors('- a\n- b\n')).toEqual(['triggers/t.yaml:1 expected a mapping (key: value) (got a list)']);
  });

  it('reports an empty file', () => {
    expect(errors('')).toEqual([
      'triggers/t.yaml:1 the file is empty (expected a trigger (id, version, signal, action or sequence, ...))',
    ]);
    expect(errors('# only a comment\n')).toHaveLength(1);
  });

  it('reports YAML syntax errors with their line', () => {
    expect(errors('id: x\nsignal: {event: page_view\nversion: 1\n')).toEqual([
      expect.stringMatching(/^triggers\/t\.yaml:\d+ YAML syntax error: /),
    ]);
    const [tab] = errors('id: x\nversion: 1\nsignal:\n\tevent: page_view\n');
    expect(tab).toMatch(/^triggers\/t\.yaml:4 YAML syntax error: /);
  });

  it('treats a duplicate key as an error instead of letting one value hide the other', () => {
    expect(errors(`${MINIMAL_TRIGGER}version: 2\n`)).toEqual([
      expect.stringMatching(/^triggers\/t\.yaml:6 YAML syntax error: Map keys must be unique/),
    ]);
  });

  it('reports an alias expansion bomb instead of expanding it', () => {
    const bomb = [
      'a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]',
    ].join('\n');
    expect(errors(bomb)).toEqual([
      expect.stringMatching(/^triggers\/t\.yaml:1 YAML error: Excessive alias count/),
    ]);
  });

  it('resolves YAML anchors and aliases', () => {
    const yaml = `id: aliases
version: 1
signal:
  event: page_view
  where: &w { properties.path: /pricing }
  absent: { event: purchase, within: 1h, where: *w }
action: { channel: web, type: web.personalize }
`;
    expect(errors(yaml)).toEqual([]);
  });
});

describe('conditions', () => {
  const withWhere = (where: string) => `id: conditions
version: 1
signal:
  event: page_view
  where:
${where}
action: { channel: web, type: web.personalize }
`;

  it('accepts every operator, bare scalars and several operators at once', () => {
    const where = [
      '    type: page_view',
      '    properties.n: 3',
      '    properties.flag: true',
      '    properties.a: { eq: x }',
      '    properties.b: { ne: 2 }',
      '    properties.c: { in: [a, 1, false] }',
      '    properties.d: { notIn: [x] }',
      '    properties.e: { startsWith: /p }',
      '    properties.f: { endsWith: .pdf }',
      '    properties.g: { contains: sale }',
      '    properties.h: { gt: 1, gte: 1, lt: 9, lte: 9 }',
      '    properties.i: { exists: false }',
      "    properties.j: { matches: '^a+$' }",
    ].join('\n');
    expect(errors(withWhere(where))).toEqual([]);
  });

  it('names a misspelt operator', () => {
    expect(errors(withWhere('    properties.path: { startWith: /pricing }'))).toEqual([
      `triggers/t.yaml:6 signal.where["properties.path"].startWith: unknown key 'startWith' (did you mean 'startsWith'?)`,
    ]);
  });

  it('needs at least one operator and a value', () => {
    expect(errors(withWhere('    properties.x: {}\n    properties.y: null'))).toEqual([
      'triggers/t.yaml:6 signal.where["properties.x"]: needs at least one operator (eq, ne, in, notIn, startsWith, endsWith, contains, gt, gte, lt, lte, exists, matches)',
      'triggers/t.yaml:7 signal.where["properties.y"]: expected a value to compare with, or operators such as { startsWith: /pricing }',
    ]);
  });

  it('types operator arguments', () => {
    expect(errors(withWhere('    properties.x: { gt: "3", in: [], exists: yes }'))).toEqual([
      'triggers/t.yaml:6 signal.where["properties.x"].in: needs at least 1 item(s)',
      'triggers/t.yaml:6 signal.where["properties.x"].gt: expected a number (got "3")',
      'triggers/t.yaml:6 signal.where["properties.x"].exists: expected true or false (got "yes")',
    ]);
  });

  it('rejects a regular expression that does not compile or is too long', () => {
    expect(errors(withWhere("    properties.x: { matches: '(' }"))).toEqual([
      expect.stringMatching(
        /^triggers\/t\.yaml:6 signal\.where\["properties\.x"\]\.matches: "\(" is not a valid regular expression \(/,
      ),
    ]);
    const long = 'a'.repeat(201);
    expect(errors(withWhere(`    properties.x: { matches: '${long}' }`))).toEqual([
      'triggers/t.yaml:6 signal.where["properties.x"].matches: regular expression is 201 characters long (at most 200)',
    ]);
    expect(errors(withWhere(`    properties.x: { matches: '${'a'.repeat(200)}' }`))).toEqual([]);
  });

  it('reports the element of an event list that is wrong', () => {
    const yaml = MINIMAL_TRIGGER.replace('event: page_view', 'event: [page_view, 3, "bad type"]');
    expect(errors(yaml)).toEqual([
      'triggers/t.yaml:4 signal.event[1]: expected a string (got 3)',
      'triggers/t.yaml:4 signal.event[2]: "bad type" can never match: event types are 1-64 lower-case letters, digits, "_" and "." (topics.md); write bad_type',
    ]);
  });

  it('refuses an event type ingest would never accept, with its likely spelling', () => {
    const cases: [string, string, string][] = [
      ['event: page_view', 'event: PageView', 'signal.event: "PageView" can never match'],
      ['event: page_view', 'event: demo-booked', 'write demo_booked'],
      ['event: page_view', 'event: "orders:created"', 'write orders_created'],
      ['event: page_view', `event: ${'a'.repeat(65)}`, `write ${'a'.repeat(64)}`],
    ];
    for (const [from, to, expected] of cases) {
      const problems = errors(MINIMAL_TRIGGER.replace(from, to));
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain(expected);
    }
    // The types ingest accepts, dots and digits included.
    for (const ok of ['page_view', 'app.open', 'step2', '3ds_challenge'])
      expect(errors(MINIMAL_TRIGGER.replace('event: page_view', `event: ${ok}`))).toEqual([]);
  });
});

describe('count, absent, steps', () => {
  it('accepts within: session and rejects other words', () => {
    const base = MINIMAL_TRIGGER.replace(
      'event: page_view',
      'event: page_view\n  count: { atLeast: 3, within: %W }',
    );
    expect(errors(base.replace('%W', 'session'))).toEqual([]);
    expect(errors(base.replace('%W', 'sesion'))).toEqual([
      'triggers/t.yaml:5 signal.count.within: "sesion" is not a duration (write a whole number and a unit, e.g. 30s or 24h; units: ms, s, m, h, d, or session)',
    ]);
    expect(errors(base.replace('%W', '48'))).toEqual([
      'triggers/t.yaml:5 signal.count.within: "48" is not a duration (use 48h; units: ms, s, m, h, d, or session)',
    ]);
    expect(errors(base.replace('atLeast: 3', 'atLeast: 0').replace('%W', '1h'))).toEqual([
      'triggers/t.yaml:5 signal.count.atLeast: must be >= 1 (got 0)',
    ]);
  });

  it('needs within on after and unless, not on exitIf', () => {
    const yaml = `${MINIMAL_TRIGGER}suppression:
  unless: [{ event: purchase }]
exitIf: [{ event: purchase }]
`;
    expect(errors(yaml)).toEqual([
      'triggers/t.yaml:7 suppression.unless[0].within: missing is not a duration (write a whole number and a unit, e.g. 30s or 24h; units: ms, s, m, h, d)',
    ]);
  });

  it('only allows renderAt: open', () => {
    const yaml = MINIMAL_TRIGGER.replace(
      'action: { channel: web, type: web.personalize }',
      'action: { channel: email, type: email.send, renderAt: send }',
    );
    expect(errors(yaml)).toEqual(['triggers/t.yaml:5 action.renderAt: "send" is not allowed (use open)']);
  });
});

describe('parsePoliciesText', () => {
  it('accepts the example policies', () => {
    const r = parsePoliciesText('triggers/policies.yaml', POLICIES_YAML);
    expect(r.ok).toBe(true);
    if (r.ok)
      expect(r.parsed.value.channels.mobile?.quietHours).toEqual({
        from: '21:00',
        to: '08:00',
        action: 'defer',
      });
  });

  it('checks times of day, time zones, channel names and numbers', () => {
    const yaml = POLICIES_YAML.replace("from: '21:00'", "from: '9pm'")
      .replace('timezone: UTC', 'timezone: Mars/Olympus')
      .replace('  paid:', '  sms:')
      .replace('maxEventsPerMinute: 120', 'maxEventsPerMinute: 0');
    const r = parsePoliciesText('p.yaml', yaml);
    expect(r.ok ? [] : r.errors.map(formatDefinitionError)).toEqual([
      'p.yaml:5 channels.mobile.quietHours.from: "9pm" is not a time of day (use HH:MM, e.g. "21:00")',
      "p.yaml:11 channels.sms: unknown key 'sms' (allowed here: web, mobile, email, paid)",
      'p.yaml:15 defaults.timezone: "Mars/Olympus" is not an IANA time zone (e.g. UTC or Europe/Berlin)',
      'p.yaml:18 bots.maxEventsPerMinute: must be >= 1 (got 0)',
    ]);
  });

  it('reports an empty policies file', () => {
    const r = parsePoliciesText('p.yaml', '');
    expect(r.ok ? [] : r.errors.map(formatDefinitionError)).toEqual([
      'p.yaml:1 the file is empty (expected policies (channels, caps, defaults, consent, lateness, bots, breaker))',
    ]);
  });
});
