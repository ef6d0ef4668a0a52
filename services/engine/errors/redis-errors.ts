import { EngineError } from './engine-error';

/**
 * Redis error replies by their first word, as data (STYLE rule 9): our code and whether a retry (after
 * backoff, possibly after a cluster redirect the client follows) may succeed.
 */
export const REDIS_ERROR_PREFIXES: Readonly<Record<string, { code: string; retriable: boolean }>> = {
  LOADING: { code: 'redis_loading', retriable: true },
  BUSY: { code: 'redis_busy', retriable: true },
  TRYAGAIN: { code: 'redis_try_again', retriable: true },
  CLUSTERDOWN: { code: 'redis_cluster_down', retriable: true },
  MASTERDOWN: { code: 'redis_master_down', retriable: true },
  READONLY: { code: 'redis_read_only', retriable: true },
  MOVED: { code: 'redis_moved', retriable: true },
  ASK: { code: 'redis_ask', retriable: true },
  NOREPLICAS: { code: 'redis_no_replicas', retriable: true },
  NOSCRIPT: { code: 'redis_no_script', retriable: true },
  OOM: { code: 'redis_out_of_memory', retriable: false },
  WRONGTYPE: { code: 'redis_wrong_type', retriable: false },
  EXECABORT: { code: 'redis_exec_abort', retriable: false },
  NOAUTH: { code: 'redis_auth_required', retriable: false },
  WRONGPASS: { code: 'redis_wrong_password', retriable: false },
  NOPERM: { code: 'redis_no_permission', retriable: false },
  CROSSSLOT: { code: 'redis_cross_slot', retriable: false },
  ERR: { code: 'redis_error', retriable: false },
};

/** Socket-level error codes (Node `err.code`) seen when Redis goes away: all worth a retry. */
export const REDIS_CONNECTION_CODES: readonly string[] = [
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
];

/** ioredis messages that mean the connection is gone rather than the command being wrong. */
const CONNECTION_MESSAGES = ['Connection is closed', "Stream isn't writeable", 'Reached the max retries'];

/**
 * Wraps anything a Redis client threw into an `EngineError` (already-wrapped errors pass through):
 * connection failures are `redis_unavailable` (retriable), error replies are looked up by their first
 * word in `REDIS_ERROR_PREFIXES`, anything else is `redis_error` (not retriable).
 */
export function fromRedisError(err: unknown): EngineError {
  if (err instanceof EngineError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const nodeCode = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  if (
    (typeof nodeCode === 'string' && REDIS_CONNECTION_CODES.includes(nodeCode)) ||
    CONNECTION_MESSAGES.some((m) => message.startsWith(m))
  ) {
    return new EngineError('redis_unavailable', message, { retriable: true, cause: err });
  }
  const firstWord = /^[A-Z]+/.exec(message)?.[0];
  const known = firstWord === undefined ? undefined : REDIS_ERROR_PREFIXES[firstWord];
  if (known !== undefined)
    return new EngineError(known.code, message, { retriable: known.retriable, cause: err });
  return new EngineError('redis_error', message, { retriable: false, cause: err });
}
