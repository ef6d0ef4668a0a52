import { pino } from 'pino';
import type { DestinationStream, Logger } from 'pino';
import type { LogLevel } from '../config';

export type { Logger } from 'pino';

/**
 * The user-id rule (STYLE rule 12): user ids are personal data, so they appear in logs only at debug
 * and trace. At info and above, fields with these names in a log call's object (top level and one level
 * down, e.g. `{ input: { userId } }`) are replaced by `[redacted]`. Never bind a user id in a child
 * logger (`logger.child({ userId })`): bindings are serialised once, whatever the level of later calls.
 */
export const USER_ID_FIELDS: readonly string[] = ['userId', 'userIds', 'user', 'users'];

/** Secrets, redacted at every level by pino's path redaction. */
export const SECRET_PATHS: readonly string[] = [
  'adminToken',
  'renderSecret',
  'password',
  'token',
  'authorization',
  '*.adminToken',
  '*.renderSecret',
  '*.password',
  '*.token',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
];

export const REDACTED = '[redacted]';

/** pino's numeric value of `debug`: calls above it are info, warn, error, fatal. */
const DEBUG_LEVEL = 20;

function redactUserIds(fields: Record<string, unknown>, depth: number): Record<string, unknown> {
  let copy: Record<string, unknown> | null = null;
  for (const [name, value] of Object.entries(fields)) {
    let next = value;
    if (USER_ID_FIELDS.includes(name)) next = REDACTED;
    else if (
      depth > 0 &&
      typeof value === 'object' &&
      value !== null &&
      !Array.isArray(value) &&
      !(value instanceof Error)
    ) {
      next = redactUserIds(value as Record<string, unknown>, depth - 1);
    }
    if (next !== value) {
      copy ??= { ...fields };
      copy[name] = next;
    }
  }
  return copy ?? fields;
}

/** Options of `createLogger`. */
export interface LoggerOptions {
  /** Lowest level written (LOG_LEVEL). */
  level: LogLevel;
  /** Where JSON lines go; default stdout. Tests pass a stream that collects lines. */
  destination?: DestinationStream;
  /** Bound as `name` on every line; default `trigger-engine`. */
  name?: string;
}

/**
 * The root logger: JSON lines, ISO times, the user-id rule above and secret redaction. Modules get a
 * child from `moduleLogger`; only entry points create a root.
 */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      name: options.name ?? 'trigger-engine',
      level: options.level,
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: [...SECRET_PATHS], censor: REDACTED },
      hooks: {
        logMethod(args, method, level) {
          const first: unknown = args[0];
          if (
            level > DEBUG_LEVEL &&
            typeof first === 'object' &&
            first !== null &&
            !(first instanceof Error)
          ) {
            args[0] = redactUserIds(first as Record<string, unknown>, 1);
          }
          method.apply(this, args);
        },
      },
    },
    options.destination ?? process.stdout,
  );
}

/** The child logger of one module (STYLE rule 12): every line carries `module`. */
export function moduleLogger(root: Logger, module: string): Logger {
  return root.child({ module });
}
