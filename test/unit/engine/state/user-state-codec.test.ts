import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { compileDefinitions } from '../../../../services/engine/definitions';
import { EngineError } from '../../../../services/engine/errors';
import { evaluate, inputUserId } from '../../../../services/engine/evaluate';
import type { Input } from '../../../../services/engine/evaluate';
import { emptyUserState, USER_STATE_CODEC } from '../../../../services/engine/state';
import type { StoredEvent, UserState } from '../../../../services/engine/state';
import { createTraffic } from '../../../../services/loadgen';

const { encode, decode } = USER_STATE_CODEC;

/** What Redis holds for one user: the document and the history list. */
interface Stored {
  doc: string;
  list: string[];
}

/** Applies a write to what Redis holds, as apply-users-n.lua does. */
function write(stored: Stored | undefined, state: UserState, previous?: UserState): Stored {
  const { doc, history } = encode(state, previous);
  const list = [...(stored?.list ?? [])];
  if (history?.drop === 'all') list.length = 0;
  else if (history) list.splice(0, history.drop);
  list.push(...(history?.push ?? []));
  return { doc, list };
}

/** Encodes a state with no previous one and decodes it back. */
const roundTrip = (s: UserState): UserState => {
  const { doc, list } = write(undefined, s);
  return decode(doc, list);
};

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
      const { doc, list } = write(undefined, s);
      expect(decode(doc, list)).toEqual(s);
      const json = JSON.stringify(s).length;
      const text = doc.length + list.reduce((n, e) => n + e.length, 0);
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
    let pushed = 0;
    let whole = 0;
    realisticStates({
      load(id) {
        const stored = redis.get(id);
        return stored && decode(stored.doc, stored.list);
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
        const stored = write(redis.get(id), next, loaded);
        redis.set(id, stored);
        expect(decode(stored.doc, stored.list)).toEqual(next);
      },
    });
    // Users seen before: their history is appended to, not rewritten.
    expect(kinds.append).toBeGreaterThan(1000);
    expect(kinds.all).toBeLessThan(kinds.append / 20);
    expect(pushed).toBeLessThan(whole / 3);
  });

  it('drops pruned events from the front and appends new ones', () => {
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((id, i) => event(id, { occurredAt: 1_000 + i }));
    const loaded = roundTrip({ ...emptyUserState(), history: [a!, b!, c!] });
    const [la, lb, lc] = loaded.history;
    expect(encode({ ...loaded, history: [lb!, lc!, d!] }, loaded).history).toEqual({
      drop: 1,
      push: [JSON.stringify({ ...d, context: 0 })],
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
    const out = write({ doc: '', list: ['stale', 'entries'] }, next, loaded);
    expect(encode(next, loaded).history?.drop).toBe('all');
    expect(decode(out.doc, out.list)).toEqual(next);
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
      const loaded = decode(stored.doc, stored.list);
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
      expect(decode(stored.doc, stored.list)).toEqual(next);
      expect(contexts.length).toBeLessThanOrEqual(16);
      if (n > 1 && n < 16) expect(history?.drop).toBe(1);
      if (n === 16) {
        expect(history?.drop).toBe('all');
        expect(contexts).toEqual([ctx(15), ctx(16)]);
      }
    }
  });

  it('writes an event kept by triggers as its id when history holds it, and shares it on decode', () => {
    const e = event('e1');
    const { doc, list } = write(undefined, keeping(e, [e]));
    expect([doc, ...list].join().split('"add_to_cart"')).toHaveLength(2);
    const back = decode(doc, list);
    expect(back.live.triggers.t1?.absent?.event).toBe(back.history[0]);
    expect(back.shadow.triggers.t3?.run?.event).toBe(back.history[0]);
  });

  it('keeps an event that history no longer holds once, in the events table', () => {
    const e = event('gone');
    const s = keeping(e, [event('other', { type: 'page_view' })]);
    const { doc, list } = write(undefined, s);
    expect(JSON.parse(doc).events).toEqual({ gone: e });
    expect([doc, ...list].join().split('"add_to_cart"')).toHaveLength(2);
    expect(decode(doc, list)).toEqual(s);
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
    expect(encode(s).doc).toContain('sku-2');
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
    const { doc, list } = write(undefined, s);
    expect(JSON.parse(doc).contexts).toEqual([berlin, tokyo]);
    expect(list.map((e) => (JSON.parse(e) as { context: unknown }).context)).toEqual([0, 0, 1, null, 1]);
    expect(doc).not.toContain('"goal":null');
    expect(doc).not.toContain('"history"');
    const back = decode(doc, list);
    expect(back).toEqual(s);
    expect(back.history[0]?.context).toBe(back.history[1]?.context);
  });

  it('refuses a document whose history refers to a context it does not hold', () => {
    const e = event('e1');
    const { doc, list } = write(undefined, keeping(e, [e, event('e2')]));
    const broken = { ...JSON.parse(doc), contexts: [] };
    expect(() => decode(JSON.stringify(broken), list)).toThrow(/history event e1 refers to context 0/);
  });

  it('decodes documents with their history inside (plain JSON, the codec before the list) and moves it out on the next write', () => {
    const e = event('e1');
    const s = keeping(e, [e]);
    const legacy = decode(JSON.stringify(s), []);
    expect(legacy).toEqual(s);
    const earlier = { ...docOf(s), history: [{ ...e, context: 0 }] };
    const back = decode(JSON.stringify(earlier), []);
    expect(back).toEqual(s);
    const next = { ...back, history: [...back.history, event('e2', { occurredAt: 1_800_000_000_001 })] };
    const out = write(undefined, next, back);
    expect(encode(next, back).history?.drop).toBe('all');
    expect(out.list).toHaveLength(2);
    expect(decode(out.doc, out.list)).toEqual(next);
  });

  it('refuses a document that refers to an event it does not hold, naming where', () => {
    const { doc } = write(undefined, keeping(event('e1'), [event('e1')]));
    const err: unknown = (() => {
      try {
        return decode(doc, []);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe('state_corrupt');
    expect((err as Error).message).toMatch(/event e1 at t1\.absent/);
  });
});
