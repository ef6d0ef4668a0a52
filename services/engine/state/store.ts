/**
 * The state store contract (DESIGN.md decisions 3 and 5). The lane loads the state of every user in a
 * batch in one call, evaluates, emits, then applies all changes in one call. Implementations: the
 * in-memory store (tests, `triggerctl test`, backtests) and the Redis store (the engine).
 *
 * `S` is the per-user state document owned by evaluate/ (JSON-serialisable). Stores treat it as opaque
 * apart from `rev`, the revision used for compare-and-set: a write whose `expectedRev` is not the stored
 * revision is refused for that user (another lane owner wrote it, e.g. during a rebalance).
 */
export interface Revisioned {
  /** Revision of the stored document; 0 when the user has no state yet. */
  rev: number;
}

export interface StateWrite<S extends Revisioned> {
  userId: string;
  /** The revision the writer loaded; the write is refused if the store holds another. */
  expectedRev: number;
  /** The next document; the store saves it with rev = expectedRev + 1. */
  next: S;
  /**
   * The document as the writer loaded it from this store (absent for a new user): the Redis store then
   * writes the user's history as a change against it instead of whole.
   */
  previous?: S;
  /** Time to live of the user's state, ms: users who go quiet expire. */
  ttlMs: number;
}

/** Arms (dueAt set) or disarms (dueAt null) one timer in partition `partition`'s due index. */
export interface TimerWrite {
  partition: number;
  userId: string;
  timerId: string;
  dueAt: number | null;
}

export interface DueTimer {
  userId: string;
  timerId: string;
  dueAt: number;
}

/** A poll of a partition's due index: the timers due, and when the next one falls due. */
export interface DueTimers {
  /** Due at or before the poll's `upTo`, earliest first, at most its `limit`. */
  due: DueTimer[];
  /** Due time of the earliest timer after `upTo` (epoch ms); null when none is armed. */
  nextDueAt: number | null;
}

export interface ApplyResult {
  /** Users whose write was refused because their revision moved (their whole batch entry is skipped). */
  conflicts: string[];
}

/** A batch of state, timer and decision writes for `apply`. */
export interface ApplyBatch<S extends Revisioned, D> {
  states: readonly StateWrite<S>[];
  timers: readonly TimerWrite[];
  decisions: readonly { userId: string; decision: D }[];
}

export interface StateStore<S extends Revisioned, D = unknown> {
  /** Loads the state of the given users in one round trip; users with no state are absent from the map. */
  load(userIds: readonly string[]): Promise<Map<string, S>>;
  /** Applies all writes, timer changes and decision log appends in one round trip; atomic per user. */
  apply(batch: ApplyBatch<S, D>): Promise<ApplyResult>;
  /**
   * Timers of `partition` due at or before `upTo` (epoch ms), earliest first, at most `limit`, and the due
   * time of the first one after `upTo`: one round trip.
   */
  dueTimers(partition: number, upTo: number, limit: number): Promise<DueTimers>;
  /** The most recent decisions recorded for one user, newest first. */
  recentDecisions(userId: string, limit: number): Promise<D[]>;
}
