export { EngineError, ConfigError, EncodeError, isRetriable } from './engine-error';
export { KAFKA_ERROR_CODES, KAFKAJS_ERROR_NAMES, fromKafkaError } from './kafka-errors';
export { REDIS_ERROR_PREFIXES, REDIS_CONNECTION_CODES, fromRedisError } from './redis-errors';
