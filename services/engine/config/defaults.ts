const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/**
 * Every default of the engine's configuration, in one place, units in the names (STYLE rule 6).
 * The environment variable that overrides each is listed in `ENV` (env.ts).
 */
export const CONFIG_DEFAULTS = {
  kafkaBrokers: '127.0.0.1:9092',
  kafkaClientId: 'trigger-engine',
  kafkaGroupId: 'trigger-engine',
  /** Consumer group session timeout: a member silent this long is evicted and its partitions move. */
  kafkaSessionTimeoutMs: 30_000,
  topicPrefix: '',
  redisUrl: 'redis://127.0.0.1:6379',
  /** Prepended to every Redis key (before the `{u:<id>}` hash tag). */
  redisPrefix: 'te:',
  outputEncoding: 'avro',
  httpPort: 8080,
  logLevel: 'info',
  /** Most records one lane takes into one batch (one load, one send, one apply). */
  batchMaxRecords: 500,
  /**
   * Most time between offset commits of processed records (and the commit on shutdown and rebalance):
   * a commit per batch cost a broker round trip per topic-partition per fetch. A crash redelivers at
   * most this much; redelivered events are recognised by eventId and change nothing.
   */
  commitIntervalMs: 1000,
  /**
   * Shortest time from a poll of a partition's due-timer index that handed timers over (or failed) to its
   * next poll, ms: under load, when timers fall due all the time, this is how late one can be (timers
   * must fire within 100 ms of due, issue 4). Otherwise the engine sleeps until the earliest timer it
   * knows of and fires it a few milliseconds after due.
   */
  timerPollIntervalMs: 50,
  /**
   * Longest time between two polls of an owned partition's index, ms: how late a timer this instance was
   * not told of can fire (one written by the partition's previous owner during a rebalance).
   */
  timerPollMaxMs: 1000,
  /** Most due timers one lane takes into one batch. */
  timerBatchMax: 500,
  /**
   * Time to live of a user's state after its last write: users who go quiet expire. 400 days outlives
   * the example policies' `consent.maxAge: 395d`, so a returning user's consent is still known (a
   * shorter TTL would turn it into consent_missing); evaluate's `requiredStateTtlMs` gives the exact floor.
   */
  stateTtlMs: 400 * DAY_MS,
  /** Recent decisions kept per user for `GET /v1/users/{userId}/decisions`. */
  decisionsKeptPerUser: 50,
  /** Longest a graceful shutdown waits for in-flight batches before exiting. */
  shutdownTimeoutMs: 15_000,
  /**
   * Worker threads that decode states, evaluate and encode the lanes' passes while the main thread does
   * the I/O (lane p on thread p mod n); 0 keeps everything on the main thread. One halved the benchmark's
   * median p99 on two cores; a second added memory and nothing measurable (docs/performance.md).
   */
  workerThreads: 1,
  /**
   * Lifetime of a render token (`renderAt: open`) from the activation's emission, whatever its send
   * window: an email opened later renders nothing (410).
   */
  renderTokenTtlMs: 7 * DAY_MS,
} as const;

/** Shortest accepted RENDER_SECRET (HMAC key), characters. */
export const RENDER_SECRET_MIN_LENGTH = 32;
/** Shortest accepted ADMIN_TOKEN (bearer token), characters. */
export const ADMIN_TOKEN_MIN_LENGTH = 16;
