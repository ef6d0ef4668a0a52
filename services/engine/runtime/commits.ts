import type { EachBatchPayload } from 'kafkajs';

type Uncommitted = EachBatchPayload['uncommittedOffsets'];
type Commit = EachBatchPayload['commitOffsetsIfNecessary'];

/**
 * Offset commits at most every `intervalMs` instead of kafkajs' one per batch (a broker round trip per
 * topic-partition per fetch, which dominated latency under load). It only ever commits what kafkajs
 * holds as resolved, and the engine resolves an offset only once its batch is emitted and recorded
 * (DESIGN.md decision 4), so a commit never covers work not done. kafkajs keeps resolved offsets for the
 * current assignment only, so a commit after a rebalance cannot move a partition another member owns.
 * Commits run one at a time; a failed one is reported and its offsets go with the next.
 */
export class OffsetCommitter {
  private uncommitted: Uncommitted | null = null;
  private commit: Commit | null = null;
  private lastAt = 0;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly intervalMs: number,
    private readonly onError: (err: unknown) => void,
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

  /** Commits every resolved, uncommitted offset (queued behind a commit in flight); `onError` reports a failure. */
  flush(onError: (err: unknown) => void = this.onError): Promise<void> {
    const run = this.chain.then(async () => {
      if (!this.uncommitted || !this.commit) return;
      const pending = this.uncommitted();
      this.lastAt = this.clock();
      if (pending.topics.length === 0) return;
      try {
        await this.commit(pending);
      } catch (err) {
        onError(err);
      }
    });
    this.chain = run;
    return run;
  }
}
