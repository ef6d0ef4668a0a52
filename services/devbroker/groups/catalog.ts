import { chosenMetadata, EMPTY } from './group';
import type { Groups } from './group';
import type { GroupDescription, GroupListing } from './types';

/** DescribeGroups for one id: "Dead" with no members when missing; protocol and bytes only when Stable. */
export function describeGroup(groups: Groups, groupId: string): GroupDescription {
  const g = groups.get(groupId);
  if (!g) return { groupId, state: 'Dead', protocolType: '', protocolName: '', members: [] };
  const stable = g.state === 'Stable';
  return {
    groupId,
    state: g.state,
    protocolType: g.protocolType ?? '',
    protocolName: stable ? (g.protocolName ?? '') : '',
    members: [...g.members.values()].map((m) => ({
      memberId: m.id,
      clientId: m.clientId,
      clientHost: m.clientHost,
      metadata: stable ? chosenMetadata(g, m) : EMPTY,
      assignment: stable ? m.assignment : EMPTY,
    })),
  };
}

/** ListGroups: every group, including commit-only ones (protocol type ""). */
export function listGroups(groups: Groups): GroupListing[] {
  return [...groups.values()].map((g) => ({ groupId: g.id, protocolType: g.protocolType ?? '' }));
}
