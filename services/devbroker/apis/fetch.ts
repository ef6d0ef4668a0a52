import { ErrorCode } from '../errors';
import { Writer } from '../protocol';
import type { Reader } from '../protocol';
import type { ApiHandler, BrokerContext } from './types';

interface FetchRequest {
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  sessionId: number;
  sessionEpoch: number;
  topics: {
    topic: string;
    partitions: { partition: number; leaderEpoch: number; offset: number; maxBytes: number }[];
  }[];
}

interface PartitionData {
  partition: number;
  error: number;
  hwm: number;
  logStart: number;
  records: Buffer[];
}

function parse(version: number, r: Reader): FetchRequest {
  r.int32(); // replica_id
  const maxWaitMs = r.int32();
  const minBytes = r.int32();
  const maxBytes = version >= 3 ? r.int32() : 0x7fffffff;
  if (version >= 4) r.int8(); // isolation_level: LSO = HWM here, so both levels read the same
  const sessionId = version >= 7 ? r.int32() : 0;
  const sessionEpoch = version >= 7 ? r.int32() : -1;
  const topics = r.array((x) => ({
    topic: x.string(),
    partitions: x.array((y) => {
      const partition = y.int32();
      const leaderEpoch = version >= 9 ? y.int32() : -1;
      const offset = Number(y.int64());
      if (version >= 5) y.int64();
      return { partition, leaderEpoch, offset, maxBytes: y.int32() };
    }),
  }));
  if (version >= 7) r.array((x) => (x.string(), x.array((y) => y.int32())));
  if (version >= 11) r.string();
  return { maxWaitMs, minBytes, maxBytes, sessionId, sessionEpoch, topics };
}

function collect(
  ctx: BrokerContext,
  req: FetchRequest,
): { data: { topic: string; partitions: PartitionData[] }[]; bytes: number; error: boolean } {
  let bytes = 0;
  let error = false;
  const data = req.topics.map((t) => ({
    topic: t.topic,
    partitions: t.partitions.map((p): PartitionData => {
      const log = ctx.topics.partition(t.topic, p.partition);
      const result = (e: number, records: Buffer[] = []): PartitionData => {
        if (e !== 0) error = true;
        return {
          partition: p.partition,
          error: e,
          hwm: log ? log.leo : -1,
          logStart: log ? log.logStartOffset : -1,
          records,
        };
      };
      if (!log) return result(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      // Our leader epoch is always 0; these clients send -1 (not checked).
      if (p.leaderEpoch > 0) return result(ErrorCode.UNKNOWN_LEADER_EPOCH);
      if (p.offset < log.logStartOffset || p.offset > log.leo) return result(ErrorCode.OFFSET_OUT_OF_RANGE);
      if (p.offset === log.leo) return result(0);
      const room = Math.min(p.maxBytes, req.maxBytes - bytes);
      const records = log.read(p.offset, room, bytes > 0);
      for (const b of records) bytes += b.length;
      return result(0, records);
    }),
  }));
  return { data, bytes, error };
}

/**
 * Fetch (1) v4-11 with long polling (devbroker.md §7): when the data is under min_bytes, the request
 * parks on its partitions and answers after the append (the whole Produce) that meets min_bytes, on any
 * partition error, on broker stop, or at exactly max_wait_ms. Never later: kafkajs times the request out
 * at max_wait + 100 ms.
 */
export const fetch: ApiHandler = {
  apiKey: 1,
  name: 'Fetch',
  minVersion: 4,
  maxVersion: 11,
  handle: async (ctx, version, r) => {
    const req = parse(version, r);
    if (version >= 7 && req.sessionId !== 0 && req.sessionEpoch > 0) {
      return encode(version, ErrorCode.FETCH_SESSION_ID_NOT_FOUND, []);
    }
    let result = collect(ctx, req);
    if (result.bytes < req.minBytes && !result.error && req.maxWaitMs > 0) {
      result = await new Promise((resolve) => {
        const removers: (() => void)[] = [];
        let done = false;
        const finish = () => {
          if (done) return;
          done = true;
          clearTimeout(timeout);
          for (const remove of removers) remove();
          resolve(collect(ctx, req));
        };
        const timeout = setTimeout(finish, req.maxWaitMs);
        void ctx.stopping.then(finish);
        // Checked once the append's request is done, not inside it: a Produce appends to its partitions
        // one after another in one call, and a fetch answered at the first would miss the rest of it
        // (Kafka too completes delayed fetches after the whole append). Appends in one call share a check.
        let checking = false;
        const onAppend = () => {
          if (checking) return;
          checking = true;
          queueMicrotask(() => {
            checking = false;
            if (done) return;
            const next = collect(ctx, req);
            if (next.bytes >= req.minBytes || next.error) finish();
          });
        };
        for (const t of req.topics) {
          for (const p of t.partitions) {
            const log = ctx.topics.partition(t.topic, p.partition);
            if (log) removers.push(log.onAppend(onAppend));
          }
        }
      });
    }
    return encode(version, 0, result.data);
  },
};

function encode(
  version: number,
  topError: number,
  data: { topic: string; partitions: PartitionData[] }[],
): Writer {
  const w = new Writer(1024);
  w.int32(0);
  if (version >= 7) w.int16(topError).int32(0);
  w.array(data, (x, t) => {
    x.string(t.topic);
    x.array(t.partitions, (y, p) => {
      y.int32(p.partition).int16(p.error).int64(p.hwm).int64(p.hwm);
      if (version >= 5) y.int64(p.logStart);
      y.array([], () => undefined);
      if (version >= 11) y.int32(-1);
      const size = p.records.reduce((n, b) => n + b.length, 0);
      y.int32(size);
      for (const b of p.records) y.raw(b);
    });
  });
  return w;
}
