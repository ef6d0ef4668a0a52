import type { DueTimer } from '../state';

export interface TimerPollerOptions {
  store: {
    dueTimers(partition: number, upTo: number, limit: number): Promise<DueTimer[]>;
    pendingTimers?(partition: number): Promise<number>;
  };
  /** How often the owned partitions' due indexes are polled, ms. */
  intervalMs: number;
  /** Most timers handed to a lane per poll. */
  batchMax: number;
  clock: () => number;
  /** Runs the due timers through partition's lane; resolves once emitted and recorded. */
  onDue: (partition: number, due: DueTimer[]) => Promise<void>;
  onPending?: (partition: number, n: number) => void;
  onError: (err: unknown) => void;
  onSuccess?: () => void;
}

/** How often the pending-timer gauge is refreshed, in polls. */
const PENDING_EVERY_POLLS = 20;

/**
 * Polls the due-timer index of each partition this instance owns (DESIGN.md decision 5) and feeds due
 * timers into that partition's lane, every `intervalMs` (engine default 50 ms, so an idle engine fires a
 * timer within ~50 ms of due). One pass at a time; after a rebalance the new owner polls the
 * partitions it got, so timers survive rebalances and restarts (the index lives in Redis).
 */
export class TimerPoller {
  private partitions: number[] = [];
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  private polls = 0;

  constructor(private readonly opts: TimerPollerOptions) {}

  setPartitions(partitions: readonly number[]): void {
    this.partitions = [...partitions].sort((a, b) => a - b);
  }

  start(): void {
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.pollOnce().finally(() => {
        this.running = null;
        this.schedule();
      });
    }, this.opts.intervalMs);
  }

  /**
   * One pass over the owned partitions, in parallel: lanes are independent, so a partition whose lane is
   * busy does not hold back the others' timers. A full batch is followed at once by another.
   */
  async pollOnce(): Promise<void> {
    this.polls += 1;
    const refreshPending = this.polls % PENDING_EVERY_POLLS === 1;
    await Promise.all(this.partitions.map((partition) => this.pollPartition(partition, refreshPending)));
  }

  private async pollPartition(partition: number, refreshPending: boolean): Promise<void> {
    try {
      for (;;) {
        if (this.stopped) return;
        const due = await this.opts.store.dueTimers(partition, this.opts.clock(), this.opts.batchMax);
        this.opts.onSuccess?.();
        if (due.length > 0) await this.opts.onDue(partition, due);
        if (due.length < this.opts.batchMax) break;
      }
      if (refreshPending && this.opts.onPending && this.opts.store.pendingTimers) {
        this.opts.onPending(partition, await this.opts.store.pendingTimers(partition));
      }
    } catch (err) {
      this.opts.onError(err);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
