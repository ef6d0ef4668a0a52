import { ErrorCode } from '../errors';
import { Writer } from '../protocol';
import type { ApiHandler } from './types';

/** FindCoordinator (10) v0-2: this node coordinates every group. */
export const findCoordinator: ApiHandler = {
  apiKey: 10,
  name: 'FindCoordinator',
  minVersion: 0,
  maxVersion: 2,
  handle: (ctx, version, r) => {
    r.string();
    if (version >= 1) r.int8();
    const { nodeId, host, port } = ctx.settings;
    const w = new Writer();
    if (version >= 1) w.int32(0).int16(0).string(null);
    else w.int16(0);
    return w.int32(nodeId).string(host).int32(port);
  },
};

/** JoinGroup (11) v0-5; v4+ new members get MEMBER_ID_REQUIRED first (KIP-394). */
export const joinGroup: ApiHandler = {
  apiKey: 11,
  name: 'JoinGroup',
  minVersion: 0,
  maxVersion: 5,
  handle: async (ctx, version, r, conn) => {
    const groupId = r.string();
    const sessionTimeoutMs = r.int32();
    const rebalanceTimeoutMs = version >= 1 ? r.int32() : sessionTimeoutMs;
    const memberId = r.string();
    const instanceId = version >= 5 ? r.nullableString() : null;
    if (instanceId !== null)
      ctx.log.warn({ groupId, instanceId }, 'static membership not supported: member treated as dynamic');
    const protocolType = r.string();
    const protocols = r.array((x) => ({ name: x.string(), metadata: x.bytes() }));
    const res = await ctx.groups.join({
      groupId,
      memberId,
      requireKnownMemberId: version >= 4,
      sessionTimeoutMs,
      rebalanceTimeoutMs,
      protocolType,
      protocols,
      clientId: conn.clientId,
      clientHost: conn.clientHost,
    });
    const w = new Writer();
    if (version >= 2) w.int32(0);
    w.int16(res.errorCode)
      .int32(res.generation)
      .string(res.protocolName)
      .string(res.leaderId)
      .string(res.memberId);
    w.array(res.members, (x, m) => {
      x.string(m.memberId);
      if (version >= 5) x.string(null);
      x.bytes(m.metadata);
    });
    return w;
  },
};

/** Heartbeat (12) v0-3. */
export const heartbeat: ApiHandler = {
  apiKey: 12,
  name: 'Heartbeat',
  minVersion: 0,
  maxVersion: 3,
  handle: (ctx, version, r) => {
    const groupId = r.string();
    const generation = r.int32();
    const memberId = r.string();
    if (version >= 3) r.nullableString();
    const w = new Writer();
    if (version >= 1) w.int32(0);
    return w.int16(ctx.groups.heartbeat(groupId, memberId, generation));
  },
};

/** LeaveGroup (13) v0-3: v0-2 one member with the error at top level; v3 a member list. */
export const leaveGroup: ApiHandler = {
  apiKey: 13,
  name: 'LeaveGroup',
  minVersion: 0,
  maxVersion: 3,
  handle: (ctx, version, r) => {
    const groupId = r.string();
    const members =
      version >= 3
        ? r.array((x) => ({ memberId: x.string(), instanceId: x.nullableString() }))
        : [{ memberId: r.string(), instanceId: null }];
    const res = ctx.groups.leave(
      groupId,
      members.map((m) => m.memberId),
    );
    const w = new Writer();
    if (version >= 1) w.int32(0);
    if (version < 3) return w.int16(res.topLevel);
    w.int16(groupId === '' ? ErrorCode.INVALID_GROUP_ID : 0);
    let i = 0;
    return w.array(members, (x, m) =>
      x
        .string(m.memberId)
        .string(m.instanceId)
        .int16(res.perMember[i++] ?? 0),
    );
  },
};

/** SyncGroup (14) v0-3: followers are held until the leader's assignments arrive. */
export const syncGroup: ApiHandler = {
  apiKey: 14,
  name: 'SyncGroup',
  minVersion: 0,
  maxVersion: 3,
  handle: async (ctx, version, r) => {
    const groupId = r.string();
    const generation = r.int32();
    const memberId = r.string();
    if (version >= 3) r.nullableString();
    const assignments = r.array((x) => ({ memberId: x.string(), assignment: x.bytes() }));
    const res = await ctx.groups.sync({ groupId, memberId, generation, assignments });
    const w = new Writer();
    if (version >= 1) w.int32(0);
    return w.int16(res.errorCode).bytes(res.assignment);
  },
};

/** DescribeGroups (15) v0-2; a missing group is "Dead" with error 0. */
export const describeGroups: ApiHandler = {
  apiKey: 15,
  name: 'DescribeGroups',
  minVersion: 0,
  maxVersion: 2,
  handle: (ctx, version, r) => {
    const ids = r.array((x) => x.string());
    const w = new Writer();
    if (version >= 1) w.int32(0);
    return w.array(ids, (x, id) => {
      const g = ctx.groups.groups.get(id);
      const stable = g?.state === 'Stable';
      x.int16(0)
        .string(id)
        .string(g?.state ?? 'Dead')
        .string(g?.protocolType ?? '')
        .string(stable ? (g?.protocolName ?? '') : '');
      x.array(g ? [...g.members.values()] : [], (y, m) => {
        y.string(m.id).string(m.clientId).string(m.clientHost);
        y.bytes(
          stable
            ? (m.protocols.find((p) => p.name === g?.protocolName)?.metadata ?? Buffer.alloc(0))
            : Buffer.alloc(0),
        );
        y.bytes(stable ? m.assignment : Buffer.alloc(0));
      });
    });
  },
};

/** ListGroups (16) v0-2; commit-only groups have protocol type "". */
export const listGroups: ApiHandler = {
  apiKey: 16,
  name: 'ListGroups',
  minVersion: 0,
  maxVersion: 2,
  handle: (ctx, version) => {
    const w = new Writer();
    if (version >= 1) w.int32(0);
    return w
      .int16(0)
      .array([...ctx.groups.groups.values()], (x, g) => x.string(g.id).string(g.protocolType ?? ''));
  },
};

/** OffsetCommit (8) v2-5. */
export const offsetCommit: ApiHandler = {
  apiKey: 8,
  name: 'OffsetCommit',
  minVersion: 2,
  maxVersion: 5,
  handle: (ctx, version, r) => {
    const groupId = r.string();
    const generation = r.int32();
    const memberId = r.string();
    if (version <= 4) r.int64();
    const topics = r.array((x) => ({
      name: x.string(),
      partitions: x.array((y) => ({ partition: y.int32(), offset: y.int64(), metadata: y.nullableString() })),
    }));
    const check = ctx.groups.commitCheck(groupId, memberId, generation);
    const w = new Writer();
    if (version >= 3) w.int32(0);
    return w.array(topics, (x, t) => {
      const codes =
        check !== 0
          ? t.partitions.map(() => check)
          : ctx.groups.commit(
              groupId,
              t.partitions.map((p) => ({ topic: t.name, ...p })),
            );
      let i = 0;
      x.string(t.name).array(t.partitions, (y, p) => y.int32(p.partition).int16(codes[i++] ?? 0));
    });
  },
};

/** OffsetFetch (9) v1-4: -1 when nothing is committed; v2+ null topics means all. */
export const offsetFetch: ApiHandler = {
  apiKey: 9,
  name: 'OffsetFetch',
  minVersion: 1,
  maxVersion: 4,
  handle: (ctx, version, r) => {
    const groupId = r.string();
    const topics = r.nullableArray((x) => ({ topic: x.string(), partitions: x.array((y) => y.int32()) }));
    const result = ctx.groups.fetchOffsets(groupId, topics);
    const w = new Writer();
    if (version >= 3) w.int32(0);
    w.array(result, (x, t) => {
      x.string(t.topic).array(t.partitions, (y, p) =>
        y.int32(p.partition).int64(p.offset).string(p.metadata).int16(0),
      );
    });
    if (version >= 2) w.int16(0);
    return w;
  },
};

/** DeleteGroups (42) v0-1: 69 for an unknown group, 68 for one with members. */
export const deleteGroups: ApiHandler = {
  apiKey: 42,
  name: 'DeleteGroups',
  minVersion: 0,
  maxVersion: 1,
  handle: (ctx, _version, r) => {
    const ids = r.array((x) => x.string());
    const codes = ctx.groups.deleteGroups(ids);
    let i = 0;
    return new Writer().int32(0).array(ids, (x, id) => x.string(id).int16(codes[i++] ?? 0));
  },
};
