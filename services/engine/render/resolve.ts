import type { Plan, PlanSet } from '../evaluate';
import type { UserState } from '../state';
import type { RenderClaims } from './token';

/** Open-time content of an email step (GET /v1/render/{token}). */
export interface RenderedContent {
  activationId: string;
  triggerId: string;
  stepId: string;
  /** The step's `template` parameter; null when the step has no literal one. */
  template: string | null;
  /** `converted` when the user did the trigger's goal or an `unless` event since the email was sent. */
  variant: 'default' | 'converted';
  /** The step's static parameters (template name and literal values). */
  params: Record<string, string>;
  /** The user's profile now, for the template to personalise at open. */
  profile: Record<string, string>;
}

/**
 * Resolves a render token against the user's state now: a purchase (goal or unless event) since the
 * email was issued selects the `converted` variant, so the email never pushes what was just bought.
 * Matches on event type and channel. Null when the trigger or step no longer exists; `history_gone` when
 * the email was issued longer ago than the history the engine keeps (the set's look-back), so a purchase
 * since may have been pruned and `default` could push what was bought. Only literal params are returned:
 * `${...}` values were filled from the signal at send time and are not re-derived here.
 */
export function resolveRender(
  plans: PlanSet,
  claims: RenderClaims,
  state: UserState | undefined,
  now: number,
): RenderedContent | null | 'history_gone' {
  const plan: Plan | undefined = plans.byId.get(claims.triggerId);
  const step = plan?.steps.find((s) => s.id === claims.stepId);
  if (!plan || !step || step.kind !== 'action') return null;
  const since = claims.issuedAt ?? 0;
  if (now - since > plans.historyLookbackMs) return 'history_gone';
  const matchers = [...(plan.goal ? [plan.goal] : []), ...plan.suppression.unless];
  const converted = (state?.history ?? []).some(
    (e) =>
      e.occurredAt > since &&
      matchers.some((m) => m.eventTypes.has(e.type) && (m.channel === null || m.channel === e.channel)),
  );
  const params: Record<string, string> = {};
  for (const [key, template] of Object.entries(step.action.params)) {
    const texts = template.map((part) => ('text' in part ? part.text : null));
    if (texts.every((t) => t !== null)) params[key] = texts.join('');
  }
  return {
    activationId: claims.activationId,
    triggerId: claims.triggerId,
    stepId: claims.stepId,
    template: params.template ?? null,
    variant: converted ? 'converted' : 'default',
    params,
    profile: { ...(state?.profile ?? {}) },
  };
}
