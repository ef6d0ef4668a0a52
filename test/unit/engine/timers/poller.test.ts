import { TimerPoller } from '../../../../services/engine/timers';
import type { TimerPollerOptions } from '../../../../services/engine/timers';
import type { DueTimer } from '../../../../services/engine/state';

/** A due index per partition with the store's contract: due at or before upTo, earliest first, limited. */
function fakeStore(index: Record<number, DueTimer[]>) {
  const calls: { partition: number; upTo: number; limit: number }[] = [];
  return {
    calls,
    dueTimers(partition: number, upTo: number, limit: number): Promise<DueTimer[]> {
      calls.push({ partition, upTo, limit });
      const due = (index[partition] ?? []).filter((t) => t.dueAt <= upTo).sort((a, b) => a.dueAt - b.dueAt);
      return Promise.resolve(due.slice(0, limit));
    },
  };
}

function poller(overrides: Partial<TimerPollerOptions> & Pick<TimerPollerOptions, 'store'>) {
  const handed: { partition: number; due: DueTimer[] }[] = [];
  const errors: unknown[] = [];
  const p = new TimerPoller({
    intervalMs: 50,
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

  it('once started, fires a due timer within one interval and stops cleanly', async () => {
    jest.useFakeTimers();
    try {
      let now = 0;
      const store = fakeStore({ 0: [timer('a', 120)] });
      const { p, handed } = poller({ store, clock: () => now });
      p.setPartitions([0]);
      p.start();
      for (let step = 0; step < 4 && handed.length === 0; step++) {
        now += 50;
        await jest.advanceTimersByTimeAsync(50);
      }
      // Due at 120; polls at 50, 100, 150: the one at 150 hands it over, 30 ms after due.
      expect(handed).toEqual([{ partition: 0, due: [timer('a', 120)] }]);
      expect(now - 120).toBeLessThan(100);
      await p.stop();
      const polls = store.calls.length;
      await jest.advanceTimersByTimeAsync(500);
      expect(store.calls).toHaveLength(polls);
    } finally {
      jest.useRealTimers();
    }
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
