import { ErrorCode } from '../errors';
import { Writer } from '../protocol';
import type { Reader } from '../protocol';
import type { ApiHandler, BrokerContext } from './types';

/** One topic of a CreatePartitions request: the new total count, and replicas per new partition. */
export interface PartitionIncrease {
  name: string;
  count: number;
  /** Broker ids per new partition, or null to let the broker place them. */
  assignments: number[][] | null;
}

/** One topic's answer; `message` is null without error. */
export interface IncreaseResult {
  name: string;
  errorCode: number;
  message: string | null;
}

/** Decodes a CreatePartitions v0-1 request (v1 is the same as v0). */
export function decodeCreatePartitions(r: Reader): {
  topics: PartitionIncrease[];
  validateOnly: boolean;
} {
  const topics = r.array((x) => ({
    name: x.string(),
    count: x.int32(),
    assignments: x.nullableArray((y) => y.array((z) => z.int32())),
  }));
  r.int32(); // timeout_ms: one node answers at once
  return { topics, validateOnly: r.bool() };
}

/**
 * Kafka's checks for one topic, given its current partition count (undefined when missing): a topic
 * named twice gets 42; an unknown topic 3; a count not above the current one 37 (devbroker.md §4);
 * assignments that are not one per new partition, or not exactly this node (replication factor 1),
 * get 39. Null when the increase may go ahead.
 */
export function checkIncrease(
  t: PartitionIncrease,
  current: number | undefined,
  nodeId: number,
  duplicate: boolean,
): Omit<IncreaseResult, 'name'> | null {
  const fail = (errorCode: number, message: string) => ({ errorCode, message });
  if (duplicate) return fail(ErrorCode.INVALID_REQUEST, 'Duplicate topic in request.');
  if (current === undefined) {
    return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${t.name}' does not exist.`);
  }
  if (t.count < current) {
    return fail(
      ErrorCode.INVALID_PARTITIONS,
      `Topic currently has ${current} partitions, which is higher than the requested ${t.count}.`,
    );
  }
  if (t.count === current)
    return fail(ErrorCode.INVALID_PARTITIONS, `Topic already has ${current} partitions.`);
  if (t.assignments !== null) {
    if (t.assignments.length !== t.count - current) {
      return fail(
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        `Increasing the number of partitions by ${t.count - current} but ${t.assignments.length} assignments provided.`,
      );
    }
    if (t.assignments.some((brokers) => brokers.length !== 1 || brokers[0] !== nodeId)) {
      return fail(
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        `each new partition must be on broker ${nodeId} alone`,
      );
    }
  }
  return null;
}

/** Checks every topic, then grows the valid ones unless `validateOnly`. */
export function increasePartitions(
  ctx: BrokerContext,
  topics: readonly PartitionIncrease[],
  validateOnly: boolean,
): IncreaseResult[] {
  const seen = new Map<string, number>();
  for (const t of topics) seen.set(t.name, (seen.get(t.name) ?? 0) + 1);
  return topics.map((t) => {
    const current = ctx.topics.get(t.name)?.partitions.length;
    const error = checkIncrease(t, current, ctx.settings.nodeId, (seen.get(t.name) ?? 0) > 1);
    if (error) return { name: t.name, ...error };
    if (!validateOnly) {
      ctx.topics.grow(t.name, t.count);
      ctx.log.info({ topic: t.name, from: current, partitions: t.count }, 'partitions added');
    }
    return { name: t.name, errorCode: 0, message: null };
  });
}

/** CreatePartitions (37) v0-1: adds partitions to existing topics. */
export const createPartitions: ApiHandler = {
  apiKey: 37,
  name: 'CreatePartitions',
  minVersion: 0,
  maxVersion: 1,
  handle: (ctx, _version, r) => {
    const req = decodeCreatePartitions(r);
    const results = increasePartitions(ctx, req.topics, req.validateOnly);
    return new Writer()
      .int32(0)
      .array(results, (x, res) => x.string(res.name).int16(res.errorCode).string(res.message));
  },
};
