import { createHmac, timingSafeEqual } from 'node:crypto';

import type { RenderTokenRequest } from '../evaluate';

/**
 * What a render token carries: enough to resolve the step again at open time (activation, trigger and
 * version, step, user, expiry in epoch ms) plus `issuedAt`, the emission time in epoch ms, from which
 * "since the email was sent" is measured (absent in tokens of older engines: treated as 0).
 */
export type RenderClaims = RenderTokenRequest & { issuedAt?: number };

export type VerifyFailure = 'malformed' | 'bad_signature' | 'expired';

export type VerifyResult = { ok: true; claims: RenderClaims } | { ok: false; reason: VerifyFailure };

/** Options of `signRenderToken`. */
export interface SignOptions {
  /** Emission time in epoch ms; with `maxTtlMs`, caps the token's life. */
  now?: number;
  /**
   * Life of the token in ms from `now` (RENDER_TOKEN_TTL_MS), in place of the activation's expiresAt: that
   * bounds when the adapter may send the email, not when its reader opens it.
   */
  maxTtlMs?: number;
}

function mac(secret: string, payload: string): Buffer {
  if (secret.length === 0)
    throw new Error('RENDER_SECRET is empty: render tokens cannot be signed or checked.');
  return createHmac('sha256', secret).update(payload).digest();
}

/**
 * `<base64url JSON claims>.<base64url HMAC-SHA256 of the first part>`, signed with RENDER_SECRET.
 * `expiresAt` is `now + maxTtlMs` when both options are given, else the claims' own. An email may be
 * opened days after its send window closed: capping the token at the window (24 h for email by default)
 * made those opens answer 410.
 */
export function signRenderToken(secret: string, claims: RenderClaims, opts: SignOptions = {}): string {
  const expiresAt =
    opts.now !== undefined && opts.maxTtlMs !== undefined ? opts.now + opts.maxTtlMs : claims.expiresAt;
  const payload = Buffer.from(JSON.stringify({ ...claims, expiresAt }), 'utf8').toString('base64url');
  return `${payload}.${mac(secret, payload).toString('base64url')}`;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

function isClaims(v: unknown): v is RenderClaims {
  if (typeof v !== 'object' || v === null) return false;
  const c = v as Record<string, unknown>;
  return (
    typeof c.activationId === 'string' &&
    typeof c.triggerId === 'string' &&
    typeof c.stepId === 'string' &&
    typeof c.userId === 'string' &&
    Number.isInteger(c.triggerVersion) &&
    Number.isFinite(c.expiresAt) &&
    (c.issuedAt === undefined || Number.isFinite(c.issuedAt))
  );
}

/**
 * Checks the signature first (constant time, so a forged payload is never parsed), then the claims'
 * shape, then expiry: a token is valid up to and including `expiresAt` (epoch ms, against `now`).
 */
export function verifyRenderToken(secret: string, token: string, now: number): VerifyResult {
  const parts = token.split('.');
  const [payload, signature] = parts;
  if (parts.length !== 2 || !payload || !signature || !BASE64URL.test(payload) || !BASE64URL.test(signature))
    return { ok: false, reason: 'malformed' };
  const expected = mac(secret, payload);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'bad_signature' };
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (!isClaims(claims)) return { ok: false, reason: 'malformed' };
  if (now > claims.expiresAt) return { ok: false, reason: 'expired' };
  return { ok: true, claims };
}

/**
 * The emitter's `sign`: stamps `issuedAt` from `clock` (epoch ms) and caps the life at `maxTtlMs` when
 * given, so the runtime need not build claims by hand.
 */
export function renderSigner(
  secret: string,
  clock: () => number,
  maxTtlMs?: number,
): (request: RenderTokenRequest) => string {
  if (secret.length === 0)
    throw new Error('RENDER_SECRET is empty: render tokens cannot be signed or checked.');
  return (request) => {
    const now = clock();
    return signRenderToken(
      secret,
      { ...request, issuedAt: now },
      maxTtlMs === undefined ? {} : { now, maxTtlMs },
    );
  };
}
