import { z } from 'zod';
import { ConfigError } from '../errors';
import type { EngineConfig, LogLevel, RedisConfig, TriggerSource } from './config';
import { LOG_LEVELS } from './config';
import { ADMIN_TOKEN_MIN_LENGTH, CONFIG_DEFAULTS, RENDER_SECRET_MIN_LENGTH } from './defaults';

/** The environment as `process.env` gives it. */
export type Env = Readonly<Record<string, string | undefined>>;

const HOST_PORT = /^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9A-Fa-f:.]+\]:\d{1,5}$/;
const KAFKA_NAME = /^[A-Za-z0-9._-]{1,249}$/;

const brokerList = z
  .string()
  .transform((s) => s.split(',').map((b) => b.trim()))
  .pipe(z.array(z.string().regex(HOST_PORT)).min(1));

function isRedisUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== '';
  } catch {
    return false;
  }
}

const redisUrl = z.string().refine(isRedisUrl);
const redisUrlList = z
  .string()
  .transform((s) => s.split(',').map((u) => u.trim()))
  .pipe(z.array(redisUrl).min(1));

function intIn(min: number, max: number): z.ZodType<number, string> {
  return z.string().regex(/^\d+$/).transform(Number).pipe(z.int().min(min).max(max));
}

/**
 * Reads variables one by one, collecting a sentence per problem so start-up reports them all at once.
 */
class EnvReader {
  readonly problems: string[] = [];

  constructor(private readonly env: Env) {}

  /** The raw value; empty counts as unset unless `emptyIsValue` (prefixes may be empty on purpose). */
  raw(name: string, emptyIsValue = false): string | undefined {
    const value = this.env[name];
    return value === '' && !emptyIsValue ? undefined : value;
  }

  read<T>(
    name: string,
    schema: z.ZodType<T, string>,
    expected: string,
    fallback: string | undefined,
    opts: { secret?: boolean; emptyIsValue?: boolean } = {},
  ): T | undefined {
    const value = this.raw(name, opts.emptyIsValue) ?? fallback;
    if (value === undefined) {
      this.problems.push(`${name} is required: set it to ${expected}.`);
      return undefined;
    }
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    const got = opts.secret ? `a value of ${value.length} characters` : JSON.stringify(value);
    this.problems.push(`${name} must be ${expected}, got ${got}.`);
    return undefined;
  }
}

/**
 * The Redis settings of REDIS_URL's value (one URL, or a comma-separated list of a Cluster's seed nodes),
 * for tools that talk to the engine's Redis (the demo's clean-up); throws on a value `loadConfig` refuses.
 */
export function redisConfigOf(redisUrl: string, keyPrefix = ''): RedisConfig {
  return redisConfig(redisUrlList.parse(redisUrl), keyPrefix);
}

function redisConfig(urls: readonly string[], keyPrefix: string): RedisConfig {
  const parsed = urls.map((u) => new URL(u));
  const first = parsed[0] as URL;
  const db = Number(first.pathname.replace(/^\//, '') || '0');
  return {
    mode: urls.length > 1 ? 'cluster' : 'single',
    urls,
    nodes: parsed.map((u) => ({ host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || '6379') })),
    username: first.username === '' ? null : decodeURIComponent(first.username),
    password: first.password === '' ? null : decodeURIComponent(first.password),
    tls: first.protocol === 'rediss:',
    db: Number.isInteger(db) ? db : 0,
    keyPrefix,
  };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * Parses the environment into the engine's frozen configuration. Pure: reads only `env`. Throws a
 * `ConfigError` listing one sentence per bad variable (naming it and what is expected), so start-up
 * stops with every problem at once.
 */
export function loadConfig(env: Env): EngineConfig {
  const r = new EnvReader(env);
  const d = CONFIG_DEFAULTS;

  const brokers = r.read('KAFKA_BROKERS', brokerList, 'a comma-separated list of host:port', d.kafkaBrokers);
  const clientId = r.read(
    'KAFKA_CLIENT_ID',
    z.string().regex(KAFKA_NAME),
    'letters, digits, ".", "_" or "-"',
    d.kafkaClientId,
  );
  const groupId = r.read(
    'KAFKA_GROUP_ID',
    z.string().regex(KAFKA_NAME),
    'letters, digits, ".", "_" or "-"',
    d.kafkaGroupId,
  );
  const sessionTimeoutMs = r.read(
    'KAFKA_SESSION_TIMEOUT_MS',
    intIn(6_000, 300_000),
    'an integer number of milliseconds from 6000 to 300000',
    String(d.kafkaSessionTimeoutMs),
  );
  const topicPrefix = r.read(
    'TOPIC_PREFIX',
    z.string().regex(/^[A-Za-z0-9._-]{0,100}$/),
    'at most 100 letters, digits, ".", "_" or "-" (e.g. "acme.")',
    d.topicPrefix,
    { emptyIsValue: true },
  );
  const redisUrls = r.read(
    'REDIS_URL',
    redisUrlList,
    'a redis:// or rediss:// URL, or a comma-separated list of them for Redis Cluster',
    d.redisUrl,
  );
  // A brace in the prefix would become the key's hash tag and put all users in one cluster slot.
  const redisPrefix = r.read(
    'REDIS_PREFIX',
    z.string().regex(/^[^{}\s]{0,64}$/),
    'at most 64 characters without spaces or braces (braces would break the per-user hash tags)',
    d.redisPrefix,
    { emptyIsValue: true },
  );
  const outputEncoding = r.read(
    'OUTPUT_ENCODING',
    z.enum(['avro', 'json']),
    'avro or json',
    d.outputEncoding,
  );
  const httpPort = r.read('HTTP_PORT', intIn(0, 65_535), 'a TCP port from 0 to 65535', String(d.httpPort));
  const logLevel: LogLevel | undefined = r.read(
    'LOG_LEVEL',
    z.enum(LOG_LEVELS),
    LOG_LEVELS.join(', '),
    d.logLevel,
  );
  const adminToken =
    r.raw('ADMIN_TOKEN') === undefined
      ? null
      : r.read(
          'ADMIN_TOKEN',
          z.string().min(ADMIN_TOKEN_MIN_LENGTH),
          `a token of at least ${ADMIN_TOKEN_MIN_LENGTH} characters`,
          undefined,
          { secret: true },
        );
  const renderSecret = r.read(
    'RENDER_SECRET',
    z.string().min(RENDER_SECRET_MIN_LENGTH),
    `a random secret of at least ${RENDER_SECRET_MIN_LENGTH} characters (e.g. openssl rand -hex 32)`,
    undefined,
    { secret: true },
  );
  const renderTokenTtlMs = r.read(
    'RENDER_TOKEN_TTL_MS',
    intIn(60_000, 90 * 86_400_000),
    'an integer number of milliseconds from 60000 (1 minute) to 7776000000 (90 days)',
    String(d.renderTokenTtlMs),
  );

  const triggers = readTriggerSource(r);

  const batchMaxRecords = r.read(
    'BATCH_MAX_RECORDS',
    intIn(1, 100_000),
    'an integer from 1 to 100000',
    String(d.batchMaxRecords),
  );
  const commitIntervalMs = r.read(
    'COMMIT_INTERVAL_MS',
    intIn(0, 60_000),
    'an integer number of milliseconds from 0 (commit after every batch) to 60000',
    String(d.commitIntervalMs),
  );
  const timerPollIntervalMs = r.read(
    'TIMER_POLL_INTERVAL_MS',
    intIn(5, 60_000),
    'an integer number of milliseconds from 5 to 60000',
    String(d.timerPollIntervalMs),
  );
  const timerPollMaxMs = r.read(
    'TIMER_POLL_MAX_MS',
    intIn(5, 600_000),
    'an integer number of milliseconds from 5 to 600000',
    String(d.timerPollMaxMs),
  );
  if (
    timerPollIntervalMs !== undefined &&
    timerPollMaxMs !== undefined &&
    timerPollMaxMs < timerPollIntervalMs
  )
    r.problems.push(
      `TIMER_POLL_MAX_MS (${timerPollMaxMs}) is shorter than TIMER_POLL_INTERVAL_MS (${timerPollIntervalMs}): set it to at least the interval.`,
    );
  const timerBatchMax = r.read(
    'TIMER_BATCH_MAX',
    intIn(1, 100_000),
    'an integer from 1 to 100000',
    String(d.timerBatchMax),
  );
  const stateTtlMs = r.read(
    'STATE_TTL_MS',
    intIn(3_600_000, 3_650 * 86_400_000),
    'an integer number of milliseconds from 3600000 (1 hour) to 315360000000 (10 years)',
    String(d.stateTtlMs),
  );
  const decisionsKeptPerUser = r.read(
    'DECISIONS_KEPT_PER_USER',
    intIn(0, 10_000),
    'an integer from 0 to 10000',
    String(d.decisionsKeptPerUser),
  );
  const shutdownTimeoutMs = r.read(
    'SHUTDOWN_TIMEOUT_MS',
    intIn(1_000, 600_000),
    'an integer number of milliseconds from 1000 to 600000',
    String(d.shutdownTimeoutMs),
  );
  const workerThreads = r.read(
    'WORKER_THREADS',
    intIn(0, 16),
    'an integer from 0 (evaluate on the main thread) to 16',
    String(d.workerThreads),
  );

  if (
    r.problems.length > 0 ||
    brokers === undefined ||
    clientId === undefined ||
    groupId === undefined ||
    sessionTimeoutMs === undefined ||
    topicPrefix === undefined ||
    redisUrls === undefined ||
    redisPrefix === undefined ||
    outputEncoding === undefined ||
    httpPort === undefined ||
    logLevel === undefined ||
    adminToken === undefined ||
    renderSecret === undefined ||
    renderTokenTtlMs === undefined ||
    triggers === undefined ||
    batchMaxRecords === undefined ||
    commitIntervalMs === undefined ||
    timerPollIntervalMs === undefined ||
    timerPollMaxMs === undefined ||
    timerBatchMax === undefined ||
    stateTtlMs === undefined ||
    decisionsKeptPerUser === undefined ||
    shutdownTimeoutMs === undefined ||
    workerThreads === undefined
  ) {
    throw new ConfigError(r.problems);
  }

  return deepFreeze({
    kafka: { brokers, clientId, groupId, sessionTimeoutMs },
    topicPrefix,
    redis: redisConfig(redisUrls, redisPrefix),
    triggers,
    outputEncoding,
    http: { port: httpPort, adminToken, renderSecret, renderTokenTtlMs },
    logLevel,
    tuning: {
      batchMaxRecords,
      commitIntervalMs,
      timerPollIntervalMs,
      timerPollMaxMs,
      timerBatchMax,
      stateTtlMs,
      decisionsKeptPerUser,
      shutdownTimeoutMs,
      workerThreads,
    },
  });
}

/** Exactly one of TRIGGERS_DIR and TRIGGERS_TOPIC (DESIGN.md decision 6); both or neither is an error. */
function readTriggerSource(r: EnvReader): TriggerSource | undefined {
  const dir = r.raw('TRIGGERS_DIR');
  const topic = r.raw('TRIGGERS_TOPIC');
  if (dir !== undefined && topic !== undefined) {
    r.problems.push(
      'TRIGGERS_DIR and TRIGGERS_TOPIC are both set: set exactly one (TRIGGERS_DIR to load a folder, TRIGGERS_TOPIC to read the trigger-definitions topic).',
    );
    return undefined;
  }
  if (dir !== undefined) return { source: 'dir', dir };
  if (topic !== undefined) {
    const name = r.read(
      'TRIGGERS_TOPIC',
      z.string().regex(KAFKA_NAME),
      'a Kafka topic name (e.g. trigger-definitions)',
      undefined,
    );
    return name === undefined ? undefined : { source: 'topic', topic: name };
  }
  r.problems.push(
    'Neither TRIGGERS_DIR nor TRIGGERS_TOPIC is set: set exactly one (TRIGGERS_DIR to load a folder, TRIGGERS_TOPIC to read the trigger-definitions topic).',
  );
  return undefined;
}

/** A copy of the configuration safe to log: secrets and Redis passwords replaced by `[redacted]`. */
export function describeConfig(config: EngineConfig): Record<string, unknown> {
  const redacted = '[redacted]';
  return {
    ...config,
    redis: {
      ...config.redis,
      urls: config.redis.urls.map((u) => u.replace(/\/\/([^@/]*)@/, `//${redacted}@`)),
      password: config.redis.password === null ? null : redacted,
    },
    http: {
      ...config.http,
      adminToken: config.http.adminToken === null ? null : redacted,
      renderSecret: redacted,
    },
  };
}
