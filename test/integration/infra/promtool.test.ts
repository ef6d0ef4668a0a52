import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { stringify } from 'yaml';

// The alert rules are checked by Prometheus's own tool: syntax (`check rules`) and behaviour against the
// series the engine exports (`test rules`, infra/prometheus/alerts.test.yml). `make test` installs it.
const PROMTOOL = process.env.PROMTOOL ?? 'promtool';
const DIR = join(__dirname, '../../../infra/prometheus');

function promtool(...args: string[]) {
  return promtoolIn(DIR, ...args);
}

function promtoolIn(cwd: string, ...args: string[]) {
  const r = spawnSync(PROMTOOL, args, { cwd, encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe('infra/prometheus with promtool', () => {
  it('check rules accepts alerts.yml', () => {
    const r = promtool('check', 'rules', 'alerts.yml');
    expect(r.output).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  it('test rules passes alerts.test.yml', () => {
    const r = promtool('test', 'rules', 'alerts.test.yml');
    if (r.status !== 0) throw new Error(r.output);
    expect(r.output).toContain('SUCCESS');
  });

  it('check config accepts prometheus.yml with the rules it loads', () => {
    const r = promtool('check', 'config', 'prometheus.yml');
    if (r.status !== 0) throw new Error(r.output);
    expect(r.status).toBe(0);
  });

  it('parses every Grafana panel expression as PromQL', () => {
    // Grafana variables replaced by values Prometheus accepts; each expression becomes a recording rule
    // so `promtool check rules` parses it.
    const dashboards = join(DIR, '../grafana/dashboards');
    const exprs = readdirSync(dashboards)
      .filter((f) => f.endsWith('.json'))
      .flatMap((f) => [...readFileSync(join(dashboards, f), 'utf8').matchAll(/"expr": "((?:[^"\\]|\\.)*)"/g)])
      .map((m) => JSON.parse(`"${m[1] ?? ''}"`) as string)
      .map((e) => e.replace(/\$__rate_interval|\$__range/g, '5m').replace(/\$\w+/g, '.*'));
    expect(exprs.length).toBeGreaterThan(10);
    const dir = mkdtempSync(join(tmpdir(), 'dashboard-promql-'));
    try {
      const rules = exprs.map((expr, i) => ({ record: `dashboard:expr${i}`, expr }));
      writeFileSync(join(dir, 'rules.yml'), stringify({ groups: [{ name: 'dashboard', rules }] }));
      const r = promtoolIn(dir, 'check', 'rules', 'rules.yml');
      if (r.status !== 0) throw new Error(r.output);
      expect(r.output).toContain(`${exprs.length} rules found`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
