import { performance } from 'node:perf_hooks';

/**
 * Whether the engine is in touch with Kafka, for /readyz and the ready gauge. Being a group member is
 * not enough: when the broker goes away, kafkajs retries with backoff for tens of seconds before its
 * consumer crashes, and until then it still counts as joined. So Kafka is up when the consumer has
 * joined (and not crashed since) and a broker answered one of the consumer's or producer's requests
 * within `silentAfterMs`; an idle consumer long-polls several times a second, a busy one fetches and
 * sends between lane batches. Measured on a monotonic clock, not the engine's event clock.
 */
export class KafkaHealth {
  private joined = false;
  private lastAnswerAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly silentAfterMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The consumer joined the group (kafkajs GROUP_JOIN): a broker just answered. */
  joinedGroup(): void {
    this.joined = true;
    this.answered();
  }

  /** The consumer crashed (kafkajs CRASH); kafkajs restarts it and the next join makes it up again. */
  crashed(): void {
    this.joined = false;
  }

  /** A broker answered a request (kafkajs REQUEST instrumentation event of the consumer or producer). */
  answered(): void {
    this.lastAnswerAt = this.now();
  }

  up(): boolean {
    return this.joined && this.now() - this.lastAnswerAt <= this.silentAfterMs;
  }
}
