import type { OutputEncoding } from '../codec';

/** pino levels accepted by LOG_LEVEL. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Where trigger definitions come from: a watched folder (dev) or the compacted topic (production). */
export type TriggerSource = { source: 'dir'; dir: string } | { source: 'topic'; topic: string };

export interface RedisConfig {
  /** `cluster` when REDIS_URL lists several nodes (Redis Cluster), else `single`. */
  mode: 'single' | 'cluster';
  /** The URLs as given. */
  urls: readonly string[];
  /** host and port of each URL (the seed nodes of a cluster). */
  nodes: readonly { host: string; port: number }[];
  /** Credentials and TLS from the first URL (`rediss:` means TLS); null when absent. */
  username: string | null;
  password: string | null;
  tls: boolean;
  /** Database number from the URL path (single mode only; Cluster has only 0). */
  db: number;
  /** Prefix of every key (REDIS_PREFIX). */
  keyPrefix: string;
}

/** The engine's configuration, parsed once from the environment and frozen (STYLE rule 6). */
export interface EngineConfig {
  kafka: {
    brokers: readonly string[];
    clientId: string;
    groupId: string;
    sessionTimeoutMs: number;
  };
  /** Prefix of every topic name (`acme.` gives `acme.events.web`). */
  topicPrefix: string;
  redis: RedisConfig;
  triggers: TriggerSource;
  /** Encoding of activations and decisions. */
  outputEncoding: OutputEncoding;
  http: {
    port: number;
    /** Bearer token of the /v1 admin endpoints; null disables them (they answer 401). */
    adminToken: string | null;
    /** HMAC key of render tokens. */
    renderSecret: string;
    renderTokenTtlMs: number;
  };
  logLevel: LogLevel;
  tuning: {
    batchMaxRecords: number;
    commitIntervalMs: number;
    timerPollIntervalMs: number;
    timerPollMaxMs: number;
    timerBatchMax: number;
    stateTtlMs: number;
    decisionsKeptPerUser: number;
    shutdownTimeoutMs: number;
    /** Pass worker threads (decode states, evaluate, encode); 0: all on the main thread. */
    workerThreads: number;
  };
}
