import type { TopicMessages } from 'kafkajs';
import pino from 'pino';
import { Registry } from 'prom-client';

import { AvroCodec } from '../../../../services/engine/codec';
import type { CompiledDefinitions } from '../../../../services/engine/definitions';
import type { DlqRecord } from '../../../../services/engine/ingest';
import { computePass, Lane } from '../../../../services/engine/lane';
import type { LaneOffload, PassRequest } from '../../../../services/engine/lane';
import { createMetrics } from '../../../../services/engine/metrics';
import { MemoryStateStore } from '../../../../services/engine/state';
import type { EncodedApply, UserState } from '../../../../services/engine/state';
import { definitions, environment, grant, pageView, SETUP } from './pass-fixtures';

const NOW = Date.UTC(2026, 0, 5, 12);

/**
 * A lane whose passes go through an offload: undecoded loads (no stored users), `computePass` on this
 * thread, a recorded send and a write that refuses the users in `refuse` for the first `refusals` calls.
 */
function setup(opts: { refuse?: string[]; refusals?: number } = {}) {
  const calls: string[] = [];
  const loads: string[][] = [];
  const requests: PassRequest[] = [];
  const sent: TopicMessages[][] = [];
  const writes: EncodedApply[] = [];
  let refusals = opts.refusals ?? 0;
  const defs: CompiledDefinitions = definitions();
  const env = environment(() => NOW);
  const offload: LaneOffload = {
    loadRaw: (userIds) => {
      calls.push('loadRaw');
      const ids = [...new Set(userIds)];
      loads.push(ids);
      return Promise.resolve({ ids, values: ids.flatMap(() => [null, null, null, null, null]) });
    },
    compute: (request) => {
      calls.push('compute');
      requests.push(request);
      // A known computing time: the lane must report it as `evaluate`, the rest of the round trip as `handoff`.
      return Promise.resolve({ ...computePass(env, defs, request), computeSeconds: 0.25 });
    },
    send: (topicMessages) => {
      calls.push('send');
      sent.push(topicMessages);
      return Promise.resolve();
    },
    applyEncoded: (encoded) => {
      calls.push('applyEncoded');
      writes.push(encoded);
      const refuse = refusals > 0 ? (opts.refuse ?? []) : [];
      refusals -= 1;
      return Promise.resolve({ conflicts: encoded.userIds.filter((id) => refuse.includes(id)) });
    },
    generation: () => 7,
  };
  const registry = new Registry();
  const lane = new Lane({
    partition: 2,
    // Never used with an offload: every call goes through it.
    store: new MemoryStateStore<UserState, never>(),
    definitions: () => defs,
    triggerStatus: () => new Map([['another-trigger', { breakerOpen: true }]]),
    emit: () => Promise.reject(new Error('the lane emitted without its offload')),
    clock: () => NOW,
    stateTtlMs: 3_600_000,
    metrics: createMetrics(registry, { defaultMetrics: false }),
    logger: pino({ level: 'silent' }),
    offload,
  });
  return { lane, calls, loads, requests, sent, writes, registry };
}

const codec = AvroCodec.load();
const decoded = (topicMessages: TopicMessages[], topic: string) =>
  (topicMessages.find((t) => t.topic === topic)?.messages ?? []).map((m) => {
    const r = codec.decode(m.value as Buffer);
    if (!r.ok) throw new Error(r.reason);
    return r.value as { userId: string; triggerId: string; outcome?: string };
  });

describe('Lane with its computing offloaded', () => {
  it('loads undecoded states, computes, sends, then writes, and counts what was recorded', async () => {
    const { lane, calls, loads, requests, sent, writes, registry } = setup();
    const dlq: DlqRecord[] = [
      {
        topic: 'pt.events.dlq',
        key: Buffer.from('k'),
        value: Buffer.from('{"broken'),
        headers: { error: 'bad' },
      },
    ];
    const outcome = await lane.process(
      [grant('u1', NOW - 5_000), pageView('u1', 1, NOW - 1_000), pageView('u2', 1, NOW - 1_000)],
      dlq,
    );
    expect(calls).toEqual(['loadRaw', 'compute', 'send', 'applyEncoded']);
    expect(loads).toEqual([['u1', 'u2']]);
    // The request carries what the worker cannot read for itself.
    expect(requests[0]).toMatchObject({
      partition: 2,
      generation: 7,
      status: [['another-trigger', { breakerOpen: true }]],
      clockOffsetMs: expect.any(Number),
    });
    expect(Math.abs((requests[0]?.clockOffsetMs ?? 0) - (NOW - Date.now()))).toBeLessThan(1_000);
    expect(requests[0]?.ttlMs).toBeGreaterThanOrEqual(3_600_000);
    // One send: u1's activation, both users' decisions, and the DLQ record with its bytes.
    const topics = SETUP.topicPrefix;
    expect(decoded(sent[0] ?? [], `${topics}activations.web`).map((a) => a.userId)).toEqual(['u1']);
    expect(decoded(sent[0] ?? [], `${topics}decisions`).map((d) => [d.userId, d.outcome])).toEqual([
      ['u1', 'fired'],
      ['u2', 'consent_missing'],
    ]);
    expect(sent[0]?.find((t) => t.topic === 'pt.events.dlq')?.messages).toEqual([
      { key: Buffer.from('k'), value: Buffer.from('{"broken'), headers: { error: 'bad' } },
    ]);
    expect(writes[0]?.userIds).toEqual(['u1', 'u2']);
    expect(outcome).toMatchObject({ inputs: 3, decisions: 2 });
    expect(outcome.activations.map((a) => [a.userId, a.emittedAt])).toEqual([['u1', NOW]]);
    // Stage timings: the thread's computing as `evaluate`, the rest of its round trip as `handoff`.
    const stages = ((await registry.getSingleMetric('trigger_engine_seconds')?.get())?.values ?? []) as {
      metricName?: string;
      labels: Record<string, unknown>;
      value: number;
    }[];
    const sum = (stage: string) =>
      stages.find((v) => v.metricName === 'trigger_engine_seconds_sum' && v.labels.stage === stage)?.value;
    expect(sum('evaluate')).toBe(0.25);
    for (const stage of ['load', 'handoff', 'emit', 'apply']) expect(sum(stage)).toBeGreaterThanOrEqual(0);
  });

  it('on a conflict computes again for that user only, and counts its decisions once', async () => {
    const { lane, calls, loads, requests } = setup({ refuse: ['u1'], refusals: 1 });
    const outcome = await lane.process([
      grant('u1', NOW - 5_000),
      pageView('u1', 1, NOW - 1_000),
      grant('u2', NOW - 5_000),
      pageView('u2', 1, NOW - 1_000),
    ]);
    expect(calls).toEqual([
      'loadRaw',
      'compute',
      'send',
      'applyEncoded',
      'loadRaw',
      'compute',
      'send',
      'applyEncoded',
    ]);
    expect(loads).toEqual([['u1', 'u2'], ['u1']]);
    expect(requests[1]?.inputs.map((i) => i.kind)).toEqual(['consent', 'event']);
    // u2's decision of the first pass and u1's of the second; u1's refused first attempt is not counted.
    expect(outcome.decisions).toBe(2);
  });
});
