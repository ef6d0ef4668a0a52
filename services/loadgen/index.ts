/** loadgen: seeded synthetic traffic for the demo and the benchmark. */
export { createTraffic } from './generator';
export type { Channel, TrafficOptions, TrafficRecord, UserKind } from './generator';
export { createEncoder, sendRecords } from './producer';
export { seededRandom } from './random';
