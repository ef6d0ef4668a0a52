import type { AvroCodec, RecordKind } from '../codec';
import { hasSingleObjectMarker } from '../codec';
import type { Rejection } from './validate';

/** A decoded value, not yet validated: the Avro record (current shape) or the parsed JSON object. */
export type Decoded =
  | { ok: true; encoding: 'avro'; kind: RecordKind; value: unknown }
  | { ok: true; encoding: 'json'; kind: null; value: unknown };

const OPEN_BRACE = 0x7b;

/**
 * Bytes to `unknown` (pure, never throws). spec/topics.md: values are Avro single objects (`C3 01`
 * first), or plain JSON objects (a value starting with `{`); anything else is rejected with a reason.
 */
export function decodeValue(codec: AvroCodec, bytes: Buffer | null): Decoded | Rejection {
  if (bytes === null) {
    return { ok: false, reason: 'value_missing', message: 'The record has no value (a tombstone).' };
  }
  if (bytes.length === 0) {
    return { ok: false, reason: 'value_empty', message: 'The record value is empty.' };
  }
  if (bytes[0] === OPEN_BRACE) {
    try {
      return { ok: true, encoding: 'json', kind: null, value: JSON.parse(bytes.toString('utf8')) as unknown };
    } catch (err) {
      return {
        ok: false,
        reason: 'json_parse_failed',
        message: `The JSON value does not parse: ${(err as Error).message}.`,
      };
    }
  }
  if (hasSingleObjectMarker(bytes)) {
    const decoded = codec.decode(bytes);
    return decoded.ok ? { ok: true, encoding: 'avro', kind: decoded.kind, value: decoded.value } : decoded;
  }
  return {
    ok: false,
    reason: 'unknown_encoding',
    message: 'The value is neither an Avro single object (C3 01) nor a JSON object ({).',
  };
}
