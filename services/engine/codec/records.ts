/**
 * Wire shapes of the output records, mirroring `schemas/activation.avsc` and `schemas/decision.avsc`
 * (times are epoch ms). They are evaluate's output types, named once there; the codec checks them
 * against the schema on encode.
 */
export type {
  Activation as ActivationRecord,
  Channel,
  Check as DecisionCheckRecord,
  Decision as DecisionRecord,
} from '../evaluate';
