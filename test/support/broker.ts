import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { waitForOutput } from '../../scripts/processes';

/** Repository root (this file is test/support/broker.ts). */
const ROOT = resolve(__dirname, '..', '..');

export interface TestBrokerOptions {
  /** Extra CLI arguments, e.g. ['--partitions', '4'] or ['--no-auto-create']. */
  args?: string[];
  /** Extra environment, e.g. { LOG_LEVEL: 'debug' } to get one log line per request on stderr. */
  env?: NodeJS.ProcessEnv;
  /** Called with every stderr chunk of the broker (its pino log); without it stderr is drained unread. */
  onStderr?: (chunk: string) => void;
  /**
   * Data directory to use, owned by the caller (stop() leaves it). Default: a fresh temporary one,
   * deleted by stop().
   */
  dataDir?: string;
}

/** A dev broker running as a child process, first on an ephemeral port, with its own data dir. */
export interface TestBroker {
  /** `host:port`; the same after restart() and start(). */
  readonly address: string;
  /** `[address]`, ready for `new Kafka({ brokers })`. */
  readonly brokers: string[];
  /** The data directory; kept across kill(), start() and restart(). */
  readonly dataDir: string;
  /** The process id of the broker running now (null while it is down). */
  readonly pid: number | null;
  /** Stops the process, keeping the data dir: SIGTERM waits for a clean exit (SIGKILL after 10 s). */
  kill(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Starts the broker again on the same port and data dir (after kill()); resolves with the address. */
  start(): Promise<string>;
  /** kill('SIGTERM') then start(): records, topics and committed offsets survive. */
  restart(): Promise<string>;
  /** SIGTERM, waits for exit and deletes the data dir unless the caller gave it. Idempotent. */
  stop(): Promise<void>;
}

/** How often a restart retries binding its old port (another socket may hold it for a moment). */
const BIND_ATTEMPTS = 20;

/**
 * Starts `bin/devbroker.js --port 0 --data-dir <dir>` as a child process (the CLI entry, which runs
 * services/devbroker/main.ts through tsx) and resolves once it printed `devbroker listening on
 * HOST:PORT`. A child process keeps the test's event loop from delaying the broker's long-poll timers.
 * The one broker launcher of the repository: tests, e2e harness, `make demo` and the bench use it.
 */
export async function startTestBroker(opts: TestBrokerOptions = {}): Promise<TestBroker> {
  const ownsDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'devbroker-test-'));
  let proc: ChildProcess | null = null;
  let address = '';
  let port = 0;
  let stopped = false;

  const launchOnce = async (): Promise<string | null> => {
    const child = spawn(
      process.execPath,
      [
        join(ROOT, 'bin', 'devbroker.js'),
        '--port',
        String(port),
        '--data-dir',
        dataDir,
        ...(opts.args ?? []),
      ],
      {
        cwd: ROOT,
        env: { ...process.env, LOG_LEVEL: 'warn', ...opts.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    proc = child;
    // Always read stderr: an unread pipe fills up and blocks the broker's logging.
    child.stderr.on('data', (chunk: Buffer) => opts.onStderr?.(chunk.toString()));
    const listening = await waitForOutput(child, child.stdout, /devbroker listening on (\S+)/);
    if (listening === null) proc = null;
    return listening?.[1] ?? null;
  };

  const launch = async (): Promise<string> => {
    for (let attempt = 1; ; attempt++) {
      const bound = await launchOnce();
      if (bound !== null) {
        address = bound;
        port = Number(bound.slice(bound.lastIndexOf(':') + 1));
        return address;
      }
      // Port 0 never fails to bind; a fixed port may still be held briefly after the previous exit.
      if (port === 0 || attempt >= BIND_ATTEMPTS)
        throw new Error(`devbroker exited before listening on port ${port}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };

  const kill = (signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> =>
    new Promise<void>((done) => {
      const child = proc;
      if (!child || child.exitCode !== null || child.signalCode !== null) {
        proc = null;
        return done();
      }
      const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => {
        clearTimeout(force);
        proc = null;
        done();
      });
      child.kill(signal);
    });

  await launch();
  return {
    get address() {
      return address;
    },
    get brokers() {
      return [address];
    },
    get pid() {
      return (proc as ChildProcess | null)?.pid ?? null;
    },
    dataDir,
    kill,
    async start() {
      if (proc) throw new Error('devbroker is already running');
      return launch();
    },
    async restart() {
      await kill();
      return launch();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await kill();
      if (ownsDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
