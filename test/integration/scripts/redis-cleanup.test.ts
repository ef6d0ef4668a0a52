import { randomUUID } from 'node:crypto';

import Redis from 'ioredis';

import { deleteKeysByPrefix } from '../../../scripts/redis-cleanup';
import { startRedisCluster } from '../../support/redis-cluster';
import type { TestRedisCluster } from '../../support/redis-cluster';

jest.setTimeout(30_000);

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('deleteKeysByPrefix', () => {
  it('deletes the keys under the prefix and nothing else, glob characters taken literally', async () => {
    const redis = new Redis(REDIS_URL);
    const run = randomUUID();
    const prefix = `cleanup:${run}:a*`;
    const sibling = `cleanup:${run}:ab`;
    try {
      await redis.mset(`${prefix}1`, 'x', `${prefix}{u:2}:s`, 'y', `${sibling}:3`, 'z');
      expect(await deleteKeysByPrefix(redis, prefix)).toBe(2);
      expect(await redis.exists(`${prefix}1`, `${prefix}{u:2}:s`)).toBe(0);
      expect(await redis.get(`${sibling}:3`)).toBe('z');
      await expect(deleteKeysByPrefix(redis, '')).rejects.toThrow(/empty prefix/);
    } finally {
      await redis.del(`${sibling}:3`);
      await redis.quit();
    }
  });

  describe('on a Redis Cluster', () => {
    let cluster: TestRedisCluster;
    beforeAll(async () => {
      cluster = await startRedisCluster();
    });
    afterAll(() => cluster.stop());

    it("deletes the prefix's keys on every master, through a client that has not connected yet", async () => {
      const writer = cluster.client();
      const prefix = `cleanup:${randomUUID()}:`;
      const keys = Array.from({ length: 300 }, (_, i) => `${prefix}{u:${i}}:s`);
      const keep = `other:${randomUUID()}`;
      try {
        await Promise.all([...keys, keep].map((k) => writer.set(k, '1')));
        const perMaster = async () =>
          Promise.all(writer.nodes('master').map(async (n) => (await n.keys(`${prefix}*`)).length));
        // Spread over the masters, so a clean-up of one node would leave some.
        expect((await perMaster()).every((n) => n > 0)).toBe(true);
        const fresh = cluster.client();
        try {
          expect(await deleteKeysByPrefix(fresh, prefix)).toBe(300);
        } finally {
          await fresh.quit();
        }
        expect(await perMaster()).toEqual([0, 0, 0]);
        expect(await writer.get(keep)).toBe('1');
      } finally {
        await writer.quit();
      }
    });
  });
});
