import { randomUUID } from 'node:crypto';

import { ErrorCode } from '../errors';
import { describeGroup, listGroups } from './catalog';
import { GroupCommits } from './commits';
import { groupOf } from './group';
import type { Groups } from './group';
import { Membership } from './membership';
import { OffsetStore } from './offsets';
import { realScheduler } from './scheduler';
import type { Scheduler } from './scheduler';
import type {
  CommitEntry,
  FetchedTopic,
  GroupDescription,
  GroupListing,
  JoinRequest,
  JoinResult,
  LeaveResult,
  SyncRequest,
  SyncResult,
} from './types';

/** Minimal logger the coordinator needs (a pino logger fits). */
export interface CoordinatorLog {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface CoordinatorOptions {
  /** Where committed offsets are kept (`<dataDir>/group-offsets/*.json`); memory only when null. */
  dataDir: string | null;
  /** Whether topic/partition exists: OffsetCommit answers 3 otherwise. */
  partitionExists: (topic: string, partition: number) => boolean;
  /** JoinGroup session timeouts outside [min, max] get 26. Defaults 6000 and 1_800_000 (Kafka's). */
  minSessionTimeoutMs?: number;
  maxSessionTimeoutMs?: number;
  /** Timers (session, rebalance, pending sync, pending member id); default Node timers. */
  scheduler?: Scheduler;
  /** Member ids for new members; default `${clientId}-${uuid}` as Kafka does. */
  newMemberId?: (clientId: string) => string;
  log?: CoordinatorLog;
}

const silent: CoordinatorLog = { warn: () => {}, error: () => {} };

/**
 * Kafka's classic consumer-group coordinator (devbroker.md §6), one door over three parts: the
 * join/sync/heartbeat/leave state machine (`membership.ts`), committed offsets (`commits.ts`, stored
 * by `offsets.ts`), and the read-only views (`catalog.ts`). All three share one map of groups.
 */
export class GroupCoordinator {
  readonly groups: Groups = new Map();
  private readonly offsets: OffsetStore;
  private readonly membership: Membership;
  private readonly commits: GroupCommits;

  constructor(opts: CoordinatorOptions) {
    const log = opts.log ?? silent;
    this.membership = new Membership(this.groups, {
      scheduler: opts.scheduler ?? realScheduler,
      minSessionTimeoutMs: opts.minSessionTimeoutMs ?? 6000,
      maxSessionTimeoutMs: opts.maxSessionTimeoutMs ?? 1_800_000,
      newMemberId: opts.newMemberId ?? ((clientId) => `${clientId}-${randomUUID()}`),
    });
    this.offsets = new OffsetStore(opts.dataDir, (file, err) =>
      log.error({ file, err }, 'unreadable committed-offsets file skipped'),
    );
    this.commits = new GroupCommits(this.groups, this.offsets, {
      partitionExists: opts.partitionExists,
      touch: (g, m) => this.membership.touch(g, m),
      onPersistError: (err, groupId) => log.error({ err, groupId }, 'committed offsets not persisted'),
    });
    for (const id of this.offsets.groupIds()) groupOf(this.groups, id);
  }

  /** JoinGroup: resolves when the join barrier completes (or at once for errors and the 79 handshake). */
  join(req: JoinRequest): Promise<JoinResult> {
    return this.membership.join(req);
  }

  /** SyncGroup: followers in CompletingRebalance are held until the leader's assignments arrive. */
  sync(req: SyncRequest): Promise<SyncResult> {
    return this.membership.sync(req);
  }

  /** Heartbeat: 27 only while PreparingRebalance (the session is still refreshed then). */
  heartbeat(groupId: string, memberId: string, generation: number): number {
    return this.membership.heartbeat(groupId, memberId, generation);
  }

  /** LeaveGroup: per-member codes and the v0-2 top-level one (see `Membership.leave`). */
  leave(groupId: string, memberIds: string[]): LeaveResult {
    return this.membership.leave(groupId, memberIds);
  }

  /** OffsetCommit's group check: 0 when the commit may be stored (see `GroupCommits.check`). */
  commitCheck(groupId: string, memberId: string, generation: number): number {
    return this.commits.check(groupId, memberId, generation);
  }

  /**
   * Stores the partitions of a commit that passed `commitCheck`; returns per-partition codes (3 for an
   * unknown partition, 12 for metadata over 4096 bytes). Persisting starts in the background; use
   * `commitOffsets` to wait for it.
   */
  commit(groupId: string, entries: CommitEntry[]): number[] {
    return this.commits.commit(groupId, entries);
  }

  /**
   * The whole OffsetCommit: the group check, then per-partition codes; resolves once the commits are on
   * disk (with a data dir). Without errors every code is 0.
   */
  commitOffsets(
    groupId: string,
    memberId: string,
    generation: number,
    entries: CommitEntry[],
  ): Promise<number[]> {
    return this.commits.commitOffsets(groupId, memberId, generation, entries);
  }

  /** OffsetFetch: no membership check; -1 and "" when nothing is committed; `topics` null means all. */
  fetchOffsets(groupId: string, topics: { topic: string; partitions: number[] }[] | null): FetchedTopic[] {
    return this.commits.fetch(groupId, topics);
  }

  /** DescribeGroups for one id: "Dead" with no members when missing; protocol and bytes only when Stable. */
  describe(groupId: string): GroupDescription {
    return describeGroup(this.groups, groupId);
  }

  /** ListGroups: every group, including commit-only ones (protocol type ""). */
  list(): GroupListing[] {
    return listGroups(this.groups);
  }

  /** DeleteGroups: 69 for an unknown group, 68 for one with members; deletes commits and the file. */
  deleteGroups(ids: string[]): number[] {
    return ids.map((id) => {
      const g = this.groups.get(id);
      if (!g && !this.offsets.has(id)) return ErrorCode.GROUP_ID_NOT_FOUND;
      if (g && (g.members.size > 0 || g.pending.size > 0)) return ErrorCode.NON_EMPTY_GROUP;
      this.groups.delete(id);
      this.offsets.deleteGroup(id);
      void this.commits.persist(id);
      return 0;
    });
  }

  /** Drops every group's committed offsets of a deleted topic, as Kafka does. */
  deleteTopicOffsets(topic: string): void {
    this.commits.deleteTopic(topic);
  }

  /**
   * Resolves once every persist queued so far has finished (for a clean stop), including the file
   * removal of a group DeleteGroups just dropped from the map.
   */
  flush(): Promise<void> {
    return this.commits.flush();
  }

  /** Stops all timers and answers every held request with 15 (COORDINATOR_NOT_AVAILABLE). */
  close(): void {
    this.membership.close();
  }
}
