import { buildRegistry } from '../../../../services/devbroker/apis';
import type { BrokerContext } from '../../../../services/devbroker/apis';
import { ErrorCode } from '../../../../services/devbroker/errors';
import { Reader, Writer } from '../../../../services/devbroker/protocol';
import { testConn, testContext } from './broker-context';

// devbroker.md §4 Metadata auto-create: the creating call answers LEADER_NOT_AVAILABLE (5) with no
// partitions, as Kafka does, unless configured to answer the partitions at once.
/** Metadata v4 for `topics` (allow_auto_topic_creation true); returns each topic's error and partitions. */
async function metadataV4(ctx: BrokerContext, topics: string[]) {
  const body = new Writer()
    .array(topics, (w, t) => w.string(t))
    .bool(true)
    .toBuffer();
  const out = await buildRegistry().get(3)?.handle(ctx, 4, new Reader(body), testConn);
  const r = new Reader(out?.toBuffer() ?? Buffer.alloc(0));
  r.int32(); // throttle
  r.array((x) => [x.int32(), x.string(), x.int32(), x.nullableString()]);
  r.nullableString(); // cluster id
  r.int32(); // controller
  return r.array((x) => {
    const error = x.int16();
    const name = x.string();
    x.bool();
    const partitions = x.array((y) => {
      y.int16();
      const p = y.int32();
      y.int32();
      y.array((z) => z.int32());
      y.array((z) => z.int32());
      return p;
    });
    return { error, name, partitions };
  });
}

describe('Metadata auto-create', () => {
  it('answers the creating call with 5 and no partitions, then the partitions', async () => {
    const ctx = testContext({});
    expect(await metadataV4(ctx, ['new'])).toEqual([
      { error: ErrorCode.LEADER_NOT_AVAILABLE, name: 'new', partitions: [] },
    ]);
    expect(await metadataV4(ctx, ['new'])).toEqual([{ error: 0, name: 'new', partitions: [0, 1, 2] }]);
  });
  it('with autoCreateReady, answers the creating call with the new partitions', async () => {
    const ctx = testContext({ autoCreateReady: true });
    expect(await metadataV4(ctx, ['new'])).toEqual([{ error: 0, name: 'new', partitions: [0, 1, 2] }]);
  });
  it('without auto-create, an unknown topic gets 3 and is not created', async () => {
    const ctx = testContext({ autoCreateTopics: false, autoCreateReady: true });
    expect((await metadataV4(ctx, ['new']))[0]?.error).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(ctx.topics.get('new')).toBeUndefined();
  });
});
