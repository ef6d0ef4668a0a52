import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { parseMetrics, sumBy } from '../../scripts/metrics-text';
import { freePort } from '../../scripts/processes';
import { event, FIXTURES, grant, startStack } from './harness';
import type { Stack } from './harness';

jest.setTimeout(90_000);

const ADMIN = 'e2e-admin-token-0123456789';

describe('the circuit breaker, tripped and resumed over the admin API, and the latency metrics', () => {
  let stack: Stack;
  let triggersDir: string;

  beforeAll(async () => {
    // The fixtures' pricing-hero, with a breaker that trips above one activation a minute.
    triggersDir = mkdtempSync(join(tmpdir(), 'e2e-breaker-'));
    copyFileSync(join(FIXTURES, 'triggers', 'pricing-hero.yaml'), join(triggersDir, 'pricing-hero.yaml'));
    const policies = readFileSync(join(FIXTURES, 'triggers', 'policies.yaml'), 'utf8');
    writeFileSync(
      join(triggersDir, 'policies.yaml'),
      policies.replace(/^breaker: .*$/m, 'breaker: { maxActivationsPerMinute: 1 }'),
    );
    stack = await startStack();
    await stack.collect();
  });
  afterAll(async () => {
    await stack.stop();
    rmSync(triggersDir, { recursive: true, force: true });
  });

  it('pauses a trigger over its limit (breaker_open) until POST /v1/triggers/{id}/resume, then fires again', async () => {
    const httpPort = await freePort();
    const engine = await stack.engine({ TRIGGERS_DIR: triggersDir, ADMIN_TOKEN: ADMIN }, { httpPort });
    const api = async (path: string, method = 'GET') => {
      const res = await fetch(`http://127.0.0.1:${httpPort}${path}`, {
        method,
        headers: { authorization: `Bearer ${ADMIN}` },
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const stateOf = async () =>
      ((await api('/v1/triggers')).body.triggers as { id: string; state: string }[]).find(
        (t) => t.id === 'pricing-hero',
      )?.state;
    const users = ['b1', 'b2', 'b3', 'b4'];
    await stack.produce(
      stack.topics.consent,
      users.map((u) => grant(u, 'personalization')),
    );
    await stack.waitForState(users);
    const view = (u: string) => event(u, 'web', 'page_view', { path: '/pricing', plan: 'team' });
    const outcome = (u: string) =>
      stack.decisions('pricing-hero').find((d) => d.key === u)?.value?.outcome as string | undefined;

    // Two activations are one over the limit: the breaker opens, and the next user's decision is breaker_open.
    for (const u of ['b1', 'b2']) {
      await stack.produce(stack.topics.events.web, [view(u)]);
      await stack.waitFor(`a decision for ${u}`, () => outcome(u) !== undefined);
    }
    expect([outcome('b1'), outcome('b2')]).toEqual(['fired', 'fired']);
    // The engine's part of each activation's latency (broker append to emission) is observed apart from
    // the whole (dueAt to emission), and is never more than it.
    const metric = async (name: string, part: 'count' | 'sum') =>
      sumBy(
        parseMetrics(await (await fetch(`http://127.0.0.1:${httpPort}/metrics?name=${name}`)).text()),
        `${name}_${part}`,
        'trigger',
      ).get('pricing-hero') ?? NaN;
    expect(await metric('trigger_engine_time_seconds', 'count')).toBe(2);
    expect(await metric('trigger_signal_to_activation_seconds', 'count')).toBe(2);
    expect(await metric('trigger_engine_time_seconds', 'sum')).toBeLessThanOrEqual(
      (await metric('trigger_signal_to_activation_seconds', 'sum')) + 0.002,
    );
    // The lane counts a pass's activations once it has recorded them, after their decisions went out.
    for (const deadline = Date.now() + 10_000; (await stateOf()) !== 'breaker_open';) {
      if (Date.now() > deadline) throw new Error(`breaker not open: ${await stateOf()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await stack.produce(stack.topics.events.web, [view('b3')]);
    await stack.waitFor('a decision for b3', () => outcome('b3') !== undefined);
    expect(outcome('b3')).toBe('breaker_open');

    expect(await api('/v1/triggers/pricing-hero/resume', 'POST')).toEqual({
      status: 200,
      body: { trigger: 'pricing-hero', resumed: true, state: 'active' },
    });
    expect(await stateOf()).toBe('active');
    await stack.produce(stack.topics.events.web, [view('b4')]);
    await stack.waitFor('a decision for b4', () => outcome('b4') !== undefined);
    expect(outcome('b4')).toBe('fired');
    expect(
      stack
        .activations('pricing-hero')
        .map((a) => a.key)
        .sort(),
    ).toEqual(['b1', 'b2', 'b4']);
    await stack.stopEngine(engine);
  });
});
