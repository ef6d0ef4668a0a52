import { closeSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';

import { batchCrcValid, readBatchHeader, stampBatch } from '../protocol';
import { ProducerStates } from './producer-state';

/** One stored batch; `bytes` are exactly what Fetch serves. */
export interface StoredBatch {
  baseOffset: number;
  lastOffsetDelta: number;
  maxTimestamp: number;
  compressed: boolean;
  bytes: Buffer;
}

/**
 * One partition's log: batches kept as sent with the base offset rewritten, an index for binary search,
 * and, with a data dir, an append-only file of the same bytes (self-delimiting through their first 12).
 */
export class PartitionLog {
  readonly batches: StoredBatch[] = [];
  logStartOffset = 0;
  /** Log end offset = high watermark on one node. */
  leo = 0;
  /** Idempotent producers' sequences, kept from every batch appended or loaded (Produce checks them). */
  readonly producers = new ProducerStates();
  private fd: number | null = null;
  private readonly waiters = new Set<() => void>();

  constructor(readonly file: string | null) {
    if (file) this.load(file);
  }

  /** Reads the file, cutting a torn tail (a short frame or a bad CRC) so it is never served. */
  private load(file: string): void {
    let data: Buffer;
    try {
      data = readFileSync(file);
    } catch {
      data = Buffer.alloc(0);
    }
    let pos = 0;
    while (pos + 12 <= data.length) {
      const size = data.readInt32BE(pos + 8) + 12;
      if (size < 61 || pos + size > data.length) break;
      const bytes = data.subarray(pos, pos + size);
      if (!batchCrcValid(bytes)) break;
      this.index(Buffer.from(bytes));
      pos += size;
    }
    this.fd = openSync(file, 'a+');
    if (pos < data.length) ftruncateSync(this.fd, pos);
    this.logStartOffset = this.batches[0]?.baseOffset ?? 0;
  }

  private index(bytes: Buffer): StoredBatch {
    const h = readBatchHeader(bytes);
    const batch: StoredBatch = {
      baseOffset: h.baseOffset,
      lastOffsetDelta: h.lastOffsetDelta,
      maxTimestamp: h.maxTimestamp,
      compressed: (h.attributes & 0x07) !== 0,
      bytes,
    };
    this.batches.push(batch);
    this.producers.record(h, h.baseOffset);
    this.leo = h.baseOffset + h.lastOffsetDelta + 1;
    return batch;
  }

  /** Appends a validated batch at the log end; returns its base offset and wakes parked fetches. */
  append(blob: Buffer): number {
    const base = this.leo;
    const batch = this.index(stampBatch(blob, base));
    if (this.fd !== null) writeSync(this.fd, batch.bytes);
    this.wake();
    return base;
  }

  /** Index of the batch containing `offset` (binary search on base offsets), or -1. */
  private batchIndexOf(offset: number): number {
    let lo = 0;
    let hi = this.batches.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const b = this.batches[mid] as StoredBatch;
      if (b.baseOffset <= offset) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found < 0) return this.batches.length > 0 ? 0 : -1;
    const b = this.batches[found] as StoredBatch;
    return offset <= b.baseOffset + b.lastOffsetDelta
      ? found
      : found + 1 < this.batches.length
        ? found + 1
        : -1;
  }

  /**
   * Whole batches from the one containing `offset`, while they fit in `maxBytes`; the first batch is
   * always included whole even when larger (KIP-74), unless `firstMustFit` (a later partition of a
   * response that already has data).
   */
  read(offset: number, maxBytes: number, firstMustFit: boolean): Buffer[] {
    const out: Buffer[] = [];
    let i = this.batchIndexOf(offset);
    if (i < 0) return out;
    let size = 0;
    for (; i < this.batches.length; i++) {
      const b = (this.batches[i] as StoredBatch).bytes;
      if (size + b.length > maxBytes && (out.length > 0 || firstMustFit)) break;
      out.push(b);
      size += b.length;
    }
    return out;
  }

  /** The first offset whose record timestamp is >= ts, or null. Compressed batches answer their base offset. */
  offsetForTimestamp(ts: number): number | null {
    const b = this.batches.find((x) => x.maxTimestamp >= ts);
    if (!b) return null;
    if (b.compressed) return b.baseOffset;
    // Walk the records: varint length, attributes, varlong timestampDelta, varint offsetDelta, ...
    const base = Number(b.bytes.readBigInt64BE(27));
    let pos = 61;
    const buf = b.bytes;
    const uvar = () => {
      let r = 0;
      let s = 0;
      for (;;) {
        const byte = buf[pos++] as number;
        r += (byte & 0x7f) * 2 ** s;
        if ((byte & 0x80) === 0) return r;
        s += 7;
      }
    };
    const zig = (u: number) => (u % 2 === 0 ? u / 2 : -(u + 1) / 2);
    const count = buf.readInt32BE(57);
    for (let i = 0; i < count && pos < buf.length; i++) {
      const len = zig(uvar());
      const start = pos;
      pos += 1;
      const tsDelta = zig(uvar());
      const offDelta = zig(uvar());
      if (base + tsDelta >= ts) return b.baseOffset + offDelta;
      pos = start + len;
    }
    return b.baseOffset;
  }

  /** Registers a callback for the next append (long polling); returns its removal. */
  onAppend(cb: () => void): () => void {
    this.waiters.add(cb);
    return () => this.waiters.delete(cb);
  }

  /** Wakes every parked fetch (append, deletion, broker stop). */
  wake(): void {
    for (const cb of [...this.waiters]) cb();
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
