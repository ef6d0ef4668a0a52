import { ErrorCode } from '../errors';
import type { BatchHeader } from '../protocol';

/**
 * Batches remembered per producer and partition for duplicate detection: Kafka keeps 5, the most a
 * client may have in flight (max.in.flight.requests.per.connection <= 5 with idempotence).
 */
export const CACHED_BATCHES = 5;
const INT32_MAX = 2_147_483_647;

/** The batch-header fields the sequence check reads. */
export type SequencedHeader = Pick<
  BatchHeader,
  'producerId' | 'producerEpoch' | 'baseSequence' | 'lastOffsetDelta'
>;

/** What to do with a batch: append it, acknowledge it as a duplicate of a stored one, or refuse it. */
export type SequenceVerdict =
  | { kind: 'append' }
  | { kind: 'duplicate'; baseOffset: number }
  | { kind: 'reject'; errorCode: number; reason: string };

interface CachedBatch {
  firstSeq: number;
  lastSeq: number;
  baseOffset: number;
}

interface ProducerEntry {
  epoch: number;
  /** Oldest first; at most CACHED_BATCHES. */
  batches: CachedBatch[];
}

/** The last sequence of a batch: clients wrap past Int32 max back to 0 (Kafka's incrementSequence). */
export function lastSequence(baseSequence: number, lastOffsetDelta: number): number {
  return baseSequence > INT32_MAX - lastOffsetDelta
    ? lastOffsetDelta - (INT32_MAX - baseSequence) - 1
    : baseSequence + lastOffsetDelta;
}

/** Whether `next` is the sequence that follows `last` (with the wrap at Int32 max). */
export function inSequence(last: number, next: number): boolean {
  return next === last + 1 || (next === 0 && last === INT32_MAX);
}

const APPEND: SequenceVerdict = { kind: 'append' };
const reject = (errorCode: number, reason: string): SequenceVerdict => ({
  kind: 'reject',
  errorCode,
  reason,
});

/**
 * One partition's idempotent-producer state (devbroker.md §5 "Idempotence"): per producer id the epoch
 * and its last 5 batches (first and last sequence, base offset). Batches with producer id -1 (clients
 * without idempotence) are never checked. Pure: no I/O, no clock.
 */
export class ProducerStates {
  private readonly producers = new Map<bigint, ProducerEntry>();

  /**
   * Checks a batch before it is appended: a resent batch (same epoch, same first and last sequence as
   * one of the last 5) is a duplicate, acknowledged with its original base offset as Kafka does (never
   * 46); an older epoch gets 47; a gap, or a new epoch not starting at 0, gets 45; an unknown producer
   * whose first sequence is not 0 gets 59.
   */
  check(h: SequencedHeader): SequenceVerdict {
    if (h.producerId < 0n) return APPEND;
    const entry = this.producers.get(h.producerId);
    if (!entry) {
      if (h.baseSequence === 0) return APPEND;
      return reject(ErrorCode.UNKNOWN_PRODUCER_ID, `unknown producer, first sequence ${h.baseSequence}`);
    }
    if (h.producerEpoch < entry.epoch) {
      return reject(ErrorCode.INVALID_PRODUCER_EPOCH, `epoch ${h.producerEpoch} older than ${entry.epoch}`);
    }
    if (h.producerEpoch > entry.epoch) {
      if (h.baseSequence === 0) return APPEND;
      return reject(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, `new epoch starts at ${h.baseSequence}, not 0`);
    }
    const last = lastSequence(h.baseSequence, h.lastOffsetDelta);
    const dup = entry.batches.find((b) => b.firstSeq === h.baseSequence && b.lastSeq === last);
    if (dup) return { kind: 'duplicate', baseOffset: dup.baseOffset };
    const newest = entry.batches[entry.batches.length - 1];
    if (newest && !inSequence(newest.lastSeq, h.baseSequence)) {
      return reject(
        ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
        `sequence ${h.baseSequence}, expected ${lastSequence(newest.lastSeq, 1)}`,
      );
    }
    return APPEND;
  }

  /** Remembers an appended batch (also used to rebuild the state from a log file at start). */
  record(h: SequencedHeader, baseOffset: number): void {
    if (h.producerId < 0n) return;
    let entry = this.producers.get(h.producerId);
    if (!entry || entry.epoch !== h.producerEpoch) {
      entry = { epoch: h.producerEpoch, batches: [] };
      this.producers.set(h.producerId, entry);
    }
    entry.batches.push({
      firstSeq: h.baseSequence,
      lastSeq: lastSequence(h.baseSequence, h.lastOffsetDelta),
      baseOffset,
    });
    if (entry.batches.length > CACHED_BATCHES) entry.batches.shift();
  }

  /** The highest producer id seen, or -1: new ids are handed out above it, so a restart reuses none. */
  maxProducerId(): bigint {
    let max = -1n;
    for (const id of this.producers.keys()) if (id > max) max = id;
    return max;
  }
}
