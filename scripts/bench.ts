// `make bench`: measures, in one run on this machine, (1) the passthrough ceiling: a kafkajs consumer that
// decodes each event and produces one record per event with the same batching, no evaluation, no Redis;
// (2) the engine's sustained throughput over the same backlog with a realistic trigger set (36 triggers:
// the examples, four variants each), on users whose state a warm-up already grew; (3) signal-to-activation
// latency at half that rate; (4) Redis round trips per 1000 events and the engine's peak RSS. Prints one
// `bench:` line and writes BENCH_OUT (JSON).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Redis from 'ioredis';
import { Kafka, logLevel, Partitioners } from 'kafkajs';

import { AvroCodec } from '../services/engine/codec';
import { chunkBySize, MAX_SEND_BYTES } from '../services/engine/emit';
import { createIngestRecord, topicNames } from '../services/engine/ingest';
import { createTraffic } from '../services/loadgen';
import { createEncoder } from '../services/loadgen/producer';
import { benchTriggerSet, writeBenchTriggers } from './bench-triggers';
import { cpuSplit, machineIdleSeconds, peakRssBytes, redisServerPid } from './cpu-usage';
import { parseMetrics, sumBy } from './metrics-text';
import { deleteKeysByPrefix } from './redis-cleanup';
import { startTestBroker } from '../test/support/broker';
import { freePort, reniceAllThreads, spawnEngine, spawnTs, waitForHttp, waitForOutput } from './processes';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const USERS = Number(process.env.BENCH_USERS ?? 100_000);
// Long enough that the drain takes seconds at ~50,000 events/s: a one-second drain timed by 100 ms scrapes
// overstated the rate by up to half, and phase 3 then ran far above half load.
const BACKLOG = Number(process.env.BENCH_EVENTS ?? Math.max(100_000, SECONDS * 5_000));
// Warm-up records per user, produced before the backlog and consumed by the engine ahead of it, untimed.
// Drained on users with 2-3 events each, the backlog measured a cold-state burst: phase 3 at half that
// rate fell behind as the same users' state documents grew. 0: no warm-up (the cold drain, as before).
// 8 per user onboards all but about 2% of the users (a user's first five records are a profile and four
// consent grants), so backlog and phase 3 are both mostly behaviour: 94% events in the next 300,000.
const WARM_PER_USER = Number(process.env.BENCH_WARM_PER_USER ?? 8);
const OUT = process.env.BENCH_OUT ?? 'bench-results.json';
/** BENCH_TRIGGERS: `mixed` (default) or `copies` (see bench-triggers.ts); checked before anything starts. */
const TRIGGER_SET = benchTriggerSet();
/** Niceness of the load generator and the driver during the latency phase (see phase 3). */
const HARNESS_NICE = 10;
const PARTITIONS = Number(process.env.BENCH_PARTITIONS ?? 3);
/**
 * BENCH_ENGINES: engine instances in one consumer group (default 1). Several split the partitions between
 * them, each its own process: what a second instance on the same two cores buys, the upper bound of
 * spreading one engine's work over more threads.
 */
const ENGINES = Number(process.env.BENCH_ENGINES ?? 1);
if (!Number.isInteger(ENGINES) || ENGINES < 1 || ENGINES > PARTITIONS)
  throw new Error(
    `BENCH_ENGINES must be a whole number from 1 to BENCH_PARTITIONS (${PARTITIONS}), not ${process.env.BENCH_ENGINES}.`,
  );
const log = (text: string) => process.stderr.write(`bench: ${text}\n`);

/**
 * Sends the next `n` records (a few more: `next` ends on a user's whole step) of `traffic`; returns how
 * many it sent.
 */
async function produceBacklog(
  kafka: Kafka,
  prefix: string,
  traffic: ReturnType<typeof createTraffic>,
  n: number,
): Promise<number> {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const encode = createEncoder(prefix, 0.5);
  const now = Date.now();
  let sent = 0;
  while (sent < n) {
    const records = traffic.next(Math.min(2000, n - sent), now);
    await producer.sendBatch({ topicMessages: encode(records), acks: 1 });
    sent += records.length;
  }
  await producer.disconnect();
  return sent;
}

async function endOffsets(kafka: Kafka, topics: readonly string[]): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  let total = 0;
  for (const t of topics) for (const o of await admin.fetchTopicOffsets(t)) total += Number(o.high);
  await admin.disconnect();
  return total;
}

/**
 * Passthrough ceiling: decode + validate each record, produce one record per input, same batching.
 * Consumes all `total` input records (warm-up and backlog) and is timed over the backlog part only, as the
 * engine is: from the batch that takes its count past `warm` to the last record. With no warm-up, from
 * the consumer's start (as before the warm-up existed).
 */
async function passthrough(kafka: Kafka, prefix: string, warm: number, total: number): Promise<number> {
  const names = topicNames(prefix);
  const ingest = createIngestRecord({ codec: AvroCodec.load(), topics: names });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const consumer = kafka.consumer({ groupId: `${prefix}passthrough`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topics: [...names.inputs], fromBeginning: true });
  let done = 0;
  let from = 0; // records consumed when the timing started
  let started = warm === 0 ? Date.now() : 0;
  await new Promise<void>((resolve) => {
    void consumer.run({
      partitionsConsumedConcurrently: PARTITIONS * names.inputs.length,
      eachBatch: async ({ batch }) => {
        // Same batching as the engine: at most 500 records per send, split by size like its emitter.
        for (let from = 0; from < batch.messages.length; from += 500) {
          const messages = batch.messages.slice(from, from + 500).map((m) => {
            const r = ingest({
              topic: batch.topic,
              partition: batch.partition,
              offset: m.offset,
              key: m.key,
              value: m.value,
            });
            return { key: m.key, value: r.ok ? Buffer.from(JSON.stringify(r.input)) : m.value };
          });
          for (const chunk of chunkBySize(
            [{ topic: `${prefix}passthrough.out`, messages }],
            MAX_SEND_BYTES,
          )) {
            await producer.sendBatch({ topicMessages: chunk, acks: -1 });
          }
        }
        done += batch.messages.length;
        if (started === 0 && done > warm) {
          started = Date.now();
          from = done;
        }
        if (done >= total) resolve();
      },
    });
  });
  const seconds = (Date.now() - started) / 1000;
  await consumer.disconnect();
  await producer.disconnect();
  // `from` = `total` only if the crossing batch was also the last one; then there is nothing to time.
  return (total - from) / Math.max(0.001, seconds);
}

/**
 * Every engine instance's metrics as one list: sums over it are the deployment's. `names`: only those
 * metrics (the engine's `?name=`), which costs the engine next to nothing; all of them take its thread
 * for milliseconds, and the drain polls ten times a second.
 */
async function scrape(ports: readonly number[], names: readonly string[] = []) {
  const query = names.length === 0 ? '' : `?${names.map((n) => `name=${n}`).join('&')}`;
  const texts = await Promise.all(
    ports.map(async (port) => {
      const res = await fetch(`http://127.0.0.1:${port}/metrics${query}`);
      if (!res.ok) throw new Error(`GET /metrics${query} answered ${res.status}: ${await res.text()}`);
      return res.text();
    }),
  );
  return texts.flatMap(parseMetrics);
}

type Scrape = ReturnType<typeof parseMetrics>;

/** Machine idle seconds since a reading of machineIdleSeconds (null without /proc/stat). */
function idleSince(before: number | null): number | null {
  const now = machineIdleSeconds();
  return before === null || now === null ? null : Number((now - before).toFixed(2));
}

/** How much each series of `name` (summed by label `by`; by null: one total under '') grew between two scrapes. */
function growth(before: Scrape, after: Scrape, name: string, by: string | null): Map<string, number> {
  const b = sumBy(before, name, by);
  return new Map([...sumBy(after, name, by)].map(([k, v]) => [k, v - (b.get(k) ?? 0)]));
}

/**
 * Where phase 3's time went, from two scrapes of the engine: batches and mean ms per lane batch in each
 * stage (trigger_engine_seconds), and the mean ingest lag (broker append time - occurredAt: the time the
 * load generator's records spent before reaching the broker).
 */
function stageBreakdown(before: Scrape, after: Scrape) {
  const sums = growth(before, after, 'trigger_engine_seconds_sum', 'stage');
  const counts = growth(before, after, 'trigger_engine_seconds_count', 'stage');
  const out: Record<string, number> = {};
  for (const [stage, sum] of sums) {
    const n = counts.get(stage) ?? 0;
    if (n > 0) out[stage] = Number(((sum / n) * 1000).toFixed(2));
  }
  out.batches = counts.get('apply') ?? 0;
  const lagSum = growth(before, after, 'trigger_ingest_lag_seconds_sum', null).get('') ?? 0;
  const lagCount = growth(before, after, 'trigger_ingest_lag_seconds_count', null).get('') ?? 0;
  out.ingest_lag = lagCount > 0 ? Number(((lagSum / lagCount) * 1000).toFixed(2)) : 0;
  return out;
}

/**
 * What the engine did per consumed event between two scrapes: its CPU time (process_cpu_seconds_total,
 * all threads), decisions and activations, and the mean events per lane batch. Tells a drain and phase 3
 * apart when their rates disagree.
 */
function workload(before: Scrape, after: Scrape) {
  const total = (name: string) => growth(before, after, name, null).get('') ?? 0;
  const events = total('trigger_events_consumed_total');
  const batches = growth(before, after, 'trigger_engine_seconds_count', 'stage').get('apply') ?? 0;
  const per = (x: number, digits: number) => Number((x / Math.max(1, events)).toFixed(digits));
  return {
    events,
    cpu_us_per_event: per(total('process_cpu_seconds_total') * 1e6, 1),
    decisions_per_event: per(total('trigger_decisions_total'), 3),
    activations_per_event: per(total('trigger_activations_total'), 3),
    events_per_batch: Math.round(events / Math.max(1, batches)),
  };
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-broker-'));
  const broker = await startTestBroker({ dataDir, args: ['--partitions', String(PARTITIONS)] });
  const run = Date.now().toString(36);
  const prefix = `bench${run}.`;
  const names = topicNames(prefix);
  const kafka = new Kafka({ clientId: 'bench', brokers: [broker.address], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [
      ...names.inputs,
      ...Object.values(names.activations),
      names.decisions,
      names.dlq,
      `${prefix}passthrough.out`,
    ].map((topic) => ({ topic, numPartitions: PARTITIONS })),
  });
  await admin.disconnect();

  // One stream of traffic (seed 1) in order: the warm-up, the backlog, then phase 3's load generator,
  // which continues it (--skip). A generator that starts anew sends each user it picks a profile and four
  // consent grants first; when each part had its own seed, the backlog was nearly all such records and
  // phase 3 began with them, so the drain timed cheaper records than phase 3 then sent at "half" its rate.
  // The warm-up goes in first, so it sits ahead of the backlog in every partition.
  const traffic = createTraffic({ users: USERS, seed: 1 });
  let produced = 0;
  if (WARM_PER_USER > 0) {
    log(`producing a warm-up of ${WARM_PER_USER * USERS} records (${WARM_PER_USER} per user)`);
    produced += await produceBacklog(kafka, prefix, traffic, WARM_PER_USER * USERS);
  }
  const warm = WARM_PER_USER > 0 ? await endOffsets(kafka, names.inputs) : 0;
  log(`producing a backlog of ${BACKLOG} records over ${USERS} users`);
  produced += await produceBacklog(kafka, prefix, traffic, BACKLOG);
  const total = await endOffsets(kafka, names.inputs);

  log('phase 1: passthrough ceiling');
  const passthroughEps = await passthrough(kafka, prefix, warm, total);
  log(`passthrough ${passthroughEps.toFixed(0)} records/s`);

  const { dir: triggersDir, triggers } = writeBenchTriggers(TRIGGER_SET);
  log(
    `phase 2: engine over the same ${warm > 0 ? 'warm-up and ' : ''}backlog (${triggers} triggers, set ${TRIGGER_SET})`,
  );
  const httpPorts: number[] = [];
  const engines: ReturnType<typeof spawnTs>[] = [];
  for (let i = 0; i < ENGINES; i += 1) {
    const httpPort = await freePort();
    httpPorts.push(httpPort);
    engines.push(
      spawnEngine({
        brokers: broker.address,
        prefix,
        redisPrefix: `bench:${run}:`,
        triggersDir,
        httpPort,
        // BENCH_CPU_PROF=DIR: the engine writes a V8 CPU profile of phases 2 and 3 into DIR when it stops.
        // BENCH_ENGINE_NODE_ARGS: more Node/V8 flags for the engine (e.g. --trace-gc), space-separated.
        nodeArgs: [
          ...(process.env.BENCH_CPU_PROF
            ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
            : []),
          ...(process.env.BENCH_ENGINE_NODE_ARGS ?? '').split(' ').filter(Boolean),
        ],
      }),
    );
  }
  for (const port of httpPorts) await waitForHttp(`http://127.0.0.1:${port}/healthz`, 60_000);
  const upAt = Date.now();
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const redisPid = await redisServerPid(redis);
  // CPU seconds per process over a phase, and the machine's idle seconds (both cores together): whether the
  // phase left CPU unused, and who took the rest.
  const phaseCpu = (others: Record<string, () => number | null | undefined>) =>
    cpuSplit({
      ...Object.fromEntries(
        engines.map((e, i) => [ENGINES === 1 ? 'engine' : `engine${i + 1}`, () => e.proc.pid]),
      ),
      broker: () => broker.pid,
      redis: () => redisPid,
      ...others,
      driver: () => process.pid,
    });
  const drainCpu = phaseCpu({});
  let drainIdle = machineIdleSeconds();
  let peakRss = 0;
  // `all`: every metric (the drain's work and round trips are read from the two ends); the drain's polls
  // read only the consumed count and the RSS.
  const sampleRss = async (all = true) => {
    const m = await scrape(
      httpPorts,
      all ? [] : ['trigger_events_consumed_total', 'process_resident_memory_bytes'],
    );
    peakRss = Math.max(peakRss, sumBy(m, 'process_resident_memory_bytes', null).get('') ?? 0);
    return m;
  };
  const consumedOf = (m: Scrape) => sumBy(m, 'trigger_events_consumed_total', null).get('') ?? 0;
  // The engine consumes warm-up and backlog in one go. engine_eps is timed over the backlog part: from the
  // scrape that first sees the consumed count past the warm-up (without a warm-up: the first consumed
  // record) to the one that sees it reach the total; the warm-up rate, from the first consumed record to
  // that crossing. A part drained before a scrape saw it start is timed from the previous scrape (or from
  // the moment the engine answered, if there was none: that time includes joining the group).
  let prevAt = upAt;
  let prevCount = 0;
  let warmFrom = 0;
  let warmStartedAt = 0;
  let first = 0;
  let startedAt = 0;
  let atCrossing: Scrape = [];
  for (;;) {
    const m = await sampleRss(false);
    const c = consumedOf(m);
    const now = Date.now();
    if (c > 0 && warmStartedAt === 0) {
      warmStartedAt = c > warm ? prevAt : now;
      warmFrom = c > warm ? prevCount : c;
    }
    if (c > warm && startedAt === 0) {
      startedAt = c >= total ? prevAt : now;
      first = c >= total ? prevCount : c;
      atCrossing = await sampleRss();
      drainCpu.start();
      drainIdle = machineIdleSeconds();
    }
    if (c >= total) break;
    prevAt = now;
    prevCount = c;
    await new Promise((r) => setTimeout(r, 100));
  }
  const engineSeconds = (Date.now() - startedAt) / 1000;
  const drainCpuSeconds = { ...drainCpu.stop(), idle: idleSince(drainIdle) };
  const afterBacklog = await sampleRss();
  const engineEps = (total - first) / Math.max(0.001, engineSeconds);
  // Null when one scrape saw the warm-up start and the backlog finish (nothing to tell them apart).
  const warmupEps =
    warm > 0 && startedAt > warmStartedAt ? (first - warmFrom) / ((startedAt - warmStartedAt) / 1000) : null;
  // Over all records, warm-up included: round trips per event follow the batching, not the state.
  const roundTrips = sumBy(afterBacklog, 'trigger_redis_roundtrips_total', null).get('') ?? 0;
  const rtPer1k = (roundTrips / total) * 1000;
  if (warm > 0) log(`engine warm-up ${warmupEps === null ? 'n/a' : warmupEps.toFixed(0)} events/s`);
  log(`engine ${engineEps.toFixed(0)} events/s, ${rtPer1k.toFixed(1)} Redis round trips per 1000 events`);
  const drainWork = workload(atCrossing, afterBacklog);
  log(`phase 2 per event: ${JSON.stringify(drainWork)}`);
  log(
    `CPU seconds in phase 2's timed part (${engineSeconds.toFixed(1)} s): ${JSON.stringify(drainCpuSeconds)}`,
  );

  // BENCH_RATE=N measures phase 3 at N events/s instead (to draw latency against load).
  const rate = Number(process.env.BENCH_RATE ?? Math.round(engineEps / 2));
  log(`phase 3: latency at ${rate} events/s for ${Math.round(SECONDS / 2)} s`);
  const codec = AvroCodec.load();
  const latencies: number[] = [];
  // BENCH_LATENCY_OUT=FILE: every sample as "ms into the phase <tab> latency ms <tab> trigger", for plots.
  const samples: string[] = [];
  const paceStart = Date.now();
  // The latency is the engine's own stamps (emittedAt - dueAt), so the reader may read late: it waits for
  // a mebibyte or 250 ms per fetch instead of fetching after every engine send. It stands in for adapters
  // that run elsewhere, and fetching that often cost this driver and the broker about a tenth of a core
  // that phase 3's engine needs (2026-12-02, docs/performance.md).
  const reader = kafka.consumer({ groupId: `${prefix}latency`, maxWaitTimeInMs: 250, minBytes: 1 << 20 });
  await reader.connect();
  await reader.subscribe({ topics: Object.values(names.activations), fromBeginning: false });
  await reader.run({
    eachMessage: async ({ message }) => {
      if (!message.value) return;
      const d = codec.decode(message.value);
      if (!d.ok) return;
      const a = d.value as { dueAt: number; emittedAt: number; triggerId: string };
      if (a.dueAt < paceStart) return;
      latencies.push(a.emittedAt - a.dueAt);
      samples.push(`${a.dueAt - paceStart}\t${a.emittedAt - a.dueAt}\t${a.triggerId}`);
    },
  });
  const loadgen = spawnTs(
    'scripts/loadgen.ts',
    [
      '--brokers',
      broker.address,
      '--users',
      String(USERS),
      '--rate',
      String(rate),
      '--seconds',
      String(Math.round(SECONDS / 2)),
      '--prefix',
      prefix,
      '--seed',
      '1',
      '--skip',
      String(produced),
    ],
    {},
    'pipe',
    [],
    HARNESS_NICE,
  );
  // The load generator and this driver stand in for producers and adapters that run elsewhere in
  // production; at a lower priority they take only the CPU the engine, broker and Redis leave (the two
  // cores are theirs, issue 5). Measured at 30,000 events/s: p99 190 ms without, 100 ms with. Every
  // thread: until 2026-12-01 only the main threads were reniced (see spawnTs).
  reniceAllThreads(process.pid, HARNESS_NICE);
  // The phase's CPU is counted from the generator's first send: its start (loading its modules, --skip
  // regenerating the records before phase 3's, connecting) took 1.4 CPU s while the engine had nothing
  // to do, and was counted as phase 3's until 2026-12-02.
  if (loadgen.proc.stderr) await waitForOutput(loadgen.proc, loadgen.proc.stderr, /loadgen: sending/);
  const cpu = phaseCpu({ loadgen: () => loadgen.proc.pid });
  cpu.start();
  const phase3Idle = machineIdleSeconds();
  const metricsBefore = await scrape(httpPorts);
  // No /metrics scrapes during the phase: rendering them takes the engine's thread for milliseconds,
  // which at one scrape a second (Prometheus scrapes every 15-30 s) showed up in the p99. Peak RSS
  // comes from the kernel's high-water mark instead.
  const sampler = setInterval(() => cpu.sample(), 1000);
  await new Promise<void>((resolve) => loadgen.proc.once('exit', () => resolve()));
  const cpuSeconds = { ...cpu.stop(), idle: idleSince(phase3Idle) };
  log(`CPU seconds in phase 3 (${Math.round(SECONDS / 2)} s): ${JSON.stringify(cpuSeconds)}`);
  await new Promise((r) => setTimeout(r, 2000));
  const metricsAfter = await scrape(httpPorts);
  const stages = stageBreakdown(metricsBefore, metricsAfter);
  log(`phase 3 mean ms per lane batch by stage, and ingest lag: ${JSON.stringify(stages)}`);
  const phase3Work = workload(metricsBefore, metricsAfter);
  log(`phase 3 per event: ${JSON.stringify(phase3Work)}`);
  clearInterval(sampler);
  await reader.disconnect();
  if (process.env.BENCH_LATENCY_OUT) writeFileSync(process.env.BENCH_LATENCY_OUT, `${samples.join('\n')}\n`);
  latencies.sort((x, y) => x - y);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;

  // With several instances: the sum of their high-water marks (each may have peaked at another moment).
  const highWaters = engines.map((e) => peakRssBytes(e.proc.pid));
  if (highWaters.some((h) => h === null))
    await sampleRss(); // no /proc: the engines' own figures, now
  else
    peakRss = Math.max(
      peakRss,
      highWaters.reduce((a: number, h) => a + (h ?? 0), 0),
    );
  await Promise.all(engines.map((e) => e.stop()));
  await broker.stop();
  await deleteKeysByPrefix(redis, `bench:${run}:`);
  await redis.quit();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(triggersDir, { recursive: true, force: true });

  const result = {
    engine_eps: Math.round(engineEps),
    engine_warmup_eps: warmupEps === null ? null : Math.round(warmupEps),
    passthrough_eps: Math.round(passthroughEps),
    ratio: Number((engineEps / passthroughEps).toFixed(2)),
    p50_ms: q(0.5),
    p95_ms: q(0.95),
    p99_ms: q(0.99),
    latency_samples: latencies.length,
    phase3_rate: rate,
    redis_rt_per_1k: Number(rtPer1k.toFixed(1)),
    rss_mb: Math.round(peakRss / 1024 / 1024),
    events: total - warm,
    warmup_events: warm,
    warm_per_user: WARM_PER_USER,
    users: USERS,
    engines: ENGINES,
    partitions: PARTITIONS,
    triggers,
    trigger_set: TRIGGER_SET,
    phase2_cpu_seconds: drainCpuSeconds,
    phase3_cpu_seconds: cpuSeconds,
    phase3_stage_ms: stages,
    phase2_per_event: drainWork,
    phase3_per_event: phase3Work,
  };
  writeFileSync(OUT, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(
    `bench: engine_eps=${result.engine_eps} passthrough_eps=${result.passthrough_eps} ratio=${result.ratio} ` +
      `p50_ms=${result.p50_ms} p99_ms=${result.p99_ms} redis_rt_per_1k=${result.redis_rt_per_1k} rss_mb=${result.rss_mb}\n`,
  );
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
