import {
  CONFIG_DEFAULTS,
  describeConfig,
  loadConfig,
  redisConfigOf,
} from '../../../../services/engine/config';
import type { Env } from '../../../../services/engine/config';
import { ConfigError } from '../../../../services/engine/errors';

const SECRET = 'r'.repeat(32);
const MINIMAL: Env = { RENDER_SECRET: SECRET, TRIGGERS_DIR: 'triggers' };

function problemsOf(env: Env): readonly string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig defaults', () => {
  it('needs only RENDER_SECRET and a trigger source', () => {
    const config = loadConfig(MINIMAL);
    expect(config).toEqual({
      kafka: {
        brokers: ['127.0.0.1:9092'],
        clientId: 'trigger-engine',
        groupId: 'trigger-engine',
        sessionTimeoutMs: 30_000,
      },
      topicPrefix: '',
      redis: {
        mode: 'single',
        urls: ['redis://127.0.0.1:6379'],
        nodes: [{ host: '127.0.0.1', port: 6379 }],
        username: null,
        password: null,
        tls: false,
        db: 0,
        keyPrefix: 'te:',
      },
      triggers: { source: 'dir', dir: 'triggers' },
      outputEncoding: 'avro',
      http: {
        port: 8080,
        adminToken: null,
        renderSecret: SECRET,
        renderTokenTtlMs: CONFIG_DEFAULTS.renderTokenTtlMs,
      },
      logLevel: 'info',
      tuning: {
        batchMaxRecords: CONFIG_DEFAULTS.batchMaxRecords,
        commitIntervalMs: CONFIG_DEFAULTS.commitIntervalMs,
        timerPollIntervalMs: CONFIG_DEFAULTS.timerPollIntervalMs,
        timerPollMaxMs: CONFIG_DEFAULTS.timerPollMaxMs,
        timerBatchMax: CONFIG_DEFAULTS.timerBatchMax,
        stateTtlMs: CONFIG_DEFAULTS.stateTtlMs,
        decisionsKeptPerUser: CONFIG_DEFAULTS.decisionsKeptPerUser,
        shutdownTimeoutMs: CONFIG_DEFAULTS.shutdownTimeoutMs,
        workerThreads: CONFIG_DEFAULTS.workerThreads,
      },
    });
  });

  it('freezes the whole configuration', () => {
    const config = loadConfig(MINIMAL);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.kafka.brokers)).toBe(true);
    expect(Object.isFrozen(config.redis.nodes[0])).toBe(true);
  });

  it('does not read process.env', () => {
    process.env.OUTPUT_ENCODING = 'json';
    try {
      expect(loadConfig(MINIMAL).outputEncoding).toBe('avro');
    } finally {
      delete process.env.OUTPUT_ENCODING;
    }
  });
});

describe('loadConfig values', () => {
  it('parses every variable', () => {
    const config = loadConfig({
      KAFKA_BROKERS: 'k1:9092, k2:9093',
      KAFKA_CLIENT_ID: 'engine-a',
      KAFKA_GROUP_ID: 'engines',
      KAFKA_SESSION_TIMEOUT_MS: '10000',
      TOPIC_PREFIX: 'acme.',
      REDIS_URL: 'rediss://user:p%40ss@redis.internal:6380/2',
      REDIS_PREFIX: '',
      TRIGGERS_TOPIC: 'acme.trigger-definitions',
      OUTPUT_ENCODING: 'json',
      HTTP_PORT: '0',
      LOG_LEVEL: 'debug',
      ADMIN_TOKEN: 'a'.repeat(16),
      RENDER_SECRET: SECRET,
      RENDER_TOKEN_TTL_MS: '3600000',
      BATCH_MAX_RECORDS: '1000',
      COMMIT_INTERVAL_MS: '250',
      TIMER_POLL_INTERVAL_MS: '25',
      TIMER_POLL_MAX_MS: '5000',
      TIMER_BATCH_MAX: '100',
      STATE_TTL_MS: '86400000',
      DECISIONS_KEPT_PER_USER: '0',
      SHUTDOWN_TIMEOUT_MS: '5000',
      WORKER_THREADS: '2',
    });
    expect(config.kafka).toEqual({
      brokers: ['k1:9092', 'k2:9093'],
      clientId: 'engine-a',
      groupId: 'engines',
      sessionTimeoutMs: 10_000,
    });
    expect(config.topicPrefix).toBe('acme.');
    expect(config.redis).toEqual({
      mode: 'single',
      urls: ['rediss://user:p%40ss@redis.internal:6380/2'],
      nodes: [{ host: 'redis.internal', port: 6380 }],
      username: 'user',
      password: 'p@ss',
      tls: true,
      db: 2,
      keyPrefix: '',
    });
    expect(config.triggers).toEqual({ source: 'topic', topic: 'acme.trigger-definitions' });
    expect(config.outputEncoding).toBe('json');
    expect(config.http).toEqual({
      port: 0,
      adminToken: 'a'.repeat(16),
      renderSecret: SECRET,
      renderTokenTtlMs: 3_600_000,
    });
    expect(config.logLevel).toBe('debug');
    expect(config.tuning).toEqual({
      batchMaxRecords: 1000,
      commitIntervalMs: 250,
      timerPollIntervalMs: 25,
      timerPollMaxMs: 5000,
      timerBatchMax: 100,
      stateTtlMs: 86_400_000,
      decisionsKeptPerUser: 0,
      shutdownTimeoutMs: 5000,
      workerThreads: 2,
    });
  });

  it('reads a comma list of Redis URLs as a cluster', () => {
    const config = loadConfig({ ...MINIMAL, REDIS_URL: 'redis://10.0.0.1:7000,redis://10.0.0.2:7001' });
    expect(config.redis.mode).toBe('cluster');
    expect(config.redis.nodes).toEqual([
      { host: '10.0.0.1', port: 7000 },
      { host: '10.0.0.2', port: 7001 },
    ]);
  });

  it('treats an empty variable as unset, except the prefixes', () => {
    expect(loadConfig({ ...MINIMAL, KAFKA_BROKERS: '', HTTP_PORT: '' }).kafka.brokers).toEqual([
      '127.0.0.1:9092',
    ]);
    expect(loadConfig({ ...MINIMAL, TOPIC_PREFIX: '' }).topicPrefix).toBe('');
  });
});

describe('loadConfig errors', () => {
  it.each([
    [
      'KAFKA_BROKERS',
      'localhost',
      'KAFKA_BROKERS must be a comma-separated list of host:port, got "localhost".',
    ],
    [
      'KAFKA_BROKERS',
      'a:1,,b:2',
      'KAFKA_BROKERS must be a comma-separated list of host:port, got "a:1,,b:2".',
    ],
    [
      'KAFKA_CLIENT_ID',
      'has space',
      'KAFKA_CLIENT_ID must be letters, digits, ".", "_" or "-", got "has space".',
    ],
    [
      'TOPIC_PREFIX',
      'a/b',
      'TOPIC_PREFIX must be at most 100 letters, digits, ".", "_" or "-" (e.g. "acme."), got "a/b".',
    ],
    [
      'REDIS_URL',
      'http://x:6379',
      'REDIS_URL must be a redis:// or rediss:// URL, or a comma-separated list of them for Redis Cluster, got "http://x:6379".',
    ],
    [
      'REDIS_URL',
      'redis://a:1,nonsense',
      'REDIS_URL must be a redis:// or rediss:// URL, or a comma-separated list of them for Redis Cluster, got "redis://a:1,nonsense".',
    ],
    [
      'REDIS_PREFIX',
      'app{1}:',
      'REDIS_PREFIX must be at most 64 characters without spaces or braces (braces would break the per-user hash tags), got "app{1}:".',
    ],
    ['OUTPUT_ENCODING', 'protobuf', 'OUTPUT_ENCODING must be avro or json, got "protobuf".'],
    ['HTTP_PORT', '70000', 'HTTP_PORT must be a TCP port from 0 to 65535, got "70000".'],
    ['HTTP_PORT', '80.5', 'HTTP_PORT must be a TCP port from 0 to 65535, got "80.5".'],
    [
      'LOG_LEVEL',
      'verbose',
      'LOG_LEVEL must be fatal, error, warn, info, debug, trace, silent, got "verbose".',
    ],
    [
      'TIMER_POLL_INTERVAL_MS',
      '1',
      'TIMER_POLL_INTERVAL_MS must be an integer number of milliseconds from 5 to 60000, got "1".',
    ],
    [
      'TIMER_POLL_MAX_MS',
      '1000000',
      'TIMER_POLL_MAX_MS must be an integer number of milliseconds from 5 to 600000, got "1000000".',
    ],
    [
      'TIMER_POLL_MAX_MS',
      '20',
      'TIMER_POLL_MAX_MS (20) is shorter than TIMER_POLL_INTERVAL_MS (50): set it to at least the interval.',
    ],
    [
      'STATE_TTL_MS',
      '7d',
      'STATE_TTL_MS must be an integer number of milliseconds from 3600000 (1 hour) to 315360000000 (10 years), got "7d".',
    ],
    ['BATCH_MAX_RECORDS', '0', 'BATCH_MAX_RECORDS must be an integer from 1 to 100000, got "0".'],
    [
      'WORKER_THREADS',
      'yes',
      'WORKER_THREADS must be an integer from 0 (evaluate on the main thread) to 16, got "yes".',
    ],
  ])('rejects %s=%j with a sentence naming it', (name, value, sentence) => {
    expect(problemsOf({ ...MINIMAL, [name]: value })).toEqual([sentence]);
  });

  it('requires RENDER_SECRET and never echoes a secret', () => {
    expect(problemsOf({ TRIGGERS_DIR: 't' })).toEqual([
      'RENDER_SECRET is required: set it to a random secret of at least 32 characters (e.g. openssl rand -hex 32).',
    ]);
    const problems = problemsOf({ ...MINIMAL, RENDER_SECRET: 'short-secret', ADMIN_TOKEN: 'tiny' });
    expect(problems).toEqual([
      'ADMIN_TOKEN must be a token of at least 16 characters, got a value of 4 characters.',
      'RENDER_SECRET must be a random secret of at least 32 characters (e.g. openssl rand -hex 32), got a value of 12 characters.',
    ]);
  });

  it('names both trigger sources when both or neither are set', () => {
    expect(
      problemsOf({ RENDER_SECRET: SECRET, TRIGGERS_DIR: 'triggers', TRIGGERS_TOPIC: 'trigger-definitions' }),
    ).toEqual([
      'TRIGGERS_DIR and TRIGGERS_TOPIC are both set: set exactly one (TRIGGERS_DIR to load a folder, TRIGGERS_TOPIC to read the trigger-definitions topic).',
    ]);
    expect(problemsOf({ RENDER_SECRET: SECRET })).toEqual([
      'Neither TRIGGERS_DIR nor TRIGGERS_TOPIC is set: set exactly one (TRIGGERS_DIR to load a folder, TRIGGERS_TOPIC to read the trigger-definitions topic).',
    ]);
  });

  it('reports every bad variable at once, in a not-retriable ConfigError', () => {
    let caught: unknown;
    try {
      loadConfig({ HTTP_PORT: '-1', OUTPUT_ENCODING: 'xml' });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const err = caught as ConfigError;
    expect(err.retriable).toBe(false);
    expect(err.problems).toHaveLength(4);
    expect(err.message).toContain('HTTP_PORT');
    expect(err.message).toContain('OUTPUT_ENCODING');
    expect(err.message).toContain('RENDER_SECRET');
    expect(err.message).toContain('TRIGGERS_DIR');
  });
});

describe('describeConfig', () => {
  it('redacts secrets and Redis credentials', () => {
    const config = loadConfig({
      ...MINIMAL,
      ADMIN_TOKEN: 'admin-token-0123456789',
      REDIS_URL: 'redis://u:pw@h:1',
    });
    const text = JSON.stringify(describeConfig(config));
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('admin-token-0123456789');
    expect(text).not.toContain('pw');
    expect(text).toContain('[redacted]');
    expect(text).toContain('127.0.0.1:9092');
  });
});

describe('redisConfigOf', () => {
  it("reads REDIS_URL's value as loadConfig does: one URL a single Redis, a list a Cluster's seed nodes", () => {
    const env = {
      ...MINIMAL,
      REDIS_PREFIX: 'pre:',
      REDIS_URL: 'redis://u:p%40ss@10.0.0.1:7000, redis://10.0.0.2:7001',
    };
    expect(redisConfigOf(env.REDIS_URL, 'pre:')).toEqual(loadConfig(env).redis);
    expect(redisConfigOf('redis://10.0.0.1:7000,redis://10.0.0.2:7001')).toMatchObject({
      mode: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 7001 },
      ],
    });
    expect(redisConfigOf('rediss://cache.example:6380/2')).toMatchObject({
      mode: 'single',
      tls: true,
      db: 2,
      keyPrefix: '',
    });
  });

  it('throws on a value loadConfig refuses', () => {
    expect(() => redisConfigOf('http://10.0.0.1')).toThrow();
    expect(() => redisConfigOf('')).toThrow();
  });
});
