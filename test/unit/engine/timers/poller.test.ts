import { TimerPoller } from '../../../../services/engine/timers';
import type { TimerPollerOptions } from '../../../../services/engine/timers';
import type { DueTimer, DueTimers } from '../../../../services/engine/state';

/**
 * A due index per partition with the store's contract: due at or before upTo, earliest first, limited,
 * and the due time of the first one after upTo.
 */
function fakeStore(index: Record<number, DueTimer[]>) {
  const calls: { partition: number; upTo: number; limit: number }[] = [];
  return {
    calls,
    index,
    dueTimers(partition: number, upTo: number, limit: number): Promise<DueTimers> {
      calls.push({ partition, upTo, limit });
      const all = [...(index[partition] ?? [])].sort((a, b) => a.dueAt - b.dueAt);
      const due = all.filter((t) => t.dueAt <= upTo);
      return Promise.resolve({
        due: due.slice(0, limit),
        nextDueAt: all.find((t) => t.dueAt > upTo)?.dueAt ?? null,
      });
    },
  };
}

function poller(overrides: Partial<TimerPollerOptions> & Pick<TimerPollerOptions, 'store'>) {
  const handed: { partition: number; due: DueTimer[] }[] = [];
  const errors: unknown[] = [];
  const p = new TimerPoller({
    intervalMs: 50,
    maxWaitMs: 1_000,
    batchMax: 10,
    clock: () => 1_000,
    onDue: (partition, due) => {
      handed.push({ partition, due });
      return Promise.resolve();
    },
    onError: (err) => errors.push(err),
    ...overrides,
  });
  return { p, handed, errors };
}

const timer = (userId: string, dueAt: number): DueTimer => ({ userId, timerId: 't', dueAt });

/** A poller on the faked Date.now whose lane removes the timers it is handed, as apply does after a timer input. */
function firingPoller(store: ReturnType<typeof fakeStore>) {
  const handed: { partition: number; due: DueTimer[] }[] = [];
  /** How late each timer was handed over, ms. */
  const lateness: number[] = [];
  const { p } = poller({
    store,
    clock: Date.now,
    onDue: (partition, due) => {
      store.index[partition] = (store.index[partition] ?? []).filter((t) => !due.includes(t));
      handed.push({ partition, due });
      for (const t of due) lateness.push(Date.now() - t.dueAt);
      return Promise.resolve();
    },
  });
  return { p, handed, lateness };
}

describe('TimerPoller', () => {
  it('hands each owned partition the timers due up to the injected clock, and nothing else', async () => {
    const store = fakeStore({
      0: [timer('a', 900), timer('b', 1_500)],
      1: [timer('c', 1_000)],
      2: [timer('d', 1)],
    });
    const { p, handed } = poller({ store });
    p.setPartitions([1, 0]);
    await p.pollOnce();
    expect(handed).toEqual([
      { partition: 0, due: [timer('a', 900)] },
      { partition: 1, due: [timer('c', 1_000)] },
    ]);
    expect(store.calls.every((c) => c.upTo === 1_000)).toBe(true);
  });

  it('polls again at once while a full batch came back', async () => {
    const index: Record<number, DueTimer[]> = { 0: [timer('a', 1), timer('b', 2), timer('c', 3)] };
    const store = fakeStore(index);
    const { p, handed } = poller({
      store,
      batchMax: 2,
      // The lane removes fired timers from the index, as apply does after a timer input.
      onDue: (_partition, due) => {
        index[0] = (index[0] ?? []).filter((t) => !due.includes(t));
        handed.push({ partition: 0, due });
        return Promise.resolve();
      },
    });
    p.setPartitions([0]);
    await p.pollOnce();
    expect(handed.map((h) => h.due.map((t) => t.userId))).toEqual([['a', 'b'], ['c']]);
    expect(store.calls).toHaveLength(2);
  });

  it('after a rebalance polls the partitions it got and stops polling the ones it lost', async () => {
    const store = fakeStore({ 0: [timer('a', 1)], 3: [timer('b', 1)] });
    const { p, handed } = poller({ store });
    p.setPartitions([0]);
    await p.pollOnce();
    p.setPartitions([3]);
    handed.length = 0;
    await p.pollOnce();
    expect(handed).toEqual([{ partition: 3, due: [timer('b', 1)] }]);
  });

  it('reports a failing partition and still polls the others', async () => {
    const good = fakeStore({ 1: [timer('a', 1)] });
    const store = {
      dueTimers: (partition: number, upTo: number, limit: number) =>
        partition === 0 ? Promise.reject(new Error('redis down')) : good.dueTimers(partition, upTo, limit),
    };
    const { p, handed, errors } = poller({ store });
    p.setPartitions([0, 1]);
    await p.pollOnce();
    expect(errors).toHaveLength(1);
    expect(handed).toEqual([{ partition: 1, due: [timer('a', 1)] }]);
  });

  describe('once started (fake timers; the clock is the faked Date.now)', () => {
    const T0 = 1_000_000;
    beforeEach(() => jest.useFakeTimers({ now: T0 }));
    afterEach(() => jest.useRealTimers());

    /** Polls per partition so far. */
    const pollsOf = (store: ReturnType<typeof fakeStore>, partition = 0) =>
      store.calls.filter((c) => c.partition === partition).length;

    it('sleeps until the earliest timer it knows of and fires it on time, then stops cleanly', async () => {
      const store = fakeStore({ 0: [timer('a', T0 + 300)] });
      const { p, handed } = poller({ store, clock: Date.now });
      p.setPartitions([0]);
      p.start();
      await jest.advanceTimersByTimeAsync(0);
      expect(pollsOf(store)).toBe(1); // the first poll is at once, and learns the next due time
      await jest.advanceTimersByTimeAsync(299);
      expect(pollsOf(store)).toBe(1); // no poll while nothing is due (the old poller made six)
      expect(handed).toEqual([]);
      await jest.advanceTimersByTimeAsync(1);
      expect(handed).toEqual([{ partition: 0, due: [timer('a', T0 + 300)] }]);
      expect(store.calls.at(-1)?.upTo).toBe(T0 + 300); // not a moment late
      await p.stop();
      const polls = store.calls.length;
      await jest.advanceTimersByTimeAsync(5_000);
      expect(store.calls).toHaveLength(polls);
    });

    it('fires a timer due just after a poll that found nothing due on time (the interval follows busy polls)', async () => {
      const store = fakeStore({ 0: [timer('a', T0 + 10), timer('b', T0 + 20)] });
      const { p, handed } = firingPoller(store);
      p.setPartitions([0]);
      p.start();
      await jest.advanceTimersByTimeAsync(10);
      expect(handed).toEqual([{ partition: 0, due: [timer('a', T0 + 10)] }]);
      // b is due 10 ms later, but a poll just handed a over: the next waits the interval.
      await jest.advanceTimersByTimeAsync(49);
      expect(handed).toHaveLength(1);
      await jest.advanceTimersByTimeAsync(1);
      expect(handed.map((h) => h.due.map((t) => t.userId))).toEqual([['a'], ['b']]);
      await p.stop();
    });

    it('wakes for a timer the store reports armed, sooner than the one it knew of', async () => {
      const store = fakeStore({ 0: [timer('late', T0 + 900)] });
      const { p, handed } = poller({ store, clock: Date.now });
      p.setPartitions([0]);
      p.start();
      await jest.advanceTimersByTimeAsync(100);
      store.index[0]?.push(timer('soon', T0 + 170));
      p.armed(0, T0 + 170);
      p.armed(1, T0 + 150); // a partition this instance does not own: ignored
      await jest.advanceTimersByTimeAsync(70);
      expect(handed.map((h) => h.due.map((t) => t.userId))).toEqual([['soon']]);
      expect(pollsOf(store)).toBe(2);
      // Had armed() tracked partition 1, getting it would not poll it at once.
      p.setPartitions([0, 1]);
      await jest.advanceTimersByTimeAsync(0);
      expect(pollsOf(store, 1)).toBe(1);
      await p.stop();
    });

    it('keeps a timer armed while a poll of its partition is in flight', async () => {
      const store = fakeStore({ 0: [timer('a', T0), timer('far', T0 + 900)] });
      let release = () => {};
      const { p, handed } = poller({
        store,
        clock: Date.now,
        onDue: (partition, due) => {
          handed.push({ partition, due });
          store.index[0] = (store.index[0] ?? []).filter((t) => !due.includes(t));
          if (handed.length > 1) return Promise.resolve();
          // The lane's pass re-arms a timer while the poll that answered "next at +900" is in flight.
          store.index[0]?.push(timer('rearmed', T0 + 200));
          p.armed(0, T0 + 200);
          return new Promise<void>((resolve) => (release = resolve));
        },
      });
      p.setPartitions([0]);
      p.start();
      await jest.advanceTimersByTimeAsync(10);
      release();
      await jest.advanceTimersByTimeAsync(190);
      expect(handed.map((h) => h.due.map((t) => t.userId))).toEqual([['a'], ['rearmed']]);
      await p.stop();
    });

    it('finds a timer it was not told of within maxWaitMs', async () => {
      const store = fakeStore({});
      const { p, handed } = poller({ store, clock: Date.now, maxWaitMs: 1_000 });
      p.setPartitions([0]);
      p.start();
      await jest.advanceTimersByTimeAsync(10);
      store.index[0] = [timer('elsewhere', T0 + 20)]; // e.g. written by the partition's previous owner
      await jest.advanceTimersByTimeAsync(980);
      expect(handed).toEqual([]);
      await jest.advanceTimersByTimeAsync(20);
      expect(handed.map((h) => h.due.map((t) => t.userId))).toEqual([['elsewhere']]);
      expect(pollsOf(store)).toBe(2);
      await p.stop();
    });

    it('polls at most once per interval while timers fall due all the time', async () => {
      const store = fakeStore({
        0: Array.from({ length: 100 }, (_, i) => timer(`u${i}`, T0 + 10 * i)),
      });
      const { p, handed, lateness } = firingPoller(store);
      p.setPartitions([0]);
      p.start();
      await jest.advanceTimersByTimeAsync(1_000);
      expect(Math.max(...lateness)).toBeLessThanOrEqual(50);
      const upTos = store.calls.map((c) => c.upTo);
      expect(upTos.slice(1).every((u, i) => u - (upTos[i] as number) >= 50)).toBe(true);
      expect(handed.flatMap((h) => h.due)).toHaveLength(100); // every timer, each within an interval (above)
      await p.stop();
    });

    it('retries a failed poll after one interval', async () => {
      const good = fakeStore({ 0: [timer('a', T0 + 5_000)] });
      let failures = 1;
      const store = {
        calls: good.calls,
        dueTimers: (partition: number, upTo: number, limit: number) =>
          failures-- > 0 ? Promise.reject(new Error('redis down')) : good.dueTimers(partition, upTo, limit),
      };
      const { p, errors } = poller({ store, clock: Date.now });
      p.setPartitions([0]);
      p.start();
      await jest.advanceTimersByTimeAsync(49);
      expect(errors).toHaveLength(1);
      expect(good.calls).toHaveLength(0);
      await jest.advanceTimersByTimeAsync(1);
      expect(good.calls).toHaveLength(1);
      await p.stop();
    });

    it("does not hold back a partition's timers while another partition's lane is busy", async () => {
      const store = fakeStore({ 0: [timer('slow', T0)], 1: [timer('quick', T0 + 100)] });
      const handed: [number, string, number][] = [];
      const { p } = poller({
        store,
        clock: Date.now,
        onDue: (partition, due) => {
          store.index[partition] = (store.index[partition] ?? []).filter((t) => !due.includes(t));
          for (const t of due) handed.push([partition, t.userId, Date.now() - T0]);
          // Partition 0's lane is busy for 3 s with a long pass.
          return partition === 0 ? new Promise<void>((r) => setTimeout(r, 3_000)) : Promise.resolve();
        },
      });
      p.setPartitions([0, 1]);
      p.start();
      await jest.advanceTimersByTimeAsync(200);
      expect(handed).toEqual([
        [0, 'slow', 0],
        [1, 'quick', 100],
      ]);
      await jest.advanceTimersByTimeAsync(3_000);
      await p.stop();
    });

    it("polls a partition lost and got again during its poll at once, not on the old poll's answer", async () => {
      const store = fakeStore({ 0: [timer('a', T0)] });
      const releases: (() => void)[] = [];
      const { p, handed } = poller({
        store,
        clock: Date.now,
        onDue: (partition, due) => {
          handed.push({ partition, due });
          store.index[0] = (store.index[0] ?? []).filter((t) => !due.includes(t));
          return new Promise<void>((r) => releases.push(r));
        },
      });
      p.setPartitions([0]);
      p.start();
      await jest.advanceTimersByTimeAsync(10);
      expect(handed).toHaveLength(1);
      p.setPartitions([]); // a rebalance takes partition 0 away and gives it back
      store.index[0] = [timer('from-the-old-owner', T0 + 20)];
      p.setPartitions([0]);
      releases[0]?.();
      await jest.advanceTimersByTimeAsync(20);
      expect(handed.map((h) => h.due.map((t) => t.userId))).toEqual([['a'], ['from-the-old-owner']]);
      releases[1]?.();
      await p.stop();
    });

    it('retries timers whose lane pass failed after one interval', async () => {
      const store = fakeStore({ 0: [timer('a', T0)] });
      let failures = 1;
      const handedAt: number[] = [];
      const { p, errors } = poller({
        store,
        clock: Date.now,
        onDue: (_partition, due) => {
          handedAt.push(Date.now() - T0);
          if (failures-- > 0) return Promise.reject(new Error('lane pass failed'));
          store.index[0] = (store.index[0] ?? []).filter((t) => !due.includes(t));
          return Promise.resolve();
        },
      });
      p.setPartitions([0]);
      p.start();
      await jest.advanceTimersByTimeAsync(200);
      expect(errors).toHaveLength(1);
      expect(handedAt).toEqual([0, 50]);
      await p.stop();
    });

    it('does not spin on a next due time that is not a number', async () => {
      const store = {
        calls: [] as number[],
        dueTimers: () => {
          store.calls.push(Date.now());
          return Promise.resolve({ due: [], nextDueAt: Number.NaN });
        },
      };
      const { p } = poller({ store, clock: Date.now, maxWaitMs: 1_000 });
      p.setPartitions([0]);
      p.start();
      await jest.advanceTimersByTimeAsync(2_500);
      expect(store.calls.map((t) => t - T0)).toEqual([0, 1_000, 2_000]);
      await p.stop();
    });

    it('polls a partition it gets in a rebalance at once', async () => {
      const store = fakeStore({ 0: [timer('x', T0 + 60_000)], 2: [timer('b', T0 - 1)] });
      const { p, handed } = poller({ store, clock: Date.now });
      p.setPartitions([0]);
      p.start();
      await jest.advanceTimersByTimeAsync(200);
      p.setPartitions([0, 2]);
      await jest.advanceTimersByTimeAsync(0);
      expect(handed).toEqual([{ partition: 2, due: [timer('b', T0 - 1)] }]);
      expect(pollsOf(store, 0)).toBe(1); // the partition it had is not polled again before it is due
      await p.stop();
    });
  });

  it('stop() resolves only after the poll in flight has finished, and polls nothing after it', async () => {
    jest.useFakeTimers();
    try {
      const store = fakeStore({ 0: [timer('a', 100)], 1: [timer('b', 100)] });
      const releases: (() => void)[] = [];
      const handed: number[] = [];
      const { p } = poller({
        store,
        onDue: (partition) => {
          handed.push(partition);
          return new Promise<void>((resolve) => releases.push(resolve));
        },
      });
      p.setPartitions([0, 1]);
      p.start();
      await jest.advanceTimersByTimeAsync(50);
      // Partitions are polled in parallel: a busy lane does not hold back another partition's timers.
      expect(handed).toEqual([0, 1]);

      let stopped = false;
      const stopping = p.stop().then(() => (stopped = true));
      await jest.advanceTimersByTimeAsync(200);
      expect(stopped).toBe(false);
      releases[0]?.();
      await jest.advanceTimersByTimeAsync(0);
      expect(stopped).toBe(false);

      releases[1]?.();
      await stopping;
      expect(stopped).toBe(true);
      await jest.advanceTimersByTimeAsync(500);
      expect(store.calls.map((c) => c.partition)).toEqual([0, 1]);
      expect(handed).toEqual([0, 1]);
    } finally {
      jest.useRealTimers();
    }
  });
});
