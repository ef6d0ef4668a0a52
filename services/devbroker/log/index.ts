/** log: topics and partition logs, in memory and optionally on disk. */
export { PartitionLog } from './partition';
export type { StoredBatch } from './partition';
export { isValidTopicName, TopicStore } from './topics';
export type { Topic } from './topics';
