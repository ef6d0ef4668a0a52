import type { Message, Producer } from 'kafkajs';

import { AvroCodec } from '../engine/codec';
import { topicNames } from '../engine/ingest';
import type { TrafficRecord } from './generator';

/**
 * Turns generated records into kafkajs topic messages: keyed by userId; valid records are Avro single
 * objects or JSON by turns (collectors send both), malformed ones go as their raw bytes.
 */
export function createEncoder(prefix: string, avroShare = 0.5) {
  const codec = AvroCodec.load();
  const topics = topicNames(prefix);
  let n = 0;
  const topicOf = (r: TrafficRecord) =>
    r.kind === 'event'
      ? topics.events[r.channel ?? 'web']
      : r.kind === 'profile'
        ? topics.profiles
        : topics.consent;
  return (records: readonly TrafficRecord[]) => {
    const byTopic = new Map<string, Message[]>();
    for (const r of records) {
      let value: Buffer;
      if (Buffer.isBuffer(r.value)) value = r.value;
      else if (!r.malformed && (n++ % 100) / 100 < avroShare) value = codec.encode(r.kind, r.value);
      else value = Buffer.from(JSON.stringify(r.value));
      const topic = topicOf(r);
      const list = byTopic.get(topic) ?? [];
      list.push({ key: r.key, value });
      byTopic.set(topic, list);
    }
    return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
  };
}

/** Sends one tick's records in one producer call. */
export async function sendRecords(
  producer: Producer,
  encode: ReturnType<typeof createEncoder>,
  records: readonly TrafficRecord[],
) {
  await producer.sendBatch({ topicMessages: encode(records), acks: 1 });
}
