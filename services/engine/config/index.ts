export { loadConfig, describeConfig, redisConfigOf } from './load';
export type { Env } from './load';
export { CONFIG_DEFAULTS, RENDER_SECRET_MIN_LENGTH, ADMIN_TOKEN_MIN_LENGTH } from './defaults';
export { LOG_LEVELS } from './config';
export type { EngineConfig, LogLevel, RedisConfig, TriggerSource } from './config';
