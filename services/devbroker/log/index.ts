/** log: topics and partition logs, in memory and optionally on disk. */
export { isKnownTopicConfig, TOPIC_CONFIG_DEFAULTS } from './configs';
export { PartitionLog } from './partition';
export type { StoredBatch } from './partition';
export { CACHED_BATCHES, inSequence, lastSequence, ProducerStates } from './producer-state';
export type { SequencedHeader, SequenceVerdict } from './producer-state';
export { isValidTopicName, TopicStore } from './topics';
export type { Topic } from './topics';
