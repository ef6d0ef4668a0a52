/**
 * The inputs of evaluate(), field for field the records of spec/topics.md after ingest validated them.
 * Times are epoch milliseconds.
 */
import type { Channel } from './plan';

/** Context of an event: `timezone` is an IANA name; `bot: true` events never match a trigger. */
export interface EventContext {
  locale: string;
  region: string;
  timezone: string;
  userAgent: string | null;
  bot: boolean;
}

/** A behavioural event (schemas/event.avsc). */
export interface EngineEvent {
  eventId: string;
  userId: string;
  channel: Channel;
  type: string;
  /** Event time, epoch ms. */
  occurredAt: number;
  sessionId: string | null;
  properties: Record<string, string | number | boolean>;
  context: EventContext | null;
}

/** Profile attributes merged into the profile; a null value removes the attribute. */
export interface ProfileUpdate {
  userId: string;
  attributes: Record<string, string | null>;
  updatedAt: number;
}

/** One consent record; an older `updatedAt` never overwrites a newer one. */
export interface ConsentChange {
  userId: string;
  purpose: string;
  status: 'granted' | 'denied';
  updatedAt: number;
  source: string;
}

/** A timer of this user that came due (from the partition's due index; the user state is the truth). */
export interface DueTimer {
  userId: string;
  timerId: string;
  dueAt: number;
}

/** One input of evaluate(), tagged by kind. */
export type Input =
  | { kind: 'event'; event: EngineEvent }
  | { kind: 'profile'; update: ProfileUpdate }
  | { kind: 'consent'; change: ConsentChange }
  | { kind: 'timer'; timer: DueTimer };

/** The user an input concerns. */
export function inputUserId(input: Input): string {
  switch (input.kind) {
    case 'event':
      return input.event.userId;
    case 'profile':
      return input.update.userId;
    case 'consent':
      return input.change.userId;
    case 'timer':
      return input.timer.userId;
  }
}
