import fc from 'fast-check';
import { AvroCodec } from '../../../../services/engine/codec';
import { isWellBounded } from '../../../../services/engine/codec/bounds';
import { ACTIVATION, DECISION, EVENT } from './fixtures';

const codec = AvroCodec.load();

/** Zig-zag varint of a non-negative or negative integer, as Avro writes longs. */
function varint(n: bigint): Buffer {
  let z = BigInt.asUintN(64, (n << 1n) ^ (n >> 63n));
  const out: number[] = [];
  while (z > 0x7fn) {
    out.push(Number(z & 0x7fn) | 0x80);
    z >>= 7n;
  }
  out.push(Number(z));
  return Buffer.from(out);
}

const str = (s: string): Buffer => Buffer.concat([varint(BigInt(Buffer.byteLength(s))), Buffer.from(s)]);

describe('isWellBounded', () => {
  it.each([
    ['event', EVENT],
    ['activation', ACTIVATION],
    ['decision', DECISION],
    ['profile', { userId: 'u', attributes: { a: null, b: 'x' }, updatedAt: 1 }],
  ] as const)('accepts a valid %s body', (kind, value) => {
    expect(isWellBounded(codec.typeOf(kind), codec.typeOf(kind).toBuffer(value))).toBe(true);
  });

  it('rejects a map claiming 2^40 entries in a few bytes, at once', () => {
    const body = Buffer.concat([str('u'), varint(1n << 40n), str('k')]);
    const started = process.hrtime.bigint();
    expect(isWellBounded(codec.typeOf('profile'), body)).toBe(false);
    expect(process.hrtime.bigint() - started).toBeLessThan(1_000_000_000n);
  });

  it('rejects a negative (sized) block claiming too many items', () => {
    const body = Buffer.concat([str('u'), varint(-(1n << 30n)), varint(5n), str('k')]);
    expect(isWellBounded(codec.typeOf('profile'), body)).toBe(false);
  });

  it('accepts a sized block that is honest', () => {
    const entry = Buffer.concat([str('k'), varint(1n), str('v')]);
    const body = Buffer.concat([
      str('u'),
      varint(-1n),
      varint(BigInt(entry.length)),
      entry,
      varint(0n),
      varint(9n),
    ]);
    expect(isWellBounded(codec.typeOf('profile'), body)).toBe(true);
    expect(codec.typeOf('profile').fromBuffer(body)).toMatchObject({ attributes: { k: 'v' }, updatedAt: 9 });
  });

  it('rejects truncated bodies, trailing bytes and bad union branches', () => {
    const body = codec.typeOf('event').toBuffer(EVENT);
    expect(isWellBounded(codec.typeOf('event'), body.subarray(0, body.length - 1))).toBe(false);
    expect(isWellBounded(codec.typeOf('event'), Buffer.concat([body, Buffer.from([0])]))).toBe(false);
    const badUnion = Buffer.concat([str('u'), varint(1n), str('k'), varint(7n), varint(0n), varint(1n)]);
    expect(isWellBounded(codec.typeOf('profile'), badUnion)).toBe(false);
  });

  it('agrees with avsc on random valid events (property)', () => {
    const scalar = fc.oneof(fc.string(), fc.double({ noNaN: true }), fc.boolean());
    const event = fc.record({
      eventId: fc.string({ minLength: 1 }),
      userId: fc.string({ minLength: 1, maxLength: 128 }),
      channel: fc.constantFrom('web', 'mobile', 'email', 'paid'),
      type: fc.stringMatching(/^[a-z0-9_.]{1,64}$/),
      occurredAt: fc.nat(),
      sessionId: fc.option(fc.string(), { nil: null }),
      properties: fc.dictionary(fc.string(), scalar),
      context: fc.option(
        fc.record({
          locale: fc.constant('en-GB'),
          region: fc.constant('GB'),
          timezone: fc.constant('Europe/London'),
          userAgent: fc.option(fc.string(), { nil: null }),
          bot: fc.boolean(),
        }),
        { nil: null },
      ),
    });
    fc.assert(
      fc.property(event, (value) => {
        const framed = codec.encode('event', value);
        const decoded = codec.decode(framed);
        return decoded.ok && isWellBounded(codec.typeOf('event'), framed, 10);
      }),
    );
  });

  it('never lets codec.decode throw or hang on corrupted bodies (property)', () => {
    const framed = codec.encode('decision', DECISION);
    fc.assert(
      fc.property(
        fc.nat({ max: framed.length - 11 }),
        fc.uint8Array({ minLength: 1, maxLength: 12 }),
        (at, junk) => {
          const corrupted = Buffer.from(framed);
          Buffer.from(junk).copy(corrupted, 10 + at);
          const result = codec.decode(corrupted);
          return typeof result.ok === 'boolean';
        },
      ),
      { numRuns: 500 },
    );
  });
});
