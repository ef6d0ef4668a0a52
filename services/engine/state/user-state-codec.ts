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
 * The text form of a UserState in Redis: its JSON, made smaller in three ways, because every batch parses
 * and writes each user's document whole and that dominates the engine's CPU once users have history
 * (docs/performance.md):
 *
 * - the event a trigger keeps (`run.event`, `absent.event`, in live and shadow) is written as its eventId
 *   when the same event is in `history` or kept by another trigger; events not in history sit once in a
 *   top-level `events` table (several triggers on one signal each carried a full copy);
 * - each history event's context is written as an index into a top-level `contexts` list of the user's
 *   distinct contexts (a user's events mostly share one);
 * - a trigger state leaves out its null fields.
 *
 * Documents written as plain JSON decode unchanged (an engine older than this codec cannot read its
 * output: upgrade every instance together). Decoded states share one object per event and per context,
 * which is safe because evaluation never mutates either.
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
      const triggers: Record<string, Partial<Record<keyof TriggerState, unknown>>> = {};
      for (const [id, ts] of Object.entries(s.triggers)) {
        const out: Partial<Record<keyof TriggerState, unknown>> = {};
        if (ts.lastFiredAt !== null) out.lastFiredAt = ts.lastFiredAt;
        if (ts.run) out.run = { ...ts.run, event: ref(ts.run.event) };
        if (ts.absent) out.absent = { ...ts.absent, event: ref(ts.absent.event) };
        if (ts.goal) out.goal = ts.goal;
        triggers[id] = out;
      }
      return { ...s, triggers };
    };
    const live = space(state.live);
    const shadow = space(state.shadow);
    const contexts: NonNullable<StoredEvent['context']>[] = [];
    const contextIndex = new Map<string, number>();
    const indexes = state.history.map((e) => {
      const c = e.context;
      if (c === null || Object.keys(c).length !== CONTEXT_FIELDS) return -1;
      const key = `${c.locale}\u0000${c.region}\u0000${c.timezone}\u0000${c.userAgent ?? '\u0001'}\u0000${c.bot}`;
      let i = contextIndex.get(key);
      if (i === undefined) {
        i = contexts.push(c) - 1;
        contextIndex.set(key, i);
      }
      return i;
    });
    // The list pays off only when some events share a context.
    const shared = contexts.length < indexes.filter((i) => i >= 0).length;
    const history = shared
      ? state.history.map((e, j) => ((indexes[j] as number) < 0 ? e : { ...e, context: indexes[j] }))
      : state.history;
    const doc: Record<string, unknown> = { ...state, history, live, shadow };
    if (shared) doc.contexts = contexts;
    if (tabled > 0) doc.events = table;
    return JSON.stringify(doc);
  },

  decode(text) {
    const doc = JSON.parse(text) as UserState & {
      events?: Record<string, StoredEvent>;
      contexts?: NonNullable<StoredEvent['context']>[];
    };
    const table = doc.events ?? {};
    delete doc.events;
    const contexts = doc.contexts ?? [];
    delete doc.contexts;
    for (const e of doc.history) {
      if (typeof e.context !== 'number') continue;
      const c = contexts[e.context];
      if (c === undefined)
        throw new EngineError(
          'state_corrupt',
          `A stored user state's history event ${e.eventId} refers to context ${e.context}, which its contexts list does not hold.`,
        );
      e.context = c;
    }
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
        ts.lastFiredAt ??= null;
        ts.run ??= null;
        ts.absent ??= null;
        ts.goal ??= null;
        if (ts.run) ts.run.event = resolve(ts.run.event, `${id}.run`);
        if (ts.absent) ts.absent.event = resolve(ts.absent.event, `${id}.absent`);
      }
    }
    return doc;
  },
};

/** Fields of StoredEvent['context']; a context with others (none today) is written inline, whole. */
const CONTEXT_FIELDS = 5;

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
