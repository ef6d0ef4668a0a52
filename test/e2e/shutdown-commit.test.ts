import type { Admin } from 'kafkajs';

import { event, startStack } from './harness';
import type { Stack } from './harness';

jest.setTimeout(90_000);

// DESIGN.md / RunningEngine.stop: the graceful shutdown stops fetching, finishes the batches in flight,
// commits, then leaves the group. Offsets are committed once a second (COMMIT_INTERVAL_MS), so what the
// engine processed since its last commit must be committed by stop itself, or the next owner redoes it.
describe('graceful stop commits what was processed before leaving the group', () => {
  let stack: Stack;
  let admin: Admin;

  beforeAll(async () => {
    stack = await startStack();
    admin = stack.kafka.admin();
    await admin.connect();
  });
  afterAll(async () => {
    await admin.disconnect();
    await stack.stop();
  });

  /** The engine group's committed offset of each partition of `topic` (-1 when none). */
  const committed = async (topic: string) => {
    const [t] = await admin.fetchOffsets({ groupId: `${stack.prefix}engine`, topics: [topic] });
    return new Map((t?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
  };
  const ends = async (topic: string) =>
    new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
  const allCommitted = async (topic: string) => {
    const [c, e] = await Promise.all([committed(topic), ends(topic)]);
    return [...e].every(([p, high]) => high === 0 || c.get(p) === high);
  };

  it('when it stops idle, between two commit ticks', async () => {
    const topic = stack.topics.events.web;
    const engine = await stack.engine();
    const first = ['ida', 'ivo', 'ines'].map((u) => event(u, 'web', 'page_view', { path: '/a' }));
    await stack.produce(topic, first);
    await stack.waitForEvents(first);
    // Right after a periodic commit: the next one is about a second away.
    for (const deadline = Date.now() + 20_000; !(await allCommitted(topic));) {
      if (Date.now() > deadline) throw new Error('the first events were never committed');
      await new Promise((r) => setTimeout(r, 5));
    }
    const second = ['ida', 'ivo', 'ines'].map((u) => event(u, 'web', 'page_view', { path: '/b' }));
    await stack.produce(topic, second);
    await stack.waitForEvents(second);
    await stack.stopEngine(engine);
    expect(await allCommitted(topic)).toBe(true);
  });

  it('when it stops in the middle of a batch: up to the last record it recorded, not one more', async () => {
    const topic = stack.topics.events.mobile;
    // One record per lane pass, so stop lands while the batch is being worked through.
    const engine = await stack.engine({ BATCH_MAX_RECORDS: '1' });
    const events = Array.from({ length: 400 }, (_, i) => event('solo', 'mobile', 'screen_view', { n: i }));
    await stack.produce(topic, events);
    for (const deadline = Date.now() + 20_000; ;) {
      if (((await stack.userState('solo'))?.seen.length ?? 0) >= 20) break;
      if (Date.now() > deadline) throw new Error('the engine did not start on the batch');
      await new Promise((r) => setTimeout(r, 10));
    }
    await stack.stopEngine(engine);
    const recorded = (await stack.userState('solo'))?.seen ?? [];
    // All 400 records went to one partition (one key), offsets 0..399 in the order produced.
    expect(recorded).toEqual(events.slice(0, recorded.length).map((e) => e.eventId));
    const [partition] = [...(await ends(topic))].find(([, high]) => high > 0) ?? [];
    expect((await committed(topic)).get(partition as number)).toBe(recorded.length);
  });
});
