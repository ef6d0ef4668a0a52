// `make demo`: the main job on the embedded default. Starts the dev broker, the engine with triggers/
// and the load generator, prints a live summary every few seconds and some sample activations, and
// stops cleanly on Ctrl-C or after DEMO_SECONDS.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Kafka, logLevel } from 'kafkajs';

import { AvroCodec } from '../services/engine/codec';
import { redisConfigOf } from '../services/engine/config';
import { topicNames } from '../services/engine/ingest';
import { createRedis } from '../services/engine/main';
import { histogramQuantile, parseMetrics, sumBy } from './metrics-text';
import { startTestBroker } from '../test/support/broker';
import { freePort, spawnTs, waitForHttp } from './processes';
import { deleteKeysByPrefix } from './redis-cleanup';

const SECONDS = Number(process.env.DEMO_SECONDS ?? 60);
const RATE = Number(process.env.DEMO_RATE ?? 400);
const USERS = Number(process.env.DEMO_USERS ?? 1500);
const SUMMARY_EVERY_MS = 5_000;
const SAMPLES = 6;

const print = (text: string) => process.stdout.write(`${text}\n`);
const ms = (seconds: number | undefined) =>
  seconds === undefined ? '-' : `${(seconds * 1000).toFixed(0)}ms`;

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'demo-broker-'));
  const broker = await startTestBroker({ dataDir, args: ['--partitions', '3'] });
  print(`broker   ${broker.address} (data in ${dataDir})`);
  const httpPort = await freePort();
  const runId = Date.now().toString(36);
  const engine = spawnTs(
    'bin/trigger-engine.js',
    [],
    {
      KAFKA_BROKERS: broker.address,
      KAFKA_GROUP_ID: `demo-${runId}`,
      TRIGGERS_DIR: 'triggers',
      REDIS_PREFIX: `demo:${runId}:`,
      HTTP_PORT: String(httpPort),
      RENDER_SECRET: `demo-render-secret-${runId}-0123456789abcdef`,
      ADMIN_TOKEN: `demo-admin-${runId}-token`,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    },
    'inherit',
  );
  await waitForHttp(`http://127.0.0.1:${httpPort}/readyz`, 60_000).catch(async (err) => {
    await engine.stop();
    await broker.stop();
    throw err;
  });
  print(`engine   http://127.0.0.1:${httpPort}/metrics  (readyz ok)`);
  const loadgen = spawnTs('scripts/loadgen.ts', [
    '--brokers',
    broker.address,
    '--users',
    String(USERS),
    '--rate',
    String(RATE),
    '--seconds',
    '0',
    '--seed',
    '42',
  ]);
  print(`loadgen  ${RATE} records/s over ${USERS} users; running ${SECONDS}s (Ctrl-C stops)\n`);

  // Sample activations, decoded from the activation topics.
  const codec = AvroCodec.load();
  const topics = topicNames('');
  const kafka = new Kafka({
    clientId: 'demo-sampler',
    brokers: [broker.address],
    logLevel: logLevel.NOTHING,
  });
  const sampler = kafka.consumer({ groupId: `demo-sampler-${runId}`, maxWaitTimeInMs: 200 });
  await sampler.connect();
  await sampler.subscribe({ topics: Object.values(topics.activations), fromBeginning: true });
  const samples: string[] = [];
  await sampler.run({
    eachMessage: async ({ message }) => {
      if (samples.length >= SAMPLES || !message.value) return;
      const decoded = codec.decode(message.value);
      if (!decoded.ok) return;
      const a = decoded.value as {
        triggerId: string;
        stepId: string;
        userId: string;
        actionType: string;
        params: Record<string, string>;
        dueAt: number;
        emittedAt: number;
        renderToken: string | null;
      };
      samples.push(
        `  ${a.actionType.padEnd(18)} ${a.triggerId}/${a.stepId} -> ${a.userId}  ${JSON.stringify(a.params)}  ` +
          `latency ${a.emittedAt - a.dueAt}ms${a.renderToken ? '  renderToken ' + a.renderToken.slice(0, 16) + '…' : ''}`,
      );
    },
  });

  let stopping = false;
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
    if (SECONDS > 0) setTimeout(resolve, SECONDS * 1000).unref();
  });
  let lastConsumed = 0;
  let lastAt = Date.now();
  const summarize = async () => {
    const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
    const m = parseMetrics(text);
    const consumed = sumBy(m, 'trigger_events_consumed_total', null).get('') ?? 0;
    const now = Date.now();
    const eps = ((consumed - lastConsumed) * 1000) / (now - lastAt);
    lastConsumed = consumed;
    lastAt = now;
    const byChannel = sumBy(m, 'trigger_activations_total', 'channel');
    const outcomes = new Map<string, number>();
    for (const s of m.filter((x) => x.name === 'trigger_decisions_total')) {
      const k = s.labels.reason ? `${s.labels.outcome}:${s.labels.reason}` : (s.labels.outcome ?? '');
      outcomes.set(k, (outcomes.get(k) ?? 0) + s.value);
    }
    const p50 = histogramQuantile(m, 'trigger_signal_to_activation_seconds', 'channel', 0.5);
    const p99 = histogramQuantile(m, 'trigger_signal_to_activation_seconds', 'channel', 0.99);
    const breaches = sumBy(m, 'trigger_sla_breaches_total', null).get('') ?? 0;
    const dlq = sumBy(m, 'trigger_events_invalid_total', null).get('') ?? 0;
    print(
      `── ${new Date().toISOString().slice(11, 19)}  ${eps.toFixed(0)} events/s  consumed ${consumed}  DLQ ${dlq}  SLA breaches ${breaches}`,
    );
    print(
      `   activations  ${['web', 'mobile', 'email', 'paid'].map((c) => `${c} ${byChannel.get(c) ?? 0}`).join('  ')}`,
    );
    print(
      `   latency      ${['web', 'mobile', 'email', 'paid'].map((c) => `${c} p50 ${ms(p50.get(c))} p99 ${ms(p99.get(c))}`).join('  ')}`,
    );
    print(
      `   decisions    ${[...outcomes]
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => `${k} ${v}`)
        .join('  ')}`,
    );
  };
  const interval = setInterval(() => void summarize().catch(() => undefined), SUMMARY_EVERY_MS);
  await stopped;
  stopping = true;
  clearInterval(interval);
  print('\nstopping: load generator, then engine (graceful), then broker');
  await loadgen.stop();
  await new Promise((r) => setTimeout(r, 1500));
  await summarize().catch(() => undefined);
  print('\nsample activations:');
  for (const s of samples) print(s);
  await sampler.disconnect();
  await engine.stop();
  await broker.stop();
  await deleteKeys(`demo:${runId}:`);
  rmSync(dataDir, { recursive: true, force: true });
  print(stopping ? 'demo stopped cleanly' : '');
}

/** Deletes this run's Redis keys (and only those: everything under its unique prefix), on a Cluster too. */
async function deleteKeys(prefix: string): Promise<void> {
  const redis = createRedis(redisConfigOf(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'));
  await deleteKeysByPrefix(redis, prefix);
  await redis.quit();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`demo failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
