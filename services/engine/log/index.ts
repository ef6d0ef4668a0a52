export { createLogger, moduleLogger, USER_ID_FIELDS, SECRET_PATHS, REDACTED } from './logger';
export type { Logger, LoggerOptions } from './logger';
