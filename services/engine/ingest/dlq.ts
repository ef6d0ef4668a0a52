/** Coordinates and bytes of a consumed record, as the lane hands them to ingest. */
export interface SourceRecord {
  topic: string;
  partition: number;
  /** Kafka offset, a decimal string as kafkajs gives it. */
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
}

/** Header names of events.dlq records (spec/topics.md). */
export const DLQ_HEADERS = {
  error: 'error',
  sourceTopic: 'source.topic',
  sourcePartition: 'source.partition',
  sourceOffset: 'source.offset',
} as const;

/** A record for events.dlq, in the message shape of kafkajs `producer.send`. */
export interface DlqRecord {
  topic: string;
  /** The original key, unchanged. */
  key: Buffer | null;
  /** The original value bytes, unchanged, so the record can be replayed once fixed. */
  value: Buffer | null;
  headers: Record<string, string>;
}

/**
 * The DLQ record for a rejected input: original key and bytes, `error` = `<reason>: <sentence>` and the
 * source coordinates. Pure.
 */
export function buildDlqRecord(
  dlqTopic: string,
  source: SourceRecord,
  reason: string,
  message: string,
): DlqRecord {
  return {
    topic: dlqTopic,
    key: source.key,
    value: source.value,
    headers: {
      [DLQ_HEADERS.error]: `${reason}: ${message}`,
      [DLQ_HEADERS.sourceTopic]: source.topic,
      [DLQ_HEADERS.sourcePartition]: String(source.partition),
      [DLQ_HEADERS.sourceOffset]: source.offset,
    },
  };
}

/** Splits an `error` header back into its reason and sentence (tests, tooling, the demo summary). */
export function parseDlqError(header: string): { reason: string; message: string } {
  const at = header.indexOf(': ');
  return at < 0
    ? { reason: header, message: '' }
    : { reason: header.slice(0, at), message: header.slice(at + 2) };
}
