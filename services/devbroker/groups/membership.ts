import { ErrorCode } from '../errors';
import { chosenMetadata, EMPTY, failJoin, groupOf } from './group';
import type { Group, Groups, Member } from './group';
import { chooseProtocol, sameProtocols, sharesProtocol } from './protocol';
import type { Scheduler } from './scheduler';
import type { JoinRequest, JoinResult, LeaveResult, SyncRequest, SyncResult } from './types';

/** What the state machine is built with (the coordinator resolves the defaults). */
export interface MembershipOptions {
  scheduler: Scheduler;
  /** JoinGroup session timeouts outside [min, max] get 26. */
  minSessionTimeoutMs: number;
  maxSessionTimeoutMs: number;
  /** Member ids for new members. */
  newMemberId: (clientId: string) => string;
}

/**
 * The join/sync/heartbeat/leave state machine of Kafka's classic groups (devbroker.md §6,
 * GroupCoordinator.scala): Empty, PreparingRebalance, CompletingRebalance, Stable; the KIP-394
 * member-id handshake; joins held until every member rejoined or the rebalance timeout evicts the
 * rest; syncs held until the leader's; sessions expire. Every change is synchronous and runs to
 * completion, so no two requests' changes interleave.
 */
export class Membership {
  constructor(
    private readonly groups: Groups,
    private readonly opts: MembershipOptions,
  ) {}

  // ---- JoinGroup ----------------------------------------------------------------------------------

  /** JoinGroup: resolves when the join barrier completes (or at once for errors and the 79 handshake). */
  join(req: JoinRequest): Promise<JoinResult> {
    const fail = (code: number, memberId = req.memberId) => Promise.resolve(failJoin(code, memberId));
    if (req.groupId === '') return fail(ErrorCode.INVALID_GROUP_ID);
    if (
      req.sessionTimeoutMs < this.opts.minSessionTimeoutMs ||
      req.sessionTimeoutMs > this.opts.maxSessionTimeoutMs
    ) {
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
      const g = groupOf(this.groups, req.groupId);
      const id = this.opts.newMemberId(req.clientId);
      if (req.requireKnownMemberId) {
        // KIP-394: remember the id for one session; the member must come back with it.
        g.pending.set(
          id,
          this.opts.scheduler.schedule(req.sessionTimeoutMs, () => {
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
        ? [...g.members.values()].map((m) => ({ memberId: m.id, metadata: chosenMetadata(g, m) }))
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
      g.cancelRebalance = this.opts.scheduler.schedule(this.rebalanceTimeout(g), () => {
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
    g.cancelSync = this.opts.scheduler.schedule(this.rebalanceTimeout(g), () => {
      g.cancelSync = null;
      if (g.state !== 'CompletingRebalance') return;
      // Pending-sync timeout: members that never sent SyncGroup are removed, the rest rebalance.
      for (const m of [...g.members.values()]) if (!m.heldSync) this.dropMember(g, m);
      this.prepareRebalance(g);
    });
  }

  /** Restarts a member's session timer (heartbeat, join or sync answered, commit). */
  touch(g: Group, m: Member): void {
    m.cancelSession?.();
    m.cancelSession = this.opts.scheduler.schedule(m.sessionTimeoutMs, () => {
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

  /** Stops every group's timers and answers every held request with 15 (COORDINATOR_NOT_AVAILABLE). */
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
