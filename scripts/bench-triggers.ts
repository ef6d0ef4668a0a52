import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ROOT } from './processes';

/** Triggers in the `copies` set: each example of triggers/ four times. */
export const BENCH_TRIGGER_COPIES = 4;

/** The benchmark's trigger sets (BENCH_TRIGGERS). */
export const BENCH_TRIGGER_SETS = ['mixed', 'copies'] as const;
export type BenchTriggerSet = (typeof BENCH_TRIGGER_SETS)[number];

/** BENCH_TRIGGERS, `mixed` when unset; anything else stops the benchmark with a sentence naming it. */
export function benchTriggerSet(value = process.env.BENCH_TRIGGERS): BenchTriggerSet {
  if (value === undefined || value === '') return 'mixed';
  if ((BENCH_TRIGGER_SETS as readonly string[]).includes(value)) return value as BenchTriggerSet;
  throw new Error(`BENCH_TRIGGERS is "${value}": set it to mixed (the default) or copies.`);
}

/**
 * The benchmark's trigger set in a new temporary folder (the caller deletes it), with policies whose
 * breaker never trips. Returns the folder and the number of triggers.
 *
 * - `mixed` (default): the nine examples of triggers/ and the thirty of bench/triggers/, 39 distinct
 *   triggers as a marketing team would run them over the load generator's traffic: plain, count,
 *   absent, after, sequences, caps, holdouts and a shadow trigger across the four channels, most of
 *   them for one segment (a product line, a page, a campaign, a screen, a lifecycle stage).
 * - `copies`: each example BENCH_TRIGGER_COPIES times under its own id (`<id>-v<n>`), the set the
 *   figures until the late-night session of 2026-12-01 were measured with. Every copy matches, fires and keeps state for the
 *   same events as its example, so it costs four times the decisions a distinct set of that size makes.
 */
export function writeBenchTriggers(set: BenchTriggerSet = benchTriggerSet()): {
  dir: string;
  triggers: number;
} {
  const dir = mkdtempSync(join(tmpdir(), 'bench-triggers-'));
  const src = join(ROOT, 'triggers');
  const copies = set === 'copies' ? BENCH_TRIGGER_COPIES : 1;
  let triggers = 0;
  for (const file of readdirSync(src).filter((f) => f.endsWith('.yaml'))) {
    const text = readFileSync(join(src, file), 'utf8');
    if (file === 'policies.yaml') {
      writeFileSync(
        join(dir, file),
        text.replace(/maxActivationsPerMinute: \d+/, 'maxActivationsPerMinute: 10000000'),
      );
      continue;
    }
    for (let i = 0; i < copies; i++) {
      writeFileSync(
        join(dir, copies === 1 ? file : file.replace('.yaml', `-${i}.yaml`)),
        copies === 1 ? text : text.replace(/^id: (\S+)/m, `id: $1-v${i}`),
      );
      triggers += 1;
    }
  }
  if (set === 'mixed') {
    const more = join(ROOT, 'bench', 'triggers');
    for (const file of readdirSync(more).filter((f) => f.endsWith('.yaml'))) {
      writeFileSync(join(dir, file), readFileSync(join(more, file), 'utf8'));
      triggers += 1;
    }
  }
  return { dir, triggers };
}
