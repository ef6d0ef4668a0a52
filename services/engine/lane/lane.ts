import type { TopicMessages } from 'kafkajs';
import type { Logger } from 'pino';

import type { CompiledDefinitions } from '../definitions';
import type { EmitBatch } from '../emit';
import { EngineError } from '../errors';
import { inputUserId, requiredStateTtlMs } from '../evaluate';
import type { Activation, Conversion, Decision, Input, TriggerStatus } from '../evaluate';
import type { EngineMetrics } from '../metrics';
import type { ApplyResult, EncodedApply, LoadedRaw, StateStore, UserState } from '../state';
import { evaluateAll, writesOf } from './compute';
import type { DecisionSummary, PassRequest, PassResult } from './compute';

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
  /**
   * Set when a worker thread does the pass's computing (WORKER_THREADS): the lane then loads undecoded
   * states, has `compute` decode, evaluate and encode them, and sends and writes what it returns, instead
   * of using `store` and `emit`.
   */
  offload?: LaneOffload;
}

/** The I/O and the computing of a pass when a worker thread computes (see `LaneOptions.offload`). */
export interface LaneOffload {
  loadRaw(userIds: readonly string[]): Promise<LoadedRaw>;
  compute(request: PassRequest): Promise<PassResult>;
  /** One producer call (or a few, split by size) with every message of the pass. */
  send(topicMessages: TopicMessages[]): Promise<void>;
  applyEncoded(encoded: EncodedApply): Promise<ApplyResult>;
  /** Generation of the definitions `definitions()` returns (the worker must hold the same). */
  generation(): number;
}

/** What one pass did, as the lane's metrics and callbacks count it. */
interface PassDone {
  decisions: readonly DecisionSummary[];
  emitted: Activation[];
  counts: Iterable<[string, Record<string, number>]>;
  conversions: readonly { userId: string; conversion: Conversion }[];
  conflicts: Set<string>;
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
   * Queues a batch behind the pass in flight and resolves when it is emitted and recorded. Batches handed
   * over in one turn of the event loop, or while a pass runs (one per input topic of this partition, due
   * timers), are coalesced into one pass, up to `maxInputs` inputs, in arrival order: a lane makes one
   * load, one send and one apply for them instead of one each. Every batch of a pass gets that pass's
   * outcome; if the pass fails, every batch of it rejects (none of their offsets may be committed).
   */
  process(inputs: readonly Input[], dlq: EmitBatch['dlq'] = []): Promise<BatchOutcome> {
    return new Promise<BatchOutcome>((resolve, reject) => {
      this.queue.push({ inputs, dlq, resolve, reject });
      // An idle lane starts its pass once the current I/O callbacks are done (setImmediate), not at the
      // first batch: kafkajs hands over a fetch's batches (one per input topic) one after another, and
      // they then share one pass instead of the first running alone and the rest in a second.
      this.running ??= new Promise<void>((r) => setImmediate(r)).then(() => this.pump());
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
    // Read with the definitions: a swap during this batch's I/O must not change what its passes run with.
    const generation = opts.offload?.generation() ?? 0;

    let t = process.hrtime.bigint();
    // `computed`: of the time since the last lap, what a worker thread spent computing (`evaluate`); the
    // rest is the hand-off to and from it.
    const lap = (stage: 'load' | 'evaluate' | 'emit' | 'apply', computed?: number) => {
      const now = process.hrtime.bigint();
      const seconds = Number(now - t) / 1e9;
      if (computed === undefined) opts.metrics.stage(stage, seconds);
      else {
        opts.metrics.stage(stage, computed);
        opts.metrics.stage('handoff', Math.max(0, seconds - computed));
      }
      t = now;
    };
    // A TTL shorter than the longest look-back (consent.maxAge, typically) would forget a quiet user's consent.
    const ttlMs = Math.max(opts.stateTtlMs, requiredStateTtlMs(defs.index, defs.policies));
    // One pass: load, evaluate, emit, apply (decision 4: emitted before recorded, recorded before commit).
    const local = async (batch: readonly Input[], dlqRecords: EmitBatch['dlq']): Promise<PassDone> => {
      const userIds = [...new Set(batch.map(inputUserId))];
      const loaded = userIds.length > 0 ? await opts.store.load(userIds) : new Map<string, UserState>();
      lap('load');
      const out = evaluateAll(defs, status, batch, loaded, opts.partition, opts.clock);
      lap('evaluate');
      const emitted = await opts.emit({
        activations: out.activations,
        decisions: out.decisions,
        dlq: dlqRecords,
      });
      lap('emit');
      const result = await opts.store.apply(writesOf(out, loaded, ttlMs));
      lap('apply');
      return { ...out, emitted, conflicts: new Set(result.conflicts) };
    };
    // The same pass with its computing on a worker thread: the "evaluate" stage is the thread's computing
    // (decoding the states, evaluating, encoding outputs and writes), "handoff" the rest of its round trip.
    const offloaded = async (
      offload: LaneOffload,
      batch: readonly Input[],
      dlqRecords: EmitBatch['dlq'],
    ): Promise<PassDone> => {
      const loaded = await offload.loadRaw(batch.map(inputUserId));
      lap('load');
      const r = await offload.compute({
        partition: opts.partition,
        generation,
        inputs: batch,
        loaded,
        status: [...status],
        ttlMs,
        clockOffsetMs: opts.clock === Date.now ? 0 : opts.clock() - Date.now(),
        dlq: dlqRecords ?? [],
      });
      lap('evaluate', r.computeSeconds);
      await offload.send(r.topicMessages);
      lap('emit');
      const result = await offload.applyEncoded(r.apply);
      lap('apply');
      return { ...r, emitted: r.activations, conflicts: new Set(result.conflicts) };
    };
    const pass = (batch: readonly Input[], dlqRecords: EmitBatch['dlq']) =>
      opts.offload ? offloaded(opts.offload, batch, dlqRecords) : local(batch, dlqRecords);

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
    for (const { decisions, emitted, counts: passCounts, conversions: passConversions, skip } of recorded) {
      for (const d of decisions) {
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
      for (const [userId, perUser] of passCounts) {
        if (skip.has(userId)) continue;
        for (const [trigger, n] of Object.entries(perUser)) counts[trigger] = (counts[trigger] ?? 0) + n;
      }
      for (const c of passConversions) if (!skip.has(c.userId)) conversions.push(c.conversion);
    }
    for (const c of conversions) if (!c.shadow) opts.metrics.conversion(c.triggerId, c.group);
    if (Object.keys(counts).length > 0) opts.onActivationCounts?.(counts);
    if (conversions.length > 0) opts.onConversions?.(conversions);
    return { inputs: inputs.length, decisions: decisionCount, activations };
  }
}
