import { ConfigResourceTypes, ConfigSource, Kafka, logLevel } from 'kafkajs';
import type { Admin } from 'kafkajs';

import { startTestBroker } from '../../support/broker';
import type { TestBroker } from '../../support/broker';
import { requestLogReader } from './helpers';
import type { LoggedRequest } from './helpers';

// devbroker.md §10 kafkajs item 2 (phase 2): admin.describeConfigs and admin.createPartitions through
// kafkajs 2.2.4 over TCP, at the versions of the kafkajs column of §2 (DescribeConfigs 2,
// CreatePartitions 1); added partitions survive a restart.
jest.setTimeout(60_000);

const run = `${process.pid}-${Date.now()}`;
const clientId = `configs-${run}`;
const topicName = (what: string) => `configs-${what}-${run}`;
let broker: TestBroker;
let admin: Admin;
const requests: LoggedRequest[] = [];

const client = (brokers: string[]) => new Kafka({ clientId, brokers, logLevel: logLevel.NOTHING });

beforeAll(async () => {
  broker = await startTestBroker({
    env: { LOG_LEVEL: 'debug' },
    onStderr: requestLogReader((r) => requests.push(r)),
  });
  admin = client(broker.brokers).admin();
  await admin.connect();
});
afterAll(async () => {
  await admin.disconnect();
  await broker.stop();
});

/** The entries kafkajs decoded for one resource, by config name. */
async function describe1(type: ConfigResourceTypes, name: string, configNames?: string[]) {
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type, name, ...(configNames ? { configNames } : {}) }],
  });
  expect(resources).toHaveLength(1);
  return new Map(resources[0]?.configEntries.map((e) => [e.configName, e]));
}

describe('admin.describeConfigs', () => {
  it("shows a topic's CreateTopics configs as set, and Kafka's defaults for the others", async () => {
    const t = topicName('topic');
    await admin.createTopics({
      topics: [{ topic: t, numPartitions: 1, configEntries: [{ name: 'retention.ms', value: '60000' }] }],
    });
    const all = await describe1(ConfigResourceTypes.TOPIC, t);
    expect(all.get('retention.ms')).toMatchObject({
      configValue: '60000',
      isDefault: false,
      configSource: ConfigSource.TOPIC_CONFIG,
      readOnly: false,
      isSensitive: false,
    });
    expect(all.get('cleanup.policy')).toMatchObject({
      configValue: 'delete',
      isDefault: true,
      configSource: ConfigSource.DEFAULT_CONFIG,
    });
    const some = await describe1(ConfigResourceTypes.TOPIC, t, ['max.message.bytes']);
    expect([...some.keys()]).toEqual(['max.message.bytes']);
    expect(some.get('max.message.bytes')?.configValue).toBe('1048588');
  });

  it("shows the broker's settings under its node id", async () => {
    const entries = await describe1(ConfigResourceTypes.BROKER, '1', ['num.partitions', 'broker.id']);
    expect(entries.get('num.partitions')?.configValue).toBe('3');
    expect(entries.get('broker.id')?.configValue).toBe('1');
  });

  it('rejects an unknown topic with UNKNOWN_TOPIC_OR_PARTITION', async () => {
    await expect(
      admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: topicName('missing') }],
      }),
    ).rejects.toMatchObject({ type: 'UNKNOWN_TOPIC_OR_PARTITION' });
  });
});

describe('admin.createPartitions', () => {
  const partitionsOf = async (a: Admin, t: string) =>
    (await a.fetchTopicMetadata({ topics: [t] })).topics[0]?.partitions.map((p) => p.partitionId).sort();

  it('adds partitions that take records, and they survive a restart', async () => {
    const t = topicName('grow');
    await admin.createTopics({ topics: [{ topic: t, numPartitions: 2 }], waitForLeaders: true });
    await admin.createPartitions({ topicPartitions: [{ topic: t, count: 4 }] });
    expect(await partitionsOf(admin, t)).toEqual([0, 1, 2, 3]);

    const producer = client(broker.brokers).producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const [res] = await producer.send({
      topic: t,
      messages: [{ partition: 3, value: 'on a new partition' }],
    });
    await producer.disconnect();
    expect(res).toMatchObject({ partition: 3, errorCode: 0, baseOffset: '0' });

    await admin.disconnect();
    const address = await broker.restart();
    admin = client([address]).admin();
    await admin.connect();
    expect(await partitionsOf(admin, t)).toEqual([0, 1, 2, 3]);
    expect((await admin.fetchTopicOffsets(t)).find((p) => p.partition === 3)?.high).toBe('1');
  });

  it('refuses a count that is not larger with INVALID_PARTITIONS, and an unknown topic', async () => {
    const t = topicName('same');
    await admin.createTopics({ topics: [{ topic: t, numPartitions: 3 }] });
    await expect(admin.createPartitions({ topicPartitions: [{ topic: t, count: 3 }] })).rejects.toMatchObject(
      {
        type: 'INVALID_PARTITIONS',
      },
    );
    await expect(admin.createPartitions({ topicPartitions: [{ topic: t, count: 2 }] })).rejects.toMatchObject(
      { type: 'INVALID_PARTITIONS' },
    );
    await expect(
      admin.createPartitions({ topicPartitions: [{ topic: topicName('nope'), count: 2 }] }),
    ).rejects.toMatchObject({ type: 'UNKNOWN_TOPIC_OR_PARTITION' });
    expect(await partitionsOf(admin, t)).toEqual([0, 1, 2]);
  });
});

describe('negotiated versions', () => {
  it('kafkajs used DescribeConfigs v2 and CreatePartitions v1 (spec §2)', () => {
    const used = (key: number) =>
      new Set(requests.filter((r) => r.clientId === clientId && r.apiKey === key).map((r) => r.version));
    expect([...used(32)]).toEqual([2]);
    expect([...used(37)]).toEqual([1]);
  });
});
