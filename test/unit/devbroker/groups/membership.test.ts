import { ErrorCode } from '../../../../services/devbroker/errors';
import type { JoinResult } from '../../../../services/devbroker/groups';
import { flush, G, REBALANCE, SESSION, setup, track } from './group-harness';

describe('GroupCoordinator: joining', () => {
  it('answers a v4+ join without member id with 79 and an id, then admits that id', async () => {
    const t = setup();
    const first = await t.c.join(t.req(''));
    expect(first).toMatchObject({ errorCode: 79, memberId: 'm1', generation: -1 });
    expect(t.state()).toBe('Empty');
    const j = t.join('m1');
    await flush();
    expect(j.value).toMatchObject({
      errorCode: 0,
      generation: 1,
      leaderId: 'm1',
      protocolName: 'RoundRobinAssigner',
    });
    expect(j.value.members).toEqual([{ memberId: 'm1', metadata: Buffer.from('meta-m1') }]);
    expect(t.state()).toBe('CompletingRebalance');
  });

  it('admits a v0-3 join without member id at once (no handshake)', async () => {
    const t = setup();
    const j = t.join('', { requireKnownMemberId: false });
    await flush();
    expect(j.value).toMatchObject({ errorCode: 0, generation: 1, memberId: 'm1' });
  });

  it('holds joins until every member rejoined; generation 2 keeps the leader; members go to the leader only', async () => {
    const t = setup();
    const a = await t.stableOne();
    const b = await t.handshake();
    const jb = t.join(b);
    await flush();
    expect(jb.done).toBe(false);
    expect(t.c.heartbeat(G, a, 1)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const ja = t.join(a);
    await flush();
    const leader = ja.value as JoinResult;
    const follower = jb.value as JoinResult;
    expect(leader).toMatchObject({ errorCode: 0, generation: 2, leaderId: a, memberId: a });
    expect(follower).toMatchObject({ errorCode: 0, generation: 2, leaderId: a, memberId: b, members: [] });
    expect(leader.members.map((m) => m.memberId).sort()).toEqual([a, b].sort());
  });

  it('answers a parked join with 27 when the member sends it again, and holds the new one', async () => {
    const t = setup();
    const a = await t.stableOne();
    const b = await t.handshake();
    const first = t.join(b);
    await flush();
    const second = t.join(b);
    await flush();
    expect(first.value.errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    expect(second.done).toBe(false);
    t.join(a);
    await flush();
    expect(second.value).toMatchObject({ errorCode: 0, generation: 2 });
  });

  it('an unchanged follower rejoining a Stable group gets the current generation without a rebalance', async () => {
    const t = setup();
    const { b } = await t.stableTwo();
    const j = t.join(b);
    await flush();
    expect(j.value).toMatchObject({ errorCode: 0, generation: 2, members: [] });
    expect(t.state()).toBe('Stable');
  });

  it('rejects an invalid session timeout, an empty group id, another protocol type and an unknown member', async () => {
    const t = setup();
    expect((await t.c.join(t.req('', { sessionTimeoutMs: 5999 }))).errorCode).toBe(
      ErrorCode.INVALID_SESSION_TIMEOUT,
    );
    expect((await t.c.join(t.req('', { groupId: '' }))).errorCode).toBe(ErrorCode.INVALID_GROUP_ID);
    await t.stableOne();
    expect((await t.c.join(t.req('', { protocolType: 'connect' }))).errorCode).toBe(
      ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
    );
    expect(
      (await t.c.join(t.req('', { protocols: [{ name: 'other', metadata: Buffer.alloc(0) }] }))).errorCode,
    ).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    expect((await t.c.join(t.req('nobody'))).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });
});

describe('GroupCoordinator: syncing', () => {
  it("holds a follower's sync until the leader's, then answers each member its own bytes", async () => {
    const t = setup();
    const { a, b } = await t.completingTwo();
    const sb = t.sync(b, 2);
    await flush();
    expect(sb.done).toBe(false);
    expect(t.state()).toBe('CompletingRebalance');
    const sa = t.sync(a, 2, { [a]: 'for-a' }); // the leader leaves b out: b gets empty bytes
    await flush();
    expect(sa.value).toEqual({ errorCode: 0, assignment: Buffer.from('for-a') });
    expect(sb.value).toEqual({ errorCode: 0, assignment: Buffer.alloc(0) });
    expect(t.state()).toBe('Stable');
    const again = t.sync(b, 2);
    await flush();
    expect(again.value.errorCode).toBe(0);
  });

  it('answers 27 to held syncs when a new rebalance starts, and 27 to a sync during Preparing', async () => {
    const t = setup();
    const { a, b } = await t.completingTwo();
    const sb = t.sync(b, 2);
    await flush();
    const c = await t.handshake();
    t.join(c);
    await flush();
    expect(sb.value.errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    expect(t.state()).toBe('PreparingRebalance');
    const late = t.sync(a, 2, {});
    await flush();
    expect(late.value.errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
  });

  it('the pending-sync timer removes members that never synced and rebalances the rest', async () => {
    const t = setup();
    const { a, b } = await t.completingTwo();
    const sb = t.sync(b, 2); // the leader a heartbeats but never syncs
    await flush();
    for (let ms = 0; ms < REBALANCE; ms += 1000) {
      expect(t.c.heartbeat(G, a, 2)).toBe(0);
      t.clock.advance(1000);
    }
    await flush();
    expect(sb.value.errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    expect(t.c.describe(G).members.map((m) => m.memberId)).toEqual([b]);
    const jb = t.join(b);
    await flush();
    expect(jb.value).toMatchObject({ errorCode: 0, generation: 3, leaderId: b });
  });

  it('answers 22 to a stale generation and 25 to an unknown member or group', async () => {
    const t = setup();
    const { a } = await t.stableTwo();
    const stale = t.sync(a, 1);
    const unknown = t.sync('nobody', 2);
    const noGroup = track(t.c.sync({ groupId: 'other', memberId: a, generation: 2, assignments: [] }));
    await flush();
    expect(stale.value.errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(unknown.value.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(noGroup.value.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });
});

describe('GroupCoordinator: heartbeats, expiry, eviction and leaving', () => {
  it('answers Heartbeat 0 in Completing and Stable, 27 only in Preparing, 22 and 25 otherwise', async () => {
    const t = setup();
    const a = await t.handshake();
    t.join(a);
    await flush();
    expect(t.state()).toBe('CompletingRebalance');
    expect(t.c.heartbeat(G, a, 1)).toBe(0);
    t.sync(a, 1, {});
    await flush();
    expect(t.state()).toBe('Stable');
    expect(t.c.heartbeat(G, a, 1)).toBe(0);
    expect(t.c.heartbeat(G, a, 0)).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(t.c.heartbeat(G, 'nobody', 1)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(t.c.heartbeat('other', a, 1)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(t.c.heartbeat('', a, 1)).toBe(ErrorCode.INVALID_GROUP_ID);
    const b = await t.handshake();
    t.join(b);
    await flush();
    expect(t.c.heartbeat(G, a, 1)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
  });

  it('evicts a member that misses the rebalance deadline; its later heartbeat gets 25', async () => {
    const t = setup();
    const { a, b } = await t.stableTwo();
    const c = await t.handshake();
    const jc = t.join(c);
    const ja = t.join(a);
    await flush();
    t.clock.advance(REBALANCE - 1);
    expect(ja.done).toBe(false);
    t.c.heartbeat(G, a, 2); // keep nothing else from expiring first; b stays silent but is within its session
    t.clock.advance(1);
    await flush();
    expect(ja.value).toMatchObject({ errorCode: 0, generation: 3, leaderId: a });
    expect(jc.value).toMatchObject({ errorCode: 0, generation: 3 });
    expect((ja.value as JoinResult).members.map((m) => m.memberId).sort()).toEqual([a, c].sort());
    expect(t.c.heartbeat(G, b, 2)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('removes a member whose session expires and rebalances the others; a held join is not expired', async () => {
    const t = setup();
    const { a, b } = await t.stableTwo();
    for (let i = 0; i < 5; i++) {
      t.clock.advance(SESSION / 2);
      if (t.state() !== 'Stable') break;
      expect(t.c.heartbeat(G, a, 2)).toBe(0); // only a keeps heartbeating
    }
    expect(t.state()).toBe('PreparingRebalance');
    expect(t.c.describe(G).members.map((m) => m.memberId)).toEqual([a]);
    expect(t.c.heartbeat(G, a, 2)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const ja = t.join(a);
    await flush();
    expect(ja.value).toMatchObject({ errorCode: 0, generation: 3, leaderId: a });
    expect(t.c.heartbeat(G, b, 3)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('drops a pending member id that never comes back, so the barrier does not wait on it', async () => {
    const t = setup();
    const a = await t.handshake();
    await t.handshake(); // m2 never rejoins
    const ja = t.join(a);
    await flush();
    expect(ja.done).toBe(false);
    t.clock.advance(SESSION);
    await flush();
    expect(ja.value).toMatchObject({ errorCode: 0, generation: 1 });
  });

  it('LeaveGroup rebalances the rest; a pending id leaves silently; unknown ids and groups get 25', async () => {
    const t = setup();
    const { a, b } = await t.stableTwo();
    expect(t.c.leave(G, [b])).toEqual({ topLevel: 0, perMember: [0] });
    expect(t.state()).toBe('PreparingRebalance');
    const ja = t.join(a);
    await flush();
    expect(ja.value).toMatchObject({ errorCode: 0, generation: 3, leaderId: a });
    const pending = await t.handshake();
    expect(t.c.leave(G, [pending, 'nobody'])).toEqual({ topLevel: 25, perMember: [0, 25] });
    expect(t.c.leave('missing', ['x'])).toEqual({ topLevel: 25, perMember: [25] });
    expect(t.c.leave('', ['x']).topLevel).toBe(ErrorCode.INVALID_GROUP_ID);
  });

  it('the last member leaving empties the group', async () => {
    const t = setup();
    const { a, b } = await t.stableTwo();
    t.c.leave(G, [a]);
    t.c.leave(G, [b]);
    expect(t.state()).toBe('Empty');
    expect(t.c.describe(G).members).toEqual([]);
  });
});

describe('GroupCoordinator: closing', () => {
  it('close answers held requests with 15 and leaves no timer armed', async () => {
    const t = setup();
    const a = await t.stableOne();
    const b = await t.handshake();
    const jb = t.join(b);
    await flush();
    t.c.close();
    await flush();
    expect(jb.value.errorCode).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    expect(a).toBe('m1');
    expect(t.clock.pending()).toBe(0);
  });
});
