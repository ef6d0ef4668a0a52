import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** Repository root (this file is test/support/broker.ts). */
const ROOT = resolve(__dirname, '..', '..');

export interface TestBrokerOptions {
  /** Extra CLI arguments, e.g. ['--partitions', '4'] or ['--no-auto-create']. */
  args?: string[];
  /** Extra environment, e.g. { LOG_LEVEL: 'debug' } to get one log line per request on stderr. */
  env?: NodeJS.ProcessEnv;
  /** Called with every stderr chunk of the broker (its pino log). */
  onStderr?: (chunk: string) => void;
}

/** A dev broker running as a child process on an ephemeral port with its own temporary data dir. */
export interface TestBroker {
  /** `host:port` of the current process (changes after restart()). */
  readonly address: string;
  /** `[address]`, ready for `new Kafka({ brokers })`. */
  readonly brokers: string[];
  /** The data directory; kept across restart(), deleted by stop(). */
  readonly dataDir: string;
  /** SIGTERM, waits for exit (SIGKILL after 10 s) and deletes the data dir. Idempotent. */
  stop(): Promise<void>;
  /** Stops the process (keeping the data dir) and starts a new one on it; resolves with the new address. */
  restart(): Promise<string>;
}

/**
 * Starts `npx devbroker --port 0 --data-dir <tmp>` as a child process (the CLI entry bin/devbroker.js,
 * which runs services/devbroker/main.ts through tsx) and resolves once it printed
 * `devbroker listening on HOST:PORT`.
 */
export async function startTestBroker(opts: TestBrokerOptions = {}): Promise<TestBroker> {
  const dataDir = mkdtempSync(join(tmpdir(), 'devbroker-test-'));
  let proc: ChildProcess;
  let address: string;
  let stopped = false;

  const launch = async (): Promise<void> => {
    const child = spawn(
      process.execPath,
      [join(ROOT, 'bin', 'devbroker.js'), '--port', '0', '--data-dir', dataDir, ...(opts.args ?? [])],
      {
        cwd: ROOT,
        env: { ...process.env, LOG_LEVEL: 'warn', ...opts.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    proc = child;
    child.stderr.on('data', (chunk: Buffer) => opts.onStderr?.(chunk.toString()));
    address = await new Promise<string>((ok, fail) => {
      let out = '';
      const onData = (chunk: Buffer) => {
        out += chunk.toString();
        const m = /devbroker listening on (\S+)/.exec(out);
        if (m?.[1]) {
          child.stdout.off('data', onData);
          child.off('exit', onExit);
          child.stdout.resume();
          ok(m[1]);
        }
      };
      const onExit = (code: number | null) =>
        fail(new Error(`devbroker exited with ${code} before listening`));
      child.stdout.on('data', onData);
      child.once('exit', onExit);
    });
  };

  const kill = (): Promise<void> =>
    new Promise<void>((done) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return done();
      const force = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      proc.once('exit', () => {
        clearTimeout(force);
        done();
      });
      proc.kill('SIGTERM');
    });

  await launch();
  const broker: TestBroker = {
    get address() {
      return address;
    },
    get brokers() {
      return [address];
    },
    dataDir,
    async stop() {
      if (stopped) return;
      stopped = true;
      await kill();
      rmSync(dataDir, { recursive: true, force: true });
    },
    async restart() {
      await kill();
      await launch();
      return address;
    },
  };
  return broker;
}
