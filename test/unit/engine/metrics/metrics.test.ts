import { Registry } from 'prom-client';

import { createMetrics, METRIC, METRIC_LABELS } from '../../../../services/engine/metrics';

async function value(registry: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  const found = (metric?.values ?? []).find((v) =>
    Object.entries(labels).every(([k, l]) => (v.labels as Record<string, unknown>)[k] === l),
  );
  return found?.value ?? 0;
}

describe('engine metrics', () => {
  it('counts a breach only when strictly over the SLA', async () => {
    const registry = new Registry();
    const m = createMetrics(registry, { defaultMetrics: false });
    const base = { trigger: 't', channel: 'web', dueAt: 1000, slaMs: 1000 };
    m.emission({ ...base, emittedAt: 2000 });
    expect(await value(registry, METRIC.slaBreaches, { trigger: 't' })).toBe(0);
    m.emission({ ...base, emittedAt: 2001 });
    expect(await value(registry, METRIC.slaBreaches, { trigger: 't' })).toBe(1);
    expect(await value(registry, METRIC.activations, { trigger: 't', channel: 'web' })).toBe(2);
    expect(await value(registry, METRIC.slaTarget, { trigger: 't', channel: 'web' })).toBe(1);
  });

  it('records decisions with an empty reason label when there is none', async () => {
    const registry = new Registry();
    const m = createMetrics(registry, { defaultMetrics: false });
    m.decision('t', 'fired', null);
    m.decision('t', 'suppressed', 'caps');
    expect(await value(registry, METRIC.decisions, { outcome: 'fired', reason: '' })).toBe(1);
    expect(await value(registry, METRIC.decisions, { outcome: 'suppressed', reason: 'caps' })).toBe(1);
  });

  it('never declares a user id label', async () => {
    const registry = new Registry();
    createMetrics(registry, { defaultMetrics: false });
    const labelNames = registry
      .getMetricsAsArray()
      .flatMap((m) => (m as unknown as { labelNames?: string[] }).labelNames ?? []);
    expect(labelNames).toContain('trigger');
    expect(labelNames.filter((l) => /user/i.test(l))).toEqual([]);
    const text = await registry.metrics();
    for (const name of Object.values(METRIC)) expect(text).toContain(name);
  });

  it('observes emittedAt - dueAt in seconds, clamped at zero for an early emission', async () => {
    const registry = new Registry();
    const m = createMetrics(registry, { defaultMetrics: false });
    m.emission({ trigger: 't', channel: 'email', dueAt: 10_000, emittedAt: 10_300, slaMs: 250 });
    m.emission({ trigger: 't', channel: 'email', dueAt: 10_000, emittedAt: 9_000, slaMs: 250 });
    const text = await registry.getSingleMetricAsString(METRIC.signalToActivation);
    expect(text).toContain('trigger_signal_to_activation_seconds_sum{trigger="t",channel="email"} 0.3');
    expect(text).toContain('trigger_signal_to_activation_seconds_count{trigger="t",channel="email"} 2');
    expect(text).toContain(
      'trigger_signal_to_activation_seconds_bucket{le="0.005",trigger="t",channel="email"} 1',
    );
    expect(text).toContain(
      'trigger_signal_to_activation_seconds_bucket{le="900",trigger="t",channel="email"} 2',
    );
    expect(await value(registry, METRIC.slaBreaches, { trigger: 't', channel: 'email' })).toBe(1);
  });

  it('sets the SLA gauge before any emission, in seconds', async () => {
    const registry = new Registry();
    const m = createMetrics(registry, { defaultMetrics: false });
    m.slaTarget('t', 'paid', 900_000);
    expect(await value(registry, METRIC.slaTarget, { trigger: 't', channel: 'paid' })).toBe(900);
  });

  it('exports, after every method ran, only the declared label names', async () => {
    const registry = new Registry();
    const m = createMetrics(registry, { defaultMetrics: false });
    m.consumed('events.web', 3);
    m.invalid('events.web', 'key_missing');
    m.decision('t', 'suppressed', 'cooldown');
    m.emission({ trigger: 't', channel: 'web', dueAt: 0, emittedAt: 5, slaMs: 250 });
    m.slaTarget('t', 'web', 250);
    m.ingestLag('events.web', 0.2);
    m.stage('load', 0.001);
    m.consumerLag('events.web', 2, 17);
    m.timersPending(2, 4);
    m.conversion('t', 'holdout');
    m.breaker('t', true);
    m.ready(true);
    m.redisRoundTrips(2);
    for (const metric of await registry.getMetricsAsJSON()) {
      const declared: readonly string[] = METRIC_LABELS[metric.name as keyof typeof METRIC_LABELS];
      expect(declared).toBeDefined();
      for (const v of metric.values) {
        const keys = Object.keys(v.labels).filter((k) => k !== 'le');
        expect({ metric: metric.name, keys: keys.sort() }).toEqual({
          metric: metric.name,
          keys: [...declared].sort(),
        });
      }
    }
    expect(await value(registry, METRIC.eventsConsumed, { topic: 'events.web' })).toBe(3);
    expect(await value(registry, METRIC.consumerLag, { topic: 'events.web', partition: '2' })).toBe(17);
    expect(await value(registry, METRIC.breakerOpen, { trigger: 't' })).toBe(1);
    expect(await value(registry, METRIC.redisRoundTrips, {})).toBe(2);
  });

  it('registers on the injected registry only, so two engines in one process do not collide', () => {
    const a = new Registry();
    const b = new Registry();
    createMetrics(a, { defaultMetrics: false });
    createMetrics(b, { defaultMetrics: false });
    expect(() => createMetrics(a, { defaultMetrics: false })).toThrow(/already been registered/);
    expect(b.getSingleMetric(METRIC.ready)).toBeDefined();
  });

  it('adds the process and Node.js default metrics unless told not to', async () => {
    const registry = new Registry();
    createMetrics(registry);
    expect(await registry.metrics()).toContain('process_cpu_seconds_total');
  });
});
