import { Kafka, logLevel } from 'kafkajs';
import type { Consumer, Producer } from 'kafkajs';

import { startTestBroker } from '../../support/broker';
import type { TestBroker } from '../../support/broker';
import { TEST_CONSUMER, until } from './helpers';

// devbroker.md §10 kafkajs 7: two consumers split a 4-partition topic, and the survivor takes over.
jest.setTimeout(60_000);

const run = `${process.pid}-${Date.now()}`;

let broker: TestBroker;
let kafka: Kafka;

beforeAll(async () => {
  broker = await startTestBroker();
  kafka = new Kafka({ clientId: 'group-test', brokers: [broker.address], logLevel: logLevel.NOTHING });
});

afterAll(async () => {
  await broker?.stop();
});

interface Tracked {
  consumer: Consumer;
  /** Partitions of the latest GROUP_JOIN, and how many GROUP_JOINs were seen. */
  assigned: number[];
  joins: number;
}

async function startConsumer(groupId: string, topic: string, seen: Map<string, number>): Promise<Tracked> {
  const consumer = kafka.consumer({ groupId, ...TEST_CONSUMER });
  const t: Tracked = { consumer, assigned: [], joins: 0 };
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    t.assigned = [...(e.payload.memberAssignment[topic] ?? [])].sort();
    t.joins += 1;
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const v = message.value?.toString() ?? '';
      seen.set(v, (seen.get(v) ?? 0) + 1);
    },
  });
  return t;
}

describe('kafkajs consumer group on the dev broker', () => {
  let producer: Producer;
  const consumers: Consumer[] = [];

  beforeAll(async () => {
    producer = kafka.producer();
    await producer.connect();
  });
  afterAll(async () => {
    for (const c of consumers) await c.disconnect().catch(() => {});
    await producer.disconnect();
  });

  it('splits 4 partitions between two members, then the survivor consumes all 200 new messages exactly once', async () => {
    const topic = `group-${run}`;
    const groupId = `g-${run}`;
    const admin = kafka.admin();
    await admin.connect();
    expect(await admin.createTopics({ topics: [{ topic, numPartitions: 4 }], waitForLeaders: true })).toBe(
      true,
    );
    await admin.disconnect();

    const seen = new Map<string, number>();
    const a = await startConsumer(groupId, topic, seen);
    consumers.push(a.consumer);
    await until('A to own all 4 partitions', () => a.assigned.length === 4);

    const b = await startConsumer(groupId, topic, seen);
    consumers.push(b.consumer);
    await until('a rebalance with both members', () => a.joins >= 2 && b.joins >= 1);
    await until('both assignments', () => a.assigned.length + b.assigned.length === 4);
    expect(a.assigned.filter((p) => b.assigned.includes(p))).toEqual([]);
    expect([...a.assigned, ...b.assigned].sort()).toEqual([0, 1, 2, 3]);
    expect(a.assigned.length).toBeGreaterThan(0);
    expect(b.assigned.length).toBeGreaterThan(0);

    const sending = (async () => {
      for (let i = 0; i < 20; i++) {
        await producer.send({
          topic,
          messages: Array.from({ length: 10 }, (_, j) => ({ value: `m${i * 10 + j}` })),
        });
        await new Promise((r) => setTimeout(r, 25));
      }
    })();
    await new Promise((r) => setTimeout(r, 100));
    await a.consumer.disconnect();
    const takeover = Date.now();
    await until('B to own all 4 partitions', () => b.assigned.length === 4);
    expect(Date.now() - takeover).toBeLessThan(5000);
    await sending;
    await until('all 200 messages', () => seen.size === 200, 30_000);
    await new Promise((r) => setTimeout(r, 1000)); // a duplicate would arrive within this second
    const dupes = [...seen].filter(([, n]) => n !== 1);
    expect(dupes).toEqual([]);
    expect(seen.size).toBe(200);
  });
});
