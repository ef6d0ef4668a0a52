import { createHmac, timingSafeEqual } from 'node:crypto';

import type { RenderTokenRequest } from '../evaluate';

/** What a render token carries: enough to resolve the step again at open time. */
export type RenderClaims = RenderTokenRequest;

export type VerifyResult =
  { ok: true; claims: RenderClaims } | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' };

function mac(secret: string, payload: string): Buffer {
  return createHmac('sha256', secret).update(payload).digest();
}

/** `<base64url JSON claims>.<base64url HMAC-SHA256>`, signed with RENDER_SECRET. */
export function signRenderToken(secret: string, claims: RenderClaims): string {
  const payload = Buffer.from(JSON.stringify(claims), 'utf8').toString('base64url');
  return `${payload}.${mac(secret, payload).toString('base64url')}`;
}

/** Checks the signature (constant time) and expiry (`expiresAt` in epoch ms, against `now`). */
export function verifyRenderToken(secret: string, token: string, now: number): VerifyResult {
  const [payload, signature, extra] = token.split('.');
  if (!payload || !signature || extra !== undefined) return { ok: false, reason: 'malformed' };
  const expected = mac(secret, payload);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'bad_signature' };
  let claims: RenderClaims;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as RenderClaims;
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (typeof claims.expiresAt !== 'number' || typeof claims.userId !== 'string')
    return { ok: false, reason: 'malformed' };
  if (now > claims.expiresAt) return { ok: false, reason: 'expired' };
  return { ok: true, claims };
}
