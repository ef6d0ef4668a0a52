/** Helpers shared by the devbroker integration tests (kafkajs and kcat against the child-process broker). */

/** kafkajs consumer settings for group tests (devbroker.md §6 "Test settings"): quick rebalances. */
export const TEST_CONSUMER = {
  sessionTimeout: 6000,
  heartbeatInterval: 300,
  maxWaitTimeInMs: 250,
  rebalanceTimeout: 10_000,
} as const;

/** Polls `ok` every 50 ms; rejects naming `what` once `timeoutMs` passed without it holding. */
export async function until(what: string, ok: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One request as the broker logs it at debug level. */
export interface LoggedRequest {
  apiKey: number;
  version: number;
  clientId: string;
}

/**
 * An `onStderr` for `startTestBroker({ env: { LOG_LEVEL: 'debug' } })`: splits the broker's pino output
 * into lines and hands every request line (`{"apiKey","version","clientId","msg":"request"}`) to
 * `onRequest`; other lines are skipped.
 */
export function requestLogReader(onRequest: (r: LoggedRequest) => void): (chunk: string) => void {
  let partial = '';
  return (chunk) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.includes('"msg":"request"')) continue;
      let entry: Partial<LoggedRequest>;
      try {
        entry = JSON.parse(line) as Partial<LoggedRequest>;
      } catch {
        continue; // not a pino line (e.g. a warning printed by Node)
      }
      if (entry.apiKey === undefined || entry.version === undefined) continue;
      onRequest({ apiKey: entry.apiKey, version: entry.version, clientId: entry.clientId ?? '' });
    }
  };
}
