import pino from 'pino';

import type { BrokerContext, BrokerSettings } from '../../../../services/devbroker/apis';
import { TopicStore } from '../../../../services/devbroker/log';

/** Settings of a default broker (node 1, 3 partitions per auto-created topic), with `over` applied. */
export function testSettings(over: Partial<BrokerSettings> = {}): BrokerSettings {
  return {
    nodeId: 1,
    clusterId: 'devbroker-test',
    host: '127.0.0.1',
    port: 9092,
    defaultPartitions: 3,
    autoCreateTopics: true,
    autoCreateReady: false,
    ...over,
  };
}

/**
 * A handler context over `topics` (in memory by default) and a silent logger; the broker never stops.
 * It has no group coordinator: handler tests that need one build their own.
 */
export function testContext(
  over: Partial<BrokerSettings> = {},
  topics: TopicStore = new TopicStore(null),
): BrokerContext {
  return {
    settings: testSettings(over),
    topics,
    log: pino({ level: 'silent' }),
    stopping: new Promise<void>(() => undefined),
  } as unknown as BrokerContext;
}

/** The connection info handlers get in these tests. */
export const testConn = { clientId: 't', clientHost: '/127.0.0.1' };
