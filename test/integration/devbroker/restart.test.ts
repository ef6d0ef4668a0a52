import { Kafka, logLevel } from 'kafkajs';

import { startTestBroker } from '../../support/broker';
import type { TestBroker } from '../../support/broker';

// devbroker.md §5 persistence, through test/support/broker.ts restart(): records, offsets, topics and
// commits survive a broker restart on the same data dir.
jest.setTimeout(60_000);

const run = `${process.pid}-${Date.now()}`;
let broker: TestBroker;

beforeAll(async () => {
  broker = await startTestBroker({ args: ['--partitions', '2'] });
});
afterAll(async () => {
  await broker.stop();
});

const client = () =>
  new Kafka({ clientId: 'restart-test', brokers: broker.brokers, logLevel: logLevel.NOTHING });

async function readAll(kafka: Kafka, topic: string, groupId: string, expected: number): Promise<string[]> {
  const seen: string[] = [];
  const consumer = kafka.consumer({
    groupId,
    sessionTimeout: 6000,
    heartbeatInterval: 300,
    maxWaitTimeInMs: 200,
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) =>
      void seen.push(`${partition}/${message.offset}/${String(message.key)}=${String(message.value)}`),
  });
  const deadline = Date.now() + 20_000;
  while (seen.length < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 300));
  await consumer.disconnect();
  return seen.sort();
}

describe('broker restart on the same data dir', () => {
  it('keeps records with their offsets, the auto-created topic and the group commits; new appends continue', async () => {
    const topic = `restart-records-${run}`;
    let kafka = client();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: Array.from({ length: 6 }, (_, i) => ({ partition: i % 2, key: `k${i}`, value: `v${i}` })),
    });
    await producer.disconnect();
    const first = await readAll(kafka, topic, `g-first-${run}`, 6);
    expect(first).toHaveLength(6);

    const address = await broker.restart();
    expect(address).toBe(broker.address);
    expect(broker.brokers).toEqual([address]);
    kafka = client();

    const admin = kafka.admin();
    await admin.connect();
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(meta.topics[0]?.partitions).toHaveLength(2);
    const [offsets] = await admin.fetchOffsets({ groupId: `g-first-${run}`, topics: [topic] });
    expect(offsets?.partitions.sort((a, b) => a.partition - b.partition).map((p) => p.offset)).toEqual([
      '3',
      '3',
    ]);
    await admin.disconnect();

    // A new group reads the same records at the same offsets.
    expect(await readAll(kafka, topic, `g-second-${run}`, 6)).toEqual(first);
    const producer2 = kafka.producer();
    await producer2.connect();
    const [res] = await producer2.send({ topic, messages: [{ partition: 0, key: 'k6', value: 'v6' }] });
    await producer2.disconnect();
    expect(res?.baseOffset).toBe('3');
    // The first group resumes after its commits: only the new record.
    expect(await readAll(kafka, topic, `g-first-${run}`, 1)).toEqual(['0/3/k6=v6']);
  });
});
