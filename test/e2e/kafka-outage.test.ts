import { freePort } from '../../scripts/processes';
import { parseMetrics, sumBy } from '../../scripts/metrics-text';
import { event, grant, startStack } from './harness';
import type { Stack } from './harness';

jest.setTimeout(120_000);

const STREAM_USERS = 40;
const BURST_USERS = 20;
const STREAM_EVERY_MS = 60;
const OUTAGE_MS = 3_000;

describe('Kafka going away', () => {
  let stack: Stack;
  let streamingStopped = false;

  beforeAll(async () => {
    stack = await startStack();
    await stack.collect();
  });
  afterAll(async () => {
    streamingStopped = true;
    if (stack.broker.pid === null) await stack.broker.start(); // a failed test may leave it down
    await stack.stop();
  });

  const readyz = async (port: number) => {
    const res = await fetch(`http://127.0.0.1:${port}/readyz`);
    return { status: res.status, body: (await res.json()) as { kafka: boolean; redis: boolean } };
  };
  const until = async (what: string, check: () => Promise<boolean>, timeoutMs = 30_000) => {
    for (const deadline = Date.now() + timeoutMs; !(await check());) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  /** Committed offsets of the engine's group equal the end of `topic`: all its records are done. */
  const committedToEnd = async (topic: string) => {
    const admin = stack.kafka.admin();
    await admin.connect();
    try {
      const ends = await admin.fetchTopicOffsets(topic);
      const [committed] = await admin.fetchOffsets({ groupId: `${stack.prefix}engine`, topics: [topic] });
      return ends.every(
        (e) => committed?.partitions.find((c) => c.partition === e.partition)?.offset === e.high,
      );
    } finally {
      await admin.disconnect();
    }
  };

  it('reports not-ready while the broker is down, then recovers on the same port and data dir with every activation and no new activation ids', async () => {
    const httpPort = await freePort();
    const engine = await stack.engine({}, { httpPort });
    const streamed = Array.from({ length: STREAM_USERS }, (_, i) => `stream-${i}`);
    const burst = Array.from({ length: BURST_USERS }, (_, i) => `burst-${i}`);
    const users = [...streamed, ...burst];
    await stack.produce(
      stack.topics.consent,
      users.map((u) => grant(u, 'personalization')),
    );
    await stack.waitForState(users);
    await until('the consent records committed', () => committedToEnd(stack.topics.consent));
    expect((await readyz(httpPort)).status).toBe(200);

    // Events flow: one pricing visit per user, sent one by one; a send during the outage is retried
    // until the broker is back (kafkajs may append a retried batch twice: the engine dedupes event ids).
    let sent = 0;
    const streaming = (async () => {
      for (const u of streamed) {
        if (streamingStopped) return;
        const record = event(u, 'web', 'page_view', { path: '/pricing', plan: 'team' });
        for (;;) {
          try {
            await stack.produce(stack.topics.events.web, [record]);
            break;
          } catch {
            await new Promise((r) => setTimeout(r, 200));
          }
        }
        sent += 1;
        await new Promise((r) => setTimeout(r, STREAM_EVERY_MS));
      }
    })();
    await until(
      'some activations before the outage',
      async () => stack.activations('pricing-hero').length >= 3,
    );

    // A burst on top, and the broker dies at once, while the engine is likely amid those batches.
    await stack.produce(
      stack.topics.events.web,
      burst.map((u) => event(u, 'web', 'page_view', { path: '/pricing', plan: 'team' })),
    );
    await stack.broker.kill('SIGKILL');
    const sentBeforeOutage = sent;
    await until(
      '/readyz to report Kafka down',
      async () => {
        const r = await readyz(httpPort);
        return r.status === 503 && !r.body.kafka && r.body.redis;
      },
      OUTAGE_MS + 10_000,
    );
    expect(engine.ready()).toBe(false);
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    expect(sent).toBe(sentBeforeOutage); // nothing could be produced meanwhile: the broker really was down

    await stack.broker.start(); // same port, same data dir: records and committed offsets are kept
    await streaming;
    await stack.waitFor(
      'an activation for every user',
      () =>
        new Set(
          stack
            .activations('pricing-hero')
            .map((a) => a.key)
            .filter((k) => k !== null && users.includes(k)),
        ).size === users.length,
      60_000,
    );
    await until('/readyz ready again', async () => (await readyz(httpPort)).status === 200);
    expect(engine.ready()).toBe(true);

    // Decisions go out with their activations but on another topic: wait until the collector has them.
    await stack.waitFor('a fired decision for every user', () =>
      users.every((u) =>
        stack.decisions('pricing-hero').some((d) => d.key === u && d.value?.outcome === 'fired'),
      ),
    );
    // At least once, never a new id: an activation seen twice (redelivered batch) carries the same
    // activationId, and the fired decisions name that id too.
    for (const u of users) {
      const ids = new Set(
        stack
          .activations('pricing-hero')
          .filter((a) => a.key === u)
          .map((a) => a.value?.activationId),
      );
      const fired = stack
        .decisions('pricing-hero')
        .filter((d) => d.key === u && d.value?.outcome === 'fired')
        .map((d) => d.value?.activationId);
      expect({ user: u, ids: [...ids], fired: [...new Set(fired)] }).toEqual({
        user: u,
        ids: [expect.any(String)],
        fired: [...ids],
      });
    }
    // The committed offsets survived the restart: the consent records, all committed before the outage,
    // were not read again (the group would have started over from the beginning otherwise).
    await until('every event committed', () => committedToEnd(stack.topics.events.web));
    const metrics = parseMetrics(await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text());
    expect(sumBy(metrics, 'trigger_events_consumed_total', 'topic').get(stack.topics.consent)).toBe(
      users.length,
    );
    await stack.stopEngine(engine);
  });
});
