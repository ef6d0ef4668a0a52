/**
 * The compiled plan: what definitions/ produces from a validated trigger plus policies.yaml, and what
 * evaluate() interprets (DESIGN.md decisions 2 and 6). Everything is resolved at compile time:
 * durations are milliseconds, defaults from policies are filled in per step, regular expressions are
 * compiled once, templates are pre-parsed. Plans are immutable data; the evaluator never mutates them.
 */

/** Source channels of events and target channels of actions, in policies order. */
export const PLAN_CHANNELS = ['web', 'mobile', 'email', 'paid'] as const;
export type Channel = (typeof PLAN_CHANNELS)[number];

/** A value an event property, a profile attribute or a condition operand can hold. */
export type Scalar = string | number | boolean;

/**
 * One operator of a condition (spec/triggers.md "Signal: Match"). A missing field makes every operator
 * false except `exists: false` (so `ne`/`notIn` on a missing field are false too). Numeric operators on a
 * numeric string compare as numbers (profile attributes are strings); see evaluate/README.md.
 */
export type Operator =
  | { op: 'eq' | 'ne'; value: Scalar }
  | { op: 'in' | 'notIn'; values: readonly Scalar[] }
  | { op: 'startsWith' | 'endsWith' | 'contains'; value: string }
  | { op: 'gt' | 'gte' | 'lt' | 'lte'; value: number }
  | { op: 'exists'; value: boolean }
  | { op: 'matches'; regex: RegExp };

/**
 * A condition on one field; all `ops` must hold. A bare scalar in YAML compiles to one `eq`.
 * `path` is an event path (`type`, `channel`, `sessionId`, `eventId`, `properties.X`, `context.X`) when the
 * condition is on an event, or an attribute name (`lifecycle`) when it is on the profile.
 */
export interface FieldCondition {
  path: string;
  ops: readonly Operator[];
}

/** Which events a condition looks at: type set, optional source channel, `where` (all must hold). */
export interface EventMatcher {
  /** Event types (one or more). */
  eventTypes: ReadonlySet<string>;
  /** Only events from this source channel; null = any channel. */
  channel: Channel | null;
  /** Conditions on event fields; empty = no condition. */
  where: readonly FieldCondition[];
}

/**
 * A history condition (`after`, `unless`, `exitIf`): at least `atLeast` matching events in the user's
 * history within the look-back. For `after`/`unless`, `withinMs` is required. For `exitIf`, null means
 * "since the run started" (the spec default).
 */
export interface HistoryCondition extends EventMatcher {
  /** Look-back in ms; null only for exitIf (since run start). */
  withinMs: number | null;
  /** Minimum number of matching events; default 1. */
  atLeast: number;
}

/** `count`: fires on the event that brings the number of matching events (or distinct values) to atLeast. */
export interface CountSignal {
  type: 'count';
  atLeast: number;
  /** Sliding window (t - withinMs, t] in ms, or 'session' (events with the current event's sessionId). */
  withinMs: number | 'session';
  /** Event path whose distinct values are counted (e.g. `sessionId`); null = count events. */
  distinct: string | null;
}

/** `absent`: a matching signal event at t arms a timer for t + withinMs; an absent event in (t, t + D] disarms. */
export interface AbsentSignal {
  type: 'absent';
  /** The events whose occurrence disarms the timer (type set, channel is always null, `where`). */
  absent: EventMatcher;
  /** D in ms. */
  withinMs: number;
}

export type SignalKind = { type: 'plain' } | CountSignal | AbsentSignal;

/** The signal: which events match, how they combine, and the history/profile that must hold. */
export interface SignalPlan extends EventMatcher {
  kind: SignalKind;
  /** `after`: every condition must hold looking back from the signal's time (withinMs required). */
  after: readonly HistoryCondition[];
  /** Conditions on profile attributes (path = attribute name); a missing attribute fails. */
  profile: readonly FieldCondition[];
}

/**
 * A pre-parsed `params` value: literal text and `${...}` references concatenated. A reference to a
 * field that is absent suppresses the step with reason `missing_field`. Non-string YAML values compile
 * to one text part holding `String(value)`.
 */
export type TemplatePart =
  | { text: string }
  /** `source: 'event'` -> an event path (`properties.plan`, `context.locale`, `type`); 'profile' -> attribute. */
  | { ref: { source: 'event' | 'profile'; path: string } };
export type Template = readonly TemplatePart[];

export interface ActionPlan {
  channel: Channel;
  /** `web.personalize`, `mobile.push`, `mobile.inapp`, `email.send`, `paid.audience.add`, ... or custom. */
  type: string;
  params: Readonly<Record<string, Template>>;
  /** 'open': the activation carries a render token request; null otherwise. */
  renderAt: 'open' | null;
}

/** An action step, with its channel's policies resolved. */
export interface ActionStep {
  kind: 'action';
  /** Stable step id (survives redeploys). */
  id: string;
  action: ActionPlan;
  /** Relevance window in ms: trigger `window`, else the action channel's window in policies. */
  windowMs: number;
  /** Latency SLA target in ms: trigger `sla`, else the action channel's sla in policies. */
  slaMs: number;
  /** Required consent purposes: the action channel's purposes in policies + `consent.require`, deduplicated. */
  consent: readonly string[];
}

/** A wait step: parks the run for `waitMs`; `exitIf` applies while parked here. */
export interface WaitStep {
  kind: 'wait';
  id: string;
  /** Duration in ms. */
  waitMs: number;
  /** Step-level exit conditions (withinMs null = since run start); empty = none. */
  exitIf: readonly HistoryCondition[];
}

export type StepPlan = ActionStep | WaitStep;

/** A per-trigger cap: at most `max` emitted activations of this trigger on `channel` per `perMs`. */
export interface CapPlan {
  channel: Channel;
  max: number;
  perMs: number;
}

export interface SuppressionPlan {
  /** Not re-eligible for this long after firing, ms (default: policies.defaults.cooldown). */
  cooldownMs: number;
  /** This trigger's caps (checked before the channel caps of policies). */
  caps: readonly CapPlan[];
  /** Any condition that holds suppresses (reason `unless`); also removes paid audience members. */
  unless: readonly HistoryCondition[];
}

/** `goal`: a matching event within `withinMs` after a fire or holdout counts one conversion. */
export interface GoalPlan extends EventMatcher {
  withinMs: number;
}

/** One compiled trigger. */
export interface Plan {
  id: string;
  version: number;
  /** paused: not evaluated at all; shadow: evaluated with separate state, decisions `shadow`, no emission. */
  mode: 'live' | 'shadow' | 'paused';
  /** 0-100 (default 50): higher goes first when triggers compete for a cap in one evaluation. */
  priority: number;
  risk: 'low' | 'medium' | 'high';
  signal: SignalPlan;
  suppression: SuppressionPlan;
  /** Consent purposes from `consent.require` (already merged into each action step's `consent`). */
  consentRequire: readonly string[];
  /** Ordered steps (a single `action:` compiles to one action step with id `action`). Never empty. */
  steps: readonly StepPlan[];
  /** Trigger-level exitIf, evaluated on every event while a run is active; empty = none. */
  exitIf: readonly HistoryCondition[];
  /** Percent of users kept as control, 0-100 (default 0). */
  holdoutPercent: number;
  goal: GoalPlan | null;
}

/** Quiet hours of one channel in the user's local time, minutes of day [0, 1440). */
export interface QuietHoursPlan {
  /** Start, minutes after local midnight (21:00 -> 1260). */
  fromMin: number;
  /** End (exclusive), minutes after local midnight; may be < fromMin (wraps midnight). */
  toMin: number;
  /** defer: hold until toMin (still subject to the window); drop: suppress with `quiet_hours`. */
  action: 'defer' | 'drop';
}

/** Compiled policies.yaml. Channels absent from policies have no entry (triggers cannot use them). */
export interface PoliciesPlan {
  channels: Readonly<
    Partial<
      Record<
        Channel,
        {
          slaMs: number;
          windowMs: number;
          /** Consent purposes every action on this channel needs. */
          consent: readonly string[];
          quietHours: QuietHoursPlan | null;
        }
      >
    >
  >;
  /** Channel caps counted across all triggers for one user: at most `max` emitted per `perMs`. */
  caps: Readonly<Partial<Record<Channel, { max: number; perMs: number }>>>;
  /** Default cooldown, ms (already applied to plans; kept for display). */
  defaultCooldownMs: number;
  /** IANA time zone used when neither the profile nor the event context gives one. */
  defaultTimezone: string;
  /** A granted consent record older than this (ms, measured to `now`) is stale. */
  consentMaxAgeMs: number;
  /** Events older than this when read (now - occurredAt > max) are counted but never fire. */
  latenessMaxMs: number;
  /** Users with more than this many events in a minute (event time) are flagged for `botFlagForMs`. */
  botMaxEventsPerMinute: number;
  botFlagForMs: number;
  /** The runtime trips a trigger's breaker when it emits more than this per minute (see TriggerStatus). */
  breakerMaxActivationsPerMinute: number;
}
