import { AvroCodec } from '../../../services/engine/codec';
import { createIngestRecord, topicNames } from '../../../services/engine/ingest';
import { createTraffic } from '../../../services/loadgen';
import { createEncoder } from '../../../services/loadgen/producer';

describe('loadgen traffic', () => {
  it('is deterministic by seed', () => {
    const a = createTraffic({ users: 50, seed: 7 }).next(500, 1_000);
    const b = createTraffic({ users: 50, seed: 7 }).next(500, 1_000);
    const c = createTraffic({ users: 50, seed: 8 }).next(500, 1_000);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(JSON.stringify(a)).not.toBe(JSON.stringify(c));
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
