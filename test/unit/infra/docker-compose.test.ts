import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { parse } from 'yaml';

import { loadConfig } from '../../../services/engine/config';

// Docker is not available where the tests run: check the compose file's structure instead, so a moved
// file or a renamed variable breaks here rather than at `docker compose up`.
const INFRA = join(__dirname, '../../../infra');

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  ports?: string[];
  volumes?: string[];
  environment?: Record<string, string | number>;
  depends_on?: Record<string, { condition: string }> | string[];
  entrypoint?: string[];
}
const compose = parse(readFileSync(join(INFRA, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
};
const svc = (name: string): Service => {
  const s = compose.services[name];
  if (!s) throw new Error(`service ${name} missing`);
  return s;
};

describe('infra/docker-compose.yml', () => {
  it('declares the whole stack', () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      ['engine', 'grafana', 'kafka', 'prometheus', 'redis', 'topics'].sort(),
    );
  });

  it('runs Apache Kafka in KRaft mode, without auto-created topics', () => {
    const kafka = svc('kafka');
    expect(kafka.image).toMatch(/^apache\/kafka:/);
    expect(kafka.environment?.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(String(kafka.environment?.KAFKA_CONTROLLER_QUORUM_VOTERS)).toMatch(/^1@kafka:9093$/);
    expect(kafka.environment?.KAFKA_AUTO_CREATE_TOPICS_ENABLE).toBe('false');
    expect(JSON.stringify(kafka.environment)).not.toMatch(/ZOOKEEPER/i);
  });

  it('publishes the ports an operator opens', () => {
    const published = (name: string) => (svc(name).ports ?? []).map((p) => p.split(':')[1]);
    expect(published('engine')).toContain('8080');
    expect(published('prometheus')).toContain('9090');
    expect(published('grafana')).toContain('3000');
    expect(published('kafka')).toContain('29092');
  });

  it('mounts only files and folders that exist in the repository', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      for (const v of s.volumes ?? []) {
        const source = v.split(':')[0] ?? '';
        if (!source.startsWith('.')) {
          expect(Object.keys(compose.volumes ?? {})).toContain(source); // a named volume
          continue;
        }
        expect({ service: name, source, exists: existsSync(resolve(INFRA, source)) }).toEqual({
          service: name,
          source,
          exists: true,
        });
      }
    }
  });

  it('builds the engine from infra/Dockerfile and waits for topics and Redis', () => {
    const engine = svc('engine');
    expect(engine.build).toEqual({ context: '..', dockerfile: 'infra/Dockerfile' });
    expect(existsSync(resolve(INFRA, engine.build?.context ?? '', engine.build?.dockerfile ?? ''))).toBe(
      true,
    );
    expect(engine.depends_on).toEqual({
      topics: { condition: 'service_completed_successfully' },
      redis: { condition: 'service_healthy' },
    });
  });

  it("gives the engine an environment its own config loader accepts, with the stack's hosts", () => {
    const env = Object.fromEntries(
      Object.entries(svc('engine').environment ?? {}).map(([k, v]) => [
        k,
        String(v).replace(/^\$\{\w+:-(.*)\}$/, '$1'), // compose default values
      ]),
    );
    const config = loadConfig(env);
    expect(config.kafka.brokers).toEqual(['kafka:9092']);
    expect(config.http.port).toBe(8080);
    expect(config.triggers).toEqual({ source: 'dir', dir: '/app/triggers' });
    expect(config.redis.mode).toBe('single');
  });

  it('loads the alert rules into Prometheus and scrapes the engine', () => {
    const prom = parse(readFileSync(join(INFRA, 'prometheus/prometheus.yml'), 'utf8')) as {
      rule_files: string[];
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    };
    const mounts = svc('prometheus').volumes ?? [];
    for (const rules of prom.rule_files)
      expect(mounts).toContain(`./prometheus/${rules}:/etc/prometheus/${rules}:ro`);
    const job = prom.scrape_configs.find((j) => j.job_name === 'trigger-engine');
    expect(job?.static_configs[0]?.targets).toEqual(['engine:8080']);
  });

  it('provisions Grafana with the datasource and the dashboards folder', () => {
    const mounts = svc('grafana').volumes ?? [];
    expect(mounts).toContain('./grafana/provisioning:/etc/grafana/provisioning:ro');
    expect(mounts).toContain('./grafana/dashboards:/var/lib/grafana/dashboards:ro');
    const providers = parse(
      readFileSync(join(INFRA, 'grafana/provisioning/dashboards/trigger-engine.yml'), 'utf8'),
    ) as { providers: { options: { path: string } }[] };
    expect(providers.providers[0]?.options.path).toBe('/var/lib/grafana/dashboards');
  });

  it('creates every topic the engine reads and writes, inputs with one partition count', () => {
    const script = readFileSync(join(INFRA, 'kafka/create-topics.sh'), 'utf8');
    for (const t of ['events.web', 'events.mobile', 'events.email', 'events.paid', 'profiles', 'consent'])
      expect(script).toMatch(
        new RegExp(`for t in [^;]*\\b${t.replace('.', '\\.')}\\b[^;]*; do create "\\$t" "\\$PARTITIONS"`),
      );
    for (const t of [
      'activations.web',
      'activations.email',
      'decisions',
      'events.dlq',
      'trigger-definitions',
    ])
      expect(script).toContain(t);
  });
});
