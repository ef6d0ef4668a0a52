import type { EachBatchPayload } from 'kafkajs';

import { OffsetCommitter } from '../../../../services/engine/runtime/commits';

type Offsets = ReturnType<EachBatchPayload['uncommittedOffsets']>;

/** A stand-in for the consumer group's commit: the commits it was asked for, failing or held on demand. */
function group() {
  const commits: Offsets[] = [];
  let fail = 0;
  let release: (() => void) | null = null;
  let hold = false;
  const commit = async (offsets?: Offsets) => {
    if (!offsets) throw new Error('the committer always names its offsets');
    commits.push(offsets);
    if (hold) await new Promise<void>((r) => (release = r));
    if (fail > 0) {
      fail -= 1;
      throw new Error('REBALANCE_IN_PROGRESS');
    }
  };
  return {
    commit,
    commits,
    failNext: () => (fail += 1),
    holdNext: () => (hold = true),
    release: () => {
      hold = false;
      release?.();
    },
  };
}

const offsetsOf = (commits: Offsets[]) => commits.map((o) => o.topics[0]?.partitions[0]?.offset);

describe('OffsetCommitter', () => {
  let now = 0;
  const clock = () => now;
  const errors: unknown[] = [];
  const setup = (intervalMs: number) => {
    const g = group();
    const c = new OffsetCommitter(intervalMs, (e) => errors.push(e), clock);
    c.bind(g.commit);
    const done = (topic: string, partition: number, lastOffset: number) =>
      c.processed(c.current, topic, partition, String(lastOffset));
    return { g, c, done };
  };
  beforeEach(() => {
    now = 1_800_000_000_000;
    errors.length = 0;
  });

  it('commits the offset after the last processed record, then no more often than the interval', async () => {
    const { g, c, done } = setup(1000);
    done('events.web', 0, 9);
    await c.afterBatch(false);
    done('events.web', 0, 19);
    now += 999;
    await c.afterBatch(false);
    expect(g.commits).toHaveLength(1);
    now += 1;
    await c.afterBatch(false);
    expect(offsetsOf(g.commits)).toEqual(['10', '20']);
  });

  it('never moves an offset back (a batch that finishes late changes nothing)', async () => {
    const { g, c, done } = setup(0);
    done('events.web', 0, 19);
    done('events.web', 0, 9);
    await c.flush();
    expect(offsetsOf(g.commits)).toEqual(['20']);
  });

  it('commits at once when asked (the consumer is stopping), whatever the interval', async () => {
    const { g, c, done } = setup(60_000);
    done('events.web', 1, 4);
    await c.afterBatch(false);
    done('consent', 1, 6);
    await c.afterBatch(true);
    expect(g.commits[1]).toEqual({
      topics: [{ topic: 'consent', partitions: [{ partition: 1, offset: '7' }] }],
    });
  });

  it('with interval 0 commits after every batch', async () => {
    const { g, c, done } = setup(0);
    for (let i = 1; i <= 3; i++) {
      done('events.web', 0, i);
      await c.afterBatch(false);
    }
    expect(g.commits).toHaveLength(3);
  });

  it('sends nothing when nothing new was processed, and nothing before it is bound', async () => {
    const unbound = new OffsetCommitter(0, (e) => errors.push(e), clock);
    unbound.processed(unbound.current, 'profiles', 0, '1');
    await unbound.flush();
    const { g, c, done } = setup(0);
    await c.flush();
    done('profiles', 2, 2);
    await c.flush();
    await c.flush();
    expect(g.commits).toHaveLength(1);
  });

  it('reports a failed commit and carries its offsets with the next one', async () => {
    const { g, c, done } = setup(0);
    done('events.web', 0, 3);
    g.failNext();
    await c.flush();
    expect(errors).toHaveLength(1);
    done('events.web', 2, 8);
    await c.flush();
    expect(g.commits[1]?.topics[0]?.partitions).toEqual([
      { partition: 0, offset: '4' },
      { partition: 2, offset: '9' },
    ]);
  });

  it('on a rebalance commits what was processed, then counts nothing of the old assignment', async () => {
    const { g, c, done } = setup(60_000);
    const before = c.current;
    done('events.web', 0, 3);
    await c.rebalance();
    expect(offsetsOf(g.commits)).toEqual(['4']);
    // A pass handed over before the rebalance ends after it: its partition may belong to another member.
    c.processed(before, 'events.web', 0, '9');
    await c.flush();
    expect(g.commits).toHaveLength(1);
    done('events.web', 0, 5);
    await c.flush();
    expect(offsetsOf(g.commits)).toEqual(['4', '6']);
  });

  it('runs one commit at a time: a flush during a commit waits and sends only what is still new', async () => {
    const { g, c, done } = setup(0);
    done('events.web', 0, 0);
    g.holdNext();
    const first = c.flush();
    while (g.commits.length === 0) await Promise.resolve();
    done('events.web', 0, 1);
    const second = c.flush();
    for (let i = 0; i < 10; i++) await Promise.resolve();
    expect(g.commits).toHaveLength(1);
    g.release();
    await Promise.all([first, second]);
    expect(offsetsOf(g.commits)).toEqual(['1', '2']);
  });

  it('joins a flush asked for while another waits its turn, so an outage does not pile commits up', async () => {
    const { g, c, done } = setup(0);
    done('events.web', 0, 0);
    g.holdNext();
    const first = c.flush();
    while (g.commits.length === 0) await Promise.resolve();
    done('events.web', 0, 1);
    const queued = [c.flush(), c.flush(), c.flush()];
    expect(new Set(queued).size).toBe(1);
    g.release();
    await Promise.all([first, ...queued]);
    expect(offsetsOf(g.commits)).toEqual(['1', '2']);
  });

  it('counts failures in a row for the handler, and starts again after a success', async () => {
    const counts: number[] = [];
    const g = group();
    const c = new OffsetCommitter(0, (_e, n) => counts.push(n), clock);
    c.bind(g.commit);
    for (const offset of [1, 2, 3]) {
      c.processed(c.current, 'events.web', 0, String(offset));
      if (offset < 3) g.failNext();
      await c.flush();
    }
    c.processed(c.current, 'events.web', 0, '4');
    g.failNext();
    await c.flush();
    expect(counts).toEqual([1, 2, 1]);
  });

  it('reports through the handler given to flush when there is one', async () => {
    const { g, c, done } = setup(0);
    const quiet: unknown[] = [];
    done('events.web', 0, 1);
    g.failNext();
    await c.flush((e) => quiet.push(e));
    expect(quiet).toHaveLength(1);
    expect(errors).toHaveLength(0);
  });
});
