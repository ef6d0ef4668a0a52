import { EngineError } from '../../../../services/engine/errors';
import { emptyUserState, USER_STATE_CODEC } from '../../../../services/engine/state';
import type { StoredEvent, UserState } from '../../../../services/engine/state';

const { encode, decode } = USER_STATE_CODEC;

// An eventId is any string of 1-256 characters (ingest/schemas.ts), so a producer may send one that is
// also the name of an Object.prototype member; the codec's events table must treat it as plain data.
const event = (eventId: string): StoredEvent => ({
  eventId,
  channel: 'web',
  type: 'add_to_cart',
  occurredAt: 1_800_000_000_000,
  sessionId: 's1',
  properties: { productId: 'sku-1' },
  context: null,
});

/** A state whose trigger t1 keeps `kept` armed while history holds `history`. */
function keeping(kept: StoredEvent, history: StoredEvent[] = []): UserState {
  const s = emptyUserState();
  s.history = history;
  s.live.triggers.t1 = {
    lastFiredAt: null,
    run: null,
    absent: { armedAt: kept.occurredAt, dueAt: kept.occurredAt + 60_000, event: kept },
    goal: null,
  };
  return s;
}

describe('USER_STATE_CODEC with event ids that name Object.prototype members', () => {
  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])(
    'gives back an event with id %s that only the events table holds',
    (id) => {
      const s = keeping(event(id), [event('other')]);
      const { doc, sections = {}, history } = encode(s);
      const back = decode(doc, sections, history?.push ?? []);
      expect(back).toEqual(s);
      expect(Object.getPrototypeOf(back.live.triggers.t1?.absent?.event)).toBe(Object.prototype);
    },
  );

  it.each(['__proto__', 'constructor', 'valueOf'])(
    'refuses a document whose id %s is in neither history nor the events table',
    (id) => {
      const { doc, sections = {} } = encode(keeping(event(id), [event(id)]));
      expect(() => decode(doc, sections, [])).toThrow(EngineError);
    },
  );
});
