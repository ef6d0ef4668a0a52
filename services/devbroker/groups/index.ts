/** groups: the consumer-group coordinator and committed offsets. */
export { chooseProtocol, GroupCoordinator } from './coordinator';
export type {
  CommittedOffset,
  Group,
  GroupState,
  JoinRequest,
  JoinResult,
  Member,
  Protocol,
} from './coordinator';
