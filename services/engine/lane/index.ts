/** lane: the serial per-partition pipeline (load, evaluate, emit, apply). */
export { Lane } from './lane';
export type { BatchOutcome, LaneOffload, LaneOptions } from './lane';
export { computePass, evaluateAll, passEnvironment } from './compute';
export type { DecisionSummary, PassEnvironment, PassRequest, PassResult } from './compute';
export { PassWorkers } from './workers';
export type { WorkerSetup } from './workers';
