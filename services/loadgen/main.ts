import { Kafka, logLevel, Partitioners } from 'kafkajs';

import { createTraffic } from './generator';
import { parseLoadgenArgs, USAGE } from './args';
import { createEncoder, sendRecords } from './producer';

/**
 * Entry point of the load generator: produces `rate` records per second for `seconds` (0 = until
 * SIGINT/SIGTERM), in 10 ticks per second, one producer call per tick (records keyed by userId to
 * events.<channel>, profiles and consent), and prints a line per second to stderr. Returns the exit code.
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
  const encode = createEncoder(o.prefix);
  let stop = false;
  process.once('SIGINT', () => (stop = true));
  process.once('SIGTERM', () => (stop = true));
  const started = Date.now();
  let sent = 0;
  for (let tick = 0; !stop && (o.seconds === 0 || Date.now() - started < o.seconds * 1000); tick++) {
    const due = started + tick * 100;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    // Cumulative target, so a rate that is not a multiple of 10 is still met over a second.
    const records = traffic.next(Math.floor((o.rate * (tick + 1)) / 10) - sent, Date.now());
    if (records.length > 0) await sendRecords(producer, encode, records);
    sent += records.length;
    if (tick % 10 === 9)
      process.stderr.write(`loadgen: ${sent} records in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  }
  await producer.disconnect();
  return 0;
}
