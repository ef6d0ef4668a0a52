import type { GroupState, JoinResult, Protocol, SyncResult } from './types';

/** A member of a group; `heldJoin`/`heldSync` answer a parked JoinGroup or SyncGroup. */
export interface Member {
  id: string;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocols: Protocol[];
  assignment: Buffer;
  heldJoin: ((r: JoinResult) => void) | null;
  heldSync: ((r: SyncResult) => void) | null;
  cancelSession: (() => void) | null;
}

/** A group as the coordinator keeps it. */
export interface Group {
  id: string;
  state: GroupState;
  generation: number;
  protocolType: string | null;
  protocolName: string | null;
  leaderId: string | null;
  members: Map<string, Member>;
  /** Member ids handed out with MEMBER_ID_REQUIRED, each with its expiry cancel. */
  pending: Map<string, () => void>;
  cancelRebalance: (() => void) | null;
  cancelSync: (() => void) | null;
}

/** The coordinator's groups by id. */
export type Groups = Map<string, Group>;

/** No bytes: the metadata or assignment of a member that has none. */
export const EMPTY = Buffer.alloc(0);

/** The group with this id, created Empty (generation 0) when missing. */
export function groupOf(groups: Groups, id: string): Group {
  let g = groups.get(id);
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
      cancelRebalance: null,
      cancelSync: null,
    };
    groups.set(id, g);
  }
  return g;
}

/** A JoinGroup error answer: generation -1 and empty protocol, leader and members. */
export const failJoin = (errorCode: number, memberId: string): JoinResult => ({
  errorCode,
  generation: -1,
  protocolName: '',
  leaderId: '',
  memberId,
  members: [],
});

/** The metadata a member sent for the group's chosen protocol (empty when it sent none). */
export function chosenMetadata(g: Group, m: Member): Buffer {
  return m.protocols.find((p) => p.name === g.protocolName)?.metadata ?? EMPTY;
}
