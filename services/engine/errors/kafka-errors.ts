import { EngineError } from './engine-error';

/**
 * Kafka protocol error codes the engine can meet, as data (STYLE rule 9): the Kafka name and whether
 * the request may succeed when retried. Codes not listed are treated as not retriable.
 */
export const KAFKA_ERROR_CODES: Readonly<Record<number, { name: string; retriable: boolean }>> = {
  [-1]: { name: 'UNKNOWN_SERVER_ERROR', retriable: false },
  1: { name: 'OFFSET_OUT_OF_RANGE', retriable: false },
  2: { name: 'CORRUPT_MESSAGE', retriable: true },
  3: { name: 'UNKNOWN_TOPIC_OR_PARTITION', retriable: true },
  5: { name: 'LEADER_NOT_AVAILABLE', retriable: true },
  6: { name: 'NOT_LEADER_OR_FOLLOWER', retriable: true },
  7: { name: 'REQUEST_TIMED_OUT', retriable: true },
  8: { name: 'BROKER_NOT_AVAILABLE', retriable: false },
  9: { name: 'REPLICA_NOT_AVAILABLE', retriable: true },
  10: { name: 'MESSAGE_TOO_LARGE', retriable: false },
  13: { name: 'NETWORK_EXCEPTION', retriable: true },
  14: { name: 'COORDINATOR_LOAD_IN_PROGRESS', retriable: true },
  15: { name: 'COORDINATOR_NOT_AVAILABLE', retriable: true },
  16: { name: 'NOT_COORDINATOR', retriable: true },
  17: { name: 'INVALID_TOPIC_EXCEPTION', retriable: false },
  18: { name: 'RECORD_LIST_TOO_LARGE', retriable: false },
  19: { name: 'NOT_ENOUGH_REPLICAS', retriable: true },
  20: { name: 'NOT_ENOUGH_REPLICAS_AFTER_APPEND', retriable: true },
  22: { name: 'ILLEGAL_GENERATION', retriable: false },
  23: { name: 'INCONSISTENT_GROUP_PROTOCOL', retriable: false },
  24: { name: 'INVALID_GROUP_ID', retriable: false },
  25: { name: 'UNKNOWN_MEMBER_ID', retriable: false },
  26: { name: 'INVALID_SESSION_TIMEOUT', retriable: false },
  27: { name: 'REBALANCE_IN_PROGRESS', retriable: false },
  29: { name: 'TOPIC_AUTHORIZATION_FAILED', retriable: false },
  30: { name: 'GROUP_AUTHORIZATION_FAILED', retriable: false },
  31: { name: 'CLUSTER_AUTHORIZATION_FAILED', retriable: false },
  35: { name: 'UNSUPPORTED_VERSION', retriable: false },
  36: { name: 'TOPIC_ALREADY_EXISTS', retriable: false },
  37: { name: 'INVALID_PARTITIONS', retriable: false },
  41: { name: 'NOT_CONTROLLER', retriable: true },
  42: { name: 'INVALID_REQUEST', retriable: false },
  51: { name: 'CONCURRENT_TRANSACTIONS', retriable: true },
  56: { name: 'KAFKA_STORAGE_ERROR', retriable: true },
  58: { name: 'SASL_AUTHENTICATION_FAILED', retriable: false },
  70: { name: 'FETCH_SESSION_ID_NOT_FOUND', retriable: true },
  71: { name: 'INVALID_FETCH_SESSION_EPOCH', retriable: true },
  74: { name: 'FENCED_LEADER_EPOCH', retriable: true },
  75: { name: 'UNKNOWN_LEADER_EPOCH', retriable: true },
  78: { name: 'OFFSET_NOT_AVAILABLE', retriable: true },
  79: { name: 'MEMBER_ID_REQUIRED', retriable: false },
  81: { name: 'GROUP_MAX_SIZE_REACHED', retriable: false },
  82: { name: 'FENCED_INSTANCE_ID', retriable: false },
  87: { name: 'INVALID_RECORD', retriable: false },
  88: { name: 'UNSTABLE_OFFSET_COMMIT', retriable: true },
};

/** kafkajs client-side error names (no protocol code) and whether they are worth a retry. */
export const KAFKAJS_ERROR_NAMES: Readonly<Record<string, boolean>> = {
  KafkaJSConnectionError: true,
  KafkaJSConnectionClosedError: true,
  KafkaJSRequestTimeoutError: true,
  KafkaJSBrokerNotFound: true,
  KafkaJSMetadataNotLoaded: true,
  KafkaJSTopicMetadataNotLoaded: true,
  KafkaJSStaleTopicMetadataAssignment: true,
  KafkaJSNumberOfRetriesExceeded: false,
  KafkaJSNonRetriableError: false,
  KafkaJSSASLAuthenticationError: false,
  KafkaJSGroupCoordinatorNotFound: false,
  KafkaJSTimeout: false,
  KafkaJSLockTimeout: false,
};

function field(err: unknown, name: string): unknown {
  return typeof err === 'object' && err !== null ? (err as Record<string, unknown>)[name] : undefined;
}

/**
 * Wraps anything a Kafka client threw into an `EngineError` (already-wrapped errors pass through).
 * Protocol errors get code `kafka_<name in lower case>` and the table's retriable flag; kafkajs client
 * errors get `kafka_client_error` with the flag from the name table, else the client's own flag.
 */
export function fromKafkaError(err: unknown): EngineError {
  if (err instanceof EngineError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const protocolCode = field(err, 'code');
  if (typeof protocolCode === 'number') {
    const known = KAFKA_ERROR_CODES[protocolCode];
    if (known !== undefined) {
      return new EngineError(`kafka_${known.name.toLowerCase()}`, message, {
        retriable: known.retriable,
        cause: err,
      });
    }
  }
  const name = field(err, 'name');
  const byName = typeof name === 'string' ? KAFKAJS_ERROR_NAMES[name] : undefined;
  const ownFlag = field(err, 'retriable');
  const retriable = byName ?? (typeof ownFlag === 'boolean' ? ownFlag : false);
  return new EngineError('kafka_client_error', message, { retriable, cause: err });
}
