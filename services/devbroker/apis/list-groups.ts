import { Writer } from '../protocol';
import type { GroupListing } from '../groups';
import type { ApiHandler } from './types';

/** throttle (v1+), error, groups [{id, protocol type}] (the request body is empty up to v3). */
export function encodeListGroups(version: number, groups: GroupListing[]): Writer {
  const w = new Writer();
  if (version >= 1) w.int32(0);
  return w.int16(0).array(groups, (x, g) => x.string(g.groupId).string(g.protocolType));
}

/** ListGroups (16) v0-2: every group, commit-only ones with protocol type "". */
export const listGroups: ApiHandler = {
  apiKey: 16,
  name: 'ListGroups',
  minVersion: 0,
  maxVersion: 2,
  handle: (ctx, version) => encodeListGroups(version, ctx.groups.list()),
};
