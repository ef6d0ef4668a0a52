/**
 * The outputs of evaluate(): decisions (the audit trail) and activations (commands to channel adapters),
 * with the fields of spec/topics.md. Times are epoch milliseconds.
 */
import type { Channel } from './plan';

/** Every outcome a decision can have (spec/triggers.md "Decisions"). */
export type Outcome =
  | 'fired'
  | 'shadow'
  | 'holdout'
  | 'expired'
  | 'exited'
  | 'step_removed'
  | 'breaker_open'
  | 'consent_missing'
  | 'consent_denied'
  | 'consent_stale'
  | 'consent_revoked'
  | 'suppressed';

/** Reasons of `suppressed` decisions; other outcomes carry null or a short detail reason (README). */
export type SuppressionReason = 'bot' | 'cooldown' | 'unless' | 'caps' | 'quiet_hours' | 'missing_field';

/** One check that ran for a decision, in order. */
export interface Check {
  name: string;
  passed: boolean;
  detail: string;
}

/** A decision record (schemas/decision.avsc). */
export interface Decision {
  decisionId: string;
  triggerId: string;
  triggerVersion: number;
  stepId: string;
  userId: string;
  outcome: Outcome;
  reason: string | null;
  signalEventIds: string[];
  dueAt: number;
  decidedAt: number;
  checks: Check[];
  /** Set when an activation was emitted (outcome fired); null otherwise. */
  activationId: string | null;
}

/**
 * The data the engine signs into a render token for `renderAt: open` (the evaluator has no keys).
 * `expiresAt` is the activation's; the signer replaces it with emission + RENDER_TOKEN_TTL_MS.
 */
export interface RenderTokenRequest {
  activationId: string;
  triggerId: string;
  triggerVersion: number;
  stepId: string;
  userId: string;
  expiresAt: number;
}

/** An activation record (schemas/activation.avsc) as the emitter writes it. */
export interface Activation {
  activationId: string;
  triggerId: string;
  triggerVersion: number;
  stepId: string;
  userId: string;
  channel: Channel;
  actionType: string;
  params: Record<string, string>;
  signalEventIds: string[];
  dueAt: number;
  decidedAt: number;
  emittedAt: number;
  expiresAt: number;
  slaMs: number;
  renderToken: string | null;
}

/**
 * An activation as evaluate() returns it: `emittedAt` is set by the emitter, and `renderToken` is the
 * request to sign (null when the action has no renderAt).
 */
export interface ActivationDraft extends Omit<Activation, 'emittedAt' | 'renderToken'> {
  renderToken: RenderTokenRequest | null;
}

/** Completes a draft at emission time; `sign` turns a token request into the token string. */
export function finishActivation(
  draft: ActivationDraft,
  emittedAt: number,
  sign: (request: RenderTokenRequest) => string,
): Activation {
  return { ...draft, emittedAt, renderToken: draft.renderToken ? sign(draft.renderToken) : null };
}
