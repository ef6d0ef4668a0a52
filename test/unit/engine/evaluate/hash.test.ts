import { activationIdOf, fnv1a64Hex, holdoutBucket } from '../../../../services/engine/evaluate';

describe('hash', () => {
  it('is FNV-1a 64 over UTF-8 (published test vectors)', () => {
    expect(fnv1a64Hex('')).toBe('cbf29ce484222325');
    expect(fnv1a64Hex('a')).toBe('af63dc4c8601ec8c');
    expect(fnv1a64Hex('foobar')).toBe('85944171f73967e8');
  });

  it('hashes non-ASCII text by its UTF-8 bytes', () => {
    expect(fnv1a64Hex('é')).not.toBe(fnv1a64Hex('e'));
    expect(fnv1a64Hex('😀')).toMatch(/^[0-9a-f]{16}$/);
    expect(fnv1a64Hex('ж')).toMatch(/^[0-9a-f]{16}$/);
  });

  it('holdout bucket is deterministic, within 0..9999 and roughly uniform', () => {
    expect(holdoutBucket('t', 'u')).toBe(holdoutBucket('t', 'u'));
    let control = 0;
    for (let i = 0; i < 10_000; i++) {
      const b = holdoutBucket('pricing', `user-${i}`);
      expect(b).toBeGreaterThanOrEqual(0);
      expect(b).toBeLessThan(10_000);
      if (b < 1000) control++;
    }
    expect(control).toBeGreaterThan(850);
    expect(control).toBeLessThan(1150);
  });

  it('activation ids depend on trigger, step, user and signal, and separate the parts', () => {
    const id = activationIdOf('t', 's', 'u', ['e1']);
    expect(activationIdOf('t', 's', 'u', ['e1'])).toBe(id);
    expect(activationIdOf('t', 's', 'u', ['e2'])).not.toBe(id);
    expect(activationIdOf('t', 's2', 'u', ['e1'])).not.toBe(id);
    expect(activationIdOf('ab', 'c', 'u', [])).not.toBe(activationIdOf('a', 'bc', 'u', []));
  });
});
