import { validateDefinitions, isPoliciesName, POLICIES_KEY } from '../../../../services/engine/definitions';
import { errorsOf, MINIMAL_TRIGGER, POLICIES_YAML } from './fixtures';

describe('validateDefinitions', () => {
  it('returns the triggers and the policies when all is valid', () => {
    const result = validateDefinitions({
      'triggers/policies.yaml': POLICIES_YAML,
      'triggers/m.yaml': MINIMAL_TRIGGER,
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.triggers.map((t) => t.value.id)).toEqual(['minimal']);
    expect(result.policies.defaults).toEqual({ cooldown: '24h', timezone: 'UTC' });
  });

  it('reports every error of every file at once, sorted by file and line', () => {
    const errors = errorsOf({
      'triggers/b.yaml': 'id: [oops\n',
      'triggers/a.yaml': MINIMAL_TRIGGER.replace('version: 1', 'version: 0').replace('page_view', '7'),
      'triggers/c.yaml': `${MINIMAL_TRIGGER.replace('minimal', 'other')}risk: high\n`,
      'triggers/ok.yaml': MINIMAL_TRIGGER.replace('minimal', 'fine'),
    });
    expect(errors).toEqual([
      'triggers/a.yaml:2 version: must be >= 1 (got 0)',
      'triggers/a.yaml:4 signal.event: expected an event type or a list of event types (e.g. page_view or [page_view, screen_view])',
      expect.stringMatching(/^triggers\/b\.yaml:\d+ YAML syntax error: /),
      'triggers/c.yaml:6 risk: risk: high needs approvedBy (who approved this trigger)',
    ]);
  });

  it('names both files of a duplicate id', () => {
    expect(errorsOf({ 'triggers/one.yaml': MINIMAL_TRIGGER, 'triggers/two.yaml': MINIMAL_TRIGGER })).toEqual([
      "triggers/one.yaml:1 id: duplicate id 'minimal': also defined in triggers/two.yaml",
      "triggers/two.yaml:1 id: duplicate id 'minimal': also defined in triggers/one.yaml",
    ]);
  });

  it('needs policies', () => {
    const result = validateDefinitions({ 'triggers/m.yaml': MINIMAL_TRIGGER });
    expect(result).toEqual({
      ok: false,
      errors: [
        {
          file: 'policies.yaml',
          line: 1,
          path: '',
          message:
            'policies are missing (add policies.yaml next to the triggers, or the __policies__ record)',
        },
      ],
    });
  });

  it('keeps one policies text', () => {
    const result = validateDefinitions({
      'triggers/policies.yaml': POLICIES_YAML,
      [POLICIES_KEY]: POLICIES_YAML,
    });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors.map((e) => `${e.file}: ${e.message}`)).toEqual([
        '__policies__: policies are also defined in triggers/policies.yaml (keep one)',
      ]);
    }
  });

  it('still checks triggers when the policies are invalid', () => {
    const errors = errorsOf({
      'triggers/policies.yaml': 'channels: {}\n',
      'triggers/t.yaml': `${MINIMAL_TRIGGER}risk: high\n`,
    });
    expect(errors).toContain('triggers/policies.yaml:1 defaults: missing (expected a mapping (key: value))');
    expect(errors).toContain(
      'triggers/t.yaml:6 risk: risk: high needs approvedBy (who approved this trigger)',
    );
  });

  it('accepts texts keyed as on the trigger-definitions topic, whose key must be the id', () => {
    expect(validateDefinitions({ [POLICIES_KEY]: POLICIES_YAML, minimal: MINIMAL_TRIGGER }).ok).toBe(true);
    const result = validateDefinitions({ [POLICIES_KEY]: POLICIES_YAML, 'other-id': MINIMAL_TRIGGER });
    expect(result.ok ? [] : result.errors).toEqual([
      {
        file: 'other-id',
        line: 1,
        path: 'id',
        message: "id 'minimal' differs from its record key 'other-id'",
      },
    ]);
  });
});

describe('isPoliciesName', () => {
  it.each([
    ['__policies__', true],
    ['policies.yaml', true],
    ['triggers/policies.yml', true],
    ['C:\\triggers\\policies.yaml', true],
    ['my-policies.yaml', false],
    ['policies', false],
  ])('%s -> %s', (name, expected) => expect(isPoliciesName(name)).toBe(expected));
});
