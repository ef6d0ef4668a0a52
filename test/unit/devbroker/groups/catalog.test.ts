import { ErrorCode } from '../../../../services/devbroker/errors';
import { flush, G, setup } from './group-harness';

describe('GroupCoordinator: describe, list, delete', () => {
  it('describes a missing group as Dead and a Stable one with protocol, metadata and assignment', async () => {
    const t = setup();
    expect(t.c.describe('missing')).toEqual({
      groupId: 'missing',
      state: 'Dead',
      protocolType: '',
      protocolName: '',
      members: [],
    });
    const { a } = await t.stableTwo();
    const d = t.c.describe(G);
    expect(d).toMatchObject({
      state: 'Stable',
      protocolType: 'consumer',
      protocolName: 'RoundRobinAssigner',
    });
    expect(d.members.find((m) => m.memberId === a)).toMatchObject({
      clientId: 'client',
      metadata: Buffer.from(`meta-${a}`),
      assignment: Buffer.from('A2'),
    });
    const c = await t.handshake();
    t.join(c);
    await flush();
    const preparing = t.c.describe(G);
    expect(preparing).toMatchObject({ state: 'PreparingRebalance', protocolName: '' });
    expect(preparing.members.every((m) => m.metadata.length === 0 && m.assignment.length === 0)).toBe(true);
  });

  it('lists every group, commit-only groups with protocol type ""', async () => {
    const t = setup();
    await t.c.commitOffsets('solo', '', -1, [{ topic: 't', partition: 0, offset: 1n, metadata: null }]);
    await t.stableOne();
    expect(t.c.list().sort((x, y) => x.groupId.localeCompare(y.groupId))).toEqual([
      { groupId: G, protocolType: 'consumer' },
      { groupId: 'solo', protocolType: '' },
    ]);
  });

  it('DeleteGroups: 69 for an unknown group, 68 with members, 0 otherwise (and the commits go)', async () => {
    const t = setup();
    await t.c.commitOffsets('solo', '', -1, [{ topic: 't', partition: 0, offset: 1n, metadata: null }]);
    await t.stableOne();
    expect(t.c.deleteGroups(['missing', G, 'solo'])).toEqual([
      ErrorCode.GROUP_ID_NOT_FOUND,
      ErrorCode.NON_EMPTY_GROUP,
      0,
    ]);
    expect(t.c.describe('solo').state).toBe('Dead');
    expect(t.c.fetchOffsets('solo', null)).toEqual([]);
  });
});
