import { FIELD_RULES } from './schemas';

/**
 * Every reason a record can be rejected with: the closed set of the `reason` label of
 * `trigger_events_invalid_total` and of the DLQ `error` header prefix (so metrics can be pre-declared).
 */
export const FIXED_REJECTION_REASONS = [
  /** Tombstone (null value) on an input topic. */
  'value_missing',
  'value_empty',
  /** Starts with `{` but is not JSON. */
  'json_parse_failed',
  /** Neither `C3 01` (Avro single object) nor `{` (JSON). */
  'unknown_encoding',
  'avro_header_invalid',
  'unknown_schema_fingerprint',
  'avro_decode_failed',
  /** An Avro record of another kind than the topic carries (e.g. a ProfileUpdate on events.web). */
  'schema_mismatch',
  'unknown_topic',
  /** Not an object at all. */
  'invalid_record',
  'channel_mismatch',
  'key_missing',
  'key_mismatch',
] as const;

/** All rejection reasons: the fixed ones plus `missing_field:<path>` and `invalid_field:<path>`. */
export const ALL_REJECTION_REASONS: readonly string[] = [
  ...FIXED_REJECTION_REASONS,
  ...Object.keys(FIELD_RULES).flatMap((path) => [`missing_field:${path}`, `invalid_field:${path}`]),
];
