import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { Cluster, Redis } from 'ioredis';

import { parseTimerMember, redisKeys, timerMember } from './keys';
import type { RedisKeys } from './keys';
import type { ApplyResult, DueTimer, Revisioned, StateStore, StateWrite, TimerWrite } from './store';

/** Versioned name of the apply script: a changed script gets a new name, never a stale SHA. */
const APPLY_COMMAND = 'triggerApplyUserV1';

type Client = Redis | Cluster;
type Pipeline = ReturnType<Client['pipeline']>;
type WithApply = Pipeline & {
  [APPLY_COMMAND](stateKey: string, decisionsKey: string, ...args: (string | number)[]): Pipeline;
};

export interface RedisStateStoreOptions {
  /** Constructed by main.ts only; a Cluster when REDIS_URL lists several nodes. */
  client: Client;
  /** REDIS_PREFIX. */
  keyPrefix: string;
  /** Most decisions kept per user for the HTTP API. */
  decisionsKept: number;
}

/**
 * The StateStore on Redis (DESIGN.md decisions 3 and 5): `load` is one pipeline of HMGETs, `apply` one
 * pipeline of per-user Lua calls plus due-index updates. On Redis Cluster a pipeline must stay in one
 * slot, so each user's commands go in a pipeline of their own, all sent at once: still one round trip of
 * wall time. `roundTrips` counts pipelines executed, for the metrics and the benchmark.
 */
export class RedisStateStore<S extends Revisioned, D = unknown> implements StateStore<S, D> {
  readonly keys: RedisKeys;
  roundTrips = 0;
  private readonly client: Client;
  private readonly cluster: boolean;

  constructor(private readonly opts: RedisStateStoreOptions) {
    this.client = opts.client;
    this.cluster = (opts.client as { isCluster?: boolean }).isCluster === true;
    this.keys = redisKeys(opts.keyPrefix);
    if (!(APPLY_COMMAND in this.client)) {
      this.client.defineCommand(APPLY_COMMAND, {
        numberOfKeys: 2,
        lua: readFileSync(join(__dirname, 'lua', 'apply-user-2.lua'), 'utf8'),
      });
    }
  }

  /** Runs `build` against one pipeline (single Redis) or one per group (Cluster), sent together. */
  private async run(groups: ((p: Pipeline) => void)[]): Promise<[Error | null, unknown][]> {
    if (groups.length === 0) return [];
    this.roundTrips += 1;
    if (!this.cluster) {
      const p = this.client.pipeline();
      for (const g of groups) g(p);
      return ((await p.exec()) ?? []) as [Error | null, unknown][];
    }
    const results = await Promise.all(
      groups.map((g) => {
        const p = this.client.pipeline();
        g(p);
        return p.exec();
      }),
    );
    return results.flatMap((r) => (r ?? []) as [Error | null, unknown][]);
  }

  async load(userIds: readonly string[]): Promise<Map<string, S>> {
    const ids = [...new Set(userIds)];
    const results = await this.run(ids.map((id) => (p) => void p.hmget(this.keys.state(id), 'r', 'd')));
    const out = new Map<string, S>();
    ids.forEach((id, i) => {
      const [err, value] = results[i] ?? [null, null];
      if (err) throw err;
      const [rev, doc] = (value ?? [null, null]) as [string | null, string | null];
      if (rev === null || doc === null) return;
      const state = JSON.parse(doc) as S;
      state.rev = Number(rev);
      out.set(id, state);
    });
    return out;
  }

  async apply(batch: {
    states: readonly StateWrite<S>[];
    timers: readonly TimerWrite[];
    decisions: readonly { userId: string; decision: D }[];
  }): Promise<ApplyResult> {
    const users = new Map<string, { write?: StateWrite<S>; decisions: D[]; timers: TimerWrite[] }>();
    const entry = (id: string) => {
      let e = users.get(id);
      if (!e) users.set(id, (e = { decisions: [], timers: [] }));
      return e;
    };
    for (const w of batch.states) entry(w.userId).write = w;
    for (const d of batch.decisions) entry(d.userId).decisions.push(d.decision);
    for (const t of batch.timers) entry(t.userId).timers.push(t);

    const order = [...users.keys()];
    const ttlOf = (id: string) => users.get(id)?.write?.ttlMs ?? 0;
    const groups = order.map((id) => (p: Pipeline) => {
      const e = users.get(id)!;
      const w = e.write;
      const ttl = ttlOf(id) || DEFAULT_DECISION_TTL_MS;
      const next = w ? JSON.stringify({ ...w.next, rev: w.expectedRev + 1 }) : '';
      (p as WithApply)[APPLY_COMMAND](
        this.keys.state(id),
        this.keys.decisions(id),
        w?.expectedRev ?? 0,
        next,
        ttl,
        this.opts.decisionsKept,
        ...e.decisions.map((d) => JSON.stringify(d)),
      );
    });
    const results = await this.run(groups);
    const conflicts: string[] = [];
    order.forEach((id, i) => {
      const [err, value] = results[i] ?? [null, null];
      if (err) throw err;
      if (Number(value) === 0) conflicts.push(id);
    });
    // Timers after the CAS verdict: the index is a hint, the user's state the truth (a stale member is
    // ignored when it fires, since evaluate finds no timer of that id in the state).
    const refused = new Set(conflicts);
    const timerWrites = batch.timers.filter((t) => !refused.has(t.userId));
    if (timerWrites.length > 0) {
      await this.run(
        timerWrites.map((t) => (p: Pipeline) => {
          const key = this.keys.timers(t.partition);
          const member = timerMember(t.userId, t.timerId);
          if (t.dueAt === null) p.zrem(key, member);
          else p.zadd(key, t.dueAt, member);
        }),
      );
    }
    return { conflicts };
  }

  async dueTimers(partition: number, upTo: number, limit: number): Promise<DueTimer[]> {
    this.roundTrips += 1;
    const raw = await this.client.zrangebyscore(
      this.keys.timers(partition),
      '-inf',
      upTo,
      'WITHSCORES',
      'LIMIT',
      0,
      limit,
    );
    const out: DueTimer[] = [];
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const member = parseTimerMember(raw[i] as string);
      if (member) out.push({ ...member, dueAt: Number(raw[i + 1]) });
    }
    return out;
  }

  /** Number of armed timers of a partition (the trigger_timers_pending gauge). */
  async pendingTimers(partition: number): Promise<number> {
    return this.client.zcard(this.keys.timers(partition));
  }

  async recentDecisions(userId: string, limit: number): Promise<D[]> {
    const raw = await this.client.lrange(this.keys.decisions(userId), 0, Math.max(0, limit - 1));
    return raw.map((r) => JSON.parse(r) as D);
  }
}

/** Time to live of a decision log written without a state write (e.g. a duplicate-only batch). */
const DEFAULT_DECISION_TTL_MS = 30 * 24 * 3600 * 1000;
