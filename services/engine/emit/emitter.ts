import type { Message, Producer, TopicMessages } from 'kafkajs';

import type { OutputEncoder } from '../codec';
import type { Activation, ActivationDraft, Decision, RenderTokenRequest } from '../evaluate';
import { finishActivation } from '../evaluate';
import type { DlqRecord, TopicNames } from '../ingest';

export interface EmitterOptions {
  producer: Pick<Producer, 'sendBatch'>;
  encoder: OutputEncoder;
  topics: TopicNames;
  /** Signs render tokens for `renderAt: open` steps. */
  sign: (request: RenderTokenRequest) => string;
  clock: () => number;
}

export interface EmitBatch {
  activations: readonly ActivationDraft[];
  decisions: readonly Decision[];
  /** Bad input records for events.dlq, sent in the same producer call. */
  dlq?: readonly DlqRecord[];
}

/** The Kafka messages of one lane batch, grouped by topic, plus the finished activations. */
export function buildMessages(
  opts: Omit<EmitterOptions, 'producer'>,
  batch: EmitBatch,
): { topicMessages: TopicMessages[]; activations: Activation[] } {
  const emittedAt = opts.clock();
  const byTopic = new Map<string, Message[]>();
  const push = (topic: string, message: Message) => {
    const list = byTopic.get(topic);
    if (list) list.push(message);
    else byTopic.set(topic, [message]);
  };
  const activations = batch.activations.map((draft) => finishActivation(draft, emittedAt, opts.sign));
  for (const a of activations) {
    push(opts.topics.activations[a.channel], { key: a.userId, value: opts.encoder.activation(a) });
  }
  for (const d of batch.decisions)
    push(opts.topics.decisions, { key: d.userId, value: opts.encoder.decision(d) });
  for (const r of batch.dlq ?? []) push(r.topic, dlqMessage(r));
  return { topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })), activations };
}

/** The Kafka message of a DLQ record (built by ingest's `buildDlqRecord`): original key and bytes, headers. */
export function dlqMessage(record: DlqRecord): Message {
  return { key: record.key, value: record.value, headers: { ...record.headers } };
}

/**
 * The emit stage: one `sendBatch` per lane batch with every activation, decision and DLQ record, acks
 * from all in-sync replicas. Resolves with the activations as emitted (emittedAt stamped, tokens signed).
 */
export function createEmitter(opts: EmitterOptions): (batch: EmitBatch) => Promise<Activation[]> {
  return async (batch) => {
    const { topicMessages, activations } = buildMessages(opts, batch);
    await sendMessages(opts.producer, topicMessages);
    return activations;
  };
}

/** Sends a lane pass's messages: one `sendBatch` (more when over MAX_SEND_BYTES), acks from all in-sync replicas. */
export async function sendMessages(
  producer: Pick<Producer, 'sendBatch'>,
  topicMessages: readonly TopicMessages[],
): Promise<void> {
  for (const chunk of chunkBySize(topicMessages, MAX_SEND_BYTES)) {
    await producer.sendBatch({ topicMessages: chunk, acks: -1 });
  }
}

/**
 * Most value and key bytes per producer call. Kafka refuses a partition's batch over max.message.bytes
 * (1 MiB by default) and a refused send would fail the lane batch on every retry, so a large batch is
 * split into several calls, in order (almost every lane batch is one call).
 */
export const MAX_SEND_BYTES = 900_000;

/** Splits topic messages into groups of at most `maxBytes` (a single larger message goes alone). */
export function chunkBySize(topicMessages: readonly TopicMessages[], maxBytes: number): TopicMessages[][] {
  const chunks: TopicMessages[][] = [];
  let current = new Map<string, Message[]>();
  let size = 0;
  const flush = () => {
    if (current.size > 0) chunks.push([...current].map(([topic, messages]) => ({ topic, messages })));
    current = new Map();
    size = 0;
  };
  for (const { topic, messages } of topicMessages) {
    for (const m of messages) {
      const bytes = byteLength(m.value) + byteLength(m.key) + 64;
      if (size + bytes > maxBytes && size > 0) flush();
      const list = current.get(topic);
      if (list) list.push(m);
      else current.set(topic, [m]);
      size += bytes;
    }
  }
  flush();
  return chunks;
}

function byteLength(v: Message['value'] | Message['key']): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'string' ? Buffer.byteLength(v) : v.length;
}
