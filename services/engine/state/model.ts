/**
 * The per-user state document evaluate() reads and returns (DESIGN.md decision 5: timers are state).
 * JSON-serialisable; the store owns `rev` (evaluate never changes it). Every list is bounded: history is
 * pruned to the longest look-back any plan needs, seen ids and rate samples to fixed sizes.
 * Shadow triggers keep their trigger-scoped state in `shadow`, apart from `live` (spec: "Measurement").
 */
import type { Revisioned } from './store';

/** An event as kept in history: the record without userId. */
export interface StoredEvent {
  eventId: string;
  channel: 'web' | 'mobile' | 'email' | 'paid';
  type: string;
  /** Event time, epoch ms. */
  occurredAt: number;
  sessionId: string | null;
  properties: Record<string, string | number | boolean>;
  context: {
    locale: string;
    region: string;
    timezone: string;
    userAgent: string | null;
    bot: boolean;
  } | null;
}

/**
 * An event's stored fields in one fixed order (so every stored event has one object shape), with the
 * context given (evaluation passes the event's own).
 */
export function storedEventWith<C>(
  e: Omit<StoredEvent, 'context'>,
  context: C,
): Omit<StoredEvent, 'context'> & { context: C } {
  return {
    eventId: e.eventId,
    channel: e.channel,
    type: e.type,
    occurredAt: e.occurredAt,
    sessionId: e.sessionId,
    properties: e.properties,
    context,
  };
}

/** The latest consent record of one purpose (an older updatedAt never overwrites a newer one). */
export interface ConsentRecord {
  status: 'granted' | 'denied';
  updatedAt: number;
  source: string;
}

/** An active run of a trigger's sequence, parked on a wait or on a quiet-hours deferral. */
export interface RunState {
  /** Version of the trigger that started the run. */
  version: number;
  /** The step the run is parked on: a wait step (phase wait) or an action step (phase defer). */
  stepId: string;
  phase: 'wait' | 'defer';
  /** When the run resumes (the timer `run:<id>` / `shadow-run:<id>`), epoch ms. */
  dueAt: number;
  /** For phase defer: the step's due time before the deferral (its window counts from here). */
  windowFrom: number;
  /** The signal's dueAt: exitIf without `within` looks back to here. */
  startedAt: number;
  /** False until the first action step was decided (the start checks run on that one). */
  started: boolean;
  signalEventIds: string[];
  /** The signal event (for `${event.*}` in later steps and the user's time zone). */
  event: StoredEvent;
}

/** An armed absence timer (signal kind absent). */
export interface AbsentState {
  /** occurredAt of the arming event (t); absent events in (armedAt, dueAt] disarm. */
  armedAt: number;
  /** t + D. */
  dueAt: number;
  event: StoredEvent;
}

/** A goal window opened by a fire or a holdout. */
export interface GoalWindow {
  group: 'treatment' | 'holdout';
  /** Decision time of the fire; goal events with occurredAt in (from, until] convert. */
  from: number;
  until: number;
}

/** A paid audience this user was added to by a trigger (removed on conversion or revocation). */
export interface AudienceMembership {
  triggerId: string;
  stepId: string;
  /** The resolved params of the add (audience, network, ...): the removal repeats them. */
  params: Record<string, string>;
  /** Consent purposes the add needed; revoking one removes the user. */
  purposes: string[];
  addedAt: number;
  signalEventIds: string[];
}

/** Trigger-scoped state of one trigger. */
export interface TriggerState {
  /** Decision time of the last fire (or holdout/shadow fire) for cooldown, or null. */
  lastFiredAt: number | null;
  run: RunState | null;
  absent: AbsentState | null;
  goal: GoalWindow | null;
}

/** An emitted activation, for caps (only emitted activations count). */
export interface Emission {
  /** Decision time, epoch ms. */
  at: number;
  triggerId: string;
  channel: 'web' | 'mobile' | 'email' | 'paid';
}

/** The trigger-scoped state of one mode (live or shadow). */
export interface SpaceState {
  triggers: Record<string, TriggerState>;
  emissions: Emission[];
  audiences: AudienceMembership[];
}

export interface UserState extends Revisioned {
  /** Document format version. */
  v: 1;
  /** Matching-relevant events (types some plan mentions), ascending occurredAt, pruned to the look-back. */
  history: StoredEvent[];
  /** Recently seen event ids, oldest first (duplicates are ignored). */
  seen: string[];
  /** occurredAt of the last events of any type, for the bot rate (last minute, bounded). */
  rate: number[];
  /** Bot flag: decisions with dueAt in [from, until) are suppressed with reason bot. */
  bot: { from: number; until: number } | null;
  profile: Record<string, string>;
  /** updatedAt of each profile attribute (an older update never overwrites a newer one). */
  profileAt: Record<string, number>;
  consent: Record<string, ConsentRecord>;
  live: SpaceState;
  shadow: SpaceState;
}

/** Most event ids remembered for deduplication beyond those in history. */
export const SEEN_IDS_MAX = 1000;
/** Most events kept in history (newest kept). */
export const HISTORY_MAX = 500;

/** The state of a user never seen before. */
export function emptyUserState(): UserState {
  return {
    rev: 0,
    v: 1,
    history: [],
    seen: [],
    rate: [],
    bot: null,
    profile: {},
    profileAt: {},
    consent: {},
    live: { triggers: {}, emissions: [], audiences: [] },
    shadow: { triggers: {}, emissions: [], audiences: [] },
  };
}
