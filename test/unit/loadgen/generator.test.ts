import { AvroCodec } from '../../../services/engine/codec';
import { createIngestRecord, topicNames } from '../../../services/engine/ingest';
import { createTraffic, seededRandom } from '../../../services/loadgen';
import { createEncoder } from '../../../services/loadgen/producer';

describe('loadgen traffic', () => {
  it('is deterministic by seed', () => {
    const a = createTraffic({ users: 50, seed: 7 }).next(500, 1_000);
    const b = createTraffic({ users: 50, seed: 7 }).next(500, 1_000);
    const c = createTraffic({ users: 50, seed: 8 }).next(500, 1_000);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(JSON.stringify(a)).not.toBe(JSON.stringify(c));
  });

  it('skips to where next() calls of that many records ended, so another process continues the traffic', () => {
    const options = { users: 300, seed: 5 };
    const sent = createTraffic(options);
    let count = 0;
    // Cut as a producer cuts: counts that end inside onboardings (five records) and bot bursts.
    for (const n of [7, 2000, 1, 333]) count += sent.next(n, 1_000).length;
    const continued = createTraffic(options);
    expect(continued.skip(count)).toBe(count);
    const key = (r: { key: string; kind: string; value: unknown }) =>
      `${r.key} ${r.kind} ${JSON.stringify((r.value as { eventId?: string; purpose?: string }).eventId ?? '')}`;
    expect(continued.next(1000, 2_000).map(key)).toEqual(sent.next(1000, 2_000).map(key));
    // A fresh generator of the same seed is somewhere else: it starts with onboardings again.
    expect(createTraffic(options).next(1000, 2_000).map(key)).not.toEqual(
      createTraffic(options)
        .next(count + 1000, 2_000)
        .slice(count)
        .map(key),
    );
  });

  it('produces records the engine accepts, except the deliberately malformed ones (which it rejects)', () => {
    const ingest = createIngestRecord({ codec: AvroCodec.load(), topics: topicNames('') });
    const records = createTraffic({ users: 200, seed: 3, malformedShare: 0.02 }).next(
      3000,
      Date.UTC(2026, 10, 22),
    );
    const encoded = createEncoder('', 0.5)(records);
    const flat = encoded.flatMap((t) => t.messages.map((m) => ({ topic: t.topic, m })));
    const results = flat.map(({ topic, m }, i) =>
      ingest({
        topic,
        partition: 0,
        offset: String(i),
        key: Buffer.from(String(m.key)),
        value: m.value as Buffer,
      }),
    );
    const malformed = records.filter((r) => r.malformed).length;
    expect(malformed).toBeGreaterThan(10);
    expect(results.filter((r) => !r.ok)).toHaveLength(malformed);
    expect(new Set(results.filter((r) => r.ok).map((r) => (r.ok ? r.input.kind : '')))).toEqual(
      new Set(['event', 'profile', 'consent']),
    );
  });

  it('keeps bots and malformed records near their shares', () => {
    const records = createTraffic({ users: 2000, seed: 11, botShare: 0.01, malformedShare: 0.005 }).next(
      40_000,
      0,
    );
    const events = records.filter((r) => r.kind === 'event' && !Buffer.isBuffer(r.value));
    const bots = events.filter((r) => (r.value as { context: { bot: boolean } }).context.bot);
    expect(bots.length / events.length).toBeGreaterThan(0.01);
    expect(bots.length / events.length).toBeLessThan(0.15);
    const malformedShare = records.filter((r) => r.malformed).length / records.length;
    expect(malformedShare).toBeGreaterThan(0.002);
    expect(malformedShare).toBeLessThan(0.01);
  });

  it('gives every user a profile and consent before their first event', () => {
    const records = createTraffic({ users: 30, seed: 5 }).next(2000, 0);
    const seen = new Set<string>();
    for (const r of records) {
      if (r.kind !== 'event') seen.add(r.key);
      else expect(seen.has(r.key)).toBe(true);
    }
  });
});

type EventValue = {
  eventId: string;
  userId: string;
  channel: string;
  type: string;
  occurredAt: number;
  sessionId: string | null;
  properties: Record<string, unknown>;
  context: { locale: string; region: string; timezone: string; userAgent: string | null; bot: boolean };
};

describe('loadgen traffic: shape and mix', () => {
  const traffic = createTraffic({ users: 400, seed: 21, maxLagMs: 2_000 });
  const records: ReturnType<typeof traffic.next> = [];
  for (let tick = 0; tick < 60; tick++) records.push(...traffic.next(500, 1_800_000_000_000 + tick * 1000));
  const good = records.filter((r) => !r.malformed);
  const events = good.filter((r) => r.kind === 'event').map((r) => r.value as EventValue);

  it('writes events with exactly the fields of topics.md, valid formats and the channel of their topic', () => {
    for (const r of good.filter((x) => x.kind === 'event')) {
      const e = r.value as EventValue;
      expect(Object.keys(e).sort()).toEqual(
        ['channel', 'context', 'eventId', 'occurredAt', 'properties', 'sessionId', 'type', 'userId'].sort(),
      );
      expect(e.channel).toBe(r.channel);
      expect(r.key).toBe(e.userId);
      expect(e.type).toMatch(/^[a-z0-9_.]{1,64}$/);
      expect(Number.isInteger(e.occurredAt)).toBe(true);
      expect(Object.keys(e.context).sort()).toEqual(['bot', 'locale', 'region', 'timezone', 'userAgent']);
      for (const v of Object.values(e.properties))
        expect(['string', 'number', 'boolean']).toContain(typeof v);
    }
  });

  it('has unique event ids', () => {
    expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
  });

  it('covers the journeys of the four channels', () => {
    const types = new Set(events.map((e) => `${e.channel}:${e.type}`));
    for (const t of [
      'web:page_view',
      'web:product_view',
      'web:add_to_cart',
      'web:checkout_started',
      'web:purchase',
      'mobile:session_start',
      'mobile:screen_view',
      'mobile:app_open',
      'email:email_open',
      'email:email_click',
      'paid:ad_click',
    ])
      expect(types).toContain(t);
    expect(events.some((e) => e.properties.path === '/pricing')).toBe(true);
  });

  it('updates profiles (lifecycle, timezone, language) and revokes some consent after the grants', () => {
    const attrs = good
      .filter((r) => r.kind === 'profile')
      .flatMap((r) => Object.keys((r.value as { attributes: object }).attributes));
    for (const a of ['lifecycle', 'timezone', 'language']) expect(attrs).toContain(a);
    const revocations = good.filter(
      (r) =>
        r.kind === 'consent' &&
        (r.value as { status: string; source: string }).status === 'denied' &&
        (r.value as { source: string }).source === 'preference-center',
    );
    expect(revocations.length).toBeGreaterThan(0);
  });

  it("never lets one user's event time go backwards, even with collector lag", () => {
    const last = new Map<string, number>();
    let backdated = 0;
    for (const [i, e] of events.entries()) {
      expect(e.occurredAt).toBeGreaterThanOrEqual(last.get(e.userId) ?? 0);
      last.set(e.userId, e.occurredAt);
      if (i > 0 && e.occurredAt % 1000 !== 0) backdated++;
    }
    expect(backdated).toBeGreaterThan(0);
  });

  it('has self-declared bots and undeclared burst bots over 120 events a minute', () => {
    const perUser = new Map<string, number>();
    for (const e of events) perUser.set(e.userId, (perUser.get(e.userId) ?? 0) + 1);
    const flagged = events.filter((e) => e.context.bot);
    expect(flagged.length).toBeGreaterThan(0);
    for (const e of flagged) expect(traffic.kindOf(e.userId)).toBe('flagged_bot');
    const bursty = [...perUser].filter(([id]) => traffic.kindOf(id) === 'burst_bot');
    expect(bursty.length).toBeGreaterThan(0);
    // The 60 ticks span one minute: every burst bot went over the policies' 120 events per minute.
    for (const [id, n] of bursty) {
      expect(n).toBeGreaterThan(120);
      expect(events.filter((e) => e.userId === id).every((e) => !e.context.bot)).toBe(true);
    }
    const people = [...perUser].filter(([id]) => traffic.kindOf(id) === 'person').map(([, n]) => n);
    expect(Math.max(...people)).toBeLessThan(120);
  });

  it('makes all three kinds of malformed record: bad JSON, wrong channel, bad timezone', () => {
    const bad = records.filter((r) => r.malformed);
    expect(bad.some((r) => Buffer.isBuffer(r.value))).toBe(true);
    const objects = bad
      .filter((r) => !Buffer.isBuffer(r.value))
      .map((r) => ({ r, e: r.value as EventValue }));
    expect(objects.some(({ r, e }) => e.channel !== r.channel)).toBe(true);
    expect(objects.some(({ e }) => e.context.timezone === 'Mars/Olympus_Mons')).toBe(true);
  });
});

describe('seededRandom', () => {
  it('is mulberry32: deterministic, in [0, 1), and spread', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const xs = Array.from({ length: 10_000 }, () => a());
    expect(xs.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => b()));
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.02);
  });
});
