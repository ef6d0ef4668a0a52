import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';

import type { Registry } from 'prom-client';

import type { VerifyResult } from '../render';

/**
 * Readiness parts (topics.md: Kafka joined, Redis up, triggers loaded; and the pass worker threads up);
 * /readyz is 503 unless all hold.
 */
export interface Readiness {
  kafka: boolean;
  redis: boolean;
  triggers: boolean;
  /** Every pass worker thread set up and running (true with WORKER_THREADS=0). */
  workers: boolean;
}

export interface HttpDeps {
  registry: Registry;
  readiness: () => Readiness;
  /** Loaded triggers: id, version, mode, state (e.g. breaker_open). */
  triggers: () => { id: string; version: number; mode: string; state: string }[];
  recentDecisions: (userId: string, limit: number) => Promise<unknown[]>;
  verifyRender: (token: string) => VerifyResult;
  /**
   * Resolves a verified render token against the user's state now; null when the step is gone,
   * `history_gone` when it was issued before the history the engine keeps (answered 410).
   */
  render: (claims: Extract<VerifyResult, { ok: true }>['claims']) => Promise<unknown | null>;
  /**
   * Closes a trigger's circuit breaker on this instance (POST /v1/triggers/{id}/resume): whether it was
   * open, or null for a trigger that is not loaded.
   */
  resumeTrigger: (id: string) => { resumed: boolean; state: string } | null;
  /** Told of a request that failed inside the engine (answered 500); e.g. a pino logger's error. */
  onError?: (err: unknown) => void;
  /** Bearer token of /v1/triggers and /v1/users; null refuses every such request. */
  adminToken: string | null;
}

/** Decisions returned by GET /v1/users/{userId}/decisions without `limit`, and the most with it. */
export const DEFAULT_DECISIONS = 50;
export const MAX_DECISIONS = 200;

function parseLimit(raw: string | null): number | null {
  if (raw === null) return DEFAULT_DECISIONS;
  const n = Number(raw);
  return /^\d+$/.test(raw) && n >= 1 && n <= MAX_DECISIONS ? n : null;
}

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(text);
}

const error = (res: ServerResponse, status: number, code: string, message: string) =>
  send(res, status, { error: code, message });

/** Compares SHA-256 digests in constant time, so neither the content nor the length of the token leaks. */
function authorized(req: IncomingMessage, token: string | null): boolean {
  const header = req.headers.authorization ?? '';
  if (token === null || token === '' || !header.startsWith('Bearer ')) return false;
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(header.slice(7)), digest(token));
}

/** A path segment decoded, or null when its percent-encoding is broken. */
function segment(raw: string): string | null {
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}

/**
 * The engine's HTTP API (topics.md "Engine HTTP endpoints"): GET only, JSON bodies, errors as
 * `{error, message}`. Not listening yet: the caller calls `listen` (port 0 in tests).
 */
export function createHttpServer(deps: HttpDeps): Server {
  return createServer((req, res) => {
    // A failing dependency (e.g. Redis down during a decisions lookup) answers 500, never crashes the engine.
    handle(deps, req, res).catch((err: unknown) => {
      deps.onError?.(err);
      if (!res.headersSent)
        error(res, 500, 'internal', 'The request failed inside the engine; see its logs.');
      else res.destroy();
    });
  });
}

/**
 * The Prometheus text of every metric, or with `?name=` (repeatable) of those named only: rendering all
 * of them takes the engine's thread for milliseconds (latency histograms per trigger and channel), which
 * a tool polling one counter several times a second should not pay. An unknown name is a 404 naming it.
 */
async function metrics(registry: Registry, names: readonly string[], res: ServerResponse): Promise<void> {
  if (names.length === 0) return send(res, 200, await registry.metrics(), registry.contentType);
  const unknown = names.filter((n) => registry.getSingleMetric(n) === undefined);
  if (unknown.length > 0)
    return error(res, 404, 'metric_not_found', `The engine exports no metric named ${unknown.join(', ')}.`);
  const texts = await Promise.all([...new Set(names)].map((n) => registry.getSingleMetricAsString(n)));
  return send(res, 200, `${texts.join('\n')}\n`, registry.contentType);
}

async function handle(deps: HttpDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://engine');
  const path = url.pathname;
  const resume = /^\/v1\/triggers\/([^/]+)\/resume$/.exec(path);
  if (req.method !== 'GET' && !(req.method === 'POST' && resume))
    return error(res, 405, 'method_not_allowed', 'Only GET is served, and POST /v1/triggers/{id}/resume.');
  if (path === '/metrics') return metrics(deps.registry, url.searchParams.getAll('name'), res);
  if (path === '/healthz') return send(res, 200, { status: 'ok' });
  if (path === '/readyz') {
    const r = deps.readiness();
    const failing = (Object.keys(r) as (keyof Readiness)[]).filter((k) => !r[k]);
    return send(res, failing.length === 0 ? 200 : 503, { ready: failing.length === 0, ...r, failing });
  }
  const render = /^\/v1\/render\/([^/]+)$/.exec(path);
  if (render) {
    const token = segment(render[1] as string);
    if (token === null) return error(res, 401, 'malformed', 'This render token is not valid.');
    const verified = deps.verifyRender(token);
    if (!verified.ok) {
      if (verified.reason === 'expired') return error(res, 410, 'expired', 'This render token has expired.');
      return error(res, 401, verified.reason, 'This render token is not valid.');
    }
    const content = await deps.render(verified.claims);
    if (content === null)
      return error(res, 404, 'not_found', 'The step of this activation no longer exists.');
    if (content === 'history_gone')
      return error(
        res,
        410,
        'expired',
        'This email was sent before the history the engine keeps: whether its reader converted since is unknown.',
      );
    return send(res, 200, content);
  }
  if (path.startsWith('/v1/')) {
    if (!authorized(req, deps.adminToken))
      return error(res, 401, 'unauthorized', 'Send Authorization: Bearer <ADMIN_TOKEN>.');
    if (path === '/v1/triggers') return send(res, 200, { triggers: deps.triggers() });
    if (resume) {
      if (req.method !== 'POST') return error(res, 405, 'method_not_allowed', 'Resume a trigger with POST.');
      const id = segment(resume[1] as string);
      const done = id === null ? null : deps.resumeTrigger(id);
      if (done === null) return error(res, 404, 'trigger_not_found', `No trigger ${id ?? ''} is loaded.`);
      return send(res, 200, { trigger: id, ...done });
    }
    const user = /^\/v1\/users\/([^/]+)\/decisions$/.exec(path);
    if (user) {
      const limit = parseLimit(url.searchParams.get('limit'));
      if (limit === null)
        return error(res, 400, 'bad_limit', `limit must be an integer from 1 to ${MAX_DECISIONS}.`);
      const userId = segment(user[1] as string);
      if (userId === null || userId.length === 0 || userId.length > 128)
        return error(res, 400, 'bad_user_id', 'userId must be 1-128 characters, percent-encoded.');
      const decisions = await deps.recentDecisions(userId, limit);
      return send(res, 200, { decisions });
    }
  }
  return error(res, 404, 'not_found', `No route for ${path}.`);
}
