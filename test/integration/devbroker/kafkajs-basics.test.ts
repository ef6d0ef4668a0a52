import { CompressionTypes, Kafka, logLevel, Partitioners } from 'kafkajs';
import type { Consumer, IHeaders, KafkaMessage } from 'kafkajs';

import { startTestBroker } from '../../support/broker';
import type { TestBroker } from '../../support/broker';
import { requestLogReader, TEST_CONSUMER, until } from './helpers';
import type { LoggedRequest } from './helpers';

// devbroker.md §10, kafkajs 2.2.4 items 1-6: versions, admin, round trip, partitioner, acks, sizes,
// fromBeginning and auto-create, against the broker as a child process.
jest.setTimeout(60_000);

const run = `${process.pid}-${Date.now()}`;
const topicName = (what: string) => `basics-${what}-${run}`;
const CONSUMER = { ...TEST_CONSUMER, maxWaitTimeInMs: 200 };

let broker: TestBroker;
let kafka: Kafka;
/** Request log of the broker (LOG_LEVEL=debug writes one JSON line per request). */
const requests: LoggedRequest[] = [];

beforeAll(async () => {
  broker = await startTestBroker({
    env: { LOG_LEVEL: 'debug' },
    onStderr: requestLogReader((r) => requests.push(r)),
  });
  kafka = new Kafka({ clientId: `basics-${run}`, brokers: broker.brokers, logLevel: logLevel.NOTHING });
});
afterAll(async () => {
  await broker.stop();
});

interface Seen {
  topic: string;
  partition: number;
  message: KafkaMessage;
}

/** One consumer in a fresh group until `expected` messages arrived (plus a short wait for extras). */
async function consumeAll(topics: string[], expected: number, fromBeginning = true): Promise<Seen[]> {
  const seen: Seen[] = [];
  const consumer = kafka.consumer({ groupId: `g-${topics[0]}-${fromBeginning}`, ...CONSUMER });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning });
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => void seen.push({ topic, partition, message }),
  });
  try {
    await until(`${expected} messages`, () => seen.length >= expected);
    await new Promise((r) => setTimeout(r, 300));
  } finally {
    await consumer.disconnect();
  }
  return seen;
}

describe('kafkajs against devbroker', () => {
  it('admin: createTopics true then false, replication factor 3 refused, list, metadata, cluster, delete', async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const t = topicName('admin');
      expect(await admin.createTopics({ topics: [{ topic: t, numPartitions: 4 }] })).toBe(true);
      expect(await admin.createTopics({ topics: [{ topic: t, numPartitions: 4 }] })).toBe(false);
      const err: unknown = await admin
        .createTopics({ topics: [{ topic: topicName('rf3'), numPartitions: 1, replicationFactor: 3 }] })
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect(JSON.stringify(err, Object.getOwnPropertyNames(err ?? {}))).toMatch(
        /Replication-factor is invalid/,
      );
      expect(await admin.listTopics()).toEqual(expect.arrayContaining([t]));
      expect(await admin.listTopics()).not.toContain(topicName('rf3'));
      const meta = await admin.fetchTopicMetadata({ topics: [t] });
      const partitions = meta.topics[0]?.partitions ?? [];
      expect(partitions.map((p) => p.partitionId).sort()).toEqual([0, 1, 2, 3]);
      expect(partitions.every((p) => p.leader === 1)).toBe(true);
      const cluster = await admin.describeCluster();
      expect(cluster.controller).toBe(1);
      expect(cluster.brokers).toEqual([expect.objectContaining({ nodeId: 1, host: '127.0.0.1' })]);
      expect(cluster.clusterId).toBeTruthy();
      await admin.deleteTopics({ topics: [t] });
      expect(await admin.listTopics()).not.toContain(t);
    } finally {
      await admin.disconnect();
    }
  });

  it('round trip over 3 partitions: keys, null key and value, binary, headers, timestamps, offsets 0..n-1', async () => {
    const t = topicName('roundtrip');
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: t, numPartitions: 3 }] });
    await admin.disconnect();
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const binary = Buffer.from([0, 255, 1, 254, 0x80]);
    const sent = [0, 1, 2].flatMap((partition) => [
      {
        partition,
        key: `k${partition}`,
        value: `héllo ${partition}`,
        timestamp: String(1_700_000_000_000 + partition),
      },
      { partition, key: null, value: binary, headers: { h: ['a', 'b'], u: Buffer.from('ü') } },
      { partition, key: 'nullvalue', value: null, timestamp: '1600000000000' },
    ]);
    await producer.send({ topic: t, messages: sent });
    await producer.disconnect();

    const seen = await consumeAll([t], sent.length);
    expect(seen).toHaveLength(sent.length);
    for (const partition of [0, 1, 2]) {
      const mine = seen.filter((s) => s.partition === partition).map((s) => s.message);
      expect(mine.map((m) => m.offset)).toEqual(['0', '1', '2']);
      const [a, b, c] = mine;
      expect(a?.key?.toString()).toBe(`k${partition}`);
      expect(a?.value?.toString()).toBe(`héllo ${partition}`);
      expect(a?.timestamp).toBe(String(1_700_000_000_000 + partition));
      expect(b?.key).toBeNull();
      expect(b?.value?.equals(binary)).toBe(true);
      const headers = b?.headers as IHeaders;
      expect((headers.h as Buffer[]).map(String)).toEqual(['a', 'b']);
      expect(String(headers.u)).toBe('ü');
      expect(c?.key?.toString()).toBe('nullvalue');
      expect(c?.value).toBeNull();
      expect(c?.timestamp).toBe('1600000000000');
    }
  });

  it('default partitioner: Java murmur2 vectors on 4 partitions, and keyless messages reach all 4', async () => {
    const t = topicName('murmur');
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: t, numPartitions: 4 }] });
    await admin.disconnect();
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const vectors: [string, number][] = [
      ['0', 0],
      ['1', 3],
      ['128', 1],
      ['2187', 1],
      ['16384', 2],
    ];
    await producer.send({ topic: t, messages: vectors.map(([key]) => ({ key, value: key })) });
    // Keyless messages go round-robin per send.
    for (let i = 0; i < 8; i++) await producer.send({ topic: t, messages: [{ value: `nokey${i}` }] });
    await producer.disconnect();
    const seen = await consumeAll([t], vectors.length + 8);
    for (const [key, partition] of vectors) {
      expect([key, seen.find((s) => s.message.key?.toString() === key)?.partition]).toEqual([key, partition]);
    }
    const keyless = new Set(seen.filter((s) => s.message.key === null).map((s) => s.partition));
    expect([...keyless].sort()).toEqual([0, 1, 2, 3]);
  });

  it('acks 0, 1 and -1 and GZIP all land; ~900 KB passes and 1.1 MB gets MESSAGE_TOO_LARGE', async () => {
    const t = topicName('acks');
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: t, numPartitions: 1 }] });
    await admin.disconnect();
    const producer = kafka.producer({ retry: { retries: 0 } });
    await producer.connect();
    expect(await producer.send({ topic: t, acks: 0, messages: [{ value: 'acks0' }] })).toEqual([]);
    const r1 = await producer.send({ topic: t, acks: 1, messages: [{ value: 'acks1' }] });
    expect(r1[0]?.errorCode).toBe(0);
    const r2 = await producer.send({ topic: t, acks: -1, messages: [{ value: 'acksall' }] });
    expect(r2[0]?.errorCode).toBe(0);
    await producer.send({
      topic: t,
      compression: CompressionTypes.GZIP,
      messages: [{ value: 'gz1' }, { value: 'gz2' }],
    });
    const big = Buffer.alloc(900 * 1024, 'x');
    await producer.send({ topic: t, messages: [{ value: big }] });
    await expect(
      producer.send({ topic: t, messages: [{ value: Buffer.alloc(1100 * 1024, 'y') }] }),
    ).rejects.toMatchObject({ type: 'MESSAGE_TOO_LARGE' });
    await producer.disconnect();

    const seen = await consumeAll([t], 6);
    expect(seen.map((s) => s.message.offset)).toEqual(['0', '1', '2', '3', '4', '5']);
    expect(seen.slice(0, 5).map((s) => s.message.value?.toString())).toEqual([
      'acks0',
      'acks1',
      'acksall',
      'gz1',
      'gz2',
    ]);
    expect(seen[5]?.message.value?.equals(big)).toBe(true);
  });

  it('fromBeginning false sees only messages produced after it joined; true sees all', async () => {
    const t = topicName('frombeginning');
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: t, messages: [{ partition: 0, value: 'old' }] });
    const seen: string[] = [];
    const consumer: Consumer = kafka.consumer({ groupId: `g-late-${t}`, ...CONSUMER });
    await consumer.connect();
    await consumer.subscribe({ topics: [t], fromBeginning: false });
    let assigned = false;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      assigned = true;
    });
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(String(message.value)) });
    try {
      await until('group join', () => assigned);
      // The consumer resolves "latest" on its first fetch; give it that fetch before producing.
      await new Promise((r) => setTimeout(r, 1000));
      await producer.send({ topic: t, messages: [{ partition: 0, value: 'new' }] });
      await until('the new message', () => seen.length >= 1);
      await new Promise((r) => setTimeout(r, 500));
      expect(seen).toEqual(['new']);
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
    }
    const all = await consumeAll([t], 2, true);
    expect(all.map((s) => String(s.message.value))).toEqual(['old', 'new']);
  });

  it('ListOffsets: earliest/latest per partition and the first offset at or after a timestamp', async () => {
    const t = topicName('listoffsets');
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic: t, numPartitions: 2 }] });
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({
        topic: t,
        messages: [1000, 2000, 3000].map((ts) => ({ partition: 0, value: `at${ts}`, timestamp: String(ts) })),
      });
      await producer.send({ topic: t, messages: [{ partition: 0, value: 'at4000', timestamp: '4000' }] });
      await producer.disconnect();
      const offsets = await admin.fetchTopicOffsets(t);
      expect(
        offsets.sort((a, b) => a.partition - b.partition).map((o) => [o.partition, o.low, o.high]),
      ).toEqual([
        [0, '0', '4'],
        [1, '0', '0'],
      ]);
      const at = async (ts: number) =>
        (await admin.fetchTopicOffsetsByTimestamp(t, ts)).find((o) => o.partition === 0)?.offset;
      expect(await at(500)).toBe('0');
      expect(await at(2000)).toBe('1');
      expect(await at(2500)).toBe('2');
      expect(await at(4000)).toBe('3');
      // No record at or after the timestamp: Kafka answers -1 and kafkajs then takes the latest offset.
      expect(await at(5000)).toBe('4');
    } finally {
      await admin.disconnect();
    }
  });

  it('an idempotent producer gets a producer id (InitProducerId) and its sends append in order', async () => {
    const t = topicName('idempotent');
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const offsets: string[] = [];
    for (let i = 0; i < 3; i++) {
      const [res] = await producer.send({ topic: t, messages: [{ partition: 0, value: `i${i}` }] });
      expect(res?.errorCode).toBe(0);
      offsets.push(res?.baseOffset ?? '');
    }
    await producer.disconnect();
    expect(offsets).toEqual(['0', '1', '2']);
    expect(requests.some((r) => r.apiKey === 22 && r.version === 1)).toBe(true);
  });

  it('auto-creates a topic on send with the default 3 partitions', async () => {
    const t = topicName('auto');
    const producer = kafka.producer();
    await producer.connect();
    const res = await producer.send({ topic: t, messages: [{ value: 'x' }] });
    expect(res[0]?.errorCode).toBe(0);
    await producer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    const meta = await admin.fetchTopicMetadata({ topics: [t] });
    await admin.disconnect();
    expect(meta.topics[0]?.partitions).toHaveLength(3);
  });

  it('negotiated the kafkajs column of the ApiVersions table (spec §2)', () => {
    const expected: Record<number, number> = {
      18: 2,
      3: 6,
      0: 7,
      1: 11,
      2: 3,
      8: 5,
      9: 4,
      10: 2,
      11: 5,
      12: 3,
      13: 3,
      14: 3,
      19: 3,
      20: 1,
    };
    const mine = requests.filter((r) => r.clientId === `basics-${run}`);
    for (const [key, version] of Object.entries(expected)) {
      const versions = new Set(mine.filter((r) => r.apiKey === Number(key)).map((r) => r.version));
      expect([Number(key), [...versions]]).toEqual([Number(key), [version]]);
    }
  });
});
