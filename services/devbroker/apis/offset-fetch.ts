import { Writer } from '../protocol';
import type { Reader } from '../protocol';
import type { FetchedTopic } from '../groups';
import type { ApiHandler } from './types';

/** OffsetFetch request, v1-4; `topics` null (v2+) asks for everything the group committed. */
export interface OffsetFetchRequest {
  groupId: string;
  topics: { topic: string; partitions: number[] }[] | null;
}

export function decodeOffsetFetch(r: Reader, version: number): OffsetFetchRequest {
  const groupId = r.string();
  const item = (x: Reader) => ({ topic: x.string(), partitions: x.array((y) => y.int32()) });
  const topics = version >= 2 ? r.nullableArray(item) : r.array(item);
  return { groupId, topics };
}

/** throttle (v3+), topics [{name, partitions [{index, offset, metadata, error}]}], error (v2+). */
export function encodeOffsetFetch(version: number, topics: FetchedTopic[]): Writer {
  const w = new Writer();
  if (version >= 3) w.int32(0);
  w.array(topics, (x, t) =>
    x
      .string(t.topic)
      .array(t.partitions, (y, p) => y.int32(p.partition).int64(p.offset).string(p.metadata).int16(0)),
  );
  if (version >= 2) w.int16(0);
  return w;
}

/** OffsetFetch (9) v1-4: no membership check; -1 and "" for a partition with nothing committed. */
export const offsetFetch: ApiHandler = {
  apiKey: 9,
  name: 'OffsetFetch',
  minVersion: 1,
  maxVersion: 4,
  handle: (ctx, version, r) => {
    const req = decodeOffsetFetch(r, version);
    return encodeOffsetFetch(version, ctx.groups.fetchOffsets(req.groupId, req.topics));
  },
};
