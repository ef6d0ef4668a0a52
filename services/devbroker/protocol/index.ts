/** protocol: Kafka wire primitives and record batches, no sockets. */
export { Reader, TruncatedError } from './reader';
export { Writer } from './writer';
export { crc32c } from './crc32c';
export {
  BATCH_HEADER_BYTES,
  BatchError,
  batchCrcValid,
  MAX_BATCH_BYTES,
  readBatchHeader,
  stampBatch,
  validateBatch,
} from './batch';
export type { BatchHeader, ValidatedBatch } from './batch';
