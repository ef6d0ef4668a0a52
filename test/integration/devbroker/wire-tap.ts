import { connect } from 'node:net';

import type { ISocketFactory } from 'kafkajs';

import { crc32c, Reader } from '../../../services/devbroker/protocol';

/** What to do to the n-th Produce request (0-based) a tapped kafkajs client sends. */
export interface ProduceFaults {
  /** Lose its response: the client closes the connection when it arrives, as on a network cut. */
  loseResponse?: (n: number) => boolean;
  /** Rewrite the first sequence of its (single) record batch before it is sent. */
  baseSequence?: (n: number, sequence: number) => number;
}

/**
 * A kafkajs `socketFactory` over real TCP sockets that injects network faults into Produce requests,
 * so that kafkajs's own retry and sequence handling meet the broker. `produceCount()` tells how many
 * Produce requests went out (a retry counts), so a test can check that the fault really happened.
 */
export function tappedSockets(faults: ProduceFaults): {
  socketFactory: ISocketFactory;
  produceCount: () => number;
} {
  let produced = 0;
  const socketFactory: ISocketFactory = ({ host, port, onConnect }) => {
    const socket = connect({ host, port }, onConnect);
    let cut = false;
    let loseNext = false;
    const write = socket.write.bind(socket) as (chunk: unknown, ...rest: unknown[]) => boolean;
    // kafkajs writes each request as one buffer: int32 size, int16 api key (0 = Produce), ...
    socket.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (Buffer.isBuffer(chunk) && chunk.length > 6 && chunk.readInt16BE(4) === 0) {
        const n = produced++;
        if (faults.baseSequence) chunk = withBaseSequence(chunk, (s) => faults.baseSequence!(n, s));
        if (faults.loseResponse?.(n)) loseNext = true;
      }
      return write(chunk, ...rest);
    }) as typeof socket.write;
    const emit = socket.emit.bind(socket) as (event: string | symbol, ...args: unknown[]) => boolean;
    socket.emit = ((event: string | symbol, ...args: unknown[]) => {
      if (event === 'data' && (cut || loseNext)) {
        // Swallow the response and close our side; the broker closes too and kafkajs sees 'end'.
        if (!cut) socket.end();
        cut = true;
        loseNext = false;
        return true;
      }
      return emit(event, ...args);
    }) as typeof socket.emit;
    return socket;
  };
  return { socketFactory, produceCount: () => produced };
}

/**
 * A copy of a Produce v3+ request frame (one topic, one partition) whose batch starts at the sequence
 * `change` returns, with the batch CRC-32C recomputed so the broker accepts it as the client's own.
 */
function withBaseSequence(frame: Buffer, change: (sequence: number) => number): Buffer {
  const r = new Reader(frame);
  r.int32(); // size
  r.int16(); // api key
  if (r.int16() < 3) throw new Error('the tap rewrites Produce v3+ only');
  r.int32(); // correlation id
  r.nullableString(); // client id
  r.nullableString(); // transactional id
  r.int16(); // acks
  r.int32(); // timeout
  if (r.int32() !== 1) throw new Error('the tap rewrites one topic per Produce');
  r.string();
  if (r.int32() !== 1) throw new Error('the tap rewrites one partition per Produce');
  r.int32(); // partition
  const batchLength = r.int32();
  const start = frame.length - r.remaining;
  const out = Buffer.from(frame);
  const batch = out.subarray(start, start + batchLength);
  batch.writeInt32BE(change(batch.readInt32BE(53)), 53);
  batch.writeUInt32BE(crc32c(batch.subarray(21)), 17);
  return out;
}
