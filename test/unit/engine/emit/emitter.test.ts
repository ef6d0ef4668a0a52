import type { TopicMessages } from 'kafkajs';

import { AvroCodec, createOutputEncoder } from '../../../../services/engine/codec';
import { buildMessages, chunkBySize, createEmitter, dlqMessage } from '../../../../services/engine/emit';
import type { EmitBatch } from '../../../../services/engine/emit';
import type { ActivationDraft, Decision, RenderTokenRequest } from '../../../../services/engine/evaluate';
import { buildDlqRecord, topicNames } from '../../../../services/engine/ingest';
import { verifyRenderToken, signRenderToken } from '../../../../services/engine/render';
import { ACTIVATION, DECISION } from '../codec/fixtures';

const NOW = 1_767_225_700_000;
const SECRET = 'emit-test-secret';
const topics = topicNames('t.');
const encoder = createOutputEncoder(AvroCodec.load(), 'json');

function draft(over: Partial<ActivationDraft> = {}): ActivationDraft {
  const { emittedAt: _emittedAt, renderToken: _renderToken, ...rest } = ACTIVATION;
  return { ...rest, renderToken: null, ...over };
}

const decision = (over: Partial<Decision> = {}): Decision => ({ ...DECISION, ...over }) as Decision;

function options(signed: RenderTokenRequest[] = []) {
  return {
    encoder,
    topics,
    clock: () => NOW,
    sign: (request: RenderTokenRequest) => {
      signed.push(request);
      return signRenderToken(SECRET, request);
    },
  };
}

const json = (value: unknown): Record<string, unknown> =>
  JSON.parse((value as Buffer).toString('utf8')) as Record<string, unknown>;

function byTopic(topicMessages: TopicMessages[]): Map<string, TopicMessages['messages']> {
  return new Map(topicMessages.map((t) => [t.topic, t.messages]));
}

describe('buildMessages', () => {
  it('sends each activation to activations.<its channel>, keyed by userId, with emittedAt from the clock', () => {
    const batch: EmitBatch = {
      activations: [
        draft({ activationId: 'a-email', channel: 'email', userId: 'u-1' }),
        draft({ activationId: 'a-web', channel: 'web', userId: 'u-2', actionType: 'web.personalize' }),
        draft({ activationId: 'a-email-2', channel: 'email', userId: 'u-3' }),
      ],
      decisions: [],
    };
    const { topicMessages, activations } = buildMessages(options(), batch);
    const topicsSent = byTopic(topicMessages);
    expect([...topicsSent.keys()].sort()).toEqual(['t.activations.email', 't.activations.web']);
    const email = topicsSent.get('t.activations.email') ?? [];
    expect(email.map((m) => m.key)).toEqual(['u-1', 'u-3']);
    expect(email.map((m) => json(m.value).activationId)).toEqual(['a-email', 'a-email-2']);
    expect(topicsSent.get('t.activations.web')?.map((m) => m.key)).toEqual(['u-2']);
    for (const m of [...topicsSent.values()].flat()) expect(json(m.value).emittedAt).toBe(NOW);
    expect(activations.map((a) => a.emittedAt)).toEqual([NOW, NOW, NOW]);
    expect(activations.map((a) => a.renderToken)).toEqual([null, null, null]);
  });

  it('reads the clock once per batch, so every record of the batch carries the same emittedAt', () => {
    let t = NOW;
    const opts = { ...options(), clock: () => (t += 1000) };
    const { activations } = buildMessages(opts, {
      activations: [draft({ activationId: 'a' }), draft({ activationId: 'b' })],
      decisions: [],
    });
    expect(activations.map((a) => a.emittedAt)).toEqual([NOW + 1000, NOW + 1000]);
  });

  it('sends decisions to the decisions topic keyed by userId', () => {
    const { topicMessages } = buildMessages(options(), {
      activations: [],
      decisions: [
        decision({ decisionId: 'd-1', userId: 'u-9' }),
        decision({ decisionId: 'd-2', userId: 'u-8' }),
      ],
    });
    expect(topicMessages).toHaveLength(1);
    expect(topicMessages[0]?.topic).toBe('t.decisions');
    expect(topicMessages[0]?.messages.map((m) => [m.key, json(m.value).decisionId])).toEqual([
      ['u-9', 'd-1'],
      ['u-8', 'd-2'],
    ]);
  });

  it('passes DLQ records through with their key, bytes and headers untouched', () => {
    const value = Buffer.from([0xff, 0x00, 0x01]);
    const headers = { error: 'invalid_json', 'source.topic': 't.events.web', 'source.partition': '3' };
    const { topicMessages } = buildMessages(options(), {
      activations: [],
      decisions: [],
      dlq: [
        { topic: topics.dlq, key: Buffer.from('u-1'), value, headers },
        { topic: topics.dlq, key: null, value: null, headers: { error: 'no_key' } },
      ],
    });
    const dlq = byTopic(topicMessages).get('t.events.dlq') ?? [];
    expect(dlq).toHaveLength(2);
    expect(dlq[0]?.key).toEqual(Buffer.from('u-1'));
    expect(dlq[0]?.value).toBe(value);
    expect(dlq[0]?.headers).toEqual(headers);
    expect(dlq[1]).toEqual({ key: null, value: null, headers: { error: 'no_key' } });
  });

  it('signs a render token only for an activation that asks for one, and the token verifies', () => {
    const request: RenderTokenRequest = {
      activationId: 'a-open',
      triggerId: 'cart-abandon',
      triggerVersion: 2,
      stepId: 'remind',
      userId: 'u-1',
      expiresAt: NOW + 86_400_000,
    };
    const signed: RenderTokenRequest[] = [];
    const { topicMessages, activations } = buildMessages(options(signed), {
      activations: [
        draft({ activationId: 'a-open', channel: 'email', renderToken: request }),
        draft({ activationId: 'a-plain', channel: 'email' }),
      ],
      decisions: [],
    });
    expect(signed).toEqual([request]);
    const [open, plain] = activations;
    expect(plain?.renderToken).toBeNull();
    expect(typeof open?.renderToken).toBe('string');
    const verified = verifyRenderToken(SECRET, open?.renderToken ?? '', NOW);
    expect(verified).toMatchObject({ ok: true, claims: { activationId: 'a-open', userId: 'u-1' } });
    const sent = byTopic(topicMessages).get('t.activations.email') ?? [];
    expect(sent.map((m) => json(m.value).renderToken)).toEqual([open?.renderToken, null]);
  });

  it('sends nothing for an empty batch', () => {
    expect(buildMessages(options(), { activations: [], decisions: [], dlq: [] })).toEqual({
      topicMessages: [],
      activations: [],
    });
  });
});

describe('dlqMessage', () => {
  it("turns ingest's DLQ record into a message with the original key, bytes and the spec's headers", () => {
    const source = {
      topic: topics.events.web,
      partition: 3,
      offset: '42',
      key: Buffer.from('u-9'),
      value: Buffer.from('{bad'),
    };
    const record = buildDlqRecord(topics.dlq, source, 'invalid_json', 'The value is not JSON.');
    expect(dlqMessage(record)).toEqual({
      key: Buffer.from('u-9'),
      value: Buffer.from('{bad'),
      headers: {
        error: 'invalid_json: The value is not JSON.',
        'source.topic': 't.events.web',
        'source.partition': '3',
        'source.offset': '42',
      },
    });
  });
});

describe('buildMessages with the default encoder', () => {
  it('writes Avro single objects (C3 01 + fingerprint) when OUTPUT_ENCODING is avro', () => {
    const avro = createOutputEncoder(AvroCodec.load(), 'avro');
    const { topicMessages } = buildMessages(
      { ...options(), encoder: avro },
      { activations: [draft()], decisions: [decision()] },
    );
    for (const t of topicMessages) {
      const value = t.messages[0]?.value as Buffer;
      expect([...value.subarray(0, 2)]).toEqual([0xc3, 0x01]);
    }
  });
});

describe('createEmitter', () => {
  it('makes no producer call for an empty batch', async () => {
    let calls = 0;
    const emit = createEmitter({
      ...options(),
      producer: { sendBatch: () => (calls++, Promise.resolve([])) },
    });
    await emit({ activations: [], decisions: [] });
    expect(calls).toBe(0);
  });

  it('sends a whole batch in one producer call with acks from all replicas', async () => {
    const calls: { topicMessages: TopicMessages[]; acks?: number }[] = [];
    const emit = createEmitter({
      ...options(),
      producer: {
        sendBatch: (b) => {
          calls.push({ topicMessages: b.topicMessages ?? [], acks: b.acks });
          return Promise.resolve([]);
        },
      },
    });
    const out = await emit({ activations: [draft()], decisions: [decision()] });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.acks).toBe(-1);
    expect(calls[0]?.topicMessages.map((t) => t.topic).sort()).toEqual([
      't.activations.email',
      't.decisions',
    ]);
    expect(out.map((a) => a.emittedAt)).toEqual([NOW]);
  });

  it('rejects when the producer does, so the lane batch fails and is retried', async () => {
    const emit = createEmitter({
      ...options(),
      producer: { sendBatch: () => Promise.reject(new Error('broker down')) },
    });
    await expect(emit({ activations: [draft()], decisions: [] })).rejects.toThrow('broker down');
  });
});

describe('chunkBySize', () => {
  it('keeps every message, in order, in chunks under the byte limit; a large message goes alone', () => {
    const msg = (n: number) => ({ key: 'k', value: Buffer.alloc(n) });
    const input: TopicMessages[] = [
      { topic: 'a', messages: [msg(100), msg(100), msg(500)] },
      { topic: 'b', messages: [msg(100)] },
    ];
    const chunks = chunkBySize(input, 400);
    // Sizes count key + value + 64 bytes of overhead: 165, 165, 565, 165.
    expect(
      chunks.map((c) => c.map((t) => [t.topic, t.messages.map((m) => (m.value as Buffer).length)])),
    ).toEqual([[['a', [100, 100]]], [['a', [500]]], [['b', [100]]]]);
  });
});
