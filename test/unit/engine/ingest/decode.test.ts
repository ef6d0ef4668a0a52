import { AvroCodec } from '../../../../services/engine/codec';
import { decodeValue } from '../../../../services/engine/ingest';
import { GOOD_EVENT, GOOD_PROFILE } from './fixtures';

const codec = AvroCodec.load();

describe('decodeValue', () => {
  it('decodes an Avro single object and names its kind', () => {
    const decoded = decodeValue(codec, codec.encode('profile', GOOD_PROFILE));
    expect(decoded).toMatchObject({ ok: true, encoding: 'avro', kind: 'profile' });
    expect(decoded.ok && JSON.parse(JSON.stringify(decoded.value))).toEqual(GOOD_PROFILE);
  });

  it('parses a value starting with { as JSON', () => {
    const decoded = decodeValue(codec, Buffer.from(JSON.stringify(GOOD_EVENT)));
    expect(decoded).toEqual({ ok: true, encoding: 'json', kind: null, value: GOOD_EVENT });
  });

  it.each([
    ['a tombstone', null, 'value_missing'],
    ['an empty value', Buffer.alloc(0), 'value_empty'],
    ['broken JSON', Buffer.from('{"userId": '), 'json_parse_failed'],
    ['JSON with leading text', Buffer.from('x{"a":1}'), 'unknown_encoding'],
    ['a JSON array', Buffer.from('[1,2]'), 'unknown_encoding'],
    ['a cut Avro header', Buffer.from([0xc3, 0x01, 0x00]), 'avro_header_invalid'],
    ['an unknown fingerprint', Buffer.from('c301ffffffffffffffff00', 'hex'), 'unknown_schema_fingerprint'],
  ])('rejects %s', (_what, bytes, reason) => {
    const decoded = decodeValue(codec, bytes);
    expect(decoded).toMatchObject({ ok: false, reason });
    expect(!decoded.ok && decoded.message).toMatch(/\.$/);
  });

  it('rejects a corrupt Avro body', () => {
    const bytes = codec.encode('event', GOOD_EVENT);
    expect(decodeValue(codec, bytes.subarray(0, 20))).toMatchObject({
      ok: false,
      reason: 'avro_decode_failed',
    });
  });
});
