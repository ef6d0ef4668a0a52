import type { TriggerStatus } from '../evaluate';

const MINUTE_MS = 60_000;

/**
 * The per-trigger circuit breaker (policies.breaker): a trigger that emits more than
 * `maxActivationsPerMinute` in a rolling minute is paused (decision `breaker_open`) until the next
 * redeploy, which resets every breaker, or until it is resumed (`POST /v1/triggers/{id}/resume`). Counted
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

  /** Closes every breaker (a redeploy). */
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
