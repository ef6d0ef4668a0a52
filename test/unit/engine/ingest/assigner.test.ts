import { AssignerProtocol } from 'kafkajs';
import type { Cluster } from 'kafkajs';

import {
  assignPartitionNumbers,
  checkCoPartitioned,
  CO_PARTITION_ASSIGNER,
  coPartitionAssigner,
} from '../../../../services/engine/ingest';

describe('assignPartitionNumbers', () => {
  it.each([
    [1, 6],
    [2, 6],
    [3, 8],
    [4, 3],
    [5, 32],
  ])('gives %i member(s) of %i partitions each number once, balanced within one', (members, count) => {
    const ids = Array.from({ length: members }, (_, i) => `m-${i}`);
    const out = assignPartitionNumbers(ids, count);
    const all = [...out.values()].flat().sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: count }, (_, p) => p));
    const sizes = [...out.values()].map((ps) => ps.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    expect(out.size).toBe(members);
  });

  it('is deterministic whatever order the members arrive in', () => {
    const a = assignPartitionNumbers(['b', 'c', 'a'], 7);
    const b = assignPartitionNumbers(['c', 'a', 'b'], 7);
    expect([...a.entries()].sort()).toEqual([...b.entries()].sort());
    expect(a.get('a')).toEqual([0, 3, 6]);
  });
});

describe('checkCoPartitioned', () => {
  it('returns the common partition count', () => {
    expect(
      checkCoPartitioned(
        new Map([
          ['events.web', 8],
          ['profiles', 8],
        ]),
      ),
    ).toBe(8);
  });

  it('names every topic and its count when they differ', () => {
    expect(() =>
      checkCoPartitioned(
        new Map([
          ['events.web', 8],
          ['consent', 4],
        ]),
      ),
    ).toThrow(/events\.web=8, consent=4/);
  });

  it('refuses an empty topic list', () => {
    expect(() => checkCoPartitioned(new Map())).toThrow(/no input topics/);
  });
});

describe('coPartitionAssigner', () => {
  const counts: Record<string, number> = { 'events.web': 4, profiles: 4, consent: 4 };
  const cluster = {
    findTopicPartitionMetadata: (topic: string) =>
      Array.from({ length: counts[topic] ?? 0 }, (_, partitionId) => ({ partitionId })),
  } as unknown as Cluster;

  it('gives each member the same partition numbers of every subscribed topic', async () => {
    const assigner = coPartitionAssigner({ cluster, groupId: 'g', logger: undefined as never });
    expect(assigner.name).toBe(CO_PARTITION_ASSIGNER);
    const topics = Object.keys(counts);
    const result = await assigner.assign({
      members: [{ memberId: 'm-2' }, { memberId: 'm-1' }].map((m) => ({
        ...m,
        memberMetadata: Buffer.alloc(0),
      })),
      topics,
    });
    const decoded = new Map(
      result.map((r) => [
        r.memberId,
        AssignerProtocol.MemberAssignment.decode(r.memberAssignment)?.assignment,
      ]),
    );
    expect(decoded.get('m-1')).toEqual({ 'events.web': [0, 2], profiles: [0, 2], consent: [0, 2] });
    expect(decoded.get('m-2')).toEqual({ 'events.web': [1, 3], profiles: [1, 3], consent: [1, 3] });
  });
});
