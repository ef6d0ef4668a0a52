/** lane: the serial per-partition pipeline (load, evaluate, emit, apply). */
export { Lane } from './lane';
export type { BatchOutcome, LaneOptions } from './lane';
