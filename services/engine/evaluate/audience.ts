/**
 * Paid audience membership (spec "5. Sequence"): a user added by a trigger is removed again
 * (paid.audience.remove) when they later match the trigger's unless or exitIf, or lose a consent the add
 * needed. Removals are protective: no consent, cap, cooldown or quiet-hours check applies to them.
 */
import type { AudienceMembership, StoredEvent } from '../state';
import { eventMatches, historyHolds } from './conditions';
import type { Ctx, Space } from './context';
import { decide } from './context';
import { activationIdOf } from './hash';
import type { Plan } from './plan';

/** Emits the removal of one membership (shadow: a shadow decision only) and forgets the membership. */
export function removeMembership(
  ctx: Ctx,
  plan: Plan | undefined,
  space: Space,
  m: AudienceMembership,
  reason: 'converted' | 'consent_revoked',
  ids: readonly string[],
  dueAt: number,
): void {
  ctx.state[space].audiences = ctx.state[space].audiences.filter((x) => x !== m);
  const version = plan?.version ?? 0;
  const step = plan?.steps.find((s) => s.id === m.stepId);
  const paid = ctx.policies.channels.paid;
  const windowMs = step?.kind === 'action' ? step.windowMs : (paid?.windowMs ?? 0);
  const slaMs = step?.kind === 'action' ? step.slaMs : (paid?.slaMs ?? 0);
  const checks = [
    { name: 'paid_removal', passed: true, detail: `${reason}: remove from ${m.params.audience ?? ''}` },
  ];
  const trigger = { id: m.triggerId, version };
  if (space === 'shadow') {
    decide(ctx, trigger, m.stepId, 'shadow', reason, ids, dueAt, checks);
    return;
  }
  const activationId = activationIdOf(m.triggerId, `${m.stepId}/remove`, ctx.userId, ids);
  ctx.activations.push({
    activationId,
    triggerId: m.triggerId,
    triggerVersion: version,
    stepId: m.stepId,
    userId: ctx.userId,
    channel: 'paid',
    actionType: 'paid.audience.remove',
    params: { ...m.params },
    signalEventIds: [...ids],
    dueAt,
    decidedAt: ctx.now,
    expiresAt: dueAt + windowMs,
    slaMs,
    renderToken: null,
  });
  ctx.activationCounts[m.triggerId] = (ctx.activationCounts[m.triggerId] ?? 0) + 1;
  decide(ctx, trigger, m.stepId, 'fired', reason, ids, dueAt, checks, activationId);
}

/** Removes the user from the plan's audiences when `e` makes its unless or exitIf hold. */
export function onAudienceEvent(ctx: Ctx, plan: Plan, space: Space, e: StoredEvent): void {
  const members = ctx.state[space].audiences.filter((m) => m.triggerId === plan.id);
  if (members.length === 0) return;
  const exclude = new Set<string>();
  const unless = plan.suppression.unless.some(
    (c) =>
      eventMatches(c, e) &&
      historyHolds(c, ctx.state.history, e.occurredAt - (c.withinMs ?? 0), Infinity, exclude),
  );
  const exits = [...plan.exitIf, ...plan.steps.flatMap((s) => (s.kind === 'wait' ? s.exitIf : []))];
  for (const m of members) {
    const exited = exits.some(
      (c) =>
        eventMatches(c, e) &&
        historyHolds(
          c,
          ctx.state.history,
          c.withinMs === null ? m.addedAt - 1 : Math.max(m.addedAt - 1, e.occurredAt - c.withinMs),
          Infinity,
          exclude,
        ),
    );
    if (unless || exited) removeMembership(ctx, plan, space, m, 'converted', [e.eventId], e.occurredAt);
  }
}
