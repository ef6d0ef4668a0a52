import type { AvroCodec } from '../codec';
import { decodeValue } from './decode';
import { buildDlqRecord } from './dlq';
import type { DlqRecord, SourceRecord } from './dlq';
import { inputTopicMap } from './topics';
import type { TopicNames } from './topics';
import { validateInput } from './validate';
import type { IngestInput } from './validate';

/** Outcome of one consumed record: a typed input for the lane, or the DLQ record and its reason. */
export type IngestResult =
  | { ok: true; input: IngestInput; encoding: 'avro' | 'json' }
  | { ok: false; reason: string; message: string; dlq: DlqRecord };

/** Turns one consumed record into an `IngestResult`. Pure given its inputs; never throws. */
export type IngestRecord = (record: SourceRecord) => IngestResult;

/**
 * Builds the per-record ingest step: decode (Avro single object or JSON), check the Avro writer schema
 * is of the topic's kind, validate, check channel and key (DESIGN.md: decode, then validate, then
 * route). Anything rejected comes back with its DLQ record; the engine carries on.
 */
export function createIngestRecord(options: { codec: AvroCodec; topics: TopicNames }): IngestRecord {
  const { codec, topics } = options;
  const inputs = inputTopicMap(topics);
  // A function per rejected record only (a closure made per record costs tsx's keepNames a defineProperty).
  const reject = (record: SourceRecord, reason: string, message: string): IngestResult => ({
    ok: false,
    reason,
    message,
    dlq: buildDlqRecord(topics.dlq, record, reason, message),
  });
  return (record) => {
    const topic = inputs.get(record.topic);
    if (topic === undefined) return reject(record, 'unknown_topic', `${record.topic} is not an input topic.`);
    const decoded = decodeValue(codec, record.value);
    if (!decoded.ok) return reject(record, decoded.reason, decoded.message);
    if (decoded.kind !== null && decoded.kind !== topic.kind) {
      return reject(
        record,
        'schema_mismatch',
        `An Avro ${decoded.kind} arrived on ${record.topic}, which carries ${topic.kind} records.`,
      );
    }
    const key = record.key === null ? null : record.key.toString('utf8');
    const validated = validateInput(topic, decoded.value, key);
    if (!validated.ok) return reject(record, validated.reason, validated.message);
    return { ok: true, input: validated.input, encoding: decoded.encoding };
  };
}
