/**
 * A pass worker thread (lane/workers.ts starts it): decodes loaded states, evaluates, encodes outputs and
 * state writes for the lanes, while the main thread does the I/O. It holds the definitions the main
 * thread accepted, compiled again here (compiled definitions hold functions and cannot be sent).
 */
import { parentPort, workerData } from 'node:worker_threads';

import { compileDefinitions } from '../definitions';
import type { CompiledDefinitions } from '../definitions';
import { EngineError } from '../errors';
import { computePass, passEnvironment } from './compute';
import type { FromWorker, ToWorker, WorkerSetup } from './workers';

const setup = workerData as WorkerSetup;
const port = parentPort;
if (!port) throw new Error('lane/worker.ts runs as a worker thread (lane/workers.ts starts it).');

/** The lanes' clock: the system clock plus the offset the pass being computed was sent with. */
let clockOffsetMs = 0;
const clock = () => Date.now() + clockOffsetMs;
const env = passEnvironment(setup, clock);
/**
 * The two latest generations: a lane reads the generation when its batch starts, so a swap that arrives
 * during the batch's load must not take the set it runs with away.
 */
const definitions = new Map<number, CompiledDefinitions>();

port.on('message', (message: ToWorker) => {
  if (message.type === 'definitions') {
    const result = compileDefinitions(message.texts);
    // The main thread compiled the same texts without error; a difference here is a bug, and every pass
    // of this generation fails with worker_definitions_missing rather than run on another set.
    if (result.ok) definitions.set(message.generation, result);
    for (const generation of definitions.keys())
      if (generation < message.generation - 1) definitions.delete(generation);
    return;
  }
  let reply: FromWorker;
  try {
    const compiled = definitions.get(message.request.generation);
    if (!compiled)
      throw new EngineError(
        'worker_definitions_missing',
        `The pass worker does not hold definitions generation ${message.request.generation} (it holds ${[...definitions.keys()].join(', ') || 'none'}).`,
        { retriable: true },
      );
    clockOffsetMs = message.request.clockOffsetMs;
    reply = { type: 'pass', id: message.id, ok: true, result: computePass(env, compiled, message.request) };
  } catch (err) {
    const e = err as Partial<EngineError> & Error;
    reply = {
      type: 'pass',
      id: message.id,
      ok: false,
      error: {
        code: typeof e.code === 'string' ? e.code : 'worker_pass_failed',
        message: e.message ?? String(err),
        retriable: e.retriable === true,
        stack: e.stack ?? '',
      },
    };
  }
  port.postMessage(reply);
});

// Set up (modules loaded, codecs built): the main thread counts this thread as ready.
port.postMessage({ type: 'ready' } satisfies FromWorker);
