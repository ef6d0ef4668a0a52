/** emit: activations, decisions and DLQ records of a lane batch, in one producer call. */
export {
  buildMessages,
  chunkBySize,
  createEmitter,
  dlqMessage,
  MAX_SEND_BYTES,
  sendMessages,
} from './emitter';
export type { EmitBatch, EmitterOptions } from './emitter';
