import { connect } from 'node:net';
import type { Socket } from 'node:net';

import { Kafka, logLevel } from 'kafkajs';

import { startTestBroker } from '../../support/broker';
import type { TestBroker } from '../../support/broker';

// Every advertised version of every group API (devbroker.md §2) over a raw socket: requests written
// and responses read here by hand from apache/kafka's message JSON, and each response must be
// consumed exactly, so a missing or extra field at any version fails.
jest.setTimeout(60_000);

const run = `${process.pid}-${Date.now()}`;
const TOPIC = `versions-${run}`;

/** Request body builder (non-flexible encodings only). */
class Out {
  private parts: Buffer[] = [];
  private push(n: number, f: (b: Buffer) => void): this {
    const b = Buffer.alloc(n);
    f(b);
    this.parts.push(b);
    return this;
  }
  i8 = (v: number) => this.push(1, (b) => b.writeInt8(v));
  i16 = (v: number) => this.push(2, (b) => b.writeInt16BE(v));
  i32 = (v: number) => this.push(4, (b) => b.writeInt32BE(v));
  i64 = (v: bigint) => this.push(8, (b) => b.writeBigInt64BE(v));
  str = (s: string | null) => {
    if (s === null) return this.i16(-1);
    const b = Buffer.from(s);
    this.i16(b.length);
    this.parts.push(b);
    return this;
  };
  bytes = (b: Buffer) => {
    this.i32(b.length);
    this.parts.push(b);
    return this;
  };
  array = <T>(items: T[] | null, each: (o: Out, item: T) => void) => {
    if (items === null) return this.i32(-1);
    this.i32(items.length);
    for (const it of items) each(this, it);
    return this;
  };
  buf = () => Buffer.concat(this.parts);
}

/** Response reader; `end()` asserts that nothing is left over. */
class In {
  private o = 0;
  constructor(private readonly b: Buffer) {}
  i8 = () => this.b.readInt8((this.o += 1) - 1);
  i16 = () => this.b.readInt16BE((this.o += 2) - 2);
  i32 = () => this.b.readInt32BE((this.o += 4) - 4);
  i64 = () => this.b.readBigInt64BE((this.o += 8) - 8);
  str = (): string | null => {
    const n = this.i16();
    if (n < 0) return null;
    return this.b.toString('utf8', this.o, (this.o += n));
  };
  bytes = (): Buffer => {
    const n = this.i32();
    return this.b.subarray(this.o, (this.o += Math.max(n, 0)));
  };
  array = <T>(each: () => T): T[] => Array.from({ length: Math.max(this.i32(), 0) }, each);
  end = () => expect(this.o).toBe(this.b.length);
}

class Client {
  private socket!: Socket;
  private pending = new Map<number, (b: Buffer) => void>();
  private buffered = Buffer.alloc(0);
  private correlation = 0;

  async open(host: string, port: number): Promise<void> {
    this.socket = connect(port, host);
    await new Promise<void>((resolve, reject) => {
      this.socket.once('connect', resolve);
      this.socket.once('error', reject);
    });
    this.socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      while (this.buffered.length >= 4 && this.buffered.length >= 4 + this.buffered.readInt32BE(0)) {
        const size = this.buffered.readInt32BE(0);
        const frame = this.buffered.subarray(4, 4 + size);
        this.buffered = this.buffered.subarray(4 + size);
        this.pending.get(frame.readInt32BE(0))?.(frame.subarray(4));
      }
    });
  }

  call(apiKey: number, version: number, body: Out): Promise<In> {
    const id = ++this.correlation;
    const header = new Out().i16(apiKey).i16(version).i32(id).str('versions-test').buf();
    const payload = Buffer.concat([header, body.buf()]);
    const size = Buffer.alloc(4);
    size.writeInt32BE(payload.length);
    return new Promise((resolve) => {
      this.pending.set(id, (b) => resolve(new In(b)));
      this.socket.write(Buffer.concat([size, payload]));
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

let broker: TestBroker;
let host: string;
let port: number;

beforeAll(async () => {
  broker = await startTestBroker();
  [host, port] = [broker.address.split(':')[0] as string, Number(broker.address.split(':')[1])];
  const kafka = new Kafka({
    clientId: 'versions-setup',
    brokers: [broker.address],
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 2 }], waitForLeaders: true });
  await admin.disconnect();
});
afterAll(async () => {
  await broker?.stop();
});

const clamp = (v: number, min: number, max: number) => Math.min(max, Math.max(min, v));

/**
 * One group's life at JoinGroup version `jv`; every other API runs at `jv` clamped to its own range,
 * so that the six runs together cover each advertised version of each API.
 */
async function lifecycle(jv: number): Promise<void> {
  const c = new Client();
  await c.open(host, port);
  const group = `gv${jv}-${run}`;
  try {
    // FindCoordinator 0-2
    const fv = clamp(jv, 0, 2);
    const fo = new Out().str(group);
    if (fv >= 1) fo.i8(0);
    const f = await c.call(10, fv, fo);
    if (fv >= 1) f.i32();
    expect(f.i16()).toBe(0);
    if (fv >= 1) expect(f.str()).toBeNull();
    expect([f.i32(), f.str(), f.i32()]).toEqual([1, host, port]);
    f.end();

    // JoinGroup 0-5 (v4+: the 79 handshake first)
    const join = async (memberId: string) => {
      const o = new Out().str(group).i32(6000);
      if (jv >= 1) o.i32(10_000);
      o.str(memberId);
      if (jv >= 5) o.str(null);
      o.str('consumer').array([['range', Buffer.from('meta')] as const], (x, [n, m]) => x.str(n).bytes(m));
      const r = await c.call(11, jv, o);
      if (jv >= 2) r.i32();
      const res = {
        error: r.i16(),
        generation: r.i32(),
        protocol: r.str(),
        leader: r.str(),
        memberId: r.str(),
      };
      const members = r.array(() => {
        const id = r.str();
        if (jv >= 5) expect(r.str()).toBeNull();
        return { id, metadata: r.bytes().toString() };
      });
      r.end();
      return { ...res, members };
    };
    let joined = await join('');
    if (jv >= 4) {
      expect(joined.error).toBe(79);
      joined = await join(joined.memberId ?? '');
    }
    const me = joined.memberId ?? '';
    expect(joined).toMatchObject({ error: 0, generation: 1, protocol: 'range', leader: me });
    expect(joined.members).toEqual([{ id: me, metadata: 'meta' }]);

    // SyncGroup 0-3
    const sv = clamp(jv, 0, 3);
    const so = new Out().str(group).i32(1).str(me);
    if (sv >= 3) so.str(null);
    so.array([me], (x, id) => x.str(id).bytes(Buffer.from('assignment')));
    const s = await c.call(14, sv, so);
    if (sv >= 1) s.i32();
    expect([s.i16(), s.bytes().toString()]).toEqual([0, 'assignment']);
    s.end();

    // Heartbeat 0-3
    const hv = clamp(jv, 0, 3);
    const ho = new Out().str(group).i32(1).str(me);
    if (hv >= 3) ho.str(null);
    const h = await c.call(12, hv, ho);
    if (hv >= 1) h.i32();
    expect(h.i16()).toBe(0);
    h.end();

    // OffsetCommit 2-5 (partition 7 does not exist: 3)
    const cv = clamp(jv, 2, 5);
    const co = new Out().str(group).i32(1).str(me);
    if (cv <= 4) co.i64(-1n);
    co.array([TOPIC], (x, t) =>
      x.str(t).array([0, 7], (y, p) => {
        y.i32(p).i64(BigInt(40 + jv));
        y.str(`md${jv}`);
      }),
    );
    const cr = await c.call(8, cv, co);
    if (cv >= 3) cr.i32();
    expect(cr.array(() => [cr.str(), cr.array(() => [cr.i32(), cr.i16()])])).toEqual([
      [
        TOPIC,
        [
          [0, 0],
          [7, 3],
        ],
      ],
    ]);
    cr.end();

    // OffsetFetch 1-4 (v2+: null topics means all)
    const ov = clamp(jv, 1, 4);
    const oo = new Out().str(group);
    if (ov >= 2) oo.array(null, () => {});
    else oo.array([TOPIC], (x, t) => x.str(t).array([0, 1], (y, p) => y.i32(p)));
    const or = await c.call(9, ov, oo);
    if (ov >= 3) or.i32();
    const fetched = or.array(() => [or.str(), or.array(() => [or.i32(), or.i64(), or.str(), or.i16()])]);
    if (ov >= 2) expect(or.i16()).toBe(0);
    or.end();
    const committed = [0, BigInt(40 + jv), `md${jv}`, 0];
    expect(fetched).toEqual([[TOPIC, ov >= 2 ? [committed] : [committed, [1, -1n, '', 0]]]]);

    // DescribeGroups 0-2
    const dv = clamp(jv, 0, 2);
    const d = await c.call(
      15,
      dv,
      new Out().array([group, `missing-${run}`], (x, g) => x.str(g)),
    );
    if (dv >= 1) d.i32();
    const described = d.array(() => ({
      error: d.i16(),
      id: d.str(),
      state: d.str(),
      type: d.str(),
      protocol: d.str(),
      members: d.array(() => [d.str(), d.str(), d.str(), d.bytes().toString(), d.bytes().toString()]),
    }));
    d.end();
    expect(described).toEqual([
      {
        error: 0,
        id: group,
        state: 'Stable',
        type: 'consumer',
        protocol: 'range',
        members: [[me, 'versions-test', expect.any(String), 'meta', 'assignment']],
      },
      { error: 0, id: `missing-${run}`, state: 'Dead', type: '', protocol: '', members: [] },
    ]);

    // ListGroups 0-2
    const lv = clamp(jv, 0, 2);
    const l = await c.call(16, lv, new Out());
    if (lv >= 1) l.i32();
    expect(l.i16()).toBe(0);
    const listed = l.array(() => [l.str(), l.str()]);
    l.end();
    expect(listed).toContainEqual([group, 'consumer']);

    // LeaveGroup 0-3
    const vv = clamp(jv, 0, 3);
    const lo = new Out().str(group);
    if (vv >= 3) lo.array([me, 'nobody'], (x, id) => x.str(id).str(null));
    else lo.str(me);
    const lr = await c.call(13, vv, lo);
    if (vv >= 1) lr.i32();
    expect(lr.i16()).toBe(0);
    if (vv >= 3) {
      expect(lr.array(() => [lr.str(), lr.str(), lr.i16()])).toEqual([
        [me, null, 0],
        ['nobody', null, 25],
      ]);
    }
    lr.end();

    // DeleteGroups 0-1: the group is Empty now; a second delete finds nothing (69)
    const xv = clamp(jv, 0, 1);
    for (const expected of [0, 69]) {
      const x = await c.call(
        42,
        xv,
        new Out().array([group], (o, g) => o.str(g)),
      );
      x.i32();
      expect(x.array(() => [x.str(), x.i16()])).toEqual([[group, expected]]);
      x.end();
    }
  } finally {
    c.close();
  }
}

describe('group APIs at every advertised version', () => {
  it.each([0, 1, 2, 3, 4, 5])('a group lifecycle with JoinGroup v%i', async (jv) => {
    await lifecycle(jv);
  });
});
