import { createEncoder, createTraffic } from '../../../services/loadgen';

describe('loadgen createEncoder', () => {
  const records = createTraffic({ users: 100, seed: 4, malformedShare: 0.02 }).next(2000, 1_800_000_000_000);
  const encoded = createEncoder('p.', 0.5)(records);
  const messages = encoded.flatMap((t) => t.messages.map((m) => ({ topic: t.topic, m })));

  it('routes to the prefixed input topics, keyed by userId, one message per record', () => {
    expect(messages).toHaveLength(records.length);
    expect(new Set(encoded.map((t) => t.topic))).toEqual(
      new Set([
        'p.events.web',
        'p.events.mobile',
        'p.events.email',
        'p.events.paid',
        'p.profiles',
        'p.consent',
      ]),
    );
    const keys = new Set(records.map((r) => r.key));
    for (const { m } of messages) expect(keys).toContain(m.key);
  });

  it('mixes Avro single objects and JSON, about half each', () => {
    const values = messages.map(({ m }) => m.value as Buffer);
    const avro = values.filter((v) => v[0] === 0xc3 && v[1] === 0x01).length;
    const json = values.filter((v) => v[0] === 0x7b).length;
    expect(avro + json).toBe(values.length);
    expect(avro / values.length).toBeGreaterThan(0.4);
    expect(json / values.length).toBeGreaterThan(0.4);
  });

  it('sends everything as JSON with an Avro share of 0', () => {
    const all = createEncoder('', 0)(records).flatMap((t) => t.messages);
    expect(all.every((m) => (m.value as Buffer)[0] === 0x7b)).toBe(true);
  });
});
