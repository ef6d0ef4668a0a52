import {
  SINGLE_OBJECT_HEADER_BYTES,
  fingerprintKeyOf,
  frameSingleObject,
  hasSingleObjectMarker,
} from '../../../../services/engine/codec';

describe('single-object framing', () => {
  const fp = Buffer.from('0102030405060708', 'hex');

  it('frames marker, fingerprint and body in that order', () => {
    const framed = frameSingleObject(fp, Buffer.from([0xaa, 0xbb]));
    expect(framed.toString('hex')).toBe('c3010102030405060708aabb');
    expect(framed).toHaveLength(SINGLE_OBJECT_HEADER_BYTES + 2);
  });

  it('reads the fingerprint key back, and null without marker or when too short', () => {
    const framed = frameSingleObject(fp, Buffer.alloc(0));
    expect(fingerprintKeyOf(framed)).toBe(fp.toString('latin1'));
    expect(fingerprintKeyOf(framed.subarray(0, 9))).toBeNull();
    expect(fingerprintKeyOf(Buffer.concat([Buffer.from([0xc3, 0x02]), fp]))).toBeNull();
  });

  it('detects the marker alone', () => {
    expect(hasSingleObjectMarker(Buffer.from([0xc3, 0x01]))).toBe(true);
    expect(hasSingleObjectMarker(Buffer.from('{}'))).toBe(false);
    expect(hasSingleObjectMarker(Buffer.from([0xc3]))).toBe(false);
  });
});
