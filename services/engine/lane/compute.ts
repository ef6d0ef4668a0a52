import type { TopicMessages } from 'kafkajs';

import type { CompiledDefinitions } from '../definitions';
import { buildMessages } from '../emit';
import type { EmitterOptions } from '../emit';
import { evaluate, inputUserId } from '../evaluate';
import type { DlqRecord } from '../ingest';
import type { WorkerSetup } from './workers';
import type { Activation, ActivationDraft, Conversion, Decision, Input, TriggerStatus } from '../evaluate';
import { AvroCodec, createOutputEncoder } from '../codec';
import { topicNames } from '../ingest';
import { renderSigner } from '../render';
import { decodeLoaded, encodeApply, redisKeys, USER_STATE_CODEC } from '../state';
import type {
  ApplyBatch,
  EncodedApply,
  LoadedRaw,
  RedisKeys,
  StateCodec,
  TimerWrite,
  UserState,
} from '../state';

/** What one lane pass evaluated (pure; no I/O). */
export interface Evaluated {
  /** Every user's state after the pass (loaded states included). */
  current: Map<string, UserState>;
  /** Users whose state changed. */
  dirty: Set<string>;
  decisions: Decision[];
  activations: ActivationDraft[];
  /** Timer writes, one per user and timer (the last write wins). */
  timers: Map<string, TimerWrite>;
  conversions: { userId: string; conversion: Conversion }[];
  /** Activations per trigger, per user (the breaker counts them; refused users are left out). */
  counts: Map<string, Record<string, number>>;
}

/** Evaluates each input in order against its user's evolving state (pure; no I/O). */
export function evaluateAll(
  defs: CompiledDefinitions,
  status: ReadonlyMap<string, TriggerStatus>,
  inputs: readonly Input[],
  loaded: ReadonlyMap<string, UserState>,
  partition: number,
  clock: () => number,
): Evaluated {
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
      timers.set(key, { partition, userId, timerId: input.timer.timerId, dueAt: null });
    }
    const r = evaluate(defs.index, defs.policies, current.get(userId), input, clock(), status);
    if (r.changed) {
      current.set(userId, r.state);
      dirty.add(userId);
    }
    decisions.push(...r.decisions);
    activations.push(...r.activations);
    for (const conversion of r.conversions) conversions.push({ userId, conversion });
    for (const tc of r.timers) {
      timers.set(`${userId}\u0000${tc.timerId}`, { partition, userId, timerId: tc.timerId, dueAt: tc.dueAt });
    }
    const perUser = counts.get(userId) ?? {};
    for (const [trigger, n] of Object.entries(r.activationCounts))
      perUser[trigger] = (perUser[trigger] ?? 0) + n;
    counts.set(userId, perUser);
  }
  return { current, dirty, decisions, activations, timers, conversions, counts };
}

/**
 * What an evaluated pass writes: each changed user's state against the revision it was loaded at, the
 * timer changes and the decisions for the users' logs.
 */
export function writesOf(
  out: Evaluated,
  loaded: ReadonlyMap<string, UserState>,
  ttlMs: number,
): ApplyBatch<UserState, Decision> {
  return {
    states: [...out.dirty].map((userId) => ({
      userId,
      expectedRev: loaded.get(userId)?.rev ?? 0,
      next: out.current.get(userId) as UserState,
      previous: loaded.get(userId),
      ttlMs,
    })),
    timers: [...out.timers.values()],
    decisions: out.decisions.map((decision) => ({ userId: decision.userId, decision })),
  };
}

/** What a decision's metrics need (the whole decision stays where it was encoded). */
export interface DecisionSummary {
  userId: string;
  triggerId: string;
  outcome: Decision['outcome'];
  reason: Decision['reason'];
}

/** One pass's work off the I/O thread: its request (plain data, sent to a worker thread). */
export interface PassRequest {
  partition: number;
  /** The definitions generation the pass runs with (the worker must hold the same). */
  generation: number;
  inputs: readonly Input[];
  loaded: LoadedRaw;
  status: [string, TriggerStatus][];
  /** Time to live of the states written, ms. */
  ttlMs: number;
  /**
   * The lane's clock minus the system clock when the pass was sent (0 on the system clock; a test's
   * clock moves): a worker cannot call the lane's clock, so it runs on its own plus this.
   */
  clockOffsetMs: number;
  /** The batch's bad records, sent to the DLQ in the pass's producer call. */
  dlq: readonly DlqRecord[];
}

/** ...and its result: everything the I/O thread sends, and what its metrics and callbacks count. */
export interface PassResult {
  /** Activations, decisions and DLQ records as Kafka messages, by topic (values encoded). */
  topicMessages: TopicMessages[];
  /** The activations as emitted (emittedAt stamped, tokens signed). */
  activations: Activation[];
  decisions: DecisionSummary[];
  counts: [string, Record<string, number>][];
  conversions: { userId: string; conversion: Conversion }[];
  /** The state, decision-log and timer writes, ready to send. */
  apply: EncodedApply;
  /** Time the computing took where it ran, seconds (the rest of a worker's round trip is the hand-off). */
  computeSeconds: number;
}

/** What a pass computation needs besides its request: the codecs and where the writes go. */
export interface PassEnvironment {
  codec: StateCodec<UserState>;
  keys: RedisKeys;
  cluster: boolean;
  messages: Omit<EmitterOptions, 'producer'>;
}

/** The environment a pass worker computes in, built from what it was started with and the lanes' clock. */
export function passEnvironment(setup: WorkerSetup, clock: () => number): PassEnvironment {
  return {
    codec: USER_STATE_CODEC,
    keys: redisKeys(setup.keyPrefix),
    cluster: setup.cluster,
    messages: {
      encoder: createOutputEncoder(AvroCodec.load(), setup.outputEncoding),
      topics: topicNames(setup.topicPrefix),
      clock,
      sign: renderSigner(setup.renderSecret, clock, setup.renderTokenTtlMs),
    },
  };
}

/**
 * One lane pass without its I/O: decodes the loaded states, evaluates the inputs, encodes the outputs
 * and the state writes. What a worker thread runs (lane/worker.ts); the lane then sends the messages and
 * the writes, in that order (DESIGN.md decision 4).
 */
export function computePass(env: PassEnvironment, defs: CompiledDefinitions, req: PassRequest): PassResult {
  const started = process.hrtime.bigint();
  const loaded = decodeLoaded(env.codec, req.loaded);
  const out = evaluateAll(defs, new Map(req.status), req.inputs, loaded, req.partition, env.messages.clock);
  const { topicMessages, activations } = buildMessages(env.messages, {
    activations: out.activations,
    decisions: out.decisions,
    dlq: req.dlq,
  });
  const apply = encodeApply(
    { codec: env.codec, keys: env.keys, cluster: env.cluster },
    writesOf(out, loaded, req.ttlMs),
  );
  // Each body crosses to the main thread, and a message copies a view's whole backing buffer: the body
  // is a view of one three times its size (UTF-8's worst case), so it goes over as an exact copy.
  for (const call of apply.calls) call.body = Buffer.from(call.body);
  return {
    topicMessages,
    activations,
    decisions: out.decisions.map(({ userId, triggerId, outcome, reason }) => ({
      userId,
      triggerId,
      outcome,
      reason,
    })),
    counts: [...out.counts],
    conversions: out.conversions,
    apply,
    computeSeconds: Number(process.hrtime.bigint() - started) / 1e9,
  };
}
