import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { Cluster, Redis } from 'ioredis';

import { EngineError } from '../errors';

/**
 * The Lua scripts of the Redis store (lua/<name>-<numKeys>.lua; `n` for a variable number, passed
 * first), each registered once per client with `defineCommand` under a versioned name: a changed script
 * gets a new name, so a client never runs a stale SHA. Bump the version when a script's KEYS, ARGV or
 * reply change.
 */
export const SCRIPT = {
  applyUsers: { file: 'apply-users-n.lua', keys: null, command: 'triggerApplyUsersV5' },
  loadUsers: { file: 'load-users-n.lua', keys: null, command: 'triggerLoadUsersV4' },
  setTimers: { file: 'set-timers-1.lua', keys: 1, command: 'triggerSetTimersV1' },
  restoreTimers: { file: 'restore-timers-1.lua', keys: 1, command: 'triggerRestoreTimersV1' },
} as const;

type Client = Redis | Cluster;
type Pipeline = ReturnType<Client['pipeline']>;

/** A pipeline with the scripts' commands: KEYS first, then ARGV (the number of KEYS first for `n` scripts). */
export type ScriptPipeline = Pipeline & {
  [K in (typeof SCRIPT)[keyof typeof SCRIPT]['command']]: (
    ...keysThenArgs: (string | number | Buffer)[]
  ) => Pipeline;
};

/** Registers every script on `client` unless already there (several stores may share a client). */
export function defineScripts(client: Client): void {
  for (const s of Object.values(SCRIPT)) {
    if (s.command in client) continue;
    const lua = readFileSync(join(__dirname, 'lua', s.file), 'utf8');
    client.defineCommand(s.command, s.keys === null ? { lua } : { numberOfKeys: s.keys, lua });
  }
}

/** apply-users-n.lua status codes, in one place (STYLE rule 8). */
export const APPLY_APPLIED = 'applied';
export const APPLY_CONFLICT = 'conflict';
const APPLY_STATUS: Readonly<Record<number, typeof APPLY_APPLIED | typeof APPLY_CONFLICT>> = {
  1: APPLY_APPLIED,
  0: APPLY_CONFLICT,
};

/** Maps the apply script's reply to its name; an unknown code is a script/client mismatch (not retriable). */
export function applyStatus(value: unknown): typeof APPLY_APPLIED | typeof APPLY_CONFLICT {
  const status = APPLY_STATUS[Number(value)];
  if (status === undefined) {
    throw new EngineError(
      'redis_script_status',
      `${SCRIPT.applyUsers.command} returned ${String(value)}, which is not one of its status codes.`,
    );
  }
  return status;
}
