import { ErrorCode } from '../errors';
import { isKnownTopicConfig, isValidTopicName } from '../log';
import { Writer } from '../protocol';
import type { ApiHandler } from './types';

/** CreateTopics (19) v0-4: -1 means the default; a replication factor over 1 is refused as on one node. */
export const createTopics: ApiHandler = {
  apiKey: 19,
  name: 'CreateTopics',
  minVersion: 0,
  maxVersion: 4,
  handle: (ctx, version, r) => {
    const topics = r.array((x) => ({
      name: x.string(),
      partitions: x.int32(),
      replication: x.int16(),
      assignments: x.array((y) => ({ partition: y.int32(), brokers: y.array((z) => z.int32()) })),
      configs: x.array((y) => ({ name: y.string(), value: y.nullableString() })),
    }));
    r.int32();
    const validateOnly = version >= 1 ? r.bool() : false;
    const results = topics.map((t) => {
      const fail = (error: number, message: string) => ({ name: t.name, error, message });
      if (!isValidTopicName(t.name)) return fail(ErrorCode.INVALID_TOPIC_EXCEPTION, 'invalid topic name');
      if (ctx.topics.get(t.name))
        return fail(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${t.name}' already exists.`);
      if (t.partitions === 0 || t.partitions < -1)
        return fail(ErrorCode.INVALID_PARTITIONS, 'partitions must be >= 1');
      if (t.replication > 1 || t.replication === 0 || t.replication < -1) {
        return fail(
          ErrorCode.INVALID_REPLICATION_FACTOR,
          `replication factor ${t.replication} larger than 1 broker`,
        );
      }
      if (t.assignments.some((a) => a.brokers.some((b) => b !== ctx.settings.nodeId))) {
        return fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'assignment names an unknown broker');
      }
      const unknown = t.configs.find((c) => !isKnownTopicConfig(c.name));
      if (unknown) return fail(ErrorCode.INVALID_CONFIG, `unknown config ${unknown.name}`);
      if (!validateOnly) {
        const count =
          t.assignments.length > 0
            ? t.assignments.length
            : t.partitions === -1
              ? ctx.settings.defaultPartitions
              : t.partitions;
        const configs = Object.fromEntries(t.configs.map((c) => [c.name, c.value ?? '']));
        ctx.topics.create(t.name, count, configs);
        ctx.log.info({ topic: t.name, partitions: count }, 'topic created');
      }
      return { name: t.name, error: 0, message: null as string | null };
    });
    const w = new Writer();
    if (version >= 2) w.int32(0);
    w.array(results, (x, t) => {
      x.string(t.name).int16(t.error);
      if (version >= 1) x.string(t.error === 0 ? null : t.message);
    });
    return w;
  },
};

/** DeleteTopics (20) v0-1: removes the log, wakes parked fetches and drops group offsets. */
export const deleteTopics: ApiHandler = {
  apiKey: 20,
  name: 'DeleteTopics',
  minVersion: 0,
  maxVersion: 1,
  handle: (ctx, version, r) => {
    const names = r.array((x) => x.string());
    r.int32();
    const w = new Writer();
    if (version >= 1) w.int32(0);
    w.array(names, (x, name) => {
      const existed = ctx.topics.delete(name);
      if (existed) {
        ctx.groups.deleteTopicOffsets(name);
        ctx.log.info({ topic: name }, 'topic deleted');
      }
      x.string(name).int16(existed ? 0 : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    });
    return w;
  },
};

/**
 * InitProducerId (22) v0-1: a new producer id with epoch 0, never reused (Produce checks its sequences);
 * transactional ids are refused (42).
 */
export const initProducerId: ApiHandler = {
  apiKey: 22,
  name: 'InitProducerId',
  minVersion: 0,
  maxVersion: 1,
  handle: (ctx, _version, r) => {
    const transactionalId = r.nullableString();
    r.int32();
    const w = new Writer().int32(0);
    if (transactionalId !== null) {
      ctx.log.warn({ transactionalId }, 'InitProducerId with a transactional id refused: no transactions');
      return w.int16(ErrorCode.INVALID_REQUEST).int64(-1).int16(-1);
    }
    return w.int16(0).int64(ctx.topics.newProducerId()).int16(0);
  },
};
