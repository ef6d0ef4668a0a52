import pino from 'pino';
import { Registry } from 'prom-client';

import type { CompiledDefinitions } from '../../../../services/engine/definitions';
import type { EmitBatch } from '../../../../services/engine/emit';
import { EngineError } from '../../../../services/engine/errors';
import { requiredStateTtlMs } from '../../../../services/engine/evaluate';
import type { Activation, Decision, Input } from '../../../../services/engine/evaluate';
import { Lane } from '../../../../services/engine/lane';
import { createMetrics } from '../../../../services/engine/metrics';
import { emptyUserState, MemoryStateStore } from '../../../../services/engine/state';
import type { ApplyResult, StateStore, StateWrite, UserState } from '../../../../services/engine/state';
import { definitions, pageView as pageViewAt } from './pass-fixtures';

const NOW = Date.UTC(2026, 0, 5, 12);
const pageView = (userId: string, n: number): Input => pageViewAt(userId, n, NOW - 1_000);
/** Lets an idle lane start the pass of what it was handed (it waits for the turn's I/O callbacks). */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The memory store behind a recorder of every call, so the test sees the order of load, emit, apply. */
function setup(opts: { refuse?: string[]; refusals?: number; maxInputs?: number } = {}) {
  const calls: string[] = [];
  const memory = new MemoryStateStore<UserState, Decision>();
  const loads: string[][] = [];
  // The first `refusals` applies refuse the state writes of the users in `refuse`, as another owner would.
  let refusals = opts.refusals ?? 0;
  const refuse = new Set(opts.refuse ?? []);
  const store: StateStore<UserState, Decision> = {
    load: (ids) => {
      calls.push('load');
      loads.push([...ids]);
      return memory.load(ids);
    },
    apply: async (batch): Promise<ApplyResult> => {
      calls.push('apply');
      if (refusals === 0) return memory.apply(batch);
      refusals -= 1;
      const conflicts = batch.states.filter((w) => refuse.has(w.userId)).map((w) => w.userId);
      const keep = <T extends { userId: string }>(xs: readonly T[]) =>
        xs.filter((x) => !refuse.has(x.userId));
      await memory.apply({
        states: keep(batch.states),
        timers: keep(batch.timers),
        decisions: keep(batch.decisions),
      });
      return { conflicts };
    },
    dueTimers: (p, upTo, limit) => memory.dueTimers(p, upTo, limit),
    recentDecisions: (id, limit) => memory.recentDecisions(id, limit),
  };
  const emitted: EmitBatch[] = [];
  let defs: CompiledDefinitions | null = definitions();
  const lane = new Lane({
    partition: 3,
    store,
    definitions: () => defs,
    triggerStatus: () => new Map(),
    emit: (batch) => {
      calls.push('emit');
      emitted.push(batch);
      return Promise.resolve(batch.activations.map((a) => ({ ...a, emittedAt: NOW }) as Activation));
    },
    clock: () => NOW,
    stateTtlMs: 86_400_000,
    metrics: createMetrics(new Registry(), { defaultMetrics: false }),
    logger: pino({ level: 'silent' }),
    maxInputs: opts.maxInputs,
  });
  return { lane, calls, loads, emitted, memory, setDefs: (d: CompiledDefinitions | null) => (defs = d) };
}

describe('Lane', () => {
  it('loads once for the deduplicated users, emits once, then applies once, in that order', async () => {
    const { lane, calls, loads, emitted, memory } = setup();
    const outcome = await lane.process([pageView('u1', 1), pageView('u2', 1), pageView('u1', 2)]);
    expect(calls).toEqual(['load', 'emit', 'apply']);
    expect(loads).toEqual([['u1', 'u2']]);
    expect(emitted).toHaveLength(1);
    expect(emitted[0]?.decisions.length).toBeGreaterThan(0);
    expect(outcome.inputs).toBe(3);
    expect(outcome.decisions).toBe(emitted[0]?.decisions.length);
    // What was emitted is what was recorded: the decisions land in the users' logs after apply.
    const u1 = await memory.recentDecisions('u1', 10);
    expect(u1).toEqual(emitted[0]?.decisions.filter((d) => d.userId === 'u1').reverse());
    const state = await memory.load(['u1', 'u2']);
    expect(state.get('u1')?.rev).toBe(1);
    expect(state.get('u2')?.rev).toBe(1);
  });

  it('evaluates a user with the state the previous batch recorded', async () => {
    const { lane, memory } = setup();
    await lane.process([pageView('u1', 1)]);
    await lane.process([pageView('u1', 2)]);
    expect((await memory.load(['u1'])).get('u1')?.rev).toBe(2);
  });

  it('runs passes one after another: a batch handed over during a pass waits for it', async () => {
    const { lane, calls } = setup();
    const first = lane.process([pageView('u1', 1)]);
    await nextTurn();
    await Promise.all([first, lane.process([pageView('u1', 2)])]);
    expect(calls).toEqual(['load', 'emit', 'apply', 'load', 'emit', 'apply']);
  });

  it('gives the batches handed over in one turn one pass (kafkajs hands over a fetch batch by batch)', async () => {
    const { lane, calls, loads } = setup();
    const outcomes = await Promise.all([
      lane.process([pageView('u1', 1)]),
      lane.process([pageView('u2', 1), pageView('u1', 2)]),
    ]);
    expect(calls).toEqual(['load', 'emit', 'apply']);
    expect(loads).toEqual([['u1', 'u2']]);
    expect(outcomes.map((o) => o.inputs)).toEqual([3, 3]);
  });

  it('coalesces the batches queued while a pass runs into one pass, in arrival order', async () => {
    const { lane, calls, loads, memory } = setup();
    const first = lane.process([pageView('u1', 1)]);
    await nextTurn();
    const queued = [
      lane.process([pageView('u2', 1)]),
      lane.process([pageView('u1', 2), pageView('u3', 1)]),
      lane.process([pageView('u2', 2)]),
    ];
    const outcomes = await Promise.all([first, ...queued]);
    expect(calls).toEqual(['load', 'emit', 'apply', 'load', 'emit', 'apply']);
    expect(loads).toEqual([['u1'], ['u2', 'u1', 'u3']]);
    expect(outcomes[0]?.inputs).toBe(1);
    // Every batch of the coalesced pass gets that pass's outcome.
    expect(outcomes.slice(1).map((o) => o.inputs)).toEqual([4, 4, 4]);
    // One write per user per pass; u2's two events landed in one write, in order.
    const state = await memory.load(['u1', 'u2', 'u3']);
    expect([...state.values()].map((x) => x.rev)).toEqual([2, 1, 1]);
    expect(state.get('u2')?.seen).toEqual(['u2-1', 'u2-2']);
  });

  it('coalesces no more than maxInputs inputs into one pass', async () => {
    const { lane, loads } = setup({ maxInputs: 2 });
    await Promise.all([
      lane.process([pageView('a', 1)]),
      lane.process([pageView('b', 1)]),
      lane.process([pageView('c', 1)]),
      lane.process([pageView('d', 1), pageView('e', 1), pageView('f', 1)]),
      lane.process([pageView('g', 1)]),
    ]);
    // A batch larger than maxInputs still runs, alone.
    expect(loads).toEqual([['a', 'b'], ['c'], ['d', 'e', 'f'], ['g']]);
  });

  it('rejects every batch of a failed coalesced pass, and runs the ones queued after it', async () => {
    const { lane, memory } = setup({ refuse: ['u1'], refusals: 3 });
    const first = lane.process([pageView('u9', 1)]);
    await nextTurn();
    const failing = [lane.process([pageView('u1', 1)]), lane.process([pageView('u2', 1)])];
    const results = await Promise.allSettled([first, ...failing]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
    // The first pass used one refusal; the coalesced pass failed on its two: u1 is not recorded.
    expect([...(await memory.load(['u1', 'u2', 'u9'])).keys()].sort()).toEqual(['u2', 'u9']);
    await lane.process([pageView('u1', 1)]);
    await lane.drain();
    expect((await memory.load(['u1'])).get('u1')?.rev).toBe(1);
  });

  it('on a conflict reloads and re-evaluates only that user once, emitting before recording again', async () => {
    const { lane, calls, loads, emitted, memory } = setup({ refuse: ['u1'], refusals: 1 });
    const outcome = await lane.process([pageView('u1', 1), pageView('u2', 1)]);
    expect(calls).toEqual(['load', 'emit', 'apply', 'load', 'emit', 'apply']);
    expect(loads).toEqual([['u1', 'u2'], ['u1']]);
    expect(emitted[1]?.decisions.every((d) => d.userId === 'u1')).toBe(true);
    expect(emitted[1]?.decisions.length).toBeGreaterThan(0);
    // Counted once per recorded decision: u2's of the first pass and u1's of the retry.
    expect(outcome.decisions).toBe(
      (emitted[0]?.decisions.filter((d) => d.userId === 'u2').length ?? 0) +
        (emitted[1]?.decisions.length ?? 0),
    );
    const state = await memory.load(['u1', 'u2']);
    expect(state.get('u1')?.rev).toBe(1);
    expect(state.get('u2')?.rev).toBe(1);
  });

  it('rejects with a retriable error when the retry conflicts too, so the caller commits nothing', async () => {
    const { lane, memory } = setup({ refuse: ['u1'], refusals: 2 });
    const err: unknown = await lane.process([pageView('u1', 1)]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).retriable).toBe(true);
    expect(await memory.load(['u1'])).toEqual(new Map());
    // The lane keeps working: the redelivered batch goes through on fresh state.
    await lane.process([pageView('u1', 1)]);
    expect((await memory.load(['u1'])).get('u1')?.rev).toBe(1);
  });

  it('refuses to run without definitions (retriable) and touches no state', async () => {
    const { lane, calls, setDefs } = setup();
    setDefs(null);
    await expect(lane.process([pageView('u1', 1)])).rejects.toMatchObject({ retriable: true });
    expect(calls).toEqual([]);
  });
});

/**
 * The real memory store (its own revision compare-and-set) behind a wrapper that can let another owner
 * write a user between the lane's load and its apply, and that keeps what the lane asked to write.
 */
function casSetup(opts: { stateTtlMs?: number; rivalWrites?: string[]; rivalRounds?: number } = {}) {
  const memory = new MemoryStateStore<UserState, Decision>();
  const writes: StateWrite<UserState>[][] = [];
  let rounds = opts.rivalRounds ?? 1;
  const store: StateStore<UserState, Decision> = {
    load: async (ids) => {
      const loaded = await memory.load(ids);
      // Another lane owner (a rebalance overlap) records these users right after each of our first
      // `rivalRounds` loads (default 1).
      const rivals = opts.rivalWrites ?? [];
      rounds -= 1;
      if (rounds <= 0) opts.rivalWrites = [];
      for (const userId of rivals) {
        await memory.apply({
          states: [{ userId, expectedRev: loaded.get(userId)?.rev ?? 0, next: emptyUserState(), ttlMs: 1e9 }],
          timers: [],
          decisions: [],
        });
      }
      return loaded;
    },
    apply: (batch) => {
      writes.push([...batch.states]);
      return memory.apply(batch);
    },
    dueTimers: (p, upTo, limit) => memory.dueTimers(p, upTo, limit),
    recentDecisions: (id, limit) => memory.recentDecisions(id, limit),
  };
  const defs = definitions();
  const lane = new Lane({
    partition: 3,
    store,
    definitions: () => defs,
    triggerStatus: () => new Map(),
    emit: (batch) => Promise.resolve(batch.activations.map((a) => ({ ...a, emittedAt: NOW }) as Activation)),
    clock: () => NOW,
    stateTtlMs: opts.stateTtlMs ?? 86_400_000,
    metrics: createMetrics(new Registry(), { defaultMetrics: false }),
    logger: pino({ level: 'silent' }),
  });
  return { lane, memory, writes, defs };
}

describe('Lane on the real compare-and-set', () => {
  it('rejects retriably when another owner wrote the user before both attempts, and records nothing', async () => {
    const { lane, memory } = casSetup({ rivalWrites: ['u1'], rivalRounds: 2 });
    const err: unknown = await lane.process([pageView('u1', 1)]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect(err).toMatchObject({ code: 'state_conflict', retriable: true });
    // Only the rival's writes are there: revision 2, empty history, and no decision of ours in the log.
    const u1 = (await memory.load(['u1'])).get('u1');
    expect(u1?.rev).toBe(2);
    expect(u1?.history).toEqual([]);
    expect(await memory.recentDecisions('u1', 10)).toEqual([]);
  });

  it("re-evaluates a conflicted user once on the rival's state; each event is recorded once", async () => {
    const { lane, memory, writes } = casSetup({ rivalWrites: ['u1'] });
    await lane.process([pageView('u1', 1), pageView('u2', 1)]);
    // First attempt writes both (u1 refused), the retry writes u1 alone on top of the rival's revision.
    expect(writes.map((ws) => ws.map((w) => [w.userId, w.expectedRev]))).toEqual([
      [
        ['u1', 0],
        ['u2', 0],
      ],
      [['u1', 1]],
    ]);
    const after = await memory.load(['u1', 'u2']);
    expect(after.get('u1')?.rev).toBe(2);
    expect(after.get('u1')?.history.map((e) => e.eventId)).toEqual(['u1-1']);
    expect(after.get('u2')?.history.map((e) => e.eventId)).toEqual(['u2-1']);
    expect((await memory.recentDecisions('u1', 10)).length).toBeGreaterThan(0);
  });

  it('takes the timer that fired out of the due index when the evaluation does not re-arm it', async () => {
    const { lane, memory } = casSetup();
    await memory.apply({
      states: [],
      timers: [
        { partition: 3, userId: 'u1', timerId: 'stale', dueAt: NOW - 10 },
        { partition: 3, userId: 'u2', timerId: 'other', dueAt: NOW - 5 },
      ],
      decisions: [],
    });
    await lane.process([{ kind: 'timer', timer: { userId: 'u1', timerId: 'stale', dueAt: NOW - 10 } }]);
    expect((await memory.dueTimers(3, NOW, 10)).due).toEqual([
      { userId: 'u2', timerId: 'other', dueAt: NOW - 5 },
    ]);
  });

  it('writes state with a time to live of at least what the definitions need', async () => {
    const short = casSetup({ stateTtlMs: 1 });
    await short.lane.process([pageView('u1', 1)]);
    const needed = requiredStateTtlMs(short.defs.index, short.defs.policies);
    expect(needed).toBeGreaterThan(1);
    expect(short.writes.flat().map((w) => w.ttlMs)).toEqual([needed]);

    const long = casSetup({ stateTtlMs: needed + 12_345 });
    await long.lane.process([pageView('u1', 1)]);
    expect(long.writes.flat().map((w) => w.ttlMs)).toEqual([needed + 12_345]);
  });
});
