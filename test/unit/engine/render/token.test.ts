import { createHmac } from 'node:crypto';

import type { RenderClaims } from '../../../../services/engine/render';
import { renderSigner, signRenderToken, verifyRenderToken } from '../../../../services/engine/render';

const SECRET = 'test-render-secret';
const claims: RenderClaims = {
  activationId: 'act-1',
  triggerId: 'pricing-third-session',
  triggerVersion: 3,
  stepId: 'follow-up',
  userId: 'u-42',
  expiresAt: 2_000_000,
  issuedAt: 1_000_000,
};

function flipChar(s: string, at: number): string {
  const c = s[at] === 'A' ? 'B' : 'A';
  return s.slice(0, at) + c + s.slice(at + 1);
}

describe('render tokens', () => {
  it('round-trips the claims before expiry, up to and including expiresAt', () => {
    const token = signRenderToken(SECRET, claims);
    expect(verifyRenderToken(SECRET, token, 1_500_000)).toEqual({ ok: true, claims });
    expect(verifyRenderToken(SECRET, token, claims.expiresAt)).toEqual({ ok: true, claims });
  });

  it('is URL-safe', () => {
    expect(signRenderToken(SECRET, claims)).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  });

  it('is expired one millisecond after expiresAt', () => {
    const token = signRenderToken(SECRET, claims);
    expect(verifyRenderToken(SECRET, token, claims.expiresAt + 1)).toEqual({ ok: false, reason: 'expired' });
  });

  it('lives maxTtlMs from now, before or after the activation expires (the window bounds sending, not opening)', () => {
    const token = signRenderToken(SECRET, claims, { now: 1_000_000, maxTtlMs: 10_000 });
    expect(verifyRenderToken(SECRET, token, 1_010_000)).toMatchObject({ ok: true });
    expect(verifyRenderToken(SECRET, token, 1_010_001)).toEqual({ ok: false, reason: 'expired' });
    const longer = signRenderToken(SECRET, claims, { now: 1_000_000, maxTtlMs: 10_000_000 });
    // Opened a day after the send window (claims.expiresAt 2,000,000) closed.
    expect(verifyRenderToken(SECRET, longer, 2_500_000)).toEqual({
      ok: true,
      claims: { ...claims, expiresAt: 11_000_000 },
    });
    expect(verifyRenderToken(SECRET, longer, 11_000_001)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses a tampered payload: another user or a later expiry', () => {
    const token = signRenderToken(SECRET, claims);
    const [, signature] = token.split('.');
    for (const forged of [
      { ...claims, userId: 'u-43' },
      { ...claims, expiresAt: claims.expiresAt * 10 },
    ]) {
      const payload = Buffer.from(JSON.stringify(forged)).toString('base64url');
      expect(verifyRenderToken(SECRET, `${payload}.${signature}`, 1_500_000)).toEqual({
        ok: false,
        reason: 'bad_signature',
      });
    }
  });

  it('refuses a tampered signature, and any single changed character of the payload', () => {
    const token = signRenderToken(SECRET, claims);
    const dot = token.indexOf('.');
    expect(verifyRenderToken(SECRET, flipChar(token, dot + 3), 1_500_000)).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    for (const at of [0, 5, dot - 2]) {
      const result = verifyRenderToken(SECRET, flipChar(token, at), 1_500_000);
      expect(result.ok).toBe(false);
    }
  });

  it('refuses a token signed with another secret', () => {
    const token = signRenderToken('another-secret', claims);
    expect(verifyRenderToken(SECRET, token, 1_500_000)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('says malformed for tokens that are not two base64url parts', () => {
    const token = signRenderToken(SECRET, claims);
    for (const bad of ['', '.', 'abc', `${token}.x`, 'a b.c', `${token.split('.')[0]}.`, '.sig']) {
      expect(verifyRenderToken(SECRET, bad, 1_500_000)).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it('says malformed for a correctly signed payload that is not claims', () => {
    for (const body of ['not json', '[]', '{}', JSON.stringify({ ...claims, triggerVersion: '3' })]) {
      const payload = Buffer.from(body).toString('base64url');
      // Signed with the right secret, so only the content is wrong.
      const token = `${payload}.${createHmac('sha256', SECRET).update(payload).digest('base64url')}`;
      expect(verifyRenderToken(SECRET, token, 1_500_000)).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it('refuses to sign or check with an empty secret', () => {
    expect(() => signRenderToken('', claims)).toThrow(/RENDER_SECRET/);
    expect(() => verifyRenderToken('', signRenderToken(SECRET, claims), 0)).toThrow(/RENDER_SECRET/);
  });
});

describe('renderSigner', () => {
  it('stamps issuedAt from the clock and caps the life when asked', () => {
    const { issuedAt: _ignored, ...request } = claims;
    const token = renderSigner(SECRET, () => 1_200_000, 5_000)(request);
    expect(verifyRenderToken(SECRET, token, 1_205_000)).toEqual({
      ok: true,
      claims: { ...request, issuedAt: 1_200_000, expiresAt: 1_205_000 },
    });
    const uncapped = renderSigner(SECRET, () => 1_200_000)(request);
    expect(verifyRenderToken(SECRET, uncapped, 1_205_000)).toEqual({
      ok: true,
      claims: { ...request, issuedAt: 1_200_000 },
    });
  });

  it('refuses an empty secret when built, not at the first activation', () => {
    expect(() => renderSigner('', () => 0)).toThrow(/RENDER_SECRET/);
  });
});
