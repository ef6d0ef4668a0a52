import { AssignerProtocol } from 'kafkajs';
import type { PartitionAssigner } from 'kafkajs';

/** Protocol name of the co-partitioning assigner; every engine instance of a group must use it. */
export const CO_PARTITION_ASSIGNER = 'TriggerCoPartition';

/**
 * Which partition numbers each member owns: partition p of EVERY subscribed topic goes to one member, so
 * one lane sees all of a user's records (DESIGN.md decision 1). Members are sorted for determinism and
 * partition numbers dealt round-robin, so counts differ by at most one.
 */
export function assignPartitionNumbers(
  memberIds: readonly string[],
  partitionCount: number,
): Map<string, number[]> {
  const members = [...memberIds].sort();
  const out = new Map<string, number[]>(members.map((m) => [m, []]));
  for (let p = 0; p < partitionCount; p++) out.get(members[p % members.length] as string)?.push(p);
  return out;
}

/**
 * Checks that every input topic has the same partition count; returns it, or throws a sentence naming
 * the topics and their counts (a user's records would otherwise land on different lanes).
 */
export function checkCoPartitioned(counts: ReadonlyMap<string, number>): number {
  const distinct = new Set(counts.values());
  if (distinct.size === 1) return [...distinct][0] as number;
  const listed = [...counts].map(([t, n]) => `${t}=${n}`).join(', ');
  throw new Error(
    distinct.size === 0
      ? 'no input topics to consume'
      : `input topics must all have the same partition count (one user, one lane), but they have ${listed}: repartition them to one count`,
  );
}

/** The kafkajs partition assigner doing `assignPartitionNumbers` across all subscribed topics. */
export const coPartitionAssigner: PartitionAssigner = ({ cluster }) => ({
  name: CO_PARTITION_ASSIGNER,
  version: 1,
  async assign({ members, topics }) {
    const counts = new Map(topics.map((t) => [t, cluster.findTopicPartitionMetadata(t).length]));
    const count = Math.max(0, ...counts.values());
    const byMember = assignPartitionNumbers(
      members.map((m) => m.memberId),
      count,
    );
    return members.map((m) => {
      const mine = byMember.get(m.memberId) ?? [];
      const assignment: Record<string, number[]> = {};
      for (const t of topics) assignment[t] = mine.filter((p) => p < (counts.get(t) ?? 0));
      return {
        memberId: m.memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({
          version: 1,
          assignment,
          userData: Buffer.alloc(0),
        }),
      };
    });
  },
  protocol({ topics }) {
    return {
      name: CO_PARTITION_ASSIGNER,
      metadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData: Buffer.alloc(0) }),
    };
  },
});
