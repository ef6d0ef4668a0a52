import {
  ConfigSource,
  decodeDescribeConfigs,
  describeResource,
  encodeDescribeConfigs,
  ResourceType,
} from '../../../../services/devbroker/apis/describe-configs';
import { ErrorCode } from '../../../../services/devbroker/errors';
import { TOPIC_CONFIG_DEFAULTS, TopicStore } from '../../../../services/devbroker/log';
import { Reader, Writer } from '../../../../services/devbroker/protocol';
import { testContext } from './broker-context';

// devbroker.md §4 DescribeConfigs: TOPIC and BROKER resources; v0 is_default, v1+ config_source and
// synonyms; filtered by configuration_keys; an unknown topic gets 3. Layouts: apache/kafka
// DescribeConfigsRequest.json / DescribeConfigsResponse.json, versions 0-2 (non-flexible).
const topics = new TopicStore(null);
topics.create('t', 1, { 'retention.ms': '1000' });
const ctx = testContext({}, topics);

describe('DescribeConfigs request', () => {
  it.each([0, 1, 2])('v%d: resources with nullable key lists (v1+ then include_synonyms)', (v) => {
    const w = new Writer().array(
      [
        { type: 2, name: 't', keys: ['retention.ms'] as string[] | null },
        { type: 4, name: '1', keys: null },
      ],
      (x, r) =>
        x
          .int8(r.type)
          .string(r.name)
          .array(r.keys, (y, k) => y.string(k)),
    );
    if (v >= 1) w.bool(true);
    const r = new Reader(w.toBuffer());
    expect(decodeDescribeConfigs(v, r)).toEqual([
      { type: 2, name: 't', keys: ['retention.ms'] },
      { type: 4, name: '1', keys: null },
    ]);
    expect(r.remaining).toBe(0);
  });
});

describe('describeResource', () => {
  const topic = (keys: string[] | null, name = 't') =>
    describeResource(ctx, { type: ResourceType.TOPIC, name, keys });

  it("lists every known topic config: the topic's own values, Kafka's defaults for the rest", () => {
    const res = topic(null);
    expect(res).toMatchObject({ errorCode: 0, errorMessage: null, type: 2, name: 't' });
    expect(res.entries.map((e) => e.name).sort()).toEqual(Object.keys(TOPIC_CONFIG_DEFAULTS).sort());
    expect(res.entries.find((e) => e.name === 'retention.ms')).toEqual({
      name: 'retention.ms',
      value: '1000',
      source: ConfigSource.TOPIC,
    });
    expect(res.entries.find((e) => e.name === 'cleanup.policy')).toEqual({
      name: 'cleanup.policy',
      value: 'delete',
      source: ConfigSource.DEFAULT,
    });
  });

  it('filters by the requested keys and leaves unknown keys out', () => {
    expect(topic(['cleanup.policy', 'no.such.key']).entries.map((e) => e.name)).toEqual(['cleanup.policy']);
    expect(topic([]).entries).toEqual([]);
  });

  it('answers 3 for an unknown topic and 17 for an invalid name, without entries', () => {
    expect(topic(null, 'missing')).toMatchObject({
      errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      entries: [],
    });
    expect(topic(null, 'bad name!').errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
  });

  it("describes this broker's settings; changed ones as static config, Kafka's defaults as default", () => {
    const res = describeResource(ctx, { type: ResourceType.BROKER, name: '1', keys: null });
    expect(res.errorCode).toBe(0);
    const byName = new Map(res.entries.map((e) => [e.name, e]));
    expect(byName.get('num.partitions')).toEqual({
      name: 'num.partitions',
      value: '3',
      source: ConfigSource.STATIC_BROKER,
    });
    expect(byName.get('message.max.bytes')).toMatchObject({ value: '1048588', source: ConfigSource.DEFAULT });
    expect(byName.get('auto.create.topics.enable')).toMatchObject({ value: 'true' });
  });

  it('answers 42 for another broker id or an unsupported resource type; "" is the empty default', () => {
    expect(describeResource(ctx, { type: 4, name: '2', keys: null }).errorCode).toBe(
      ErrorCode.INVALID_REQUEST,
    );
    expect(describeResource(ctx, { type: 3, name: 'g', keys: null }).errorCode).toBe(
      ErrorCode.INVALID_REQUEST,
    );
    expect(describeResource(ctx, { type: 4, name: '', keys: null })).toMatchObject({
      errorCode: 0,
      entries: [],
    });
  });
});

describe('DescribeConfigs response bytes', () => {
  const results = [
    {
      errorCode: 0,
      errorMessage: null,
      type: 2,
      name: 't',
      entries: [
        { name: 'a', value: '1', source: ConfigSource.TOPIC },
        { name: 'b', value: '2', source: ConfigSource.DEFAULT },
      ],
    },
    { errorCode: 3, errorMessage: 'gone', type: 2, name: 'x', entries: [] },
  ];
  const head = (w: Writer, i: number) => {
    const r = results[i]!;
    return w.int16(r.errorCode).string(r.errorMessage).int8(r.type).string(r.name);
  };

  it('v0: throttle, then per entry name, value, read_only, is_default, is_sensitive', () => {
    const expected = new Writer().int32(0).int32(2);
    head(expected, 0).int32(2);
    expected.string('a').string('1').bool(false).bool(false).bool(false);
    expected.string('b').string('2').bool(false).bool(true).bool(false);
    head(expected, 1).int32(0);
    expect(encodeDescribeConfigs(0, results).toBuffer()).toEqual(expected.toBuffer());
  });

  it.each([1, 2])('v%d: config_source instead of is_default, and an empty synonyms array', (v) => {
    const expected = new Writer().int32(0).int32(2);
    head(expected, 0).int32(2);
    expected.string('a').string('1').bool(false).int8(1).bool(false).int32(0);
    expected.string('b').string('2').bool(false).int8(5).bool(false).int32(0);
    head(expected, 1).int32(0);
    expect(encodeDescribeConfigs(v, results).toBuffer()).toEqual(expected.toBuffer());
  });
});
