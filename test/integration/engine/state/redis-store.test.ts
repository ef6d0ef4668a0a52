import { randomUUID } from 'node:crypto';

import Redis from 'ioredis';
import type { Cluster } from 'ioredis';

import { deleteKeysByPrefix } from '../../../../scripts/redis-cleanup';
import {
  emptyUserState,
  RedisStateStore,
  timerMember,
  USER_STATE_CODEC,
} from '../../../../services/engine/state';
import type { StoredEvent, UserState } from '../../../../services/engine/state';
import { SCRIPT } from '../../../../services/engine/state/redis-scripts';
import { startRedisCluster } from '../../../support/redis-cluster';
import type { TestRedisCluster } from '../../../support/redis-cluster';

interface Doc {
  rev: number;
  n: number;
}

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

jest.setTimeout(30_000);

// Every test on a single Redis and on a Redis Cluster of three masters started for this file (one script
// call per user there, as users' keys live in different slots), except those that call the multi-user
// script directly or count the single connection's socket writes.
describe.each([
  ['a single Redis', false],
  ['a Redis Cluster', true],
])('RedisStateStore against %s', (_, onCluster) => {
  const prefix = `test:${randomUUID()}:`;
  let cluster: TestRedisCluster | null = null;
  let client: Redis | Cluster;
  let store: RedisStateStore<Doc, { id: string }>;
  const singleOnly = onCluster ? it.skip : it;

  beforeAll(async () => {
    if (onCluster) {
      cluster = await startRedisCluster();
      client = cluster.client();
    } else client = new Redis(REDIS_URL, { lazyConnect: false });
    store = new RedisStateStore<Doc, { id: string }>({ client, keyPrefix: prefix, decisionsKept: 3 });
  });

  afterAll(async () => {
    try {
      // Only our own keys: everything under this run's unique prefix.
      await deleteKeysByPrefix(client, prefix);
      await client.quit();
    } finally {
      await cluster?.stop();
    }
  });

  it('is in cluster mode exactly on a Cluster', () => {
    expect(store.cluster).toBe(onCluster);
  });

  const write = (userId: string, expectedRev: number, n: number, ttlMs = 60_000) => ({
    userId,
    expectedRev,
    next: { rev: expectedRev, n },
    ttlMs,
  });

  it("hash-tags a user's keys alike and each partition's index on its own, under the prefix", () => {
    // Redis Cluster hashes the text between the first "{" and the next "}" (when non-empty).
    const tag = (key: string) => /\{([^}]+)\}/.exec(key)?.[1];
    for (const id of ['u1', 'a:b', 'we{ird']) {
      expect(tag(store.keys.state(id))).toBe(tag(store.keys.decisions(id)));
      expect(store.keys.state(id).startsWith(prefix)).toBe(true);
    }
    expect(tag(store.keys.state('u1'))).toBe('u:u1');
    expect(tag(store.keys.timers(3))).toBe('t:3');
    expect(() => new RedisStateStore({ client, keyPrefix: 'x{y}', decisionsKept: 1 })).toThrow(
      /REDIS_PREFIX/,
    );
  });

  singleOnly(
    'refuses an apply call whose sizes are malformed or do not match its body, naming the user, and writes nothing of it',
    async () => {
      const keys = (id: string) => [store.keys.state(id), store.keys.decisions(id), store.keys.history(id)];
      const call = (client as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[
        SCRIPT.applyUsers.command
      ] as (...a: unknown[]) => Promise<unknown>;
      const doc = '{"rev":0,"n":1}';
      // A well-formed first user, then a second whose header, lengths or body is wrong: the script checks
      // each user before writing it, so the first is written and the second not.
      const first = `0 60000 0 0 0 ${doc.length} 0 0`;
      const cases: [string, string, RegExp][] = [
        [`${first} 0 60000 0 x 0 ${doc.length} 0 0`, doc + doc, /user 2 has malformed sizes near "x"/],
        [
          `${first} 0 60000 0 0 0 ${doc.length + 5} 0 0`,
          doc + doc,
          /user 2 has a part of 20 bytes beyond the end/,
        ],
        [`${first} 0 60000 0 0 0 ${doc.length} 0`, doc + doc, /user 2 has malformed sizes near "nil"/],
        [`${first} 0 60000 0 0 -1 ${doc.length} 0 0`, doc + doc, /user 2 has a negative count/],
      ];
      for (const [sizes, body, error] of cases) {
        await expect(call.call(client, 6, ...keys('h1'), ...keys('h2'), 3, sizes, body)).rejects.toThrow(
          error,
        );
        expect(await client.exists(store.keys.state('h1'))).toBe(1);
        expect(await client.exists(store.keys.state('h2'))).toBe(0);
        await client.del(store.keys.state('h1'));
      }
      // Sizes or a body that go on past the last user are refused too.
      await expect(call.call(client, 3, ...keys('h1'), 3, `${first} 7`, doc)).rejects.toThrow(
        /do not end with the last user/,
      );
      await expect(call.call(client, 3, ...keys('h1'), 3, first, `${doc}{}`)).rejects.toThrow(
        /do not end with the last user/,
      );
      await client.del(store.keys.state('h1'));
      // The same call with matching sizes writes both.
      await call.call(client, 6, ...keys('h1'), ...keys('h2'), 3, `${first} ${first}`, doc + doc);
      expect(await client.exists(store.keys.state('h1'), store.keys.state('h2'))).toBe(2);
    },
  );

  it('cuts the body by bytes, so parts with characters beyond ASCII arrive whole', async () => {
    const { conflicts } = await store.apply({
      states: [
        { userId: 'utf', expectedRev: 0, next: { rev: 0, n: 1, name: 'José 東京 🙂' } as Doc, ttlMs: 60_000 },
      ],
      timers: [],
      decisions: [
        { userId: 'utf', decision: { id: 'é' } },
        { userId: 'utf', decision: { id: '🙂' } },
      ],
    });
    expect(conflicts).toEqual([]);
    expect((await store.load(['utf'])).get('utf')).toEqual({ rev: 1, n: 1, name: 'José 東京 🙂' });
    expect(await store.recentDecisions('utf', 10)).toEqual([{ id: '🙂' }, { id: 'é' }]);
  });

  it('loads nothing for unknown users, then what was applied, with the revision bumped', async () => {
    expect((await store.load(['nobody'])).size).toBe(0);
    const result = await store.apply({ states: [write('u1', 0, 7)], timers: [], decisions: [] });
    expect(result.conflicts).toEqual([]);
    const loaded = await store.load(['u1', 'nobody']);
    expect(loaded.get('u1')).toEqual({ rev: 1, n: 7 });
    expect(loaded.has('nobody')).toBe(false);
  });

  it('refuses a write whose expected revision is stale, writing nothing for that user', async () => {
    await store.apply({ states: [write('u2', 0, 1)], timers: [], decisions: [] });
    const stale = await store.apply({
      states: [write('u2', 0, 99)],
      timers: [{ partition: 0, userId: 'u2', timerId: 'run:x', dueAt: 5 }],
      decisions: [{ userId: 'u2', decision: { id: 'd-stale' } }],
    });
    expect(stale.conflicts).toEqual(['u2']);
    expect((await store.load(['u2'])).get('u2')).toEqual({ rev: 1, n: 1 });
    expect(await store.recentDecisions('u2', 10)).toEqual([]);
    expect(await store.dueTimers(0, 10, 10)).toEqual({ due: [], nextDueAt: null });
  });

  it('refuses only the conflicting user of a batch; the others and a decisions-only user are written', async () => {
    await store.apply({ states: [write('m1', 0, 1)], timers: [], decisions: [] });
    const result = await store.apply({
      states: [write('m1', 0, 2), write('m2', 0, 3)],
      timers: [],
      decisions: [
        { userId: 'm1', decision: { id: 'm1-d' } },
        { userId: 'm2', decision: { id: 'm2-d1' } },
        { userId: 'm3', decision: { id: 'm3-d' } },
        { userId: 'm2', decision: { id: 'm2-d2' } },
      ],
    });
    expect(result.conflicts).toEqual(['m1']);
    const loaded = await store.load(['m1', 'm2', 'm3']);
    expect(loaded.get('m1')).toEqual({ rev: 1, n: 1 });
    expect(loaded.get('m2')).toEqual({ rev: 1, n: 3 });
    expect(loaded.has('m3')).toBe(false);
    expect(await store.recentDecisions('m1', 5)).toEqual([]);
    expect((await store.recentDecisions('m2', 5)).map((d) => d.id)).toEqual(['m2-d2', 'm2-d1']);
    expect((await store.recentDecisions('m3', 5)).map((d) => d.id)).toEqual(['m3-d']);
  });

  it('lets exactly one of two concurrent writers with the same expected revision win', async () => {
    const a = store.apply({ states: [write('u3', 0, 1)], timers: [], decisions: [] });
    const b = store.apply({ states: [write('u3', 0, 2)], timers: [], decisions: [] });
    const [ra, rb] = await Promise.all([a, b]);
    expect([ra.conflicts.length, rb.conflicts.length].sort()).toEqual([0, 1]);
    expect((await store.load(['u3'])).get('u3')?.rev).toBe(1);
  });

  it('sets a time to live on the state and the decision log', async () => {
    await store.apply({
      states: [write('u4', 0, 1, 5_000)],
      timers: [],
      decisions: [{ userId: 'u4', decision: { id: 'd1' } }],
    });
    const ttl = await client.pttl(store.keys.state('u4'));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(5_000);
    expect(await client.pttl(store.keys.decisions('u4'))).toBeGreaterThan(0);
  });

  it("never shortens the decision log's time to live on a decisions-only write", async () => {
    const longMs = 400 * 24 * 3600 * 1000;
    await store.apply({
      states: [write('u6', 0, 1, longMs)],
      timers: [],
      decisions: [{ userId: 'u6', decision: { id: 'd1' } }],
    });
    await store.apply({ states: [], timers: [], decisions: [{ userId: 'u6', decision: { id: 'd2' } }] });
    expect(await client.pttl(store.keys.decisions('u6'))).toBeGreaterThan(longMs - 60_000);
    expect((await store.recentDecisions('u6', 5)).map((d) => d.id)).toEqual(['d2', 'd1']);
  });

  it('keeps no decisions when decisionsKept is 0 (LTRIM 0 -1 would keep them all)', async () => {
    const none = new RedisStateStore<Doc, { id: string }>({ client, keyPrefix: prefix, decisionsKept: 0 });
    await none.apply({
      states: [write('k0', 0, 1)],
      timers: [],
      decisions: [{ userId: 'k0', decision: { id: 'a' } }],
    });
    await none.apply({ states: [], timers: [], decisions: [{ userId: 'k0', decision: { id: 'b' } }] });
    expect(await client.exists(store.keys.decisions('k0'))).toBe(0);
    expect((await none.load(['k0'])).get('k0')).toEqual({ rev: 1, n: 1 });
  });

  it('keeps the newest decisions first, capped', async () => {
    for (const id of ['a', 'b', 'c', 'd', 'e']) {
      await store.apply({ states: [], timers: [], decisions: [{ userId: 'u5', decision: { id } }] });
    }
    expect((await store.recentDecisions('u5', 10)).map((d) => d.id)).toEqual(['e', 'd', 'c']);
  });

  it('arms, re-arms and disarms timers in the partition index, due earliest first', async () => {
    await store.apply({
      states: [],
      timers: [
        { partition: 7, userId: 'a', timerId: 'run:t1', dueAt: 300 },
        { partition: 7, userId: 'b', timerId: 'absent:t2', dueAt: 100 },
        { partition: 7, userId: 'c', timerId: 'run:t3', dueAt: 200 },
        { partition: 8, userId: 'z', timerId: 'run:t1', dueAt: 50 },
      ],
      decisions: [],
    });
    // With the due ones, when the next one falls due: the poller sleeps until then.
    expect(await store.dueTimers(7, 250, 10)).toEqual({
      due: [
        { userId: 'b', timerId: 'absent:t2', dueAt: 100 },
        { userId: 'c', timerId: 'run:t3', dueAt: 200 },
      ],
      nextDueAt: 300,
    });
    expect((await store.dueTimers(7, 300, 10)).nextDueAt).toBeNull();
    await store.apply({
      states: [],
      timers: [
        { partition: 7, userId: 'b', timerId: 'absent:t2', dueAt: null },
        { partition: 7, userId: 'a', timerId: 'run:t1', dueAt: 150 },
      ],
      decisions: [],
    });
    expect((await store.dueTimers(7, 1000, 1)).due.map((t) => t.userId)).toEqual(['a']);
    expect(await store.pendingTimers(7)).toBe(2);
  });

  /**
   * Socket writes of the client while `fn` runs: ioredis writes a whole pipeline in one write, and a
   * single command in one write, so this counts requests sent, independently of the store's own counter.
   */
  async function socketWrites(fn: () => Promise<unknown>): Promise<number> {
    const stream = (client as unknown as { stream: { write: (...args: unknown[]) => boolean } }).stream;
    const original = stream.write;
    let writes = 0;
    stream.write = (...args: unknown[]) => {
      writes += 1;
      return original.apply(stream, args);
    };
    try {
      await fn();
    } finally {
      stream.write = original;
    }
    return writes;
  }

  it("on a conflict leaves the winner's timers as they were and undoes the loser's", async () => {
    await store.apply({
      states: [write('w1', 0, 1)],
      timers: [{ partition: 9, userId: 'w1', timerId: 'run:keep', dueAt: 500 }],
      decisions: [],
    });
    // A second owner with the stale revision 0 disarms the live timer and arms another: both undone.
    const stale = await store.apply({
      states: [write('w1', 0, 2), write('w2', 0, 1)],
      timers: [
        { partition: 9, userId: 'w1', timerId: 'run:keep', dueAt: null },
        { partition: 9, userId: 'w1', timerId: 'run:other', dueAt: 100 },
        { partition: 9, userId: 'w2', timerId: 'run:fine', dueAt: 200 },
      ],
      decisions: [],
    });
    expect(stale.conflicts).toEqual(['w1']);
    expect((await store.dueTimers(9, 1_000, 10)).due).toEqual([
      { userId: 'w2', timerId: 'run:fine', dueAt: 200 },
      { userId: 'w1', timerId: 'run:keep', dueAt: 500 },
    ]);
  });

  it('tells onTimersArmed the earliest due time each write armed per partition, restores included', async () => {
    const armed: [number, number][] = [];
    const told = new RedisStateStore<Doc, { id: string }>({
      client,
      keyPrefix: prefix,
      decisionsKept: 3,
      onTimersArmed: (partition, dueAt) => armed.push([partition, dueAt]),
    });
    await told.apply({
      states: [write('armed-1', 0, 1)],
      timers: [
        { partition: 20, userId: 'armed-1', timerId: 'run:a', dueAt: 700 },
        { partition: 20, userId: 'armed-1', timerId: 'run:b', dueAt: 400 },
        { partition: 21, userId: 'armed-1', timerId: 'run:c', dueAt: 900 },
        { partition: 22, userId: 'armed-1', timerId: 'run:d', dueAt: null },
      ],
      decisions: [],
    });
    expect(armed).toEqual([
      [20, 400],
      [21, 900],
    ]);
    armed.length = 0;
    // A refused write that disarmed run:b: the restore puts it back at 400, and says so.
    const stale = await told.apply({
      states: [write('armed-1', 0, 2)],
      timers: [{ partition: 20, userId: 'armed-1', timerId: 'run:b', dueAt: null }],
      decisions: [],
    });
    expect(stale.conflicts).toEqual(['armed-1']);
    expect(armed).toEqual([[20, 400]]);
    expect((await told.dueTimers(20, 500, 10)).due.map((t) => t.timerId)).toEqual(['run:b']);

    // A call Redis refuses (malformed sizes) still reports the timers its pipeline carried: they were
    // written beside it.
    armed.length = 0;
    const keys = [told.keys.state('armed-2'), told.keys.decisions('armed-2'), told.keys.history('armed-2')];
    await expect(
      told.applyEncoded({
        userIds: ['armed-2'],
        calls: [{ keys, sizes: 'not sizes', body: Buffer.from('') }],
        timers: [[23, [[timerMember('armed-2', 'run:e'), 'armed-2', 650]]]],
      }),
    ).rejects.toThrow(/malformed sizes/);
    expect(armed).toEqual([[23, 650]]);
    expect((await told.dueTimers(23, 700, 10)).due.map((t) => t.timerId)).toEqual(['run:e']);
  });

  it('restores a timer member only while it still holds what the refused batch wrote', async () => {
    const key = store.keys.timers(10);
    const call = (command: string, ...args: string[]) =>
      (client as unknown as Record<string, (...a: string[]) => Promise<unknown>>)[command]?.(key, ...args);
    expect(await call('triggerSetTimersV1', 'm1', '100', 'm2', '200')).toEqual(['', '']);
    expect(await call('triggerSetTimersV1', 'm1', '', 'm2', '250')).toEqual(['100', '200']);
    await client.zadd(key, 300, 'm2'); // the winning writer moved m2 since
    expect(await call('triggerRestoreTimersV1', 'm1', '', '100', 'm2', '250', '200')).toBe(1);
    expect(await client.zrange(key, 0, -1, 'WITHSCORES')).toEqual(['m1', '100', 'm2', '300']);
  });

  /** 1000 new users `<tag>-<i>`, each with a decision and a timer due at 1000 + i in partition `first + i % 4`. */
  const thousandUsers = (tag: string, first: number) => {
    const ids = Array.from({ length: 1000 }, (_, i) => `${tag}-${i}`);
    const batch = {
      states: ids.map((id) => write(id, 0, 1)),
      timers: ids.map((userId, i) => ({
        partition: first + (i % 4),
        userId,
        timerId: 'run:t',
        dueAt: 1_000 + i,
      })),
      decisions: ids.map((userId) => ({ userId, decision: { id: `d-${userId}` } })),
    };
    return { ids, batch };
  };

  singleOnly('applies states, decisions and timers of 1000 users in one round trip', async () => {
    const { batch } = thousandUsers('mixed', 11);
    let result: { conflicts: string[] } = { conflicts: ['not run'] };
    const writes = await socketWrites(async () => {
      result = await store.apply(batch);
    });
    expect(result.conflicts).toEqual([]);
    expect(writes).toBe(1);
    expect(await store.pendingTimers(11)).toBe(250);
    expect((await store.dueTimers(12, 1_001, 10)).due.map((t) => t.userId)).toEqual(['mixed-1']);
  });

  singleOnly('loads and applies a batch of 1000 users in one round trip each', async () => {
    const ids = Array.from({ length: 1000 }, (_, i) => `bulk-${i}`);
    // Control: the counter sees commands sent one by one as separate requests.
    expect(await socketWrites(() => Promise.all([client.get(`${prefix}x`), client.get(`${prefix}y`)]))).toBe(
      2,
    );
    const before = store.roundTrips;
    expect(await socketWrites(() => store.load(ids))).toBe(1);
    expect(store.roundTrips - before).toBe(1);
    const mid = store.roundTrips;
    let result: { conflicts: string[] } = { conflicts: ['not run'] };
    const writes = await socketWrites(async () => {
      result = await store.apply({
        states: ids.map((id) => write(id, 0, 1)),
        timers: [],
        decisions: ids.map((userId) => ({ userId, decision: { id: `d-${userId}` } })),
      });
    });
    expect(result.conflicts).toEqual([]);
    expect(writes).toBe(1);
    expect(store.roundTrips - mid).toBe(1);
    const loaded = await store.load(ids);
    expect(loaded.size).toBe(1000);
    expect(loaded.get('bulk-999')).toEqual({ rev: 1, n: 1 });
    expect(await store.recentDecisions('bulk-999', 5)).toEqual([{ id: 'd-bulk-999' }]);
  });

  it('loads and applies 1000 users with timers in four partitions, one round trip of wall time each', async () => {
    const { ids, batch } = thousandUsers('spread', 41);
    const before = store.roundTrips;
    const result = await store.apply(batch);
    expect(result.conflicts).toEqual([]);
    const loaded = await store.load(ids);
    // Counted once each, however many nodes and slots the calls went to.
    expect(store.roundTrips - before).toBe(2);
    expect(loaded.size).toBe(1000);
    expect([...loaded.values()].every((d) => d.rev === 1 && d.n === 1)).toBe(true);
    expect(await store.recentDecisions('spread-999', 5)).toEqual([{ id: 'd-spread-999' }]);
    expect(await store.pendingTimers(41)).toBe(250);
    expect(await store.dueTimers(42, 1_001, 10)).toEqual({
      due: [{ userId: 'spread-1', timerId: 'run:t', dueAt: 1_001 }],
      nextDueAt: 1_005,
    });
    if (onCluster) {
      // The users really are spread: every master holds some of their state.
      const masters = (client as Cluster).nodes('master');
      const counts = await Promise.all(
        masters.map(
          async (node) => (await node.scan('0', 'MATCH', `${prefix}{u:spread-*`, 'COUNT', 10_000))[1].length,
        ),
      );
      expect(counts.every((n) => n > 0)).toBe(true);
    }
  });

  describe("with the engine's state codec (history in its own list)", () => {
    let users: RedisStateStore<UserState, { id: string }>;
    beforeAll(() => {
      users = new RedisStateStore<UserState, { id: string }>({
        client,
        keyPrefix: `${prefix}codec:`,
        decisionsKept: 3,
        codec: USER_STATE_CODEC,
      });
    });
    const event = (eventId: string, occurredAt: number): StoredEvent => ({
      eventId,
      channel: 'web',
      type: 'page_view',
      occurredAt,
      sessionId: 's1',
      properties: { path: `/${eventId}` },
      context: { locale: 'en-GB', region: 'GB', timezone: 'Europe/London', userAgent: null, bot: false },
    });
    const save = async (id: string, next: UserState, previous: UserState | undefined, ttlMs = 60_000) =>
      users.apply({
        states: [{ userId: id, expectedRev: previous?.rev ?? 0, next, previous, ttlMs }],
        timers: [],
        decisions: [],
      });
    const loadOne = async (id: string) => (await users.load([id])).get(id) as UserState;

    it('appends new events, drops pruned ones from the front, and reads back what was written', async () => {
      const first = { ...emptyUserState(), history: [event('a', 1), event('b', 2)] };
      await save('h1', first, undefined);
      let loaded = await loadOne('h1');
      expect(loaded).toEqual({ ...first, rev: 1 });
      const next = { ...loaded, history: [...loaded.history.slice(1), event('c', 3), event('d', 4)] };
      expect(USER_STATE_CODEC.encode(next, loaded).history).toMatchObject({ drop: 1 });
      await save('h1', next, loaded);
      expect(await client.lrange(users.keys.history('h1'), 0, -1)).toHaveLength(3);
      loaded = await loadOne('h1');
      expect(loaded).toEqual({ ...next, rev: 2 });
      // An event before the others: the list is rewritten in order.
      const late = { ...loaded, history: [event('early', 0), ...loaded.history] };
      await save('h1', late, loaded);
      expect((await loadOne('h1')).history.map((e) => e.eventId)).toEqual(['early', 'b', 'c', 'd']);
    });

    it('rewrites the list when an old event stays while newer ones are dropped (the history cap keeps it)', async () => {
      const first = { ...emptyUserState(), history: ['a', 'b', 'c', 'd'].map((id, i) => event(id, i + 1)) };
      await save('h6', first, undefined);
      const loaded = await loadOne('h6');
      const [a, , , d] = loaded.history;
      await save('h6', { ...loaded, history: [a as StoredEvent, d as StoredEvent, event('e', 5)] }, loaded);
      expect((await loadOne('h6')).history.map((e) => e.eventId)).toEqual(['a', 'd', 'e']);
      expect(await client.lrange(users.keys.history('h6'), 0, -1)).toHaveLength(3);
    });

    it('writes consent and trigger states only when they changed, and reads back what was written', async () => {
      const first = { ...emptyUserState(), history: [event('a', 1)] };
      first.consent = { offers: { status: 'granted', updatedAt: 1, source: 'cmp' } };
      await save('h5', first, undefined);
      const loaded = await loadOne('h5');
      // Mark the stored sections: a write that leaves them alone keeps the marks.
      await client.hset(users.keys.state('h5'), 'p', `${await client.hget(users.keys.state('h5'), 'p')} `);
      const next = { ...loaded, history: [...loaded.history, event('b', 2)] };
      await save('h5', next, loaded);
      expect(await client.hget(users.keys.state('h5'), 'p')).toMatch(/ $/);
      const again = await loadOne('h5');
      expect(again).toEqual({ ...next, rev: 2 });
      const revoked = {
        ...again,
        consent: { offers: { status: 'denied' as const, updatedAt: 3, source: 'cmp' } },
      };
      await save('h5', revoked, again);
      expect(await client.hget(users.keys.state('h5'), 'p')).not.toMatch(/ $/);
      expect((await loadOne('h5')).consent.offers?.status).toBe('denied');
    });

    it('writes nothing of a refused user: document and history list stay as the winner left them', async () => {
      await save('h2', { ...emptyUserState(), history: [event('a', 1)] }, undefined);
      const loaded = await loadOne('h2');
      const winner = { ...loaded, history: [...loaded.history, event('w', 2)] };
      const loser = { ...loaded, history: [...loaded.history, event('l', 2), event('l2', 3)] };
      expect((await save('h2', winner, loaded)).conflicts).toEqual([]);
      const hash = await client.hgetall(users.keys.state('h2'));
      loser.consent = { offers: { status: 'denied', updatedAt: 9, source: 'cmp' } };
      expect((await save('h2', loser, loaded)).conflicts).toEqual(['h2']);
      expect(await client.hgetall(users.keys.state('h2'))).toEqual(hash);
      expect((await loadOne('h2')).history.map((e) => e.eventId)).toEqual(['a', 'w']);
    });

    it("gives the history list the state's time to live", async () => {
      await save('h3', { ...emptyUserState(), history: [event('a', 1)] }, undefined, 5_000);
      const ttl = await client.pttl(users.keys.history('h3'));
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(5_000);
      expect(/\{([^}]+)\}/.exec(users.keys.history('h3'))?.[1]).toBe('u:h3');
    });

    it('reads a document written with its history inside, and moves the history out on the next write', async () => {
      const old = { ...emptyUserState(), history: [event('a', 1)] };
      await client.hset(users.keys.state('h4'), 'r', 4, 'd', JSON.stringify(old));
      const loaded = await loadOne('h4');
      expect(loaded).toEqual({ ...old, rev: 4 });
      await save('h4', { ...loaded, history: [...loaded.history, event('b', 2)] }, loaded);
      expect(await client.hget(users.keys.state('h4'), 'd')).not.toContain('"history"');
      // Profile, consent and trigger states moved to their own fields too.
      expect(await client.hget(users.keys.state('h4'), 'd')).not.toContain('"consent"');
      expect(await client.hmget(users.keys.state('h4'), 'p', 't')).not.toContain(null);
      expect((await loadOne('h4')).history.map((e) => e.eventId)).toEqual(['a', 'b']);
    });
  });
});
