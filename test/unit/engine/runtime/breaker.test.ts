import { compileDefinitions } from '../../../../services/engine/definitions';
import type { CompiledDefinitions } from '../../../../services/engine/definitions';
import { Breaker } from '../../../../services/engine/runtime';
import { definitionPrints, redeployed } from '../../../../services/engine/runtime/breaker';
import { MINIMAL_TRIGGER, POLICIES_YAML } from '../definitions/fixtures';

const T0 = 1_767_225_600_000;

describe('Breaker', () => {
  it('stays closed at exactly the per-minute limit and trips on the first activation above it', () => {
    const changes: [string, boolean][] = [];
    const breaker = new Breaker((trigger, open) => changes.push([trigger, open]));
    breaker.record({ cart: 3 }, 5, T0);
    breaker.record({ cart: 2 }, 5, T0 + 1_000);
    expect(breaker.isOpen('cart')).toBe(false);
    expect(changes).toEqual([]);
    breaker.record({ cart: 1 }, 5, T0 + 2_000);
    expect(breaker.isOpen('cart')).toBe(true);
    expect(breaker.status().get('cart')).toEqual({ breakerOpen: true });
    expect(changes).toEqual([['cart', true]]);
  });

  it('reports a trip once, and counts triggers apart', () => {
    const changes: [string, boolean][] = [];
    const breaker = new Breaker((trigger, open) => changes.push([trigger, open]));
    breaker.record({ cart: 6, welcome: 5 }, 5, T0);
    breaker.record({ cart: 10 }, 5, T0 + 10);
    expect(changes).toEqual([['cart', true]]);
    expect(breaker.isOpen('welcome')).toBe(false);
    expect(breaker.status().has('welcome')).toBe(false);
  });

  it('starts a fresh window 60 s after the first count, so old activations no longer weigh', () => {
    const breaker = new Breaker();
    breaker.record({ cart: 5 }, 5, T0);
    breaker.record({ cart: 5 }, 5, T0 + 60_000);
    expect(breaker.isOpen('cart')).toBe(false);
    // Within the new window the count carries on.
    breaker.record({ cart: 1 }, 5, T0 + 119_999);
    expect(breaker.isOpen('cart')).toBe(true);
  });

  it('does not roll the window before 60 s have passed', () => {
    const breaker = new Breaker();
    breaker.record({ cart: 5 }, 5, T0);
    breaker.record({ cart: 1 }, 5, T0 + 59_999);
    expect(breaker.isOpen('cart')).toBe(true);
  });

  it('reset() closes every open breaker, reports each as closed, and forgets the counts', () => {
    const changes: [string, boolean][] = [];
    const breaker = new Breaker((trigger, open) => changes.push([trigger, open]));
    breaker.record({ cart: 9, welcome: 9, quiet: 1 }, 5, T0);
    breaker.reset();
    expect(breaker.isOpen('cart')).toBe(false);
    expect(breaker.isOpen('welcome')).toBe(false);
    expect(breaker.status().size).toBe(0);
    expect(changes).toEqual([
      ['cart', true],
      ['welcome', true],
      ['cart', false],
      ['welcome', false],
    ]);
    // The count restarted from zero: the limit itself does not trip.
    breaker.record({ cart: 5 }, 5, T0 + 1);
    expect(breaker.isOpen('cart')).toBe(false);
  });

  it('resume() closes one open breaker, reports it, restarts its count, and leaves the others open', () => {
    const changes: [string, boolean][] = [];
    const breaker = new Breaker((trigger, open) => changes.push([trigger, open]));
    breaker.record({ cart: 9, welcome: 9 }, 5, T0);
    expect(breaker.resume('cart')).toBe(true);
    expect(breaker.isOpen('cart')).toBe(false);
    expect(breaker.isOpen('welcome')).toBe(true);
    expect([...breaker.status().keys()]).toEqual(['welcome']);
    expect(changes).toEqual([
      ['cart', true],
      ['welcome', true],
      ['cart', false],
    ]);
    // Within the same minute, the 9 counted before the resume no longer weigh.
    breaker.record({ cart: 5 }, 5, T0 + 1);
    expect(breaker.isOpen('cart')).toBe(false);
    breaker.record({ cart: 1 }, 5, T0 + 2);
    expect(breaker.isOpen('cart')).toBe(true);
  });

  it('resume() of a closed or unknown breaker changes nothing and says so', () => {
    const changes: [string, boolean][] = [];
    const breaker = new Breaker((trigger, open) => changes.push([trigger, open]));
    breaker.record({ cart: 3 }, 5, T0);
    expect(breaker.resume('cart')).toBe(false);
    expect(breaker.resume('nobody')).toBe(false);
    expect(changes).toEqual([]);
    // The count was kept: three more in the same minute are over the limit.
    breaker.record({ cart: 3 }, 5, T0 + 1);
    expect(breaker.isOpen('cart')).toBe(true);
  });
});

describe('redeployed', () => {
  /** Two triggers, `a` and `b`, the second with `signal` page views under `path`, and `policies`. */
  const defs = (bPath = '/pricing', policies = POLICIES_YAML, bVersion = 1): CompiledDefinitions => {
    const a = MINIMAL_TRIGGER.replace('id: minimal', 'id: trig-a');
    const b = MINIMAL_TRIGGER.replace('id: minimal', 'id: trig-b')
      .replace('version: 1', `version: ${bVersion}`)
      .replace(
        'event: page_view',
        `event: page_view\n  where: { properties.path: { startsWith: ${bPath} } }`,
      );
    const result = compileDefinitions({ 'policies.yaml': policies, 'a.yaml': a, 'b.yaml': b });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    return result;
  };
  const tripped = () => {
    const breaker = new Breaker();
    breaker.record({ 'trig-a': 9, 'trig-b': 9 }, 5, T0);
    return breaker;
  };
  const open = (b: Breaker) => ['trig-a', 'trig-b'].filter((t) => b.isOpen(t));

  it('keeps a trigger paused when the new set leaves it as it was', () => {
    const breaker = tripped();
    redeployed(breaker, definitionPrints(defs()), definitionPrints(defs()));
    expect(open(breaker)).toEqual(['trig-a', 'trig-b']);
  });

  it('closes the breaker of a trigger that changed or got a new version, and only that one', () => {
    const changed = tripped();
    redeployed(changed, definitionPrints(defs()), definitionPrints(defs('/plans')));
    expect(open(changed)).toEqual(['trig-a']);
    const bumped = tripped();
    redeployed(bumped, definitionPrints(defs()), definitionPrints(defs('/pricing', POLICIES_YAML, 2)));
    expect(open(bumped)).toEqual(['trig-a']);
  });

  it('closes the breaker of a trigger that left the set', () => {
    const breaker = tripped();
    const without = compileDefinitions({
      'policies.yaml': POLICIES_YAML,
      'a.yaml': MINIMAL_TRIGGER.replace('id: minimal', 'id: trig-a'),
    });
    if (!without.ok) throw new Error('invalid');
    redeployed(breaker, definitionPrints(defs()), definitionPrints(without));
    expect(open(breaker)).toEqual(['trig-a']);
  });

  it('closes every breaker when the policies changed, and on the first load', () => {
    const policies = tripped();
    const raised = POLICIES_YAML.replace(/breaker: .*/, 'breaker: { maxActivationsPerMinute: 9000 }');
    expect(raised).not.toBe(POLICIES_YAML);
    redeployed(policies, definitionPrints(defs()), definitionPrints(defs('/pricing', raised)));
    expect(open(policies)).toEqual([]);
    const first = tripped();
    redeployed(first, null, definitionPrints(defs()));
    expect(open(first)).toEqual([]);
  });
});
