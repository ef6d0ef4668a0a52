import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import { Registry } from 'prom-client';
import { parse } from 'yaml';

import { createMetrics } from '../../../services/engine/metrics';

// Every metric a dashboard panel or an alert queries must be one the engine registers: a renamed metric
// otherwise leaves a blank panel and an alert that can never fire.
const INFRA = join(__dirname, '../../../infra');

// PromQL words that are not metric names: functions, aggregations, operators and modifiers.
const PROMQL_WORDS = new Set(
  (
    'sum min max avg count stddev stdvar topk bottomk quantile count_values group by without on ignoring ' +
    'group_left group_right and or unless bool offset rate irate increase delta idelta deriv absent ' +
    'absent_over_time histogram_quantile clamp_min clamp_max label_values label_replace vector scalar time ' +
    'avg_over_time max_over_time min_over_time sum_over_time abs ceil floor round sort sort_desc inf nan'
  ).split(' '),
);
// Series Prometheus itself makes; queried only by name.
const PROMETHEUS_SERIES = new Set(['up']);

/** Metric names in a PromQL expression (or a Grafana `label_values(metric, label)` query). */
function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""') // label values and strings
    .replace(/\{[^}]*\}/g, '') // label matchers
    .replace(/\[[^\]]*\]/g, '') // range and subquery durations
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '$1') // label lists
    .replace(/label_values\(\s*([A-Za-z_:][\w:]*)\s*,\s*\w+\s*\)/g, '$1') // Grafana: metric, label
    .replace(/\$\w+/g, '') // Grafana variables
    .replace(/\b\d+(\.\d+)?(e[+-]?\d+)?\b/gi, '');
  const words = stripped.match(/[A-Za-z_:][\w:]*/g) ?? [];
  return [...new Set(words.filter((w) => !PROMQL_WORDS.has(w.toLowerCase())))];
}

async function registeredNames(): Promise<Set<string>> {
  const registry = new Registry();
  createMetrics(registry);
  const names = new Set<string>(PROMETHEUS_SERIES);
  for (const { name, type } of await registry.getMetricsAsJSON()) {
    names.add(name);
    const kind = String(type);
    if (kind === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(name + s);
    if (kind === 'summary') for (const s of ['_sum', '_count']) names.add(name + s);
  }
  return names;
}

interface Target {
  expr?: string;
}
interface Panel {
  title?: string;
  targets?: Target[];
  panels?: Panel[];
}
interface Dashboard {
  panels: Panel[];
  templating: { list: { query?: string | { query?: string } }[] };
}

function dashboardExprs(file: string): { where: string; expr: string }[] {
  const d = JSON.parse(readFileSync(file, 'utf8')) as Dashboard;
  const out: { where: string; expr: string }[] = [];
  const walk = (ps: Panel[]) => {
    for (const p of ps) {
      for (const t of p.targets ?? []) if (t.expr) out.push({ where: `panel "${p.title}"`, expr: t.expr });
      walk(p.panels ?? []);
    }
  };
  walk(d.panels);
  for (const v of d.templating.list) {
    const q = typeof v.query === 'string' ? v.query : v.query?.query;
    if (q && /label_values|\(/.test(q)) out.push({ where: 'variable', expr: q });
  }
  return out;
}

function alertExprs(): { where: string; expr: string }[] {
  const doc = parse(readFileSync(join(INFRA, 'prometheus/alerts.yml'), 'utf8')) as {
    groups: { rules: { alert: string; expr: string }[] }[];
  };
  return doc.groups.flatMap((g) => g.rules.map((r) => ({ where: `alert ${r.alert}`, expr: r.expr })));
}

const dashboards = readdirSync(join(INFRA, 'grafana/dashboards'))
  .filter((f) => f.endsWith('.json'))
  .map((f) => join(INFRA, 'grafana/dashboards', f));

describe('metricNames', () => {
  it('finds metrics and skips functions, labels, durations and variables', () => {
    expect(
      metricNames(
        'histogram_quantile(0.99, sum by (trigger, le) (rate(trigger_signal_to_activation_seconds_bucket{trigger=~"$trigger"}[$__rate_interval]))) > on (trigger) group_left max by (trigger) (trigger_sla_seconds)',
      ).sort(),
    ).toEqual(['trigger_signal_to_activation_seconds_bucket', 'trigger_sla_seconds']);
    expect(metricNames('label_values(trigger_activations_total, trigger)')).toEqual([
      'trigger_activations_total',
    ]);
    expect(metricNames('sum(increase(trigger_events_consumed_total[10m])) == 0')).toEqual([
      'trigger_events_consumed_total',
    ]);
  });
});

describe('dashboards and alerts query only registered metrics', () => {
  let registered = new Set<string>();
  beforeAll(async () => {
    registered = await registeredNames();
  });

  it('has at least one dashboard', () => {
    expect(dashboards.length).toBeGreaterThan(0);
  });

  const all = [...dashboards.flatMap(dashboardExprs), ...alertExprs()];
  it.each(all.map((e) => [e.where, e.expr]))('%s', (_where, expr) => {
    const names = metricNames(expr);
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((n) => !registered.has(n))).toEqual([]);
  });

  it('knows histograms by their _bucket series and rejects an unknown name', () => {
    expect(registered.has('trigger_signal_to_activation_seconds_bucket')).toBe(true);
    expect(registered.has('trigger_engine_seconds_count')).toBe(true);
    expect(registered.has('trigger_activations_total_bucket')).toBe(false);
    expect(registered.has('trigger_activation_total')).toBe(false);
  });
});

describe('dashboard content', () => {
  const exprs = dashboards.flatMap(dashboardExprs).map((e) => e.expr);
  it.each([
    ['the SLA line', 'trigger_sla_seconds'],
    ['the breach ratio', 'trigger_sla_breaches_total'],
    ['decisions by outcome', 'trigger_decisions_total'],
    ['conversions by group', 'trigger_conversions_total'],
    ['consumer lag', 'trigger_consumer_lag_messages'],
    ['the DLQ', 'trigger_events_invalid_total'],
    ['Redis round trips', 'trigger_redis_roundtrips_total'],
    ['stage timings', 'trigger_engine_seconds_bucket'],
  ])('shows %s', (_what, metric) => {
    expect(exprs.some((e) => metricNames(e).includes(metric))).toBe(true);
  });

  it('plots p50, p95 and p99 of signal-to-activation', () => {
    for (const q of ['0.5', '0.95', '0.99'])
      expect(
        exprs.some((e) => e.includes(`histogram_quantile(${q},`) && e.includes('signal_to_activation')),
      ).toBe(true);
  });
});
