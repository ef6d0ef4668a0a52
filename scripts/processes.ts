import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { setPriority } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

/** Repository root (scripts/ is one level down). */
export const ROOT = join(__dirname, '..');

export interface Child {
  proc: ChildProcess;
  /** Sends SIGTERM and resolves when the process has exited (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Spawns `node ...nodeArgs --import tsx <script> ...args` from the repository root; with `nice`, under
 * `nice -n <nice>`, so every thread of the process has that niceness from the start (Linux applies
 * setpriority to one thread only: renicing a running Node process leaves its helper threads, the
 * garbage collector's among them, at the old priority).
 */
export function spawnTs(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  stdio: 'pipe' | 'inherit' = 'pipe',
  nodeArgs: string[] = [],
  nice?: number,
): Child {
  const command = [process.execPath, ...nodeArgs, '--import', 'tsx', script, ...args];
  if (nice !== undefined) command.unshift('nice', '-n', String(nice));
  const proc = spawn(command[0] as string, command.slice(1), {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', stdio, stdio],
  });
  return {
    proc,
    stop: (graceMs = 15_000) =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        const kill = setTimeout(() => proc.kill('SIGKILL'), graceMs);
        proc.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        proc.kill('SIGTERM');
      }),
  };
}

/**
 * Starts the engine (`bin/trigger-engine.js`) as the measuring scripts run it: on `brokers`, with topics
 * and group under `prefix`, keys under `redisPrefix`, the trigger folder `triggersDir`, `/metrics` on
 * `httpPort`, logging warnings only; `nodeArgs` are more Node/V8 flags.
 */
export function spawnEngine(o: {
  brokers: string;
  prefix: string;
  redisPrefix: string;
  triggersDir: string;
  httpPort: number;
  nodeArgs?: string[];
}): Child {
  return spawnTs(
    'bin/trigger-engine.js',
    [],
    {
      KAFKA_BROKERS: o.brokers,
      KAFKA_GROUP_ID: `${o.prefix}engine`,
      TOPIC_PREFIX: o.prefix,
      TRIGGERS_DIR: o.triggersDir,
      REDIS_PREFIX: o.redisPrefix,
      HTTP_PORT: String(o.httpPort),
      RENDER_SECRET: `render-secret-${o.prefix}-0123456789abcdef0123`,
      LOG_LEVEL: 'warn',
    },
    'inherit',
    o.nodeArgs ?? [],
  );
}

/**
 * Sets the niceness of every thread of a running process (Linux: /proc/<pid>/task). Threads it starts
 * later inherit the niceness of the thread that starts them.
 */
export function reniceAllThreads(pid: number, nice: number): void {
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      setPriority(Number(tid), nice);
    } catch {
      // the thread ended in between
    }
  }
}

/** A free TCP port on loopback (bound, read, released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Polls `url` until it answers 200, or rejects after `timeoutMs`. */
export async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} not ready after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Resolves with the first match of `pattern` in what `child` writes to `stream` (its stdout or stderr),
 * or with null if the process exits first. Its listeners are removed then, and the stream keeps flowing
 * so an unread pipe never fills up and blocks the child.
 */
export function waitForOutput(
  child: ChildProcess,
  stream: Readable,
  pattern: RegExp,
): Promise<RegExpExecArray | null> {
  return new Promise((resolve) => {
    let text = '';
    const finish = (match: RegExpExecArray | null) => {
      stream.off('data', onData);
      child.off('exit', onExit);
      stream.resume();
      resolve(match);
    };
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      const match = pattern.exec(text);
      if (match) finish(match);
    };
    const onExit = () => finish(null);
    stream.on('data', onData);
    child.once('exit', onExit);
  });
}
