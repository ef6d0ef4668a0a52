/**
 * Wire shapes of the output records, mirroring `schemas/activation.avsc` and `schemas/decision.avsc`
 * (times are epoch ms). Producers build these; the codec checks them against the schema on encode.
 */
export type Channel = 'web' | 'mobile' | 'email' | 'paid';

export interface ActivationRecord {
  /** Deterministic: same trigger, step, user and signal give the same id (adapters deduplicate). */
  activationId: string;
  triggerId: string;
  triggerVersion: number;
  stepId: string;
  userId: string;
  channel: Channel;
  /** e.g. `email.send`, `web.personalize`, `paid.audience.add`. */
  actionType: string;
  params: Record<string, string>;
  signalEventIds: string[];
  dueAt: number;
  decidedAt: number;
  emittedAt: number;
  /** dueAt + window: adapters drop the activation after this. */
  expiresAt: number;
  /** The latency SLA it was held to, ms. */
  slaMs: number;
  /** For `renderAt: open`: a signed token for `GET /v1/render/{token}`; null otherwise. */
  renderToken: string | null;
}

export interface DecisionCheckRecord {
  name: string;
  passed: boolean;
  detail: string | null;
}

export interface DecisionRecord {
  decisionId: string;
  triggerId: string;
  triggerVersion: number;
  stepId: string;
  userId: string;
  /** One of the outcomes of spec/triggers.md ("Decisions"); a string on the wire. */
  outcome: string;
  /** For `suppressed`: the suppression reason; null otherwise. */
  reason: string | null;
  signalEventIds: string[];
  dueAt: number;
  decidedAt: number;
  checks: DecisionCheckRecord[];
  /** Set only when the outcome is `fired`. */
  activationId: string | null;
}
