/**
 * The topic configs the broker accepts (CreateTopics answers 40 for any other) with Kafka's defaults,
 * which DescribeConfigs reports for a topic that did not set them. They are kept and described, not
 * enforced: one node has no replicas, and logs are never cleaned (README).
 */
export const TOPIC_CONFIG_DEFAULTS: Readonly<Record<string, string>> = {
  'cleanup.policy': 'delete',
  'compression.type': 'producer',
  'delete.retention.ms': '86400000',
  'max.message.bytes': '1048588',
  'message.timestamp.type': 'CreateTime',
  'min.compaction.lag.ms': '0',
  'min.insync.replicas': '1',
  'retention.bytes': '-1',
  'retention.ms': '604800000',
  'segment.bytes': '1073741824',
  'segment.ms': '604800000',
};

/** Whether CreateTopics accepts this config name. */
export function isKnownTopicConfig(name: string): boolean {
  return Object.hasOwn(TOPIC_CONFIG_DEFAULTS, name);
}
