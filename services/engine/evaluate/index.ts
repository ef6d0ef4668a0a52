/**
 * evaluate: the trigger semantics of spec/triggers.md as one pure function (DESIGN.md decision 2).
 * No I/O, no clock, no randomness: time, state and plans are arguments; results are data.
 */
export type {
  AbsentSignal,
  ActionPlan,
  ActionStep,
  CapPlan,
  Channel,
  CountSignal,
  EventMatcher,
  FieldCondition,
  GoalPlan,
  HistoryCondition,
  Operator,
  Plan,
  PoliciesPlan,
  QuietHoursPlan,
  Scalar,
  SignalKind,
  SignalPlan,
  StepPlan,
  SuppressionPlan,
  Template,
  TemplatePart,
  WaitStep,
} from './plan';
export { PLAN_CHANNELS } from './plan';
export type { ConsentChange, DueTimer, EngineEvent, EventContext, Input, ProfileUpdate } from './input';
export { inputUserId } from './input';
export type {
  Activation,
  ActivationDraft,
  Check,
  Decision,
  Outcome,
  RenderTokenRequest,
  SuppressionReason,
} from './output';
export { finishActivation } from './output';
export { fieldCondition, fieldConditions, parseParams, parseTemplate } from './build';
export type { OperatorsInput } from './build';
export { indexPlans, maxRunMs, SESSION_LOOKBACK_MS } from './plan-set';
export { requiredStateTtlMs } from './upkeep';
export type { PlanSet } from './plan-set';
export { evaluate } from './evaluate';
export type { EvaluateResult } from './evaluate';
export type { Conversion, TimerChange, TriggerStatus } from './context';
export { holdoutBucket, activationIdOf, fnv1a64Hex } from './hash';
export { inQuietHours, quietHoursEnd } from './zone';
export { Simulator } from './simulate';
