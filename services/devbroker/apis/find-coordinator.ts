import { Writer } from '../protocol';
import type { Reader } from '../protocol';
import type { ApiHandler } from './types';

/** FindCoordinator request, v0-2: `key_type` (v1+) 0 = group, 1 = transaction. */
export interface FindCoordinatorRequest {
  key: string;
  keyType: number;
}

export function decodeFindCoordinator(r: Reader, version: number): FindCoordinatorRequest {
  const key = r.string();
  const keyType = version >= 1 ? r.int8() : 0;
  return { key, keyType };
}

/** v0: error, node; v1+: throttle first and a nullable error message after the error. */
export function encodeFindCoordinator(
  version: number,
  res: { errorCode: number; nodeId: number; host: string; port: number },
): Writer {
  const w = new Writer();
  if (version >= 1) w.int32(0);
  w.int16(res.errorCode);
  if (version >= 1) w.string(null);
  return w.int32(res.nodeId).string(res.host).int32(res.port);
}

/** FindCoordinator (10) v0-2: this single node coordinates every group (and would every transaction). */
export const findCoordinator: ApiHandler = {
  apiKey: 10,
  name: 'FindCoordinator',
  minVersion: 0,
  maxVersion: 2,
  handle: (ctx, version, r) => {
    decodeFindCoordinator(r, version);
    const { nodeId, host, port } = ctx.settings;
    return encodeFindCoordinator(version, { errorCode: 0, nodeId, host, port });
  },
};
