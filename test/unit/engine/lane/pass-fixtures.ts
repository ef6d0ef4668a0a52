import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { compileDefinitions } from '../../../../services/engine/definitions';
import type { CompiledDefinitions, DefinitionTexts } from '../../../../services/engine/definitions';
import type { Input } from '../../../../services/engine/evaluate';
import { passEnvironment } from '../../../../services/engine/lane';
import type { PassEnvironment, WorkerSetup } from '../../../../services/engine/lane';

/** The lane tests' one-trigger set (web personalisation on a page view, consent from the example policies). */
export const TEXTS: DefinitionTexts = {
  'triggers/policies.yaml': readFileSync(join(__dirname, '../../../../triggers/policies.yaml'), 'utf8'),
  'triggers/t.yaml': `id: pass-test
version: 1
signal:
  event: page_view
action: { channel: web, type: web.personalize }
`,
};

export function definitions(): CompiledDefinitions {
  const result = compileDefinitions(TEXTS);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result;
}

export const SETUP: WorkerSetup = {
  topicPrefix: 'pt.',
  outputEncoding: 'avro',
  renderSecret: 'pass-test-render-secret-0123456789abcdef',
  renderTokenTtlMs: 86_400_000,
  keyPrefix: 'pt:',
  cluster: false,
};

/** The environment a worker builds from SETUP, here on this thread with `clock`. */
export function environment(clock: () => number): PassEnvironment {
  return passEnvironment(SETUP, clock);
}

export function grant(userId: string, at: number): Input {
  return {
    kind: 'consent',
    change: { userId, purpose: 'personalization', status: 'granted', updatedAt: at, source: 'test' },
  };
}

export function pageView(userId: string, n: number, at: number): Input {
  return {
    kind: 'event',
    event: {
      eventId: `${userId}-${n}`,
      userId,
      channel: 'web',
      type: 'page_view',
      occurredAt: at + n,
      sessionId: 's1',
      properties: { path: '/pricing' },
      context: null,
    },
  };
}
