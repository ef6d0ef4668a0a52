import { emptyUserState, MemoryStateStore } from '../../../../services/engine/state';
import type { UserState } from '../../../../services/engine/state';

const doc = (over: Partial<UserState> = {}): UserState => ({ ...emptyUserState(), ...over });

describe('MemoryStateStore', () => {
  it('loads only users with state, as copies', async () => {
    const store = new MemoryStateStore<UserState>();
    await store.apply({
      states: [{ userId: 'a', expectedRev: 0, next: doc({ profile: { x: '1' } }), ttlMs: 1000 }],
      timers: [],
      decisions: [],
    });
    const loaded = await store.load(['a', 'b']);
    expect([...loaded.keys()]).toEqual(['a']);
    expect(loaded.get('a')?.rev).toBe(1);
    (loaded.get('a') as UserState).profile.x = 'changed';
    expect((await store.load(['a'])).get('a')?.profile.x).toBe('1');
  });

  it('refuses a write whose expectedRev is not the stored revision (CAS), and skips that user’s timers and decisions', async () => {
    const store = new MemoryStateStore<UserState, string>();
    await store.apply({
      states: [{ userId: 'a', expectedRev: 0, next: doc(), ttlMs: 1000 }],
      timers: [],
      decisions: [],
    });
    const r = await store.apply({
      states: [
        { userId: 'a', expectedRev: 0, next: doc(), ttlMs: 1000 },
        { userId: 'b', expectedRev: 0, next: doc(), ttlMs: 1000 },
      ],
      timers: [
        { partition: 0, userId: 'a', timerId: 't', dueAt: 5 },
        { partition: 0, userId: 'b', timerId: 't', dueAt: 6 },
      ],
      decisions: [
        { userId: 'a', decision: 'da' },
        { userId: 'b', decision: 'db' },
      ],
    });
    expect(r.conflicts).toEqual(['a']);
    expect((await store.dueTimers(0, 10, 10)).due.map((t) => t.userId)).toEqual(['b']);
    expect(await store.recentDecisions('a', 10)).toEqual([]);
    expect(await store.recentDecisions('b', 10)).toEqual(['db']);
    const next = await store.apply({
      states: [{ userId: 'a', expectedRev: 1, next: doc(), ttlMs: 1000 }],
      timers: [],
      decisions: [],
    });
    expect(next.conflicts).toEqual([]);
    expect((await store.load(['a'])).get('a')?.rev).toBe(2);
  });

  it('due timers: per partition, due at or before upTo, earliest first, limited, with the next due time; null disarms', async () => {
    const store = new MemoryStateStore<UserState>();
    await store.apply({
      states: [],
      timers: [
        { partition: 1, userId: 'a', timerId: 'x', dueAt: 30 },
        { partition: 1, userId: 'b', timerId: 'x', dueAt: 10 },
        { partition: 1, userId: 'c', timerId: 'x', dueAt: 20 },
        { partition: 2, userId: 'd', timerId: 'x', dueAt: 1 },
      ],
      decisions: [],
    });
    expect((await store.dueTimers(1, 25, 10)).due.map((t) => t.userId)).toEqual(['b', 'c']);
    expect((await store.dueTimers(1, 25, 10)).nextDueAt).toBe(30);
    expect((await store.dueTimers(1, 100, 1)).due.map((t) => t.userId)).toEqual(['b']);
    expect((await store.dueTimers(1, 5, 10)).nextDueAt).toBe(10);
    await store.apply({
      states: [],
      timers: [{ partition: 1, userId: 'b', timerId: 'x', dueAt: null }],
      decisions: [],
    });
    expect(await store.dueTimers(1, 100, 10)).toMatchObject({
      due: [{ userId: 'c' }, { userId: 'a' }],
      nextDueAt: null,
    });
    expect(await store.dueTimers(3, 100, 10)).toEqual({ due: [], nextDueAt: null });
  });

  it('recent decisions newest first, bounded per user', async () => {
    const store = new MemoryStateStore<UserState, number>({ decisionsPerUser: 2 });
    await store.apply({
      states: [],
      timers: [],
      decisions: [1, 2, 3].map((d) => ({ userId: 'a', decision: d })),
    });
    expect(await store.recentDecisions('a', 10)).toEqual([3, 2]);
    expect(await store.recentDecisions('a', 1)).toEqual([3]);
  });

  it('state expires after its time to live on the injected clock', async () => {
    let now = 0;
    const store = new MemoryStateStore<UserState>({ now: () => now });
    await store.apply({
      states: [{ userId: 'a', expectedRev: 0, next: doc(), ttlMs: 100 }],
      timers: [],
      decisions: [],
    });
    now = 99;
    expect((await store.load(['a'])).size).toBe(1);
    now = 100;
    expect((await store.load(['a'])).size).toBe(0);
    // An expired user starts again at revision 0.
    const r = await store.apply({
      states: [{ userId: 'a', expectedRev: 0, next: doc(), ttlMs: 100 }],
      timers: [],
      decisions: [],
    });
    expect(r.conflicts).toEqual([]);
  });
});
