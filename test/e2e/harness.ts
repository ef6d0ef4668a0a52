import { randomUUID } from 'node:crypto';
import { join } from 'node:path';

import Redis from 'ioredis';
import type { Cluster } from 'ioredis';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import type { Consumer, Producer } from 'kafkajs';
import { Registry } from 'prom-client';

import { deleteKeysByPrefix, masterNodes } from '../../scripts/redis-cleanup';
import { AvroCodec } from '../../services/engine/codec';
import { loadConfig } from '../../services/engine/config';
import { topicNames } from '../../services/engine/ingest';
import type { TopicNames } from '../../services/engine/ingest';
import { createLogger } from '../../services/engine/log';
import { createKafka } from '../../services/engine/main';
import { startEngine } from '../../services/engine/runtime';
import type { RunningEngine } from '../../services/engine/runtime';
import { startTestBroker } from '../support/broker';
import type { TestRedisCluster } from '../support/redis-cluster';

export const FIXTURES = join(__dirname, 'fixtures');

/** One record read back from an output topic, decoded. */
export interface Seen {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Record<string, unknown> | null;
  headers: Record<string, string>;
}

/**
 * The engines' clock: real time plus an offset the test moves, so a 14-day wait passes in a moment.
 * Only forward: the engine's state and due index assume time does not go back.
 */
export class TestClock {
  private offsetMs = 0;

  /** Epoch ms as the engines see it. */
  now = (): number => Date.now() + this.offsetMs;

  /**
   * Moves the clock `ms` forward; timers it makes due fire on the engines' next poll, within
   * TIMER_POLL_MAX_MS (an engine sleeps until the earliest timer it knows of, by its clock before the move).
   */
  advance(ms: number): void {
    if (ms < 0) throw new Error('TestClock only moves forward');
    this.offsetMs += ms;
  }

  /** Moves the clock forward to the next `hour`:00 UTC (quiet hours are 21:00-08:00 in triggers/). */
  advanceToHourUtc(hour: number): void {
    const now = new Date(this.now());
    const next = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), hour);
    this.advance(next > now.getTime() ? next - now.getTime() : next + 86_400_000 - now.getTime());
  }
}

/**
 * An e2e stack: the dev broker as a child process, the real Redis, engines started in this process with
 * a unique topic prefix, group and Redis key prefix and the stack's clock (real time until a test moves
 * it), and a collector reading every output topic. `engineEnv` is set for every engine of the stack.
 */
export async function startStack(
  options: { engineEnv?: Record<string, string>; redisCluster?: TestRedisCluster } = {},
) {
  const broker = await startTestBroker({ args: ['--partitions', '3'] });
  const clock = new TestClock();
  const run = randomUUID().slice(0, 8);
  const prefix = `e2e${run}.`;
  const redisPrefix = `e2e:${run}:`;
  const topics: TopicNames = topicNames(prefix);
  const kafka = new Kafka({ clientId: `e2e-${run}`, brokers: [broker.address], logLevel: logLevel.NOTHING });
  const redis: Redis | Cluster =
    options.redisCluster?.client() ?? new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const codec = AvroCodec.load();
  const engines = new Set<RunningEngine>();
  const producer: Producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();

  const seen: Seen[] = [];
  let collector: Consumer | null = null;

  const stack = {
    topics,
    prefix,
    redisPrefix,
    brokers: [broker.address],
    /** The broker child process: kill() and start() it again on the same port and data dir. */
    broker,
    clock,
    kafka,
    redis,
    codec,
    seen,
    /** Starts an engine; `env` overrides the defaults (TRIGGERS_DIR of the fixtures, 3 s sessions...). */
    async engine(
      env: Record<string, string> = {},
      over: { redis?: Redis | Cluster; httpPort?: number | null } = {},
    ): Promise<RunningEngine> {
      const config = loadConfig({
        KAFKA_BROKERS: broker.address,
        KAFKA_CLIENT_ID: `engine-${run}`,
        KAFKA_GROUP_ID: `${prefix}engine`,
        KAFKA_SESSION_TIMEOUT_MS: '6000',
        TOPIC_PREFIX: prefix,
        REDIS_PREFIX: redisPrefix,
        TRIGGERS_DIR: join(FIXTURES, 'triggers'),
        RENDER_SECRET: 'e2e-render-secret-0123456789abcdef0123',
        TIMER_POLL_INTERVAL_MS: '50',
        LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'silent',
        ...options.engineEnv,
        ...env,
      });
      const logger = createLogger({ level: config.logLevel });
      const engine = await startEngine({
        config,
        kafka: createKafka(config, logger), // main.ts's client: its retry settings are under test too
        redis: over.redis ?? redis,
        logger,
        registry: new Registry(),
        clock: clock.now,
        httpPort: over.httpPort ?? null,
      });
      engines.add(engine);
      return engine;
    },
    async stopEngine(engine: RunningEngine): Promise<void> {
      engines.delete(engine);
      await engine.stop();
    },
    /** Produces records (objects as JSON or Avro, or raw bytes) keyed by their userId. */
    async produce(
      topic: string,
      values: (Record<string, unknown> | Buffer)[],
      encoding: 'json' | 'avro' = 'json',
    ) {
      const kind = topic === topics.profiles ? 'profile' : topic === topics.consent ? 'consent' : 'event';
      await producer.send({
        topic,
        messages: values.map((v) => {
          if (Buffer.isBuffer(v)) return { key: 'raw-user', value: v };
          const value = encoding === 'avro' ? codec.encode(kind, v) : Buffer.from(JSON.stringify(v));
          return { key: String(v.userId), value };
        }),
      });
    },
    /** Starts reading activations, decisions and the DLQ into `seen`. */
    async collect(): Promise<void> {
      collector = kafka.consumer({ groupId: `${prefix}collector`, maxWaitTimeInMs: 100 });
      await collector.connect();
      await collector.subscribe({
        topics: [...Object.values(topics.activations), topics.decisions, topics.dlq],
        fromBeginning: true,
      });
      await collector.run({
        eachMessage: async ({ topic, partition, message }) => {
          let value: Record<string, unknown> | null = null;
          if (message.value && topic !== topics.dlq) {
            const d = message.value[0] === 0x7b ? null : codec.decode(message.value);
            value =
              d === null
                ? (JSON.parse(message.value.toString()) as Record<string, unknown>)
                : d.ok
                  ? (d.value as Record<string, unknown>)
                  : null;
          }
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
          seen.push({
            topic,
            partition,
            offset: message.offset,
            key: message.key?.toString() ?? null,
            value,
            headers,
          });
        },
      });
    },
    /** Waits until `predicate` holds over `seen`, or fails after `timeoutMs`. */
    async waitFor(what: string, predicate: (seen: Seen[]) => boolean, timeoutMs = 20_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(seen)) {
        if (Date.now() > deadline)
          throw new Error(
            `timed out waiting for ${what}; saw ${JSON.stringify(seen.map((s) => [s.topic, s.value?.outcome ?? s.value?.actionType ?? s.headers.error, s.key, s.value?.checks]))}`,
          );
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    /**
     * Waits until the engine has recorded state for every user: records on different topics (consent,
     * then an event) have no order between them in Kafka, so a test that needs the consent applied first
     * waits for it here.
     */
    async waitForState(userIds: string[], timeoutMs = 20_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = await Promise.all(userIds.map((u) => redis.exists(`${redisPrefix}{u:${u}}:s`)));
        if (found.every((n) => n === 1)) return;
        if (Date.now() > deadline)
          throw new Error(`no state recorded for ${userIds.filter((_, i) => found[i] !== 1).join(', ')}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    /** The engine's recorded state document of `userId` (its Redis state hash), or null. */
    async userState(userId: string): Promise<{ seen: string[] } | null> {
      const doc = await redis.hget(`${redisPrefix}{u:${userId}}:s`, 'd');
      return doc === null ? null : (JSON.parse(doc) as { seen: string[] });
    },
    /**
     * Waits until the engine has evaluated and recorded each event (its id is in its user's state), e.g.
     * before moving the clock past a wait the event armed.
     */
    async waitForEvents(events: { userId: string; eventId: string }[], timeoutMs = 20_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const states = await Promise.all(events.map((e) => stack.userState(e.userId)));
        const missing = events.filter((e, i) => !states[i]?.seen.includes(e.eventId));
        if (missing.length === 0) return;
        if (Date.now() > deadline)
          throw new Error(
            `events not recorded: ${missing.map((e) => `${e.userId}/${e.eventId}`).join(', ')}`,
          );
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    /**
     * Waits until no timer is due by the stack's clock (the engines fired and recorded them all; a fired
     * timer leaves the due index only after its outputs were sent) and the collector has read every
     * output record sent so far. After it, an output not in `seen` was not emitted.
     */
    async settle(timeoutMs = 20_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      const check = async (what: string, done: () => Promise<boolean>) => {
        while (!(await done())) {
          if (Date.now() > deadline) throw new Error(`not settled: ${what}`);
          await new Promise((r) => setTimeout(r, 50));
        }
      };
      const indexes = await stack.keys(`${redisPrefix}{t:*}`);
      await check('timers still due', async () => {
        const due = await Promise.all(indexes.map((k) => redis.zcount(k, '-inf', clock.now())));
        return due.every((n) => n === 0);
      });
      const admin = kafka.admin();
      await admin.connect();
      const outputs = [...Object.values(topics.activations), topics.decisions, topics.dlq];
      const ends = await Promise.all(
        outputs.map(async (t) => ({ t, ends: await admin.fetchTopicOffsets(t) })),
      );
      await admin.disconnect();
      await check('collector behind', async () =>
        ends.every(({ t, ends: partitions }) =>
          partitions.every(
            (p) =>
              p.high === '0' ||
              seen.some(
                (s) =>
                  s.topic === t && s.partition === p.partition && BigInt(s.offset) + 1n >= BigInt(p.high),
              ),
          ),
        ),
      );
    },
    /** The keys matching `pattern`, on every master of a Cluster (KEYS asks one node). */
    async keys(pattern: string): Promise<string[]> {
      return (await Promise.all((await masterNodes(redis)).map((n) => n.keys(pattern)))).flat();
    },
    activations: (triggerId?: string) =>
      seen.filter(
        (s) =>
          s.topic.startsWith(`${prefix}activations.`) && (!triggerId || s.value?.triggerId === triggerId),
      ),
    decisions: (triggerId?: string) =>
      seen.filter((s) => s.topic === topics.decisions && (!triggerId || s.value?.triggerId === triggerId)),
    async stop(): Promise<void> {
      for (const e of engines) await e.stop();
      await collector?.disconnect();
      await producer.disconnect();
      await broker.stop();
      await deleteKeysByPrefix(redis, redisPrefix);
      await redis.quit();
    },
  };
  return stack;
}

export type Stack = Awaited<ReturnType<typeof startStack>>;

/** A consent grant for `userId` and `purpose`, updated `agoMs` before `now` (epoch ms). */
export function grant(userId: string, purpose: string, agoMs = 1000, now = Date.now()) {
  return { userId, purpose, status: 'granted', updatedAt: now - agoMs, source: 'e2e' };
}

let seq = 0;
/** An event of `type` for `userId` on `channel`, occurring at `at` (epoch ms; default now). */
export function event(
  userId: string,
  channel: string,
  type: string,
  properties: Record<string, string | number | boolean> = {},
  at = Date.now(),
) {
  return {
    eventId: `e2e-${Date.now()}-${seq++}`,
    userId,
    channel,
    type,
    occurredAt: at,
    sessionId: `${userId}-s1`,
    properties,
    context: null,
  };
}
