import type { Cluster, Redis } from 'ioredis';

import { EngineError, fromRedisError } from '../errors';
import { parseTimerMember, redisKeys, timerMember } from './keys';
import type { RedisKeys } from './keys';
import { APPLY_CONFLICT, applyStatus, defineScripts, SCRIPT } from './redis-scripts';
import type { ScriptPipeline } from './redis-scripts';
import { JSON_STATE_CODEC } from './user-state-codec';
import type { SectionField, StateCodec } from './user-state-codec';
import type {
  ApplyBatch,
  ApplyResult,
  DueTimer,
  DueTimers,
  Revisioned,
  StateStore,
  StateWrite,
} from './store';

type Client = Redis | Cluster;
type Pipeline = ReturnType<Client['pipeline']>;
type Reply = [Error | null, unknown];

export interface RedisStateStoreOptions<S = unknown> {
  /** Constructed by main.ts only; a Cluster when REDIS_URL lists several nodes. */
  client: Client;
  /** REDIS_PREFIX: every key starts with it. */
  keyPrefix: string;
  /** Most decisions kept per user for the HTTP API (the list is trimmed on every append). */
  decisionsKept: number;
  /** Text form of the state documents; plain JSON by default (the engine passes USER_STATE_CODEC). */
  codec?: StateCodec<S>;
  /**
   * Told, after each write to a partition's due index, the earliest due time it armed there (the timer
   * poller sleeps until the earliest timer it knows of).
   */
  onTimersArmed?: (partition: number, earliestDueAt: number) => void;
}

/** Time to live of a decision log written without a state write (e.g. a duplicate-only batch), ms. */
const DEFAULT_DECISION_TTL_MS = 30 * 24 * 3600 * 1000;

interface UserEntry<S extends Revisioned, D> {
  write?: StateWrite<S>;
  decisions: D[];
  /** The user's five integers of apply-users-n.lua's sizes (see the script), joined by spaces. */
  header: string;
  /** The user's parts of the script's body, in order. */
  parts: string[];
}

/**
 * Most arguments of one multi-user script call (for the apply call: its keys and the parts of its body):
 * a call is made by spreading its arguments, and a spread of some 125k overflows V8's stack; it also
 * bounds the body of one call. A larger batch (BATCH_MAX_RECORDS goes up to 100000) takes several calls
 * in the same pipeline: still one round trip, and a user never spans two calls.
 */
const SCRIPT_ARGS_MAX = 20_000;
/** KEYS each user adds to load-users-n.lua (state hash, history list) and apply-users-n.lua (+ decisions). */
const LOAD_KEYS_PER_USER = 2;
const APPLY_KEYS_PER_USER = 3;

/** One partition's timer writes of a batch, one per member (the last write of a member wins). */
type PartitionTimers = Map<string, { userId: string; dueAt: number | null }>;

/**
 * The StateStore on Redis (DESIGN.md decisions 3 and 5).
 *
 * - `load`: one script call reading every user's state hash (load-users-n.lua); on a Cluster, where the
 *   users' keys live in different slots, one call per user.
 * - `apply`: one pipeline holding one compare-and-set script call for all users (apply-users-n.lua;
 *   state + decision log, atomic per user; on a Cluster one call per user) and one timer
 *   script per touched partition. One command for the whole batch rather than one per user halved the
 *   engine's client-side CPU per user (ioredis' cost per command dominated). The due index `{t:<p>}` is in another slot than
 *   the users' keys, so it cannot be inside the user's script. That is safe because the index is a hint
 *   and the state the truth: on fire the lane re-reads the user's state and evaluate ignores a timer the
 *   state does not hold. The one unsafe case, a refused user whose timer write removed or moved a live
 *   timer of the winning writer, is undone by a compensation round trip that only runs after a conflict
 *   (a rebalance overlap) and only restores members still holding what this batch wrote.
 * - On Redis Cluster a pipeline must stay in one slot, so each user's and each partition's commands form
 *   a pipeline of their own, all sent at once: one round trip of wall time.
 *
 * `roundTrips` counts requests sent (pipelines or single commands, cluster fan-out counted once), for
 * the trigger_redis_roundtrips_total metric and the benchmark. Redis errors reject as `EngineError`s
 * (errors/redis-errors.ts), retriable when the connection went away.
 */
export class RedisStateStore<S extends Revisioned, D = unknown> implements StateStore<S, D> {
  readonly keys: RedisKeys;
  roundTrips = 0;
  private readonly client: Client;
  /** True on Redis Cluster: one script call per user (their keys live in different slots). */
  readonly cluster: boolean;

  private readonly codec: StateCodec<S>;

  constructor(private readonly opts: RedisStateStoreOptions<S>) {
    this.codec = opts.codec ?? (JSON_STATE_CODEC as StateCodec<S>);
    this.client = opts.client;
    this.cluster = (opts.client as { isCluster?: boolean }).isCluster === true;
    this.keys = redisKeys(opts.keyPrefix);
    defineScripts(this.client);
  }

  async load(userIds: readonly string[]): Promise<Map<string, S>> {
    return decodeLoaded(this.codec, await this.loadRaw(userIds));
  }

  /**
   * The load script's replies for `userIds` (duplicates dropped), undecoded: what `load` decodes with
   * `decodeLoaded`. A lane that decodes on a worker thread sends these strings there.
   */
  async loadRaw(userIds: readonly string[]): Promise<LoadedRaw> {
    const ids = [...new Set(userIds)];
    if (ids.length === 0) return { ids, values: [] };
    // Cluster: one call per user (their keys live in different slots). Single Redis: one call (a few for a
    // batch beyond SCRIPT_ARGS_MAX).
    const parts = this.cluster ? ids.map((id) => [id]) : chunks(ids, () => LOAD_KEYS_PER_USER);
    const results = await this.run(
      parts.map(
        (part) => (p: Pipeline) =>
          (p as ScriptPipeline)[SCRIPT.loadUsers.command](
            LOAD_KEYS_PER_USER * part.length,
            ...part.flatMap((id) => [this.keys.state(id), this.keys.history(id)]),
          ),
      ),
    );
    return { ids, values: results.flatMap((r) => reply(r) as (string | null)[]) };
  }

  async apply(batch: ApplyBatch<S, D>): Promise<ApplyResult> {
    return this.applyEncoded(
      encodeApply({ codec: this.codec, keys: this.keys, cluster: this.cluster }, batch),
    );
  }

  /** Sends what `encodeApply` built: one round trip (a second only to undo timer writes after a conflict). */
  async applyEncoded(encoded: EncodedApply): Promise<ApplyResult> {
    const { calls, timers } = encoded;
    let results: Reply[];
    try {
      results = await this.run([
        ...calls.map((call) => (p: Pipeline) => {
          (p as ScriptPipeline)[SCRIPT.applyUsers.command](
            call.keys.length,
            ...call.keys,
            String(this.opts.decisionsKept),
            call.sizes,
            call.body,
          );
        }),
        ...timers.map(([partition, entries]) => (p: Pipeline) => {
          const args = entries.flatMap(([member, , dueAt]) => [member, dueAt === null ? '' : String(dueAt)]);
          (p as ScriptPipeline)[SCRIPT.setTimers.command](this.keys.timers(partition), ...args);
        }),
      ]);
    } finally {
      // Reported whether or not the call succeeded, refused users' timers included: what reached Redis is
      // in the index (until restored), and a poll that finds nothing due costs less than a timer found late.
      for (const [partition, entries] of timers)
        this.armed(
          partition,
          entries.map(([, , dueAt]) => dueAt),
        );
    }

    const statuses = calls.flatMap((_, i) => reply(results[i]) as unknown[]);
    const conflicts = encoded.userIds.filter((_, i) => applyStatus(statuses[i]) === APPLY_CONFLICT);
    if (conflicts.length > 0) {
      const previous = timers.map((_, j) => reply(results[calls.length + j]) as string[]);
      await this.restoreTimers(new Set(conflicts), timers, previous);
    }
    return { conflicts };
  }

  async dueTimers(partition: number, upTo: number, limit: number): Promise<DueTimers> {
    const key = this.keys.timers(partition);
    const [due, next] = await this.run([
      (p) => p.zrangebyscore(key, '-inf', upTo, 'WITHSCORES', 'LIMIT', 0, limit),
      (p) => p.zrangebyscore(key, `(${upTo}`, '+inf', 'WITHSCORES', 'LIMIT', 0, 1),
    ]);
    const raw = reply(due) as string[];
    const out: DueTimer[] = [];
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const member = parseTimerMember(raw[i] as string);
      if (member) out.push({ ...member, dueAt: Number(raw[i + 1]) });
    }
    const after = reply(next) as string[];
    // A score of "inf" (not one the engine writes) is no time to wake for.
    const nextDueAt = after.length >= 2 ? Number(after[1]) : NaN;
    return { due: out, nextDueAt: Number.isFinite(nextDueAt) ? nextDueAt : null };
  }

  /** Number of armed timers of a partition (the trigger_timers_pending gauge). */
  async pendingTimers(partition: number): Promise<number> {
    return this.single(() => this.client.zcard(this.keys.timers(partition)));
  }

  async recentDecisions(userId: string, limit: number): Promise<D[]> {
    if (limit <= 0) return [];
    const raw = await this.single(() => this.client.lrange(this.keys.decisions(userId), 0, limit - 1));
    return raw.map((r) => JSON.parse(r) as D);
  }

  /** Undoes the timer writes of refused users (see the class comment); one round trip, after a conflict only. */
  private async restoreTimers(
    refused: ReadonlySet<string>,
    timers: EncodedApply['timers'],
    previous: readonly string[][],
  ): Promise<void> {
    const groups: ((p: Pipeline) => void)[] = [];
    timers.forEach(([partition, entries], j) => {
      const args: string[] = [];
      entries.forEach(([member, userId, dueAt], k) => {
        if (!refused.has(userId)) return;
        args.push(member, dueAt === null ? '' : String(dueAt), previous[j]?.[k] ?? '');
      });
      if (args.length === 0) return;
      groups.push((p) =>
        (p as ScriptPipeline)[SCRIPT.restoreTimers.command](this.keys.timers(partition), ...args),
      );
    });
    const results = await this.run(groups);
    results.forEach(reply);
    timers.forEach(([partition, entries], j) =>
      this.armed(
        partition,
        entries.map(([, userId], k) =>
          refused.has(userId) && previous[j]?.[k] ? Number(previous[j]?.[k]) : null,
        ),
      ),
    );
  }

  /** Tells `onTimersArmed` the earliest of `dueAts` (null: a disarm) written to `partition`'s index. */
  private armed(partition: number, dueAts: readonly (number | null)[]): void {
    if (!this.opts.onTimersArmed) return;
    let earliest = Infinity;
    for (const d of dueAts) if (d !== null && d < earliest) earliest = d;
    if (earliest !== Infinity) this.opts.onTimersArmed(partition, earliest);
  }

  /** Sends one pipeline (single Redis) or one per group (Cluster) at once: one round trip. */
  private async run(groups: readonly ((p: Pipeline) => void)[]): Promise<Reply[]> {
    if (groups.length === 0) return [];
    this.roundTrips += 1;
    try {
      if (!this.cluster) {
        const p = this.client.pipeline();
        for (const g of groups) g(p);
        return ((await p.exec()) ?? []) as Reply[];
      }
      const results = await Promise.all(
        groups.map((g) => {
          const p = this.client.pipeline();
          g(p);
          return p.exec();
        }),
      );
      return results.flatMap((r) => (r ?? []) as Reply[]);
    } catch (err) {
      throw fromRedisError(err);
    }
  }

  private async single<T>(command: () => Promise<T>): Promise<T> {
    this.roundTrips += 1;
    try {
      return await command();
    } catch (err) {
      throw fromRedisError(err);
    }
  }
}

/** What `loadRaw` read: five values per user of `ids`, in order (revision, document, p, t, joined history). */
export interface LoadedRaw {
  ids: string[];
  values: (string | null)[];
}

/**
 * The Redis calls of one `apply`, as plain data (strings, buffers, numbers): built where the states are
 * (`encodeApply`, on a worker thread too) and sent by `applyEncoded`.
 */
export interface EncodedApply {
  /** Every user written, in the order of the calls' replies. */
  userIds: string[];
  /** apply-users-n.lua calls: their KEYS, the sizes line and the body (see the script). */
  calls: { keys: string[]; sizes: string; body: Buffer }[];
  /** Per partition, its timer writes: member, user, due time (null: removed). */
  timers: [partition: number, entries: [member: string, userId: string, dueAt: number | null][]][];
}

/** The states of `loadRaw`'s reply, decoded; users without a stored state are absent. */
export function decodeLoaded<S extends Revisioned>(codec: StateCodec<S>, raw: LoadedRaw): Map<string, S> {
  const out = new Map<string, S>();
  raw.ids.forEach((id, i) => {
    const [rev, doc, p, t, history] = raw.values.slice(5 * i, 5 * i + 5);
    if (typeof rev !== 'string' || typeof doc !== 'string') return;
    const sections: Partial<Record<SectionField, string>> = {};
    if (typeof p === 'string') sections.p = p;
    if (typeof t === 'string') sections.t = t;
    const state = codec.decode(doc, sections, typeof history === 'string' ? history : '');
    state.rev = Number(rev);
    out.set(id, state);
  });
  return out;
}

/**
 * Builds the calls of an apply without I/O: each user's state (through the codec), decision log entries
 * and revision check in apply-users-n.lua's body, and the timer writes per partition (the last write of a
 * member wins).
 */
export function encodeApply<S extends Revisioned, D>(
  opts: { codec: StateCodec<S>; keys: RedisKeys; cluster: boolean },
  batch: ApplyBatch<S, D>,
): EncodedApply {
  const users = new Map<string, UserEntry<S, D>>();
  const entry = (id: string) => {
    let e = users.get(id);
    if (!e) users.set(id, (e = { decisions: [], header: '', parts: [] }));
    return e;
  };
  for (const w of batch.states) entry(w.userId).write = w;
  for (const d of batch.decisions) entry(d.userId).decisions.push(d.decision);
  for (const e of users.values()) encodeUser(opts.codec, e);
  const partitions = new Map<number, PartitionTimers>();
  for (const t of batch.timers) {
    const index = partitions.get(t.partition) ?? new Map<string, { userId: string; dueAt: number | null }>();
    partitions.set(t.partition, index);
    const member = timerMember(t.userId, t.timerId);
    index.delete(member); // re-insert so a member's order is its last write's
    index.set(member, { userId: t.userId, dueAt: t.dueAt });
  }
  const userIds = [...users.keys()];
  // Cluster: one call per user (its keys share a slot). Single Redis: one call for all users (a few for
  // a batch beyond SCRIPT_ARGS_MAX arguments).
  const parts = opts.cluster
    ? userIds.map((id) => [id])
    : chunks(userIds, (id) => APPLY_KEYS_PER_USER + (users.get(id) as UserEntry<S, D>).parts.length);
  return {
    userIds,
    calls: parts.map((part) => applyCall(opts.keys, part, users)),
    timers: [...partitions].map(([partition, index]) => [
      partition,
      [...index].map(([member, t]) => [member, t.userId, t.dueAt]),
    ]),
  };
}

/** apply-users-n.lua's arguments for the users `ids` (all of a batch on a single Redis, one on a Cluster). */
function applyCall<S extends Revisioned, D>(
  keys: RedisKeys,
  ids: readonly string[],
  users: ReadonlyMap<string, UserEntry<S, D>>,
): EncodedApply['calls'][number] {
  const callKeys: string[] = [];
  let chars = 0;
  for (const id of ids) {
    callKeys.push(keys.state(id), keys.decisions(id), keys.history(id));
    for (const part of (users.get(id) as UserEntry<S, D>).parts) chars += part.length;
  }
  // One body of all parts and a list of their byte lengths rather than an argument per part: ioredis's
  // cost is per argument (docs/performance.md). Written straight into one buffer (UTF-8 takes at most
  // three bytes per UTF-16 unit), which also gives each part's byte length; joining the strings first
  // cost four times as much.
  const buffer = Buffer.allocUnsafe(3 * chars);
  const sizes: string[] = [];
  let at = 0;
  for (const id of ids) {
    const e = users.get(id) as UserEntry<S, D>;
    sizes.push(e.header);
    for (const part of e.parts) {
      const written = buffer.write(part, at, 'utf8');
      at += written;
      sizes.push(String(written));
    }
  }
  return { keys: callKeys, sizes: sizes.join(' '), body: buffer.subarray(0, at) };
}

/** One user's header and parts of apply-users-n.lua (see the script). */
function encodeUser<S extends Revisioned, D>(codec: StateCodec<S>, e: UserEntry<S, D>): void {
  const w = e.write;
  // The revision lives in hash field `r` (the script sets it) and a load reads it from there, so the
  // state is encoded as it is.
  const encoded = w ? codec.encode(w.next, w.previous) : null;
  const history = encoded?.history;
  const drop = history === undefined ? 0 : history.drop === 'all' ? -1 : history.drop;
  e.header = `${w?.expectedRev ?? 0} ${w?.ttlMs || DEFAULT_DECISION_TTL_MS} ${drop} ${history?.push.length ?? 0} ${e.decisions.length}`;
  const parts = [encoded?.doc ?? '', encoded?.sections?.p ?? '', encoded?.sections?.t ?? ''];
  if (history) for (const entry of history.push) parts.push(entry);
  for (const d of e.decisions) parts.push(JSON.stringify(d));
  e.parts = parts;
}

/** `items` in order, cut into runs whose `size` adds up to at most SCRIPT_ARGS_MAX (one item alone may exceed it). */
function chunks<T>(items: readonly T[], size: (item: T) => number): T[][] {
  const out: T[][] = [];
  let part: T[] = [];
  let used = 0;
  for (const item of items) {
    const n = size(item);
    if (part.length > 0 && used + n > SCRIPT_ARGS_MAX) {
      out.push(part);
      part = [];
      used = 0;
    }
    part.push(item);
    used += n;
  }
  if (part.length > 0) out.push(part);
  return out;
}

/** The value of one pipeline reply; an error reply (or a missing one) rejects the whole call. */
function reply(r: Reply | undefined): unknown {
  if (r === undefined)
    throw new EngineError('redis_reply_missing', 'Redis pipeline returned fewer replies than commands.', {
      retriable: true,
    });
  if (r[0]) throw fromRedisError(r[0]);
  return r[1];
}
