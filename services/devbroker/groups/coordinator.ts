import { randomUUID } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { ErrorCode } from '../errors';

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

export interface Protocol {
  name: string;
  metadata: Buffer;
}

export interface JoinRequest {
  groupId: string;
  memberId: string;
  /** JoinGroup v4+ without an instance id: a new member first gets MEMBER_ID_REQUIRED (KIP-394). */
  requireKnownMemberId: boolean;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: Protocol[];
  clientId: string;
  clientHost: string;
}

export interface JoinResult {
  errorCode: number;
  generation: number;
  protocolName: string;
  leaderId: string;
  memberId: string;
  members: { memberId: string; metadata: Buffer }[];
}

export interface Member {
  id: string;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocols: Protocol[];
  assignment: Buffer;
  heldJoin: ((r: JoinResult) => void) | null;
  heldSync: ((r: { errorCode: number; assignment: Buffer }) => void) | null;
  sessionTimer: NodeJS.Timeout | null;
}

export interface Group {
  id: string;
  state: GroupState;
  generation: number;
  protocolType: string | null;
  protocolName: string | null;
  leaderId: string | null;
  members: Map<string, Member>;
  pending: Map<string, NodeJS.Timeout>;
  rebalanceTimer: NodeJS.Timeout | null;
  syncTimer: NodeJS.Timeout | null;
}

export interface CommittedOffset {
  offset: bigint;
  metadata: string;
}

export interface CoordinatorOptions {
  dataDir: string | null;
  /** Whether topic/partition exists (OffsetCommit answers 3 otherwise). */
  partitionExists: (topic: string, partition: number) => boolean;
  minSessionTimeoutMs?: number;
  maxSessionTimeoutMs?: number;
}

const MAX_METADATA_BYTES = 4096;

function timer(ms: number, fn: () => void): NodeJS.Timeout {
  const t = setTimeout(fn, ms);
  t.unref();
  return t;
}

/**
 * Kafka's classic consumer-group coordinator (devbroker.md §6): Empty, PreparingRebalance,
 * CompletingRebalance, Stable; joins held until every member rejoined; syncs held until the leader's;
 * sessions expire; committed offsets kept per group and, with a data dir, in a JSON file replaced
 * atomically. JavaScript runs each call to completion, so a group's changes never interleave.
 */
export class GroupCoordinator {
  readonly groups = new Map<string, Group>();
  private readonly offsets = new Map<string, Map<string, CommittedOffset>>();
  private readonly minSession: number;
  private readonly maxSession: number;

  constructor(private readonly opts: CoordinatorOptions) {
    this.minSession = opts.minSessionTimeoutMs ?? 6000;
    this.maxSession = opts.maxSessionTimeoutMs ?? 1_800_000;
    this.loadOffsets();
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
        rebalanceTimer: null,
        syncTimer: null,
      };
      this.groups.set(id, g);
    }
    return g;
  }

  join(req: JoinRequest): Promise<JoinResult> {
    const fail = (errorCode: number, memberId = req.memberId): Promise<JoinResult> =>
      Promise.resolve({ errorCode, generation: -1, protocolName: '', leaderId: '', memberId, members: [] });
    if (req.groupId === '') return fail(ErrorCode.INVALID_GROUP_ID);
    if (req.sessionTimeoutMs < this.minSession || req.sessionTimeoutMs > this.maxSession) {
      return fail(ErrorCode.INVALID_SESSION_TIMEOUT);
    }
    const existing = this.groups.get(req.groupId);
    if (existing && existing.members.size > 0 && !this.compatible(existing, req)) {
      return fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    }

    if (req.memberId === '') {
      const g = this.group(req.groupId);
      const id = `${req.clientId}-${randomUUID()}`;
      if (req.requireKnownMemberId) {
        g.pending.set(
          id,
          timer(req.sessionTimeoutMs, () => {
            g.pending.delete(id);
            this.checkJoinComplete(g);
          }),
        );
        return fail(ErrorCode.MEMBER_ID_REQUIRED, id);
      }
      return this.addAndHold(g, id, req);
    }

    const g = existing;
    if (g && g.pending.has(req.memberId)) {
      clearTimeout(g.pending.get(req.memberId));
      g.pending.delete(req.memberId);
      return this.addAndHold(g, req.memberId, req);
    }
    const member = g?.members.get(req.memberId);
    if (!g || !member || g.state === 'Empty') return fail(ErrorCode.UNKNOWN_MEMBER_ID);

    const sameProtocols = sameMetadata(member.protocols, req.protocols);
    member.sessionTimeoutMs = req.sessionTimeoutMs;
    member.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
    switch (g.state) {
      case 'PreparingRebalance':
        member.protocols = req.protocols;
        return this.hold(g, member);
      case 'CompletingRebalance':
        if (sameProtocols) return Promise.resolve(this.joinResult(g, member));
        member.protocols = req.protocols;
        this.prepareRebalance(g);
        return this.hold(g, member);
      default:
        if (g.leaderId === member.id || !sameProtocols) {
          member.protocols = req.protocols;
          this.prepareRebalance(g);
          return this.hold(g, member);
        }
        return Promise.resolve({ ...this.joinResult(g, member), members: [] });
    }
  }

  private compatible(g: Group, req: JoinRequest): boolean {
    if (g.protocolType !== null && g.protocolType !== req.protocolType) return false;
    const names = new Set(req.protocols.map((p) => p.name));
    for (const m of g.members.values()) {
      if (m.id === req.memberId) continue;
      if (!m.protocols.some((p) => names.has(p.name))) return false;
    }
    return true;
  }

  private addAndHold(g: Group, id: string, req: JoinRequest): Promise<JoinResult> {
    const member: Member = {
      id,
      clientId: req.clientId,
      clientHost: req.clientHost,
      sessionTimeoutMs: req.sessionTimeoutMs,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs,
      protocols: req.protocols,
      assignment: Buffer.alloc(0),
      heldJoin: null,
      heldSync: null,
      sessionTimer: null,
    };
    g.members.set(id, member);
    g.protocolType = req.protocolType;
    const held = this.hold(g, member, false);
    if (g.state !== 'PreparingRebalance') this.prepareRebalance(g);
    else this.checkJoinComplete(g);
    return held;
  }

  private hold(g: Group, member: Member, check = true): Promise<JoinResult> {
    const p = new Promise<JoinResult>((resolve) => (member.heldJoin = resolve));
    if (check) this.checkJoinComplete(g);
    return p;
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
            metadata: m.protocols.find((p) => p.name === g.protocolName)?.metadata ?? Buffer.alloc(0),
          }))
        : [],
    };
  }

  private prepareRebalance(g: Group): void {
    if (g.state === 'CompletingRebalance') {
      for (const m of g.members.values()) this.answerSync(m, ErrorCode.REBALANCE_IN_PROGRESS);
    }
    if (g.syncTimer) clearTimeout(g.syncTimer);
    g.syncTimer = null;
    if (g.state !== 'PreparingRebalance') {
      g.state = 'PreparingRebalance';
      const timeout = Math.max(
        0,
        ...[...g.members.values()].map((m) => m.rebalanceTimeoutMs || m.sessionTimeoutMs),
      );
      if (g.rebalanceTimer) clearTimeout(g.rebalanceTimer);
      g.rebalanceTimer = timer(timeout, () => this.completeJoin(g));
    }
    this.checkJoinComplete(g);
  }

  private checkJoinComplete(g: Group): void {
    if (g.state !== 'PreparingRebalance' || g.pending.size > 0) return;
    for (const m of g.members.values()) if (!m.heldJoin) return;
    this.completeJoin(g);
  }

  private completeJoin(g: Group): void {
    if (g.state !== 'PreparingRebalance') return;
    if (g.rebalanceTimer) clearTimeout(g.rebalanceTimer);
    g.rebalanceTimer = null;
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
    if (!g.leaderId || !g.members.has(g.leaderId)) g.leaderId = g.members.keys().next().value as string;
    g.state = 'CompletingRebalance';
    for (const m of g.members.values()) {
      const resolve = m.heldJoin;
      m.heldJoin = null;
      m.assignment = Buffer.alloc(0);
      resolve?.(this.joinResult(g, m));
      this.touch(g, m);
    }
    const timeout = Math.max(
      ...[...g.members.values()].map((m) => m.rebalanceTimeoutMs || m.sessionTimeoutMs),
    );
    g.syncTimer = timer(timeout, () => {
      g.syncTimer = null;
      if (g.state !== 'CompletingRebalance') return;
      for (const m of [...g.members.values()]) if (!m.heldSync) this.dropMember(g, m);
      this.prepareRebalance(g);
    });
  }

  /** Restarts a member's session timer (heartbeat, join, sync or commit). */
  private touch(g: Group, m: Member): void {
    if (m.sessionTimer) clearTimeout(m.sessionTimer);
    m.sessionTimer = timer(m.sessionTimeoutMs, () => {
      m.sessionTimer = null;
      if (m.heldJoin || m.heldSync) return this.touch(g, m);
      if (g.members.get(m.id) === m) this.removeMember(g, m);
    });
  }

  private dropMember(g: Group, m: Member): void {
    if (m.sessionTimer) clearTimeout(m.sessionTimer);
    m.heldJoin?.({
      errorCode: ErrorCode.UNKNOWN_MEMBER_ID,
      generation: -1,
      protocolName: '',
      leaderId: '',
      memberId: m.id,
      members: [],
    });
    m.heldJoin = null;
    g.members.delete(m.id);
  }

  private removeMember(g: Group, m: Member): void {
    this.dropMember(g, m);
    if (g.state === 'Stable' || g.state === 'CompletingRebalance') this.prepareRebalance(g);
    else this.checkJoinComplete(g);
  }

  private answerSync(m: Member, errorCode: number): void {
    const resolve = m.heldSync;
    m.heldSync = null;
    resolve?.({ errorCode, assignment: errorCode === 0 ? m.assignment : Buffer.alloc(0) });
  }

  sync(req: {
    groupId: string;
    memberId: string;
    generation: number;
    assignments: { memberId: string; assignment: Buffer }[];
  }): Promise<{ errorCode: number; assignment: Buffer }> {
    const fail = (errorCode: number) => Promise.resolve({ errorCode, assignment: Buffer.alloc(0) });
    if (req.groupId === '') return fail(ErrorCode.INVALID_GROUP_ID);
    const g = this.groups.get(req.groupId);
    const m = g?.members.get(req.memberId);
    if (!g || !m || g.state === 'Empty') return fail(ErrorCode.UNKNOWN_MEMBER_ID);
    if (req.generation !== g.generation) return fail(ErrorCode.ILLEGAL_GENERATION);
    if (g.state === 'PreparingRebalance') return fail(ErrorCode.REBALANCE_IN_PROGRESS);
    this.touch(g, m);
    if (g.state === 'Stable') return Promise.resolve({ errorCode: 0, assignment: m.assignment });
    const held = new Promise<{ errorCode: number; assignment: Buffer }>((resolve) => (m.heldSync = resolve));
    if (m.id === g.leaderId) {
      const byId = new Map(req.assignments.map((a) => [a.memberId, a.assignment]));
      for (const member of g.members.values()) member.assignment = byId.get(member.id) ?? Buffer.alloc(0);
      g.state = 'Stable';
      if (g.syncTimer) clearTimeout(g.syncTimer);
      g.syncTimer = null;
      for (const member of g.members.values()) this.answerSync(member, 0);
    }
    return held;
  }

  heartbeat(groupId: string, memberId: string, generation: number): number {
    if (groupId === '') return ErrorCode.INVALID_GROUP_ID;
    const g = this.groups.get(groupId);
    const m = g?.members.get(memberId);
    if (!g || !m || g.state === 'Empty') return ErrorCode.UNKNOWN_MEMBER_ID;
    if (generation !== g.generation) return ErrorCode.ILLEGAL_GENERATION;
    this.touch(g, m);
    return g.state === 'PreparingRebalance' ? ErrorCode.REBALANCE_IN_PROGRESS : 0;
  }

  /** Removes members; per-member error codes in order (0, or 25 for an unknown member). */
  leave(groupId: string, memberIds: string[]): { topLevel: number; perMember: number[] } {
    if (groupId === '') return { topLevel: ErrorCode.INVALID_GROUP_ID, perMember: memberIds.map(() => 24) };
    const g = this.groups.get(groupId);
    if (!g)
      return {
        topLevel: ErrorCode.UNKNOWN_MEMBER_ID,
        perMember: memberIds.map(() => ErrorCode.UNKNOWN_MEMBER_ID),
      };
    const perMember = memberIds.map((id) => {
      const pending = g.pending.get(id);
      if (pending) {
        clearTimeout(pending);
        g.pending.delete(id);
        this.checkJoinComplete(g);
        return 0;
      }
      const m = g.members.get(id);
      if (!m) return ErrorCode.UNKNOWN_MEMBER_ID;
      this.removeMember(g, m);
      return 0;
    });
    return {
      topLevel: perMember.every((e) => e === 0) ? 0 : (perMember.find((e) => e !== 0) as number),
      perMember,
    };
  }

  /** OffsetCommit: the error code of the whole request (0 when per-partition codes apply). */
  commitCheck(groupId: string, memberId: string, generation: number): number {
    const g = this.groups.get(groupId);
    if (generation < 0 && (!g || g.state === 'Empty')) {
      this.group(groupId);
      return 0;
    }
    const m = g?.members.get(memberId);
    if (!g || !m) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (generation !== g.generation) return ErrorCode.ILLEGAL_GENERATION;
    if (g.state === 'CompletingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS;
    this.touch(g, m);
    return 0;
  }

  /** Stores the offsets of one commit that passed `commitCheck`; returns per-partition error codes. */
  commit(
    groupId: string,
    entries: { topic: string; partition: number; offset: bigint; metadata: string | null }[],
  ): number[] {
    let stored = this.offsets.get(groupId);
    if (!stored) this.offsets.set(groupId, (stored = new Map()));
    const codes = entries.map((e) => {
      if (!this.opts.partitionExists(e.topic, e.partition)) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      if (Buffer.byteLength(e.metadata ?? '') > MAX_METADATA_BYTES)
        return ErrorCode.OFFSET_METADATA_TOO_LARGE;
      stored.set(key(e.topic, e.partition), { offset: e.offset, metadata: e.metadata ?? '' });
      return 0;
    });
    this.saveOffsets();
    return codes;
  }

  /** Committed offsets; `topics` null means everything committed for the group. -1 when nothing is. */
  fetchOffsets(
    groupId: string,
    topics: { topic: string; partitions: number[] }[] | null,
  ): { topic: string; partitions: { partition: number; offset: bigint; metadata: string }[] }[] {
    const stored = this.offsets.get(groupId) ?? new Map<string, CommittedOffset>();
    if (topics === null) {
      const byTopic = new Map<string, { partition: number; offset: bigint; metadata: string }[]>();
      for (const [k, v] of stored) {
        const [topic, p] = splitKey(k);
        const list = byTopic.get(topic) ?? [];
        list.push({ partition: p, offset: v.offset, metadata: v.metadata });
        byTopic.set(topic, list);
      }
      return [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
    }
    return topics.map((t) => ({
      topic: t.topic,
      partitions: t.partitions.map((p) => {
        const c = stored.get(key(t.topic, p));
        return { partition: p, offset: c?.offset ?? -1n, metadata: c?.metadata ?? '' };
      }),
    }));
  }

  deleteGroups(ids: string[]): number[] {
    return ids.map((id) => {
      const g = this.groups.get(id);
      if (!g && !this.offsets.has(id)) return ErrorCode.GROUP_ID_NOT_FOUND;
      if (g && g.members.size > 0) return ErrorCode.NON_EMPTY_GROUP;
      this.groups.delete(id);
      this.offsets.delete(id);
      this.saveOffsets();
      return 0;
    });
  }

  /** Drops committed offsets of a deleted topic, as Kafka does. */
  deleteTopicOffsets(topic: string): void {
    for (const stored of this.offsets.values()) {
      for (const k of [...stored.keys()]) if (splitKey(k)[0] === topic) stored.delete(k);
    }
    this.saveOffsets();
  }

  close(): void {
    for (const g of this.groups.values()) {
      if (g.rebalanceTimer) clearTimeout(g.rebalanceTimer);
      if (g.syncTimer) clearTimeout(g.syncTimer);
      for (const t of g.pending.values()) clearTimeout(t);
      for (const m of g.members.values()) {
        if (m.sessionTimer) clearTimeout(m.sessionTimer);
        m.heldJoin?.({
          errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE,
          generation: -1,
          protocolName: '',
          leaderId: '',
          memberId: m.id,
          members: [],
        });
        this.answerSync(m, ErrorCode.COORDINATOR_NOT_AVAILABLE);
      }
    }
  }

  private file(): string | null {
    return this.opts.dataDir ? join(this.opts.dataDir, 'offsets.json') : null;
  }

  private loadOffsets(): void {
    const file = this.file();
    if (!file) return;
    let data: Record<string, Record<string, { offset: string; metadata: string }>>;
    try {
      data = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      return;
    }
    for (const [groupId, entries] of Object.entries(data)) {
      const stored = new Map<string, CommittedOffset>();
      for (const [k, v] of Object.entries(entries))
        stored.set(k, { offset: BigInt(v.offset), metadata: v.metadata });
      this.offsets.set(groupId, stored);
      this.group(groupId);
    }
  }

  private saveOffsets(): void {
    const file = this.file();
    if (!file) return;
    const data: Record<string, Record<string, { offset: string; metadata: string }>> = {};
    for (const [groupId, stored] of this.offsets) {
      data[groupId] = Object.fromEntries(
        [...stored].map(([k, v]) => [k, { offset: String(v.offset), metadata: v.metadata }]),
      );
    }
    writeFileSync(`${file}.tmp`, JSON.stringify(data));
    renameSync(`${file}.tmp`, file);
  }
}

function key(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

function splitKey(k: string): [string, number] {
  const i = k.lastIndexOf('\u0000');
  return [k.slice(0, i), Number(k.slice(i + 1))];
}

function sameMetadata(a: Protocol[], b: Protocol[]): boolean {
  return (
    a.length === b.length && a.every((p, i) => p.name === b[i]?.name && p.metadata.equals(b[i]!.metadata))
  );
}

/** Each member votes for its first protocol that every member supports; most votes wins, ties by name. */
export function chooseProtocol(members: { protocols: Protocol[] }[]): string {
  const [first, ...rest] = members;
  const candidates = (first?.protocols ?? [])
    .map((p) => p.name)
    .filter((n) => rest.every((m) => m.protocols.some((p) => p.name === n)));
  const votes = new Map<string, number>(candidates.map((c) => [c, 0]));
  for (const m of members) {
    const vote = m.protocols.find((p) => votes.has(p.name));
    if (vote) votes.set(vote.name, (votes.get(vote.name) ?? 0) + 1);
  }
  return [...votes].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0] ?? '';
}
