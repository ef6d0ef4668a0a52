/** The group states, spelled exactly as DescribeGroups answers them (devbroker.md §6). */
export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

/** One protocol a member offers in JoinGroup (for consumers: an assignor name and its metadata). */
export interface Protocol {
  name: string;
  metadata: Buffer;
}

/** A decoded JoinGroup request, any version. */
export interface JoinRequest {
  groupId: string;
  /** "" for a new member. */
  memberId: string;
  /** JoinGroup v4+ without an instance id: a new member first gets MEMBER_ID_REQUIRED (KIP-394). */
  requireKnownMemberId: boolean;
  sessionTimeoutMs: number;
  /** v0 has none: pass the session timeout, as Kafka does. */
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: Protocol[];
  clientId: string;
  clientHost: string;
}

/** The JoinGroup answer; `members` is filled for the leader only. */
export interface JoinResult {
  errorCode: number;
  generation: number;
  protocolName: string;
  leaderId: string;
  memberId: string;
  members: { memberId: string; metadata: Buffer }[];
}

/** A decoded SyncGroup request; only the leader's `assignments` are used. */
export interface SyncRequest {
  groupId: string;
  memberId: string;
  generation: number;
  assignments: { memberId: string; assignment: Buffer }[];
}

/** The SyncGroup answer: this member's opaque assignment bytes. */
export interface SyncResult {
  errorCode: number;
  assignment: Buffer;
}

/** The LeaveGroup answer: a top-level code (v0-2) and one per member asked (v3). */
export interface LeaveResult {
  topLevel: number;
  perMember: number[];
}

/** One partition of an OffsetCommit. `offset` is the next offset to read. */
export interface CommitEntry {
  topic: string;
  partition: number;
  offset: bigint;
  metadata: string | null;
}

/** A committed offset as stored. */
export interface CommittedOffset {
  offset: bigint;
  metadata: string;
}

/** OffsetFetch's answer for one topic; offset -1 and metadata "" when nothing is committed. */
export interface FetchedTopic {
  topic: string;
  partitions: { partition: number; offset: bigint; metadata: string }[];
}

/** What DescribeGroups shows of a member (metadata and assignment are empty unless Stable). */
export interface MemberDescription {
  memberId: string;
  clientId: string;
  clientHost: string;
  metadata: Buffer;
  assignment: Buffer;
}

/** What DescribeGroups shows of a group; state "Dead" for a group that does not exist. */
export interface GroupDescription {
  groupId: string;
  state: GroupState;
  protocolType: string;
  /** "" unless Stable. */
  protocolName: string;
  members: MemberDescription[];
}

/** One ListGroups entry; protocolType "" for a group that only has committed offsets. */
export interface GroupListing {
  groupId: string;
  protocolType: string;
}
