import type { Redis } from 'ioredis';

/**
 * Deletes every key under `prefix` (SCAN MATCH prefix*, then DEL per page) on one Redis node and
 * resolves with how many were deleted. For the unique run prefixes of tests, `make demo` and the bench:
 * never a flush, so other users of the same Redis keep their keys. Glob characters in the prefix are
 * escaped, so it matches literally; an empty prefix is refused.
 */
export async function deleteKeysByPrefix(redis: Redis, prefix: string): Promise<number> {
  if (prefix === '') throw new Error('deleteKeysByPrefix: an empty prefix would delete every key');
  const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
  let deleted = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) deleted += await redis.del(...keys);
  } while (cursor !== '0');
  return deleted;
}
