import { buildRegistry } from '../../../../services/devbroker/apis';
import { TopicStore } from '../../../../services/devbroker/log';
import { readBatchHeader, Reader, Writer } from '../../../../services/devbroker/protocol';
import { buildBatch } from '../batch-builder';
import { testConn as conn, testContext } from './broker-context';

// devbroker.md §10 unit 5 at the handler: selection, offset == HWM empty, above the HWM error 1,
// unknown partition 3, and the response-level byte cap (Fetch v11, max_wait 0 so nothing parks); and a
// parked fetch answering after the whole append that woke it.
const topics = new TopicStore(null);
const ctx = testContext({}, topics);

beforeAll(() => {
  topics.create('t', 2);
  const p0 = topics.partition('t', 0);
  p0?.append(buildBatch({ values: [Buffer.from('a'), Buffer.from('b'), Buffer.from('c')] })); // 0-2
  p0?.append(buildBatch({ values: [Buffer.alloc(500, 1), Buffer.from('e')] })); // 3-4
});

interface Part {
  partition: number;
  error: number;
  hwm: bigint;
  baseOffsets: number[];
}

async function fetchV11(
  parts: { partition: number; offset: number; maxBytes?: number }[],
  maxBytes = 1 << 20,
  maxWaitMs = 0,
): Promise<Part[]> {
  const req = new Writer()
    .int32(-1)
    .int32(maxWaitMs)
    .int32(1) // min_bytes
    .int32(maxBytes)
    .int8(0)
    .int32(0)
    .int32(-1)
    .array([{ topic: 't', parts }], (w, t) =>
      w.string(t.topic).array(t.parts, (x, p) =>
        x
          .int32(p.partition)
          .int32(-1)
          .int64(BigInt(p.offset))
          .int64(-1n)
          .int32(p.maxBytes ?? 1 << 20),
      ),
    )
    .array([], () => undefined)
    .string('')
    .toBuffer();
  const handler = buildRegistry().get(1);
  const out = await handler?.handle(ctx, 11, new Reader(req), conn);
  const r = new Reader(out?.toBuffer() ?? Buffer.alloc(0));
  r.int32();
  expect(r.int16()).toBe(0);
  r.int32();
  const [topic] = r.array((x) => ({
    name: x.string(),
    parts: x.array((y): Part => {
      const partition = y.int32();
      const error = y.int16();
      const hwm = y.int64();
      y.int64();
      y.int64();
      y.array(() => undefined);
      y.int32();
      const records = y.bytes();
      const baseOffsets: number[] = [];
      for (let pos = 0; pos < records.length; pos += records.readInt32BE(pos + 8) + 12) {
        baseOffsets.push(readBatchHeader(records.subarray(pos)).baseOffset);
      }
      return { partition, error, hwm, baseOffsets };
    }),
  }));
  expect(r.remaining).toBe(0);
  return topic?.parts ?? [];
}

describe('Fetch handler', () => {
  it('serves whole batches from the one holding the offset', async () => {
    expect(await fetchV11([{ partition: 0, offset: 1 }])).toEqual([
      { partition: 0, error: 0, hwm: 5n, baseOffsets: [0, 3] },
    ]);
    expect((await fetchV11([{ partition: 0, offset: 4 }]))[0]?.baseOffsets).toEqual([3]);
  });
  it('answers empty at the HWM and 1 (OFFSET_OUT_OF_RANGE) above it; 3 for an unknown partition', async () => {
    expect(await fetchV11([{ partition: 0, offset: 5 }])).toEqual([
      { partition: 0, error: 0, hwm: 5n, baseOffsets: [] },
    ]);
    expect((await fetchV11([{ partition: 0, offset: 6 }]))[0]?.error).toBe(1);
    expect((await fetchV11([{ partition: 7, offset: 0 }]))[0]?.error).toBe(3);
  });
  it('includes an oversized first batch whole, but no later batch past the partition cap', async () => {
    expect((await fetchV11([{ partition: 0, offset: 0, maxBytes: 10 }]))[0]?.baseOffsets).toEqual([0]);
    expect((await fetchV11([{ partition: 0, offset: 3, maxBytes: 10 }]))[0]?.baseOffsets).toEqual([3]);
  });
  it('applies the response cap across partitions: a later partition gets nothing that does not fit', async () => {
    topics.partition('t', 1)?.append(buildBatch({ values: [Buffer.from('z')] }));
    const res = await fetchV11(
      [
        { partition: 0, offset: 0 },
        { partition: 1, offset: 0 },
      ],
      100,
    );
    expect(res.map((p) => p.baseOffsets)).toEqual([[0], []]);
  });
  it('answers a parked fetch after the whole append that woke it, with every partition it appended to', async () => {
    const hwm = async (p: number) => Number((await fetchV11([{ partition: p, offset: 0 }]))[0]?.hwm);
    const [at0, at1] = [await hwm(0), await hwm(1)];
    const parked = fetchV11(
      [
        { partition: 0, offset: at0 },
        { partition: 1, offset: at1 },
      ],
      1 << 20,
      5_000,
    );
    await new Promise((r) => setImmediate(r)); // the handler has parked
    // One Produce request appends to its partitions one after another in the same call.
    topics.partition('t', 0)?.append(buildBatch({ values: [Buffer.from('x')] }));
    topics.partition('t', 1)?.append(buildBatch({ values: [Buffer.from('y')] }));
    expect((await parked).map((p) => p.baseOffsets)).toEqual([[at0], [at1]]);
  });
});
