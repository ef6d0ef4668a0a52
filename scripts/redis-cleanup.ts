import type { Cluster, Redis } from 'ioredis';

/**
 * The nodes that hold keys: the client itself on a single Redis, every master of a Cluster (connecting a
 * fresh Cluster client first: it knows no nodes before its first command).
 */
export async function masterNodes(redis: Redis | Cluster): Promise<Redis[]> {
  if (!redis.isCluster) return [redis as Redis];
  await redis.ping();
  return (redis as Cluster).nodes('master');
}

/**
 * Deletes every key under `prefix` and resolves with how many were deleted: SCAN MATCH prefix* on the
 * node, or on every master of a Redis Cluster, then UNLINK per page. For the unique run prefixes of
 * tests, `make demo` and the bench: never a flush, so other users of the same Redis keep their keys.
 * Glob characters in the prefix are escaped, so it matches literally; an empty prefix is refused.
 */
export async function deleteKeysByPrefix(redis: Redis | Cluster, prefix: string): Promise<number> {
  if (prefix === '') throw new Error('deleteKeysByPrefix: an empty prefix would delete every key');
  const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
  let deleted = 0;
  for (const node of await masterNodes(redis)) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      // One UNLINK per key: a page of a Cluster node's keys spans many slots, and a multi-key command
      // must stay in one.
      if (keys.length > 0) {
        const replies = (await node.pipeline(keys.map((k) => ['unlink', k])).exec()) ?? [];
        for (const [err, n] of replies) {
          if (err) throw err;
          deleted += Number(n);
        }
      }
    } while (cursor !== '0');
  }
  return deleted;
}
