/**
 * Throughput of the dev broker with kafkajs: a producer sends N messages in batches, then one consumer
 * reads them all; prints msgs/s for each. Starts its own broker as a child process with a temporary data
 * dir (so the broker's event loop is not this one), unless --brokers points at a running one.
 *
 *   npx tsx services/devbroker/bench.ts [--messages 200000] [--batch 500] [--size 200] [--partitions 3]
 *                                       [--brokers HOST:PORT]
 */
import { Kafka, logLevel } from 'kafkajs';

import { startTestBroker } from '../../test/support/broker';

interface Options {
  messages: number;
  batch: number;
  size: number;
  partitions: number;
  brokers: string | null;
}

function parse(argv: string[]): Options {
  const opts: Options = { messages: 200_000, batch: 500, size: 200, partitions: 3, brokers: null };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === '--messages') opts.messages = Number(value);
    else if (flag === '--batch') opts.batch = Number(value);
    else if (flag === '--size') opts.size = Number(value);
    else if (flag === '--partitions') opts.partitions = Number(value);
    else if (flag === '--brokers') opts.brokers = value;
    else throw new Error(`unknown argument ${flag}`);
  }
  return opts;
}

export async function main(argv: string[]): Promise<number> {
  const opts = parse(argv);
  // The repository's one broker launcher: a temporary data dir, deleted by stop().
  const broker = opts.brokers ? null : await startTestBroker();
  const address = opts.brokers ?? broker?.address ?? '';
  const kafka = new Kafka({ clientId: 'devbroker-bench', brokers: [address], logLevel: logLevel.NOTHING });
  const topic = `bench-${Date.now()}`;
  try {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: opts.partitions }] });
    await admin.disconnect();

    const value = Buffer.alloc(opts.size, 'x');
    const producer = kafka.producer();
    await producer.connect();
    const p0 = process.hrtime.bigint();
    for (let sent = 0; sent < opts.messages; sent += opts.batch) {
      const n = Math.min(opts.batch, opts.messages - sent);
      await producer.send({
        topic,
        messages: Array.from({ length: n }, (_, i) => ({ key: String(sent + i), value })),
      });
    }
    const produceSec = Number(process.hrtime.bigint() - p0) / 1e9;
    await producer.disconnect();

    const consumer = kafka.consumer({
      groupId: `${topic}-g`,
      maxWaitTimeInMs: 100,
      maxBytes: 10 * 1024 * 1024,
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    let received = 0;
    let c0 = 0n;
    const done = new Promise<void>((resolve) => {
      void consumer.run({
        eachBatch: async ({ batch }) => {
          if (c0 === 0n) c0 = process.hrtime.bigint();
          received += batch.messages.length;
          if (received >= opts.messages) resolve();
        },
      });
    });
    await done;
    const consumeSec = Number(process.hrtime.bigint() - c0) / 1e9;
    await consumer.disconnect();

    const rate = (sec: number) => Math.round(opts.messages / sec);
    process.stdout.write(
      `devbroker bench: ${opts.messages} messages of ${opts.size} B, batches of ${opts.batch}, ` +
        `${opts.partitions} partitions\n` +
        `produce: ${rate(produceSec)} msgs/s (${produceSec.toFixed(2)} s)\n` +
        `consume: ${rate(consumeSec)} msgs/s (${consumeSec.toFixed(2)} s, from the first batch)\n`,
    );
    return 0;
  } finally {
    await broker?.stop();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
