import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { TopicStore } from '../../../../services/devbroker/log';
import { buildBatch } from '../batch-builder';

// devbroker.md §5 persistence and idempotence, at the topic store.
let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'devbroker-topics-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('TopicStore.newProducerId', () => {
  it('counts up from 1000 on an empty store', () => {
    const s = new TopicStore(null);
    expect([s.newProducerId(), s.newProducerId()]).toEqual([1000n, 1001n]);
  });
  it('after a restart, hands out ids above every producer id in the logs', () => {
    const a = new TopicStore(dir);
    a.create('t', 2);
    a.partition('t', 1)?.append(buildBatch({ producerId: 1234n, baseSequence: 0 }));
    a.close();
    const b = new TopicStore(dir);
    expect(b.newProducerId()).toBe(1235n);
    b.close();
  });
});
