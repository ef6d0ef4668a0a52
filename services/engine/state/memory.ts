/**
 * The in-memory StateStore (tests, `triggerctl test`, backtests): same contract as the Redis store,
 * including the revision compare-and-set, the per-partition due index and the decision log. `now` is
 * injected for time to live, so a simulated clock works.
 */
import type { ApplyBatch, ApplyResult, DueTimer, DueTimers, Revisioned, StateStore } from './store';

export interface MemoryStateStoreOptions {
  /** The clock used for time to live (epoch ms); default: never expire. */
  now?: () => number;
  /** Most decisions kept per user (newest kept); default 100. */
  decisionsPerUser?: number;
}

export class MemoryStateStore<S extends Revisioned, D = unknown> implements StateStore<S, D> {
  private readonly states = new Map<string, { doc: S; expiresAt: number }>();
  private readonly timers = new Map<number, Map<string, DueTimer>>();
  private readonly decisionLog = new Map<string, D[]>();
  private readonly now: (() => number) | undefined;
  private readonly decisionsPerUser: number;

  constructor(options: MemoryStateStoreOptions = {}) {
    this.now = options.now;
    this.decisionsPerUser = options.decisionsPerUser ?? 100;
  }

  load(userIds: readonly string[]): Promise<Map<string, S>> {
    const out = new Map<string, S>();
    for (const id of userIds) {
      const entry = this.current(id);
      if (entry) out.set(id, structuredClone(entry.doc));
    }
    return Promise.resolve(out);
  }

  apply(batch: ApplyBatch<S, D>): Promise<ApplyResult> {
    const conflicts: string[] = [];
    for (const w of batch.states) {
      const rev = this.current(w.userId)?.doc.rev ?? 0;
      if (rev !== w.expectedRev) {
        conflicts.push(w.userId);
        continue;
      }
      const doc = structuredClone(w.next);
      doc.rev = w.expectedRev + 1;
      this.states.set(w.userId, {
        doc,
        expiresAt: this.now ? this.now() + w.ttlMs : Number.POSITIVE_INFINITY,
      });
    }
    const refused = new Set(conflicts);
    for (const t of batch.timers) {
      if (refused.has(t.userId)) continue;
      const index = this.timers.get(t.partition) ?? new Map<string, DueTimer>();
      this.timers.set(t.partition, index);
      const key = `${t.userId}\u0000${t.timerId}`;
      if (t.dueAt === null) index.delete(key);
      else index.set(key, { userId: t.userId, timerId: t.timerId, dueAt: t.dueAt });
    }
    for (const { userId, decision } of batch.decisions) {
      if (refused.has(userId)) continue;
      const log = this.decisionLog.get(userId) ?? [];
      log.unshift(structuredClone(decision));
      if (log.length > this.decisionsPerUser) log.length = this.decisionsPerUser;
      this.decisionLog.set(userId, log);
    }
    return Promise.resolve({ conflicts });
  }

  dueTimers(partition: number, upTo: number, limit: number): Promise<DueTimers> {
    const all = [...(this.timers.get(partition)?.values() ?? [])];
    const due = all
      .filter((t) => t.dueAt <= upTo)
      .sort((a, b) => a.dueAt - b.dueAt || (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0))
      .slice(0, limit);
    const next = all.reduce((min, t) => (t.dueAt > upTo && t.dueAt < min ? t.dueAt : min), Infinity);
    return Promise.resolve({ due: due.map((t) => ({ ...t })), nextDueAt: next === Infinity ? null : next });
  }

  recentDecisions(userId: string, limit: number): Promise<D[]> {
    return Promise.resolve(
      (this.decisionLog.get(userId) ?? []).slice(0, limit).map((d) => structuredClone(d)),
    );
  }

  private current(userId: string): { doc: S; expiresAt: number } | undefined {
    const entry = this.states.get(userId);
    if (entry && this.now && entry.expiresAt <= this.now()) {
      this.states.delete(userId);
      return undefined;
    }
    return entry;
  }
}
