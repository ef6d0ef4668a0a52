import { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } from 'kafkajs';
import { EngineError, KAFKA_ERROR_CODES, fromKafkaError } from '../../../../services/engine/errors';

describe('fromKafkaError', () => {
  it('maps a protocol error by its numeric code', () => {
    const err = fromKafkaError(
      new KafkaJSProtocolError(
        Object.assign(new Error('not leader'), {
          type: 'NOT_LEADER_FOR_PARTITION',
          code: 6,
          retriable: true,
        }),
      ),
    );
    expect(err.code).toBe('kafka_not_leader_or_follower');
    expect(err.retriable).toBe(true);
  });

  it('uses the table flag, not the client flag, for known codes', () => {
    const err = fromKafkaError(Object.assign(new Error('too big'), { code: 10, retriable: true }));
    expect(err.code).toBe('kafka_message_too_large');
    expect(err.retriable).toBe(false);
  });

  it('treats connection errors as retriable and exhausted retries as final', () => {
    const conn = fromKafkaError(new KafkaJSConnectionError('Connection error: ECONNREFUSED'));
    expect(conn.code).toBe('kafka_client_error');
    expect(conn.retriable).toBe(true);
    const exhausted = fromKafkaError(
      new KafkaJSNumberOfRetriesExceeded(new Error('gave up'), { retryCount: 5, retryTime: 100 }),
    );
    expect(exhausted.retriable).toBe(false);
  });

  it('passes engine errors through and wraps strings', () => {
    const own = new EngineError('x', 'y', { retriable: true });
    expect(fromKafkaError(own)).toBe(own);
    const wrapped = fromKafkaError('weird');
    expect(wrapped.message).toBe('weird');
    expect(wrapped.retriable).toBe(false);
  });

  it('has unique names in the code table', () => {
    const names = Object.values(KAFKA_ERROR_CODES).map((e) => e.name);
    expect(new Set(names).size).toBe(names.length);
  });
});
