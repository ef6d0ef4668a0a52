import { crc32c, Reader, TruncatedError, Writer } from '../../../../services/devbroker/protocol';

// devbroker.md §3 (types) and §5 (CRC-32C).
describe('crc32c', () => {
  it('has the Castagnoli check value', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
  });
  it('is 0 for no bytes', () => {
    expect(crc32c(Buffer.alloc(0))).toBe(0);
  });
});

describe('zigzag varint', () => {
  it.each([
    [0, '00'],
    [-1, '01'],
    [1, '02'],
    [63, '7e'],
    [-64, '7f'],
    [64, '8001'],
    [2 ** 31 - 1, 'feffffff0f'],
    [-(2 ** 31), 'ffffffff0f'],
  ])('%d encodes as %s and reads back', (value, hex) => {
    const bytes = new Writer().varint(value).toBuffer();
    expect(bytes.toString('hex')).toBe(hex);
    const r = new Reader(bytes);
    expect(r.varint()).toBe(value);
    expect(r.remaining).toBe(0);
  });
});

describe('zigzag varlong', () => {
  const MIN = -(2n ** 63n);
  const MAX = 2n ** 63n - 1n;
  it.each([
    [0n, '00'],
    [-1n, '01'],
    [63n, '7e'],
    [-64n, '7f'],
    [2n ** 31n, '8080808010'],
    [-(2n ** 31n), 'ffffffff0f'],
    [MAX, 'feffffffffffffffff01'],
    [MIN, 'ffffffffffffffffff01'],
  ])('%s encodes as %s and reads back', (value, hex) => {
    const bytes = new Writer().varlong(value).toBuffer();
    expect(bytes.toString('hex')).toBe(hex);
    const r = new Reader(bytes);
    expect(r.varlong()).toBe(value);
    expect(r.remaining).toBe(0);
  });
  it('rejects a truncated varint', () => {
    expect(() => new Reader(Buffer.from([0x80, 0x80])).varint()).toThrow(TruncatedError);
  });
});

describe('fixed-width and classic types', () => {
  it('round-trips int8/16/32/64, strings, bytes and arrays, with -1 as null', () => {
    const w = new Writer(4)
      .int8(-2)
      .int16(-300)
      .int32(-70000)
      .int64(-(2n ** 63n))
      .string('héllo')
      .string(null)
      .bytes(Buffer.from([1, 2]))
      .bytes(null)
      .array([1, 2, 3], (x, n) => x.int32(n))
      .array(null, (x, n: number) => x.int32(n));
    const r = new Reader(w.toBuffer());
    expect(r.int8()).toBe(-2);
    expect(r.int16()).toBe(-300);
    expect(r.int32()).toBe(-70000);
    expect(r.int64()).toBe(-(2n ** 63n));
    expect(r.string()).toBe('héllo');
    expect(r.nullableString()).toBeNull();
    expect([...r.bytes()]).toEqual([1, 2]);
    expect(r.nullableBytes()).toBeNull();
    expect(r.array((x) => x.int32())).toEqual([1, 2, 3]);
    expect(r.nullableArray((x) => x.int32())).toBeNull();
    expect(r.remaining).toBe(0);
  });
  it('refuses an array count larger than the bytes left, instead of allocating it', () => {
    const buf = new Writer().int32(1_000_000).toBuffer();
    expect(() => new Reader(buf).array((x) => x.int32())).toThrow(TruncatedError);
  });
});

describe('compact types and tags', () => {
  it('writes compact strings and arrays with length+1 and null as 0', () => {
    const w = new Writer()
      .compactString('ab')
      .compactString(null)
      .compactArray([7, 8], (x, n) => x.int16(n))
      .emptyTags();
    expect(w.toBuffer().toString('hex')).toBe('036162000300070008' + '00');
    const r = new Reader(w.toBuffer());
    expect(r.compactString()).toBe('ab');
    expect(r.compactNullableString()).toBeNull();
    expect(r.compactArray((x) => x.int16())).toEqual([7, 8]);
    r.skipTags();
    expect(r.remaining).toBe(0);
  });
  it('skips a tag buffer with two tagged fields and continues after it', () => {
    // count 2; tag 0 size 3 'abc'; tag 5 size 1 0xff; then an int16 that must still be read.
    const buf = Buffer.from([2, 0, 3, 0x61, 0x62, 0x63, 5, 1, 0xff, 0x12, 0x34]);
    const r = new Reader(buf);
    r.skipTags();
    expect(r.int16()).toBe(0x1234);
    expect(r.remaining).toBe(0);
  });
  it('throws when a tag claims more bytes than are left', () => {
    expect(() => new Reader(Buffer.from([1, 0, 9, 1])).skipTags()).toThrow(TruncatedError);
  });
});
