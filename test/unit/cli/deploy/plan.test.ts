import { planDeploy } from '../../../../services/cli/deploy';
import { POLICIES_KEY, validateDefinitions } from '../../../../services/engine/definitions';
import { MINIMAL_TRIGGER, POLICIES_YAML } from '../../engine/definitions/fixtures';

const trigger = (id: string, version: number, extra = '') =>
  MINIMAL_TRIGGER.replace('id: minimal', `id: ${id}`).replace('version: 1', `version: ${version}`) + extra;

function folder(texts: Record<string, string>) {
  const all = { 'triggers/policies.yaml': POLICIES_YAML, ...texts };
  const valid = validateDefinitions(all);
  if (!valid.ok) throw new Error(valid.errors.map((e) => e.message).join('\n'));
  return { texts: all, valid };
}

describe('planDeploy', () => {
  it('publishes every trigger and the policies to an empty topic', () => {
    const plan = planDeploy(new Map(), folder({ 'triggers/a.yaml': trigger('aa', 1) }), false);
    expect(plan.publish.map((r) => r.key)).toEqual([POLICIES_KEY, 'aa']);
    expect(plan.publish.find((r) => r.key === 'aa')?.value).toBe(trigger('aa', 1));
    expect(plan.refused).toEqual([]);
  });

  it('does not republish texts that are deployed unchanged', () => {
    const deployed = new Map([
      [POLICIES_KEY, POLICIES_YAML],
      ['aa', trigger('aa', 1)],
    ]);
    const plan = planDeploy(deployed, folder({ 'triggers/a.yaml': trigger('aa', 1) }), false);
    expect(plan.publish).toEqual([]);
    expect(plan.unchanged).toEqual([POLICIES_KEY, 'aa']);
  });

  it('refuses a changed trigger whose version was not bumped, naming the version to set', () => {
    const deployed = new Map([['aa', trigger('aa', 3)]]);
    const plan = planDeploy(
      deployed,
      folder({ 'triggers/a.yaml': trigger('aa', 3, 'description: changed\n') }),
      false,
    );
    expect(plan.refused).toEqual([
      "triggers/a.yaml: trigger 'aa' changed but its version is 3 and v3 is deployed (set version: 4)",
    ]);
  });

  it('refuses a version that goes down', () => {
    const plan = planDeploy(
      new Map([['aa', trigger('aa', 5)]]),
      folder({ 'triggers/a.yaml': trigger('aa', 2) }),
      false,
    );
    expect(plan.refused).toHaveLength(1);
  });

  it('publishes a changed trigger with a higher version', () => {
    const plan = planDeploy(
      new Map([['aa', trigger('aa', 1)]]),
      folder({ 'triggers/a.yaml': trigger('aa', 2, 'description: changed\n') }),
      false,
    );
    expect(plan.refused).toEqual([]);
    expect(plan.publish.map((r) => r.key)).toContain('aa');
  });

  it('lists deployed triggers missing from the folder, and tombstones them only with prune', () => {
    const deployed = new Map<string, string | null>([
      ['gone', trigger('gone', 1)],
      ['already-gone', null],
    ]);
    const keep = planDeploy(deployed, folder({}), false);
    expect(keep.orphaned).toEqual(['gone']);
    expect(keep.publish.some((r) => r.value === null)).toBe(false);
    const prune = planDeploy(deployed, folder({}), true);
    expect(prune.publish).toContainEqual({ key: 'gone', value: null });
    expect(prune.publish.some((r) => r.key === 'already-gone')).toBe(false);
  });

  it('accepts a deployed text that no longer parses as a replaceable trigger', () => {
    const plan = planDeploy(
      new Map([['aa', 'not: [valid']]),
      folder({ 'triggers/a.yaml': trigger('aa', 1) }),
      false,
    );
    expect(plan.refused).toEqual([]);
    expect(plan.publish.map((r) => r.key)).toContain('aa');
  });
});
