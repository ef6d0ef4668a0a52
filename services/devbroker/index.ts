/** devbroker: a single-node Kafka-protocol broker for dev, demo and tests (devbroker.md). */
export { MAX_FRAME_BYTES, startBroker } from './server';
export type { BrokerOptions, RunningBroker } from './server';
