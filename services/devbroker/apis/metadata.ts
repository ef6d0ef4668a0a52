import { ErrorCode } from '../errors';
import { isValidTopicName } from '../log';
import { Writer } from '../protocol';
import type { ApiHandler, BrokerContext } from './types';

/**
 * Metadata (3) v0-6, with Kafka's auto-create: the creating call answers LEADER_NOT_AVAILABLE once
 * (or, with the `autoCreateReady` setting, the new partitions at once).
 */
export const metadata: ApiHandler = {
  apiKey: 3,
  name: 'Metadata',
  minVersion: 0,
  maxVersion: 6,
  handle: (ctx, version, r) => {
    let requested: string[] | null;
    if (version === 0) {
      const list = r.array((x) => x.string());
      requested = list.length === 0 ? null : list;
    } else requested = r.nullableArray((x) => x.string());
    const allowAutoCreate = version >= 4 ? r.bool() : true;

    const topics = (requested ?? ctx.topics.names()).map((name) =>
      describeTopic(ctx, name, allowAutoCreate && requested !== null),
    );
    const { settings } = ctx;
    const w = new Writer();
    if (version >= 3) w.int32(0);
    w.array([settings], (x, s) => {
      x.int32(s.nodeId).string(s.host).int32(s.port);
      if (version >= 1) x.string(null);
    });
    if (version >= 2) w.string(settings.clusterId);
    if (version >= 1) w.int32(settings.nodeId);
    w.array(topics, (x, t) => {
      x.int16(t.error).string(t.name);
      if (version >= 1) x.bool(false);
      x.array(t.partitions, (y, p) => {
        y.int16(0).int32(p).int32(settings.nodeId);
        y.array([settings.nodeId], (z, n) => z.int32(n));
        y.array([settings.nodeId], (z, n) => z.int32(n));
        if (version >= 5) y.array([], () => undefined);
      });
    });
    return w;
  },
};

function describeTopic(
  ctx: BrokerContext,
  name: string,
  mayCreate: boolean,
): { error: number; name: string; partitions: number[] } {
  const topic = ctx.topics.get(name);
  if (topic) return { error: 0, name, partitions: topic.partitions.map((_, i) => i) };
  if (!isValidTopicName(name)) return { error: ErrorCode.INVALID_TOPIC_EXCEPTION, name, partitions: [] };
  if (mayCreate && ctx.settings.autoCreateTopics) {
    const topic = ctx.topics.create(name, ctx.settings.defaultPartitions);
    ctx.log.info({ topic: name, partitions: ctx.settings.defaultPartitions }, 'topic auto-created');
    if (ctx.settings.autoCreateReady)
      return { error: 0, name, partitions: topic.partitions.map((_, i) => i) };
    return { error: ErrorCode.LEADER_NOT_AVAILABLE, name, partitions: [] };
  }
  return { error: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name, partitions: [] };
}
