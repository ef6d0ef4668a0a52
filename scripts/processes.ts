import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** Repository root (scripts/ is one level down). */
export const ROOT = join(__dirname, '..');

export interface Child {
  proc: ChildProcess;
  /** Sends SIGTERM and resolves when the process has exited (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<void>;
}

/** Spawns `node --import tsx <script> ...args` from the repository root. */
export function spawnTs(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  stdio: 'pipe' | 'inherit' = 'pipe',
): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
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

/** Starts the dev broker as a child process on an ephemeral port; resolves with its address. */
export async function spawnBroker(
  dataDir: string,
  extra: string[] = [],
): Promise<Child & { address: string }> {
  const child = spawnTs('bin/devbroker.js', ['--port', '0', '--data-dir', dataDir, ...extra], {
    LOG_LEVEL: 'warn',
  });
  const address = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.proc.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /devbroker listening on (\S+)/.exec(out);
      if (m) resolve(m[1] as string);
    });
    child.proc.once('exit', (code) => reject(new Error(`devbroker exited with ${code} before listening`)));
  });
  return { ...child, address };
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
