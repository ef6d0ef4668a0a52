/**
 * The one error root of the engine (STYLE rule 9). Every error the engine raises or wraps is an
 * `EngineError` with a stable string `code` (for logs, metrics and tests) and a `retriable` flag:
 * retry logic reads the flag and never parses messages.
 */
export class EngineError extends Error {
  /** Stable, short, snake_case identifier, e.g. `config_invalid`, `kafka_not_leader_or_follower`. */
  readonly code: string;
  /** True when the same operation may succeed if tried again later (after backoff). */
  readonly retriable: boolean;

  constructor(code: string, message: string, options: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EngineError';
    this.code = code;
    this.retriable = options.retriable ?? false;
  }
}

/** A configuration value is missing or malformed; start-up stops. `problems` holds one sentence each. */
export class ConfigError extends EngineError {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super('config_invalid', `Invalid configuration:\n- ${problems.join('\n- ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** An output record (activation, decision) could not be encoded: a bug, never retried. */
export class EncodeError extends EngineError {
  constructor(message: string, cause?: unknown) {
    super('encode_failed', message, { cause });
    this.name = 'EncodeError';
  }
}

/** True when `err` is an `EngineError` flagged retriable; any other value is treated as not retriable. */
export function isRetriable(err: unknown): boolean {
  return err instanceof EngineError && err.retriable;
}
