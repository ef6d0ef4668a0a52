import type { Channel } from '../codec';

/** The four channels, in the order of spec/topics.md. */
export const CHANNELS: readonly Channel[] = ['web', 'mobile', 'email', 'paid'];

/** What an input topic carries: the record kind, and for events the channel every record must name. */
export type InputTopic =
  | { kind: 'event'; channel: Channel }
  | { kind: 'profile'; channel: null }
  | { kind: 'consent'; channel: null };

/** Every topic name of spec/topics.md, with the deployment's `TOPIC_PREFIX` applied. */
export interface TopicNames {
  /** `events.<channel>`: Event, keyed by userId. */
  events: Readonly<Record<Channel, string>>;
  /** ProfileUpdate, keyed by userId. */
  profiles: string;
  /** ConsentChange, keyed by userId. */
  consent: string;
  /** Compacted; keyed by trigger id or `__policies__`; the YAML text, null undeploys. */
  triggerDefinitions: string;
  /** `activations.<channel>`: Activation, keyed by userId. */
  activations: Readonly<Record<Channel, string>>;
  /** Decision (the audit trail), keyed by userId. */
  decisions: string;
  /** Bad inputs: original key and bytes, headers error and source.*. */
  dlq: string;
  /** The input topics the consumer group subscribes to (events.*, profiles, consent), all co-partitioned. */
  inputs: readonly string[];
}

function perChannel(prefix: string, base: string): Record<Channel, string> {
  return {
    web: `${prefix}${base}.web`,
    mobile: `${prefix}${base}.mobile`,
    email: `${prefix}${base}.email`,
    paid: `${prefix}${base}.paid`,
  };
}

/** All topic names for `prefix` (e.g. `acme.` gives `acme.events.web`); the empty prefix gives the defaults. */
export function topicNames(prefix = ''): TopicNames {
  const events = perChannel(prefix, 'events');
  const profiles = `${prefix}profiles`;
  const consent = `${prefix}consent`;
  return Object.freeze({
    events: Object.freeze(events),
    profiles,
    consent,
    triggerDefinitions: `${prefix}trigger-definitions`,
    activations: Object.freeze(perChannel(prefix, 'activations')),
    decisions: `${prefix}decisions`,
    dlq: `${prefix}events.dlq`,
    inputs: Object.freeze([...CHANNELS.map((c) => events[c]), profiles, consent]),
  });
}

/** Maps each input topic name to what it carries; `get` gives undefined for any other topic. */
export function inputTopicMap(names: TopicNames): ReadonlyMap<string, InputTopic> {
  const map = new Map<string, InputTopic>();
  for (const channel of CHANNELS) map.set(names.events[channel], { kind: 'event', channel });
  map.set(names.profiles, { kind: 'profile', channel: null });
  map.set(names.consent, { kind: 'consent', channel: null });
  return map;
}
