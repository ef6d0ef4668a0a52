import { Writer } from '../protocol';
import type { Reader } from '../protocol';
import type { ApiHandler } from './types';

/** Heartbeat request, v0-3. */
export interface HeartbeatRequest {
  groupId: string;
  generation: number;
  memberId: string;
  /** v3+. */
  groupInstanceId: string | null;
}

export function decodeHeartbeat(r: Reader, version: number): HeartbeatRequest {
  const groupId = r.string();
  const generation = r.int32();
  const memberId = r.string();
  const groupInstanceId = version >= 3 ? r.nullableString() : null;
  return { groupId, generation, memberId, groupInstanceId };
}

/** throttle (v1+), error. */
export function encodeHeartbeat(version: number, errorCode: number): Writer {
  const w = new Writer();
  if (version >= 1) w.int32(0);
  return w.int16(errorCode);
}

/** Heartbeat (12) v0-3: 27 while the group prepares a rebalance, which makes the member rejoin. */
export const heartbeat: ApiHandler = {
  apiKey: 12,
  name: 'Heartbeat',
  minVersion: 0,
  maxVersion: 3,
  handle: (ctx, version, r) => {
    const req = decodeHeartbeat(r, version);
    return encodeHeartbeat(version, ctx.groups.heartbeat(req.groupId, req.memberId, req.generation));
  },
};
