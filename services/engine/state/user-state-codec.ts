import { EngineError } from '../errors';
import type { SpaceState, StoredEvent, TriggerState, UserState } from './model';

/**
 * Fields of the user's state hash a codec may keep parts of the state in, besides the document `d`:
 * `p` (profile and consent) and `t` (trigger states). They change far less often than the document.
 */
export type SectionField = 'p' | 't';

/**
 * What one state write puts in Redis: the document (field `d` of the user's state hash, written on every
 * state write), the section fields that changed (the others keep their stored value) and, for a codec that
 * keeps the history apart, how the user's history list changes: the first `drop` entries removed
 * (`'all'`: the whole list replaced), then `push` appended. Most events only append to history and touch
 * neither consent nor most trigger states, so a write carries what changed instead of everything.
 */
export interface EncodedState {
  doc: string;
  sections?: Partial<Record<SectionField, string>>;
  history?: { drop: number | 'all'; push: string[] };
}

/** How the Redis store turns a state document into text and back. */
export interface StateCodec<S> {
  /**
   * `previous` is the state this codec decoded when the writer loaded the user (the lane passes it): the
   * codec writes the change against it. Without it, everything is written.
   */
  encode(state: S, previous?: S): EncodedState;
  /**
   * `sections`: the section fields as stored; `history`: the user's history list (empty when none), or
   * its entries already joined by commas ("" when none), as the Redis store's load script returns them.
   */
  decode(
    doc: string,
    sections: Partial<Record<SectionField, string>>,
    history: readonly string[] | string,
  ): S;
}

/** Plain JSON, all in the document: the store's default for documents it knows nothing about. */
export const JSON_STATE_CODEC: StateCodec<never> = {
  encode: (state) => ({ doc: JSON.stringify(state) }),
  decode: (text) => JSON.parse(text) as never,
};

type Context = NonNullable<StoredEvent['context']>;

/** What a decoded state was stored as: the base its next write is diffed against. */
interface StoredForm {
  /** The history as decoded (the state's own array: evaluation never changes a state it is given). */
  history: readonly StoredEvent[];
  /** The contexts table its history entries refer to. */
  contexts: readonly Context[];
  /** True when the history was inside the document (written before the history list existed). */
  inline: boolean;
  /** True when profile, consent and trigger states were inside the document (before the section fields). */
  legacy: boolean;
  /** The objects decoded: a next state still holding them did not change them (evaluation copies on write). */
  profile: UserState['profile'];
  profileAt: UserState['profileAt'];
  consent: UserState['consent'];
  live: SpaceState['triggers'];
  shadow: SpaceState['triggers'];
}

const storedForms = new WeakMap<object, StoredForm>();

/** A contexts table longer than this is rebuilt (the history rewritten) rather than grown further. */
const CONTEXTS_MAX = 16;

/**
 * The text form of a UserState in Redis, built so that a write costs what changed rather than what the
 * user has accumulated, because every batch loads and writes each of its users (docs/performance.md):
 *
 * - the history lives in its own Redis list, one JSON entry per event (PackedEvent: its fields as an
 *   array, without their names), oldest first; a write removes the events pruned from its front and
 *   appends the new ones, and rewrites the list only when an event arrived out of order (inserted
 *   before others) or the contexts table is rebuilt;
 * - each history entry's context is an index into the document's `contexts` table (a user's events
 *   mostly share one); the table only grows while the list is appended to;
 * - the event a trigger keeps (`run.event`, `absent.event`, in live and shadow) is written as its eventId
 *   when history holds the same event or another trigger already wrote it; events not in history sit once
 *   in a top-level `events` table;
 * - a trigger state leaves out its null fields;
 * - profile and consent live in the hash field `p`, trigger states (with the events table) in `t`, and
 *   each is written only when it changed: evaluation copies them on write, so a next state still holding
 *   the decoded objects did not change them (`t` is also rewritten when history drops events, which its
 *   references may name). The document `d` (seen ids, rate, bot flag, caps, audiences, contexts) is
 *   written on every state write.
 *
 * Documents with their history, profile, consent or trigger states inside (plain JSON, or this codec
 * before the list and the sections) decode unchanged, and their next write moves them out. An engine
 * older than this format cannot read what it writes: upgrade every instance together. The state is
 * split over two keys (`:s` and `:h`), so Redis must not evict keys (`maxmemory-policy noeviction`). Decoded
 * states share one object per event and per context, which is safe because evaluation never mutates
 * either.
 */
export const USER_STATE_CODEC: StateCodec<UserState> = {
  encode(state, previous) {
    const base = previous === undefined ? undefined : storedForms.get(previous);
    const change = base === undefined || base.inline ? null : historyChange(base.history, state.history);
    const contexts = new ContextTable(change === null ? [] : (base as StoredForm).contexts);
    let history: EncodedState['history'];
    if (change !== null) {
      const push: string[] = [];
      for (let i = state.history.length - change.appended; i < state.history.length; i++)
        push.push(contexts.entry(state.history[i] as StoredEvent));
      // Rebuilt (with the whole list) once unused contexts pile up; a user whose history itself holds
      // more distinct contexts than CONTEXTS_MAX keeps appending rather than rebuilding on every write.
      if (contexts.size <= Math.max(CONTEXTS_MAX, 2 * state.history.length))
        history = { drop: change.dropped, push };
    }
    if (history === undefined) {
      contexts.clear();
      const push: string[] = [];
      for (const e of state.history) push.push(contexts.entry(e));
      history = { drop: 'all', push };
    }

    const { profile, profileAt, consent, live, shadow } = state;
    const liveTriggers = live.triggers;
    const shadowTriggers = shadow.triggers;
    // The document: everything but history, profile, consent and trigger states.
    // No revision: the store keeps it in its own hash field.
    const doc: StoredDoc = {
      v: state.v,
      seen: state.seen,
      rate: state.rate,
      bot: state.bot,
      live: { emissions: live.emissions, audiences: live.audiences },
      shadow: { emissions: shadow.emissions, audiences: shadow.audiences },
    };
    if (contexts.size > 0) doc.contexts = contexts.list;
    const sections: Partial<Record<SectionField, string>> = {};
    const whole = base === undefined || base.legacy;
    if (whole || profile !== base.profile || profileAt !== base.profileAt || consent !== base.consent)
      sections.p = JSON.stringify({ profile, profileAt, consent });
    if (
      whole ||
      history.drop !== 0 ||
      !sameTriggers(liveTriggers, base.live) ||
      !sameTriggers(shadowTriggers, base.shadow)
    )
      sections.t = encodeTriggers(state.history, liveTriggers, shadowTriggers);
    return { doc: JSON.stringify(doc), sections, history };
  },

  decode(text, sections, entries) {
    const doc = JSON.parse(text) as StoredDoc;
    const p =
      sections.p === undefined
        ? null
        : (JSON.parse(sections.p) as Pick<UserState, 'profile' | 'profileAt' | 'consent'>);
    const t = sections.t === undefined ? null : (JSON.parse(sections.t) as TriggersSection);
    const contexts = doc.contexts ?? [];
    const inline = doc.history !== undefined;
    const joined = typeof entries === 'string' ? entries : entries.join(',');
    const history = unpackHistory(
      doc.history ?? (joined === '' ? [] : (JSON.parse(`[${joined}]`) as HistoryEntry[])),
      contexts,
    );
    // Before the section fields, all of it was in the document. A new object of one fixed shape rather
    // than the parsed document with properties deleted and added: evaluation reads and copies it for
    // every input, and V8 makes that slow on objects whose shape changed that way.
    const kept: KeptEvents = {
      table: (t ? t.events : doc.events) ?? {},
      history,
      byId: null,
    };
    const profileSource = p ?? doc;
    const state: UserState = {
      rev: doc.rev ?? 0,
      v: 1,
      history,
      seen: doc.seen ?? [],
      rate: doc.rate ?? [],
      bot: doc.bot ?? null,
      profile: profileSource.profile ?? {},
      profileAt: profileSource.profileAt ?? {},
      consent: profileSource.consent ?? {},
      live: decodeSpace(doc.live, t ? t.live : doc.live.triggers, 'live', kept),
      shadow: decodeSpace(doc.shadow, t ? t.shadow : doc.shadow.triggers, 'shadow', kept),
    };
    storedForms.set(state, {
      // Not a copy: evaluation never changes the state it is given (it copies what it changes).
      history,
      contexts,
      inline,
      legacy: p === null || t === null,
      profile: state.profile,
      profileAt: state.profileAt,
      consent: state.consent,
      live: state.live.triggers,
      shadow: state.shadow.triggers,
    });
    return state;
  },
};

type Triggers = SpaceState['triggers'];
type TriggersSection = { live?: Triggers; shadow?: Triggers; events?: Record<string, StoredEvent> };
/** The document `d` as stored, with what older formats also kept in it. */
type StoredDoc = Partial<Omit<UserState, 'live' | 'shadow'>> & {
  events?: Record<string, StoredEvent>;
  contexts?: Context[];
  live: Partial<SpaceState>;
  shadow: Partial<SpaceState>;
};
/** Where a decoded trigger state's kept event (written as its eventId) is found. */
interface KeptEvents {
  table: Record<string, StoredEvent>;
  history: readonly StoredEvent[];
  byId: Map<string, StoredEvent> | null;
}

function decodeSpace(
  stored: Partial<SpaceState>,
  triggers: Triggers | undefined,
  space: 'live' | 'shadow',
  kept: KeptEvents,
): SpaceState {
  const out: Triggers = {};
  if (triggers !== undefined) {
    for (const id of Object.keys(triggers)) {
      const ts = triggers[id] as Partial<TriggerState>;
      const run = ts.run ?? null;
      const absent = ts.absent ?? null;
      if (run) run.event = keptEvent(kept, run.event, `${space}.${id}.run`);
      if (absent) absent.event = keptEvent(kept, absent.event, `${space}.${id}.absent`);
      out[id] = { lastFiredAt: ts.lastFiredAt ?? null, run, absent, goal: ts.goal ?? null };
    }
  }
  return { triggers: out, emissions: stored.emissions ?? [], audiences: stored.audiences ?? [] };
}

function keptEvent(kept: KeptEvents, e: StoredEvent | string, where: string): StoredEvent {
  if (typeof e !== 'string') return e;
  // The table first: it holds exactly the kept events history did not hold when `t` was written, and
  // history may since have gained another event under the same id (a producer reusing ids) while `t`
  // was left as it was.
  let found = Object.hasOwn(kept.table, e) ? kept.table[e] : undefined;
  if (found === undefined) {
    kept.byId ??= new Map(kept.history.map((h) => [h.eventId, h]));
    found = kept.byId.get(e);
  }
  if (found === undefined)
    throw new EngineError(
      'state_corrupt',
      `A stored user state refers to event ${e} at ${where}, but neither its history nor its events table holds it.`,
    );
  return found;
}

/**
 * The `t` section: trigger states of both modes without their null fields, and an events table for kept
 * events history does not hold. A kept event is written as its eventId when history holds the same
 * event or another trigger already wrote it.
 */
function encodeTriggers(
  history: readonly StoredEvent[],
  live: SpaceState['triggers'],
  shadow: SpaceState['triggers'],
): string {
  const refs: KeptRefs = { history, known: null, table: null };
  const section: Record<string, unknown> = {
    live: encodeSpace(live, refs),
    shadow: encodeSpace(shadow, refs),
  };
  if (refs.table !== null) section.events = refs.table;
  return JSON.stringify(section);
}

/** The kept events of one `t` write: those history holds, and the table of those it does not. */
interface KeptRefs {
  history: readonly StoredEvent[];
  known: Map<string, StoredEvent> | null;
  /** No prototype: an eventId is any string, "__proto__" included, and must land as a plain key. */
  table: Record<string, StoredEvent> | null;
}

function encodeSpace(triggers: SpaceState['triggers'], refs: KeptRefs) {
  const out: Record<string, Partial<Record<keyof TriggerState, unknown>>> = {};
  for (const id of Object.keys(triggers)) {
    const ts = triggers[id] as TriggerState;
    const o: Partial<Record<keyof TriggerState, unknown>> = {};
    if (ts.lastFiredAt !== null) o.lastFiredAt = ts.lastFiredAt;
    if (ts.run) o.run = { ...ts.run, event: keptRef(refs, ts.run.event) };
    if (ts.absent) o.absent = { ...ts.absent, event: keptRef(refs, ts.absent.event) };
    if (ts.goal) o.goal = ts.goal;
    out[id] = o;
  }
  return out;
}

/**
 * A kept event as written: its eventId when history holds the same event or another trigger already
 * wrote it (the first writer puts events history does not hold in the table); the event itself when
 * history holds another event under its id (a producer reusing ids): nothing is lost.
 */
function keptRef(refs: KeptRefs, e: StoredEvent): StoredEvent | string {
  if (refs.known === null) {
    refs.known = new Map();
    for (const h of refs.history) if (!refs.known.has(h.eventId)) refs.known.set(h.eventId, h);
  }
  const seen = refs.known.get(e.eventId);
  if (seen === undefined) {
    refs.known.set(e.eventId, e);
    refs.table ??= Object.create(null) as Record<string, StoredEvent>;
    refs.table[e.eventId] = e;
    return e.eventId;
  }
  return seen === e || sameEvent(seen, e) ? e.eventId : e;
}

/**
 * True when `next` holds the trigger states `prev` held, unchanged: the same objects, or copies evaluation
 * made to change them (copy on write) that ended equal, field by field.
 */
function sameTriggers(next: SpaceState['triggers'], prev: SpaceState['triggers']): boolean {
  const ids = Object.keys(next);
  if (ids.length !== Object.keys(prev).length) return false;
  for (const id of ids) {
    const a = next[id] as TriggerState;
    const b = prev[id];
    if (a === b) continue;
    if (
      b === undefined ||
      a.lastFiredAt !== b.lastFiredAt ||
      a.goal !== b.goal ||
      a.absent !== b.absent ||
      !sameRun(a.run, b.run)
    )
      return false;
  }
  return true;
}

function sameRun(a: TriggerState['run'], b: TriggerState['run']): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  return (
    a.version === b.version &&
    a.stepId === b.stepId &&
    a.phase === b.phase &&
    a.dueAt === b.dueAt &&
    a.windowFrom === b.windowFrom &&
    a.startedAt === b.startedAt &&
    a.started === b.started &&
    a.event === b.event &&
    a.signalEventIds.length === b.signalEventIds.length &&
    a.signalEventIds.every((id, i) => id === b.signalEventIds[i])
  );
}

/**
 * How `next` follows from the stored history `prev`: `dropped` events removed from the front, then
 * `appended` new ones at the end; null when it does not (an event inserted before others, or one
 * replaced). Events are compared by identity: evaluation keeps the objects it loaded.
 */
function historyChange(
  prev: readonly StoredEvent[],
  next: readonly StoredEvent[],
): { dropped: number; appended: number } | null {
  let dropped = 0;
  if (next.length > 0) {
    dropped = prev.indexOf(next[0] as StoredEvent);
    if (dropped < 0) dropped = prev.length; // all of prev pruned (or none of next is old)
  } else {
    dropped = prev.length;
  }
  const kept = prev.length - dropped;
  if (kept > next.length) return null;
  for (let i = 0; i < kept; i++) if (next[i] !== prev[dropped + i]) return null;
  return { dropped, appended: next.length - kept };
}

/**
 * The contexts table of one write: the stored table (copied on first growth) and an index by content,
 * built only when an entry is written.
 */
class ContextTable {
  list: Context[];
  private index: Map<string, number> | null = null;
  private copied = false;

  constructor(stored: readonly Context[]) {
    this.list = stored as Context[];
  }

  get size(): number {
    return this.list.length;
  }

  clear(): void {
    this.list = [];
    this.copied = true;
    this.index = new Map();
  }

  /**
   * A history entry: the event's fields as a JSON array in PackedEvent's order, its context as an index
   * into the table (a context of another shape, none today, or none at all is written as it is).
   */
  entry(e: StoredEvent): string {
    const c = e.context;
    if (c === null || Object.keys(c).length !== CONTEXT_FIELDS) return JSON.stringify(packed(e, c));
    if (this.index === null) {
      this.index = new Map();
      for (let i = 0; i < this.list.length; i++) this.index.set(contextKey(this.list[i] as Context), i);
    }
    const key = contextKey(c);
    let i = this.index.get(key);
    if (i === undefined) {
      if (!this.copied) {
        this.list = this.list.slice();
        this.copied = true;
      }
      i = this.list.push(c) - 1;
      this.index.set(key, i);
    }
    return JSON.stringify(packed(e, i));
  }
}

/**
 * A history entry as stored: the event's fields in this order, without their names, which were two
 * fifths of the history's text (the benchmark's users: 728 bytes at the median as objects, 420 packed).
 * The context is an index into the document's contexts table, or the context itself. Entries written
 * before this format are objects with the same fields (StoredEvent, the context as an index or inline);
 * both are read, and a list may hold both.
 */
type PackedEvent = [
  eventId: string,
  channel: StoredEvent['channel'],
  type: string,
  occurredAt: number,
  sessionId: string | null,
  properties: StoredEvent['properties'],
  context: number | Context | null,
];
type HistoryEntry = PackedEvent | (Omit<StoredEvent, 'context'> & { context: number | Context | null });

function packed(e: StoredEvent, context: number | Context | null): PackedEvent {
  return [e.eventId, e.channel, e.type, e.occurredAt, e.sessionId, e.properties, context];
}

/** The history list's entries as events, each context resolved from the contexts table. */
function unpackHistory(entries: readonly HistoryEntry[], contexts: readonly Context[]): StoredEvent[] {
  const out = new Array<StoredEvent>(entries.length);
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i] as HistoryEntry;
    if (Array.isArray(e)) {
      if (e.length !== 7)
        throw new EngineError(
          'state_corrupt',
          `A stored user state's history entry ${i} has ${e.length} fields where 7 are written.`,
        );
      out[i] = {
        eventId: e[0],
        channel: e[1],
        type: e[2],
        occurredAt: e[3],
        sessionId: e[4],
        properties: e[5],
        context: resolveContext(e[6], e[0], contexts),
      };
    } else {
      // The format before packed entries: the object itself, its context resolved in place.
      (e as StoredEvent).context = resolveContext(e.context, e.eventId, contexts);
      out[i] = e as StoredEvent;
    }
  }
  return out;
}

function resolveContext(
  c: number | Context | null,
  eventId: string,
  contexts: readonly Context[],
): Context | null {
  if (typeof c !== 'number') return c;
  const found = contexts[c];
  if (found === undefined)
    throw new EngineError(
      'state_corrupt',
      `A stored user state's history event ${eventId} refers to context ${c}, which its contexts list does not hold.`,
    );
  return found;
}

function contextKey(c: Context): string {
  return `${c.locale}\u0000${c.region}\u0000${c.timezone}\u0000${c.userAgent ?? '\u0001'}\u0000${c.bot}`;
}

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
