import type { CompiledDefinitions } from '../definitions';
import type { TriggerStatus } from '../evaluate';

const MINUTE_MS = 60_000;

/**
 * The per-trigger circuit breaker (policies.breaker): a trigger that emits more than
 * `maxActivationsPerMinute` in a rolling minute is paused (decision `breaker_open`) until it is redeployed
 * (`redeployed`: a new version or any change of it, or new policies) or resumed (`POST
 * /v1/triggers/{id}/resume`). Counted
 * per engine process: with N instances the effective limit is up to N times the policy, and a resume
 * closes the breaker of the instance that receives it (documented in the README).
 */
export class Breaker {
  private readonly windows = new Map<string, { start: number; count: number }>();
  private readonly open = new Set<string>();
  private readonly statuses = new Map<string, TriggerStatus>();

  constructor(private readonly onChange: (trigger: string, open: boolean) => void = () => undefined) {}

  /** Adds a batch's activation counts; trips triggers over the limit. */
  record(counts: Record<string, number>, limitPerMinute: number, now: number): void {
    for (const [trigger, n] of Object.entries(counts)) {
      let w = this.windows.get(trigger);
      if (!w || now - w.start >= MINUTE_MS) this.windows.set(trigger, (w = { start: now, count: 0 }));
      w.count += n;
      if (w.count > limitPerMinute && !this.open.has(trigger)) {
        this.open.add(trigger);
        this.statuses.set(trigger, { breakerOpen: true });
        this.onChange(trigger, true);
      }
    }
  }

  /** Closes every breaker (new policies). */
  reset(): void {
    for (const trigger of this.open) this.onChange(trigger, false);
    this.open.clear();
    this.statuses.clear();
    this.windows.clear();
  }

  /**
   * Closes `trigger`'s breaker and starts its count afresh (an operator judged the burst legitimate);
   * returns whether it was open.
   */
  resume(trigger: string): boolean {
    if (!this.open.delete(trigger)) return false;
    this.windows.delete(trigger);
    this.statuses.delete(trigger);
    this.onChange(trigger, false);
    return true;
  }

  isOpen(trigger: string): boolean {
    return this.open.has(trigger);
  }

  status(): ReadonlyMap<string, TriggerStatus> {
    return this.statuses;
  }
}

/** A definitions set as the breakers see it: a fingerprint of each trigger's plan and of the policies. */
export interface DefinitionPrints {
  triggers: ReadonlyMap<string, string>;
  policies: string;
}

/** Stable text of a compiled value (Sets, Maps and RegExps as their contents). */
function fingerprint(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v instanceof Set ? [...v] : v instanceof Map ? [...v] : v instanceof RegExp ? String(v) : v,
  );
}

export function definitionPrints(defs: CompiledDefinitions): DefinitionPrints {
  return {
    triggers: new Map(defs.plans.map((p) => [p.id, fingerprint(p)])),
    policies: fingerprint(defs.policies),
  };
}

/**
 * Closes the breakers a newly loaded set redeploys (spec: paused "until redeployed or resumed"): every
 * breaker when the policies changed (the limit itself may have), else those of the triggers that changed
 * or left. A trigger that is the same as before stays paused, whatever else the deploy changed.
 */
export function redeployed(breaker: Breaker, before: DefinitionPrints | null, after: DefinitionPrints): void {
  if (before === null || before.policies !== after.policies) return breaker.reset();
  for (const [id, print] of before.triggers) if (after.triggers.get(id) !== print) breaker.resume(id);
}
