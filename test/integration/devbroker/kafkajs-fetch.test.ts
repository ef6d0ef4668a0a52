import { connect } from 'node:net';

import { Kafka, logLevel } from 'kafkajs';
import type { Consumer } from 'kafkajs';

import { startTestBroker } from '../../support/broker';
import type { TestBroker } from '../../support/broker';
import { requestLogReader, until } from './helpers';

// devbroker.md §10 kafkajs 9-11 and §7: long polling, seek past the HWM, and bad clients closing only
// their own connection.
jest.setTimeout(60_000);

const run = `${process.pid}-${Date.now()}`;
const CONSUMER = { sessionTimeout: 6000, heartbeatInterval: 300, rebalanceTimeout: 10_000 };

let broker: TestBroker;
/** apiKey 1 (Fetch) requests per client id, from the broker's debug request log. */
const fetches = new Map<string, number>();

beforeAll(async () => {
  broker = await startTestBroker({
    env: { LOG_LEVEL: 'debug' },
    onStderr: requestLogReader((r) => {
      if (r.apiKey === 1) fetches.set(r.clientId, (fetches.get(r.clientId) ?? 0) + 1);
    }),
  });
});
afterAll(async () => {
  await broker.stop();
});

const client = (clientId: string) =>
  new Kafka({ clientId, brokers: broker.brokers, logLevel: logLevel.NOTHING });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function createTopic(kafka: Kafka, topic: string, numPartitions: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions }] });
  await admin.disconnect();
}

/** Starts a consumer and resolves once it joined; `seen` collects `partition:offset:value`. */
async function startConsumer(
  kafka: Kafka,
  topic: string,
  opts: { maxWaitTimeInMs: number; fromBeginning: boolean },
  seen: { value: string; offset: string; at: number }[],
): Promise<Consumer> {
  const consumer = kafka.consumer({
    groupId: `g-${topic}`,
    ...CONSUMER,
    maxWaitTimeInMs: opts.maxWaitTimeInMs,
  });
  let joined = false;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    joined = true;
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: opts.fromBeginning });
  await consumer.run({
    eachMessage: async ({ message }) =>
      void seen.push({ value: String(message.value), offset: message.offset, at: Date.now() }),
  });
  await until('group join', () => joined);
  return consumer;
}

describe('fetch long polling', () => {
  it('an idle consumer with maxWaitTimeInMs 1000 sends at most 5 fetches in 3 s', async () => {
    const id = `idle-${run}`;
    const kafka = client(id);
    const topic = `fetch-idle-${run}`;
    await createTopic(kafka, topic, 1);
    const consumer = await startConsumer(kafka, topic, { maxWaitTimeInMs: 1000, fromBeginning: true }, []);
    try {
      await sleep(500); // past the first fetches that resolve the start offset
      const before = fetches.get(id) ?? 0;
      await sleep(3000);
      const during = (fetches.get(id) ?? 0) - before;
      expect(during).toBeGreaterThanOrEqual(1);
      expect(during).toBeLessThanOrEqual(5);
    } finally {
      await consumer.disconnect();
    }
  });

  it('a message produced while a fetch is parked arrives before the fetch would time out', async () => {
    const kafka = client(`wake-${run}`);
    const topic = `fetch-wake-${run}`;
    await createTopic(kafka, topic, 1);
    const seen: { value: string; offset: string; at: number }[] = [];
    // A 3 s wait: a fetch parked when the message is sent times out 2-3 s later, so delivery within
    // 1.5 s means the append woke it.
    const consumer = await startConsumer(kafka, topic, { maxWaitTimeInMs: 3000, fromBeginning: true }, seen);
    const producer = kafka.producer();
    await producer.connect();
    try {
      await sleep(1000); // the consumer's fetch is parked now
      const sentAt = Date.now();
      await producer.send({ topic, messages: [{ value: 'wake' }] });
      await until('the message', () => seen.length > 0, 8000);
      expect(seen[0]?.value).toBe('wake');
      expect((seen[0]?.at ?? Infinity) - sentAt).toBeLessThan(1500);
    } finally {
      await producer.disconnect();
      await consumer.disconnect();
    }
  });
});

describe('seek', () => {
  it('seeking beyond the high watermark resets to earliest (fromBeginning)', async () => {
    const kafka = client(`seek-${run}`);
    const topic = `fetch-seek-${run}`;
    await createTopic(kafka, topic, 1);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ value: `m${i}` })) });
    await producer.disconnect();
    const seen: { value: string; offset: string; at: number }[] = [];
    const consumer = await startConsumer(kafka, topic, { maxWaitTimeInMs: 200, fromBeginning: true }, seen);
    try {
      await until('first pass', () => seen.length >= 10);
      consumer.seek({ topic, partition: 0, offset: '1000' });
      await until('second pass after the reset', () => seen.length >= 20);
      expect(seen.slice(10).map((s) => s.offset)).toEqual(seen.slice(0, 10).map((s) => s.offset));
      expect(seen[10]?.offset).toBe('0');
    } finally {
      await consumer.disconnect();
    }
  });
});

describe('bad clients', () => {
  /** Opens a raw socket, writes `bytes` and resolves true when the broker closes it within 5 s. */
  const closedAfter = (bytes: Buffer): Promise<boolean> =>
    new Promise((resolve) => {
      const [host, port] = broker.address.split(':');
      const socket = connect(Number(port), host ?? '127.0.0.1', () => socket.write(bytes));
      const timer = setTimeout(() => {
        socket.destroy();
        resolve(false);
      }, 5000);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  const header = (apiKey: number, version: number) => {
    const clientId = Buffer.from('raw');
    const b = Buffer.alloc(4 + 10 + clientId.length);
    b.writeInt32BE(b.length - 4, 0);
    b.writeInt16BE(apiKey, 4);
    b.writeInt16BE(version, 6);
    b.writeInt32BE(7, 8);
    b.writeInt16BE(clientId.length, 12);
    clientId.copy(b, 14);
    return b;
  };

  it('garbage, an oversized frame, an unknown key and an unadvertised version close only their socket', async () => {
    const kafka = client(`survivor-${run}`);
    const topic = `fetch-survivor-${run}`;
    await createTopic(kafka, topic, 1);
    const seen: { value: string; offset: string; at: number }[] = [];
    const consumer = await startConsumer(kafka, topic, { maxWaitTimeInMs: 500, fromBeginning: true }, seen);
    const producer = kafka.producer();
    await producer.connect();
    try {
      await producer.send({ topic, messages: [{ value: 'before' }] });
      await until('before', () => seen.length >= 1);

      const oversized = Buffer.alloc(8);
      oversized.writeInt32BE(200 * 1024 * 1024, 0);
      expect(await closedAfter(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'))).toBe(true);
      expect(await closedAfter(Buffer.from([0, 0, 0, 3, 1, 2, 3]))).toBe(true);
      expect(await closedAfter(oversized)).toBe(true);
      expect(await closedAfter(header(999, 0))).toBe(true);
      expect(await closedAfter(header(3, 99))).toBe(true);
      // A truncated body (Metadata v1 with a topic count and nothing after it).
      const truncated = Buffer.concat([header(3, 1), Buffer.from([0, 0, 0, 5])]);
      truncated.writeInt32BE(truncated.length - 4, 0);
      expect(await closedAfter(truncated)).toBe(true);

      await producer.send({ topic, messages: [{ value: 'after' }] });
      await until('after', () => seen.length >= 2);
      expect(seen.map((s) => s.value)).toEqual(['before', 'after']);
    } finally {
      await producer.disconnect();
      await consumer.disconnect();
    }
  });
});
