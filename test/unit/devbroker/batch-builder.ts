import { crc32c, Writer } from '../../../services/devbroker/protocol';

export interface BatchSpec {
  values?: (Buffer | null)[];
  attributes?: number;
  baseTimestamp?: number;
  /** Overrides the header's recordCount (to build an inconsistent batch). */
  recordCount?: number;
  magic?: number;
  /** Idempotent producer fields; default -1, -1, -1 (a client without idempotence). */
  producerId?: bigint;
  producerEpoch?: number;
  baseSequence?: number;
}

/** A record batch v2 as a client would send it (base offset 0, leader epoch -1), with a valid CRC-32C. */
export function buildBatch(spec: BatchSpec = {}): Buffer {
  const values = spec.values ?? [Buffer.from('v')];
  const base = spec.baseTimestamp ?? 1_700_000_000_000;
  const records = new Writer();
  values.forEach((value, i) => {
    const body = new Writer()
      .int8(0)
      .varlong(BigInt(i))
      .varint(i)
      .varint(-1)
      .varint(value === null ? -1 : value.length);
    if (value) body.raw(value);
    body.varint(0);
    const b = body.toBuffer();
    records.varint(b.length).raw(b);
  });
  const tail = new Writer()
    .int16(spec.attributes ?? 0)
    .int32(values.length - 1)
    .int64(BigInt(base))
    .int64(BigInt(base + values.length - 1))
    .int64(spec.producerId ?? -1n)
    .int16(spec.producerEpoch ?? -1)
    .int32(spec.baseSequence ?? -1)
    .int32(spec.recordCount ?? values.length)
    .raw(records.toBuffer())
    .toBuffer();
  const head = new Writer()
    .int64(0n)
    .int32(tail.length + 9)
    .int32(-1)
    .int8(spec.magic ?? 2)
    .uint32(crc32c(tail))
    .toBuffer();
  return Buffer.concat([head, tail]);
}
