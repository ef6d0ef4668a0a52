import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { compileDefinitions } from '../../../../services/engine/definitions';
import { EngineError } from '../../../../services/engine/errors';
import { evaluate, inputUserId } from '../../../../services/engine/evaluate';
import type { Input } from '../../../../services/engine/evaluate';
import { emptyUserState, USER_STATE_CODEC } from '../../../../services/engine/state';
import type { SectionField, StoredEvent, UserState } from '../../../../services/engine/state';
import { createTraffic } from '../../../../services/loadgen';

const { encode, decode } = USER_STATE_CODEC;

/** What Redis holds for one user: the document, the section fields and the history list. */
interface Stored {
  doc: string;
  sections: Partial<Record<SectionField, string>>;
  list: string[];
}

/** Applies a write to what Redis holds, as apply-users-n.lua does. */
function write(stored: Stored | undefined, state: UserState, previous?: UserState): Stored {
  const { doc, sections, history } = encode(state, previous);
  const list = [...(stored?.list ?? [])];
  if (history?.drop === 'all') list.length = 0;
  else if (history) list.splice(0, history.drop);
  list.push(...(history?.push ?? []));
  return { doc, sections: { ...stored?.sections, ...sections }, list };
}

const read = (stored: Stored): UserState => decode(stored.doc, stored.sections, stored.list);

/** Encodes a state with no previous one and decodes it back. */
const roundTrip = (s: UserState): UserState => read(write(undefined, s));

/** All the text a state written with no previous one puts in Redis. */
const textOf = (stored: Stored) => [stored.doc, ...Object.values(stored.sections), ...stored.list].join('\n');

/** The trigger section's JSON of a state written with no previous one. */
const triggersOf = (s: UserState) => JSON.parse(encode(s).sections?.t ?? '{}') as Record<string, unknown>;

/** The document's JSON of a state written with no previous one. */
const docOf = (s: UserState) => JSON.parse(encode(s).doc) as Record<string, unknown>;
const TRIGGERS = join(__dirname, '../../../../triggers');

/** The example triggers twice over (as `<id>` and `<id>-copy`), so several triggers keep one event. */
function examples() {
  const texts: Record<string, string> = {};
  for (const file of readdirSync(TRIGGERS).filter((f) => f.endsWith('.yaml'))) {
    const text = readFileSync(join(TRIGGERS, file), 'utf8');
    texts[`triggers/${file}`] = text;
    if (file !== 'policies.yaml') texts[`triggers/copy-${file}`] = text.replace(/^id: (\S+)/m, 'id: $1-copy');
  }
  const defs = compileDefinitions(texts);
  if (!defs.ok) throw new Error(JSON.stringify(defs.errors));
  return defs;
}

/** Where realisticStates reads each user's state before an input and writes it after (the lane's store). */
interface Through {
  load(id: string): UserState | undefined;
  save(id: string, next: UserState, loaded: UserState | undefined): void;
}

/**
 * User states as the engine builds them: the load generator's traffic evaluated over ten minutes. With
 * `through`, each evaluation starts from what it loads and its result is saved to it, as the lane does.
 */
function realisticStates(through?: Through): UserState[] {
  const defs = examples();
  const traffic = createTraffic({ users: 500, seed: 7, malformedShare: 0 });
  const states = new Map<string, UserState>();
  let now = Date.UTC(2026, 11, 1, 12);
  for (let tick = 0; tick < 60; tick++, now += 10_000) {
    for (const r of traffic.next(100, now)) {
      if (Buffer.isBuffer(r.value)) continue;
      const value = r.value as never;
      const input: Input =
        r.kind === 'event'
          ? { kind: 'event', event: value }
          : r.kind === 'profile'
            ? { kind: 'profile', update: value }
            : { kind: 'consent', change: value };
      const id = inputUserId(input);
      const loaded = through ? through.load(id) : states.get(id);
      const result = evaluate(defs.index, defs.policies, loaded, input, now + 5);
      if (!result.changed) continue;
      through?.save(id, result.state, loaded);
      states.set(id, result.state);
    }
  }
  return [...states.values()];
}

const event = (eventId: string, over: Partial<StoredEvent> = {}): StoredEvent => ({
  eventId,
  channel: 'web',
  type: 'add_to_cart',
  occurredAt: 1_800_000_000_000,
  sessionId: 's1',
  properties: { productId: 'sku-1', price: 49 },
  context: { locale: 'de-DE', region: 'DE', timezone: 'Europe/Berlin', userAgent: null, bot: false },
  ...over,
});

/** A state whose triggers t1 and t2 (and shadow t3) keep `kept`, with `history` as given. */
function keeping(kept: StoredEvent, history: StoredEvent[]): UserState {
  const s = emptyUserState();
  s.history = history;
  const absent = { armedAt: kept.occurredAt, dueAt: kept.occurredAt + 3_600_000, event: kept };
  s.live.triggers.t1 = { lastFiredAt: null, run: null, absent, goal: null };
  s.live.triggers.t2 = { lastFiredAt: null, run: null, absent: { ...absent }, goal: null };
  s.shadow.triggers.t3 = {
    lastFiredAt: null,
    run: {
      version: 1,
      stepId: 'w',
      phase: 'wait',
      dueAt: kept.occurredAt + 60_000,
      windowFrom: kept.occurredAt,
      startedAt: kept.occurredAt,
      started: true,
      signalEventIds: [kept.eventId],
      event: kept,
    },
    absent: null,
    goal: null,
  };
  return s;
}

describe('USER_STATE_CODEC', () => {
  it('gives back every state the evaluator builds from realistic traffic, in a third less text', () => {
    const states = realisticStates();
    let plain = 0;
    let coded = 0;
    let keepingEvents = 0;
    let keepingPlain = 0;
    let keepingCoded = 0;
    for (const s of states) {
      const stored = write(undefined, s);
      expect(read(stored)).toEqual(s);
      const json = JSON.stringify(s).length;
      const text = textOf(stored).length - (1 + Object.keys(stored.sections).length + stored.list.length - 1);
      // At worst a one-event history pays for its contexts table.
      expect(text).toBeLessThanOrEqual(json + 32);
      plain += json;
      coded += text;
      if (Object.values(s.live.triggers).some((t) => t.absent || t.run)) {
        keepingEvents += 1;
        keepingPlain += json;
        keepingCoded += text;
      }
    }
    expect(states.length).toBeGreaterThan(300);
    expect(keepingEvents).toBeGreaterThan(100);
    // Kept events by id, shared contexts once, no null fields: about a third shorter.
    expect(keepingCoded).toBeLessThan(keepingPlain * 0.7);
    expect(coded).toBeLessThan(plain * 0.75);
  });

  it('writes history as a change against the state it was loaded from, and reads back every state', () => {
    const redis = new Map<string, Stored>();
    const kinds = { append: 0, drop: 0, all: 0 };
    const rewritten = { p: 0, t: 0 };
    let pushed = 0;
    let whole = 0;
    realisticStates({
      load(id) {
        const stored = redis.get(id);
        return stored && read(stored);
      },
      save(id, next, loaded) {
        const { history } = encode(next, loaded);
        if (loaded) {
          if (history?.drop === 'all') kinds.all += 1;
          else if (history?.drop) kinds.drop += 1;
          else kinds.append += 1;
          pushed += history?.push.length ?? 0;
          whole += next.history.length;
        }
        const { sections } = encode(next, loaded);
        if (loaded) {
          if (sections?.p !== undefined) rewritten.p += 1;
          if (sections?.t !== undefined) rewritten.t += 1;
        }
        const stored = write(redis.get(id), next, loaded);
        redis.set(id, stored);
        expect(read(stored)).toEqual(next);
      },
    });
    // Users seen before: their history is appended to, not rewritten.
    expect(kinds.append).toBeGreaterThan(1000);
    expect(kinds.all).toBeLessThan(kinds.append / 20);
    expect(pushed).toBeLessThan(whole / 3);
    // Profile and consent change on their own inputs only, close to two in five of this young traffic.
    // (Trigger states change on most events of users this new: first fires, absence re-arms; the next
    // test shows them left alone.)
    const writes = kinds.append + kinds.drop + kinds.all;
    expect(rewritten.p).toBeLessThan(writes / 2);
    expect(rewritten.t).toBeGreaterThan(0);
  });

  it('writes profile, consent and trigger states only when they changed', () => {
    const e = event('e1');
    const loaded = roundTrip(keeping(e, [e]));
    const same = { ...loaded, seen: ['x'], live: { ...loaded.live, triggers: { ...loaded.live.triggers } } };
    expect(encode(same, loaded).sections).toEqual({});
    // A copy made to change a trigger state that ends equal is no change either.
    same.live.triggers.t1 = { ...loaded.live.triggers.t1! };
    expect(encode(same, loaded).sections).toEqual({});
    const fired = {
      ...same,
      live: {
        ...same.live,
        triggers: { ...same.live.triggers, t1: { ...same.live.triggers.t1!, lastFiredAt: 9 } },
      },
    };
    expect(Object.keys(encode(fired, loaded).sections ?? {})).toEqual(['t']);
    const consented = {
      ...same,
      consent: { ...same.consent, offers: { status: 'granted' as const, updatedAt: 1, source: 'cmp' } },
    };
    expect(Object.keys(encode(consented, loaded).sections ?? {})).toEqual(['p']);
    const stored = write(write(undefined, loaded), consented, loaded);
    expect(read(stored)).toEqual(consented);
    // Dropping history events rewrites the trigger states: their references may name a dropped event.
    expect(Object.keys(encode({ ...same, history: [] }, loaded).sections ?? {})).toEqual(['t']);
  });

  it('reads the history list as entries or as the entries joined by commas (the load script sends that)', () => {
    const e = event('e1');
    const stored = write(undefined, keeping(e, [e, event('e2', { occurredAt: e.occurredAt + 1 })]));
    expect(stored.list).toHaveLength(2);
    expect(decode(stored.doc, stored.sections, stored.list.join(','))).toEqual(read(stored));
    const empty = write(undefined, emptyUserState());
    expect(decode(empty.doc, empty.sections, '')).toEqual(emptyUserState());
  });

  it('reads a list of entries written as objects (before packed entries) and appends packed ones to it', () => {
    const a = event('a', { occurredAt: 1_000 });
    const b = event('b', { occurredAt: 1_001 });
    const c = event('c', { occurredAt: 1_002, context: null });
    const now = write(undefined, { ...emptyUserState(), history: [a, b, c] });
    // The same list as the codec wrote it before: each entry the event object, its context as an index.
    const before = [a, b, c].map((e, i) => JSON.stringify({ ...e, context: JSON.parse(now.list[i]!)[6] }));
    const old = { ...now, list: before };
    const loaded = read(old);
    expect(loaded).toEqual(read(now));
    expect(loaded.history[0]?.context).toBe(loaded.history[1]?.context);

    const d = event('d', { occurredAt: 1_003 });
    const next = { ...loaded, history: [...loaded.history, d] };
    expect(encode(next, loaded).history?.drop).toBe(0);
    const mixed = write(old, next, loaded);
    expect(mixed.list.slice(0, 3)).toEqual(before);
    expect(JSON.parse(mixed.list[3]!)).toEqual(['d', 'web', 'add_to_cart', 1_003, 's1', d.properties, 0]);
    expect(read(mixed)).toEqual(next);
  });

  it('refuses a packed history entry without its seven fields, naming the entry', () => {
    const stored = write(undefined, { ...emptyUserState(), history: [event('a'), event('b')] });
    const short = JSON.stringify((JSON.parse(stored.list[1]!) as unknown[]).slice(0, 6));
    expect(() => decode(stored.doc, stored.sections, [stored.list[0]!, short])).toThrow(
      /history entry 1 has 6 fields where 7 are written/,
    );
  });

  it('drops pruned events from the front and appends new ones', () => {
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((id, i) => event(id, { occurredAt: 1_000 + i }));
    const loaded = roundTrip({ ...emptyUserState(), history: [a!, b!, c!] });
    const [la, lb, lc] = loaded.history;
    expect(encode({ ...loaded, history: [lb!, lc!, d!] }, loaded).history).toEqual({
      drop: 1,
      push: [
        JSON.stringify([d!.eventId, d!.channel, d!.type, d!.occurredAt, d!.sessionId, d!.properties, 0]),
      ],
    });
    expect(encode({ ...loaded, history: [la!, lb!, lc!] }, loaded).history).toEqual({ drop: 0, push: [] });
    expect(encode({ ...loaded, history: [] }, loaded).history).toEqual({ drop: 3, push: [] });
    expect(encode({ ...loaded, history: [d!] }, loaded).history?.drop).toBe(3);
  });

  it('rewrites the history when an event lands before others, or without the state it was loaded from', () => {
    const [a, b, late] = [
      event('a', { occurredAt: 1 }),
      event('b', { occurredAt: 3 }),
      event('late', { occurredAt: 2 }),
    ];
    const loaded = roundTrip({ ...emptyUserState(), history: [a, b] });
    const next = { ...loaded, history: [loaded.history[0]!, late, loaded.history[1]!] };
    const out = write({ ...write(undefined, loaded), list: ['stale', 'entries'] }, next, loaded);
    expect(encode(next, loaded).history?.drop).toBe('all');
    expect(read(out)).toEqual(next);
    expect(encode(next).history?.drop).toBe('all');
    // A state this codec did not decode (a new user's, or one from elsewhere) has no base either.
    expect(encode(next, { ...loaded }).history?.drop).toBe('all');
  });

  it('grows the contexts table while appending and rebuilds it when it gets long', () => {
    const ctx = (n: number) => ({
      locale: 'de-DE',
      region: 'DE',
      timezone: 'Europe/Berlin',
      userAgent: `ua/${n}`,
      bot: false,
    });
    let stored = write(undefined, { ...emptyUserState(), history: [event('e0', { context: ctx(0) })] });
    for (let n = 1; n <= 20; n++) {
      const loaded = read(stored);
      // Keep the last two events: older contexts fall out of use.
      const next = {
        ...loaded,
        history: [
          ...loaded.history.slice(-1),
          event(`e${n}`, { occurredAt: 1_800_000_000_000 + n, context: ctx(n) }),
        ],
      };
      const { history } = encode(next, loaded);
      stored = write(stored, next, loaded);
      const contexts = (JSON.parse(stored.doc) as { contexts: unknown[] }).contexts;
      expect(read(stored)).toEqual(next);
      expect(contexts.length).toBeLessThanOrEqual(16);
      if (n > 1 && n < 16) expect(history?.drop).toBe(1);
      if (n === 16) {
        expect(history?.drop).toBe('all');
        expect(contexts).toEqual([ctx(15), ctx(16)]);
      }
    }
  });

  it('keeps appending for a user whose history holds more distinct contexts than the table limit', () => {
    const ctx = (n: number) => ({ ...event('x').context!, userAgent: `ua/${n}` });
    const many = Array.from({ length: 20 }, (_, n) =>
      event(`e${n}`, { occurredAt: 1_000 + n, context: ctx(n) }),
    );
    let stored = write(undefined, { ...emptyUserState(), history: many });
    for (let n = 20; n < 24; n++) {
      const loaded = read(stored);
      const next = {
        ...loaded,
        history: [...loaded.history, event(`e${n}`, { occurredAt: 1_000 + n, context: ctx(n) })],
      };
      expect(encode(next, loaded).history?.drop).toBe(0);
      stored = write(stored, next, loaded);
      expect(read(stored)).toEqual(next);
    }
  });

  it('gives back the kept event, not a later history event reusing its id, when t was not rewritten', () => {
    const kept = event('x', { occurredAt: 1 });
    const s = keeping(kept, [event('other', { occurredAt: 2, type: 'page_view' })]);
    let stored = write(undefined, s);
    const loaded = read(stored);
    const reused = event('x', { occurredAt: 3, properties: { productId: 'sku-9' } });
    const next = { ...loaded, history: [...loaded.history, reused] };
    expect(encode(next, loaded).sections?.t).toBeUndefined();
    stored = write(stored, next, loaded);
    const back = read(stored);
    expect(back.live.triggers.t1?.absent?.event).toEqual(kept);
    expect(back.history[1]).toEqual(reused);
  });

  it('decodes the format with the history list but profile, consent and triggers inside the document', () => {
    const e = event('e1');
    const s = {
      ...keeping(e, [e]),
      consent: { offers: { status: 'granted' as const, updatedAt: 1, source: 'cmp' } },
    };
    const current = write(undefined, s);
    const t = JSON.parse(current.sections.t!) as { live: unknown; shadow: unknown };
    const doc = JSON.parse(current.doc) as { live: object; shadow: object };
    const earlier = {
      ...doc,
      profile: s.profile,
      profileAt: s.profileAt,
      consent: s.consent,
      live: { ...doc.live, triggers: t.live },
      shadow: { ...doc.shadow, triggers: t.shadow },
    };
    const back = decode(JSON.stringify(earlier), {}, current.list);
    expect(back).toEqual(s);
    const next = { ...back, seen: ['e1'] };
    expect(Object.keys(encode(next, back).sections ?? {}).sort()).toEqual(['p', 't']);
    expect(encode(next, back).history).toEqual({ drop: 0, push: [] });
  });

  it('writes an event kept by triggers as its id when history holds it, and shares it on decode', () => {
    const e = event('e1');
    const stored = write(undefined, keeping(e, [e]));
    expect(textOf(stored).split('"add_to_cart"')).toHaveLength(2);
    const back = read(stored);
    expect(back.live.triggers.t1?.absent?.event).toBe(back.history[0]);
    expect(back.shadow.triggers.t3?.run?.event).toBe(back.history[0]);
  });

  it('keeps an event that history no longer holds once, in the events table', () => {
    const e = event('gone');
    const s = keeping(e, [event('other', { type: 'page_view' })]);
    const stored = write(undefined, s);
    expect(triggersOf(s).events).toEqual({ gone: e });
    expect(textOf(stored).split('"add_to_cart"')).toHaveLength(2);
    expect(read(stored)).toEqual(s);
  });

  it('keeps inline an event whose id history holds with other content', () => {
    const s = keeping(event('e1', { properties: { productId: 'sku-2', price: 49 } }), [event('e1')]);
    for (const other of [
      event('e1', { type: 'purchase' }),
      event('e1', { context: null }),
      event('e1', { sessionId: null }),
      event('e1', { properties: { productId: 'sku-1' } }),
    ]) {
      const t = keeping(other, [event('e1')]);
      expect(roundTrip(t)).toEqual(t);
    }
    expect(encode(s).sections?.t).toContain('sku-2');
    expect(roundTrip(s)).toEqual(s);
  });

  it("writes a user's contexts once and leaves out a trigger state's null fields", () => {
    const berlin = event('a').context;
    const tokyo = { locale: 'ja-JP', region: 'JP', timezone: 'Asia/Tokyo', userAgent: 'app/2', bot: false };
    const s = keeping(event('e3'), [
      event('e1'),
      event('e2', { context: { ...berlin! } }),
      event('e3', { context: tokyo }),
      event('e4', { context: null }),
      event('e5', { context: tokyo }),
    ]);
    s.live.triggers.idle = { lastFiredAt: 5, run: null, absent: null, goal: null };
    const stored = write(undefined, s);
    const { doc, list } = stored;
    expect(JSON.parse(doc).contexts).toEqual([berlin, tokyo]);
    // Packed entries: the event's fields in order, the context (an index, or null) last.
    expect(list.map((e) => (JSON.parse(e) as unknown[])[6])).toEqual([0, 0, 1, null, 1]);
    expect(stored.sections.t).not.toContain('"goal":null');
    for (const moved of ['"history"', '"consent"', '"triggers"']) expect(doc).not.toContain(moved);
    const back = read(stored);
    expect(back).toEqual(s);
    expect(back.history[0]?.context).toBe(back.history[1]?.context);
  });

  it('refuses a document whose history refers to a context it does not hold', () => {
    const e = event('e1');
    const stored = write(undefined, keeping(e, [e, event('e2')]));
    const broken = { ...JSON.parse(stored.doc), contexts: [] };
    expect(() => decode(JSON.stringify(broken), stored.sections, stored.list)).toThrow(
      /history event e1 refers to context 0/,
    );
  });

  it('decodes documents with their history inside (plain JSON, the codec before the list) and moves it out on the next write', () => {
    const e = event('e1');
    const s = keeping(e, [e]);
    const legacy = decode(JSON.stringify(s), {}, []);
    expect(legacy).toEqual(s);
    // This morning's codec: one document, history inside with contexts by index, triggers and consent too.
    const t = triggersOf(s);
    const earlier = {
      ...docOf(s),
      history: [{ ...e, context: 0 }],
      profile: s.profile,
      profileAt: s.profileAt,
      consent: s.consent,
      live: { ...s.live, triggers: t.live },
      shadow: { ...s.shadow, triggers: t.shadow },
    };
    const back = decode(JSON.stringify(earlier), {}, []);
    expect(back).toEqual(s);
    const next = { ...back, history: [...back.history, event('e2', { occurredAt: 1_800_000_000_001 })] };
    const out = write(undefined, next, back);
    const encoded = encode(next, back);
    expect(encoded.history?.drop).toBe('all');
    expect(Object.keys(encoded.sections ?? {}).sort()).toEqual(['p', 't']);
    expect(out.list).toHaveLength(2);
    expect(read(out)).toEqual(next);
  });

  it('refuses a document that refers to an event it does not hold, naming where', () => {
    const { doc, sections } = write(undefined, keeping(event('e1'), [event('e1')]));
    const err: unknown = (() => {
      try {
        return decode(doc, sections, []);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe('state_corrupt');
    expect((err as Error).message).toMatch(/event e1 at live\.t1\.absent/);
  });
});
