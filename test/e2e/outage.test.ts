import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Redis from 'ioredis';

import { freePort } from '../../scripts/processes';
import { event, grant, startStack } from './harness';
import type { Stack } from './harness';

jest.setTimeout(120_000);

/** A private redis-server that survives SIGKILL (append-only file, fsync always), so a restart keeps state. */
function startRedis(port: number, dir: string): Promise<ChildProcess> {
  const proc = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--appendfsync',
      'always',
      '--save',
      '',
    ],
    { stdio: 'ignore' },
  );
  return (async () => {
    for (const deadline = Date.now() + 10_000; ;) {
      const probe = new Redis({
        port,
        lazyConnect: true,
        retryStrategy: () => null,
        maxRetriesPerRequest: 0,
      });
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        await probe.ping();
        await probe.quit();
        return proc;
      } catch {
        probe.disconnect();
        if (Date.now() > deadline) throw new Error(`redis-server on ${port} did not start`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  })();
}

describe('Redis going away', () => {
  let stack: Stack;
  const dir = mkdtempSync(join(tmpdir(), 'e2e-redis-'));
  let server: ChildProcess;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    server = await startRedis(port, dir);
    stack = await startStack();
    await stack.collect();
  });
  afterAll(async () => {
    await stack.stop();
    server.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  const readyz = async (httpPort: number) => {
    const res = await fetch(`http://127.0.0.1:${httpPort}/readyz`);
    return { status: res.status, body: (await res.json()) as { redis: boolean } };
  };

  it('reports not-ready while Redis is down, commits nothing, and processes everything once it is back', async () => {
    const client = new Redis({ port, maxRetriesPerRequest: 1, retryStrategy: () => 200 });
    client.on('error', () => undefined); // reconnection attempts while the server is down are expected
    const httpPort = await freePort();
    const engine = await stack.engine({}, { redis: client, httpPort });
    const stateOf = (u: string) => client.exists(`${stack.redisPrefix}{u:${u}}:s`);

    await stack.produce(
      stack.topics.consent,
      ['before', 'during'].map((u) => grant(u, 'personalization')),
    );
    for (const deadline = Date.now() + 20_000; (await stateOf('before')) + (await stateOf('during')) < 2;) {
      if (Date.now() > deadline) throw new Error('consent not recorded');
      await new Promise((r) => setTimeout(r, 50));
    }
    await stack.produce(stack.topics.events.web, [
      event('before', 'web', 'page_view', { path: '/pricing', plan: 'a' }),
    ]);
    await stack.waitFor('the activation before the outage', () =>
      stack.activations('pricing-hero').some((a) => a.key === 'before'),
    );
    expect((await readyz(httpPort)).status).toBe(200);

    server.kill('SIGKILL');
    await stack.produce(stack.topics.events.web, [
      event('during', 'web', 'page_view', { path: '/pricing', plan: 'b' }),
    ]);
    for (const deadline = Date.now() + 20_000; ;) {
      const r = await readyz(httpPort);
      if (r.status === 503 && !r.body.redis) break;
      if (Date.now() > deadline) throw new Error(`still ready: ${JSON.stringify(r)}`);
      await new Promise((res) => setTimeout(res, 100));
    }
    await new Promise((r) => setTimeout(r, 1_000));
    expect(stack.activations('pricing-hero').some((a) => a.key === 'during')).toBe(false);

    server = await startRedis(port, dir);
    await stack.waitFor(
      'the activation of the event sent during the outage',
      () => stack.activations('pricing-hero').some((a) => a.key === 'during'),
      60_000,
    );
    // Its decision goes out in the same send but on another topic: the collector may read it a moment later.
    await stack.waitFor('the decision of the event sent during the outage', () =>
      stack.decisions('pricing-hero').some((d) => d.key === 'during'),
    );
    const during = stack.decisions('pricing-hero').filter((d) => d.key === 'during');
    expect(during.map((d) => d.value?.outcome)).toContain('fired');
    expect(during.map((d) => d.value?.outcome)).not.toContain('consent_missing');
    for (const deadline = Date.now() + 20_000; (await readyz(httpPort)).status !== 200;) {
      if (Date.now() > deadline) throw new Error('never ready again');
      await new Promise((res) => setTimeout(res, 200));
    }
    await stack.stopEngine(engine);
    await client.quit();
  });

  it('after an outage in the middle of a partition: every record recorded once, in order, then committed', async () => {
    const client = new Redis({ port, maxRetriesPerRequest: 1, retryStrategy: () => 200 });
    client.on('error', () => undefined);
    const admin = stack.kafka.admin();
    await admin.connect();
    const topic = stack.topics.events.mobile;
    const group = `${stack.prefix}engine`;
    const seen = async () => {
      const doc = await client.hget(`${stack.redisPrefix}{u:queue}:s`, 'd').catch(() => null);
      return doc === null ? [] : (JSON.parse(doc) as { seen: string[] }).seen;
    };
    // One record per pass, so Redis goes away in the middle of the partition's records.
    const engine = await stack.engine({ BATCH_MAX_RECORDS: '1' }, { redis: client, httpPort: null });
    const events = Array.from({ length: 300 }, (_, i) => event('queue', 'mobile', 'screen_view', { n: i }));
    await stack.produce(topic, events);
    for (const deadline = Date.now() + 20_000; (await seen()).length < 20;) {
      if (Date.now() > deadline) throw new Error('the engine did not start on the records');
      await new Promise((r) => setTimeout(r, 10));
    }
    server.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 1_500));
    const [high] = (await admin.fetchTopicOffsets(topic)).filter((p) => Number(p.high) > 0);
    const committedNow = async () => {
      const [t] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
      return Number(t?.partitions.find((p) => p.partition === high?.partition)?.offset ?? -1);
    };
    // While Redis is down, the records it did not record are not committed: the offset stays short.
    const duringOutage = await committedNow();
    expect(duringOutage).toBeLessThan(events.length);
    server = await startRedis(port, dir);
    for (const deadline = Date.now() + 60_000; (await seen()).length < events.length;) {
      if (Date.now() > deadline) throw new Error(`recorded ${(await seen()).length} of ${events.length}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    // Every record once, in the order of the partition: the failed batches were redelivered, and nothing
    // after them was recorded first.
    expect(await seen()).toEqual(events.map((e) => e.eventId));
    for (const deadline = Date.now() + 20_000; (await committedNow()) !== events.length;) {
      if (Date.now() > deadline) throw new Error(`committed ${await committedNow()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await stack.stopEngine(engine);
    await admin.disconnect();
    await client.quit();
  });
});
