import type { Logger } from 'pino';

import type { CompiledDefinitions } from '../definitions';
import { EngineError } from '../errors';
import { evaluate, inputUserId, requiredStateTtlMs } from '../evaluate';
import type { Activation, ActivationDraft, Conversion, Decision, Input, TriggerStatus } from '../evaluate';
import type { EmitBatch } from '../emit';
import type { EngineMetrics } from '../metrics';
import type { StateStore, StateWrite, TimerWrite, UserState } from '../state';

export interface LaneOptions {
  partition: number;
  store: StateStore<UserState, Decision>;
  /** The definitions in force, read once per batch (a swap lands between batches). */
  definitions: () => CompiledDefinitions | null;
  /** Runtime status per trigger (breaker open). */
  triggerStatus: () => ReadonlyMap<string, TriggerStatus>;
  /** Sends the batch's outputs in one producer call; resolves with the activations as emitted. */
  emit: (batch: EmitBatch) => Promise<Activation[]>;
  clock: () => number;
  /** Configured time to live of user state, ms; raised to what the definitions need (consent max age, look-backs). */
  stateTtlMs: number;
  metrics: EngineMetrics;
  logger: Logger;
  /** Called with the activations per trigger of each batch (the breaker counts them). */
  onActivationCounts?: (counts: Record<string, number>) => void;
  /** Called with the goal conversions of each batch. */
  onConversions?: (conversions: readonly Conversion[]) => void;
}

/** What a lane batch did, for the caller's logs and tests. */
export interface BatchOutcome {
  inputs: number;
  decisions: number;
  activations: Activation[];
}

/**
 * One lane: all work of partition p (events of every input topic, profile and consent updates, due
 * timers) runs here serially, one batch at a time (DESIGN.md decision 1). A batch is one load, pure
 * evaluation, one producer send, one apply, in that order (decision 4): when `process` resolves, the
 * caller may commit the batch's offsets; when it rejects, nothing may be committed.
 */
export class Lane {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: LaneOptions) {}

  get partition(): number {
    return this.opts.partition;
  }

  /** Queues a batch behind the ones in flight; resolves when it is emitted and recorded. */
  process(inputs: readonly Input[], dlq: EmitBatch['dlq'] = []): Promise<BatchOutcome> {
    const run = this.tail.then(() => this.run(inputs, dlq));
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Resolves once every queued batch has finished (graceful shutdown). */
  async drain(): Promise<void> {
    await this.tail;
  }

  private async run(inputs: readonly Input[], dlq: EmitBatch['dlq']): Promise<BatchOutcome> {
    const { opts } = this;
    const defs = opts.definitions();
    if (!defs)
      throw new EngineError('definitions_not_loaded', 'No valid trigger definitions are loaded yet.', {
        retriable: true,
      });
    const status = opts.triggerStatus();

    let t = process.hrtime.bigint();
    const lap = (stage: 'load' | 'evaluate' | 'emit' | 'apply') => {
      const now = process.hrtime.bigint();
      opts.metrics.stage(stage, Number(now - t) / 1e9);
      t = now;
    };

    const userIds = [...new Set(inputs.map(inputUserId))];
    const loaded = userIds.length > 0 ? await opts.store.load(userIds) : new Map<string, UserState>();
    lap('load');

    const current = new Map(loaded);
    const dirty = new Set<string>();
    const decisions: Decision[] = [];
    const activations: ActivationDraft[] = [];
    const timers = new Map<string, TimerWrite>();
    const conversions: Conversion[] = [];
    const counts: Record<string, number> = {};
    for (const input of inputs) {
      const userId = inputUserId(input);
      if (input.kind === 'timer') {
        // The fired timer leaves the index unless this evaluation re-arms it.
        const key = `${userId}\u0000${input.timer.timerId}`;
        timers.set(key, { partition: opts.partition, userId, timerId: input.timer.timerId, dueAt: null });
      }
      const r = evaluate(defs.index, defs.policies, current.get(userId), input, opts.clock(), status);
      if (r.changed) {
        current.set(userId, r.state);
        dirty.add(userId);
      }
      decisions.push(...r.decisions);
      activations.push(...r.activations);
      conversions.push(...r.conversions);
      for (const tc of r.timers) {
        timers.set(`${userId}\u0000${tc.timerId}`, {
          partition: opts.partition,
          userId,
          timerId: tc.timerId,
          dueAt: tc.dueAt,
        });
      }
      for (const [trigger, n] of Object.entries(r.activationCounts))
        counts[trigger] = (counts[trigger] ?? 0) + n;
    }
    lap('evaluate');

    const emitted = await opts.emit({ activations, decisions, dlq });
    lap('emit');

    // A TTL shorter than the longest look-back (consent.maxAge, typically) would forget a quiet user's consent.
    const ttlMs = Math.max(opts.stateTtlMs, requiredStateTtlMs(defs.index, defs.policies));
    const states: StateWrite<UserState>[] = [...dirty].map((userId) => ({
      userId,
      expectedRev: loaded.get(userId)?.rev ?? 0,
      next: current.get(userId) as UserState,
      ttlMs,
    }));
    const result = await opts.store.apply({
      states,
      timers: [...timers.values()],
      decisions: decisions.map((decision) => ({ userId: decision.userId, decision })),
    });
    lap('apply');
    if (result.conflicts.length > 0) {
      // Another owner wrote these users (a rebalance overlap). Nothing of theirs was recorded; failing the
      // batch leaves its offsets uncommitted, so it is redelivered and re-evaluated on fresh state. Any
      // activation repeats with the same activationId (at-least-once, adapters deduplicate).
      throw new EngineError(
        'state_conflict',
        `State of ${result.conflicts.length} user(s) changed under lane ${opts.partition}; the batch will be retried.`,
        { retriable: true },
      );
    }

    for (const d of decisions) opts.metrics.decision(d.triggerId, d.outcome, d.reason);
    for (const a of emitted) {
      opts.metrics.emission({
        trigger: a.triggerId,
        channel: a.channel,
        dueAt: a.dueAt,
        emittedAt: a.emittedAt,
        slaMs: a.slaMs,
      });
    }
    for (const c of conversions) if (!c.shadow) opts.metrics.conversion(c.triggerId, c.group);
    if (Object.keys(counts).length > 0) opts.onActivationCounts?.(counts);
    if (conversions.length > 0) opts.onConversions?.(conversions);
    return { inputs: inputs.length, decisions: decisions.length, activations: emitted };
  }
}
