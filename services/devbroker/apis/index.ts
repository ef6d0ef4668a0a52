/** apis: one handler per Kafka API the broker speaks; ApiVersions advertises exactly these. */
import { createTopics, deleteTopics, initProducerId } from './admin';
import { apiVersionsHandler } from './api-versions';
import type { VersionRange } from './api-versions';
import { createPartitions } from './create-partitions';
import { fetch } from './fetch';
import { deleteGroups } from './delete-groups';
import { describeConfigs } from './describe-configs';
import { describeGroups } from './describe-groups';
import { findCoordinator } from './find-coordinator';
import { heartbeat } from './heartbeat';
import { joinGroup } from './join-group';
import { leaveGroup } from './leave-group';
import { listGroups } from './list-groups';
import { offsetCommit } from './offset-commit';
import { offsetFetch } from './offset-fetch';
import { syncGroup } from './sync-group';
import { listOffsets } from './list-offsets';
import { metadata } from './metadata';
import { produce } from './produce';
import type { ApiHandler } from './types';

export { apiVersionsTooNew } from './api-versions';
export type { VersionRange } from './api-versions';
export type { ApiHandler, BrokerContext, BrokerSettings, ConnectionInfo } from './types';

const HANDLERS: readonly ApiHandler[] = [
  produce,
  fetch,
  listOffsets,
  metadata,
  offsetCommit,
  offsetFetch,
  findCoordinator,
  joinGroup,
  heartbeat,
  leaveGroup,
  syncGroup,
  describeGroups,
  listGroups,
  createTopics,
  deleteTopics,
  initProducerId,
  describeConfigs,
  createPartitions,
  deleteGroups,
];

/**
 * The handlers by API key, with ApiVersions included. `maxVersions` caps what is advertised (and
 * accepted), to simulate an older broker; an API capped below its minimum is not offered at all.
 */
export function buildRegistry(maxVersions: Readonly<Record<number, number>> = {}): Map<number, ApiHandler> {
  const capped = (h: ApiHandler): ApiHandler => ({
    ...h,
    maxVersion: Math.min(h.maxVersion, maxVersions[h.apiKey] ?? h.maxVersion),
  });
  const registry = new Map<number, ApiHandler>();
  const table = (): VersionRange[] =>
    [...registry.values()].map((h) => ({
      apiKey: h.apiKey,
      minVersion: h.minVersion,
      maxVersion: h.maxVersion,
    }));
  for (const h of [...HANDLERS, apiVersionsHandler(table)].map(capped)) {
    if (h.maxVersion >= h.minVersion) registry.set(h.apiKey, h);
  }
  return registry;
}
