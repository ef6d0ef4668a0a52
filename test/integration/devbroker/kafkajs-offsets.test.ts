import { Kafka, logLevel } from 'kafkajs';

import { startTestBroker } from '../../support/broker';
import type { TestBroker } from '../../support/broker';
import { TEST_CONSUMER, until } from './helpers';

// devbroker.md §10 kafkajs 8: committed offsets survive a consumer restart and a broker restart.
jest.setTimeout(60_000);

const run = `${process.pid}-${Date.now()}`;

let broker: TestBroker;

beforeAll(async () => {
  broker = await startTestBroker();
});
afterAll(async () => {
  await broker?.stop();
});

const client = (address: string) =>
  new Kafka({ clientId: 'offsets-test', brokers: [address], logLevel: logLevel.NOTHING });

async function produce(kafka: Kafka, topic: string, from: number, count: number): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic,
    messages: Array.from({ length: count }, (_, i) => ({ value: `v${from + i}` })),
  });
  await producer.disconnect();
}

/**
 * Runs one consumer in the group with fromBeginning until it has seen `expected` messages, waits a
 * little longer for any extra, disconnects (committing) and returns what it saw.
 */
async function consume(kafka: Kafka, groupId: string, topic: string, expected: number): Promise<string[]> {
  const seen: string[] = [];
  const consumer = kafka.consumer({ groupId, ...TEST_CONSUMER });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      seen.push(message.value?.toString() ?? '');
    },
  });
  await until(`${expected} messages`, () => seen.length >= expected);
  await new Promise((r) => setTimeout(r, 750));
  await consumer.disconnect();
  return seen;
}

async function committed(kafka: Kafka, groupId: string, topic: string): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
  await admin.disconnect();
  return (entry?.partitions ?? []).sort((x, y) => x.partition - y.partition).map((p) => p.offset);
}

async function createTopic(kafka: Kafka, topic: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  await admin.disconnect();
}

const values = (from: number, count: number) => Array.from({ length: count }, (_, i) => `v${from + i}`);

describe('committed offsets with kafkajs', () => {
  it('survive a consumer restart: a new member resumes after the commits, not from the beginning', async () => {
    const kafka = client(broker.address);
    const topic = `offsets-${run}`;
    const groupId = `g-offsets-${run}`;
    await createTopic(kafka, topic);
    await produce(kafka, topic, 0, 10);
    expect(await consume(kafka, groupId, topic, 10)).toEqual(values(0, 10));
    expect(await committed(kafka, groupId, topic)).toEqual(['10']);
    await produce(kafka, topic, 10, 10);
    expect(await consume(kafka, groupId, topic, 10)).toEqual(values(10, 10));
    expect(await committed(kafka, groupId, topic)).toEqual(['20']);
  });

  it('survive a broker restart with the same data dir', async () => {
    let kafka = client(broker.address);
    const topic = `restart-${run}`;
    const groupId = `g-restart-${run}`;
    await createTopic(kafka, topic);
    await produce(kafka, topic, 0, 10);
    expect(await consume(kafka, groupId, topic, 10)).toEqual(values(0, 10));

    kafka = client(await broker.restart());
    expect(await committed(kafka, groupId, topic)).toEqual(['10']);
    await produce(kafka, topic, 10, 10);
    expect(await consume(kafka, groupId, topic, 10)).toEqual(values(10, 10));
  });
});
