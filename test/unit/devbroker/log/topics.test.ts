import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { TopicStore } from '../../../../services/devbroker/log';
import { buildBatch } from '../batch-builder';

// devbroker.md §4 CreatePartitions and §5 persistence and idempotence, at the topic store.
let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'devbroker-topics-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('TopicStore.grow', () => {
  it('adds empty partitions after the existing ones, which keep their records, across a restart', () => {
    const a = new TopicStore(dir);
    a.create('t', 2, { 'retention.ms': '1000' });
    a.partition('t', 1)?.append(buildBatch());
    a.grow('t', 5);
    expect(a.get('t')?.partitions).toHaveLength(5);
    expect(a.partition('t', 4)?.leo).toBe(0);
    a.close();
    const b = new TopicStore(dir);
    expect(b.get('t')?.partitions).toHaveLength(5);
    expect(b.get('t')?.configs).toEqual({ 'retention.ms': '1000' });
    expect(b.partition('t', 1)?.leo).toBe(1);
    const topicDir = join(dir, 'topics', 't');
    expect(JSON.parse(readFileSync(join(topicDir, 'meta.json'), 'utf8'))).toMatchObject({ partitions: 5 });
    expect(readdirSync(topicDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    b.close();
  });
});

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
