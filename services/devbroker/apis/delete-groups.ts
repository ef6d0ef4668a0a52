import { Writer } from '../protocol';
import type { Reader } from '../protocol';
import type { ApiHandler } from './types';

/** DeleteGroups request, v0-1: the group ids. */
export function decodeDeleteGroups(r: Reader): string[] {
  return r.array((x) => x.string());
}

/** throttle (every version), results [{id, error}]. */
export function encodeDeleteGroups(results: { groupId: string; errorCode: number }[]): Writer {
  return new Writer().int32(0).array(results, (x, g) => x.string(g.groupId).int16(g.errorCode));
}

/** DeleteGroups (42) v0-1: 69 for an unknown group, 68 for one with members; commits go with the group. */
export const deleteGroups: ApiHandler = {
  apiKey: 42,
  name: 'DeleteGroups',
  minVersion: 0,
  maxVersion: 1,
  handle: (ctx, _version, r) => {
    const ids = decodeDeleteGroups(r);
    const codes = ctx.groups.deleteGroups(ids);
    return encodeDeleteGroups(ids.map((groupId, i) => ({ groupId, errorCode: codes[i] ?? 0 })));
  },
};
