import type { DueTimers } from '../state';

export interface TimerPollerOptions {
  store: {
    dueTimers(partition: number, upTo: number, limit: number): Promise<DueTimers>;
    pendingTimers?(partition: number): Promise<number>;
  };
  /**
   * Shortest time from a poll of a partition that handed timers over (or failed) to its next poll, ms:
   * under load, with timers due all the time, at most one poll per partition per interval. Also how soon
   * a failed poll is retried.
   */
  intervalMs: number;
  /**
   * Longest time between two polls of an owned partition, ms, however far off its earliest known timer
   * is: the bound on a timer this poller was not told of (see `armed`).
   */
  maxWaitMs: number;
  /** Most timers handed to a lane per poll. */
  batchMax: number;
  clock: () => number;
  /** Runs the due timers through partition's lane; resolves once emitted and recorded. */
  onDue: (partition: number, due: DueTimer[]) => Promise<void>;
  onPending?: (partition: number, n: number) => void;
  onError: (err: unknown) => void;
  onSuccess?: () => void;
}

type DueTimer = DueTimers['due'][number];

/** How often a partition's poll also refreshes the pending-timer gauge, ms at most. */
const PENDING_REFRESH_MS = 1000;

/** What the poller knows of one owned partition (times on the engine clock, ms). */
interface Tracked {
  /** Earliest due time known; -Infinity polls at once. */
  next: number;
  /** Start of the last poll, and of the last one that handed timers over or failed. */
  polledAt: number;
  busyAt: number;
  /** When the poll last refreshed the pending-timer gauge. */
  countedAt: number;
  /** The poll in flight, if any; timers armed meanwhile are kept in `armedDuringPoll`. */
  polling: Promise<void> | null;
  armedDuringPoll: number;
}

/**
 * Polls the due-timer index of each partition this instance owns (DESIGN.md decision 5) and feeds due
 * timers into that partition's lane. It sleeps until the earliest timer it knows of falls due: each poll
 * reads the index's next due time with the due timers (one round trip), and the store reports every
 * timer it writes (`armed`), so an idle engine fires a timer a few milliseconds after due instead of
 * asking Redis every 50 ms. Partitions are polled independently (a lane busy with a long pass holds back
 * only its own timers), one poll per partition at a time, within two bounds: a poll that handed timers
 * over is followed by the next one `intervalMs` later at the soonest (under load, with timers due all the
 * time, one poll per interval), and an owned partition is polled at least every `maxWaitMs` (a timer
 * written by an instance that lost the partition in a rebalance, or an engine clock that jumps). After a
 * rebalance the new owner polls the partitions it got at once, so timers survive rebalances and restarts
 * (the index lives in Redis).
 */
export class TimerPoller {
  private readonly tracked = new Map<number, Tracked>();
  /** Every poll in flight, of partitions owned or lost since (stop() waits for them). */
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | null = null;
  private started = false;
  private stopped = false;

  constructor(private readonly opts: TimerPollerOptions) {}

  /** The partitions this instance owns now; the ones it did not own before are polled at once. */
  setPartitions(partitions: readonly number[]): void {
    const owned = new Set(partitions);
    for (const p of [...this.tracked.keys()]) if (!owned.has(p)) this.tracked.delete(p);
    for (const p of [...owned].sort((a, b) => a - b))
      if (!this.tracked.has(p))
        this.tracked.set(p, {
          next: -Infinity,
          polledAt: -Infinity,
          busyAt: -Infinity,
          countedAt: -Infinity,
          polling: null,
          armedDuringPoll: Infinity,
        });
    this.wake();
  }

  /** A timer of `partition` was written to the index, due at `dueAt`: poll then if that is sooner. */
  armed(partition: number, dueAt: number): void {
    const t = this.tracked.get(partition);
    if (!t || !Number.isFinite(dueAt)) return;
    if (t.polling) t.armedDuringPoll = Math.min(t.armedDuringPoll, dueAt);
    if (dueAt >= t.next) return;
    t.next = dueAt;
    this.wake();
  }

  start(): void {
    this.started = true;
    this.wake();
  }

  /** When `t`'s next poll is due. */
  private dueAt(t: Tracked): number {
    return Math.max(Math.min(t.next, t.polledAt + this.opts.maxWaitMs), t.busyAt + this.opts.intervalMs);
  }

  /** Starts the polls that are due and (re)arms the one timeout for the next. */
  private wake(): void {
    if (!this.started || this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const now = this.opts.clock();
    let at = Infinity;
    for (const [partition, t] of this.tracked) {
      if (t.polling) continue; // its end wakes us again
      const due = this.dueAt(t);
      if (due <= now) this.poll(partition, t);
      else at = Math.min(at, due);
    }
    if (at === Infinity) return;
    this.timer = setTimeout(() => this.wake(), Math.max(1, Math.min(at - now, this.opts.maxWaitMs)));
  }

  private poll(partition: number, t: Tracked): Promise<void> {
    const polling = this.pollPartition(partition, t).finally(() => {
      t.polling = null;
      this.inFlight.delete(polling);
      this.wake();
    });
    t.polling = polling;
    this.inFlight.add(polling);
    return polling;
  }

  /**
   * Polls every owned partition now, in parallel (lanes are independent, so a partition whose lane is
   * busy does not hold back the others' timers), and resolves when all are done; a partition with a poll
   * in flight is waited for instead.
   */
  async pollOnce(): Promise<void> {
    await Promise.all([...this.tracked].map(([p, t]) => t.polling ?? this.poll(p, t)));
  }

  /** One poll of a partition: a full batch is followed at once by another. */
  private async pollPartition(partition: number, t: Tracked): Promise<void> {
    const startedAt = this.opts.clock();
    t.polledAt = startedAt;
    t.armedDuringPoll = Infinity;
    let next = -Infinity;
    try {
      for (;;) {
        if (this.stopped) return;
        const { due, nextDueAt } = await this.opts.store.dueTimers(
          partition,
          this.opts.clock(),
          this.opts.batchMax,
        );
        this.opts.onSuccess?.();
        if (due.length > 0) {
          t.busyAt = startedAt;
          await this.opts.onDue(partition, due);
        }
        if (due.length < this.opts.batchMax) {
          next = nextDueAt !== null && Number.isFinite(nextDueAt) ? nextDueAt : Infinity;
          break;
        }
      }
      if (
        this.opts.onPending &&
        this.opts.store.pendingTimers &&
        startedAt >= t.countedAt + PENDING_REFRESH_MS
      ) {
        t.countedAt = startedAt;
        this.opts.onPending(partition, await this.opts.store.pendingTimers(partition));
      }
    } catch (err) {
      // Polled again after `intervalMs`, as are timers a failed lane pass left due.
      next = -Infinity;
      t.busyAt = startedAt;
      this.opts.onError(err);
    } finally {
      // A partition lost during the poll (and perhaps got again: then a fresh entry, polled at once) is
      // left as it is.
      if (this.tracked.get(partition) === t) t.next = Math.min(next, t.armedDuringPoll);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await Promise.all([...this.inFlight]);
  }
}
