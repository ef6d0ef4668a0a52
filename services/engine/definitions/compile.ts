import { fieldConditions, parseParams } from '../evaluate';
import type {
  ActionPlan,
  ActionStep,
  EventMatcher,
  HistoryCondition,
  Plan,
  PoliciesPlan,
  QuietHoursPlan,
  SignalKind,
  StepPlan,
} from '../evaluate';
import { parseDuration } from './duration';
import type {
  Action,
  Channel,
  Condition,
  ExitCondition,
  HistoryCondition as HistoryDefinition,
  PoliciesDefinition,
  TriggerDefinition,
} from './schema';

/** Step id of the single step a trigger's `action:` compiles to. */
export const SINGLE_ACTION_STEP_ID = 'action';

// Validation has already proven every duration parses; a failure here is a bug, not a user error.
function ms(duration: string): number {
  const value = parseDuration(duration);
  if (value === undefined) throw new Error(`compile: "${duration}" is not a duration (validation missed it)`);
  return value;
}

function list<T>(value: T | readonly T[]): readonly T[] {
  return Array.isArray(value) ? (value as readonly T[]) : [value as T];
}

function matcher(
  event: string | string[],
  channel: Channel | undefined,
  where: Record<string, Condition> | undefined,
): EventMatcher {
  return { eventTypes: new Set(list(event)), channel: channel ?? null, where: fieldConditions(where) };
}

function history(h: HistoryDefinition | ExitCondition): HistoryCondition {
  return {
    ...matcher(h.event, h.channel, h.where),
    withinMs: h.within === undefined ? null : ms(h.within),
    atLeast: h.atLeast ?? 1,
  };
}

function actionPlan(a: Action): ActionPlan {
  return { channel: a.channel, type: a.type, params: parseParams(a.params), renderAt: a.renderAt ?? null };
}

function signalKind(t: TriggerDefinition): SignalKind {
  const { count, absent } = t.signal;
  if (count) {
    return {
      type: 'count',
      atLeast: count.atLeast,
      withinMs: count.within === 'session' ? 'session' : ms(count.within),
      distinct: count.distinct ?? null,
    };
  }
  if (absent)
    return {
      type: 'absent',
      absent: matcher(absent.event, undefined, absent.where),
      withinMs: ms(absent.within),
    };
  return { type: 'plain' };
}

/**
 * Compiles one validated trigger with the policies: durations in ms, regexes compiled, templates parsed,
 * and per action step the window, SLA and consent purposes resolved (trigger's own, else its channel's).
 * Precondition: the trigger passed validateDefinitions against these policies (its channels exist).
 */
export function compileTrigger(t: TriggerDefinition, policies: PoliciesDefinition): Plan {
  const consentRequire = [...new Set(t.consent?.require ?? [])];
  const actionStep = (id: string, a: Action): ActionStep => {
    const channel = policies.channels[a.channel];
    if (!channel) throw new Error(`compile: channel ${a.channel} is not in policies (validation missed it)`);
    return {
      kind: 'action',
      id,
      action: actionPlan(a),
      windowMs: ms(t.window ?? channel.window),
      slaMs: ms(t.sla ?? channel.sla),
      consent: [...new Set([...channel.consent, ...consentRequire])],
    };
  };
  const steps: StepPlan[] = t.action
    ? [actionStep(SINGLE_ACTION_STEP_ID, t.action)]
    : (t.sequence ?? []).map((s): StepPlan =>
        s.action
          ? actionStep(s.id, s.action)
          : { kind: 'wait', id: s.id, waitMs: ms(s.wait ?? '0ms'), exitIf: (s.exitIf ?? []).map(history) },
      );
  return {
    id: t.id,
    version: t.version,
    mode: t.mode,
    priority: t.priority,
    risk: t.risk,
    signal: {
      ...matcher(t.signal.event, t.signal.channel, t.signal.where),
      kind: signalKind(t),
      after: (t.signal.after ?? []).map(history),
      profile: fieldConditions(t.signal.profile),
    },
    suppression: {
      cooldownMs: ms(t.suppression?.cooldown ?? policies.defaults.cooldown),
      caps: (t.suppression?.caps ?? []).map((c) => ({ channel: c.channel, max: c.max, perMs: ms(c.per) })),
      unless: (t.suppression?.unless ?? []).map(history),
    },
    consentRequire,
    steps,
    exitIf: (t.exitIf ?? []).map(history),
    holdoutPercent: t.holdout,
    goal: t.goal
      ? { ...matcher(t.goal.event, t.goal.channel, t.goal.where), withinMs: ms(t.goal.within) }
      : null,
  };
}

function minutesOfDay(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** Compiles policies.yaml: durations in ms, quiet hours in minutes of the day. */
export function compilePolicies(p: PoliciesDefinition): PoliciesPlan {
  const channels: Record<string, PoliciesPlan['channels'][Channel]> = {};
  for (const [name, c] of Object.entries(p.channels)) {
    if (!c) continue;
    const quietHours: QuietHoursPlan | null = c.quietHours
      ? {
          fromMin: minutesOfDay(c.quietHours.from),
          toMin: minutesOfDay(c.quietHours.to),
          action: c.quietHours.action,
        }
      : null;
    channels[name] = {
      slaMs: ms(c.sla),
      windowMs: ms(c.window),
      consent: [...new Set(c.consent)],
      quietHours,
    };
  }
  const caps: Record<string, { max: number; perMs: number }> = {};
  for (const [name, cap] of Object.entries(p.caps))
    if (cap) caps[name] = { max: cap.max, perMs: ms(cap.per) };
  return {
    channels,
    caps,
    defaultCooldownMs: ms(p.defaults.cooldown),
    defaultTimezone: p.defaults.timezone,
    consentMaxAgeMs: ms(p.consent.maxAge),
    latenessMaxMs: ms(p.lateness.max),
    botMaxEventsPerMinute: p.bots.maxEventsPerMinute,
    botFlagForMs: ms(p.bots.flagFor),
    breakerMaxActivationsPerMinute: p.breaker.maxActivationsPerMinute,
  };
}
