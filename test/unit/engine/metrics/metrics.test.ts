import { Registry } from 'prom-client';

import { createMetrics, METRIC } from '../../../../services/engine/metrics';

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
});
