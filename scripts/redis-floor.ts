// The least Redis CPU a user's state can cost per event: Redis's own CPU (INFO cpu) for the plainest write
// of a user (HSET of a document and its revision, RPUSH of one history entry, PEXPIRE of both keys) and
// the plainest read (HMGET and LRANGE), pipelined REDIS_FLOOR_BATCH users at a time (default 500, the
// engine's batch), over REDIS_FLOOR_USERS users (default 200,000). Sizes are the benchmark's: a 462-byte
// state write and a 42-byte history entry per input (`bench-pipeline`). A floor to set against the
// engine's Redis cost per event in `make bench` (docs/performance.md); Redis is shared, so run it on a
// quiet machine. Keys under a run prefix, deleted at the end. `npx tsx scripts/redis-floor.ts`.
import Redis from 'ioredis';

import { deleteKeysByPrefix } from './redis-cleanup';

const USERS = Number(process.env.REDIS_FLOOR_USERS ?? 200_000);
const BATCH = Number(process.env.REDIS_FLOOR_BATCH ?? 500);
const DOC = 'd'.repeat(462);
const ENTRY = 'h'.repeat(42);
const TTL_MS = 86_400_000;

/** Redis's CPU seconds so far (user and system, main thread and the rest). */
async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string) => Number(new RegExp(`^${name}:([0-9.]+)`, 'm').exec(info)?.[1] ?? NaN);
  return field('used_cpu_user') + field('used_cpu_sys');
}

/** Runs `fill` for every batch of users and returns Redis's CPU µs per user. */
async function perUser(redis: Redis, fill: (p: ReturnType<Redis['pipeline']>, key: string) => void) {
  const before = await redisCpuSeconds(redis);
  for (let from = 0; from < USERS; from += BATCH) {
    const pipeline = redis.pipeline();
    for (let u = from; u < Math.min(USERS, from + BATCH); u += 1) fill(pipeline, `{u:${u}}`);
    await pipeline.exec();
  }
  return ((await redisCpuSeconds(redis)) - before) * (1e6 / USERS);
}

async function main(): Promise<void> {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
    keyPrefix: `floor:${Date.now().toString(36)}:`,
  });
  try {
    const write = await perUser(redis, (p, key) => {
      p.hset(key, 'd', DOC, 'r', '1');
      p.rpush(`${key}:h`, ENTRY);
      p.pexpire(key, TTL_MS);
      p.pexpire(`${key}:h`, TTL_MS);
    });
    const read = await perUser(redis, (p, key) => {
      p.hmget(key, 'r', 'd');
      p.lrange(`${key}:h`, 0, -1);
    });
    console.log(
      `redis-floor: ${USERS} users, ${BATCH} per pipeline: Redis CPU µs per user write ${write.toFixed(1)}, read ${read.toFixed(1)}`,
    );
  } finally {
    // keyPrefix applies to commands, not to SCAN's pattern: delete through a client without it.
    const plain = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    await deleteKeysByPrefix(plain, redis.options.keyPrefix as string);
    plain.disconnect();
    redis.disconnect();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
