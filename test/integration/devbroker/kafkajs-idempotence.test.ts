import { Kafka, logLevel } from 'kafkajs';
import type { Admin } from 'kafkajs';

import { startTestBroker } from '../../support/broker';
import type { TestBroker } from '../../support/broker';
import { tappedSockets } from './wire-tap';
import type { ProduceFaults } from './wire-tap';

// devbroker.md §5 "Idempotence" through kafkajs 2.2.4 over TCP: a batch resent after its response was
// lost is acknowledged at its first offset and not appended again; a sequence gap gets 45.
jest.setTimeout(60_000);

const run = `${process.pid}-${Date.now()}`;
let broker: TestBroker;
let admin: Admin;

beforeAll(async () => {
  broker = await startTestBroker();
  admin = new Kafka({
    clientId: `idem-admin-${run}`,
    brokers: broker.brokers,
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
});
afterAll(async () => {
  await admin.disconnect();
  await broker.stop();
});

/** A fresh one-partition topic. */
async function topic(what: string): Promise<string> {
  const name = `idem-${what}-${run}`;
  await admin.createTopics({ topics: [{ topic: name, numPartitions: 1 }], waitForLeaders: true });
  return name;
}

/** The partition's high watermark: how many records the broker appended. */
async function highWatermark(name: string): Promise<string | undefined> {
  return (await admin.fetchTopicOffsets(name))[0]?.high;
}

/** A kafkajs producer whose Produce requests go through the wire tap. */
function tappedProducer(faults: ProduceFaults, idempotent: boolean) {
  const tap = tappedSockets(faults);
  const kafka = new Kafka({
    clientId: `idem-${run}`,
    brokers: broker.brokers,
    logLevel: logLevel.NOTHING,
    socketFactory: tap.socketFactory,
    retry: { initialRetryTime: 100, retries: 5 },
  });
  const producer = kafka.producer({ idempotent, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  return { producer, produceCount: tap.produceCount };
}

const send = async (p: ReturnType<typeof tappedProducer>['producer'], t: string, value: string) =>
  (await p.send({ topic: t, acks: -1, messages: [{ partition: 0, value }] }))[0]?.baseOffset;

describe('idempotent producer against the devbroker', () => {
  it('a batch resent after its response was lost is acknowledged at its offset, not appended twice', async () => {
    const t = await topic('resend');
    const { producer, produceCount } = tappedProducer({ loseResponse: (n) => n === 0 }, true);
    await producer.connect();
    try {
      expect(await send(producer, t, 'm0')).toBe('0');
      expect(produceCount()).toBe(2); // the first Produce's answer was lost: kafkajs sent it again
      expect(await send(producer, t, 'm1')).toBe('1');
      expect(await send(producer, t, 'm2')).toBe('2');
    } finally {
      await producer.disconnect();
    }
    expect(await highWatermark(t)).toBe('3');
  });

  it('without idempotence the same resend is appended twice (producer id -1 is never checked)', async () => {
    const t = await topic('plain');
    const { producer, produceCount } = tappedProducer({ loseResponse: (n) => n === 0 }, false);
    await producer.connect();
    try {
      expect(await send(producer, t, 'm0')).toBe('1');
      expect(produceCount()).toBe(2);
    } finally {
      await producer.disconnect();
    }
    expect(await highWatermark(t)).toBe('2');
  });

  it('a batch whose sequence skips ahead gets OUT_OF_ORDER_SEQUENCE_NUMBER and is not appended', async () => {
    const t = await topic('gap');
    const faults = { baseSequence: (n: number, s: number) => (n === 1 ? s + 5 : s) };
    const { producer } = tappedProducer(faults, true);
    await producer.connect();
    try {
      expect(await send(producer, t, 'm0')).toBe('0');
      await expect(send(producer, t, 'm1')).rejects.toMatchObject({ type: 'OUT_OF_ORDER_SEQUENCE_NUMBER' });
      expect(await highWatermark(t)).toBe('1');
      // kafkajs rolled its sequence back; the next batch (untouched) follows on at offset 1.
      expect(await send(producer, t, 'm2')).toBe('1');
    } finally {
      await producer.disconnect();
    }
    expect(await highWatermark(t)).toBe('2');
  });
});
