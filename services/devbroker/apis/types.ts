import type { Logger } from 'pino';

import type { GroupCoordinator } from '../groups';
import type { TopicStore } from '../log';
import type { Reader, Writer } from '../protocol';

/** Settings of a running broker that handlers read. */
export interface BrokerSettings {
  nodeId: number;
  clusterId: string;
  /** The address advertised in Metadata and FindCoordinator (the one bound). */
  host: string;
  port: number;
  /** Partitions of an auto-created topic, and of CreateTopics with -1. */
  defaultPartitions: number;
  autoCreateTopics: boolean;
  /** The auto-creating Metadata call answers the partitions instead of LEADER_NOT_AVAILABLE. */
  autoCreateReady: boolean;
}

/** What every handler may use. */
export interface BrokerContext {
  settings: BrokerSettings;
  topics: TopicStore;
  groups: GroupCoordinator;
  log: Logger;
  /** Resolves when the broker stops: parked requests answer at once. */
  stopping: Promise<void>;
}

/** The connection a request came on. */
export interface ConnectionInfo {
  clientId: string;
  clientHost: string;
}

/** One Kafka API: the versions parsed, and the handler; a null result sends no response (acks=0). */
export interface ApiHandler {
  apiKey: number;
  name: string;
  minVersion: number;
  maxVersion: number;
  handle(
    ctx: BrokerContext,
    version: number,
    r: Reader,
    conn: ConnectionInfo,
  ): Promise<Writer | null> | Writer | null;
}
