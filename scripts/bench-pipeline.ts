// The engine's CPU cost per event, stage by stage, in one process without I/O: decode and validate the
// records the load generator produces, evaluate them with the benchmark's trigger set against evolving
// per-user state, serialise what a lane batch writes to Redis (state documents, decision logs) and
// encode what it sends to Kafka (activations, decisions). Prints µs per event per stage, outputs per
// event and bytes per event. `npx tsx scripts/bench-pipeline.ts [--events 200000] [--users 100000]`.
// --redis: load and record go through the engine's Redis store against the real Redis (REDIS_URL, keys
// under a run prefix, deleted at the end), and those two stages count this process's CPU time (ioredis
// included, Redis's own time not) instead of wall time.
import { rmSync } from 'node:fs';

import Redis from 'ioredis';

import { AvroCodec, createOutputEncoder } from '../services/engine/codec';
import { compileDefinitions, readDefinitionFolder } from '../services/engine/definitions';
import type { CompiledDefinitions } from '../services/engine/definitions';
import { evaluate, finishActivation, inputUserId } from '../services/engine/evaluate';
import type { ActivationDraft, Decision, Input } from '../services/engine/evaluate';
import { createIngestRecord, topicNames } from '../services/engine/ingest';
import { JSON_STATE_CODEC, RedisStateStore, USER_STATE_CODEC } from '../services/engine/state';
import type { SectionField, StateCodec, UserState } from '../services/engine/state';
import { createTraffic } from '../services/loadgen';
import { createEncoder } from '../services/loadgen/producer';
import { benchTriggerSet, writeBenchTriggers } from './bench-triggers';
import { deleteKeysByPrefix } from './redis-cleanup';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const EVENTS = arg('--events', 200_000);
const USERS = arg('--users', 100_000);
const BATCH = 500;
// --json-state: plain JSON documents instead of the engine's codec (to compare).
const CODEC: StateCodec<UserState> = process.argv.includes('--json-state')
  ? (JSON_STATE_CODEC as StateCodec<UserState>)
  : USER_STATE_CODEC;

async function main(): Promise<void> {
  const set = benchTriggerSet();
  const { dir, triggers } = writeBenchTriggers(set);
  const defs = compileDefinitions(await readDefinitionFolder(dir));
  rmSync(dir, { recursive: true, force: true });
  if (!defs.ok) throw new Error(JSON.stringify(defs.errors));
  const codec = AvroCodec.load();
  const topics = topicNames('');
  const ingest = createIngestRecord({ codec, topics });
  const output = createOutputEncoder(codec, 'avro');
  const traffic = createTraffic({ users: USERS, seed: 1, malformedShare: 0.001 });
  const encode = createEncoder('', 0.5);

  // Records as the consumer gets them, one batch of BATCH at a time, 20 ms of event time apart.
  const start = Date.UTC(2026, 11, 1, 12);
  const batches: { at: number; records: { topic: string; key: Buffer; value: Buffer }[] }[] = [];
  for (let n = 0, at = start; n < EVENTS; n += BATCH, at += 20) {
    const records = traffic.next(Math.min(BATCH, EVENTS - n), at);
    batches.push({
      at,
      records: encode(records).flatMap(({ topic, messages }) =>
        messages.map((m) => ({ topic, key: Buffer.from(String(m.key)), value: m.value as Buffer })),
      ),
    });
  }

  // What Redis would hold per user: the document, the section fields and the history list (joined by newlines, which JSON
  // text never holds: thousands of small live strings would cost this process's collector what they
  // cost Redis, not the engine, which gets them fresh from each reply).
  const stored = new Map<string, StoredUser>();
  const redis = process.argv.includes('--redis')
    ? new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379')
    : null;
  const prefix = `bench-pipeline:${Date.now().toString(36)}:`;
  const store = redis
    ? new RedisStateStore<UserState, Decision>({
        client: redis,
        keyPrefix: prefix,
        decisionsKept: 50,
        codec: CODEC,
      })
    : null;
  const cpuNs = () => {
    const c = process.cpuUsage();
    return BigInt(c.user + c.system) * 1000n;
  };
  const ns = { decode: 0n, load: 0n, evaluate: 0n, record: 0n, encode: 0n };
  const out = { inputs: 0, decisions: 0, activations: 0, stateBytes: 0, decisionBytes: 0, kafkaBytes: 0 };
  const lap = (stage: keyof typeof ns, since: bigint) => {
    const now = process.hrtime.bigint();
    ns[stage] += now - since;
    return now;
  };
  let offset = 0;
  for (const { at, records } of batches) {
    let t = process.hrtime.bigint();
    const inputs: Input[] = [];
    for (const r of records) {
      const result = ingest({
        topic: r.topic,
        partition: 0,
        offset: String(offset++),
        key: r.key,
        value: r.value,
      });
      if (result.ok) inputs.push(result.input);
    }
    t = lap('decode', t);
    const ids = [...new Set(inputs.map(inputUserId))];
    let loaded: Map<string, UserState>;
    if (store) {
      const c0 = cpuNs();
      loaded = await store.load(ids);
      ns.load += cpuNs() - c0;
      t = process.hrtime.bigint();
    } else {
      loaded = new Map();
      for (const id of ids) {
        const s = stored.get(id);
        if (s !== undefined) loaded.set(id, CODEC.decode(s.doc, s.sections, loadedHistory(s)));
      }
      t = lap('load', t);
    }
    const now = at + 5;
    const { current, dirty, decisions, drafts } = evaluateBatch(defs, inputs, loaded, now);
    t = lap('evaluate', t);
    out.inputs += inputs.length;
    out.decisions += decisions.length;
    out.activations += drafts.length;
    if (store) {
      const c1 = cpuNs();
      await store.apply({
        states: [...dirty].map((id) => ({
          userId: id,
          expectedRev: loaded.get(id)?.rev ?? 0,
          next: current.get(id) as UserState,
          previous: loaded.get(id),
          ttlMs: 3_600_000,
        })),
        timers: [],
        decisions: decisions.map((d) => ({ userId: d.userId, decision: d })),
      });
      ns.record += cpuNs() - c1;
      continue;
    }
    for (const id of dirty) {
      const { doc, sections, history } = CODEC.encode(current.get(id) as UserState, loaded.get(id));
      for (const text of Object.values(sections ?? {})) out.stateBytes += text.length;
      const before = stored.get(id)?.history ?? '';
      const list = before === '' ? [] : before.split('\n');
      if (history?.drop === 'all') list.length = 0;
      else if (history) list.splice(0, history.drop);
      for (const entry of history?.push ?? []) {
        list.push(entry);
        out.stateBytes += entry.length;
      }
      stored.set(id, {
        doc,
        sections: { ...stored.get(id)?.sections, ...sections },
        history: list.join('\n'),
      });
      out.stateBytes += doc.length;
    }
    for (const d of decisions) out.decisionBytes += JSON.stringify(d).length;
    t = lap('record', t);
    for (const d of drafts)
      out.kafkaBytes += output.activation(finishActivation(d, now, () => 'token')).length;
    for (const d of decisions) out.kafkaBytes += output.decision(d).length;
    lap('encode', t);
  }

  const per = (x: number | bigint) => Number(x) / out.inputs;
  const us = Object.fromEntries(Object.entries(ns).map(([k, v]) => [k, Number((per(v) / 1000).toFixed(2))]));
  const total = Object.values(us).reduce((a, b) => a + b, 0);
  process.stdout.write(
    `pipeline: ${out.inputs} inputs, ${USERS} users, ${triggers} triggers (set ${set})\n` +
      `pipeline: µs per input ${JSON.stringify(us)} total=${total.toFixed(2)}\n` +
      `pipeline: per input decisions=${per(out.decisions).toFixed(2)} activations=${per(out.activations).toFixed(3)} ` +
      `redis_bytes=${Math.round(per(out.stateBytes + out.decisionBytes))} (state ${Math.round(per(out.stateBytes))}) ` +
      `kafka_bytes=${Math.round(per(out.kafkaBytes))}\n`,
  );
  if (process.argv.includes('--sizes')) process.stdout.write(storedSizes(stored.values()));
  if (redis) {
    await deleteKeysByPrefix(redis, prefix);
    redis.disconnect();
  }
}

/** Evaluates a batch's inputs in order against their users' evolving states, as a lane does. */
function evaluateBatch(
  defs: CompiledDefinitions,
  inputs: readonly Input[],
  loaded: ReadonlyMap<string, UserState>,
  now: number,
) {
  const current = new Map(loaded);
  const decisions: Decision[] = [];
  const drafts: ActivationDraft[] = [];
  const dirty = new Set<string>();
  for (const input of inputs) {
    const id = inputUserId(input);
    const r = evaluate(defs.index, defs.policies, current.get(id), input, now);
    if (r.changed) {
      current.set(id, r.state);
      dirty.add(id);
    }
    decisions.push(...r.decisions);
    drafts.push(...r.activations);
  }
  return { current, dirty, decisions, drafts };
}

/**
 * --sizes: median and 90th percentile bytes of each part of the stored states (and of the document's
 * fields), then the µs per stored state that parsing each part and decoding the whole take.
 */
function storedSizes(states: Iterable<StoredUser>): string {
  const all = [...states];
  const parts = new Map<string, number[]>();
  const add = (name: string, n: number) => {
    const list = parts.get(name) ?? [];
    list.push(n);
    parts.set(name, list);
  };
  for (const s of all) {
    add('doc', s.doc.length);
    add('p', s.sections.p?.length ?? 0);
    add('t', s.sections.t?.length ?? 0);
    add('history', s.history.length);
    for (const [k, v] of Object.entries(JSON.parse(s.doc) as Record<string, unknown>))
      add(`doc.${k}`, JSON.stringify(v).length);
  }
  const q = (xs: number[], f: number) => xs.sort((a, b) => a - b)[Math.floor(f * (xs.length - 1))] ?? 0;
  const lines = [...parts].map(([name, xs]) => `pipeline: bytes ${name} p50=${q(xs, 0.5)} p90=${q(xs, 0.9)}`);
  const timings: [string, (s: StoredUser) => unknown][] = [
    ['parse doc', (s) => JSON.parse(s.doc)],
    ['parse p', (s) => s.sections.p && JSON.parse(s.sections.p)],
    ['parse t', (s) => s.sections.t && JSON.parse(s.sections.t)],
    ['parse history', (s) => JSON.parse(`[${loadedHistory(s)}]`)],
    ['decode', (s) => CODEC.decode(s.doc, s.sections, loadedHistory(s))],
  ];
  // The second round is reported: the first warms up.
  const us: string[] = [];
  for (let round = 0; round < 2; round++) {
    us.length = 0;
    for (const [name, f] of timings) {
      const t0 = process.hrtime.bigint();
      for (const s of all) f(s);
      us.push(`${name}=${(Number(process.hrtime.bigint() - t0) / 1000 / all.length).toFixed(1)}`);
    }
  }
  lines.push(`pipeline: µs per stored state ${us.join(' ')}`);
  return lines.map((l) => `${l}\n`).join('');
}

/** A user's history as the engine's load script returns it: the entries joined by commas. */
function loadedHistory(s: StoredUser): string {
  return s.history.replaceAll('\n', ',');
}

type StoredUser = { doc: string; sections: Partial<Record<SectionField, string>>; history: string };

main().catch((err: unknown) => {
  process.stderr.write(`bench-pipeline failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
