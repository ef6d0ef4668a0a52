/**
 * Every Redis key of the engine, from one place (STYLE rule 8). A user's keys share the hash tag
 * `{u:<userId>}`, so they live in one slot and a per-user Lua script works on Redis Cluster unchanged;
 * each partition's due-timer index is `{t:<partition>}`. Every key starts with REDIS_PREFIX.
 */
export interface RedisKeys {
  /** Hash {r: revision, d: state JSON} of one user. */
  state(userId: string): string;
  /** List of the user's recent decisions (JSON), newest first, capped. */
  decisions(userId: string): string;
  /** Sorted set of a partition's armed timers: member = JSON [userId, timerId], score = dueAt. */
  timers(partition: number): string;
}

export function redisKeys(prefix: string): RedisKeys {
  return {
    state: (userId) => `${prefix}{u:${userId}}:s`,
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
