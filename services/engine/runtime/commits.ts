import type { EachBatchPayload } from 'kafkajs';

type Uncommitted = EachBatchPayload['uncommittedOffsets'];
type Commit = EachBatchPayload['commitOffsetsIfNecessary'];

/**
 * Offset commits at most every `intervalMs` instead of kafkajs' one per batch (a broker round trip per
 * topic-partition per fetch, which dominated latency under load). It only ever commits what kafkajs
 * holds as resolved, and the engine resolves an offset only once its batch is emitted and recorded
 * (DESIGN.md decision 4), so a commit never covers work not done. kafkajs keeps resolved offsets for the
 * current assignment only, so a commit after a rebalance cannot move a partition another member owns.
 * Commits run one at a time, and a flush asked for while another waits its turn joins that one (a
 * broker outage does not pile up a commit per second). A failed commit is reported with the number of
 * failures in a row, and its offsets go with the next.
 */
export class OffsetCommitter {
  private uncommitted: Uncommitted | null = null;
  private commit: Commit | null = null;
  private lastAt = 0;
  private chain: Promise<void> = Promise.resolve();
  /** A flush queued behind the one in flight and not started yet; later requests share it. */
  private queued: Promise<void> | null = null;
  private failures = 0;

  constructor(
    private readonly intervalMs: number,
    private readonly onError: (err: unknown, failuresInARow: number) => void,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Takes the consumer group's functions from an eachBatch payload (they outlive the batch). */
  bind(uncommitted: Uncommitted, commit: Commit): void {
    this.uncommitted = uncommitted;
    this.commit = commit;
  }

  /** After a batch is resolved: commits when the interval has passed, or at once when `now` is true. */
  async afterBatch(now: boolean): Promise<void> {
    if (now || this.clock() - this.lastAt >= this.intervalMs) await this.flush();
  }

  /**
   * Commits every resolved, uncommitted offset, after the commit in flight; `onError` reports a failure
   * (a flush that joins a queued one reports through that one's handler).
   */
  flush(onError: (err: unknown, failuresInARow: number) => void = this.onError): Promise<void> {
    if (this.queued) return this.queued;
    const run = this.chain.then(async () => {
      this.queued = null;
      if (!this.uncommitted || !this.commit) return;
      const pending = this.uncommitted();
      this.lastAt = this.clock();
      if (pending.topics.length === 0) return;
      try {
        await this.commit(pending);
        this.failures = 0;
      } catch (err) {
        this.failures += 1;
        onError(err, this.failures);
      }
    });
    this.queued = run;
    this.chain = run;
    return run;
  }
}
