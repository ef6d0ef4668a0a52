import { randomUUID } from 'node:crypto';

import { ErrorCode } from '../errors';
import { OffsetStore } from './offsets';
import { chooseProtocol, sameProtocols, sharesProtocol } from './protocol';
import { KeyedQueue } from './queue';
import { realScheduler } from './scheduler';
import type { Scheduler } from './scheduler';
import type {
  CommitEntry,
  FetchedTopic,
  GroupDescription,
  GroupListing,
  GroupState,
  JoinRequest,
  JoinResult,
  LeaveResult,
  Protocol,
  SyncRequest,
  SyncResult,
} from './types';

/** A member of a group; `heldJoin`/`heldSync` answer a parked JoinGroup or SyncGroup. */
export interface Member {
  id: string;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocols: Protocol[];
  assignment: Buffer;
  heldJoin: ((r: JoinResult) => void) | null;
  heldSync: ((r: SyncResult) => void) | null;
  cancelSession: (() => void) | null;
}

/** A group as the coordinator keeps it. */
export interface Group {
  id: string;
  state: GroupState;
  generation: number;
  protocolType: string | null;
  protocolName: string | null;
  leaderId: string | null;
  members: Map<string, Member>;
  /** Member ids handed out with MEMBER_ID_REQUIRED, each with its expiry cancel. */
  pending: Map<string, () => void>;
  cancelRebalance: (() => void) | null;
  cancelSync: (() => void) | null;
}

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

/** Kafka's offset.metadata.max.bytes. */
const MAX_METADATA_BYTES = 4096;
const EMPTY = Buffer.alloc(0);
const silent: CoordinatorLog = { warn: () => {}, error: () => {} };

const failJoin = (errorCode: number, memberId: string): JoinResult => ({
  errorCode,
  generation: -1,
  protocolName: '',
  leaderId: '',
  memberId,
  members: [],
});

/**
 * Kafka's classic consumer-group coordinator (devbroker.md §6, GroupCoordinator.scala): Empty,
 * PreparingRebalance, CompletingRebalance, Stable; the KIP-394 member-id handshake; joins held until
 * every member rejoined or the rebalance timeout evicts the rest; syncs held until the leader's;
 * sessions expire; committed offsets per group.
 *
 * Every state change is synchronous and runs to completion, so no two requests' changes interleave;
 * the work that awaits (persisting commits) runs on one queue per group, so a group's commits are
 * applied and written in request order.
 */
export class GroupCoordinator {
  readonly groups = new Map<string, Group>();
  private readonly offsets: OffsetStore;
  private readonly queue = new KeyedQueue();
  private readonly scheduler: Scheduler;
  private readonly minSession: number;
  private readonly maxSession: number;
  private readonly newMemberId: (clientId: string) => string;
  private readonly log: CoordinatorLog;

  constructor(private readonly opts: CoordinatorOptions) {
    this.scheduler = opts.scheduler ?? realScheduler;
    this.minSession = opts.minSessionTimeoutMs ?? 6000;
    this.maxSession = opts.maxSessionTimeoutMs ?? 1_800_000;
    this.newMemberId = opts.newMemberId ?? ((clientId) => `${clientId}-${randomUUID()}`);
    this.log = opts.log ?? silent;
    this.offsets = new OffsetStore(opts.dataDir, (file, err) =>
      this.log.error({ file, err }, 'unreadable committed-offsets file skipped'),
    );
    for (const id of this.offsets.groupIds()) this.group(id);
  }

  private group(id: string): Group {
    let g = this.groups.get(id);
    if (!g) {
      g = {
        id,
        state: 'Empty',
        generation: 0,
        protocolType: null,
        protocolName: null,
        leaderId: null,
        members: new Map(),
        pending: new Map(),
        cancelRebalance: null,
        cancelSync: null,
      };
      this.groups.set(id, g);
    }
    return g;
  }

  // ---- JoinGroup ----------------------------------------------------------------------------------

  /** JoinGroup: resolves when the join barrier completes (or at once for errors and the 79 handshake). */
  join(req: JoinRequest): Promise<JoinResult> {
    const fail = (code: number, memberId = req.memberId) => Promise.resolve(failJoin(code, memberId));
    if (req.groupId === '') return fail(ErrorCode.INVALID_GROUP_ID);
    if (req.sessionTimeoutMs < this.minSession || req.sessionTimeoutMs > this.maxSession) {
      return fail(ErrorCode.INVALID_SESSION_TIMEOUT);
    }
    const existing = this.groups.get(req.groupId);
    if (existing && existing.members.size > 0) {
      const others = [...existing.members.values()].filter((m) => m.id !== req.memberId);
      if (
        (existing.protocolType !== null && existing.protocolType !== req.protocolType) ||
        !sharesProtocol(req.protocols, others)
      ) {
        return fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
      }
    }

    if (req.memberId === '') {
      const g = this.group(req.groupId);
      const id = this.newMemberId(req.clientId);
      if (req.requireKnownMemberId) {
        // KIP-394: remember the id for one session; the member must come back with it.
        g.pending.set(
          id,
          this.scheduler.schedule(req.sessionTimeoutMs, () => {
            g.pending.delete(id);
            this.checkJoinComplete(g);
          }),
        );
        return fail(ErrorCode.MEMBER_ID_REQUIRED, id);
      }
      return this.addAndHold(g, id, req);
    }

    const g = existing;
    const cancelPending = g?.pending.get(req.memberId);
    if (g && cancelPending) {
      cancelPending();
      g.pending.delete(req.memberId);
      return this.addAndHold(g, req.memberId, req);
    }
    const member = g?.members.get(req.memberId);
    if (!g || !member) return fail(ErrorCode.UNKNOWN_MEMBER_ID);

    const unchanged = sameProtocols(member.protocols, req.protocols);
    member.sessionTimeoutMs = req.sessionTimeoutMs;
    member.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
    member.protocols = req.protocols;
    switch (g.state) {
      case 'PreparingRebalance':
        return this.rebalanceAndHold(g, member);
      case 'CompletingRebalance':
        // A member that missed its join answer asks again: same answer, unless its protocols changed.
        if (unchanged) return Promise.resolve(this.joinResult(g, member));
        return this.rebalanceAndHold(g, member);
      default:
        // Stable: a follower rejoining unchanged gets the current generation; the leader or a changed
        // member starts a new rebalance (Kafka's rule).
        if (g.leaderId !== member.id && unchanged) {
          this.touch(g, member);
          return Promise.resolve({ ...this.joinResult(g, member), members: [] });
        }
        return this.rebalanceAndHold(g, member);
    }
  }

  private addAndHold(g: Group, id: string, req: JoinRequest): Promise<JoinResult> {
    g.members.set(id, {
      id,
      clientId: req.clientId,
      clientHost: req.clientHost,
      sessionTimeoutMs: req.sessionTimeoutMs,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs,
      protocols: req.protocols,
      assignment: EMPTY,
      heldJoin: null,
      heldSync: null,
      cancelSession: null,
    });
    g.protocolType = req.protocolType;
    return this.rebalanceAndHold(g, g.members.get(id)!);
  }

  private rebalanceAndHold(g: Group, member: Member): Promise<JoinResult> {
    // A join sent again while the first is parked (a client retry) replaces it; the first is answered,
    // since a response left pending would block every later response on that connection.
    member.heldJoin?.(failJoin(ErrorCode.REBALANCE_IN_PROGRESS, member.id));
    const held = new Promise<JoinResult>((resolve) => (member.heldJoin = resolve));
    // A parked member is not subject to session expiry (Kafka): the rebalance timeout governs it.
    member.cancelSession?.();
    member.cancelSession = null;
    if (g.state === 'PreparingRebalance') this.checkJoinComplete(g);
    else this.prepareRebalance(g);
    return held;
  }

  private joinResult(g: Group, member: Member): JoinResult {
    const isLeader = g.leaderId === member.id;
    return {
      errorCode: 0,
      generation: g.generation,
      protocolName: g.protocolName ?? '',
      leaderId: g.leaderId ?? '',
      memberId: member.id,
      members: isLeader
        ? [...g.members.values()].map((m) => ({
            memberId: m.id,
            metadata: m.protocols.find((p) => p.name === g.protocolName)?.metadata ?? EMPTY,
          }))
        : [],
    };
  }

  private rebalanceTimeout(g: Group): number {
    return Math.max(0, ...[...g.members.values()].map((m) => m.rebalanceTimeoutMs || m.sessionTimeoutMs));
  }

  /** Enters PreparingRebalance: held syncs get 27, the rebalance deadline is armed. */
  private prepareRebalance(g: Group): void {
    if (g.state === 'CompletingRebalance') {
      for (const m of g.members.values()) this.answerSync(g, m, ErrorCode.REBALANCE_IN_PROGRESS);
    }
    g.cancelSync?.();
    g.cancelSync = null;
    if (g.state !== 'PreparingRebalance') {
      g.state = 'PreparingRebalance';
      g.cancelRebalance?.();
      g.cancelRebalance = this.scheduler.schedule(this.rebalanceTimeout(g), () => {
        g.cancelRebalance = null;
        this.completeJoin(g);
      });
    }
    this.checkJoinComplete(g);
  }

  /** The barrier: completes the join once every member (and every pending id) has rejoined. */
  private checkJoinComplete(g: Group): void {
    if (g.state !== 'PreparingRebalance' || g.pending.size > 0) return;
    for (const m of g.members.values()) if (!m.heldJoin) return;
    this.completeJoin(g);
  }

  /** Ends PreparingRebalance: members that did not rejoin are evicted, the generation advances. */
  private completeJoin(g: Group): void {
    if (g.state !== 'PreparingRebalance') return;
    g.cancelRebalance?.();
    g.cancelRebalance = null;
    for (const m of [...g.members.values()]) if (!m.heldJoin) this.dropMember(g, m);
    g.generation += 1;
    if (g.members.size === 0) {
      g.state = 'Empty';
      g.protocolName = null;
      g.leaderId = null;
      g.protocolType = null;
      return;
    }
    g.protocolName = chooseProtocol([...g.members.values()]);
    if (g.leaderId === null || !g.members.has(g.leaderId)) g.leaderId = g.members.keys().next().value ?? null;
    g.state = 'CompletingRebalance';
    for (const m of g.members.values()) {
      const resolve = m.heldJoin;
      m.heldJoin = null;
      m.assignment = EMPTY;
      resolve?.(this.joinResult(g, m));
      this.touch(g, m);
    }
    g.cancelSync = this.scheduler.schedule(this.rebalanceTimeout(g), () => {
      g.cancelSync = null;
      if (g.state !== 'CompletingRebalance') return;
      // Pending-sync timeout: members that never sent SyncGroup are removed, the rest rebalance.
      for (const m of [...g.members.values()]) if (!m.heldSync) this.dropMember(g, m);
      this.prepareRebalance(g);
    });
  }

  /** Restarts a member's session timer (heartbeat, join or sync answered, commit). */
  private touch(g: Group, m: Member): void {
    m.cancelSession?.();
    m.cancelSession = this.scheduler.schedule(m.sessionTimeoutMs, () => {
      m.cancelSession = null;
      if (g.members.get(m.id) !== m) return;
      // A parked sync keeps its member alive (Kafka's shouldKeepAlive); the pending-sync timer bounds it.
      if (m.heldSync) return this.touch(g, m);
      if (!m.heldJoin) this.removeMember(g, m);
    });
  }

  private dropMember(g: Group, m: Member): void {
    m.cancelSession?.();
    m.cancelSession = null;
    const held = m.heldJoin;
    m.heldJoin = null;
    held?.(failJoin(ErrorCode.UNKNOWN_MEMBER_ID, m.id));
    g.members.delete(m.id);
    this.answerSync(null, m, ErrorCode.UNKNOWN_MEMBER_ID);
  }

  /** Removal on session expiry or LeaveGroup. */
  private removeMember(g: Group, m: Member): void {
    this.dropMember(g, m);
    if (g.state === 'Stable' || g.state === 'CompletingRebalance') this.prepareRebalance(g);
    else this.checkJoinComplete(g);
  }

  /** Answers a member's held sync, if any; the member then gets a fresh session to act on it (Kafka). */
  private answerSync(g: Group | null, m: Member, errorCode: number): void {
    const resolve = m.heldSync;
    if (!resolve) return;
    m.heldSync = null;
    resolve({ errorCode, assignment: errorCode === 0 ? m.assignment : EMPTY });
    if (g && g.members.get(m.id) === m) this.touch(g, m);
  }

  // ---- SyncGroup, Heartbeat, LeaveGroup ---------------------------------------------------------------

  /** SyncGroup: followers in CompletingRebalance are held until the leader's assignments arrive. */
  sync(req: SyncRequest): Promise<SyncResult> {
    const fail = (errorCode: number) => Promise.resolve({ errorCode, assignment: EMPTY });
    if (req.groupId === '') return fail(ErrorCode.INVALID_GROUP_ID);
    const g = this.groups.get(req.groupId);
    const m = g?.members.get(req.memberId);
    if (!g || !m || g.state === 'Empty') return fail(ErrorCode.UNKNOWN_MEMBER_ID);
    if (req.generation !== g.generation) return fail(ErrorCode.ILLEGAL_GENERATION);
    if (g.state === 'PreparingRebalance') return fail(ErrorCode.REBALANCE_IN_PROGRESS);
    this.touch(g, m);
    if (g.state === 'Stable') return Promise.resolve({ errorCode: 0, assignment: m.assignment });
    this.answerSync(null, m, ErrorCode.REBALANCE_IN_PROGRESS); // a duplicate sync replaces the older one
    const held = new Promise<SyncResult>((resolve) => (m.heldSync = resolve));
    if (m.id === g.leaderId) {
      // Assignments are opaque bytes; members the leader left out get none.
      const byId = new Map(req.assignments.map((a) => [a.memberId, a.assignment]));
      for (const member of g.members.values()) member.assignment = byId.get(member.id) ?? EMPTY;
      g.state = 'Stable';
      g.cancelSync?.();
      g.cancelSync = null;
      for (const member of g.members.values()) this.answerSync(g, member, 0);
    }
    return held;
  }

  /** Heartbeat: 27 only while PreparingRebalance (the session is still refreshed then). */
  heartbeat(groupId: string, memberId: string, generation: number): number {
    if (groupId === '') return ErrorCode.INVALID_GROUP_ID;
    const g = this.groups.get(groupId);
    const m = g?.members.get(memberId);
    if (!g || !m || g.state === 'Empty') return ErrorCode.UNKNOWN_MEMBER_ID;
    if (generation !== g.generation) return ErrorCode.ILLEGAL_GENERATION;
    if (!m.heldJoin && !m.heldSync) this.touch(g, m);
    return g.state === 'PreparingRebalance' ? ErrorCode.REBALANCE_IN_PROGRESS : 0;
  }

  /**
   * LeaveGroup: removes members as on session expiry. A pending id leaves silently; an unknown one gets
   * 25; for an unknown group every member gets 25. `topLevel` is the v0-2 answer (the first error).
   */
  leave(groupId: string, memberIds: string[]): LeaveResult {
    if (groupId === '') {
      return {
        topLevel: ErrorCode.INVALID_GROUP_ID,
        perMember: memberIds.map(() => ErrorCode.INVALID_GROUP_ID),
      };
    }
    const g = this.groups.get(groupId);
    const perMember = memberIds.map((id) => {
      if (!g) return ErrorCode.UNKNOWN_MEMBER_ID;
      const cancel = g.pending.get(id);
      if (cancel) {
        cancel();
        g.pending.delete(id);
        this.checkJoinComplete(g);
        return 0;
      }
      const m = g.members.get(id);
      if (!m) return ErrorCode.UNKNOWN_MEMBER_ID;
      this.removeMember(g, m);
      return 0;
    });
    return { topLevel: perMember.find((e) => e !== 0) ?? 0, perMember };
  }

  // ---- Offsets -------------------------------------------------------------------------------------

  /**
   * OffsetCommit's group check (devbroker.md §6): 0 when the commit may be stored. A simple commit
   * (generation < 0) is allowed on an Empty or missing group; otherwise member (25), generation (22),
   * and only CompletingRebalance refuses (27). A commit refreshes the member's session.
   */
  commitCheck(groupId: string, memberId: string, generation: number): number {
    if (groupId === '') return ErrorCode.INVALID_GROUP_ID;
    const g = this.groups.get(groupId);
    if (generation < 0 && (!g || g.state === 'Empty')) {
      this.group(groupId);
      return 0;
    }
    const m = g?.members.get(memberId);
    if (!g || !m) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (generation !== g.generation) return ErrorCode.ILLEGAL_GENERATION;
    if (g.state === 'CompletingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS;
    if (!m.heldJoin && !m.heldSync) this.touch(g, m);
    return 0;
  }

  /**
   * Stores the partitions of a commit that passed `commitCheck`; returns per-partition codes (3 for an
   * unknown partition, 12 for metadata over 4096 bytes). Persisting starts in the background; use
   * `commitOffsets` to wait for it.
   */
  commit(groupId: string, entries: CommitEntry[]): number[] {
    const codes = this.store(groupId, entries);
    void this.persist(groupId);
    return codes;
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
    return this.queue.run(groupId, async () => {
      const check = this.commitCheck(groupId, memberId, generation);
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

  private persist(groupId: string): Promise<void> {
    return this.queue
      .run(groupId, () => this.offsets.persist(groupId))
      .catch((err: unknown) => {
        this.log.error({ err, groupId }, 'committed offsets not persisted');
      });
  }

  /** OffsetFetch: no membership check; -1 and "" when nothing is committed; `topics` null means all. */
  fetchOffsets(groupId: string, topics: { topic: string; partitions: number[] }[] | null): FetchedTopic[] {
    if (topics === null) return this.offsets.all(groupId);
    return topics.map((t) => ({
      topic: t.topic,
      partitions: t.partitions.map((p) => {
        const c = this.offsets.get(groupId, t.topic, p);
        return { partition: p, offset: c?.offset ?? -1n, metadata: c?.metadata ?? '' };
      }),
    }));
  }

  // ---- Describe, list, delete ----------------------------------------------------------------------

  /** DescribeGroups for one id: "Dead" with no members when missing; protocol and bytes only when Stable. */
  describe(groupId: string): GroupDescription {
    const g = this.groups.get(groupId);
    if (!g) return { groupId, state: 'Dead', protocolType: '', protocolName: '', members: [] };
    const stable = g.state === 'Stable';
    return {
      groupId,
      state: g.state,
      protocolType: g.protocolType ?? '',
      protocolName: stable ? (g.protocolName ?? '') : '',
      members: [...g.members.values()].map((m) => ({
        memberId: m.id,
        clientId: m.clientId,
        clientHost: m.clientHost,
        metadata: stable ? (m.protocols.find((p) => p.name === g.protocolName)?.metadata ?? EMPTY) : EMPTY,
        assignment: stable ? m.assignment : EMPTY,
      })),
    };
  }

  /** ListGroups: every group, including commit-only ones (protocol type ""). */
  list(): GroupListing[] {
    return [...this.groups.values()].map((g) => ({ groupId: g.id, protocolType: g.protocolType ?? '' }));
  }

  /** DeleteGroups: 69 for an unknown group, 68 for one with members; deletes commits and the file. */
  deleteGroups(ids: string[]): number[] {
    return ids.map((id) => {
      const g = this.groups.get(id);
      if (!g && !this.offsets.has(id)) return ErrorCode.GROUP_ID_NOT_FOUND;
      if (g && (g.members.size > 0 || g.pending.size > 0)) return ErrorCode.NON_EMPTY_GROUP;
      this.groups.delete(id);
      this.offsets.deleteGroup(id);
      void this.persist(id);
      return 0;
    });
  }

  /** Drops every group's committed offsets of a deleted topic, as Kafka does. */
  deleteTopicOffsets(topic: string): void {
    for (const groupId of this.offsets.deleteTopic(topic)) void this.persist(groupId);
  }

  /** Resolves once every persist queued so far has finished (for a clean stop). */
  async flush(): Promise<void> {
    await Promise.all([...this.groups.keys()].map((id) => this.queue.run(id, () => undefined)));
  }

  /** Stops all timers and answers every held request with 15 (COORDINATOR_NOT_AVAILABLE). */
  close(): void {
    for (const g of this.groups.values()) {
      g.cancelRebalance?.();
      g.cancelSync?.();
      for (const cancel of g.pending.values()) cancel();
      for (const m of g.members.values()) {
        m.cancelSession?.();
        const held = m.heldJoin;
        m.heldJoin = null;
        held?.(failJoin(ErrorCode.COORDINATOR_NOT_AVAILABLE, m.id));
        this.answerSync(null, m, ErrorCode.COORDINATOR_NOT_AVAILABLE);
      }
    }
  }
}
