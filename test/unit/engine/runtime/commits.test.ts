import type { EachBatchPayload } from 'kafkajs';

import { OffsetCommitter } from '../../../../services/engine/runtime/commits';

type Offsets = ReturnType<EachBatchPayload['uncommittedOffsets']>;

/** A stand-in for kafkajs' offset manager: resolved offsets, and the commits it was asked for. */
function group() {
  const resolved = new Map<string, string>();
  const committed = new Map<string, string>();
  const commits: Offsets[] = [];
  let fail = 0;
  let release: (() => void) | null = null;
  let hold = false;
  const uncommitted = (): Offsets => {
    const topics = new Map<string, { partition: number; offset: string }[]>();
    for (const [tp, offset] of resolved) {
      if (committed.get(tp) === offset) continue;
      const [topic, partition] = tp.split('|') as [string, string];
      topics.set(topic, [...(topics.get(topic) ?? []), { partition: Number(partition), offset }]);
    }
    return { topics: [...topics].map(([topic, partitions]) => ({ topic, partitions })) };
  };
  const commit = async (offsets?: Offsets) => {
    if (!offsets) throw new Error('the committer always names its offsets');
    commits.push(offsets);
    if (hold) await new Promise<void>((r) => (release = r));
    if (fail > 0) {
      fail -= 1;
      throw new Error('REBALANCE_IN_PROGRESS');
    }
    for (const t of offsets.topics)
      for (const p of t.partitions) committed.set(`${t.topic}|${p.partition}`, p.offset);
  };
  return {
    uncommitted,
    commit,
    commits,
    resolve: (topic: string, partition: number, offset: number) =>
      resolved.set(`${topic}|${partition}`, String(offset)),
    failNext: () => (fail += 1),
    holdNext: () => (hold = true),
    release: () => {
      hold = false;
      release?.();
    },
  };
}

describe('OffsetCommitter', () => {
  let now = 0;
  const clock = () => now;
  const errors: unknown[] = [];
  const setup = (intervalMs: number) => {
    const g = group();
    const c = new OffsetCommitter(intervalMs, (e) => errors.push(e), clock);
    c.bind(g.uncommitted, g.commit);
    return { g, c };
  };
  beforeEach(() => {
    now = 1_800_000_000_000;
    errors.length = 0;
  });

  it('commits after the first batch, then no more often than the interval', async () => {
    const { g, c } = setup(1000);
    g.resolve('events.web', 0, 10);
    await c.afterBatch(false);
    g.resolve('events.web', 0, 20);
    now += 999;
    await c.afterBatch(false);
    expect(g.commits).toHaveLength(1);
    now += 1;
    await c.afterBatch(false);
    expect(g.commits.map((o) => o.topics[0]?.partitions[0]?.offset)).toEqual(['10', '20']);
  });

  it('commits at once when asked (the consumer is stopping), whatever the interval', async () => {
    const { g, c } = setup(60_000);
    g.resolve('events.web', 1, 5);
    await c.afterBatch(false);
    g.resolve('consent', 1, 7);
    await c.afterBatch(true);
    expect(g.commits[1]).toEqual({
      topics: [{ topic: 'consent', partitions: [{ partition: 1, offset: '7' }] }],
    });
  });

  it('with interval 0 commits after every batch', async () => {
    const { g, c } = setup(0);
    for (let i = 1; i <= 3; i++) {
      g.resolve('events.web', 0, i);
      await c.afterBatch(false);
    }
    expect(g.commits).toHaveLength(3);
  });

  it('sends nothing when nothing new was resolved, and nothing before it is bound', async () => {
    const unbound = new OffsetCommitter(0, (e) => errors.push(e), clock);
    await unbound.flush();
    const { g, c } = setup(0);
    await c.flush();
    g.resolve('profiles', 2, 3);
    await c.flush();
    await c.flush();
    expect(g.commits).toHaveLength(1);
  });

  it('reports a failed commit and carries its offsets with the next one', async () => {
    const { g, c } = setup(0);
    g.resolve('events.web', 0, 4);
    g.failNext();
    await c.flush();
    expect(errors).toHaveLength(1);
    g.resolve('events.web', 2, 9);
    await c.flush();
    expect(g.commits[1]?.topics[0]?.partitions).toEqual([
      { partition: 0, offset: '4' },
      { partition: 2, offset: '9' },
    ]);
  });

  it('runs one commit at a time: a flush during a commit waits and sends only what is still new', async () => {
    const { g, c } = setup(0);
    g.resolve('events.web', 0, 1);
    g.holdNext();
    const first = c.flush();
    while (g.commits.length === 0) await Promise.resolve();
    g.resolve('events.web', 0, 2);
    const second = c.flush();
    for (let i = 0; i < 10; i++) await Promise.resolve();
    expect(g.commits).toHaveLength(1);
    g.release();
    await Promise.all([first, second]);
    expect(g.commits.map((o) => o.topics[0]?.partitions[0]?.offset)).toEqual(['1', '2']);
  });

  it('joins a flush asked for while another waits its turn, so an outage does not pile commits up', async () => {
    const { g, c } = setup(0);
    g.resolve('events.web', 0, 1);
    g.holdNext();
    const first = c.flush();
    while (g.commits.length === 0) await Promise.resolve();
    g.resolve('events.web', 0, 2);
    const queued = [c.flush(), c.flush(), c.flush()];
    expect(new Set(queued).size).toBe(1);
    g.release();
    await Promise.all([first, ...queued]);
    expect(g.commits.map((o) => o.topics[0]?.partitions[0]?.offset)).toEqual(['1', '2']);
  });

  it('counts failures in a row for the handler, and starts again after a success', async () => {
    const counts: number[] = [];
    const g = group();
    const c = new OffsetCommitter(0, (_e, n) => counts.push(n), clock);
    c.bind(g.uncommitted, g.commit);
    for (const offset of [1, 2, 3]) {
      g.resolve('events.web', 0, offset);
      if (offset < 3) g.failNext();
      await c.flush();
    }
    g.resolve('events.web', 0, 4);
    g.failNext();
    await c.flush();
    expect(counts).toEqual([1, 2, 1]);
  });

  it('reports through the handler given to flush when there is one', async () => {
    const { g, c } = setup(0);
    const quiet: unknown[] = [];
    g.resolve('events.web', 0, 1);
    g.failNext();
    await c.flush((e) => quiet.push(e));
    expect(quiet).toHaveLength(1);
    expect(errors).toHaveLength(0);
  });
});
