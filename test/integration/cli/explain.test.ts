import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { Registry } from 'prom-client';

import { explainCommand } from '../../../services/cli/commands/explain';
import type { Decision } from '../../../services/engine/evaluate';
import { createHttpServer } from '../../../services/engine/http';
import { freePort } from '../../../scripts/processes';
import { recordingIo } from '../../unit/cli/io';
import { action, cond, DAY, ev, HOUR, plan, sim, T0 } from '../../unit/engine/evaluate/helpers';

const TOKEN = 'explain-test-admin-token';

// Real decisions: two triggers fire for u1 on a page view; on the next, a purchase in between suppresses
// one (unless) and the other is in its cooldown.
const s = sim([
  plan({
    id: 'pricing',
    steps: [action('web', 'web.personalize', { params: { slot: 'hero' } })],
    unless: [cond('purchase', 30 * DAY)],
    cooldownMs: 0,
  }),
  plan({
    id: 'push-nudge',
    steps: [action('mobile', 'mobile.push', { params: { t: 'x' } })],
  }),
]);
s.send(ev({ type: 'page_view', eventId: 'v1' }), T0);
s.send(ev({ type: 'purchase', eventId: 'p1', occurredAt: T0 + HOUR }), T0 + HOUR);
s.send(ev({ type: 'page_view', eventId: 'v2', occurredAt: T0 + 2 * HOUR }), T0 + 2 * HOUR);
const decisions: Decision[] = [...s.decisions].reverse();

let server: Server;
let engine: string;
beforeAll(async () => {
  server = createHttpServer({
    registry: new Registry(),
    readiness: () => ({ kafka: true, redis: true, triggers: true, workers: true }),
    triggers: () => [],
    recentDecisions: async (userId, limit) => (userId === 'u1' ? decisions.slice(0, limit) : []),
    verifyRender: () => ({ ok: false, reason: 'malformed' }),
    render: async () => null,
    resumeTrigger: () => null,
    adminToken: TOKEN,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  engine = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const explain = async (...args: string[]) => {
  const io = recordingIo();
  const code = await explainCommand.run(args, io);
  return { code, out: io.stdout(), err: io.stderr() };
};

describe('triggerctl explain (against the engine HTTP API)', () => {
  it("prints a user's decisions newest first, each with the checks that ran and the failed one marked", async () => {
    expect(decisions.map((d) => `${d.triggerId}:${d.outcome}/${d.reason}`)).toContain(
      'pricing:suppressed/unless',
    );
    const { code, out } = await explain('u1', '--engine', engine, '--token', TOKEN);
    expect(code).toBe(0);
    expect(out).toMatch(new RegExp(`^${decisions.length} most recent decisions for u1, newest first:`));
    const suppressed = out.indexOf('pricing v1  step action: suppressed (unless)');
    const fired = out.indexOf('pricing v1  step action: fired');
    expect(suppressed).toBeGreaterThan(0);
    expect(fired).toBeGreaterThan(suppressed);
    expect(out).toMatch(/FAIL unless: purchase in history/);
    expect(out).toMatch(/activation act-/);
    expect(out).toMatch(
      /push-nudge v1 {2}step action: suppressed \(cooldown\)\n.*\n(.*\n)*? {4}FAIL cooldown: last fired/,
    );
  });

  it('narrows to one trigger and to --limit decisions', async () => {
    const { code, out } = await explain(
      'u1',
      '--engine',
      engine,
      '--token',
      TOKEN,
      '--trigger',
      'pricing',
      '--limit',
      '1',
    );
    expect(code).toBe(0);
    expect(out).toMatch(/^1 most recent decision for u1 for trigger pricing/);
    expect(out).toContain('suppressed (unless)');
    expect(out).not.toContain('push-nudge');
  });

  it('says so when nothing was decided for the user', async () => {
    const { code, out } = await explain('nobody', '--engine', engine, '--token', TOKEN);
    expect([code, out]).toEqual([
      0,
      'no decisions recorded for nobody (none yet, or older than the log keeps)\n',
    ]);
  });

  it('fails with a sentence on a wrong token, an unreachable engine, no token and bad usage', async () => {
    expect(await explain('u1', '--engine', engine, '--token', 'wrong')).toMatchObject({
      code: 2,
      err: expect.stringMatching(/refused the token/),
    });
    const closed = `http://127.0.0.1:${await freePort()}`;
    expect(await explain('u1', '--engine', closed, '--token', TOKEN)).toMatchObject({
      code: 2,
      err: expect.stringMatching(/cannot reach the engine at/),
    });
    const saved = process.env.ADMIN_TOKEN;
    delete process.env.ADMIN_TOKEN;
    try {
      expect(await explain('u1', '--engine', engine)).toMatchObject({
        code: 2,
        err: expect.stringMatching(/set ADMIN_TOKEN/),
      });
    } finally {
      if (saved !== undefined) process.env.ADMIN_TOKEN = saved;
    }
    for (const args of [[], ['a', 'b'], ['u1', '--limit', '0'], ['u1', '--nope', 'x'], ['u1', '--token']])
      expect(await explain(...args)).toMatchObject({
        code: 2,
        err: expect.stringMatching(/usage: triggerctl explain/),
      });
  });
});
