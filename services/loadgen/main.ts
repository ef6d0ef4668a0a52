import { Kafka, logLevel, Partitioners } from 'kafkajs';

import { createTraffic } from './generator';
import { parseLoadgenArgs, USAGE } from './args';
import { createEncoder, sendRecords } from './producer';

/**
 * Ticks per second. Records of a tick are stamped and sent together, so a tick is a burst: at 10 per
 * second the engine saw 100 ms bursts and events waited up to a tick before they were even sent.
 */
const TICKS_PER_SECOND = 50;

/**
 * Entry point of the load generator: produces `rate` records per second for `seconds` (0 = until
 * SIGINT/SIGTERM), in TICKS_PER_SECOND ticks, one producer call per tick (records keyed by userId to
 * events.<channel>, profiles and consent). It prints `loadgen: sending` to stderr once set up, then a
 * line per second. Returns the exit code.
 */
export async function main(argv: string[]): Promise<number> {
  const parsed = parseLoadgenArgs(argv);
  if (!parsed.ok) {
    process.stderr.write(`loadgen: ${parsed.error}\n${USAGE}\n`);
    return 2;
  }
  const o = parsed.options;
  const kafka = new Kafka({ clientId: 'loadgen', brokers: o.brokers.split(','), logLevel: logLevel.ERROR });
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  const traffic = createTraffic({ users: o.users, seed: o.seed, maxLagMs: o.lagMs });
  traffic.skip(o.skip);
  const encode = createEncoder(o.prefix);
  let stop = false;
  process.once('SIGINT', () => (stop = true));
  process.once('SIGTERM', () => (stop = true));
  // Set up (modules loaded, --skip done, producer connected): a caller timing the load can start now.
  process.stderr.write('loadgen: sending\n');
  const started = Date.now();
  let sent = 0;
  for (let tick = 0; !stop && (o.seconds === 0 || Date.now() - started < o.seconds * 1000); tick++) {
    const due = started + (tick * 1000) / TICKS_PER_SECOND;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    // Cumulative target, so a rate that is not a multiple of 10 is still met over a second.
    const records = traffic.next(Math.floor((o.rate * (tick + 1)) / TICKS_PER_SECOND) - sent, Date.now());
    if (records.length > 0) await sendRecords(producer, encode, records);
    sent += records.length;
    if (tick % TICKS_PER_SECOND === TICKS_PER_SECOND - 1)
      process.stderr.write(`loadgen: ${sent} records in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  }
  await producer.disconnect();
  return 0;
}
