import pino from 'pino';

import { AvroCodec } from '../../../../services/engine/codec';
import { EngineError } from '../../../../services/engine/errors';
import { computePass, PassWorkers } from '../../../../services/engine/lane';
import type { PassRequest } from '../../../../services/engine/lane';
import { definitions, environment, grant, pageView, SETUP, TEXTS } from './pass-fixtures';

jest.setTimeout(60_000);

const codec = AvroCodec.load();
const NOW = Date.now();

function request(over: Partial<PassRequest> = {}): PassRequest {
  return {
    partition: 0,
    generation: 1,
    inputs: [grant('u1', NOW - 5_000), pageView('u1', 1, NOW - 1_000)],
    loaded: { ids: ['u1'], values: [null, null, null, null, null] },
    status: [],
    ttlMs: 3_600_000,
    clockOffsetMs: 0,
    dlq: [],
    ...over,
  };
}

/** The activations of a pass result, decoded from the bytes a worker thread sent back. */
function activations(result: Awaited<ReturnType<PassWorkers['run']>>) {
  return result.topicMessages
    .filter((t) => t.topic.startsWith(`${SETUP.topicPrefix}activations.`))
    .flatMap((t) => t.messages)
    .map((m) => {
      expect(Buffer.isBuffer(m.value)).toBe(true);
      const r = codec.decode(m.value as Buffer);
      if (!r.ok) throw new Error(r.reason);
      return r.value as { userId: string; triggerId: string; emittedAt: number };
    });
}

describe('PassWorkers (worker threads)', () => {
  let workers: PassWorkers;
  beforeAll(() => {
    workers = new PassWorkers(2, SETUP, pino({ level: 'silent' }));
    workers.setDefinitions(1, TEXTS);
  });
  afterAll(() => workers.close());

  it('is healthy only once every thread has set up', async () => {
    const fresh = new PassWorkers(1, SETUP, pino({ level: 'silent' }));
    try {
      expect(fresh.healthy()).toBe(false);
      const deadline = Date.now() + 20_000;
      while (!fresh.healthy() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(fresh.healthy()).toBe(true);
    } finally {
      await fresh.close();
    }
  });

  it('computes a pass on a thread as this thread would, with buffers kafkajs and ioredis accept', async () => {
    const dlq = [
      { topic: 'pt.events.dlq', key: Buffer.from('k'), value: Buffer.from('{"x'), headers: { error: 'e' } },
    ];
    const result = await workers.run(request({ dlq }));
    expect(result.topicMessages.find((t) => t.topic === 'pt.events.dlq')?.messages).toEqual([
      { key: Buffer.from('k'), value: Buffer.from('{"x'), headers: { error: 'e' } },
    ]);
    const [dlqMessage] = result.topicMessages.find((t) => t.topic === 'pt.events.dlq')?.messages ?? [];
    expect(Buffer.isBuffer(dlqMessage?.key) && Buffer.isBuffer(dlqMessage?.value)).toBe(true);
    const here = computePass(environment(Date.now), definitions(), request());
    expect(activations(result).map((a) => [a.userId, a.triggerId])).toEqual([['u1', 'pass-test']]);
    expect(result.decisions).toEqual(here.decisions);
    expect(result.counts).toEqual(here.counts);
    expect(result.apply.userIds).toEqual(['u1']);
    expect(result.apply.timers).toEqual(here.apply.timers);
    const call = result.apply.calls[0];
    expect(Buffer.isBuffer(call?.body)).toBe(true);
    expect(call?.keys).toEqual(here.apply.calls[0]?.keys);
    // The same state, histories and decisions written; only ids and times drawn when each ran may differ.
    expect(call?.body.length).toBeGreaterThan(0);
    expect(call?.sizes.split(' ').length).toBe(here.apply.calls[0]?.sizes.split(' ').length);
  });

  it("runs on the lane's clock: the system clock plus the offset the pass was sent with", async () => {
    const day = 86_400_000;
    const before = Date.now();
    const result = await workers.run(
      request({
        partition: 1,
        inputs: [grant('u2', NOW + day - 5_000), pageView('u2', 1, NOW + day - 1_000)],
        loaded: { ids: ['u2'], values: [null, null, null, null, null] },
        clockOffsetMs: day,
      }),
    );
    const [a] = activations(result);
    expect(a?.emittedAt).toBeGreaterThanOrEqual(before + day);
    expect(a?.emittedAt).toBeLessThanOrEqual(Date.now() + day);
  });

  it('refuses, retriably, a pass whose definitions generation the thread does not hold', async () => {
    const err: unknown = await workers.run(request({ generation: 5 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect(err).toMatchObject({ code: 'worker_definitions_missing', retriable: true });
  });

  it('keeps the previous generation for passes that started before a swap', async () => {
    workers.setDefinitions(2, TEXTS);
    await expect(workers.run(request({ generation: 1 }))).resolves.toBeDefined();
    await expect(workers.run(request({ generation: 2 }))).resolves.toBeDefined();
    workers.setDefinitions(3, TEXTS);
    await expect(workers.run(request({ generation: 1 }))).rejects.toMatchObject({
      code: 'worker_definitions_missing',
    });
  });

  it('fails the passes of a thread that dies (retriable) and starts another with the definitions in force', async () => {
    const threads = (workers as unknown as { threads: { worker: { terminate(): Promise<number> } }[] })
      .threads;
    // Long enough to be cut short: a short pass may answer before the thread stops.
    const users = Array.from({ length: 5_000 }, (_, i) => `many-${i}`);
    const inFlight = workers.run(
      request({
        generation: 3,
        inputs: users.flatMap((u) => [grant(u, NOW - 5_000), pageView(u, 1, NOW - 1_000)]),
        loaded: { ids: users, values: users.flatMap(() => [null, null, null, null, null]) },
      }),
    );
    await threads[0]?.worker.terminate();
    await expect(inFlight).rejects.toMatchObject({ code: 'worker_failed', retriable: true });
    expect(workers.healthy()).toBe(false);
    // It died within seconds of its start: the next one starts after a pause, and passes fail until then.
    await expect(workers.run(request({ generation: 3 }))).rejects.toMatchObject({
      code: 'worker_failed',
      retriable: true,
    });
    // The other thread is not affected.
    await expect(workers.run(request({ partition: 1, generation: 3 }))).resolves.toBeDefined();
    let result: Awaited<ReturnType<PassWorkers['run']>> | null = null;
    const deadline = Date.now() + 10_000;
    while (!result && Date.now() < deadline) {
      result = await workers.run(request({ generation: 3 })).catch(() => null);
      if (!result) await new Promise((r) => setTimeout(r, 100));
    }
    expect(result && activations(result).map((a) => a.userId)).toEqual(['u1']);
    expect(workers.healthy()).toBe(true);
  });
});
