import { apiVersionsTooNew, buildRegistry } from '../../../../services/devbroker/apis';
import type { BrokerContext } from '../../../../services/devbroker/apis';
import { Reader, Writer } from '../../../../services/devbroker/protocol';

// devbroker.md §2 (table) and §3 (ApiVersions v0-v3 layouts, v0 error body above v3).
const TABLE: [number, number, number][] = [
  [0, 0, 7],
  [1, 4, 11],
  [2, 1, 3],
  [3, 0, 6],
  [8, 2, 5],
  [9, 1, 4],
  [10, 0, 2],
  [11, 0, 5],
  [12, 0, 3],
  [13, 0, 3],
  [14, 0, 3],
  [15, 0, 2],
  [16, 0, 2],
  [18, 0, 3],
  [19, 0, 4],
  [20, 0, 1],
  [22, 0, 1],
  [32, 0, 2],
  [37, 0, 1],
  [42, 0, 1],
];

const ctx = {} as BrokerContext; // ApiVersions reads nothing from the context
const conn = { clientId: 't', clientHost: '/127.0.0.1' };

async function call(
  version: number,
  body: Buffer,
  maxVersions: Record<number, number> = {},
): Promise<Buffer> {
  const handler = buildRegistry(maxVersions).get(18);
  if (!handler) throw new Error('no ApiVersions handler');
  const out = await handler.handle(ctx, version, new Reader(body), conn);
  if (!out) throw new Error('no response');
  return out.toBuffer();
}

function decodeClassic(buf: Buffer): [number, number, number][] {
  const r = new Reader(buf);
  return r.array((x) => [x.int16(), x.int16(), x.int16()] as [number, number, number]);
}
const sorted = (t: [number, number, number][]) => [...t].sort((a, b) => a[0] - b[0]);

describe('ApiVersions golden bytes', () => {
  const classic = (rows: [number, number, number][]) => {
    const w = new Writer().int16(0).int32(rows.length);
    for (const [k, lo, hi] of rows) w.int16(k).int16(lo).int16(hi);
    return w;
  };
  it('advertises exactly the spec table', async () => {
    const buf = await call(0, Buffer.alloc(0));
    expect(buf.readInt16BE(0)).toBe(0);
    expect(sorted(decodeClassic(buf.subarray(2)))).toEqual(TABLE);
  });
  it('v0 is error, int32-counted array of {key,min,max}, and nothing else', async () => {
    const buf = await call(0, Buffer.alloc(0));
    const rows = decodeClassic(buf.subarray(2));
    expect(buf.equals(classic(rows).toBuffer())).toBe(true);
  });
  it.each([1, 2])('v%d adds throttle_time_ms 0 at the end', async (v) => {
    const buf = await call(v, Buffer.alloc(0));
    const rows = decodeClassic(buf.subarray(2));
    expect(buf.equals(classic(rows).int32(0).toBuffer())).toBe(true);
  });
  it('v3 is error, compact array with per-entry tags, throttle, tags', async () => {
    const req = new Writer().compactString('kcat').compactString('1.7.1').emptyTags().toBuffer();
    const buf = await call(3, req);
    const rows = sorted(decodeClassic((await call(0, Buffer.alloc(0))).subarray(2)));
    const r = new Reader(buf);
    expect(r.int16()).toBe(0);
    const got = r.compactArray((x) => {
      const row: [number, number, number] = [x.int16(), x.int16(), x.int16()];
      expect(x.uvarint()).toBe(0);
      return row;
    });
    expect(sorted(got)).toEqual(rows);
    expect(r.int32()).toBe(0);
    expect(r.uvarint()).toBe(0);
    expect(r.remaining).toBe(0);
    // First bytes exactly: error 0, then uvarint(N+1) = 21 for 20 APIs.
    expect(buf.subarray(0, 3).toString('hex')).toBe('000015');
  });
  it('answers above v3 with the v0 error body: 35 and {18,0,3}', () => {
    expect(apiVersionsTooNew().toBuffer().toString('hex')).toBe(
      '0023' + '00000001' + '0012' + '0000' + '0003',
    );
  });
  it('caps advertised versions through maxVersions, and drops an API capped below its minimum', async () => {
    const rows = decodeClassic((await call(0, Buffer.alloc(0), { 3: 4, 1: 3 })).subarray(2));
    expect(rows.find((r) => r[0] === 3)).toEqual([3, 0, 4]);
    expect(rows.find((r) => r[0] === 1)).toBeUndefined();
  });
});
