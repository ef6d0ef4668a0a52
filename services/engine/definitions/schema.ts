import { z } from 'zod';

import { countWithinSchema, durationSchema, onlyIfValidSoFar } from './duration';

/**
 * The trigger file format and policies.yaml (spec/triggers.md) as strict zod schemas: unknown keys are
 * errors, and the TypeScript types are inferred from these schemas (STYLE.md rule 5). Rules that relate
 * several fields (sla <= window, risk high needs approvedBy, ...) live in checks.ts.
 */

/** One instance for all duration fields, so the JSON Schema defines it once. */
const duration = durationSchema().meta({ id: 'duration' });

/** Source channels of events and target channels of actions. */
export const CHANNELS = ['web', 'mobile', 'email', 'paid'] as const;
export const channelSchema = z.enum(CHANNELS).describe('A channel: web, mobile, email or paid.');
export type Channel = z.infer<typeof channelSchema>;

/** The action types every adapter knows; custom types are `<channel>.<name>`. */
export const STANDARD_ACTION_TYPES = [
  'web.personalize',
  'mobile.push',
  'mobile.inapp',
  'email.send',
  'paid.audience.add',
  'paid.audience.remove',
] as const;

/** Trigger and step ids: lower case, digits and dashes, 2-63 characters. */
export const ID_PATTERN = /^[a-z0-9][a-z0-9-]{1,62}$/;
const idSchema = z.string().regex(ID_PATTERN, {
  error: (iss) =>
    `"${String(iss.input)}" is not a valid id (use 2-63 characters: lower-case letters, digits and dashes, e.g. cart-abandonment)`,
});

/** What ingest accepts as an event's type (topics.md): a trigger naming anything else could never match. */
const EVENT_TYPE_PATTERN = /^[a-z0-9_.]{1,64}$/;
/** The spelling an event type outside the pattern most likely meant: PageView, demo-booked → page_view, demo_booked. */
function eventTypeSpelling(input: string): string {
  const snake = input
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9_.]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return (snake || 'page_view').slice(0, 64);
}
const eventTypeSchema = z.string().regex(EVENT_TYPE_PATTERN, {
  error: (iss) =>
    typeof iss.input === 'string'
      ? `"${iss.input}" can never match: event types are 1-64 lower-case letters, digits, "_" and "." (topics.md); write ${eventTypeSpelling(iss.input)}`
      : 'expected an event type such as page_view',
});
/** One event type or a list of them. */
const eventsSchema = z
  .union([eventTypeSchema, z.array(eventTypeSchema).min(1)], {
    error: 'expected an event type or a list of event types (e.g. page_view or [page_view, screen_view])',
  })
  .describe('An event type or a list of event types.')
  .meta({ id: 'events' });

const scalarSchema = z.union([z.string(), z.number(), z.boolean()]);

/** Longest regular expression accepted by `matches` (spec: at most 200 characters). */
export const MAX_REGEX_LENGTH = 200;
const regexSchema = z
  .string()
  .max(MAX_REGEX_LENGTH, {
    error: (iss) =>
      `regular expression is ${String((iss.input as string).length)} characters long (at most ${MAX_REGEX_LENGTH})`,
  })
  .superRefine((source, ctx) => {
    if (source.length > MAX_REGEX_LENGTH) return;
    try {
      new RegExp(source);
    } catch (err) {
      ctx.addIssue({
        code: 'custom',
        message: `"${source}" is not a valid regular expression (${(err as Error).message})`,
      });
    }
  });

/** Operators of one condition; several in one mapping must all hold (e.g. `{ gte: 10, lt: 100 }`). */
export const operatorsSchema = z
  .strictObject({
    eq: scalarSchema.optional(),
    ne: scalarSchema.optional(),
    in: z.array(scalarSchema).min(1).optional(),
    notIn: z.array(scalarSchema).min(1).optional(),
    startsWith: z.string().optional(),
    endsWith: z.string().optional(),
    contains: z.string().optional(),
    gt: z.number().optional(),
    gte: z.number().optional(),
    lt: z.number().optional(),
    lte: z.number().optional(),
    exists: z.boolean().optional(),
    matches: regexSchema.optional(),
  })
  .refine((ops) => Object.keys(ops).length > 0, {
    error:
      'needs at least one operator (eq, ne, in, notIn, startsWith, endsWith, contains, gt, gte, lt, lte, exists, matches)',
    when: onlyIfValidSoFar,
  });
export type Operators = z.infer<typeof operatorsSchema>;

/** A condition: a bare scalar (equals) or a mapping of operators. */
export const conditionSchema = z
  .union([z.string(), z.number(), z.boolean(), operatorsSchema], {
    error: 'expected a value to compare with, or operators such as { startsWith: /pricing }',
  })
  .meta({ id: 'condition' });
export type Condition = z.infer<typeof conditionSchema>;

/** Conditions on event fields, keyed by path (`type`, `channel`, `sessionId`, `properties.X`, `context.X`). */
const whereSchema = z
  .record(z.string(), conditionSchema)
  .describe('Conditions on event fields; all must hold.');

/** A look-back condition on the user's history (after, unless, exitIf, goal). */
function historySchema(withinRequired: boolean) {
  const within = duration;
  return z.strictObject({
    event: eventsSchema,
    within: withinRequired ? within : within.optional(),
    where: whereSchema.optional(),
    channel: channelSchema.optional(),
    atLeast: z.int().min(1).optional(),
  });
}
export const historyConditionSchema = historySchema(true).meta({ id: 'historyCondition' });
export type HistoryCondition = z.infer<typeof historyConditionSchema>;
/** An exit condition: like a history condition, `within` optional (default: since the run started). */
export const exitConditionSchema = historySchema(false).meta({ id: 'exitCondition' });
export type ExitCondition = z.infer<typeof exitConditionSchema>;

export const countSchema = z.strictObject({
  atLeast: z.int().min(1),
  within: countWithinSchema(),
  distinct: z.string().optional(),
});

export const absentSchema = z.strictObject({
  event: eventsSchema,
  within: duration,
  where: whereSchema.optional(),
});

export const signalSchema = z.strictObject({
  event: eventsSchema,
  channel: channelSchema.optional(),
  where: whereSchema.optional(),
  count: countSchema.optional(),
  absent: absentSchema.optional(),
  after: z.array(historyConditionSchema).optional(),
  profile: z.record(z.string(), conditionSchema).optional(),
});
export type Signal = z.infer<typeof signalSchema>;

export const actionSchema = z
  .strictObject({
    channel: channelSchema,
    type: z.string().regex(/^[a-z][a-z0-9]*(\.[a-z][a-zA-Z0-9_-]*)+$/, {
      error: (iss) =>
        `"${String(iss.input)}" is not an action type (use ${STANDARD_ACTION_TYPES.join(', ')} or a custom <channel>.<name>)`,
    }),
    params: z.record(z.string(), scalarSchema).optional(),
    renderAt: z.literal('open').optional(),
  })
  .meta({ id: 'action' });
export type Action = z.infer<typeof actionSchema>;

/** One step: exactly one of `action` or `wait`; `exitIf` only with `wait` (checked in checks.ts). */
export const stepSchema = z.strictObject({
  id: idSchema,
  action: actionSchema.optional(),
  wait: duration.optional(),
  exitIf: z.array(exitConditionSchema).min(1).optional(),
});
export type Step = z.infer<typeof stepSchema>;

export const capSchema = z.strictObject({ max: z.int().min(1), per: duration });
export const triggerCapSchema = z.strictObject({
  channel: channelSchema,
  max: z.int().min(1),
  per: duration,
});

export const triggerSchema = z
  .strictObject({
    id: idSchema,
    version: z.int().min(1),
    description: z.string().optional(),
    owner: z.string().optional(),
    mode: z.enum(['live', 'shadow', 'paused']).default('live'),
    risk: z.enum(['low', 'medium', 'high']).default('low'),
    approvedBy: z.string().min(1).nullable().optional(),
    priority: z.int().min(0).max(100).default(50),
    signal: signalSchema,
    window: duration.optional(),
    sla: duration.optional(),
    suppression: z
      .strictObject({
        cooldown: duration.optional(),
        caps: z.array(triggerCapSchema).optional(),
        unless: z.array(historyConditionSchema).optional(),
      })
      .optional(),
    consent: z.strictObject({ require: z.array(z.string().min(1)) }).optional(),
    sequence: z.array(stepSchema).min(1).optional(),
    action: actionSchema.optional(),
    exitIf: z.array(exitConditionSchema).min(1).optional(),
    holdout: z.number().min(0).max(100).default(0),
    goal: z
      .strictObject({
        event: eventsSchema,
        within: duration,
        where: whereSchema.optional(),
        channel: channelSchema.optional(),
      })
      .optional(),
  })
  .describe('A trigger definition (spec/triggers.md): signal, window, sla, suppression, sequence, consent.');
/** A trigger as validated (defaults of mode, risk, priority and holdout applied). */
export type TriggerDefinition = z.infer<typeof triggerSchema>;

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
const hhmmSchema = z.string().regex(HHMM, {
  error: (iss) => `"${String(iss.input)}" is not a time of day (use HH:MM, e.g. "21:00")`,
});

export const channelPolicySchema = z.strictObject({
  sla: duration,
  window: duration,
  consent: z.array(z.string().min(1)).default([]),
  quietHours: z
    .strictObject({ from: hhmmSchema, to: hhmmSchema, action: z.enum(['defer', 'drop']) })
    .optional(),
});
export type ChannelPolicy = z.infer<typeof channelPolicySchema>;

/** True when `name` is an IANA time zone this runtime knows. */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

export const policiesSchema = z
  .strictObject({
    channels: z.strictObject({
      web: channelPolicySchema.optional(),
      mobile: channelPolicySchema.optional(),
      email: channelPolicySchema.optional(),
      paid: channelPolicySchema.optional(),
    }),
    caps: z
      .strictObject({
        web: capSchema.optional(),
        mobile: capSchema.optional(),
        email: capSchema.optional(),
        paid: capSchema.optional(),
      })
      .default({}),
    defaults: z.strictObject({
      cooldown: duration,
      timezone: z.string().refine(isTimeZone, {
        error: (iss) => `"${String(iss.input)}" is not an IANA time zone (e.g. UTC or Europe/Berlin)`,
      }),
    }),
    consent: z.strictObject({ maxAge: duration }),
    lateness: z.strictObject({ max: duration }),
    bots: z.strictObject({ maxEventsPerMinute: z.int().min(1), flagFor: duration }),
    breaker: z.strictObject({ maxActivationsPerMinute: z.int().min(1) }),
  })
  .describe(
    'Deployment-wide rules (triggers/policies.yaml): channels, caps, defaults, consent, lateness, bots, breaker.',
  );
export type PoliciesDefinition = z.infer<typeof policiesSchema>;
