export { rabinFingerprint64, schemaFingerprint } from './rabin';
export {
  RECORD_KINDS,
  SCHEMAS_DIR,
  CURRENT_SCHEMA_FILES,
  OLDER_SCHEMA_FILES,
  loadSchemaSet,
} from './schemas';
export type { RecordKind, SchemaSet } from './schemas';
export {
  SINGLE_OBJECT_MARKER,
  SINGLE_OBJECT_HEADER_BYTES,
  frameSingleObject,
  hasSingleObjectMarker,
  fingerprintKeyOf,
} from './single-object';
export { AvroCodec } from './avro-codec';
export type { AvroDecodeFailure, AvroDecodeResult } from './avro-codec';
export { createOutputEncoder } from './output';
export type { OutputEncoding, OutputEncoder } from './output';
export type { Channel, ActivationRecord, DecisionRecord, DecisionCheckRecord } from './records';
