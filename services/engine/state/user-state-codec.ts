import { EngineError } from '../errors';
import type { SpaceState, StoredEvent, TriggerState, UserState } from './model';

/** How the Redis store turns a state document into text and back. */
export interface StateCodec<S> {
  encode(state: S): string;
  decode(text: string): S;
}

/** Plain JSON: the store's default for documents it knows nothing about. */
export const JSON_STATE_CODEC: StateCodec<never> = {
  encode: (state) => JSON.stringify(state),
  decode: (text) => JSON.parse(text) as never,
};

/**
 * The text form of a UserState in Redis: its JSON, except that the event a trigger keeps (`run.event`,
 * `absent.event`, in live and shadow) is written as its eventId when the same event is in `history` or
 * kept by another trigger; events not in history sit once in a top-level `events` table. Several
 * triggers on one signal (and history) otherwise each carry a full copy of the event with its context:
 * in the benchmark that made up most of a busy user's document, and every batch parses and writes
 * documents whole. Documents written before (events inline) decode unchanged. Decoded states share
 * one object per event, which is safe because evaluation never mutates an event.
 */
export const USER_STATE_CODEC: StateCodec<UserState> = {
  encode(state) {
    const known = new Map<string, StoredEvent>();
    for (const e of state.history) if (!known.has(e.eventId)) known.set(e.eventId, e);
    // No prototype: an eventId is any string, "__proto__" included, and must land as a plain key.
    const table: Record<string, StoredEvent> = Object.create(null) as Record<string, StoredEvent>;
    let tabled = 0;
    const ref = (e: StoredEvent): StoredEvent | string => {
      const seen = known.get(e.eventId);
      if (seen === undefined) {
        known.set(e.eventId, e);
        table[e.eventId] = e;
        tabled += 1;
        return e.eventId;
      }
      // The same id with other content (a producer reusing ids) stays inline: nothing is lost.
      return seen === e || sameEvent(seen, e) ? e.eventId : e;
    };
    const space = (s: SpaceState) => {
      let triggers: Record<string, unknown> | null = null;
      for (const [id, ts] of Object.entries(s.triggers)) {
        if (!ts.run && !ts.absent) continue;
        triggers ??= { ...s.triggers };
        triggers[id] = {
          ...ts,
          run: ts.run ? { ...ts.run, event: ref(ts.run.event) } : null,
          absent: ts.absent ? { ...ts.absent, event: ref(ts.absent.event) } : null,
        };
      }
      return triggers ? { ...s, triggers } : s;
    };
    const live = space(state.live);
    const shadow = space(state.shadow);
    return JSON.stringify(
      tabled > 0 ? { ...state, live, shadow, events: table } : { ...state, live, shadow },
    );
  },

  decode(text) {
    const doc = JSON.parse(text) as UserState & { events?: Record<string, StoredEvent> };
    const table = doc.events ?? {};
    delete doc.events;
    let history: Map<string, StoredEvent> | null = null;
    const resolve = (e: StoredEvent | string, where: string): StoredEvent => {
      if (typeof e !== 'string') return e;
      history ??= new Map(doc.history.map((h) => [h.eventId, h]));
      const found = history.get(e) ?? (Object.hasOwn(table, e) ? table[e] : undefined);
      if (found === undefined)
        throw new EngineError(
          'state_corrupt',
          `A stored user state refers to event ${e} at ${where}, but neither its history nor its events table holds it.`,
        );
      return found;
    };
    for (const space of [doc.live, doc.shadow]) {
      for (const [id, ts] of Object.entries(space.triggers) as [string, TriggerState][]) {
        if (ts.run) ts.run.event = resolve(ts.run.event, `${id}.run`);
        if (ts.absent) ts.absent.event = resolve(ts.absent.event, `${id}.absent`);
      }
    }
    return doc;
  },
};

/** Field by field equality of two stored events (cheaper than comparing their JSON). */
function sameEvent(a: StoredEvent, b: StoredEvent): boolean {
  if (
    a.eventId !== b.eventId ||
    a.type !== b.type ||
    a.channel !== b.channel ||
    a.occurredAt !== b.occurredAt ||
    a.sessionId !== b.sessionId
  )
    return false;
  const ak = Object.keys(a.properties);
  if (ak.length !== Object.keys(b.properties).length) return false;
  for (const k of ak) if (a.properties[k] !== b.properties[k]) return false;
  if (a.context === null || b.context === null) return a.context === b.context;
  return (
    a.context.locale === b.context.locale &&
    a.context.region === b.context.region &&
    a.context.timezone === b.context.timezone &&
    a.context.userAgent === b.context.userAgent &&
    a.context.bot === b.context.bot
  );
}
