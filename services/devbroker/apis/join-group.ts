import { Writer } from '../protocol';
import type { Reader } from '../protocol';
import type { JoinResult, Protocol } from '../groups';
import type { ApiHandler } from './types';

/** JoinGroup request, v0-5 (none flexible). */
export interface JoinGroupRequest {
  groupId: string;
  sessionTimeoutMs: number;
  /** v1+; v0 uses the session timeout (Kafka's rule). */
  rebalanceTimeoutMs: number;
  memberId: string;
  /** v5+ (KIP-345 static membership: logged and treated as dynamic). */
  groupInstanceId: string | null;
  protocolType: string;
  protocols: Protocol[];
}

export function decodeJoinGroup(r: Reader, version: number): JoinGroupRequest {
  const groupId = r.string();
  const sessionTimeoutMs = r.int32();
  const rebalanceTimeoutMs = version >= 1 ? r.int32() : sessionTimeoutMs;
  const memberId = r.string();
  const groupInstanceId = version >= 5 ? r.nullableString() : null;
  const protocolType = r.string();
  const protocols = r.array((x) => ({ name: x.string(), metadata: x.bytes() }));
  return {
    groupId,
    sessionTimeoutMs,
    rebalanceTimeoutMs,
    memberId,
    groupInstanceId,
    protocolType,
    protocols,
  };
}

/** throttle (v2+), error, generation, protocol, leader, member id, members [{id, instance id (v5+), metadata}]. */
export function encodeJoinGroup(version: number, res: JoinResult): Writer {
  const w = new Writer();
  if (version >= 2) w.int32(0);
  w.int16(res.errorCode)
    .int32(res.generation)
    .string(res.protocolName)
    .string(res.leaderId)
    .string(res.memberId);
  return w.array(res.members, (x, m) => {
    x.string(m.memberId);
    if (version >= 5) x.string(null);
    x.bytes(m.metadata);
  });
}

/** JoinGroup (11) v0-5; held until the group's join barrier completes; v4+ new members get 79 first. */
export const joinGroup: ApiHandler = {
  apiKey: 11,
  name: 'JoinGroup',
  minVersion: 0,
  maxVersion: 5,
  handle: async (ctx, version, r, conn) => {
    const req = decodeJoinGroup(r, version);
    if (req.groupInstanceId !== null) {
      ctx.log.warn({ groupId: req.groupId }, 'static membership not supported: member treated as dynamic');
    }
    const res = await ctx.groups.join({
      ...req,
      // KIP-394 applies from v4, and not to static members (who are dynamic here, but carry an identity).
      requireKnownMemberId: version >= 4 && req.groupInstanceId === null,
      clientId: conn.clientId,
      clientHost: conn.clientHost,
    });
    return encodeJoinGroup(version, res);
  },
};
