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

/** User states as the engine builds them: the load generator's traffic evaluated over ten minutes. */
function realisticStates(): UserState[] {
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
      states.set(id, evaluate(defs.index, defs.policies, states.get(id), input, now + 5).state);
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
  it('gives back every state the evaluator builds from realistic traffic, and never a longer text', () => {
    const states = realisticStates();
    let plain = 0;
    let coded = 0;
    let keepingEvents = 0;
    let keepingPlain = 0;
    let keepingCoded = 0;
    for (const s of states) {
      const text = encode(s);
      expect(decode(text)).toEqual(s);
      const json = JSON.stringify(s);
      expect(text.length).toBeLessThanOrEqual(json.length);
      plain += json.length;
      coded += text.length;
      if (Object.values(s.live.triggers).some((t) => t.absent || t.run)) {
        keepingEvents += 1;
        keepingPlain += json.length;
        keepingCoded += text.length;
      }
    }
    expect(states.length).toBeGreaterThan(300);
    expect(keepingEvents).toBeGreaterThan(100);
    // Kept events by id, shared contexts once, no null fields: about a third shorter.
    expect(keepingCoded).toBeLessThan(keepingPlain * 0.7);
    expect(coded).toBeLessThan(plain * 0.75);
  });

  it('writes an event kept by triggers as its id when history holds it, and shares it on decode', () => {
    const e = event('e1');
    const text = encode(keeping(e, [e]));
    expect(text.split('"add_to_cart"')).toHaveLength(2);
    const back = decode(text);
    expect(back.live.triggers.t1?.absent?.event).toBe(back.history[0]);
    expect(back.shadow.triggers.t3?.run?.event).toBe(back.history[0]);
  });

  it('keeps an event that history no longer holds once, in the events table', () => {
    const e = event('gone');
    const s = keeping(e, [event('other', { type: 'page_view' })]);
    const text = encode(s);
    expect(JSON.parse(text).events).toEqual({ gone: e });
    expect(text.split('"add_to_cart"')).toHaveLength(2);
    expect(decode(text)).toEqual(s);
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
      expect(decode(encode(t))).toEqual(t);
    }
    const text = encode(s);
    expect(text).toContain('sku-2');
    expect(decode(text)).toEqual(s);
  });

  it("writes a user's shared contexts once and leaves out a trigger state's null fields", () => {
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
    const text = encode(s);
    const doc = JSON.parse(text) as { contexts: unknown[]; history: { context: unknown }[]; live: unknown };
    expect(doc.contexts).toEqual([berlin, tokyo]);
    expect(doc.history.map((e) => e.context)).toEqual([0, 0, 1, null, 1]);
    expect(text).not.toContain('"goal":null');
    expect(decode(text)).toEqual(s);
    const back = decode(text);
    expect(back.history[0]?.context).toBe(back.history[1]?.context);
  });

  it('keeps contexts inline when no two events share one', () => {
    const s = keeping(event('e1'), [event('e1'), event('e2', { context: null })]);
    const text = encode(s);
    expect(JSON.parse(text)).not.toHaveProperty('contexts');
    expect(decode(text)).toEqual(s);
  });

  it('refuses a document whose history refers to a context it does not hold', () => {
    const e = event('e1');
    const doc = JSON.parse(encode(keeping(e, [e, event('e2')]))) as { contexts: unknown[] };
    doc.contexts = [];
    expect(() => decode(JSON.stringify(doc))).toThrow(/history event e1 refers to context 0/);
  });

  it('decodes documents written as plain JSON (events inline) unchanged', () => {
    const e = event('e1');
    const s = keeping(e, [e]);
    expect(decode(JSON.stringify(s))).toEqual(s);
  });

  it('refuses a document that refers to an event it does not hold, naming where', () => {
    const doc = JSON.parse(encode(keeping(event('e1'), [event('e1')]))) as UserState;
    doc.history = [];
    const err: unknown = (() => {
      try {
        return decode(JSON.stringify(doc));
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe('state_corrupt');
    expect((err as Error).message).toMatch(/event e1 at t1\.absent/);
  });
});
