/**
 * Every Redis key of the engine, from one place (STYLE rule 8). A user's keys share the hash tag
 * `{u:<userId>}`, so they live in one slot and a per-user Lua script works on Redis Cluster unchanged;
 * each partition's due-timer index is `{t:<partition>}`. Every key starts with REDIS_PREFIX.
 */
import { EngineError } from '../errors';

export interface RedisKeys {
  /** Hash {r: revision, d: state document} of one user. */
  state(userId: string): string;
  /** List of the user's history entries (JSON), oldest first, when the state codec keeps history apart. */
  history(userId: string): string;
  /** List of the user's recent decisions (JSON), newest first, capped. */
  decisions(userId: string): string;
  /** Sorted set of a partition's armed timers: member = JSON [userId, timerId], score = dueAt. */
  timers(partition: number): string;
}

/**
 * The keys under `prefix` (REDIS_PREFIX, may be empty). A prefix with `{` or `}` is refused: Redis Cluster
 * would hash its braces instead of the user's tag and put every key in one slot.
 */
export function redisKeys(prefix: string): RedisKeys {
  if (/[{}]/.test(prefix)) {
    throw new EngineError(
      'redis_prefix_invalid',
      `REDIS_PREFIX "${prefix}" contains a brace; keys are hash-tagged per user, so the prefix must not be.`,
    );
  }
  return {
    state: (userId) => `${prefix}{u:${userId}}:s`,
    history: (userId) => `${prefix}{u:${userId}}:h`,
    decisions: (userId) => `${prefix}{u:${userId}}:d`,
    timers: (partition) => `${prefix}{t:${partition}}`,
  };
}

/** The due-index member of one timer. */
export function timerMember(userId: string, timerId: string): string {
  return JSON.stringify([userId, timerId]);
}

export function parseTimerMember(member: string): { userId: string; timerId: string } | null {
  try {
    const parsed: unknown = JSON.parse(member);
    if (Array.isArray(parsed) && typeof parsed[0] === 'string' && typeof parsed[1] === 'string') {
      return { userId: parsed[0], timerId: parsed[1] };
    }
  } catch {
    // fall through: a member we did not write
  }
  return null;
}
