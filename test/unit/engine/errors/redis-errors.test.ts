import { EngineError, fromRedisError } from '../../../../services/engine/errors';

describe('fromRedisError', () => {
  it('maps socket failures to redis_unavailable, retriable', () => {
    const err = fromRedisError(
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' }),
    );
    expect(err.code).toBe('redis_unavailable');
    expect(err.retriable).toBe(true);
    expect(fromRedisError(new Error('Connection is closed.')).code).toBe('redis_unavailable');
  });

  it.each([
    ['LOADING Redis is loading the dataset in memory', 'redis_loading', true],
    ['TRYAGAIN Multiple keys request during rehashing of slot', 'redis_try_again', true],
    ['NOSCRIPT No matching script. Please use EVAL.', 'redis_no_script', true],
    ['OOM command not allowed when used memory > maxmemory', 'redis_out_of_memory', false],
    ['WRONGTYPE Operation against a key holding the wrong kind of value', 'redis_wrong_type', false],
    ["CROSSSLOT Keys in request don't hash to the same slot", 'redis_cross_slot', false],
    ['ERR unknown command', 'redis_error', false],
  ])('maps the reply %s', (message, code, retriable) => {
    const err = fromRedisError(new Error(message));
    expect(err.code).toBe(code);
    expect(err.retriable).toBe(retriable);
  });

  it('treats unknown replies as not retriable and passes engine errors through', () => {
    expect(fromRedisError(new Error('something odd')).retriable).toBe(false);
    const own = new EngineError('redis_conflict', 'rev moved');
    expect(fromRedisError(own)).toBe(own);
  });
});
