import type { types } from 'avsc';
import { EncodeError } from '../errors';
import type { AvroCodec } from './avro-codec';
import type { ActivationRecord, DecisionRecord } from './records';
import type { RecordKind } from './schemas';

/** Encoding of the output topics: Avro single objects (default) or JSON text (`OUTPUT_ENCODING=json`). */
export type OutputEncoding = 'avro' | 'json';

/** Encodes output records as Kafka values. Throws `EncodeError` for a record that breaks its schema. */
export interface OutputEncoder {
  readonly encoding: OutputEncoding;
  activation(value: ActivationRecord): Buffer;
  decision(value: DecisionRecord): Buffer;
}

/**
 * JSON text of a record: checked against the Avro schema first (same contract as Avro), then only the
 * schema's fields are written, so JSON and Avro outputs carry the same data.
 */
function encodeJson(codec: AvroCodec, kind: RecordKind, value: object): Buffer {
  const type = codec.typeOf(kind) as types.RecordType;
  const badPaths: string[] = [];
  if (!type.isValid(value, { errorHook: (path) => badPaths.push(path.join('.')) })) {
    throw new EncodeError(
      `The ${kind} does not match its Avro schema at ${badPaths.join(', ') || 'the root'}.`,
    );
  }
  const record = value as Record<string, unknown>;
  const projected: Record<string, unknown> = {};
  for (const field of type.fields) projected[field.name] = record[field.name];
  return Buffer.from(JSON.stringify(projected), 'utf8');
}

/** The encoder for `encoding`, over the given codec's current schemas. */
export function createOutputEncoder(codec: AvroCodec, encoding: OutputEncoding): OutputEncoder {
  if (encoding === 'json') {
    return {
      encoding,
      activation: (value) => encodeJson(codec, 'activation', value),
      decision: (value) => encodeJson(codec, 'decision', value),
    };
  }
  return {
    encoding,
    activation: (value) => codec.encode('activation', value),
    decision: (value) => codec.encode('decision', value),
  };
}
