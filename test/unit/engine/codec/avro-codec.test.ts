import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Schema } from 'avsc';
import {
  AvroCodec,
  RECORD_KINDS,
  SCHEMAS_DIR,
  rabinFingerprint64,
  schemaFingerprint,
} from '../../../../services/engine/codec';
import { EncodeError, EngineError } from '../../../../services/engine/errors';
import { ACTIVATION, DECISION, EVENT } from './fixtures';

const codec = AvroCodec.load();
const v1Schema = JSON.parse(readFileSync(join(SCHEMAS_DIR, 'versions/event-v1.avsc'), 'utf8')) as Schema;

function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

describe('AvroCodec schemas', () => {
  it('fingerprints the Parsing Canonical Form written by hand from the spec rules', () => {
    // Full names, only name/type/fields/items/values, no doc, default or logicalType, no spaces.
    const pcf =
      '{"name":"io.triggerengine.ProfileUpdate","type":"record","fields":[{"name":"userId","type":"string"},' +
      '{"name":"attributes","type":{"type":"map","values":["null","string"]}},{"name":"updatedAt","type":"long"}]}';
    expect(codec.canonicalFormOf('profile')).toBe(pcf);
    expect(codec.fingerprintOf('profile')).toEqual(schemaFingerprint(pcf));
  });

  it('gives every kind a distinct fingerprint', () => {
    const fps = RECORD_KINDS.map((k) => codec.fingerprintOf(k).toString('hex'));
    expect(new Set(fps).size).toBe(RECORD_KINDS.length);
  });
});

describe('AvroCodec round trips', () => {
  it.each([
    ['event', EVENT],
    ['event', { ...EVENT, sessionId: null, context: null, properties: {} }],
    ['profile', { userId: 'u-1', attributes: { lifecycle: 'trial', persona: null }, updatedAt: 5 }],
    ['consent', { userId: 'u-1', purpose: 'push', status: 'denied', updatedAt: 7, source: 'app' }],
    ['activation', ACTIVATION],
    ['activation', { ...ACTIVATION, renderToken: 'tok.sig' }],
    ['decision', DECISION],
  ] as const)('%s decodes to what was encoded', (kind, value) => {
    const bytes = codec.encode(kind, value);
    expect(bytes.subarray(0, 2)).toEqual(Buffer.from([0xc3, 0x01]));
    expect(bytes.subarray(2, 10)).toEqual(codec.fingerprintOf(kind));
    const decoded = codec.decode(bytes);
    expect(decoded).toMatchObject({ ok: true, kind });
    expect(decoded.ok && plain(decoded.value)).toEqual(plain(value));
  });

  it('keeps the fingerprint readable as a CRC-64-AVRO of the canonical form', () => {
    const bytes = codec.encode('event', EVENT);
    const fp = bytes.readBigUInt64LE(2);
    expect(fp).toBe(rabinFingerprint64(Buffer.from(codec.canonicalFormOf('event'), 'utf8')));
  });
});

describe('AvroCodec schema evolution', () => {
  it('decodes an event written with version 1 into the current shape', () => {
    const { sessionId: _s, context: _c, ...v1Event } = EVENT;
    const bytes = AvroCodec.encodeWith(v1Schema, v1Event);
    expect(bytes.subarray(2, 10)).not.toEqual(codec.fingerprintOf('event'));
    const decoded = codec.decode(bytes);
    expect(decoded.ok).toBe(true);
    expect(decoded.ok && plain(decoded.value)).toEqual({ ...v1Event, sessionId: null, context: null });
  });

  it('does not know version 1 when it is not registered', () => {
    const bare = new AvroCodec({ current: loadCurrent(), older: [] });
    const { sessionId: _s, context: _c, ...v1Event } = EVENT;
    const decoded = bare.decode(AvroCodec.encodeWith(v1Schema, v1Event));
    expect(decoded).toMatchObject({ ok: false, reason: 'unknown_schema_fingerprint' });
  });

  it('refuses to register a writer the current schema cannot read', () => {
    expect.assertions(2);
    const noEventId = { ...(v1Schema as object), fields: [{ name: 'userId', type: 'string' }] } as Schema;
    expect(() => codec.registerWriter('event', noEventId)).toThrow(EngineError);
    try {
      codec.registerWriter('event', noEventId);
    } catch (err) {
      expect((err as EngineError).code).toBe('schema_incompatible');
    }
  });
});

describe('AvroCodec decode failures', () => {
  it('reports a short or unmarked value as avro_header_invalid', () => {
    expect(codec.decode(Buffer.from([0xc3, 0x01, 1, 2]))).toMatchObject({
      ok: false,
      reason: 'avro_header_invalid',
    });
    expect(codec.decode(Buffer.from('{"a":1}0000000'))).toMatchObject({
      ok: false,
      reason: 'avro_header_invalid',
    });
  });

  it('reports an unknown fingerprint', () => {
    const other = AvroCodec.encodeWith(
      { type: 'record', name: 'Other', fields: [{ name: 'x', type: 'int' }] },
      {
        x: 1,
      },
    );
    const decoded = codec.decode(other);
    expect(decoded).toMatchObject({ ok: false, reason: 'unknown_schema_fingerprint' });
    expect(!decoded.ok && decoded.message).toContain(other.toString('hex', 2, 10));
  });

  it('reports a truncated body and trailing bytes as avro_decode_failed', () => {
    const bytes = codec.encode('event', EVENT);
    expect(codec.decode(bytes.subarray(0, bytes.length - 3))).toMatchObject({
      ok: false,
      reason: 'avro_decode_failed',
    });
    expect(codec.decode(Buffer.concat([bytes, Buffer.from([0])]))).toMatchObject({
      ok: false,
      reason: 'avro_decode_failed',
    });
  });
});

describe('AvroCodec encode', () => {
  it('throws EncodeError for a value that breaks the schema', () => {
    expect(() => codec.encode('activation', { ...ACTIVATION, channel: 'fax' })).toThrow(EncodeError);
    expect(() => codec.encode('decision', { ...DECISION, decisionId: undefined })).toThrow(EncodeError);
  });
});

function loadCurrent(): Record<(typeof RECORD_KINDS)[number], Schema> {
  return Object.fromEntries(
    RECORD_KINDS.map((k) => [k, JSON.parse(readFileSync(join(SCHEMAS_DIR, `${k}.avsc`), 'utf8')) as Schema]),
  ) as Record<(typeof RECORD_KINDS)[number], Schema>;
}
