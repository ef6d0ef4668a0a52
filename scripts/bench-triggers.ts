import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ROOT } from './processes';

/** Triggers in the benchmark's set: each example of triggers/ four times. */
export const BENCH_TRIGGER_COPIES = 4;

/**
 * The benchmark's trigger set in a new temporary folder (the caller deletes it): each example trigger
 * BENCH_TRIGGER_COPIES times under its own id (`<id>-v<n>`), and policies whose breaker never trips.
 * Returns the folder and the number of triggers.
 */
export function writeBenchTriggers(): { dir: string; triggers: number } {
  const dir = mkdtempSync(join(tmpdir(), 'bench-triggers-'));
  const src = join(ROOT, 'triggers');
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
    for (let i = 0; i < BENCH_TRIGGER_COPIES; i++) {
      writeFileSync(
        join(dir, file.replace('.yaml', `-${i}.yaml`)),
        text.replace(/^id: (\S+)/m, `id: $1-v${i}`),
      );
      triggers += 1;
    }
  }
  return { dir, triggers };
}
