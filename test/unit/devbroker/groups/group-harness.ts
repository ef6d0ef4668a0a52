/** Shared set-up for the GroupCoordinator unit tests (membership, commits, catalog). */
import { ErrorCode } from '../../../../services/devbroker/errors';
import { GroupCoordinator } from '../../../../services/devbroker/groups';
import type { JoinRequest } from '../../../../services/devbroker/groups';
import { FakeScheduler } from './fake-scheduler';

export const SESSION = 6000;
export const REBALANCE = 10_000;
export const G = 'g';

/** Lets settled promises' callbacks run. */
export const flush = () => new Promise<void>((r) => setImmediate(r));

/** Follows a promise so a test can ask whether it has been answered yet. */
export function track<T>(p: Promise<T>): { readonly done: boolean; readonly value: T } {
  const t = { done: false, value: undefined as T | undefined };
  void p.then((v) => {
    t.done = true;
    t.value = v;
  });
  return t as { done: boolean; value: T };
}

/** A coordinator on a manual clock, with helpers that drive members through join and sync. */
export function setup(partitions = new Set(['t/0', 't/1'])) {
  const clock = new FakeScheduler();
  let n = 0;
  const c = new GroupCoordinator({
    dataDir: null,
    scheduler: clock,
    newMemberId: () => `m${++n}`,
    partitionExists: (t, p) => partitions.has(`${t}/${p}`),
  });
  const req = (memberId: string, over: Partial<JoinRequest> = {}): JoinRequest => ({
    groupId: G,
    memberId,
    requireKnownMemberId: true,
    sessionTimeoutMs: SESSION,
    rebalanceTimeoutMs: REBALANCE,
    protocolType: 'consumer',
    protocols: [{ name: 'RoundRobinAssigner', metadata: Buffer.from(`meta-${memberId}`) }],
    clientId: 'client',
    clientHost: '/127.0.0.1',
    ...over,
  });
  /** The KIP-394 handshake: the first join gets 79 and an id. */
  const handshake = async (): Promise<string> => {
    const first = await c.join(req(''));
    expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    return first.memberId;
  };
  const join = (memberId: string, over: Partial<JoinRequest> = {}) => track(c.join(req(memberId, over)));
  const sync = (memberId: string, generation: number, assignments: Record<string, string> = {}) =>
    track(
      c.sync({
        groupId: G,
        memberId,
        generation,
        assignments: Object.entries(assignments).map(([id, a]) => ({
          memberId: id,
          assignment: Buffer.from(a),
        })),
      }),
    );
  const state = () => c.describe(G).state;

  /** A alone and Stable at generation 1. */
  const stableOne = async () => {
    const a = await handshake();
    const ja = join(a);
    await flush();
    expect(ja.value).toMatchObject({ errorCode: 0, generation: 1, leaderId: a, memberId: a });
    const sa = sync(a, 1, { [a]: 'A1' });
    await flush();
    expect(sa.value).toEqual({ errorCode: 0, assignment: Buffer.from('A1') });
    return a;
  };

  /** A (leader) Stable, then B joins and both rejoin: CompletingRebalance at generation 2, no sync yet. */
  const completingTwo = async () => {
    const a = await stableOne();
    const b = await handshake();
    join(b);
    join(a);
    await flush();
    return { a, b };
  };

  /** A (leader) and B, Stable at generation 2. */
  const stableTwo = async () => {
    const a = await stableOne();
    const b = await handshake();
    const jb = join(b);
    await flush();
    expect(state()).toBe('PreparingRebalance');
    expect(jb.done).toBe(false);
    const ja = join(a);
    await flush();
    expect(ja.value.generation).toBe(2);
    const sb = sync(b, 2);
    const sa = sync(a, 2, { [a]: 'A2', [b]: 'B2' });
    await flush();
    expect(sb.value.assignment.toString()).toBe('B2');
    expect(sa.value.assignment.toString()).toBe('A2');
    expect(state()).toBe('Stable');
    return { a, b };
  };
  return { c, clock, req, handshake, join, sync, state, stableOne, completingTwo, stableTwo };
}
