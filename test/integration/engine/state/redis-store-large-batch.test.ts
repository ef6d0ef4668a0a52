import { randomUUID } from 'node:crypto';

import Redis from 'ioredis';

import { deleteKeysByPrefix } from '../../../../scripts/redis-cleanup';
import { RedisStateStore } from '../../../../services/engine/state';

interface Doc {
  rev: number;
  n: number;
}

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
jest.setTimeout(60_000);

// BATCH_MAX_RECORDS goes up to 100000, and the lane coalesces queued batches up to it, so one apply may
// carry tens of thousands of users. On a single Redis they travel as script calls in one pipeline: the
// batch must not become one call whose argument list overflows the JavaScript stack.
describe('RedisStateStore with a batch of BATCH_MAX_RECORDS users', () => {
  const prefix = `test:${randomUUID()}:`;
  let client: Redis;
  let store: RedisStateStore<Doc, { id: string }>;

  beforeAll(() => {
    client = new Redis(REDIS_URL);
    store = new RedisStateStore<Doc, { id: string }>({ client, keyPrefix: prefix, decisionsKept: 3 });
  });

  afterAll(async () => {
    await deleteKeysByPrefix(client, prefix);
    await client.quit();
  });

  it('applies and loads 100000 users (one decision each) in one round trip each', async () => {
    const ids = Array.from({ length: 100_000 }, (_, i) => `big-${i}`);
    const before = store.roundTrips;
    const applied = await store.apply({
      states: ids.map((userId, i) => ({ userId, expectedRev: 0, next: { rev: 0, n: i }, ttlMs: 60_000 })),
      timers: [],
      decisions: ids.map((userId) => ({ userId, decision: { id: `d-${userId}` } })),
    });
    expect(applied.conflicts).toEqual([]);
    expect(store.roundTrips - before).toBe(1);

    const loaded = await store.load(ids);
    expect(store.roundTrips - before).toBe(2);
    expect(loaded.size).toBe(ids.length);
    expect(loaded.get('big-0')).toEqual({ rev: 1, n: 0 });
    expect(loaded.get('big-99999')).toEqual({ rev: 1, n: 99_999 });
    expect(await store.recentDecisions('big-54321', 5)).toEqual([{ id: 'd-big-54321' }]);

    // A stale writer among them is refused alone, wherever it sits in the batch.
    const again = await store.apply({
      states: ids.map((userId, i) => ({
        userId,
        expectedRev: userId === 'big-77777' ? 0 : 1,
        next: { rev: 1, n: -i },
        ttlMs: 60_000,
      })),
      timers: [],
      decisions: [],
    });
    expect(again.conflicts).toEqual(['big-77777']);
    const after = await store.load(['big-77776', 'big-77777', 'big-77778']);
    expect([...after.values()]).toEqual([
      { rev: 2, n: -77_776 },
      { rev: 1, n: 77_777 },
      { rev: 2, n: -77_778 },
    ]);
  });
});
