/**
 * Keeping the user state bounded: seen ids, the bot rate, history pruned to the look-back plans need,
 * emissions to the longest cap period, expired goal windows and empty trigger states dropped.
 */
import type { SpaceState, StoredEvent, TriggerState, UserState } from '../state';
import { HISTORY_MAX, SEEN_IDS_MAX } from '../state';
import { eventMatches, firstAtOrAfter } from './conditions';
import type { Ctx } from './context';
import type { PlanSet } from './plan-set';
import type { EventMatcher, HistoryCondition, PoliciesPlan } from './plan';

const MINUTE_MS = 60_000;
/** Events cut beyond the cap when it must keep older events a condition needs (see `prune`). */
const HISTORY_SLACK = 50;

export function rememberSeen(state: UserState, eventId: string): void {
  state.seen.push(eventId);
  if (state.seen.length > SEEN_IDS_MAX) state.seen.splice(0, state.seen.length - SEEN_IDS_MAX);
}

/**
 * Bot rate (spec "bots"): more than maxEventsPerMinute events with occurredAt in (t - 1m, t] flags the
 * user for flagFor from t (event time); a flag extends while the rate stays high.
 */
export function recordRate(ctx: Ctx, t: number): void {
  const { botMaxEventsPerMinute: max, botFlagForMs } = ctx.policies;
  const rate = ctx.state.rate;
  let i = rate.length;
  while (i > 0 && (rate[i - 1] as number) > t) i--;
  rate.splice(i, 0, t);
  const newest = rate[rate.length - 1] as number;
  const keepFrom = rate.findIndex((x) => x > newest - MINUTE_MS);
  rate.splice(0, Math.max(keepFrom, rate.length - (max + 1)));
  const inWindow = rate.filter((x) => x > t - MINUTE_MS && x <= t).length;
  if (inWindow <= max) return;
  const bot = ctx.state.bot;
  if (bot && t <= bot.until)
    ctx.state.bot = { from: Math.min(bot.from, t), until: Math.max(bot.until, t + botFlagForMs) };
  else ctx.state.bot = { from: t, until: t + botFlagForMs };
}

const capHorizon = new WeakMap<PlanSet, number>();

function longestCapMs(set: PlanSet, policies: PoliciesPlan): number {
  let fromPlans = capHorizon.get(set);
  if (fromPlans === undefined) {
    fromPlans = Math.max(0, ...set.plans.flatMap((p) => p.suppression.caps.map((c) => c.perMs)));
    capHorizon.set(set, fromPlans);
  }
  return Math.max(fromPlans, ...Object.values(policies.caps).map((c) => c.perMs));
}

/** A condition on history the cap must not starve: what it matches and how many events it needs. */
interface Guard {
  matcher: EventMatcher;
  atLeast: number;
}

const guards = new WeakMap<PlanSet, readonly Guard[]>();

/** Every `after`, `unless`, `exitIf` (trigger and wait steps) and goal of the set (a goal needs one event). */
function guardsOf(set: PlanSet): readonly Guard[] {
  let out = guards.get(set);
  if (out) return out;
  const list: Guard[] = [];
  for (const p of set.plans) {
    const conditions: HistoryCondition[] = [...p.signal.after, ...p.suppression.unless, ...p.exitIf];
    for (const step of p.steps) if (step.kind === 'wait') conditions.push(...step.exitIf);
    for (const c of conditions) list.push({ matcher: c, atLeast: c.atLeast });
    if (p.goal) list.push({ matcher: p.goal, atLeast: 1 });
  }
  guards.set(set, (out = list));
  return out;
}

/**
 * Of the events the cap of HISTORY_MAX drops (`dropped`, oldest first, all inside the look-back), those a
 * history condition may still need: for each condition, the newest events it matches (type, channel,
 * `where`), up to its `atLeast` less the matching events that stay (`staying`, all newer). A heavy user's
 * page views must not push out the purchase an `unless` looks for: that would retarget a converter.
 */
function guardedEvents(
  dropped: readonly StoredEvent[],
  staying: readonly StoredEvent[],
  set: PlanSet,
): StoredEvent[] {
  const kept = new Set<StoredEvent>();
  for (const g of guardsOf(set)) {
    let need = g.atLeast;
    for (let i = 0; need > 0 && i < staying.length; i++)
      if (eventMatches(g.matcher, staying[i] as StoredEvent)) need--;
    for (let i = dropped.length - 1; need > 0 && i >= 0; i--) {
      const e = dropped[i] as StoredEvent;
      if (!eventMatches(g.matcher, e)) continue;
      kept.add(e);
      need--;
    }
  }
  return kept.size === 0 ? [] : dropped.filter((e) => kept.has(e));
}

export function prune(ctx: Ctx): void {
  const s = ctx.state;
  const { now, policies, set } = ctx;
  const horizon = now - set.historyLookbackMs - policies.latenessMaxMs;
  // History is sorted by occurredAt: what falls out of the look-back is a prefix.
  const expired = firstAtOrAfter(s.history, horizon);
  const overCap = s.history.length - HISTORY_MAX;
  if (overCap > expired) {
    // The cap cuts into the look-back: keep what a history condition may need from the cut part.
    const all = s.history;
    const staying = all.slice(overCap);
    const guarded = guardedEvents(all.slice(expired, overCap), staying, set);
    if (guarded.length === 0) s.history = staying;
    else {
      // Kept events make the list more than its old self less a prefix, so the write rewrites it whole:
      // cutting down to HISTORY_MAX - HISTORY_SLACK, kept events included, makes that once per
      // HISTORY_SLACK events rather than on every one.
      const target = HISTORY_MAX - HISTORY_SLACK;
      let cut = Math.min(all.length, overCap + HISTORY_SLACK);
      let kept = guardedEvents(all.slice(expired, cut), all.slice(cut), set);
      for (let i = 0; i < 4 && cut < all.length && kept.length + all.length - cut > target; i++) {
        cut = Math.min(all.length, cut + kept.length + all.length - cut - target);
        kept = guardedEvents(all.slice(expired, cut), all.slice(cut), set);
      }
      s.history = [...kept, ...all.slice(cut)];
    }
  } else if (expired > 0) s.history = s.history.slice(expired);
  if (s.bot && s.bot.until < now - policies.latenessMaxMs) s.bot = null;
  const capFrom = now - longestCapMs(set, policies);
  pruneSpace(s.live, ctx, capFrom);
  pruneSpace(s.shadow, ctx, capFrom);
}

function pruneSpace(space: SpaceState, ctx: Ctx, capFrom: number): void {
  const { now, policies, set } = ctx;
  if (space.emissions.some((e) => e.at <= capFrom))
    space.emissions = space.emissions.filter((e) => e.at > capFrom);
  for (const id of Object.keys(space.triggers)) {
    const ts = space.triggers[id] as TriggerState;
    const goal = ts.goal && ts.goal.until < now - policies.latenessMaxMs ? null : ts.goal;
    const plan = set.byId.get(id);
    const cooling = ts.lastFiredAt !== null && (!plan || now - ts.lastFiredAt < plan.suppression.cooldownMs);
    const lastFiredAt = cooling ? ts.lastFiredAt : null;
    // A changed trigger state is replaced, not mutated: it may be shared with the state evaluated from.
    if (lastFiredAt === null && !ts.run && !ts.absent && !goal) delete space.triggers[id];
    else if (goal !== ts.goal || lastFiredAt !== ts.lastFiredAt)
      space.triggers[id] = { ...ts, goal, lastFiredAt };
  }
}

/**
 * The shortest state time to live (ms after a user's last write) that loses nothing any plan or policy
 * still needs: history look-back, cooldowns, caps, runs, absence timers, goal windows and, longest in
 * practice, consent records (policies.consent.maxAge). A shorter TTL forgets a quiet user's consent, so
 * their next signal is `consent_missing` until the consent topic is replayed.
 */
export function requiredStateTtlMs(set: PlanSet, policies: PoliciesPlan): number {
  const perPlan = set.plans.map((p) =>
    Math.max(
      p.suppression.cooldownMs,
      p.goal ? p.goal.withinMs : 0,
      p.signal.kind.type === 'absent' ? p.signal.kind.withinMs : 0,
    ),
  );
  return Math.max(
    set.historyLookbackMs + policies.latenessMaxMs,
    longestCapMs(set, policies),
    policies.consentMaxAgeMs,
    policies.botFlagForMs,
    ...perPlan,
  );
}
