import { crc32c } from './crc32c';

/** Kafka's max.message.bytes default: the largest batch a Produce may carry. */
export const MAX_BATCH_BYTES = 1_048_588;
/** Bytes before the first record of a v2 batch. */
export const BATCH_HEADER_BYTES = 61;

/** The header fields of a record batch v2 (devbroker.md §5). Offsets are numbers: they stay below 2^53. */
export interface BatchHeader {
  baseOffset: number;
  batchLength: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

export function readBatchHeader(b: Buffer): BatchHeader {
  return {
    baseOffset: Number(b.readBigInt64BE(0)),
    batchLength: b.readInt32BE(8),
    magic: b.readInt8(16),
    crc: b.readUInt32BE(17),
    attributes: b.readInt16BE(21),
    lastOffsetDelta: b.readInt32BE(23),
    baseTimestamp: Number(b.readBigInt64BE(27)),
    maxTimestamp: Number(b.readBigInt64BE(35)),
    producerId: b.readBigInt64BE(43),
    producerEpoch: b.readInt16BE(51),
    baseSequence: b.readInt32BE(53),
    recordCount: b.readInt32BE(57),
  };
}

/** True when the CRC-32C over bytes 21..end matches the stored one. */
export function batchCrcValid(b: Buffer): boolean {
  return crc32c(b.subarray(21)) === b.readUInt32BE(17);
}

/** Error codes of batch validation (devbroker.md §8). */
export const BatchError = {
  CORRUPT_MESSAGE: 2,
  MESSAGE_TOO_LARGE: 10,
  UNSUPPORTED_COMPRESSION_TYPE: 76,
  INVALID_RECORD: 87,
} as const;

export type ValidatedBatch =
  { ok: true; header: BatchHeader } | { ok: false; errorCode: number; reason: string };

/**
 * Kafka's Produce v3+ rules for one partition's records blob: exactly one batch, magic 2, a record count
 * that agrees with lastOffsetDelta, no control or transactional bit, a known codec, a valid CRC, at most
 * max.message.bytes.
 */
export function validateBatch(blob: Buffer): ValidatedBatch {
  const bad = (errorCode: number, reason: string): ValidatedBatch => ({ ok: false, errorCode, reason });
  if (blob.length > MAX_BATCH_BYTES) return bad(BatchError.MESSAGE_TOO_LARGE, 'batch over max.message.bytes');
  if (blob.length < BATCH_HEADER_BYTES) return bad(BatchError.INVALID_RECORD, 'shorter than a batch header');
  const header = readBatchHeader(blob);
  if (header.magic !== 2) return bad(BatchError.INVALID_RECORD, `magic ${header.magic}, expected 2`);
  if (header.batchLength + 12 !== blob.length) return bad(BatchError.INVALID_RECORD, 'not exactly one batch');
  if ((header.attributes & 0x07) > 4) return bad(BatchError.UNSUPPORTED_COMPRESSION_TYPE, 'unknown codec');
  if ((header.attributes & 0x30) !== 0)
    return bad(BatchError.INVALID_RECORD, 'transactional or control batch');
  if (header.recordCount <= 0 || header.recordCount !== header.lastOffsetDelta + 1) {
    return bad(BatchError.INVALID_RECORD, 'record count does not match lastOffsetDelta');
  }
  if (!batchCrcValid(blob)) return bad(BatchError.CORRUPT_MESSAGE, 'CRC-32C mismatch');
  return { ok: true, header };
}

/**
 * A copy of `blob` as stored at `baseOffset`: only bytes 0-7 (base offset) and 12-15 (leader epoch 0)
 * change; both lie outside the CRC, so it still verifies.
 */
export function stampBatch(blob: Buffer, baseOffset: number): Buffer {
  const out = Buffer.from(blob);
  out.writeBigInt64BE(BigInt(baseOffset), 0);
  out.writeInt32BE(0, 12);
  return out;
}
