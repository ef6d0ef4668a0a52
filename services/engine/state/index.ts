/**
 * state: the per-user state document (model.ts), the store contract (store.ts) and its in-memory
 * implementation (memory.ts). The Redis store lives in the redis folders (streaming engine).
 */
export type {
  AbsentState,
  AudienceMembership,
  ConsentRecord,
  Emission,
  GoalWindow,
  RunState,
  SpaceState,
  StoredEvent,
  TriggerState,
  UserState,
} from './model';
export { emptyUserState, HISTORY_MAX, SEEN_IDS_MAX, storedEventWith } from './model';
export type {
  ApplyBatch,
  ApplyResult,
  DueTimer,
  DueTimers,
  Revisioned,
  StateStore,
  StateWrite,
  TimerWrite,
} from './store';
export { MemoryStateStore } from './memory';
export { parseTimerMember, redisKeys, timerMember } from './keys';
export type { RedisKeys } from './keys';
export { decodeLoaded, encodeApply, RedisStateStore } from './redis-store';
export type { EncodedApply, LoadedRaw, RedisStateStoreOptions } from './redis-store';
export { JSON_STATE_CODEC, USER_STATE_CODEC } from './user-state-codec';
export type { EncodedState, SectionField, StateCodec } from './user-state-codec';
