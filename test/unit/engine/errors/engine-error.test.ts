import { ConfigError, EncodeError, EngineError, isRetriable } from '../../../../services/engine/errors';

describe('EngineError', () => {
  it('carries a code, a retriable flag (default false) and a cause', () => {
    const cause = new Error('socket hang up');
    const err = new EngineError('redis_unavailable', 'Redis went away', { retriable: true, cause });
    expect(err).toBeInstanceOf(Error);
    expect(err.code).toBe('redis_unavailable');
    expect(err.retriable).toBe(true);
    expect(err.cause).toBe(cause);
    expect(new EngineError('x', 'y').retriable).toBe(false);
  });

  it('ConfigError lists every problem in its message and is not retriable', () => {
    const err = new ConfigError(['KAFKA_BROKERS is bad.', 'HTTP_PORT is bad.']);
    expect(err).toBeInstanceOf(EngineError);
    expect(err.code).toBe('config_invalid');
    expect(err.problems).toEqual(['KAFKA_BROKERS is bad.', 'HTTP_PORT is bad.']);
    expect(err.message).toContain('- KAFKA_BROKERS is bad.\n- HTTP_PORT is bad.');
    expect(isRetriable(err)).toBe(false);
  });

  it('EncodeError has code encode_failed', () => {
    expect(new EncodeError('bad activation').code).toBe('encode_failed');
  });

  it('isRetriable reads only the flag of engine errors', () => {
    expect(isRetriable(new EngineError('a', 'b', { retriable: true }))).toBe(true);
    expect(isRetriable(Object.assign(new Error('x'), { retriable: true }))).toBe(false);
    expect(isRetriable('boom')).toBe(false);
  });
});
