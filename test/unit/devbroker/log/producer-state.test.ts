import { ErrorCode } from '../../../../services/devbroker/errors';
import { CACHED_BATCHES, inSequence, lastSequence, ProducerStates } from '../../../../services/devbroker/log';
import type { SequencedHeader } from '../../../../services/devbroker/log';

// devbroker.md §5 "Idempotence": per (producer id, partition) the epoch, the next sequence and the last
// 5 batches; a duplicate is acknowledged at its original offset, a gap gets 45, an older epoch 47, an
// unknown producer starting past 0 gets 59.
const INT32_MAX = 2_147_483_647;
const PID = 1000n;

/** A batch of `count` records starting at sequence `seq`. */
const batch = (seq: number, count = 1, epoch = 0, producerId = PID): SequencedHeader => ({
  producerId,
  producerEpoch: epoch,
  baseSequence: seq,
  lastOffsetDelta: count - 1,
});

/** Checks a batch and, when it is to be appended, records it at `offset` (what Produce then does). */
function produce(s: ProducerStates, h: SequencedHeader, offset: number) {
  const v = s.check(h);
  if (v.kind === 'append') s.record(h, offset);
  return v;
}

describe('sequence arithmetic', () => {
  it('computes a batch’s last sequence, wrapping past Int32 max to 0', () => {
    expect(lastSequence(0, 0)).toBe(0);
    expect(lastSequence(5, 4)).toBe(9);
    expect(lastSequence(INT32_MAX, 0)).toBe(INT32_MAX);
    expect(lastSequence(INT32_MAX - 1, 2)).toBe(0);
    expect(lastSequence(INT32_MAX, 3)).toBe(2);
  });
  it('knows which sequence follows another', () => {
    expect(inSequence(9, 10)).toBe(true);
    expect(inSequence(9, 11)).toBe(false);
    expect(inSequence(9, 9)).toBe(false);
    expect(inSequence(INT32_MAX, 0)).toBe(true);
  });
});

describe('ProducerStates.check', () => {
  it('never checks batches without a producer id (-1), whatever their sequence', () => {
    const s = new ProducerStates();
    expect(produce(s, batch(-1, 1, -1, -1n), 0)).toEqual({ kind: 'append' });
    expect(produce(s, batch(7, 1, 0, -1n), 1)).toEqual({ kind: 'append' });
    expect(produce(s, batch(-1, 1, -1, -1n), 2)).toEqual({ kind: 'append' });
    expect(s.maxProducerId()).toBe(-1n);
  });

  it('accepts a new producer at sequence 0 and refuses one starting later with 59', () => {
    const s = new ProducerStates();
    expect(s.check(batch(3))).toMatchObject({ kind: 'reject', errorCode: ErrorCode.UNKNOWN_PRODUCER_ID });
    expect(produce(s, batch(0, 3), 0)).toEqual({ kind: 'append' });
  });

  it('appends batches in sequence and refuses a gap with 45', () => {
    const s = new ProducerStates();
    produce(s, batch(0, 3), 0); // 0-2
    produce(s, batch(3, 2), 3); // 3-4
    expect(s.check(batch(6))).toMatchObject({
      kind: 'reject',
      errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
      reason: 'sequence 6, expected 5',
    });
    expect(s.check(batch(5))).toEqual({ kind: 'append' });
  });

  it('acknowledges a resent batch at its original base offset, without appending it again', () => {
    const s = new ProducerStates();
    produce(s, batch(0, 3), 10);
    produce(s, batch(3, 2), 13);
    expect(s.check(batch(3, 2))).toEqual({ kind: 'duplicate', baseOffset: 13 });
    expect(s.check(batch(0, 3))).toEqual({ kind: 'duplicate', baseOffset: 10 });
    // Same first sequence but a different size is no duplicate: it is out of order.
    expect(s.check(batch(3, 1))).toMatchObject({ errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER });
  });

  it('remembers only the last 5 batches: an older resend is out of order', () => {
    const s = new ProducerStates();
    for (let i = 0; i <= CACHED_BATCHES; i++) produce(s, batch(i), 100 + i);
    expect(s.check(batch(0))).toMatchObject({ errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER });
    expect(s.check(batch(1))).toEqual({ kind: 'duplicate', baseOffset: 101 });
    expect(s.check(batch(CACHED_BATCHES))).toEqual({ kind: 'duplicate', baseOffset: 100 + CACHED_BATCHES });
  });

  it('refuses an older epoch with 47; a newer epoch must restart at sequence 0', () => {
    const s = new ProducerStates();
    produce(s, batch(0, 1, 2), 0);
    expect(s.check(batch(1, 1, 1))).toMatchObject({ errorCode: ErrorCode.INVALID_PRODUCER_EPOCH });
    expect(s.check(batch(1, 1, 3))).toMatchObject({ errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER });
    expect(produce(s, batch(0, 1, 3), 1)).toEqual({ kind: 'append' });
    // The new epoch replaced the old one's batches: a resend from epoch 2 is now fenced.
    expect(s.check(batch(0, 1, 2))).toMatchObject({ errorCode: ErrorCode.INVALID_PRODUCER_EPOCH });
  });

  it('follows a producer across the Int32 wrap of its sequence', () => {
    const s = new ProducerStates();
    produce(s, batch(0), 0);
    s.record(batch(1, INT32_MAX), 1); // sequences 1 .. INT32_MAX
    expect(s.check(batch(0, 2))).toEqual({ kind: 'append' });
  });

  it('keeps producers apart and reports the highest id seen', () => {
    const s = new ProducerStates();
    produce(s, batch(0, 1, 0, 1005n), 0);
    produce(s, batch(0, 1, 0, 1001n), 1);
    expect(s.check(batch(1, 1, 0, 1001n))).toEqual({ kind: 'append' });
    expect(s.check(batch(0, 1, 0, 1005n))).toEqual({ kind: 'duplicate', baseOffset: 0 });
    expect(s.maxProducerId()).toBe(1005n);
  });
});
