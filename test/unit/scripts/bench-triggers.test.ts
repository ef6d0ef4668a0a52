import { rmSync } from 'node:fs';

import { benchTriggerSet, writeBenchTriggers } from '../../../scripts/bench-triggers';
import type { BenchTriggerSet } from '../../../scripts/bench-triggers';
import {
  formatDefinitionError,
  readDefinitionFolder,
  validateDefinitions,
} from '../../../services/engine/definitions';

async function validated(set: BenchTriggerSet) {
  const { dir, triggers } = writeBenchTriggers(set);
  try {
    const result = validateDefinitions(await readDefinitionFolder(dir));
    if (!result.ok) throw new Error(result.errors.map(formatDefinitionError).join('\n'));
    return { triggers, result };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("the benchmark's trigger sets", () => {
  it('mixed: 39 distinct triggers that validate, of every kind issue 5 names', async () => {
    const { triggers, result } = await validated('mixed');
    const defs = result.triggers.map((t) => t.value);
    expect(triggers).toBe(39);
    expect(defs).toHaveLength(39);
    expect(new Set(defs.map((t) => t.id)).size).toBe(39);
    // No trigger is another's copy: signal, conditions and action differ for every pair.
    const shapes = defs.map((t) =>
      JSON.stringify({ signal: t.signal, action: t.action, sequence: t.sequence }),
    );
    expect(new Set(shapes).size).toBe(39);
    const count = (f: (t: (typeof defs)[number]) => boolean) => defs.filter(f).length;
    expect(count((t) => !t.signal.count && !t.signal.absent)).toBeGreaterThanOrEqual(5); // plain
    expect(count((t) => Boolean(t.signal.count))).toBeGreaterThanOrEqual(5);
    expect(count((t) => Boolean(t.signal.absent))).toBeGreaterThanOrEqual(5);
    expect(count((t) => (t.sequence?.length ?? 0) > 1)).toBeGreaterThanOrEqual(5);
    expect(count((t) => (t.suppression?.caps?.length ?? 0) > 0)).toBeGreaterThanOrEqual(3);
    expect(new Set(defs.map((t) => (t.action ?? t.sequence?.[0]?.action)?.channel))).toEqual(
      new Set(['web', 'mobile', 'email', 'paid']),
    );
    // The breaker never trips in a benchmark.
    expect(result.policies.breaker?.maxActivationsPerMinute).toBe(10_000_000);
  });

  it('copies: each example four times under its own id', async () => {
    const { triggers, result } = await validated('copies');
    const ids = result.triggers.map((t) => t.value.id);
    expect(triggers).toBe(36);
    expect(ids).toEqual(expect.arrayContaining(['cart-abandonment-v0', 'cart-abandonment-v3']));
    expect(new Set(ids).size).toBe(36);
  });

  it('BENCH_TRIGGERS names the set; anything else is refused with a sentence naming it', () => {
    expect(benchTriggerSet(undefined)).toBe('mixed');
    expect(benchTriggerSet('')).toBe('mixed');
    expect(benchTriggerSet('copies')).toBe('copies');
    expect(() => benchTriggerSet('all')).toThrow(
      'BENCH_TRIGGERS is "all": set it to mixed (the default) or copies.',
    );
  });
});
