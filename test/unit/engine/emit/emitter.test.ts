import type { ProducerBatch } from 'kafkajs';

import { AvroCodec, createOutputEncoder } from '../../../../services/engine/codec';
import { buildMessages, chunkBySize, createEmitter } from '../../../../services/engine/emit';
import type { ActivationDraft, Decision, RenderTokenRequest } from '../../../../services/engine/evaluate';
import { buildDlqRecord, topicNames } from '../../../../services/engine/ingest';

const codec = AvroCodec.load();
const json = createOutputEncoder(codec, 'json');
const topics = topicNames('t1.');
const EMITTED = 1_700_000_000_500;

function draft(over: Partial<ActivationDraft> = {}): ActivationDraft {
  return {
    activationId: 'a-1',
    triggerId: 'cart-nudge',
    triggerVersion: 2,
    stepId: 'push',
    userId: 'u-1',
    channel: 'mobile',
    actionType: 'mobile.push',
    params: { template: 'cart' },
    signalEventIds: ['e-1'],
    dueAt: 1_700_000_000_000,
    decidedAt: 1_700_000_000_100,
    expiresAt: 1_700_007_200_000,
    slaMs: 5000,
    renderToken: null,
    ...over,
  };
}

function decision(over: Partial<Decision> = {}): Decision {
  return {
    decisionId: 'd-1',
    triggerId: 'cart-nudge',
    triggerVersion: 2,
    stepId: 'push',
    userId: 'u-1',
    outcome: 'fired',
    reason: null,
    signalEventIds: ['e-1'],
    dueAt: 1_700_000_000_000,
    decidedAt: 1_700_000_000_100,
    checks: [{ name: 'consent', passed: true, detail: 'push granted' }],
    activationId: 'a-1',
    ...over,
  };
}

const signed: RenderTokenRequest[] = [];
const opts = {
  encoder: json,
  topics,
  clock: () => EMITTED,
  sign: (r: RenderTokenRequest) => {
    signed.push(r);
    return `token-for-${r.activationId}`;
  },
};

const byteLength = (v: Buffer | string | null) => (v === null ? 0 : v.length);
const parse = (v: unknown) => JSON.parse(String(v)) as Record<string, unknown>;

describe('emit: buildMessages', () => {
  beforeEach(() => (signed.length = 0));

  it('routes activations to activations.<channel> and decisions to decisions, keyed by userId', () => {
    const { topicMessages } = buildMessages(opts, {
      activations: [
        draft(),
        draft({ activationId: 'a-2', userId: 'u-2', channel: 'web', actionType: 'web.personalize' }),
      ],
      decisions: [
        decision(),
        decision({
          decisionId: 'd-2',
          userId: 'u-2',
          outcome: 'suppressed',
          reason: 'caps',
          activationId: null,
        }),
      ],
    });
    const byTopic = Object.fromEntries(topicMessages.map((t) => [t.topic, t.messages]));
    expect(Object.keys(byTopic).sort()).toEqual([
      't1.activations.mobile',
      't1.activations.web',
      't1.decisions',
    ]);
    expect(byTopic['t1.activations.mobile']?.map((m) => m.key)).toEqual(['u-1']);
    expect(byTopic['t1.activations.web']?.map((m) => m.key)).toEqual(['u-2']);
    expect(byTopic['t1.decisions']?.map((m) => [m.key, parse(m.value).outcome])).toEqual([
      ['u-1', 'fired'],
      ['u-2', 'suppressed'],
    ]);
  });

  it('stamps emittedAt from the clock at emission and leaves every other field as evaluated', () => {
    const { topicMessages, activations } = buildMessages(opts, { activations: [draft()], decisions: [] });
    const value = parse(topicMessages[0]?.messages[0]?.value);
    expect(value).toEqual({ ...draft(), emittedAt: EMITTED, renderToken: null });
    expect(activations).toEqual([{ ...draft(), emittedAt: EMITTED, renderToken: null }]);
  });

  it('signs a render token only for renderAt: open steps', () => {
    const request: RenderTokenRequest = {
      activationId: 'a-3',
      triggerId: 'pricing',
      triggerVersion: 3,
      stepId: 'follow-up',
      userId: 'u-3',
      expiresAt: 1_700_086_400_000,
    };
    const { topicMessages } = buildMessages(opts, {
      activations: [
        draft(),
        draft({
          activationId: 'a-3',
          userId: 'u-3',
          channel: 'email',
          actionType: 'email.send',
          renderToken: request,
        }),
      ],
      decisions: [],
    });
    expect(signed).toEqual([request]);
    const email = topicMessages.find((t) => t.topic === 't1.activations.email');
    expect(parse(email?.messages[0]?.value).renderToken).toBe('token-for-a-3');
  });

  it('adds DLQ records with their original key, bytes and headers', () => {
    const dlq = buildDlqRecord(
      topics.dlq,
      {
        topic: topics.events.web,
        partition: 3,
        offset: '42',
        key: Buffer.from('u-9'),
        value: Buffer.from('{bad'),
      },
      'bad_json',
      'The value is not JSON.',
    );
    const { topicMessages } = buildMessages(opts, { activations: [], decisions: [], dlq: [dlq] });
    expect(topicMessages).toEqual([
      {
        topic: 't1.events.dlq',
        messages: [{ key: Buffer.from('u-9'), value: Buffer.from('{bad'), headers: dlq.headers }],
      },
    ]);
    expect(dlq.headers).toEqual({
      error: 'bad_json: The value is not JSON.',
      'source.topic': 't1.events.web',
      'source.partition': '3',
      'source.offset': '42',
    });
  });

  it('builds nothing for an empty batch', () => {
    expect(buildMessages(opts, { activations: [], decisions: [] })).toEqual({
      topicMessages: [],
      activations: [],
    });
  });

  it('writes Avro single objects with the default encoder', () => {
    const avro = createOutputEncoder(codec, 'avro');
    const { topicMessages } = buildMessages(
      { ...opts, encoder: avro },
      { activations: [draft()], decisions: [] },
    );
    const value = topicMessages[0]?.messages[0]?.value as Buffer;
    expect([...value.subarray(0, 2)]).toEqual([0xc3, 0x01]);
  });
});

describe('emit: createEmitter', () => {
  it('sends the whole lane batch in one producer call with acks from all replicas', async () => {
    const calls: ProducerBatch[] = [];
    const emit = createEmitter({
      ...opts,
      producer: { sendBatch: (b) => (calls.push(b), Promise.resolve([])) },
    });
    const activations = await emit({ activations: [draft()], decisions: [decision()] });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.acks).toBe(-1);
    expect(calls[0]?.topicMessages?.map((t) => t.topic)).toEqual(['t1.activations.mobile', 't1.decisions']);
    expect(activations.map((a) => a.emittedAt)).toEqual([EMITTED]);
  });

  it('makes no producer call for an empty batch', async () => {
    const calls: ProducerBatch[] = [];
    const emit = createEmitter({
      ...opts,
      producer: { sendBatch: (b) => (calls.push(b), Promise.resolve([])) },
    });
    await emit({ activations: [], decisions: [] });
    expect(calls).toHaveLength(0);
  });

  it('propagates a failed send, so the lane does not record or commit', async () => {
    const emit = createEmitter({
      ...opts,
      producer: { sendBatch: () => Promise.reject(new Error('broker gone')) },
    });
    await expect(emit({ activations: [draft()], decisions: [] })).rejects.toThrow('broker gone');
  });
});

describe('emit: chunkBySize', () => {
  const msg = (n: number) => ({ key: 'u', value: Buffer.alloc(n) });

  it('keeps a small batch in one chunk and splits a large one in order, each under the limit', () => {
    const input = [
      { topic: 'a', messages: [msg(100), msg(100)] },
      { topic: 'b', messages: [msg(100)] },
    ];
    expect(chunkBySize(input, 10_000)).toEqual([input]);
    const chunks = chunkBySize(input, 200);
    expect(chunks.flat().flatMap((t) => t.messages)).toHaveLength(3);
    expect(chunks.map((c) => c.map((t) => `${t.topic}:${t.messages.length}`))).toEqual([
      ['a:1'],
      ['a:1'],
      ['b:1'],
    ]);
  });

  it('sends a single message larger than the limit alone', () => {
    const chunks = chunkBySize([{ topic: 'a', messages: [msg(10), msg(5000), msg(10)] }], 1000);
    expect(chunks.map((c) => c[0]?.messages.map((m) => byteLength(m.value)))).toEqual([[10], [5000], [10]]);
  });
});
