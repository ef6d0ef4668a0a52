import { mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { PartitionLog } from '../../../../services/devbroker/log';
import { readBatchHeader } from '../../../../services/devbroker/protocol';
import { buildBatch } from '../batch-builder';

// devbroker.md §5: fetch serving (whole batches from the one holding the offset) and persistence.
const batchOf = (n: number, size = 1) =>
  buildBatch({ values: Array.from({ length: n }, () => Buffer.alloc(size, 0x61)) });
const bases = (bufs: Buffer[]) => bufs.map((b) => readBatchHeader(b).baseOffset);

describe('PartitionLog.read', () => {
  let log: PartitionLog;
  beforeEach(() => {
    log = new PartitionLog(null);
    log.append(batchOf(3)); // 0-2
    log.append(batchOf(2)); // 3-4
    log.append(batchOf(5)); // 5-9
  });
  it('assigns base offsets and advances the log end', () => {
    expect(log.batches.map((b) => b.baseOffset)).toEqual([0, 3, 5]);
    expect(log.leo).toBe(10);
  });
  it('starts with the batch containing an offset in its middle', () => {
    expect(bases(log.read(4, 1 << 20, false))).toEqual([3, 5]);
    expect(bases(log.read(7, 1 << 20, false))).toEqual([5]);
    expect(bases(log.read(0, 1 << 20, false))).toEqual([0, 3, 5]);
  });
  it('returns nothing at or beyond the log end', () => {
    expect(log.read(10, 1 << 20, false)).toEqual([]);
    expect(log.read(99, 1 << 20, false)).toEqual([]);
  });
  it('stops at the byte cap but includes an oversized first batch whole (KIP-74)', () => {
    const first = log.batches[0]?.bytes.length ?? 0;
    const second = log.batches[1]?.bytes.length ?? 0;
    expect(bases(log.read(0, 1, false))).toEqual([0]);
    expect(bases(log.read(0, first + second, false))).toEqual([0, 3]);
    expect(bases(log.read(0, first + second - 1, false))).toEqual([0]);
  });
  it('returns nothing when the first batch must fit and does not', () => {
    expect(log.read(0, 1, true)).toEqual([]);
  });
  it('wakes a registered waiter on append, and not after removal', () => {
    const seen: number[] = [];
    const off = log.onAppend(() => seen.push(log.leo));
    log.append(batchOf(1));
    off();
    log.append(batchOf(1));
    expect(seen).toEqual([11]);
  });
});

describe('PartitionLog persistence', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'devbroker-unit-log-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reloads the same batches and offsets from its file', () => {
    const file = join(dir, 'p0.log');
    const a = new PartitionLog(file);
    a.append(batchOf(3));
    a.append(batchOf(4));
    const bytes = a.batches.map((b) => Buffer.from(b.bytes));
    a.close();
    const b = new PartitionLog(file);
    expect(b.leo).toBe(7);
    expect(b.batches.map((x) => x.bytes)).toEqual(bytes);
    expect(b.append(batchOf(1))).toBe(7);
    b.close();
  });
  it('cuts a torn tail (batch cut mid-way) on reload, and appends after the cut', () => {
    const file = join(dir, 'p0.log');
    const a = new PartitionLog(file);
    a.append(batchOf(3));
    a.append(batchOf(2, 100));
    const firstLen = a.batches[0]?.bytes.length ?? 0;
    a.close();
    truncateSync(file, statSync(file).size - 50);
    const b = new PartitionLog(file);
    expect(b.leo).toBe(3);
    expect(statSync(file).size).toBe(firstLen);
    expect(b.append(batchOf(1))).toBe(3);
    b.close();
    const c = new PartitionLog(file);
    expect(c.batches.map((x) => x.baseOffset)).toEqual([0, 3]);
    c.close();
  });
  it('cuts from a batch whose CRC no longer matches', () => {
    const file = join(dir, 'p0.log');
    const a = new PartitionLog(file);
    a.append(batchOf(1));
    a.append(batchOf(1));
    a.close();
    const data = readFileSync(file);
    data.writeUInt8((data.at(-1) ?? 0) ^ 0xff, data.length - 1);
    writeFileSync(file, data);
    const b = new PartitionLog(file);
    expect(b.leo).toBe(1);
    b.close();
  });
  it('rebuilds idempotent producers’ sequences from its file, so a resend after a restart is caught', () => {
    const file = join(dir, 'p0.log');
    const a = new PartitionLog(file);
    a.append(batchOf(1));
    a.append(
      buildBatch({ values: [Buffer.from('x'), Buffer.from('y')], producerId: 1000n, baseSequence: 0 }),
    );
    a.close();
    const b = new PartitionLog(file);
    const resent = { producerId: 1000n, producerEpoch: -1, baseSequence: 0, lastOffsetDelta: 1 };
    expect(b.producers.check(resent)).toEqual({ kind: 'duplicate', baseOffset: 1 });
    expect(b.producers.check({ ...resent, baseSequence: 2 })).toEqual({ kind: 'append' });
    expect(b.producers.maxProducerId()).toBe(1000n);
    b.close();
  });
  it('cuts a tail shorter than a batch header', () => {
    const file = join(dir, 'p0.log');
    const a = new PartitionLog(file);
    a.append(batchOf(1));
    a.close();
    writeFileSync(file, Buffer.concat([readFileSync(file), Buffer.alloc(7)]));
    const b = new PartitionLog(file);
    expect(b.leo).toBe(1);
    b.close();
  });
});
