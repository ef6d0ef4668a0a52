import { ErrorCode } from '../../../../services/devbroker/errors';
import { flush, G, REBALANCE, setup } from './group-harness';

describe('GroupCoordinator: offsets', () => {
  const e = (offset: bigint, partition = 0, metadata: string | null = null) => ({
    topic: 't',
    partition,
    offset,
    metadata,
  });

  it('accepts a commit during Preparing and refuses one in Completing with 27', async () => {
    const t = setup();
    const { a } = await t.stableTwo();
    const c = await t.handshake();
    t.join(c);
    await flush();
    expect(t.state()).toBe('PreparingRebalance');
    expect(await t.c.commitOffsets(G, a, 2, [e(5n)])).toEqual([0]);
    t.join(a);
    t.clock.advance(REBALANCE);
    await flush();
    expect(t.state()).toBe('CompletingRebalance');
    expect(await t.c.commitOffsets(G, a, 3, [e(6n)])).toEqual([ErrorCode.REBALANCE_IN_PROGRESS]);
    expect(t.c.fetchOffsets(G, [{ topic: 't', partitions: [0] }])[0]?.partitions[0]?.offset).toBe(5n);
  });

  it('checks member (25) and generation (22); simple commits need an Empty or missing group', async () => {
    const t = setup();
    expect(await t.c.commitOffsets('solo', '', -1, [e(3n)])).toEqual([0]);
    const { a } = await t.stableTwo();
    expect(await t.c.commitOffsets(G, 'nobody', 2, [e(1n)])).toEqual([ErrorCode.UNKNOWN_MEMBER_ID]);
    expect(await t.c.commitOffsets(G, a, 1, [e(1n)])).toEqual([ErrorCode.ILLEGAL_GENERATION]);
    expect(await t.c.commitOffsets(G, '', -1, [e(1n)])).toEqual([ErrorCode.UNKNOWN_MEMBER_ID]);
    expect(await t.c.commitOffsets(G, a, 2, [e(9n)])).toEqual([0]);
  });

  it('answers 3 for an unknown partition and 12 for metadata over 4096 bytes, per partition', async () => {
    const t = setup();
    const codes = await t.c.commitOffsets('solo', '', -1, [
      e(1n, 0, 'x'.repeat(4096)),
      e(1n, 7),
      e(1n, 1, 'x'.repeat(4097)),
    ]);
    expect(codes).toEqual([0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.OFFSET_METADATA_TOO_LARGE]);
  });

  it('OffsetFetch: -1 and "" for nothing committed; null topics means everything committed', async () => {
    const t = setup();
    await t.c.commitOffsets('solo', '', -1, [e(4n, 1, 'meta')]);
    expect(t.c.fetchOffsets('solo', [{ topic: 't', partitions: [0, 1] }])).toEqual([
      {
        topic: 't',
        partitions: [
          { partition: 0, offset: -1n, metadata: '' },
          { partition: 1, offset: 4n, metadata: 'meta' },
        ],
      },
    ]);
    expect(t.c.fetchOffsets('solo', null)).toEqual([
      { topic: 't', partitions: [{ partition: 1, offset: 4n, metadata: 'meta' }] },
    ]);
    expect(t.c.fetchOffsets('none', null)).toEqual([]);
  });

  it('drops a deleted topic’s commits', async () => {
    const t = setup();
    await t.c.commitOffsets('solo', '', -1, [e(4n)]);
    t.c.deleteTopicOffsets('t');
    expect(t.c.fetchOffsets('solo', [{ topic: 't', partitions: [0] }])[0]?.partitions[0]?.offset).toBe(-1n);
  });
});
