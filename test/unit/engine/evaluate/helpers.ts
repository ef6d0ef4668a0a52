/** Builders for plans, policies, events and inputs, so each test states only what it is about. */
import type {
  ActionStep,
  Channel,
  EngineEvent,
  EventMatcher,
  HistoryCondition,
  Input,
  OperatorsInput,
  Plan,
  PoliciesPlan,
  Scalar,
  SignalKind,
  StepPlan,
  WaitStep,
} from '../../../../services/engine/evaluate';
import { fieldConditions, indexPlans, parseParams, Simulator } from '../../../../services/engine/evaluate';

export const SEC = 1000;
export const MIN = 60 * SEC;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;
/** Monday 2 March 2026, 12:00 UTC: outside every quiet hours of the default policies. */
export const T0 = Date.UTC(2026, 2, 2, 12, 0, 0);

type Where = Record<string, Scalar | OperatorsInput>;

export function policies(over: Partial<PoliciesPlan> = {}): PoliciesPlan {
  return {
    channels: {
      web: { slaMs: SEC, windowMs: 30 * MIN, consent: ['personalization'], quietHours: null },
      mobile: {
        slaMs: 5 * SEC,
        windowMs: 2 * HOUR,
        consent: ['push'],
        quietHours: { fromMin: 21 * 60, toMin: 8 * 60, action: 'defer' },
      },
      email: {
        slaMs: 5 * MIN,
        windowMs: 24 * HOUR,
        consent: ['email_marketing'],
        quietHours: { fromMin: 22 * 60, toMin: 7 * 60, action: 'defer' },
      },
      paid: { slaMs: 15 * MIN, windowMs: 7 * DAY, consent: ['ad_targeting'], quietHours: null },
    },
    caps: { email: { max: 3, perMs: 7 * DAY }, mobile: { max: 5, perMs: DAY } },
    defaultCooldownMs: DAY,
    defaultTimezone: 'UTC',
    consentMaxAgeMs: 395 * DAY,
    latenessMaxMs: HOUR,
    botMaxEventsPerMinute: 120,
    botFlagForMs: HOUR,
    breakerMaxActivationsPerMinute: 5000,
    ...over,
  };
}

export function matcher(
  types: string | string[],
  where: Where = {},
  channel: Channel | null = null,
): EventMatcher {
  return {
    eventTypes: new Set(Array.isArray(types) ? types : [types]),
    channel,
    where: fieldConditions(where),
  };
}

export function cond(
  types: string | string[],
  withinMs: number | null,
  opts: { where?: Where; channel?: Channel; atLeast?: number } = {},
): HistoryCondition {
  return { ...matcher(types, opts.where, opts.channel ?? null), withinMs, atLeast: opts.atLeast ?? 1 };
}

export function action(
  channel: Channel,
  type: string,
  opts: {
    id?: string;
    params?: Record<string, Scalar>;
    renderAt?: 'open';
    require?: string[];
    windowMs?: number;
    slaMs?: number;
  } = {},
  pol: PoliciesPlan = policies(),
): ActionStep {
  const ch = pol.channels[channel];
  return {
    kind: 'action',
    id: opts.id ?? 'action',
    action: { channel, type, params: parseParams(opts.params), renderAt: opts.renderAt ?? null },
    windowMs: opts.windowMs ?? ch?.windowMs ?? 30 * MIN,
    slaMs: opts.slaMs ?? ch?.slaMs ?? SEC,
    consent: [...new Set([...(ch?.consent ?? []), ...(opts.require ?? [])])],
  };
}

export function wait(id: string, waitMs: number, exitIf: HistoryCondition[] = []): WaitStep {
  return { kind: 'wait', id, waitMs, exitIf };
}

export interface PlanInput {
  id?: string;
  version?: number;
  mode?: Plan['mode'];
  priority?: number;
  event?: string | string[];
  channel?: Channel;
  where?: Where;
  kind?: SignalKind;
  after?: HistoryCondition[];
  profile?: Where;
  cooldownMs?: number;
  caps?: Plan['suppression']['caps'];
  unless?: HistoryCondition[];
  steps?: StepPlan[];
  exitIf?: HistoryCondition[];
  holdoutPercent?: number;
  goal?: Plan['goal'];
}

/** A plan: by default a plain page_view signal firing one web.personalize action. */
export function plan(p: PlanInput = {}): Plan {
  return {
    id: p.id ?? 'trig',
    version: p.version ?? 1,
    mode: p.mode ?? 'live',
    priority: p.priority ?? 50,
    risk: 'low',
    signal: {
      ...matcher(p.event ?? 'page_view', p.where, p.channel ?? null),
      kind: p.kind ?? { type: 'plain' },
      after: p.after ?? [],
      profile: fieldConditions(p.profile),
    },
    suppression: { cooldownMs: p.cooldownMs ?? DAY, caps: p.caps ?? [], unless: p.unless ?? [] },
    consentRequire: [],
    steps: p.steps ?? [action('web', 'web.personalize', { params: { slot: 'hero' } })],
    exitIf: p.exitIf ?? [],
    holdoutPercent: p.holdoutPercent ?? 0,
    goal: p.goal ?? null,
  };
}

let seq = 0;
export function event(over: Partial<EngineEvent> = {}): EngineEvent {
  seq += 1;
  return {
    eventId: `e${seq}`,
    userId: 'u1',
    channel: 'web',
    type: 'page_view',
    occurredAt: T0,
    sessionId: 's1',
    properties: {},
    context: { locale: 'en-GB', region: 'GB', timezone: 'UTC', userAgent: null, bot: false },
    ...over,
  };
}

export const ev = (over: Partial<EngineEvent> = {}): Input => ({ kind: 'event', event: event(over) });

export const ALL_PURPOSES = ['personalization', 'push', 'email_marketing', 'ad_targeting', 'offers'];

/** A simulator with the given plans, every purpose granted at `T0 - 1 day` for user u1 (unless `consent: false`). */
export function sim(
  plans: Plan[],
  opts: {
    policies?: PoliciesPlan;
    consent?: boolean | string[];
    start?: number;
    profile?: Record<string, string>;
  } = {},
): Simulator {
  const s = new Simulator(indexPlans(plans), opts.policies ?? policies(), (opts.start ?? T0) - DAY);
  const purposes = opts.consent === false ? [] : Array.isArray(opts.consent) ? opts.consent : ALL_PURPOSES;
  for (const purpose of purposes) {
    s.send(
      {
        kind: 'consent',
        change: { userId: 'u1', purpose, status: 'granted', updatedAt: s.now, source: 'test' },
      },
      s.now,
    );
  }
  if (opts.profile) {
    s.send({ kind: 'profile', update: { userId: 'u1', attributes: opts.profile, updatedAt: s.now } }, s.now);
  }
  return s;
}

/** outcome/reason/step of each decision, compact for assertions. */
export function outcomes(s: Simulator): string[] {
  return s.decisions.map((d) => `${d.triggerId}:${d.stepId}:${d.outcome}${d.reason ? `/${d.reason}` : ''}`);
}
