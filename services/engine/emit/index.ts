/** emit: activations, decisions and DLQ records of a lane batch, in one producer call. */
export { buildMessages, createEmitter } from './emitter';
export type { EmitBatch, EmitterOptions } from './emitter';
