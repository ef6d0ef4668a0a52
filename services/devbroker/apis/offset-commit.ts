import { Writer } from '../protocol';
import type { Reader } from '../protocol';
import type { ApiHandler } from './types';

/** OffsetCommit request, v2-5 (v2-4 carry a retention time, which is ignored: offsets never expire). */
export interface OffsetCommitRequest {
  groupId: string;
  generation: number;
  memberId: string;
  topics: { name: string; partitions: { partition: number; offset: bigint; metadata: string | null }[] }[];
}

export function decodeOffsetCommit(r: Reader, version: number): OffsetCommitRequest {
  const groupId = r.string();
  const generation = r.int32();
  const memberId = r.string();
  if (version <= 4) r.int64(); // retention_time_ms
  const topics = r.array((x) => ({
    name: x.string(),
    partitions: x.array((y) => ({ partition: y.int32(), offset: y.int64(), metadata: y.nullableString() })),
  }));
  return { groupId, generation, memberId, topics };
}

/** throttle (v3+), topics [{name, partitions [{index, error}]}]. */
export function encodeOffsetCommit(
  version: number,
  topics: { name: string; partitions: { partition: number; errorCode: number }[] }[],
): Writer {
  const w = new Writer();
  if (version >= 3) w.int32(0);
  return w.array(topics, (x, t) =>
    x.string(t.name).array(t.partitions, (y, p) => y.int32(p.partition).int16(p.errorCode)),
  );
}

/** OffsetCommit (8) v2-5: answered once the commits are stored (and on disk, with a data dir). */
export const offsetCommit: ApiHandler = {
  apiKey: 8,
  name: 'OffsetCommit',
  minVersion: 2,
  maxVersion: 5,
  handle: async (ctx, version, r) => {
    const req = decodeOffsetCommit(r, version);
    const entries = req.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, ...p })));
    const codes = await ctx.groups.commitOffsets(req.groupId, req.memberId, req.generation, entries);
    let i = 0;
    return encodeOffsetCommit(
      version,
      req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ partition: p.partition, errorCode: codes[i++] ?? 0 })),
      })),
    );
  },
};
