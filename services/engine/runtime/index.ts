/** runtime: the streaming engine wired from its modules (ingest, lanes, timers, emit, http). */
export { Breaker } from './breaker';
export { startEngine } from './engine';
export type { EngineDeps, RunningEngine } from './engine';
