/**
 * The routing index over compiled plans (DESIGN.md decision 6): event type -> the plans it may affect,
 * so evaluating an event costs O(plans that mention its type), plus the look-back the user history needs.
 */
import type { EventMatcher, HistoryCondition, Plan } from './plan';

/** Plans indexed for evaluation. Build with {@link indexPlans}; immutable. */
export interface PlanSet {
  /** All plans, highest priority first, then trigger id (the arbitration order for caps). */
  plans: readonly Plan[];
  byId: ReadonlyMap<string, Plan>;
  /** Event type -> plans whose signal, absent, after, unless, exitIf or goal mention it (same order). */
  byEventType: ReadonlyMap<string, readonly Plan[]>;
  /** How far back (ms, event time) user history must reach for every plan's conditions. */
  historyLookbackMs: number;
}

/** Session counts look back at most this far (a session longer than a day is not a session). */
export const SESSION_LOOKBACK_MS = 86_400_000;

function matchers(p: Plan): EventMatcher[] {
  const out: EventMatcher[] = [p.signal, ...p.signal.after, ...p.suppression.unless, ...p.exitIf];
  if (p.signal.kind.type === 'absent') out.push(p.signal.kind.absent);
  for (const s of p.steps) if (s.kind === 'wait') out.push(...s.exitIf);
  if (p.goal) out.push(p.goal);
  return out;
}

/** The longest time a run of this plan can last (waits plus each action's window), ms. */
export function maxRunMs(p: Plan): number {
  return p.steps.reduce((sum, s) => sum + (s.kind === 'wait' ? s.waitMs : s.windowMs), 0);
}

function lookbackMs(p: Plan): number {
  const within = (h: HistoryCondition) => h.withinMs ?? 0;
  const k = p.signal.kind;
  return Math.max(
    k.type === 'count' ? (k.withinMs === 'session' ? SESSION_LOOKBACK_MS : k.withinMs) : 0,
    k.type === 'absent' ? k.withinMs : 0,
    ...p.signal.after.map(within),
    ...p.suppression.unless.map(within),
    ...p.exitIf.map(within),
    // exitIf without `within` looks back to the run's start.
    maxRunMs(p),
  );
}

/** Orders plans by priority (desc) then id, and builds the routing index. */
export function indexPlans(plans: readonly Plan[]): PlanSet {
  const sorted = [...plans].sort(
    (a, b) => b.priority - a.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  const byEventType = new Map<string, Plan[]>();
  for (const p of sorted) {
    const types = new Set<string>();
    for (const m of matchers(p)) m.eventTypes.forEach((t) => types.add(t));
    for (const t of types) {
      const list = byEventType.get(t) ?? [];
      list.push(p);
      byEventType.set(t, list);
    }
  }
  return {
    plans: sorted,
    byId: new Map(sorted.map((p) => [p.id, p])),
    byEventType,
    historyLookbackMs: Math.max(0, ...sorted.map(lookbackMs)),
  };
}
