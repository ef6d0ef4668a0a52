import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';

import { Counter, Registry } from 'prom-client';

import { indexPlans } from '../../../../services/engine/evaluate';
import type { Readiness } from '../../../../services/engine/http';
import { createHttpServer } from '../../../../services/engine/http';
import type { RenderClaims } from '../../../../services/engine/render';
import { resolveRender, signRenderToken, verifyRenderToken } from '../../../../services/engine/render';
import type { UserState } from '../../../../services/engine/state';
import { emptyUserState, MemoryStateStore } from '../../../../services/engine/state';
import { action, DAY, matcher, plan, T0 } from '../../../unit/engine/evaluate/helpers';

const ADMIN = 'admin-token-for-tests';
const SECRET = 'render-secret-for-tests';
const plans = indexPlans([
  plan({
    id: 'pricing',
    steps: [
      action('email', 'email.send', {
        id: 'follow-up',
        params: { template: 'pricing-followup' },
        renderAt: 'open',
      }),
    ],
    goal: { ...matcher('purchase'), withinMs: 7 * DAY },
  }),
]);
const claims: RenderClaims = {
  activationId: 'act-1',
  triggerId: 'pricing',
  triggerVersion: 1,
  stepId: 'follow-up',
  userId: 'u-1',
  expiresAt: T0 + DAY,
  issuedAt: T0,
};

let server: Server;
let base: string;
let readiness: Readiness;
let now = T0 + 1000;
const store = new MemoryStateStore<UserState, { decisionId: string }>();
const errors: unknown[] = [];
/** The breaker state behind the server: `pricing` starts open, `other` closed. */
let breakerOpen = new Set<string>();

beforeAll(async () => {
  const registry = new Registry();
  new Counter({
    name: 'trigger_events_consumed_total',
    help: 'test',
    labelNames: ['topic'],
    registers: [registry],
  }).inc({ topic: 'events.web' }, 3);
  new Counter({ name: 'trigger_dlq_records_total', help: 'test', registers: [registry] }).inc(2);
  await store.apply({
    states: [{ userId: 'u-1', expectedRev: 0, next: emptyUserState(), ttlMs: DAY }],
    timers: [],
    decisions: [1, 2, 3].map((n) => ({ userId: 'u-1', decision: { decisionId: `d${n}` } })),
  });
  server = createHttpServer({
    registry,
    readiness: () => readiness,
    triggers: () => [{ id: 'pricing', version: 1, mode: 'live', state: 'breaker_open' }],
    resumeTrigger: (id) => {
      if (id !== 'pricing' && id !== 'other/x') return null;
      const resumed = breakerOpen.delete(id);
      return { resumed, state: breakerOpen.has(id) ? 'breaker_open' : 'active' };
    },
    recentDecisions: (userId, limit) =>
      userId === 'boom' ? Promise.reject(new Error('redis down')) : store.recentDecisions(userId, limit),
    verifyRender: (token) => verifyRenderToken(SECRET, token, now),
    render: async (c) => resolveRender(plans, c, (await store.load([c.userId])).get(c.userId), now),
    adminToken: ADMIN,
    onError: (err) => errors.push(err),
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  readiness = { kafka: true, redis: true, triggers: true, workers: true };
  breakerOpen = new Set(['pricing']);
  now = T0 + 1000;
});

const admin = { headers: { authorization: `Bearer ${ADMIN}` } };

async function json(path: string, init?: RequestInit): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${base}${path}`, init);
  return { status: res.status, body: await res.json() };
}

describe('engine HTTP API over a socket', () => {
  it('serves Prometheus text on /metrics', async () => {
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(await res.text()).toContain('trigger_events_consumed_total{topic="events.web"} 3');
  });

  it('serves only the metrics named with ?name=, and a 404 naming one it does not export', async () => {
    const all = await (await fetch(`${base}/metrics`)).text();
    expect(all).toContain('trigger_dlq_records_total 2');
    const one = await fetch(`${base}/metrics?name=trigger_events_consumed_total`);
    expect(one.status).toBe(200);
    expect(one.headers.get('content-type')).toContain('text/plain');
    const text = await one.text();
    expect(text).toContain('trigger_events_consumed_total{topic="events.web"} 3');
    expect(text).not.toContain('trigger_dlq_records_total');
    const both = await (
      await fetch(`${base}/metrics?name=trigger_dlq_records_total&name=trigger_events_consumed_total`)
    ).text();
    expect(both).toContain('trigger_dlq_records_total 2');
    expect(both).toContain('trigger_events_consumed_total{topic="events.web"} 3');
    expect(await json('/metrics?name=trigger_events_consumed_total&name=no_such_metric')).toEqual({
      status: 404,
      body: { error: 'metric_not_found', message: 'The engine exports no metric named no_such_metric.' },
    });
  });

  it('answers /healthz while alive', async () => {
    expect(await json('/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
  });

  it('is ready only when Kafka, Redis, triggers and the worker threads all are, and names what fails', async () => {
    expect((await json('/readyz')).status).toBe(200);
    readiness = { kafka: true, redis: false, triggers: false, workers: true };
    expect(await json('/readyz')).toEqual({
      status: 503,
      body: {
        ready: false,
        kafka: true,
        redis: false,
        triggers: false,
        workers: true,
        failing: ['redis', 'triggers'],
      },
    });
    readiness = { kafka: true, redis: true, triggers: true, workers: false };
    expect(await json('/readyz')).toMatchObject({ status: 503, body: { failing: ['workers'] } });
  });

  it('lists triggers for the admin token only', async () => {
    expect(await json('/v1/triggers', admin)).toEqual({
      status: 200,
      body: { triggers: [{ id: 'pricing', version: 1, mode: 'live', state: 'breaker_open' }] },
    });
    for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: ADMIN }] as Record<
      string,
      string
    >[]) {
      const res = await json('/v1/triggers', { headers });
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ error: 'unauthorized' });
    }
  });

  it('resumes a trigger whose breaker is open on POST, for the admin token only', async () => {
    const post = { method: 'POST', headers: admin.headers };
    expect(await json('/v1/triggers/pricing/resume', { method: 'POST' })).toMatchObject({
      status: 401,
      body: { error: 'unauthorized' },
    });
    expect(breakerOpen.has('pricing')).toBe(true);
    expect(await json('/v1/triggers/pricing/resume', post)).toEqual({
      status: 200,
      body: { trigger: 'pricing', resumed: true, state: 'active' },
    });
    // Idempotent: a second resume finds it closed.
    expect(await json('/v1/triggers/pricing/resume', post)).toEqual({
      status: 200,
      body: { trigger: 'pricing', resumed: false, state: 'active' },
    });
    // Percent-encoded ids, an unknown trigger, and GET on the route.
    expect(await json('/v1/triggers/other%2Fx/resume', post)).toMatchObject({
      status: 200,
      body: { trigger: 'other/x' },
    });
    expect(await json('/v1/triggers/nope/resume', post)).toMatchObject({
      status: 404,
      body: { error: 'trigger_not_found' },
    });
    expect(await json('/v1/triggers/pricing/resume', admin)).toMatchObject({
      status: 405,
      body: { error: 'method_not_allowed' },
    });
    expect(await json('/v1/triggers', post)).toMatchObject({ status: 405 });
  });

  it("returns a user's recent decisions, newest first, bounded by limit", async () => {
    expect(await json('/v1/users/u-1/decisions?limit=2', admin)).toEqual({
      status: 200,
      body: { decisions: [{ decisionId: 'd3' }, { decisionId: 'd2' }] },
    });
    expect(await json('/v1/users/nobody/decisions', admin)).toEqual({ status: 200, body: { decisions: [] } });
    expect((await json('/v1/users/u-1/decisions')).status).toBe(401);
  });

  it('decodes a percent-encoded user id and refuses a broken one', async () => {
    await store.apply({
      states: [],
      timers: [],
      decisions: [{ userId: 'a/b c', decision: { decisionId: 'd-slash' } }],
    });
    expect(await json(`/v1/users/${encodeURIComponent('a/b c')}/decisions`, admin)).toEqual({
      status: 200,
      body: { decisions: [{ decisionId: 'd-slash' }] },
    });
    expect(await json('/v1/users/%E0%A4%A/decisions', admin)).toMatchObject({
      status: 400,
      body: { error: 'bad_user_id' },
    });
    expect(await json('/v1/render/%E0%A4%A')).toMatchObject({ status: 401, body: { error: 'malformed' } });
  });

  it('refuses a bad limit with a JSON error', async () => {
    for (const limit of ['0', 'x', '1.5', '201']) {
      const res = await json(`/v1/users/u-1/decisions?limit=${limit}`, admin);
      expect(res).toMatchObject({ status: 400, body: { error: 'bad_limit' } });
    }
  });

  it('answers 500 with a JSON error when a dependency fails, and reports it', async () => {
    const res = await json('/v1/users/boom/decisions', admin);
    expect(res).toMatchObject({ status: 500, body: { error: 'internal' } });
    expect(errors.some((e) => e instanceof Error && e.message === 'redis down')).toBe(true);
  });

  it('renders an open-time email from a valid token, and the post-purchase variant after a purchase', async () => {
    const token = signRenderToken(SECRET, claims);
    expect(await json(`/v1/render/${token}`)).toEqual({
      status: 200,
      body: {
        activationId: 'act-1',
        triggerId: 'pricing',
        stepId: 'follow-up',
        template: 'pricing-followup',
        variant: 'default',
        params: { template: 'pricing-followup' },
        profile: {},
      },
    });
    const state = (await store.load(['u-1'])).get('u-1') as UserState;
    state.history.push({
      eventId: 'e-purchase',
      channel: 'web',
      type: 'purchase',
      occurredAt: T0 + 500,
      sessionId: null,
      properties: {},
      context: null,
    });
    await store.apply({
      states: [{ userId: 'u-1', expectedRev: state.rev, next: state, ttlMs: DAY }],
      timers: [],
      decisions: [],
    });
    expect((await json(`/v1/render/${token}`)).body).toMatchObject({ variant: 'converted' });
  });

  it('answers 401 for a forged or malformed token, 410 for an expired one, 404 for a removed step', async () => {
    expect(await json(`/v1/render/${signRenderToken('other', claims)}`)).toMatchObject({
      status: 401,
      body: { error: 'bad_signature' },
    });
    expect(await json('/v1/render/not-a-token')).toMatchObject({ status: 401, body: { error: 'malformed' } });
    now = claims.expiresAt + 1;
    expect(await json(`/v1/render/${signRenderToken(SECRET, claims)}`)).toMatchObject({
      status: 410,
      body: { error: 'expired' },
    });
    now = T0;
    const removed = signRenderToken(SECRET, { ...claims, stepId: 'gone' });
    expect(await json(`/v1/render/${removed}`)).toMatchObject({ status: 404, body: { error: 'not_found' } });
    // A valid token for an email sent before the history the engine keeps: no content that may push a
    // purchase the pruned history no longer shows.
    const old = { ...claims, issuedAt: T0 - plans.historyLookbackMs - 1, expiresAt: T0 + DAY };
    expect(await json(`/v1/render/${signRenderToken(SECRET, old)}`)).toMatchObject({
      status: 410,
      body: { error: 'expired', message: expect.stringMatching(/before the history the engine keeps/) },
    });
  });

  it('answers unknown routes and other methods with JSON errors', async () => {
    expect(await json('/nope')).toMatchObject({ status: 404, body: { error: 'not_found' } });
    expect(await json('/v1/nope', admin)).toMatchObject({ status: 404, body: { error: 'not_found' } });
    expect(await json('/healthz', { method: 'POST' })).toMatchObject({
      status: 405,
      body: { error: 'method_not_allowed' },
    });
  });
});
