/** timers: polls the owned partitions' due-timer indexes into their lanes. */
export { TimerPoller } from './poller';
export type { TimerPollerOptions } from './poller';
