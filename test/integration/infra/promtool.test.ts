import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

// The alert rules are checked by Prometheus's own tool: syntax (`check rules`) and behaviour against the
// series the engine exports (`test rules`, infra/prometheus/alerts.test.yml). `make test` installs it.
const PROMTOOL = process.env.PROMTOOL ?? 'promtool';
const DIR = join(__dirname, '../../../infra/prometheus');

function promtool(...args: string[]) {
  const r = spawnSync(PROMTOOL, args, { cwd: DIR, encoding: 'utf8', timeout: 60_000 });
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
});
