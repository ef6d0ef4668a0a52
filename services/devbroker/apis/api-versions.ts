import { Writer } from '../protocol';
import type { ApiHandler } from './types';

export interface VersionRange {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

/**
 * ApiVersions (18) v0-3. v3 is flexible (compact array, tags) but its response header stays v0. The
 * table is the registry's, capped by the configured maxima; it is bound when the registry is built.
 */
export function apiVersionsHandler(table: () => readonly VersionRange[]): ApiHandler {
  return {
    apiKey: 18,
    name: 'ApiVersions',
    minVersion: 0,
    maxVersion: 3,
    handle: (_ctx, version, r) => {
      const w = new Writer();
      if (version >= 3) {
        // client_software_name and version, not validated (devbroker.md §3), then tags.
        r.compactString();
        r.compactString();
        r.skipTags();
        w.int16(0);
        w.compactArray(table(), (x, a) =>
          x.int16(a.apiKey).int16(a.minVersion).int16(a.maxVersion).emptyTags(),
        );
        return w.int32(0).emptyTags();
      }
      w.int16(0);
      w.array(table(), (x, a) => x.int16(a.apiKey).int16(a.minVersion).int16(a.maxVersion));
      if (version >= 1) w.int32(0);
      return w;
    },
  };
}

/** The v0 error body answering an ApiVersions newer than v3: error 35 and `{18, 0, 3}`. */
export function apiVersionsTooNew(): Writer {
  return new Writer().int16(35).int32(1).int16(18).int16(0).int16(3);
}
