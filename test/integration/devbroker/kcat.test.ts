import { spawn } from 'node:child_process';

import { CompressionTypes, Kafka, logLevel } from 'kafkajs';

import { startTestBroker } from '../../support/broker';
import type { TestBroker } from '../../support/broker';

// devbroker.md §10 kcat 1.7.1 / librdkafka 2.0.2 items 1-5 (item 6, groups, is kcat-group.test.ts).
jest.setTimeout(60_000);

const KCAT = '/usr/bin/kcat';
const run = `${process.pid}-${Date.now()}`;

let broker: TestBroker;
let kafka: Kafka;

beforeAll(async () => {
  broker = await startTestBroker();
  kafka = new Kafka({ clientId: `kcat-${run}`, brokers: broker.brokers, logLevel: logLevel.NOTHING });
});
afterAll(async () => {
  await broker.stop();
});

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs kcat against the broker with `input` on stdin; SIGTERM after 20 s. */
function kcat(args: string[], input = ''): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(KCAT, ['-b', broker.address, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

async function createTopic(topic: string, numPartitions: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions }] });
  await admin.disconnect();
}

/** Everything in `topic` as `partition offset key value` lines, read by kcat to the end. */
async function kcatReadAll(topic: string, extra: string[] = []): Promise<string[]> {
  const res = await kcat([
    '-C',
    '-t',
    topic,
    '-o',
    'beginning',
    '-e',
    '-q',
    '-X',
    'check.crcs=true',
    '-f',
    '%p %o %k %s\\n',
    ...extra,
  ]);
  expect([res.code, res.stderr]).toEqual([0, '']);
  return res.stdout.split('\n').filter((l) => l !== '');
}

describe('kcat against devbroker', () => {
  it('-L and -J show broker 1 and the topic with its partitions led by 1', async () => {
    const t = `kcat-meta-${run}`;
    await createTopic(t, 4);
    const plain = await kcat(['-L', '-t', t]);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain(`broker 1 at ${broker.address}`);
    expect(plain.stdout).toContain(`topic "${t}" with 4 partitions`);
    const json = await kcat(['-L', '-J', '-t', t]);
    const meta = JSON.parse(json.stdout) as {
      brokers: { id: number; name: string }[];
      topics: { topic: string; partitions: { partition: number; leader: number }[] }[];
    };
    expect(meta.brokers).toEqual([{ id: 1, name: broker.address }]);
    const topic = meta.topics.find((x) => x.topic === t);
    expect(topic?.partitions.map((p) => [p.partition, p.leader])).toEqual([
      [0, 1],
      [1, 1],
      [2, 1],
      [3, 1],
    ]);
  });

  it('-d protocol,feature: ApiVersion v3 is answered; MsgVer2, BrokerBalancedConsumer, IdempotentProducer and ZSTD are on', async () => {
    const res = await kcat(['-L', '-d', 'protocol,feature']);
    expect(res.code).toBe(0);
    expect(res.stderr).toMatch(/Received ApiVersionResponse \(v3,/);
    for (const feature of ['MsgVer2', 'BrokerBalancedConsumer', 'IdempotentProducer', 'ZSTD']) {
      expect(res.stderr).toContain(`Enabling feature ${feature}`);
      expect(res.stderr).not.toContain(`Disabling feature ${feature}`);
    }
  });

  it('-K: with murmur2_random lands keys where kafkajs puts them; kcat and kafkajs read each other', async () => {
    const t = `kcat-keys-${run}`;
    await createTopic(t, 4);
    const keys = ['0', '1', '128', '2187', '16384'];
    const produced = await kcat(
      ['-P', '-t', t, '-K:', '-X', 'topic.partitioner=murmur2_random'],
      keys.map((k) => `${k}:from-kcat-${k}\n`).join(''),
    );
    expect(produced.code).toBe(0);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: t,
      messages: keys.map((k) => ({ key: k, value: `from-kafkajs-${k}`, headers: { src: 'kafkajs' } })),
    });
    await producer.disconnect();

    const lines = await kcatReadAll(t);
    const partitionOf = (value: string) => lines.find((l) => l.endsWith(` ${value}`))?.split(' ')[0];
    const expected: Record<string, string> = { '0': '0', '1': '3', '128': '1', '2187': '1', '16384': '2' };
    for (const k of keys) {
      expect([k, partitionOf(`from-kcat-${k}`), partitionOf(`from-kafkajs-${k}`)]).toEqual([
        k,
        expected[k],
        expected[k],
      ]);
    }
    const headers = await kcat(['-C', '-t', t, '-p', '0', '-o', 'beginning', '-e', '-q', '-f', '%k %h\\n']);
    expect(headers.stdout).toContain('0 src=kafkajs');
  });

  it.each(['gzip', 'snappy', 'lz4', 'zstd'])('-z %s round-trips through the broker opaque', async (codec) => {
    const t = `kcat-${codec}-${run}`;
    await createTopic(t, 1);
    const values = Array.from({ length: 50 }, (_, i) => `${codec}-${i}-${'x'.repeat(i)}`);
    const produced = await kcat(
      ['-P', '-t', t, '-z', codec, '-d', 'msg'],
      values.map((v) => `${v}\n`).join(''),
    );
    expect(produced.code).toBe(0);
    expect(produced.stderr).not.toMatch(/not compressing/i);
    const lines = await kcatReadAll(t);
    expect(lines).toEqual(values.map((v, i) => `0 ${i}  ${v}`));
    if (codec === 'gzip') {
      const seen: string[] = [];
      const consumer = kafka.consumer({ groupId: `g-${t}`, maxWaitTimeInMs: 200 });
      await consumer.connect();
      await consumer.subscribe({ topics: [t], fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void seen.push(String(message.value)) });
      const deadline = Date.now() + 20_000;
      while (seen.length < values.length && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      await consumer.disconnect();
      expect(seen).toEqual(values);
    }
  });

  it('kcat reads a kafkajs GZIP batch from an offset in its middle with check.crcs', async () => {
    const t = `kcat-mid-${run}`;
    await createTopic(t, 1);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: t,
      compression: CompressionTypes.GZIP,
      messages: Array.from({ length: 5 }, (_, i) => ({ value: `m${i}` })),
    });
    await producer.disconnect();
    const res = await kcat(['-C', '-t', t, '-o', '3', '-e', '-q', '-X', 'check.crcs=true', '-f', '%o %s\\n']);
    expect(res.code).toBe(0);
    expect(res.stdout).toBe('3 m3\n4 m4\n');
  });
});
