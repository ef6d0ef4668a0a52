import type { TopicMessages } from 'kafkajs';
import type { Logger } from 'pino';

import type { CompiledDefinitions } from '../definitions';
import type { EmitBatch } from '../emit';
import { EngineError } from '../errors';
import { inputUserId, requiredStateTtlMs } from '../evaluate';
import type { Activation, Conversion, Decision, Input, TriggerStatus } from '../evaluate';
import type { DlqRecord } from '../ingest';
import type { EngineMetrics } from '../metrics';
import type { ApplyResult, EncodedApply, LoadedRaw, StateStore, UserState } from '../state';
import { evaluateAll, writesOf } from './compute';
import type { DecisionSummary, PassRequest, PassResult } from './compute';

export interface LaneOptions {
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
  /**
   * Most inputs one pass takes when coalescing queued batches, of one lane or several (a single larger
   * batch still runs alone).
   */
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
  partition: number;
  /** Arrival order across all lanes: the lane whose first queued batch came first leads the next pass. */
  seq: number;
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
 * The lanes of the partitions this instance owns. Lane p runs all work of partition p (events of every
 * input topic, profile and consent updates, due timers) serially, one pass at a time (DESIGN.md decision
 * 1). A pass is one load, pure evaluation, one producer send, one apply, in that order (decision 4): when
 * `process` resolves, the caller may commit the batch's offsets; when it rejects, nothing may be
 * committed. Users whose write was refused (another owner wrote them: a rebalance overlap) are reloaded
 * and re-evaluated once, with a second send and apply for them alone; a second refusal rejects with a
 * retriable `state_conflict`.
 *
 * One pass may serve several lanes: the lanes that are idle and have batches queued when a pass starts
 * join it while its inputs fit in `maxInputs`. A lane is still serial (it never has two passes in flight,
 * and its batches run in arrival order); the lanes' users are disjoint, so they share the pass's load,
 * computing, send and apply. Under live traffic a fetch brings each lane a few dozen records, and a pass
 * costs the engine about 3 ms of CPU however few it carries (docs/performance.md): three lanes in one pass
 * pay that once. In a backlog each lane fills its passes alone, and the lanes' passes overlap as before.
 */
export class Lanes {
  /** Batches waiting per lane (partition), in arrival order. */
  private readonly queues = new Map<number, QueuedBatch[]>();
  /** Lanes with a pass in flight. */
  private readonly busy = new Set<number>();
  private readonly passes = new Set<Promise<void>>();
  private scheduled = false;
  private arrivals = 0;

  constructor(private readonly opts: LaneOptions) {}

  /**
   * Queues a batch of lane `partition` behind its pass in flight and resolves when it is emitted and
   * recorded. Batches handed over in one turn of the event loop (kafkajs hands over a fetch batch by
   * batch: one per input topic and partition), or while the lane's pass runs, are coalesced into one
   * pass, up to `maxInputs` inputs, in arrival order: one load, one send and one apply for them instead of
   * one each. Every batch of a pass gets that pass's outcome; if the pass fails, every batch of it rejects
   * (none of their offsets may be committed).
   */
  process(partition: number, inputs: readonly Input[], dlq: EmitBatch['dlq'] = []): Promise<BatchOutcome> {
    return new Promise<BatchOutcome>((resolve, reject) => {
      let queue = this.queues.get(partition);
      if (!queue) this.queues.set(partition, (queue = []));
      queue.push({ partition, seq: this.arrivals++, inputs, dlq, resolve, reject });
      // Passes start once the current I/O callbacks are done (setImmediate), not at the first batch: the
      // fetch's other batches then share the pass instead of the first running alone.
      if (this.scheduled) return;
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.startPasses();
      });
    });
  }

  /** Resolves once every queued batch has finished (graceful shutdown). */
  async drain(): Promise<void> {
    while (this.passes.size > 0 || this.scheduled) {
      if (this.passes.size > 0) await Promise.all(this.passes);
      else await new Promise<void>((r) => setImmediate(r));
    }
  }

  /** Starts a pass for every idle lane with queued batches, each joined by the idle lanes that fit. */
  private startPasses(): void {
    const max = this.opts.maxInputs ?? Infinity;
    for (;;) {
      const idle = [...this.queues]
        .filter(([p, q]) => q.length > 0 && !this.busy.has(p))
        .sort(([, a], [, b]) => (a[0] as QueuedBatch).seq - (b[0] as QueuedBatch).seq);
      if (idle.length === 0) return;
      const group: QueuedBatch[] = [];
      let size = 0;
      for (const [partition, queue] of idle) {
        // The lead lane takes its first batch whatever its size; every lane then adds its batches in order
        // while they fit.
        while (
          queue.length > 0 &&
          (group.length === 0 || size + (queue[0] as QueuedBatch).inputs.length <= max)
        ) {
          const next = queue.shift() as QueuedBatch;
          size += next.inputs.length;
          group.push(next);
          this.busy.add(partition);
        }
        if (size >= max) break;
      }
      const pass: Promise<void> = this.runGroup(group).finally(() => {
        for (const b of group) this.busy.delete(b.partition);
        this.passes.delete(pass);
        this.startPasses();
      });
      this.passes.add(pass);
    }
  }

  /** Runs one pass for `group` and settles each of its batches with the outcome; never rejects. */
  private async runGroup(group: readonly QueuedBatch[]): Promise<void> {
    const inputs: Input[] = [];
    const partitions: number[] = [];
    const dlq: DlqRecord[] = [];
    for (const b of group) {
      for (const input of b.inputs) {
        inputs.push(input);
        partitions.push(b.partition);
      }
      if (b.dlq) dlq.push(...b.dlq);
    }
    try {
      const outcome = await this.run(inputs, partitions, dlq);
      for (const b of group) b.resolve(outcome);
    } catch (err) {
      for (const b of group) b.reject(err);
    }
  }

  /** One pass over `inputs`; `partitions[i]` is the lane of `inputs[i]` (its timers go to that partition's index). */
  private async run(
    inputs: readonly Input[],
    partitions: readonly number[],
    dlq: EmitBatch['dlq'],
  ): Promise<BatchOutcome> {
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
    const local = async (
      batch: readonly Input[],
      batchPartitions: readonly number[],
      dlqRecords: EmitBatch['dlq'],
    ): Promise<PassDone> => {
      const userIds = [...new Set(batch.map(inputUserId))];
      const loaded = userIds.length > 0 ? await opts.store.load(userIds) : new Map<string, UserState>();
      lap('load');
      const out = evaluateAll(defs, status, batch, loaded, batchPartitions, opts.clock);
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
      batchPartitions: readonly number[],
      dlqRecords: EmitBatch['dlq'],
    ): Promise<PassDone> => {
      const loaded = await offload.loadRaw(batch.map(inputUserId));
      lap('load');
      const r = await offload.compute({
        partitions: batchPartitions,
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
    const pass = (
      batch: readonly Input[],
      batchPartitions: readonly number[],
      dlqRecords: EmitBatch['dlq'],
    ) =>
      opts.offload
        ? offloaded(opts.offload, batch, batchPartitions, dlqRecords)
        : local(batch, batchPartitions, dlqRecords);

    const first = await pass(inputs, partitions, dlq);
    const recorded = [{ ...first, skip: first.conflicts }];
    if (first.conflicts.size > 0) {
      // Another owner wrote these users (a rebalance overlap); nothing of theirs was recorded. Reload them and
      // re-evaluate their inputs once on the fresh state; an activation emitted twice keeps its activationId
      // (at-least-once, adapters deduplicate).
      const retried = inputs.flatMap((input, i) => (first.conflicts.has(inputUserId(input)) ? [i] : []));
      const again = await pass(
        retried.map((i) => inputs[i] as Input),
        retried.map((i) => partitions[i] as number),
        [],
      );
      if (again.conflicts.size > 0) {
        // Failing the batch leaves its offsets uncommitted: it is redelivered and re-evaluated.
        throw new EngineError(
          'state_conflict',
          `State of ${again.conflicts.size} user(s) changed twice under lane(s) ${[...new Set(partitions)].join(', ')}; the batch will be retried.`,
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
