import type { DueTimers } from '../state';

export interface TimerPollerOptions {
  store: {
    dueTimers(partition: number, upTo: number, limit: number): Promise<DueTimers>;
    pendingTimers?(partition: number): Promise<number>;
  };
  /**
   * Shortest time from a poll that handed timers over (or failed) to the next poll, ms: under load, with
   * timers due all the time, at most one poll per interval. Also how soon a failed poll is retried.
   */
  intervalMs: number;
  /**
   * Longest time between two polls of every owned partition, ms, however far off the earliest known
   * timer is: the bound on a timer this poller was not told of (see `armed`).
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

/**
 * Polls the due-timer index of each partition this instance owns (DESIGN.md decision 5) and feeds due
 * timers into that partition's lane. It sleeps until the earliest timer it knows of falls due: each poll
 * reads the index's next due time with the due timers (one round trip), and the store reports every
 * timer it writes (`armed`), so an idle engine fires a timer a few milliseconds after due instead of
 * asking Redis every 50 ms. Two bounds: a poll that handed timers over is followed by the next one
 * `intervalMs` later at the soonest (under load, with timers due all the time, one poll per interval),
 * and every owned partition is polled at least every
 * `maxWaitMs` (a timer written by an instance that lost the partition in a rebalance, or an engine clock
 * that jumps). After a rebalance the new owner polls the partitions it got at once, so timers survive
 * rebalances and restarts (the index lives in Redis). One poll at a time.
 */
export class TimerPoller {
  private partitions: number[] = [];
  /** Per owned partition, the earliest due time known (engine clock, ms): -Infinity polls at once. */
  private readonly next = new Map<number, number>();
  /** Per partition being polled, the earliest timer armed during the poll (its answer predates it). */
  private readonly armedDuringPoll = new Map<number, number>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private started = false;
  private stopped = false;
  /** Start of the last poll that handed timers over or failed: the next one waits `intervalMs` after it. */
  private lastBusyPollAt = -Infinity;
  private pollStartedAt = -Infinity;
  private lastFullPollAt = -Infinity;

  constructor(private readonly opts: TimerPollerOptions) {}

  /** The partitions this instance owns now; the ones it did not own before are polled at once. */
  setPartitions(partitions: readonly number[]): void {
    this.partitions = [...partitions].sort((a, b) => a - b);
    for (const p of [...this.next.keys()]) if (!this.partitions.includes(p)) this.next.delete(p);
    for (const p of this.partitions) if (!this.next.has(p)) this.next.set(p, -Infinity);
    this.wake();
  }

  /** A timer of `partition` was written to the index, due at `dueAt`: poll then if that is sooner. */
  armed(partition: number, dueAt: number): void {
    const polling = this.armedDuringPoll.get(partition);
    if (polling !== undefined) this.armedDuringPoll.set(partition, Math.min(polling, dueAt));
    const known = this.next.get(partition);
    if (known === undefined || dueAt >= known) return;
    this.next.set(partition, dueAt);
    this.wake();
  }

  start(): void {
    this.started = true;
    this.wake();
  }

  /** (Re)arms the one timeout for the next poll; a poll in flight calls it again when done. */
  private wake(): void {
    if (!this.started || this.stopped || this.running) return;
    if (this.timer) clearTimeout(this.timer);
    let at = this.lastFullPollAt + this.opts.maxWaitMs;
    for (const p of this.partitions) at = Math.min(at, this.next.get(p) ?? -Infinity);
    at = Math.max(at, this.lastBusyPollAt + this.opts.intervalMs);
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.running = this.pollDue().finally(() => {
          this.running = null;
          this.wake();
        });
      },
      Math.max(0, Math.min(at - this.opts.clock(), this.opts.maxWaitMs)),
    );
  }

  /** Polls the partitions with a timer due by now, or all of them once `maxWaitMs` has passed. */
  private pollDue(): Promise<void> {
    const now = this.opts.clock();
    if (now >= this.lastFullPollAt + this.opts.maxWaitMs) return this.pollOnce();
    this.pollStartedAt = now;
    return this.pollPartitions(
      this.partitions.filter((p) => (this.next.get(p) ?? -Infinity) <= now),
      false,
    );
  }

  /**
   * One pass over every owned partition, in parallel: lanes are independent, so a partition whose lane
   * is busy does not hold back the others' timers. A full batch is followed at once by another. Also
   * refreshes the pending-timer gauge.
   */
  async pollOnce(): Promise<void> {
    const now = this.opts.clock();
    this.pollStartedAt = now;
    this.lastFullPollAt = now;
    await this.pollPartitions(this.partitions, true);
  }

  private async pollPartitions(partitions: readonly number[], refreshPending: boolean): Promise<void> {
    await Promise.all(partitions.map((partition) => this.pollPartition(partition, refreshPending)));
  }

  private async pollPartition(partition: number, refreshPending: boolean): Promise<void> {
    this.armedDuringPoll.set(partition, Infinity);
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
          this.lastBusyPollAt = this.pollStartedAt;
          await this.opts.onDue(partition, due);
        }
        if (due.length < this.opts.batchMax) {
          next = nextDueAt ?? Infinity;
          break;
        }
      }
      if (refreshPending && this.opts.onPending && this.opts.store.pendingTimers) {
        this.opts.onPending(partition, await this.opts.store.pendingTimers(partition));
      }
    } catch (err) {
      // Polled again after `intervalMs`, as are timers a failed lane pass left due.
      next = -Infinity;
      this.lastBusyPollAt = this.pollStartedAt;
      this.opts.onError(err);
    } finally {
      const armed = this.armedDuringPoll.get(partition) ?? Infinity;
      this.armedDuringPoll.delete(partition);
      // A partition lost during the poll is no longer tracked.
      if (this.next.has(partition)) this.next.set(partition, Math.min(next, armed));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
