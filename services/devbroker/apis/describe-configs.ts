import { ErrorCode } from '../errors';
import { isValidTopicName, TOPIC_CONFIG_DEFAULTS } from '../log';
import { Writer } from '../protocol';
import type { Reader } from '../protocol';
import type { ApiHandler, BrokerContext, BrokerSettings } from './types';

/** Config resource types (Kafka's ConfigResource.Type); the broker describes these two. */
export const ResourceType = { TOPIC: 2, BROKER: 4 } as const;

/** Where a value comes from (DescribeConfigs v1+ `config_source`). */
export const ConfigSource = { TOPIC: 1, STATIC_BROKER: 4, DEFAULT: 5 } as const;

/** One described config. */
export interface ConfigEntry {
  name: string;
  value: string;
  source: number;
}

/** One resource of a DescribeConfigs request; `keys` null means every config. */
export interface ConfigResource {
  type: number;
  name: string;
  keys: string[] | null;
}

/** One resource of the answer; `entries` is empty when `errorCode` is not 0. */
export interface ConfigResult {
  errorCode: number;
  errorMessage: string | null;
  type: number;
  name: string;
  entries: ConfigEntry[];
}

/** Decodes a DescribeConfigs v0-2 request (v1+ adds include_synonyms, which changes nothing here). */
export function decodeDescribeConfigs(version: number, r: Reader): ConfigResource[] {
  const resources = r.array((x) => ({
    type: x.int8(),
    name: x.string(),
    keys: x.nullableArray((y) => y.string()),
  }));
  if (version >= 1) r.bool();
  return resources;
}

/** A config's entry: `value` when set explicitly, else Kafka's default and source DEFAULT. */
const entry = (name: string, value: string, kafkaDefault: string, setSource: number): ConfigEntry => ({
  name,
  value,
  source: value === kafkaDefault ? ConfigSource.DEFAULT : setSource,
});

/**
 * The broker configs it honours, with Kafka's defaults; one that differs is reported as the broker's
 * static config (source 4), as Kafka does for server.properties.
 */
function brokerConfigs(s: BrokerSettings): ConfigEntry[] {
  const rows: [string, string, string][] = [
    ['broker.id', String(s.nodeId), '-1'],
    ['num.partitions', String(s.defaultPartitions), '1'],
    ['auto.create.topics.enable', String(s.autoCreateTopics), 'true'],
    ['default.replication.factor', '1', '1'],
    ['offsets.topic.replication.factor', '1', '3'],
    ['message.max.bytes', '1048588', '1048588'],
    ['socket.request.max.bytes', '104857600', '104857600'],
    ['offset.metadata.max.bytes', '4096', '4096'],
    ['group.min.session.timeout.ms', '6000', '6000'],
    ['group.max.session.timeout.ms', '1800000', '1800000'],
    ['group.initial.rebalance.delay.ms', '0', '3000'],
    ['delete.topic.enable', 'true', 'true'],
  ];
  return rows.map(([name, value, kafkaDefault]) =>
    entry(name, value, kafkaDefault, ConfigSource.STATIC_BROKER),
  );
}

/**
 * DescribeConfigs for one resource (devbroker.md §4): a topic's configs are its CreateTopics values
 * (source TOPIC) over Kafka's defaults (source DEFAULT); a broker's are its settings. Filtered by
 * `keys` when not null (unknown keys are left out, as Kafka does). An unknown topic gets 3, a bad name
 * 17, another broker id or resource type 42.
 */
export function describeResource(ctx: BrokerContext, res: ConfigResource): ConfigResult {
  const answer = (errorCode: number, errorMessage: string | null, entries: ConfigEntry[] = []) => ({
    errorCode,
    errorMessage,
    type: res.type,
    name: res.name,
    entries: res.keys === null ? entries : entries.filter((e) => res.keys?.includes(e.name)),
  });
  if (res.type === ResourceType.TOPIC) {
    if (!isValidTopicName(res.name)) return answer(ErrorCode.INVALID_TOPIC_EXCEPTION, 'invalid topic name');
    const topic = ctx.topics.get(res.name);
    if (!topic) {
      return answer(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${res.name}' does not exist.`);
    }
    const entries = Object.entries(TOPIC_CONFIG_DEFAULTS).map(([name, kafkaDefault]) => {
      const set = topic.configs[name];
      return set === undefined
        ? { name, value: kafkaDefault, source: ConfigSource.DEFAULT }
        : { name, value: set, source: ConfigSource.TOPIC };
    });
    return answer(0, null, entries);
  }
  if (res.type === ResourceType.BROKER) {
    // "" is the cluster-wide default resource; Kafka answers it with the dynamic defaults (none here).
    if (res.name === '') return answer(0, null);
    if (res.name !== String(ctx.settings.nodeId)) {
      return answer(ErrorCode.INVALID_REQUEST, `Unexpected broker id ${res.name}`);
    }
    return answer(0, null, brokerConfigs(ctx.settings));
  }
  return answer(ErrorCode.INVALID_REQUEST, `Unsupported resource type ${res.type}`);
}

/** Encodes a DescribeConfigs v0-2 response (v0: is_default; v1+: config_source and empty synonyms). */
export function encodeDescribeConfigs(version: number, results: readonly ConfigResult[]): Writer {
  const w = new Writer().int32(0);
  w.array(results, (x, res) => {
    x.int16(res.errorCode).string(res.errorMessage).int8(res.type).string(res.name);
    x.array(res.entries, (y, e) => {
      y.string(e.name).string(e.value).bool(false);
      if (version === 0) y.bool(e.source === ConfigSource.DEFAULT);
      else y.int8(e.source);
      y.bool(false);
      if (version >= 1) y.array([], () => undefined);
    });
  });
  return w;
}

/** DescribeConfigs (32) v0-2: TOPIC and BROKER resources, read-only view (no AlterConfigs). */
export const describeConfigs: ApiHandler = {
  apiKey: 32,
  name: 'DescribeConfigs',
  minVersion: 0,
  maxVersion: 2,
  handle: (ctx, version, r) =>
    encodeDescribeConfigs(
      version,
      decodeDescribeConfigs(version, r).map((res) => describeResource(ctx, res)),
    ),
};
