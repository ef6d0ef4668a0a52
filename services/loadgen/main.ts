import { Kafka, logLevel, Partitioners } from 'kafkajs';

import { createTraffic } from './generator';
import { createEncoder, sendRecords } from './producer';

const USAGE =
  'usage: loadgen [--brokers 127.0.0.1:9092] [--users 5000] [--rate 500] [--seconds 60] [--prefix P] [--seed 1]';

/**
 * Entry point of the load generator: produces `rate` records per second for `seconds` (0 = until
 * SIGINT/SIGTERM), in 10 ticks per second, and prints a line per second to stderr.
 */
export async function main(argv: string[]): Promise<number> {
  const o = { brokers: '127.0.0.1:9092', users: 5000, rate: 500, seconds: 60, prefix: '', seed: 1 };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i]?.replace(/^--/, '') as keyof typeof o | undefined;
    const value = argv[i + 1];
    if (!key || !(key in o) || value === undefined) {
      process.stderr.write(`${USAGE}\n`);
      return 2;
    }
    (o as Record<string, string | number>)[key] = typeof o[key] === 'number' ? Number(value) : value;
  }
  const kafka = new Kafka({ clientId: 'loadgen', brokers: o.brokers.split(','), logLevel: logLevel.ERROR });
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  const traffic = createTraffic({ users: o.users, seed: o.seed });
  const encode = createEncoder(o.prefix);
  let stop = false;
  process.once('SIGINT', () => (stop = true));
  process.once('SIGTERM', () => (stop = true));
  const started = Date.now();
  let sent = 0;
  const perTick = Math.max(1, Math.round(o.rate / 10));
  for (let tick = 0; !stop && (o.seconds === 0 || Date.now() - started < o.seconds * 1000); tick++) {
    const due = started + tick * 100;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const records = traffic.next(perTick, Date.now());
    await sendRecords(producer, encode, records);
    sent += records.length;
    if (tick % 10 === 9)
      process.stderr.write(`loadgen: ${sent} records in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  }
  await producer.disconnect();
  return 0;
}
