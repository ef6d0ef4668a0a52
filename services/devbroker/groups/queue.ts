/**
 * One FIFO of tasks per key: a group's tasks run one after another, so that a state change and the
 * persistence it triggers never interleave with another request's (devbroker.md §6: Kafka runs each
 * group under one lock, kfake on one goroutine). Different keys run concurrently.
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Runs `task` after every earlier task of `key` settled; resolves or rejects as the task does. */
  run<T>(key: string, task: () => T | Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const next = prev.then(task, task);
    const tail = next.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }

  /** Resolves once every task queued so far, on any key, has settled. */
  async idle(): Promise<void> {
    await Promise.all(this.tails.values());
  }
}
