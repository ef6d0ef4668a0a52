/** A cancellable one-shot timer; the coordinator's only source of time, injected so tests control it. */
export interface Scheduler {
  /** Runs `fn` once after `ms` milliseconds; the returned function cancels it (idempotent). */
  schedule(ms: number, fn: () => void): () => void;
}

/**
 * The default scheduler: Node timers, unref'd so that a group timer never keeps the process alive.
 * `setTimeout` is looked up at each call, so jest fake timers apply to it as well.
 */
export const realScheduler: Scheduler = {
  schedule(ms, fn) {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return () => clearTimeout(t);
  },
};
