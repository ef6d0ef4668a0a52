/**
 * A simulated clock around evaluate(): inputs in time order, due timers fired at their due time before
 * anything later happens. The same loop `triggerctl test` and backtests run; pure (state kept in memory).
 */
import type { UserState } from '../state';
import type { Conversion, TriggerStatus } from './context';
import { evaluate } from './evaluate';
import type { EvaluateResult } from './evaluate';
import type { Input } from './input';
import { inputUserId } from './input';
import type { ActivationDraft, Decision } from './output';
import type { PoliciesPlan } from './plan';
import type { PlanSet } from './plan-set';

export class Simulator {
  readonly states = new Map<string, UserState>();
  /** userId -> timerId -> dueAt */
  readonly timers = new Map<string, Map<string, number>>();
  readonly decisions: Decision[] = [];
  readonly activations: ActivationDraft[] = [];
  readonly conversions: Conversion[] = [];
  now: number;

  constructor(
    readonly plans: PlanSet,
    readonly policies: PoliciesPlan,
    start: number,
    readonly status: Map<string, TriggerStatus> = new Map(),
  ) {
    this.now = start;
  }

  /**
   * Fires every timer due at or before `t` (earliest first, each at its due time), then sets the clock to
   * t. With `before`, only timers due strictly before t fire: an input at t goes first, so an absent event
   * exactly at the deadline still disarms (spec: the interval (t, t + D] is closed at t + D).
   */
  advanceTo(t: number, before = false): void {
    for (;;) {
      let next: { userId: string; timerId: string; dueAt: number } | undefined;
      for (const [userId, byId] of this.timers) {
        for (const [timerId, dueAt] of byId) {
          if ((before ? dueAt < t : dueAt <= t) && (!next || dueAt < next.dueAt))
            next = { userId, timerId, dueAt };
        }
      }
      if (!next) break;
      this.timers.get(next.userId)?.delete(next.timerId);
      this.now = Math.max(this.now, next.dueAt);
      this.run({ kind: 'timer', timer: next }, this.now);
    }
    this.now = Math.max(this.now, t);
  }

  /** Advances the clock to `now` (firing due timers), then evaluates `input`. */
  send(input: Input, now: number): EvaluateResult {
    this.advanceTo(now, true);
    return this.run(input, this.now);
  }

  private run(input: Input, now: number): EvaluateResult {
    const userId = inputUserId(input);
    const r = evaluate(this.plans, this.policies, this.states.get(userId), input, now, this.status);
    this.states.set(userId, r.state);
    const byId = this.timers.get(userId) ?? new Map<string, number>();
    for (const t of r.timers) {
      if (t.dueAt === null) byId.delete(t.timerId);
      else byId.set(t.timerId, t.dueAt);
    }
    // Only users with armed timers: advanceTo scans them all before every input (a backtest's many users).
    if (byId.size > 0) this.timers.set(userId, byId);
    else this.timers.delete(userId);
    this.decisions.push(...r.decisions);
    this.activations.push(...r.activations);
    this.conversions.push(...r.conversions);
    return r;
  }
}
