import { ErrorCode } from '../errors';
import { groupOf } from './group';
import type { Group, Groups, Member } from './group';
import type { OffsetStore } from './offsets';
import { KeyedQueue } from './queue';
import type { CommitEntry, FetchedTopic } from './types';

/** Kafka's offset.metadata.max.bytes. */
const MAX_METADATA_BYTES = 4096;

/** What committing needs from the rest of the coordinator. */
export interface CommitsOptions {
  /** Whether topic/partition exists: OffsetCommit answers 3 otherwise. */
  partitionExists: (topic: string, partition: number) => boolean;
  /** Restarts a member's session timer (a commit counts as being heard from). */
  touch: (g: Group, m: Member) => void;
  /** Hears of a commit set that could not be written. */
  onPersistError: (err: unknown, groupId: string) => void;
}

/**
 * OffsetCommit and OffsetFetch over the groups (devbroker.md §6): the commit's group check, the
 * per-partition checks, and persistence. The work that awaits (writing a group's file) runs on one
 * queue per group, so a group's commits are applied and written in request order.
 */
export class GroupCommits {
  private readonly queue = new KeyedQueue();

  constructor(
    private readonly groups: Groups,
    private readonly offsets: OffsetStore,
    private readonly opts: CommitsOptions,
  ) {}

  /**
   * OffsetCommit's group check: 0 when the commit may be stored. A simple commit (generation < 0) is
   * allowed on an Empty or missing group; otherwise member (25), generation (22), and only
   * CompletingRebalance refuses (27). A commit refreshes the member's session.
   */
  check(groupId: string, memberId: string, generation: number): number {
    if (groupId === '') return ErrorCode.INVALID_GROUP_ID;
    const g = this.groups.get(groupId);
    if (generation < 0 && (!g || g.state === 'Empty')) {
      groupOf(this.groups, groupId);
      return 0;
    }
    const m = g?.members.get(memberId);
    if (!g || !m) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (generation !== g.generation) return ErrorCode.ILLEGAL_GENERATION;
    if (g.state === 'CompletingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS;
    if (!m.heldJoin && !m.heldSync) this.opts.touch(g, m);
    return 0;
  }

  /** Stores a checked commit and starts persisting it in the background; per-partition codes. */
  commit(groupId: string, entries: CommitEntry[]): number[] {
    const codes = this.store(groupId, entries);
    void this.persist(groupId);
    return codes;
  }

  /** The whole OffsetCommit: check, store, and resolve once on disk (with a data dir). */
  commitOffsets(
    groupId: string,
    memberId: string,
    generation: number,
    entries: CommitEntry[],
  ): Promise<number[]> {
    return this.queue.run(groupId, async () => {
      const check = this.check(groupId, memberId, generation);
      if (check !== 0) return entries.map(() => check);
      const codes = this.store(groupId, entries);
      await this.offsets.persist(groupId);
      return codes;
    });
  }

  private store(groupId: string, entries: CommitEntry[]): number[] {
    return entries.map((e) => {
      if (!this.opts.partitionExists(e.topic, e.partition)) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      if (Buffer.byteLength(e.metadata ?? '') > MAX_METADATA_BYTES)
        return ErrorCode.OFFSET_METADATA_TOO_LARGE;
      this.offsets.set(groupId, e.topic, e.partition, { offset: e.offset, metadata: e.metadata ?? '' });
      return 0;
    });
  }

  /** Writes the group's commits on its queue; a failure is reported, never thrown. */
  persist(groupId: string): Promise<void> {
    return this.queue
      .run(groupId, () => this.offsets.persist(groupId))
      .catch((err: unknown) => this.opts.onPersistError(err, groupId));
  }

  /** OffsetFetch: no membership check; -1 and "" when nothing is committed; `topics` null means all. */
  fetch(groupId: string, topics: { topic: string; partitions: number[] }[] | null): FetchedTopic[] {
    if (topics === null) return this.offsets.all(groupId);
    return topics.map((t) => ({
      topic: t.topic,
      partitions: t.partitions.map((p) => {
        const c = this.offsets.get(groupId, t.topic, p);
        return { partition: p, offset: c?.offset ?? -1n, metadata: c?.metadata ?? '' };
      }),
    }));
  }

  /** Drops every group's committed offsets of a deleted topic, as Kafka does. */
  deleteTopic(topic: string): void {
    for (const groupId of this.offsets.deleteTopic(topic)) void this.persist(groupId);
  }

  /** Resolves once every commit and persist queued so far has finished, deleted groups' included. */
  flush(): Promise<void> {
    return this.queue.idle();
  }
}
