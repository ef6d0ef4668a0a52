import type { EachBatchPayload } from 'kafkajs';

type Commit = EachBatchPayload['commitOffsetsIfNecessary'];
type Offsets = ReturnType<EachBatchPayload['uncommittedOffsets']>;

/**
 * Commits the offsets the lanes have processed, at most every `intervalMs` instead of kafkajs' one per
 * batch (a broker round trip per topic-partition per fetch, which dominated latency under load).
 *
 * The consumer hands batches to the lanes without waiting for their passes (kafkajs fetches from the
 * offsets it has been handed, so they run ahead), and `processed` records a batch's end only once it is
 * emitted and recorded (DESIGN.md decision 4): a commit never covers work not done. Every record belongs to
 * an assignment: `rebalance` ends one (it commits what is processed, best effort, then forgets it), and a
 * batch of an earlier assignment that finishes later is not counted, so a commit cannot move a partition
 * another member owns now. Commits run one at a time, and a flush asked for while another waits its turn
 * joins that one (a broker outage does not pile up a commit per second). A failed commit is reported with
 * the number of failures in a row, and its offsets go with the next.
 */
export class OffsetCommitter {
  private commit: Commit | null = null;
  /** Next offset to consume per `topic|partition`, processed in the current assignment. */
  private readonly done = new Map<string, { topic: string; partition: number; offset: number }>();
  /** What the last successful commits sent, per `topic|partition`. */
  private readonly sent = new Map<string, number>();
  private assignment = 0;
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

  /** Takes the consumer group's commit function from an eachBatch payload (it outlives the batch). */
  bind(commit: Commit): void {
    this.commit = commit;
  }

  /** The assignment a batch handed over now belongs to (give it back to `processed`). */
  get current(): number {
    return this.assignment;
  }

  /** A batch of `assignment` is emitted and recorded up to `lastOffset` (inclusive). */
  processed(assignment: number, topic: string, partition: number, lastOffset: string): void {
    if (assignment !== this.assignment) return;
    const key = `${topic}|${partition}`;
    const offset = Number(lastOffset) + 1;
    const entry = this.done.get(key);
    if (!entry) this.done.set(key, { topic, partition, offset });
    else if (offset > entry.offset) entry.offset = offset;
  }

  /**
   * The group is rebalancing: commits what was processed (the group may refuse it mid-rebalance), then
   * starts a new assignment.
   */
  rebalance(onError: (err: unknown, failuresInARow: number) => void = this.onError): Promise<void> {
    const pending = this.pending();
    this.done.clear();
    this.sent.clear();
    this.assignment += 1;
    const run = this.chain.then(() => this.send(pending, onError, false));
    this.chain = run;
    return run;
  }

  /** After a batch is processed: commits when the interval has passed, or at once when `now` is true. */
  async afterBatch(now: boolean): Promise<void> {
    if (now || this.clock() - this.lastAt >= this.intervalMs) await this.flush();
  }

  /**
   * Commits every processed, uncommitted offset, after the commit in flight; `onError` reports a failure
   * (a flush that joins a queued one reports through that one's handler).
   */
  flush(onError: (err: unknown, failuresInARow: number) => void = this.onError): Promise<void> {
    if (this.queued) return this.queued;
    const run = this.chain.then(async () => {
      this.queued = null;
      await this.send(this.pending(), onError, true);
    });
    this.queued = run;
    this.chain = run;
    return run;
  }

  private pending(): Offsets {
    const topics = new Map<string, { partition: number; offset: string }[]>();
    for (const [key, { topic, partition, offset }] of this.done) {
      if (this.sent.get(key) === offset) continue;
      const partitions = topics.get(topic) ?? [];
      partitions.push({ partition, offset: String(offset) });
      topics.set(topic, partitions);
    }
    return { topics: [...topics].map(([topic, partitions]) => ({ topic, partitions })) };
  }

  private async send(
    pending: Offsets,
    onError: (err: unknown, failuresInARow: number) => void,
    remember: boolean,
  ): Promise<void> {
    this.lastAt = this.clock();
    if (!this.commit || pending.topics.length === 0) return;
    try {
      await this.commit(pending);
      this.failures = 0;
      if (remember) {
        for (const t of pending.topics)
          for (const p of t.partitions) this.sent.set(`${t.topic}|${p.partition}`, Number(p.offset));
      }
    } catch (err) {
      this.failures += 1;
      onError(err, this.failures);
    }
  }
}
