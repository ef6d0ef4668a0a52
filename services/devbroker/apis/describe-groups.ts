import { Writer } from '../protocol';
import type { Reader } from '../protocol';
import type { GroupDescription } from '../groups';
import type { ApiHandler } from './types';

/** DescribeGroups request, v0-2: the group ids. */
export function decodeDescribeGroups(r: Reader): string[] {
  return r.array((x) => x.string());
}

/**
 * throttle (v1+), groups [{error, id, state, protocol type, protocol, members [{id, client id, client
 * host, metadata, assignment}]}]; the instance id (v4+) and authorized operations (v3+) are above v2.
 */
export function encodeDescribeGroups(version: number, groups: GroupDescription[]): Writer {
  const w = new Writer();
  if (version >= 1) w.int32(0);
  return w.array(groups, (x, g) => {
    x.int16(0).string(g.groupId).string(g.state).string(g.protocolType).string(g.protocolName);
    x.array(g.members, (y, m) =>
      y.string(m.memberId).string(m.clientId).string(m.clientHost).bytes(m.metadata).bytes(m.assignment),
    );
  });
}

/** DescribeGroups (15) v0-2: a missing group is "Dead" with error 0. */
export const describeGroups: ApiHandler = {
  apiKey: 15,
  name: 'DescribeGroups',
  minVersion: 0,
  maxVersion: 2,
  handle: (ctx, version, r) =>
    encodeDescribeGroups(
      version,
      decodeDescribeGroups(r).map((id) => ctx.groups.describe(id)),
    ),
};
