import { ErrorCode } from '../errors';
import { Writer } from '../protocol';
import type { ApiHandler } from './types';

/** ListOffsets (2) v1-3: -1 latest (HWM = LSO here), -2 earliest, else the first offset at or after ts. */
export const listOffsets: ApiHandler = {
  apiKey: 2,
  name: 'ListOffsets',
  minVersion: 1,
  maxVersion: 3,
  handle: (ctx, version, r) => {
    r.int32();
    if (version >= 2) r.int8();
    const topics = r.array((x) => ({
      name: x.string(),
      partitions: x.array((y) => ({ partition: y.int32(), timestamp: Number(y.int64()) })),
    }));
    const w = new Writer();
    if (version >= 2) w.int32(0);
    w.array(topics, (x, t) => {
      x.string(t.name);
      x.array(t.partitions, (y, p) => {
        const log = ctx.topics.partition(t.name, p.partition);
        if (!log)
          return void y.int32(p.partition).int16(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION).int64(-1).int64(-1);
        let offset: number | null;
        let ts = -1;
        if (p.timestamp === -1) offset = log.leo;
        else if (p.timestamp === -2) offset = log.logStartOffset;
        else {
          offset = log.offsetForTimestamp(p.timestamp);
          if (offset !== null) ts = p.timestamp;
        }
        y.int32(p.partition)
          .int16(0)
          .int64(ts)
          .int64(offset ?? -1);
      });
    });
    return w;
  },
};
