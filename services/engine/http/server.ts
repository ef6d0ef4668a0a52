import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';

import type { Registry } from 'prom-client';

import type { VerifyResult } from '../render';

export interface Readiness {
  kafka: boolean;
  redis: boolean;
  triggers: boolean;
}

export interface HttpDeps {
  registry: Registry;
  readiness: () => Readiness;
  /** Loaded triggers: id, version, mode, state (e.g. breaker_open). */
  triggers: () => { id: string; version: number; mode: string; state: string }[];
  recentDecisions: (userId: string, limit: number) => Promise<unknown[]>;
  verifyRender: (token: string) => VerifyResult;
  /** Resolves a verified render token against the user's state now; null when the step is gone. */
  render: (claims: Extract<VerifyResult, { ok: true }>['claims']) => Promise<unknown | null>;
  /** Bearer token of /v1/triggers and /v1/users; null refuses every such request. */
  adminToken: string | null;
}

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(text);
}

const error = (res: ServerResponse, status: number, code: string, message: string) =>
  send(res, status, { error: code, message });

function authorized(req: IncomingMessage, token: string | null): boolean {
  const header = req.headers.authorization ?? '';
  if (token === null || !header.startsWith('Bearer ')) return false;
  const given = Buffer.from(header.slice(7));
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The engine's HTTP API (topics.md "Engine HTTP endpoints"). */
export function createHttpServer(deps: HttpDeps): Server {
  return createServer((req, res) => {
    handle(deps, req, res).catch((err: Error) => error(res, 500, 'internal', err.message));
  });
}

async function handle(deps: HttpDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://engine');
  if (req.method !== 'GET') return error(res, 405, 'method_not_allowed', 'Only GET is served.');
  const path = url.pathname;
  if (path === '/metrics') return send(res, 200, await deps.registry.metrics(), deps.registry.contentType);
  if (path === '/healthz') return send(res, 200, { status: 'ok' });
  if (path === '/readyz') {
    const r = deps.readiness();
    const ready = r.kafka && r.redis && r.triggers;
    return send(res, ready ? 200 : 503, { ready, ...r });
  }
  const render = /^\/v1\/render\/([^/]+)$/.exec(path);
  if (render) {
    const verified = deps.verifyRender(decodeURIComponent(render[1] as string));
    if (!verified.ok) {
      if (verified.reason === 'expired') return error(res, 410, 'expired', 'This render token has expired.');
      return error(res, 401, verified.reason, 'This render token is not valid.');
    }
    const content = await deps.render(verified.claims);
    if (content === null)
      return error(res, 404, 'not_found', 'The step of this activation no longer exists.');
    return send(res, 200, content);
  }
  if (path.startsWith('/v1/')) {
    if (!authorized(req, deps.adminToken))
      return error(res, 401, 'unauthorized', 'Send Authorization: Bearer <ADMIN_TOKEN>.');
    if (path === '/v1/triggers') return send(res, 200, { triggers: deps.triggers() });
    const user = /^\/v1\/users\/([^/]+)\/decisions$/.exec(path);
    if (user) {
      const limit = Math.min(200, Math.max(1, Number(url.searchParams.get('limit') ?? 50) || 50));
      const decisions = await deps.recentDecisions(decodeURIComponent(user[1] as string), limit);
      return send(res, 200, { decisions });
    }
  }
  return error(res, 404, 'not_found', `No route for ${path}.`);
}
