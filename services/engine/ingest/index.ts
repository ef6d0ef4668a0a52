export { isBcp47Locale, isIsoRegion, isIanaTimeZone } from './formats';
export { CHANNELS, topicNames, inputTopicMap } from './topics';
export type { InputTopic, TopicNames } from './topics';
export {
  engineEventSchema,
  eventContextSchema,
  profileUpdateSchema,
  consentChangeSchema,
  FIELD_RULES,
} from './schemas';
export type { EngineEvent, EventContext, ProfileUpdate, ConsentChange } from './schemas';
export { FIXED_REJECTION_REASONS, ALL_REJECTION_REASONS } from './reasons';
export { decodeValue } from './decode';
export type { Decoded } from './decode';
export { validateInput } from './validate';
export type { IngestInput, Rejection, ValidationResult } from './validate';
export { DLQ_HEADERS, buildDlqRecord, parseDlqError } from './dlq';
export type { DlqRecord, SourceRecord } from './dlq';
export { createIngestRecord } from './ingest-record';
export type { IngestRecord, IngestResult } from './ingest-record';
export {
  assignPartitionNumbers,
  checkCoPartitioned,
  CO_PARTITION_ASSIGNER,
  coPartitionAssigner,
} from './assigner';
