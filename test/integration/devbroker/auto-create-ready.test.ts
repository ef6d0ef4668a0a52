import { Kafka, logLevel } from 'kafkajs';

import { startTestBroker } from '../../support/broker';
import type { TestBroker } from '../../support/broker';

// devbroker.md §4 Metadata auto-create, "faithful by default, but configurable": by default the call
// that creates a topic answers LEADER_NOT_AVAILABLE, so a kafkajs producer that may not retry fails its
// first send; with --auto-create-ready the same send succeeds at once.
jest.setTimeout(60_000);

const run = `${process.pid}-${Date.now()}`;

/** One send of a never-retrying kafkajs producer to a topic that does not exist yet. */
async function firstSend(broker: TestBroker, topic: string): Promise<unknown> {
  const kafka = new Kafka({
    clientId: `auto-create-${run}`,
    brokers: broker.brokers,
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  });
  const producer = kafka.producer();
  await producer.connect();
  try {
    return await producer.send({ topic, messages: [{ partition: 0, value: 'first' }] });
  } finally {
    await producer.disconnect();
  }
}

describe('the Metadata call that auto-creates a topic', () => {
  it('answers LEADER_NOT_AVAILABLE by default, as Kafka does', async () => {
    const broker = await startTestBroker();
    try {
      await expect(firstSend(broker, `faithful-${run}`)).rejects.toThrow(
        /no leader for this topic-partition/,
      );
    } finally {
      await broker.stop();
    }
  });

  it('answers the new partitions at once with --auto-create-ready', async () => {
    const broker = await startTestBroker({ args: ['--auto-create-ready', '--partitions', '2'] });
    try {
      expect(await firstSend(broker, `ready-${run}`)).toEqual([
        expect.objectContaining({ partition: 0, errorCode: 0, baseOffset: '0' }),
      ]);
    } finally {
      await broker.stop();
    }
  });
});
