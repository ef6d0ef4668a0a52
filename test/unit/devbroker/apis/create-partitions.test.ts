import { buildRegistry } from '../../../../services/devbroker/apis';
import { checkIncrease, decodeCreatePartitions } from '../../../../services/devbroker/apis/create-partitions';
import { ErrorCode } from '../../../../services/devbroker/errors';
import { TopicStore } from '../../../../services/devbroker/log';
import { Reader, Writer } from '../../../../services/devbroker/protocol';
import { testConn, testContext } from './broker-context';

// devbroker.md §4 CreatePartitions: the new count must exceed the current one, else 37; §8: 39 for a
// bad assignment. Layouts: apache/kafka CreatePartitionsRequest.json / Response.json, v0-1.
const NODE = 1;

/** A v0/v1 request body as kafkajs writes it (assignments: nullable array of int32 arrays). */
function request(
  topics: { name: string; count: number; assignments?: number[][] | null }[],
  validateOnly = false,
): Buffer {
  return new Writer()
    .array(topics, (x, t) =>
      x
        .string(t.name)
        .int32(t.count)
        .array(t.assignments ?? null, (y, a) => y.array(a, (z, b) => z.int32(b))),
    )
    .int32(5000)
    .bool(validateOnly)
    .toBuffer();
}

describe('decodeCreatePartitions', () => {
  it('reads topics, counts, nullable assignments, the timeout and validate_only', () => {
    const r = new Reader(
      request(
        [
          { name: 't', count: 4, assignments: [[1], [1]] },
          { name: 'u', count: 2 },
        ],
        true,
      ),
    );
    expect(decodeCreatePartitions(r)).toEqual({
      topics: [
        { name: 't', count: 4, assignments: [[1], [1]] },
        { name: 'u', count: 2, assignments: null },
      ],
      validateOnly: true,
    });
    expect(r.remaining).toBe(0);
  });
});

describe('checkIncrease', () => {
  const t = (count: number, assignments: number[][] | null = null) => ({ name: 't', count, assignments });
  it('lets a larger count through, with or without one assignment per new partition on this node', () => {
    expect(checkIncrease(t(5), 3, NODE, false)).toBeNull();
    expect(checkIncrease(t(5, [[1], [1]]), 3, NODE, false)).toBeNull();
  });
  it('refuses the same or a smaller count with 37, an unknown topic with 3, a repeated one with 42', () => {
    expect(checkIncrease(t(3), 3, NODE, false)).toEqual({
      errorCode: ErrorCode.INVALID_PARTITIONS,
      message: 'Topic already has 3 partitions.',
    });
    expect(checkIncrease(t(2), 3, NODE, false)?.errorCode).toBe(ErrorCode.INVALID_PARTITIONS);
    expect(checkIncrease(t(4), undefined, NODE, false)?.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(checkIncrease(t(4), 3, NODE, true)?.errorCode).toBe(ErrorCode.INVALID_REQUEST);
  });
  it('refuses with 39 a wrong number of assignments, another broker, or more than one replica', () => {
    expect(checkIncrease(t(5, [[1]]), 3, NODE, false)?.errorCode).toBe(ErrorCode.INVALID_REPLICA_ASSIGNMENT);
    expect(checkIncrease(t(4, [[2]]), 3, NODE, false)?.errorCode).toBe(ErrorCode.INVALID_REPLICA_ASSIGNMENT);
    expect(checkIncrease(t(4, [[1, 1]]), 3, NODE, false)?.errorCode).toBe(
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
    );
  });
});

describe('CreatePartitions handler', () => {
  const topics = new TopicStore(null);
  const ctx = testContext({ nodeId: NODE }, topics);
  const handler = buildRegistry().get(37);
  const call = async (version: number, body: Buffer) => {
    const out = await handler?.handle(ctx, version, new Reader(body), testConn);
    const r = new Reader(out?.toBuffer() ?? Buffer.alloc(0));
    const throttle = r.int32();
    const results = r.array((x) => ({ name: x.string(), error: x.int16(), message: x.nullableString() }));
    expect(r.remaining).toBe(0);
    return { throttle, results };
  };
  beforeAll(() => topics.create('t', 2));

  it('is advertised as v0-1', () => {
    expect(handler).toMatchObject({ minVersion: 0, maxVersion: 1 });
  });
  it('validate_only checks without growing; otherwise the topic grows', async () => {
    expect(await call(0, request([{ name: 't', count: 4 }], true))).toEqual({
      throttle: 0,
      results: [{ name: 't', error: 0, message: null }],
    });
    expect(topics.get('t')?.partitions).toHaveLength(2);
    expect((await call(1, request([{ name: 't', count: 4 }]))).results[0]?.error).toBe(0);
    expect(topics.get('t')?.partitions).toHaveLength(4);
  });
  it('answers each topic on its own, with a message for errors', async () => {
    const { results } = await call(
      1,
      request([
        { name: 'missing', count: 2 },
        { name: 't', count: 4 },
      ]),
    );
    expect(results).toEqual([
      { name: 'missing', error: 3, message: "The topic 'missing' does not exist." },
      { name: 't', error: 37, message: 'Topic already has 4 partitions.' },
    ]);
  });
});
