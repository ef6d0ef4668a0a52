import { Writer } from '../protocol';
import type { Reader } from '../protocol';
import type { SyncRequest, SyncResult } from '../groups';
import type { ApiHandler } from './types';

/** SyncGroup request, v0-3; `groupInstanceId` is v3+. Assignments are opaque bytes. */
export interface SyncGroupRequest extends SyncRequest {
  groupInstanceId: string | null;
}

export function decodeSyncGroup(r: Reader, version: number): SyncGroupRequest {
  const groupId = r.string();
  const generation = r.int32();
  const memberId = r.string();
  const groupInstanceId = version >= 3 ? r.nullableString() : null;
  const assignments = r.array((x) => ({ memberId: x.string(), assignment: x.bytes() }));
  return { groupId, generation, memberId, groupInstanceId, assignments };
}

/** throttle (v1+), error, assignment bytes. */
export function encodeSyncGroup(version: number, res: SyncResult): Writer {
  const w = new Writer();
  if (version >= 1) w.int32(0);
  return w.int16(res.errorCode).bytes(res.assignment);
}

/** SyncGroup (14) v0-3: followers are held until the leader's assignments arrive. */
export const syncGroup: ApiHandler = {
  apiKey: 14,
  name: 'SyncGroup',
  minVersion: 0,
  maxVersion: 3,
  handle: async (ctx, version, r) => {
    const req = decodeSyncGroup(r, version);
    return encodeSyncGroup(version, await ctx.groups.sync(req));
  },
};
