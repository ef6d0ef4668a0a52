import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { Cluster } from 'ioredis';

import { freePort } from '../../scripts/processes';

const run = promisify(execFile);

/** A Redis Cluster of `masters` redis-server child processes on loopback, no replicas, nothing kept on disk. */
export interface TestRedisCluster {
  /** The masters' addresses. */
  readonly nodes: readonly { host: string; port: number }[];
  /** The nodes as REDIS_URL lists them for the engine: `redis://127.0.0.1:p1,redis://127.0.0.1:p2,…`. */
  readonly url: string;
  /** A new ioredis Cluster client on the nodes (the caller quits it). */
  client(): Cluster;
  /** Stops every node and deletes their directory. */
  stop(): Promise<void>;
}

async function redisCli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args]);
  return stdout;
}

/** Polls `check` until it is true; stops at once when `failed()` names why it never will be. */
async function until(
  what: string,
  check: () => Promise<boolean>,
  failed: () => string | null,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    const why = failed();
    if (why) throw new Error(`Redis Cluster: ${why}`);
    if (Date.now() > deadline) throw new Error(`Redis Cluster: ${what} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Starts a Redis Cluster for a test: `masters` nodes (3 by default, Redis's minimum) on free ports, each
 * with its cluster bus on another free port, joined with `redis-cli --cluster create` and covering all
 * 16,384 slots. Needs redis-server 7.0 or later (`--cluster-port`) and redis-cli: Debian's redis-server
 * package, which `make test` installs when they are missing (scripts/ensure-tools.sh).
 */
export async function startRedisCluster(masters = 3): Promise<TestRedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'redis-cluster-'));
  const procs: ChildProcess[] = [];
  const nodes: { host: string; port: number }[] = [];
  // Why a node failed to start, once one has: a missing binary is an 'error' event, a bind failure (or a
  // redis-server without --cluster-port) an early exit.
  let failure: string | null = null;
  const failed = () => failure;
  const stop = async () => {
    await Promise.all(
      procs.map(
        (p) =>
          new Promise<void>((resolve) => {
            if (p.exitCode !== null || p.signalCode !== null || p.pid === undefined) return resolve();
            p.once('exit', () => resolve());
            p.kill('SIGKILL');
          }),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters; i += 1) {
      const [port, busPort] = [await freePort(), await freePort()];
      // The bus port is Redis's default port + 10000 unless set: that may be past 65535 or taken.
      // prettier-ignore
      const args = ['--port', String(port), '--cluster-port', String(busPort), '--bind', '127.0.0.1',
        '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--dir', dir,
        '--save', '', '--appendonly', 'no', '--logfile', join(dir, `redis-${port}.log`)];
      const proc = spawn('redis-server', args, { stdio: 'ignore' });
      proc.on('error', (err) => (failure ??= `redis-server could not start: ${err.message}`));
      proc.on('exit', (code) => (failure ??= `redis-server on port ${port} exited with code ${code}`));
      procs.push(proc);
      nodes.push({ host: '127.0.0.1', port });
    }
    // Each port must be answered by the node started for it, not by another Redis that took it first.
    for (const [i, n] of nodes.entries())
      await until(
        `node ${n.port} answering`,
        async () =>
          Number(/process_id:(\d+)/.exec(await redisCli(n.port, 'info', 'server'))?.[1]) === procs[i]?.pid,
        failed,
      );
    await run('redis-cli', [
      '--cluster',
      'create',
      ...nodes.map((n) => `${n.host}:${n.port}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    for (const n of nodes)
      await until(
        `node ${n.port} reporting cluster_state:ok`,
        async () => (await redisCli(n.port, 'cluster', 'info')).includes('cluster_state:ok'),
        failed,
      );
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    nodes,
    url: nodes.map((n) => `redis://${n.host}:${n.port}`).join(','),
    client: () => new Cluster(nodes.map((n) => ({ ...n }))),
    stop,
  };
}
