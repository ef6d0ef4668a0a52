import { readFileSync } from 'node:fs';

import type Redis from 'ioredis';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

/** CPU seconds (user + system) a process has used so far, from /proc; null when it is gone or not Linux. */
export function cpuSeconds(pid: number | null | undefined): number | null {
  if (!pid) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at state, field 3; utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
  } catch {
    return null;
  }
}

/** Seconds all the machine's CPUs together spent idle (idle + iowait) since boot, from /proc/stat; null off Linux. */
export function machineIdleSeconds(): number | null {
  try {
    const fields = /^cpu\s+(.*)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1]?.split(/\s+/).map(Number);
    if (!fields || fields.length < 5) return null;
    return ((fields[3] as number) + (fields[4] as number)) / USER_HZ;
  } catch {
    return null;
  }
}

/**
 * Measures how the machine's CPU went to named processes over a phase: `start()` reads each, `sample()`
 * (call it every second or so) keeps the last reading of processes that may exit before the phase ends,
 * `stop()` returns CPU seconds per name (null where a process could never be read).
 */
export function cpuSplit(pids: Record<string, () => number | null | undefined>) {
  const first = new Map<string, number>();
  const last = new Map<string, number>();
  const sample = () => {
    for (const [name, pid] of Object.entries(pids)) {
      const s = cpuSeconds(pid());
      if (s === null) continue;
      if (!first.has(name)) first.set(name, s);
      last.set(name, s);
    }
  };
  return {
    start: sample,
    sample,
    stop(): Record<string, number | null> {
      sample();
      const out: Record<string, number | null> = {};
      for (const name of Object.keys(pids)) {
        const a = first.get(name);
        const b = last.get(name);
        out[name] = a === undefined || b === undefined ? null : Number((b - a).toFixed(2));
      }
      return out;
    },
  };
}

/** Peak resident set size of a process so far (VmHWM in /proc/<pid>/status), bytes; null when unreadable. */
export function peakRssBytes(pid: number | null | undefined): number | null {
  if (!pid) return null;
  try {
    const kb = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? null : Number(kb) * 1024;
  } catch {
    return null;
  }
}

/** Process id of the Redis server `redis` talks to (INFO server), 0 when it does not say. */
export async function redisServerPid(redis: Redis): Promise<number> {
  return Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1] ?? 0);
}
