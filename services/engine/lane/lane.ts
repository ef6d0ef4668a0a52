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
  /** Most inputs one pass takes when coalescing queued batches (a single larger batch still runs alone). */
  maxInputs?: number;
}

interface QueuedBatch {
  inputs: readonly Input[];
  dlq: EmitBatch['dlq'];
  resolve: (outcome: BatchOutcome) => void;
  reject: (err: unknown) => void;
}

/** What a lane pass did, for the caller's logs and tests. */
export interface BatchOutcome {
  inputs: number;
  decisions: number;
  activations: Activation[];
}

/**
 * One lane: all work of partition p (events of every input topic, profile and consent updates, due
 * timers) runs here serially, one batch at a time (DESIGN.md decision 1). A batch is one load, pure
 * evaluation, one producer send, one apply, in that order (decision 4): when `process` resolves, the
 * caller may commit the batch's offsets; when it rejects, nothing may be committed. Users whose write
 * was refused (another owner wrote them: a rebalance overlap) are reloaded and re-evaluated once, with
 * a second send and apply for them alone; a second refusal rejects with a retriable `state_conflict`.
 */
export class Lane {
  /** Batches waiting for the pass in flight; the next pass takes as many as `maxInputs` allows. */
  private queue: QueuedBatch[] = [];
  private running: Promise<void> | null = null;

  constructor(private readonly opts: LaneOptions) {}

  get partition(): number {
    return this.opts.partition;
  }

  /**
   * Queues a batch behind the pass in flight and resolves when it is emitted and recorded. Batches that
   * queue up while a pass runs (one per input topic of this partition, due timers) are coalesced into one
   * pass, up to `maxInputs` inputs, in arrival order: a lane makes one load, one send and one apply for
   * them instead of one each. Every batch of a pass gets that pass's outcome; if the pass fails, every
   * batch of it rejects (none of their offsets may be committed).
   */
  process(inputs: readonly Input[], dlq: EmitBatch['dlq'] = []): Promise<BatchOutcome> {
    return new Promise<BatchOutcome>((resolve, reject) => {
      this.queue.push({ inputs, dlq, resolve, reject });
      this.running ??= this.pump();
    });
  }

  /** Resolves once every queued batch has finished (graceful shutdown). */
  async drain(): Promise<void> {
    while (this.running) await this.running;
  }

  private async pump(): Promise<void> {
    const max = this.opts.maxInputs ?? Infinity;
    while (this.queue.length > 0) {
      const group = [this.queue.shift() as QueuedBatch];
      let size = group[0]!.inputs.length;
      while (this.queue.length > 0 && size + this.queue[0]!.inputs.length <= max) {
        const next = this.queue.shift() as QueuedBatch;
        size += next.inputs.length;
        group.push(next);
      }
      const inputs = group.length === 1 ? group[0]!.inputs : group.flatMap((b) => b.inputs);
      const dlq = group.length === 1 ? group[0]!.dlq : group.flatMap((b) => b.dlq ?? []);
      try {
        const outcome = await this.run(inputs, dlq);
        for (const b of group) b.resolve(outcome);
      } catch (err) {
        for (const b of group) b.reject(err);
      }
    }
    this.running = null;
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
    // One pass: load, evaluate, emit, apply (decision 4: emitted before recorded, recorded before commit).
    const pass = async (batch: readonly Input[], dlqRecords: EmitBatch['dlq']) => {
      const userIds = [...new Set(batch.map(inputUserId))];
      const loaded = userIds.length > 0 ? await opts.store.load(userIds) : new Map<string, UserState>();
      lap('load');
      const out = this.evaluateAll(defs, status, batch, loaded);
      lap('evaluate');
      const emitted = await opts.emit({
        activations: out.activations,
        decisions: out.decisions,
        dlq: dlqRecords,
      });
      lap('emit');
      // A TTL shorter than the longest look-back (consent.maxAge, typically) would forget a quiet user's consent.
      const ttlMs = Math.max(opts.stateTtlMs, requiredStateTtlMs(defs.index, defs.policies));
      const states: StateWrite<UserState>[] = [...out.dirty].map((userId) => ({
        userId,
        expectedRev: loaded.get(userId)?.rev ?? 0,
        next: out.current.get(userId) as UserState,
        previous: loaded.get(userId),
        ttlMs,
      }));
      const result = await opts.store.apply({
        states,
        timers: [...out.timers.values()],
        decisions: out.decisions.map((decision) => ({ userId: decision.userId, decision })),
      });
      lap('apply');
      return { out, emitted, conflicts: new Set(result.conflicts) };
    };

    const first = await pass(inputs, dlq);
    const recorded = [{ ...first, skip: first.conflicts }];
    if (first.conflicts.size > 0) {
      // Another owner wrote these users (a rebalance overlap); nothing of theirs was recorded. Reload them and
      // re-evaluate their inputs once on the fresh state; an activation emitted twice keeps its activationId
      // (at-least-once, adapters deduplicate).
      const again = await pass(
        inputs.filter((input) => first.conflicts.has(inputUserId(input))),
        [],
      );
      if (again.conflicts.size > 0) {
        // Failing the batch leaves its offsets uncommitted: it is redelivered and re-evaluated.
        throw new EngineError(
          'state_conflict',
          `State of ${again.conflicts.size} user(s) changed twice under lane ${opts.partition}; the batch will be retried.`,
          { retriable: true },
        );
      }
      recorded.push({ ...again, skip: new Set<string>() });
    }

    // Metrics and callbacks count what was recorded, not a refused first attempt.
    const activations: Activation[] = [];
    let decisionCount = 0;
    const counts: Record<string, number> = {};
    const conversions: Conversion[] = [];
    for (const { out, emitted, skip } of recorded) {
      for (const d of out.decisions) {
        if (skip.has(d.userId)) continue;
        decisionCount += 1;
        opts.metrics.decision(d.triggerId, d.outcome, d.reason);
      }
      for (const a of emitted) {
        activations.push(a);
        if (skip.has(a.userId)) continue;
        opts.metrics.emission({
          trigger: a.triggerId,
          channel: a.channel,
          dueAt: a.dueAt,
          emittedAt: a.emittedAt,
          slaMs: a.slaMs,
        });
      }
      for (const [userId, perUser] of out.counts) {
        if (skip.has(userId)) continue;
        for (const [trigger, n] of Object.entries(perUser)) counts[trigger] = (counts[trigger] ?? 0) + n;
      }
      for (const c of out.conversions) if (!skip.has(c.userId)) conversions.push(c.conversion);
    }
    for (const c of conversions) if (!c.shadow) opts.metrics.conversion(c.triggerId, c.group);
    if (Object.keys(counts).length > 0) opts.onActivationCounts?.(counts);
    if (conversions.length > 0) opts.onConversions?.(conversions);
    return { inputs: inputs.length, decisions: decisionCount, activations };
  }

  /** Evaluates each input in order against its user's evolving state (pure; no I/O). */
  private evaluateAll(
    defs: CompiledDefinitions,
    status: ReadonlyMap<string, TriggerStatus>,
    inputs: readonly Input[],
    loaded: ReadonlyMap<string, UserState>,
  ) {
    const { opts } = this;
    const current = new Map(loaded);
    const dirty = new Set<string>();
    const decisions: Decision[] = [];
    const activations: ActivationDraft[] = [];
    const timers = new Map<string, TimerWrite>();
    const conversions: { userId: string; conversion: Conversion }[] = [];
    const counts = new Map<string, Record<string, number>>();
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
      for (const conversion of r.conversions) conversions.push({ userId, conversion });
      for (const tc of r.timers) {
        timers.set(`${userId}\u0000${tc.timerId}`, {
          partition: opts.partition,
          userId,
          timerId: tc.timerId,
          dueAt: tc.dueAt,
        });
      }
      const perUser = counts.get(userId) ?? {};
      for (const [trigger, n] of Object.entries(r.activationCounts))
        perUser[trigger] = (perUser[trigger] ?? 0) + n;
      counts.set(userId, perUser);
    }
    return { current, dirty, decisions, activations, timers, conversions, counts };
  }
}
