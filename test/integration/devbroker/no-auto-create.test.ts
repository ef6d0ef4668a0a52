import { Kafka, logLevel } from 'kafkajs';

import { startTestBroker } from '../../support/broker';
import type { TestBroker } from '../../support/broker';

// devbroker.md §4 Metadata/CreateTopics with --no-auto-create and bad topic names.
jest.setTimeout(60_000);

const run = `${process.pid}-${Date.now()}`;
let broker: TestBroker;
let kafka: Kafka;

beforeAll(async () => {
  broker = await startTestBroker({ args: ['--no-auto-create', '--partitions', '5'] });
  kafka = new Kafka({
    clientId: 'no-auto-create',
    brokers: broker.brokers,
    logLevel: logLevel.NOTHING,
    retry: { retries: 1, initialRetryTime: 50 },
  });
});
afterAll(async () => {
  await broker.stop();
});

describe('--no-auto-create', () => {
  it('a send to a missing topic fails with UNKNOWN_TOPIC_OR_PARTITION and creates nothing', async () => {
    const t = `missing-${run}`;
    const producer = kafka.producer();
    await producer.connect();
    try {
      await expect(producer.send({ topic: t, messages: [{ value: 'x' }] })).rejects.toThrow(
        /does not host this topic-partition|UNKNOWN_TOPIC_OR_PARTITION/,
      );
    } finally {
      await producer.disconnect();
    }
    const admin = kafka.admin();
    await admin.connect();
    expect(await admin.listTopics()).not.toContain(t);
    await admin.disconnect();
  });

  it('CreateTopics still works, with -1 partitions meaning --partitions, and refuses bad names', async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const t = `explicit-${run}`;
      expect(await admin.createTopics({ topics: [{ topic: t }] })).toBe(true);
      const meta = await admin.fetchTopicMetadata({ topics: [t] });
      expect(meta.topics[0]?.partitions).toHaveLength(5);
      for (const bad of ['has space', 'a/b', '..', 'x'.repeat(250)]) {
        await expect(admin.createTopics({ topics: [{ topic: bad }] })).rejects.toBeTruthy();
      }
      expect((await admin.listTopics()).filter((n) => !n.startsWith('explicit-'))).toEqual([]);
    } finally {
      await admin.disconnect();
    }
  });
});
