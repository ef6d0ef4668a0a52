import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

import type { Logger } from 'pino';

import type { OutputEncoding } from '../codec';
import type { DefinitionTexts } from '../definitions';
import { EngineError } from '../errors';
import type { PassRequest, PassResult } from './compute';

/** What every pass worker is started with (plain data: it crosses to the thread). */
export interface WorkerSetup {
  topicPrefix: string;
  outputEncoding: OutputEncoding;
  renderSecret: string;
  renderTokenTtlMs: number;
  keyPrefix: string;
  cluster: boolean;
}

/** Messages to a worker: the definitions in force (each accepted set), and passes to compute. */
export type ToWorker =
  | { type: 'definitions'; generation: number; texts: DefinitionTexts }
  | { type: 'pass'; id: number; request: PassRequest };

/** A worker's messages: ready once it has set up (its modules loaded), then an answer to each pass. */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'pass'; id: number; ok: true; result: PassResult }
  | {
      type: 'pass';
      id: number;
      ok: false;
      error: { code: string; message: string; retriable: boolean; stack: string };
    };

interface Pending {
  resolve: (result: PassResult) => void;
  reject: (err: unknown) => void;
}

interface Thread {
  worker: Worker;
  pending: Map<number, Pending>;
  /** False from its exit until its replacement starts: passes for it fail at once. */
  alive: boolean;
  /** True once it said it is set up. */
  ready: boolean;
  startedAt: number;
}

/**
 * A worker that dies sooner than this after its start waits RESTART_DELAY_MS before the next start: a
 * thread that cannot start (a broken install) must not be restarted in a tight loop.
 */
const EARLY_EXIT_MS = 10_000;
const RESTART_DELAY_MS = 1_000;

/** Loads the worker's TypeScript through tsx, as bin/run-ts.js does for the entry points. */
const BOOTSTRAP = `require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(join(__dirname, 'worker.ts'))});`;

/**
 * The pass workers (WORKER_THREADS): threads that decode states, evaluate and encode for the lanes, so
 * the main thread only does I/O (consuming, Redis, producing) and the engine can use a second core.
 * Lane p's passes go to worker p mod n, so one lane's passes stay in order on one thread. A worker that
 * dies fails its passes in flight and those sent until its replacement runs (retriable: their batches
 * are redelivered), and is started again with the definitions in force.
 */
export class PassWorkers {
  private readonly threads: Thread[] = [];
  private nextId = 1;
  private definitions: { generation: number; texts: DefinitionTexts } | null = null;
  private closing = false;

  constructor(
    count: number,
    private readonly setup: WorkerSetup,
    private readonly logger: Logger,
  ) {
    for (let i = 0; i < count; i += 1) this.threads.push(this.start(i));
  }

  /** The definitions the main thread accepted; every later pass runs with them. */
  setDefinitions(generation: number, texts: DefinitionTexts): void {
    this.definitions = { generation, texts };
    for (const t of this.threads)
      t.worker.postMessage({ type: 'definitions', generation, texts } satisfies ToWorker);
  }

  /** Computes one pass of lane `request.partition` on its worker. */
  run(request: PassRequest): Promise<PassResult> {
    const index = request.partition % this.threads.length;
    const thread = this.threads[index] as Thread;
    if (!thread.alive)
      return Promise.reject(
        new EngineError('worker_failed', `Pass worker ${index} is restarting.`, { retriable: true }),
      );
    const id = this.nextId++;
    return new Promise<PassResult>((resolve, reject) => {
      thread.pending.set(id, { resolve, reject });
      thread.worker.postMessage({ type: 'pass', id, request } satisfies ToWorker);
    });
  }

  /**
   * True when every thread has set up and is running (readiness): false while one starts, and for good
   * when one cannot start (a broken install), instead of only failed batches in the logs.
   */
  healthy(): boolean {
    return this.threads.every((t) => t.alive && t.ready);
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }

  private start(index: number): Thread {
    const worker = new Worker(BOOTSTRAP, { eval: true, workerData: this.setup });
    // The engine's sockets keep the process alive while it runs; an idle worker must not keep it alive after.
    worker.unref();
    const pending = new Map<number, Pending>();
    const thread: Thread = { worker, pending, alive: true, ready: false, startedAt: Date.now() };
    if (this.definitions) worker.postMessage({ type: 'definitions', ...this.definitions } satisfies ToWorker);
    worker.on('message', (reply: FromWorker) => {
      if (reply.type === 'ready') {
        thread.ready = true;
        return;
      }
      const p = pending.get(reply.id);
      if (!p) return;
      pending.delete(reply.id);
      if (reply.ok) p.resolve(asBuffers(reply.result));
      else {
        const err = new EngineError(reply.error.code, reply.error.message, {
          retriable: reply.error.retriable,
        });
        err.stack = reply.error.stack;
        p.reject(err);
      }
    });
    let failure: unknown = null;
    worker.on('error', (err) => (failure = err));
    worker.on('exit', (code) => {
      thread.alive = false;
      const err = new EngineError(
        'worker_failed',
        `Pass worker ${index} exited (code ${code}) with ${pending.size} pass(es) in flight: ${failure instanceof Error ? failure.message : 'no error reported'}.`,
        { retriable: true, cause: failure ?? undefined },
      );
      for (const p of pending.values()) p.reject(err);
      pending.clear();
      if (this.closing) return;
      const delayMs = Date.now() - thread.startedAt < EARLY_EXIT_MS ? RESTART_DELAY_MS : 0;
      this.logger.error({ err, delayMs }, 'pass worker exited; starting another');
      setTimeout(() => {
        if (!this.closing) this.threads[index] = this.start(index);
      }, delayMs).unref();
    });
    return thread;
  }
}

/** Buffers arrive from a thread as plain Uint8Arrays; kafkajs and ioredis want Buffers (no copy). */
function asBuffers(result: PassResult): PassResult {
  const buf = <T>(v: T) =>
    v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : v;
  for (const t of result.topicMessages)
    for (const m of t.messages) {
      m.key = buf(m.key);
      m.value = buf(m.value);
    }
  for (const call of result.apply.calls) call.body = buf(call.body);
  return result;
}
