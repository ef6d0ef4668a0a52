import {
  batchCrcValid,
  crc32c,
  MAX_BATCH_BYTES,
  readBatchHeader,
  stampBatch,
  validateBatch,
} from '../../../../services/devbroker/protocol';
import { buildBatch } from '../batch-builder';

// devbroker.md §5: validation codes and stamping.
const errorOf = (blob: Buffer) => {
  const v = validateBatch(blob);
  return v.ok ? 0 : v.errorCode;
};
/** Rewrites the CRC so that only the field under test is wrong. */
const recrc = (b: Buffer) => {
  b.writeUInt32BE(crc32c(b.subarray(21)), 17);
  return b;
};

describe('validateBatch', () => {
  it('accepts a well-formed batch and reads its header', () => {
    const blob = buildBatch({ values: [Buffer.from('a'), null, Buffer.from('c')] });
    const v = validateBatch(blob);
    expect(v.ok).toBe(true);
    if (!v.ok) return;
    expect(v.header.recordCount).toBe(3);
    expect(v.header.lastOffsetDelta).toBe(2);
    expect(v.header.batchLength).toBe(blob.length - 12);
  });
  it('answers 2 (CORRUPT_MESSAGE) on a CRC mismatch', () => {
    const blob = buildBatch();
    blob.writeUInt8((blob.at(-2) ?? 0) ^ 0xff, blob.length - 2);
    expect(batchCrcValid(blob)).toBe(false);
    expect(errorOf(blob)).toBe(2);
  });
  it('answers 87 on two batches in one blob', () => {
    expect(errorOf(Buffer.concat([buildBatch(), buildBatch()]))).toBe(87);
  });
  it('answers 87 on magic 1', () => {
    expect(errorOf(buildBatch({ magic: 1 }))).toBe(87);
  });
  it('answers 87 when recordCount disagrees with lastOffsetDelta, and on count 0', () => {
    expect(errorOf(buildBatch({ values: [Buffer.from('a'), Buffer.from('b')], recordCount: 3 }))).toBe(87);
    expect(errorOf(buildBatch({ recordCount: 0 }))).toBe(87);
  });
  it('answers 87 on a transactional or control batch', () => {
    expect(errorOf(buildBatch({ attributes: 0x10 }))).toBe(87);
    expect(errorOf(buildBatch({ attributes: 0x20 }))).toBe(87);
  });
  it('answers 76 on codec 5 and accepts codecs 1-4 opaque', () => {
    expect(errorOf(buildBatch({ attributes: 5 }))).toBe(76);
    for (const codec of [1, 2, 3, 4]) expect(errorOf(buildBatch({ attributes: codec }))).toBe(0);
  });
  it('answers 10 above 1048588 bytes and accepts exactly 1048588', () => {
    const overhead = buildBatch({ values: [Buffer.alloc(0)] }).length;
    // The value length varint grows from 1 to 3 bytes for a ~1 MB value.
    const fits = buildBatch({ values: [Buffer.alloc(MAX_BATCH_BYTES - overhead - 4)] });
    expect(fits.length).toBe(MAX_BATCH_BYTES);
    expect(errorOf(fits)).toBe(0);
    const over = buildBatch({ values: [Buffer.alloc(MAX_BATCH_BYTES - overhead - 3)] });
    expect(over.length).toBe(MAX_BATCH_BYTES + 1);
    expect(errorOf(over)).toBe(10);
  });
  it('answers 87 on a blob shorter than a header', () => {
    expect(errorOf(buildBatch().subarray(0, 40))).toBe(87);
  });
});

describe('stampBatch', () => {
  it('changes only bytes 0-7 and 12-15, keeps the CRC valid and leaves the input alone', () => {
    const blob = buildBatch({ values: [Buffer.from('x'), Buffer.from('y')] });
    const before = Buffer.from(blob);
    const stamped = stampBatch(blob, 0x0102030405);
    expect(blob.equals(before)).toBe(true);
    expect(stamped.length).toBe(blob.length);
    for (let i = 0; i < blob.length; i++) {
      const inStampedField = i < 8 || (i >= 12 && i < 16);
      if (!inStampedField) expect([i, stamped[i]]).toEqual([i, blob[i]]);
    }
    expect(readBatchHeader(stamped).baseOffset).toBe(0x0102030405);
    expect(stamped.readInt32BE(12)).toBe(0);
    expect(blob.readInt32BE(12)).toBe(-1);
    expect(batchCrcValid(stamped)).toBe(true);
    expect(recrc(Buffer.from(stamped)).equals(stamped)).toBe(true);
  });
});
