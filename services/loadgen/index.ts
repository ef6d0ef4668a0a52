/** loadgen: seeded synthetic traffic for the demo and the benchmark. */
export { createTraffic } from './generator';
export type { Channel, TrafficOptions, TrafficRecord } from './generator';
export { seededRandom } from './random';
