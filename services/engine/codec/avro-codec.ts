import { Type } from 'avsc';
import type { Resolver, Schema } from 'avsc';
import { EncodeError, EngineError } from '../errors';
import { isWellBounded } from './bounds';
import { schemaFingerprint } from './rabin';
import { RECORD_KINDS, loadSchemaSet } from './schemas';
import type { RecordKind, SchemaSet } from './schemas';
import {
  SINGLE_OBJECT_HEADER_BYTES,
  fingerprintKey,
  fingerprintKeyOf,
  frameSingleObject,
} from './single-object';

/** Why an Avro value could not be decoded; the strings are DLQ reasons and metric labels. */
export type AvroDecodeFailure = 'avro_header_invalid' | 'unknown_schema_fingerprint' | 'avro_decode_failed';

export type AvroDecodeResult =
  { ok: true; kind: RecordKind; value: unknown } | { ok: false; reason: AvroDecodeFailure; message: string };

interface WriterEntry {
  kind: RecordKind;
  /** The writer schema, walked by the bounds check before avsc decodes. */
  writer: Type;
  /** Null when the writer schema is the current reader schema: no resolution needed. */
  resolver: Resolver | null;
}

function compile(schema: Schema): Type {
  // Unwrapped unions: decoded values are plain JS values (null, string, number, boolean, objects).
  return Type.forSchema(schema, { wrapUnions: false });
}

/** Parsing Canonical Form of a compiled type: avsc's `schema()` strips docs, defaults and logical types. */
function canonicalFormOf(type: Type): string {
  return JSON.stringify(type.schema());
}

/**
 * Avro single-object codec over the schemas of `schemas/`: encodes with the current schema of a kind
 * and decodes any registered writer version (found by its CRC-64-AVRO fingerprint) into the current
 * reader shape through an avsc resolver, so old versions keep decoding after a schema change.
 */
export class AvroCodec {
  private readonly readers: Record<RecordKind, Type>;
  private readonly fingerprints: Record<RecordKind, Buffer>;
  private readonly writers = new Map<string, WriterEntry>();

  constructor(schemas: SchemaSet) {
    this.readers = Object.fromEntries(
      RECORD_KINDS.map((kind) => [kind, compile(schemas.current[kind])]),
    ) as Record<RecordKind, Type>;
    this.fingerprints = Object.fromEntries(
      RECORD_KINDS.map((kind) => [kind, schemaFingerprint(canonicalFormOf(this.readers[kind]))]),
    ) as Record<RecordKind, Buffer>;
    for (const kind of RECORD_KINDS) {
      this.writers.set(fingerprintKey(this.fingerprints[kind]), {
        kind,
        writer: this.readers[kind],
        resolver: null,
      });
    }
    for (const { kind, schema } of schemas.older) this.registerWriter(kind, schema);
  }

  /** A codec over the schema files of `dir` (default: the repository's `schemas/`). */
  static load(dir?: string): AvroCodec {
    return new AvroCodec(loadSchemaSet(dir));
  }

  /** The compiled current schema of a kind. */
  typeOf(kind: RecordKind): Type {
    return this.readers[kind];
  }

  /** The 8-byte little-endian CRC-64-AVRO fingerprint of the current schema of a kind. */
  fingerprintOf(kind: RecordKind): Buffer {
    return Buffer.from(this.fingerprints[kind]);
  }

  /** The Parsing Canonical Form of the current schema of a kind. */
  canonicalFormOf(kind: RecordKind): string {
    return canonicalFormOf(this.readers[kind]);
  }

  /**
   * Accepts values written with `schema` as `kind` from now on; returns its fingerprint. Throws an
   * `EngineError` (`schema_incompatible`) if the current schema cannot read it (Avro resolution rules).
   */
  registerWriter(kind: RecordKind, schema: Schema): Buffer {
    const writer = compile(schema);
    const fingerprint = schemaFingerprint(canonicalFormOf(writer));
    let resolver: Resolver;
    try {
      resolver = this.readers[kind].createResolver(writer);
    } catch (err) {
      throw new EngineError(
        'schema_incompatible',
        `The current ${kind} schema cannot read the given writer schema: ${(err as Error).message}`,
        { cause: err },
      );
    }
    this.writers.set(fingerprintKey(fingerprint), { kind, writer, resolver });
    return fingerprint;
  }

  /** Encodes `value` with the current schema of `kind`, framed as a single object. Throws `EncodeError`. */
  encode(kind: RecordKind, value: unknown): Buffer {
    return frameSingleObject(this.fingerprints[kind], this.encodeBody(kind, value));
  }

  /** Encodes `value` with a given writer schema (tests and producers of older versions). */
  static encodeWith(schema: Schema, value: unknown): Buffer {
    const type = compile(schema);
    return frameSingleObject(schemaFingerprint(canonicalFormOf(type)), type.toBuffer(value));
  }

  /** Decodes a single-object framed value into the current shape of its kind. Pure: never throws. */
  decode(bytes: Buffer): AvroDecodeResult {
    const key = fingerprintKeyOf(bytes);
    if (key === null) {
      return {
        ok: false,
        reason: 'avro_header_invalid',
        message: 'The value is not an Avro single object (C3 01 marker and 8-byte fingerprint).',
      };
    }
    const writer = this.writers.get(key);
    if (writer === undefined) {
      const hex = bytes.toString('hex', 2, SINGLE_OBJECT_HEADER_BYTES);
      return {
        ok: false,
        reason: 'unknown_schema_fingerprint',
        message: `No known schema has the fingerprint ${hex}.`,
      };
    }
    if (!isWellBounded(writer.writer, bytes, SINGLE_OBJECT_HEADER_BYTES)) {
      return {
        ok: false,
        reason: 'avro_decode_failed',
        message: `The Avro ${writer.kind} body is truncated, has trailing bytes or claims more items than it holds.`,
      };
    }
    try {
      const body = bytes.subarray(SINGLE_OBJECT_HEADER_BYTES);
      const value: unknown = this.readers[writer.kind].fromBuffer(body, writer.resolver ?? undefined);
      return { ok: true, kind: writer.kind, value };
    } catch (err) {
      return {
        ok: false,
        reason: 'avro_decode_failed',
        message: `The Avro ${writer.kind} body does not decode: ${(err as Error).message}.`,
      };
    }
  }

  private encodeBody(kind: RecordKind, value: unknown): Buffer {
    try {
      return this.readers[kind].toBuffer(value);
    } catch (err) {
      throw new EncodeError(`The ${kind} does not match its Avro schema: ${(err as Error).message}`, err);
    }
  }
}
