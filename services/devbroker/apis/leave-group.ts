import { ErrorCode } from '../errors';
import { Writer } from '../protocol';
import type { Reader } from '../protocol';
import type { ApiHandler } from './types';

/** LeaveGroup request: v0-2 one member id; v3 a list of {member id, instance id}. */
export interface LeaveGroupRequest {
  groupId: string;
  members: { memberId: string; groupInstanceId: string | null }[];
}

export function decodeLeaveGroup(r: Reader, version: number): LeaveGroupRequest {
  const groupId = r.string();
  const members =
    version >= 3
      ? r.array((x) => ({ memberId: x.string(), groupInstanceId: x.nullableString() }))
      : [{ memberId: r.string(), groupInstanceId: null }];
  return { groupId, members };
}

/** throttle (v1+), error; v3 adds members [{id, instance id, error}]. */
export function encodeLeaveGroup(
  version: number,
  errorCode: number,
  members: { memberId: string; groupInstanceId: string | null; errorCode: number }[],
): Writer {
  const w = new Writer();
  if (version >= 1) w.int32(0);
  w.int16(errorCode);
  if (version >= 3) {
    w.array(members, (x, m) => x.string(m.memberId).string(m.groupInstanceId).int16(m.errorCode));
  }
  return w;
}

/**
 * LeaveGroup (13) v0-3: removal as on session expiry. v0-2 answer the member's error at top level;
 * v3 answers top level 0 with one error per member (25 for each, when the group is unknown).
 */
export const leaveGroup: ApiHandler = {
  apiKey: 13,
  name: 'LeaveGroup',
  minVersion: 0,
  maxVersion: 3,
  handle: (ctx, version, r) => {
    const req = decodeLeaveGroup(r, version);
    const res = ctx.groups.leave(
      req.groupId,
      req.members.map((m) => m.memberId),
    );
    if (version < 3) return encodeLeaveGroup(version, res.topLevel, []);
    const topLevel = req.groupId === '' ? ErrorCode.INVALID_GROUP_ID : 0;
    return encodeLeaveGroup(
      version,
      topLevel,
      req.members.map((m, i) => ({ ...m, errorCode: res.perMember[i] ?? 0 })),
    );
  },
};
