import type { Consumer, Kafka, Logger as KafkaLogger } from 'kafkajs';

/** The latest value per key of a compacted topic; a null value means the key was deleted (tombstone). */
export type CompactedView = ReadonlyMap<string, string | null>;

export interface CompactedTopicWatch {
  /** Resolves once every partition has been read up to the high watermark seen at start. */
  caughtUp: Promise<CompactedView>;
  /** Stops reading and leaves the (private) group. */
  stop(): Promise<void>;
}

export interface WatchOptions {
  kafka: Kafka;
  topic: string;
  /** A group id of this reader alone: every reader must see every partition. */
  groupId: string;
  /** Called after each batch that changed the view (also before `caughtUp` resolves). */
  onChange?: (view: CompactedView) => void;
  logger?: KafkaLogger;
}

/**
 * Reads a compacted topic from the beginning into a key -> latest value view and keeps following it.
 * Used for `trigger-definitions`: the engine hot-swaps on every change, `triggerctl deploy` reads it once
 * to see what is deployed. Offsets are never committed: a reader always starts from the beginning.
 */
export async function watchCompactedTopic(opts: WatchOptions): Promise<CompactedTopicWatch> {
  const { kafka, topic } = opts;
  const admin = kafka.admin();
  await admin.connect();
  let ends: Map<number, bigint>;
  try {
    const existing = await admin.listTopics();
    if (!existing.includes(topic)) {
      await admin.createTopics({
        topics: [{ topic, numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }],
      });
    }
    const offsets = await admin.fetchTopicOffsets(topic);
    ends = new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
  } finally {
    await admin.disconnect();
  }

  const view = new Map<string, string | null>();
  const remaining = new Set([...ends].filter(([, high]) => high > 0n).map(([p]) => p));
  let resolveCaughtUp!: (v: CompactedView) => void;
  const caughtUp = new Promise<CompactedView>((resolve) => (resolveCaughtUp = resolve));
  if (remaining.size === 0) resolveCaughtUp(view);

  const consumer: Consumer = kafka.consumer({ groupId: opts.groupId, maxWaitTimeInMs: 250 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      let changed = false;
      for (const message of batch.messages) {
        if (message.key === null) continue;
        view.set(
          message.key.toString('utf8'),
          message.value === null ? null : message.value.toString('utf8'),
        );
        changed = true;
      }
      if (changed) opts.onChange?.(view);
      const end = ends.get(batch.partition) ?? 0n;
      if (remaining.has(batch.partition) && BigInt(batch.lastOffset()) + 1n >= end) {
        remaining.delete(batch.partition);
        if (remaining.size === 0) resolveCaughtUp(view);
      }
    },
  });
  return {
    caughtUp,
    stop: async () => {
      await consumer.disconnect();
    },
  };
}

/** Reads a compacted topic once, up to its current end. */
export async function readCompactedTopic(opts: Omit<WatchOptions, 'onChange'>): Promise<CompactedView> {
  const watch = await watchCompactedTopic(opts);
  try {
    return new Map(await watch.caughtUp);
  } finally {
    await watch.stop();
  }
}
