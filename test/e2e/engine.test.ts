import { join } from 'node:path';

import { deployCommand } from '../../services/cli/commands/deploy';
import { event, FIXTURES, grant, startStack } from './harness';
import type { Stack } from './harness';
import { startRedisCluster } from '../support/redis-cluster';
import type { TestRedisCluster } from '../support/redis-cluster';

jest.setTimeout(90_000);

// Every scenario three times: passes computed on the main thread, on a worker thread (WORKER_THREADS=1),
// and on a worker thread against a Redis Cluster of three masters (users' keys in many slots, the timer
// indexes on several nodes), started for it.
describe.each([
  ['on the main thread', '0', false],
  ['with a worker thread', '1', false],
  ['with a worker thread, on a Redis Cluster', '1', true],
])('the engine end to end (dev broker over TCP, real Redis), %s', (_, threads, onCluster) => {
  let stack: Stack;
  let cluster: TestRedisCluster | undefined;

  beforeAll(async () => {
    if (onCluster) cluster = await startRedisCluster();
    stack = await startStack({ engineEnv: { WORKER_THREADS: threads }, redisCluster: cluster });
    await stack.collect();
  });
  afterAll(async () => {
    // The cluster's nodes stop even when the stack failed to start or to stop.
    try {
      await stack?.stop();
    } finally {
      await cluster?.stop();
    }
  });

  it('fires from JSON and Avro events, sends malformed records to the DLQ and processes the good ones around them', async () => {
    const { topics } = stack;
    const engine = await stack.engine();
    await stack.produce(topics.consent, [grant('ann', 'personalization'), grant('bob', 'personalization')]);
    await stack.waitForState(['ann', 'bob']);
    await stack.produce(
      topics.events.web,
      [event('ann', 'web', 'page_view', { path: '/pricing', plan: 'team' })],
      'json',
    );
    await stack.produce(topics.events.web, [Buffer.from('{"eventId": "broken')]);
    await stack.produce(
      topics.events.web,
      [event('bob', 'web', 'page_view', { path: '/pricing/business', plan: 'business' })],
      'avro',
    );
    // Decisions go out with the activations but on another topic: wait for those too.
    await stack.waitFor(
      'two pricing-hero activations, their fired decisions and one DLQ record',
      (seen) =>
        stack.activations('pricing-hero').length === 2 &&
        stack.decisions('pricing-hero').filter((d) => d.value?.outcome === 'fired').length === 2 &&
        seen.some((s) => s.topic === topics.dlq),
    );
    const byUser = Object.fromEntries(stack.activations('pricing-hero').map((a) => [a.key, a.value]));
    expect(byUser.ann).toMatchObject({
      actionType: 'web.personalize',
      params: { slot: 'pricing-hero', plan: 'team' },
    });
    expect(byUser.bob).toMatchObject({ params: { plan: 'business' }, channel: 'web' });
    const dlq = stack.seen.find((s) => s.topic === topics.dlq);
    expect(dlq?.headers['source.topic']).toBe(topics.events.web);
    expect(dlq?.headers.error).toMatch(/^json_parse_failed|^unknown_encoding|^[a-z_]+:/);
    const fired = stack.decisions('pricing-hero').filter((d) => d.value?.outcome === 'fired');
    expect(fired).toHaveLength(2);
    await stack.stopEngine(engine);
  });

  it('records consent_missing and emits nothing for a user without consent', async () => {
    const engine = await stack.engine();
    await stack.produce(stack.topics.events.web, [
      event('carl', 'web', 'page_view', { path: '/pricing', plan: 'team' }),
    ]);
    await stack.waitFor('a decision for carl', () =>
      stack.decisions('pricing-hero').some((d) => d.key === 'carl'),
    );
    expect(stack.decisions('pricing-hero').find((d) => d.key === 'carl')?.value?.outcome).toBe(
      'consent_missing',
    );
    expect(stack.activations('pricing-hero').filter((a) => a.key === 'carl')).toHaveLength(0);
    await stack.stopEngine(engine);
  });

  it('fires an absent timer that was armed before an engine restart', async () => {
    const first = await stack.engine();
    await stack.produce(stack.topics.consent, [grant('dora', 'push')]);
    await stack.waitForState(['dora']);
    await stack.produce(stack.topics.events.mobile, [
      event('dora', 'mobile', 'add_to_cart', { productId: 'sku-1' }),
    ]);
    // Wait until the timer is in the due index (the state is recorded), then stop before it is due (3 s).
    const deadline = Date.now() + 10_000;
    for (;;) {
      const keys = await stack.keys(`${stack.redisPrefix}{t:*}`);
      let armed = 0;
      for (const k of keys) armed += await stack.redis.zcount(k, '-inf', '+inf');
      if (armed > 0 || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await stack.stopEngine(first);
    expect(stack.activations('cart-nudge').filter((a) => a.key === 'dora')).toHaveLength(0);
    const second = await stack.engine();
    await stack.waitFor('the cart-nudge push after restart', () =>
      stack.activations('cart-nudge').some((a) => a.key === 'dora'),
    );
    expect(stack.activations('cart-nudge').find((a) => a.key === 'dora')?.value).toMatchObject({
      actionType: 'mobile.push',
      params: { product: 'sku-1' },
    });
    await stack.stopEngine(second);
  });

  it('cancels a pending step when consent is revoked (consent_revoked) and emits nothing more', async () => {
    const engine = await stack.engine();
    await stack.produce(stack.topics.consent, [grant('eve', 'email_marketing')]);
    await stack.waitForState(['eve']);
    await stack.produce(stack.topics.events.web, [event('eve', 'web', 'signup')]);
    await stack.waitFor('the welcome email', () =>
      stack.activations('welcome-series').some((a) => a.key === 'eve' && a.value?.stepId === 'welcome'),
    );
    await stack.produce(stack.topics.consent, [
      { ...grant('eve', 'email_marketing', 0), status: 'denied', updatedAt: Date.now() },
    ]);
    await stack.waitFor('consent_revoked', () =>
      stack
        .decisions('welcome-series')
        .some((d) => d.key === 'eve' && d.value?.outcome === 'consent_revoked'),
    );
    await new Promise((r) => setTimeout(r, 4_000)); // past the 3 s wait
    expect(
      stack.activations('welcome-series').filter((a) => a.key === 'eve' && a.value?.stepId === 'tips'),
    ).toHaveLength(0);
    await stack.stopEngine(engine);
  });

  it('splits partitions between two engines, and the survivor takes over users and timers', async () => {
    const a = await stack.engine();
    const b = await stack.engine();
    const users = Array.from({ length: 12 }, (_, i) => `split-${i}`);
    await stack.produce(
      stack.topics.consent,
      users.map((u) => grant(u, 'push')),
    );
    await stack.waitForState(users);
    await stack.produce(
      stack.topics.events.mobile,
      users.map((u) => event(u, 'mobile', 'add_to_cart', { productId: 'sku-2' })),
    );
    const deadline = Date.now() + 20_000;
    while (a.ownedPartitions().length + b.ownedPartitions().length !== 3 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(a.ownedPartitions().length).toBeGreaterThan(0);
    expect(b.ownedPartitions().length).toBeGreaterThan(0);
    expect({ a: a.ownedPartitions(), b: b.ownedPartitions() }).toEqual({
      a: expect.any(Array),
      b: expect.any(Array),
    });
    expect([...a.ownedPartitions(), ...b.ownedPartitions()].sort()).toEqual([0, 1, 2]);
    await stack.stopEngine(a); // its timers (due in ~2 s) must fire on b after the rebalance
    await stack.waitFor(
      'one cart-nudge per user',
      () =>
        new Set(
          stack
            .activations('cart-nudge')
            .filter((x) => x.key?.startsWith('split-'))
            .map((x) => x.key),
        ).size === users.length,
      45_000,
    );
    await stack.stopEngine(b);
  });

  it('changes behaviour on a redeploy through the trigger-definitions topic, without a restart', async () => {
    const io = { out: () => undefined, err: (t: string) => process.stderr.write(t) };
    const deploy = (dir: string) =>
      deployCommand.run([dir, '--brokers', stack.brokers[0] as string, '--prefix', stack.prefix], io);
    expect(await deploy(join(FIXTURES, 'triggers'))).toBe(0);
    const engine = await stack.engine({ TRIGGERS_DIR: '', TRIGGERS_TOPIC: stack.topics.triggerDefinitions });
    await stack.produce(stack.topics.consent, [
      grant('fay', 'personalization'),
      grant('gus', 'personalization'),
    ]);
    await stack.waitForState(['fay', 'gus']);
    await stack.produce(stack.topics.events.web, [
      event('fay', 'web', 'page_view', { path: '/pricing', plan: 'team' }),
    ]);
    await stack.waitFor('v1 activation', () =>
      stack.activations('pricing-hero').some((a) => a.key === 'fay'),
    );
    expect(await deploy(join(FIXTURES, 'triggers-v2'))).toBe(0);
    const deadline = Date.now() + 10_000;
    while (
      engine.definitions.current()?.index.byId.get('pricing-hero')?.version !== 2 &&
      Date.now() < deadline
    ) {
      await new Promise((r) => setTimeout(r, 100));
    }
    await stack.produce(stack.topics.events.web, [
      event('gus', 'web', 'page_view', { path: '/pricing', plan: 'team' }),
    ]);
    await stack.waitFor('v2 activation', () =>
      stack.activations('pricing-hero').some((a) => a.key === 'gus'),
    );
    expect(stack.activations('pricing-hero').find((a) => a.key === 'fay')?.value).toMatchObject({
      triggerVersion: 1,
    });
    expect(stack.activations('pricing-hero').find((a) => a.key === 'gus')?.value).toMatchObject({
      triggerVersion: 2,
      params: { slot: 'pricing-hero-v2' },
    });
    await stack.stopEngine(engine);
  });
});
