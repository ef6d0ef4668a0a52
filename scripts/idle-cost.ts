// What an idle engine costs: starts the dev broker (3 partitions), the engine with the benchmark's trigger
// set against the real Redis, waits until it has joined its group, then measures over IDLE_SECONDS (default
// 30) the CPU milliseconds per second of the engine, Redis and the broker, and the Redis commands per
// second by name (INFO commandstats; Redis is shared, so run it on a quiet machine).
// `npx tsx scripts/idle-cost.ts`; engine settings as environment variables (TIMER_POLL_INTERVAL_MS...).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Redis from 'ioredis';

import { startTestBroker } from '../test/support/broker';
import { writeBenchTriggers } from './bench-triggers';
import { cpuSeconds, redisServerPid } from './cpu-usage';
import { freePort, spawnEngine, waitForHttp } from './processes';
import { deleteKeysByPrefix } from './redis-cleanup';

const SECONDS = Number(process.env.IDLE_SECONDS ?? 30);
const PARTITIONS = 3;

/** Calls per command name from `INFO commandstats`. */
function commandCalls(info: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) out.set(m[1] as string, Number(m[2]));
  return out;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'idle-broker-'));
  const broker = await startTestBroker({ dataDir, args: ['--partitions', String(PARTITIONS)] });
  const run = Date.now().toString(36);
  const prefix = `idle${run}.`;
  // The engine creates its topics (runtime/topics.ts ensureTopics), three partitions each when none exist.
  const { dir: triggersDir } = writeBenchTriggers();
  const httpPort = await freePort();
  const engine = spawnEngine({
    brokers: broker.address,
    prefix,
    redisPrefix: `idle:${run}:`,
    triggersDir,
    httpPort,
    // IDLE_NODE_ARGS: Node/V8 flags for the engine, space-separated (e.g. --cpu-prof --cpu-prof-dir=/tmp/p).
    nodeArgs: (process.env.IDLE_NODE_ARGS ?? '').split(' ').filter(Boolean),
  });
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  try {
    await Promise.race([
      waitForHttp(`http://127.0.0.1:${httpPort}/readyz`, 60_000),
      new Promise((_, reject) =>
        engine.proc.once('exit', (code) =>
          reject(new Error(`the engine exited (${code}) before it was ready`)),
        ),
      ),
    ]);
    await new Promise((r) => setTimeout(r, 5_000)); // past the start's compiling and first fetches
    const pids = { engine: engine.proc.pid, redis: await redisServerPid(redis), broker: broker.pid };
    const before = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuSeconds(pid) ?? 0]));
    const callsBefore = commandCalls(await redis.info('commandstats'));
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    const seconds = (Date.now() - t0) / 1000;
    const callsAfter = commandCalls(await redis.info('commandstats'));
    const cpu = Object.entries(pids)
      .map(
        ([k, pid]) => `${k} ${((((cpuSeconds(pid) ?? 0) - (before[k] ?? 0)) * 1000) / seconds).toFixed(1)}`,
      )
      .join(', ');
    const calls = [...callsAfter]
      .map(([name, n]) => [name, (n - (callsBefore.get(name) ?? 0)) / seconds] as const)
      .filter(([, rate]) => rate >= 0.5)
      .sort((a, b) => b[1] - a[1])
      .map(([name, rate]) => `${name} ${rate.toFixed(1)}`)
      .join(', ');
    process.stdout.write(`idle over ${seconds.toFixed(1)} s, CPU ms per second: ${cpu}\n`);
    process.stdout.write(`Redis commands per second (every client): ${calls}\n`);
  } finally {
    await engine.stop();
    await broker.stop();
    await deleteKeysByPrefix(redis, `idle:${run}:`);
    redis.disconnect();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(triggersDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
