import type { Admin } from 'kafkajs';
import type { Logger } from 'pino';

import { checkCoPartitioned } from '../ingest';
import type { TopicNames } from '../ingest';

/**
 * Creates missing topics (inputs co-partitioned with the existing ones, outputs alike) and checks that
 * every input topic has one partition count. Returns that count.
 */
export async function ensureTopics(admin: Admin, topics: TopicNames, log: Logger): Promise<number> {
  const existing = new Set(await admin.listTopics());
  const present = topics.inputs.filter((t) => existing.has(t));
  // kafkajs reads an empty list as "all topics": ask only when some input topic exists.
  const metadata = present.length > 0 ? await admin.fetchTopicMetadata({ topics: present }) : { topics: [] };
  const counts = new Map(metadata.topics.map((t) => [t.name, t.partitions.length]));
  const count = counts.size > 0 ? checkCoPartitioned(counts) : 3;
  const wanted = [
    ...topics.inputs,
    ...Object.values(topics.activations),
    topics.decisions,
    topics.dlq,
  ].filter((t) => !existing.has(t));
  if (wanted.length > 0) {
    await admin.createTopics({
      topics: wanted.map((topic) => ({ topic, numPartitions: count })),
      waitForLeaders: true,
    });
    log.info({ topics: wanted, partitions: count }, 'topics created');
  }
  return count;
}
