import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Schema } from 'avsc';
import { AvroCodec, SCHEMAS_DIR } from '../../../../services/engine/codec';
import { ALL_REJECTION_REASONS, createIngestRecord, topicNames } from '../../../../services/engine/ingest';
import type { SourceRecord } from '../../../../services/engine/ingest';
import { GOOD_CONSENT, GOOD_EVENT, GOOD_PROFILE, withField } from './fixtures';

const codec = AvroCodec.load();
const topics = topicNames('t.');
const ingest = createIngestRecord({ codec, topics });

function record(topic: string, value: Buffer | null, key: string | null = 'u-42'): SourceRecord {
  return { topic, partition: 2, offset: '77', key: key === null ? null : Buffer.from(key), value };
}

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

describe('createIngestRecord', () => {
  it('turns an Avro event into a typed input', () => {
    const result = ingest(record('t.events.web', codec.encode('event', GOOD_EVENT)));
    expect(result).toEqual({ ok: true, encoding: 'avro', input: { kind: 'event', event: GOOD_EVENT } });
  });

  it('gives the same typed input for the same event sent as JSON', () => {
    const avro = ingest(record('t.events.web', codec.encode('event', GOOD_EVENT)));
    const fromJson = ingest(record('t.events.web', json(GOOD_EVENT)));
    expect(fromJson).toEqual({ ...avro, encoding: 'json' });
  });

  it('resolves an event written with schema version 1', () => {
    const v1 = JSON.parse(readFileSync(join(SCHEMAS_DIR, 'versions/event-v1.avsc'), 'utf8')) as Schema;
    const { sessionId: _s, context: _c, ...oldEvent } = GOOD_EVENT;
    const result = ingest(record('t.events.web', AvroCodec.encodeWith(v1, oldEvent)));
    expect(result).toEqual({
      ok: true,
      encoding: 'avro',
      input: { kind: 'event', event: { ...oldEvent, sessionId: null, context: null } },
    });
  });

  it('handles profile and consent topics', () => {
    expect(ingest(record('t.profiles', codec.encode('profile', GOOD_PROFILE)))).toMatchObject({
      ok: true,
      input: { kind: 'profile', update: GOOD_PROFILE },
    });
    expect(ingest(record('t.consent', json(GOOD_CONSENT)))).toMatchObject({
      ok: true,
      input: { kind: 'consent', change: GOOD_CONSENT },
    });
  });

  it.each([
    [
      'an Avro record of another kind',
      't.events.web',
      () => codec.encode('profile', GOOD_PROFILE),
      'schema_mismatch',
    ],
    [
      'a bad timezone',
      't.events.web',
      () => json(withField(GOOD_EVENT, 'context.timezone', 'Nowhere')),
      'invalid_field:context.timezone',
    ],
    ['an event on the wrong channel topic', 't.events.email', () => json(GOOD_EVENT), 'channel_mismatch'],
    ['garbage', 't.events.web', () => Buffer.from('not json'), 'unknown_encoding'],
    ['broken JSON', 't.consent', () => Buffer.from('{"userId"'), 'json_parse_failed'],
    ['a tombstone', 't.profiles', () => null, 'value_missing'],
    ['a record on a topic that is not an input', 't.decisions', () => json(GOOD_EVENT), 'unknown_topic'],
  ])('sends %s to the DLQ with its reason and coordinates', (_what, topic, value, reason) => {
    const source = record(topic, value());
    const result = ingest(source);
    expect(result).toMatchObject({ ok: false, reason });
    if (result.ok) return;
    expect(result.dlq.topic).toBe('t.events.dlq');
    expect(result.dlq.key).toBe(source.key);
    expect(result.dlq.value).toBe(source.value);
    expect(result.dlq.headers).toEqual({
      error: `${reason}: ${result.message}`,
      'source.topic': topic,
      'source.partition': '2',
      'source.offset': '77',
    });
  });

  it('rejects a record keyed by another user', () => {
    expect(ingest(record('t.events.web', json(GOOD_EVENT), 'u-99'))).toMatchObject({
      ok: false,
      reason: 'key_mismatch',
    });
  });
});

describe('createIngestRecord robustness', () => {
  it('never throws, whatever the bytes (property)', () => {
    const valid = codec.encode('event', GOOD_EVENT);
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
      fc.json().map((j) => Buffer.from(j)),
      fc
        .record(
          { ...Object.fromEntries(Object.keys(GOOD_EVENT).map((k) => [k, fc.jsonValue()])) },
          { requiredKeys: [] },
        )
        .map((o) => Buffer.from(JSON.stringify({ ...GOOD_EVENT, ...o }))),
      fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.concat([valid.subarray(0, 10), Buffer.from(b)])),
    );
    fc.assert(
      fc.property(bytes, fc.option(fc.string(), { nil: null }), (value, key) => {
        const result = ingest(record('t.events.web', value, key));
        return result.ok || (ALL_REJECTION_REASONS.includes(result.reason) && result.dlq.value === value);
      }),
      { numRuns: 1000 },
    );
  });
});
