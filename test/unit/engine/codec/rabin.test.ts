import { rabinFingerprint64, schemaFingerprint } from '../../../../services/engine/codec';

// Canonical forms and fingerprints (signed 64-bit, as Java prints them) from the Avro project's
// share/test/data/schema-tests.txt, the vectors every Avro implementation is checked against.
const VECTORS: [string, bigint][] = [
  ['"null"', 7195948357588979594n],
  ['"boolean"', -6970731678124411036n],
  ['"int"', 8247732601305521295n],
  ['"long"', -3434872931120570953n],
  ['"string"', -8142146995180207161n],
  ['[]', -1241056759729112623n],
  ['["int","boolean"]', 5392556393470105090n],
  ['{"name":"foo","type":"record","fields":[]}', -4824392279771201922n],
  ['{"name":"x.y.foo","type":"record","fields":[]}', 5916914534497305771n],
  [
    '{"name":"foo","type":"record","fields":[{"name":"f1","type":"boolean"},{"name":"f2","type":"int"}]}',
    -4860222112080293046n,
  ],
  ['{"name":"x.y.z.foo","type":"enum","symbols":["A1","A2"]}', -4448647247586288245n],
  ['{"name":"foo","type":"fixed","size":15}', 1756455273707447556n],
  ['{"type":"array","items":"null"}', -589620603366471059n],
  ['{"type":"map","values":"string"}', -8732877298790414990n],
  [
    '{"name":"PigValue","type":"record","fields":[{"name":"value","type":["null","int","long","PigValue"]}]}',
    -1759257747318642341n,
  ],
];

describe('rabinFingerprint64 (CRC-64-AVRO)', () => {
  it.each(VECTORS)('matches the Avro test vector for %s', (canonical, expected) => {
    expect(BigInt.asIntN(64, rabinFingerprint64(Buffer.from(canonical, 'utf8')))).toBe(expected);
  });

  it('returns the EMPTY constant for no bytes', () => {
    expect(rabinFingerprint64(new Uint8Array(0))).toBe(0xc15d213aa4d7a795n);
  });
});

describe('schemaFingerprint', () => {
  it('writes the fingerprint little-endian in 8 bytes', () => {
    const fp = schemaFingerprint('"null"');
    expect(fp).toHaveLength(8);
    expect(fp.readBigInt64LE()).toBe(7195948357588979594n);
  });
});
