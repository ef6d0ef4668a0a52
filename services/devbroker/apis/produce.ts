import { ErrorCode } from '../errors';
import { validateBatch, Writer } from '../protocol';
import type { ApiHandler } from './types';

interface PartitionResult {
  index: number;
  error: number;
  baseOffset: number;
  logStart: number;
}

/**
 * Produce (0): v3-7 append, after the idempotent-producer sequence check; v0-2 are answered, in their own layout, with UNSUPPORTED_VERSION on every
 * partition (min 0 is advertised only so librdkafka's compression check passes). acks=0 gets no response.
 */
export const produce: ApiHandler = {
  apiKey: 0,
  name: 'Produce',
  minVersion: 0,
  maxVersion: 7,
  handle: (ctx, version, r) => {
    const transactionalId = version >= 3 ? r.nullableString() : null;
    const acks = r.int16();
    r.int32();
    const data = r.array((x) => ({
      name: x.string(),
      partitions: x.array((y) => ({ index: y.int32(), records: y.nullableBytes() })),
    }));
    const results = data.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p): PartitionResult => {
        const fail = (error: number) => ({ index: p.index, error, baseOffset: -1, logStart: -1 });
        if (version < 3) return fail(ErrorCode.UNSUPPORTED_VERSION);
        if (acks !== 0 && acks !== 1 && acks !== -1) return fail(ErrorCode.INVALID_REQUIRED_ACKS);
        if (transactionalId !== null) {
          ctx.log.warn({ transactionalId }, 'transactional produce refused: no transactions');
          return fail(ErrorCode.INVALID_REQUEST);
        }
        const log = ctx.topics.partition(t.name, p.index);
        if (!log) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        const batch = validateBatch(p.records ?? Buffer.alloc(0));
        if (!batch.ok) {
          ctx.log.warn({ topic: t.name, partition: p.index, reason: batch.reason }, 'batch refused');
          return fail(batch.errorCode);
        }
        // Idempotent producers (devbroker.md §5): a resent batch is acknowledged at its first offset.
        const seq = log.producers.check(batch.header);
        if (seq.kind === 'reject') {
          ctx.log.warn({ topic: t.name, partition: p.index, reason: seq.reason }, 'batch refused');
          return fail(seq.errorCode);
        }
        return {
          index: p.index,
          error: 0,
          baseOffset: seq.kind === 'duplicate' ? seq.baseOffset : log.append(p.records as Buffer),
          logStart: log.logStartOffset,
        };
      }),
    }));
    if (acks === 0) return null;
    const w = new Writer();
    w.array(results, (x, t) => {
      x.string(t.name);
      x.array(t.partitions, (y, p) => {
        y.int32(p.index).int16(p.error).int64(p.baseOffset);
        if (version >= 2) y.int64(-1);
        if (version >= 5) y.int64(p.logStart);
      });
    });
    if (version >= 1) w.int32(0);
    return w;
  },
};
