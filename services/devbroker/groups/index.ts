/** groups: the consumer-group coordinator and committed offsets (devbroker.md §6). */
export { GroupCoordinator } from './coordinator';
export type { CoordinatorLog, CoordinatorOptions } from './coordinator';
export type { Group, Member } from './group';
export { OFFSETS_DIR, OffsetStore } from './offsets';
export { chooseProtocol } from './protocol';
export { KeyedQueue } from './queue';
export { realScheduler } from './scheduler';
export type { Scheduler } from './scheduler';
export type {
  CommitEntry,
  CommittedOffset,
  FetchedTopic,
  GroupDescription,
  GroupListing,
  GroupState,
  JoinRequest,
  JoinResult,
  LeaveResult,
  Protocol,
  SyncRequest,
  SyncResult,
} from './types';
