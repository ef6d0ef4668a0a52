import type { Decision } from '../../engine/evaluate';
import type { CliIo, Command } from '../command';

const USAGE_LINE = 'explain USER [--engine URL] [--token TOKEN] [--trigger ID] [--limit N]';
const USAGE =
  `usage: triggerctl ${USAGE_LINE}\n` +
  '  URL defaults to $TRIGGER_ENGINE_URL or http://127.0.0.1:8080, TOKEN to $ADMIN_TOKEN\n';

interface ExplainOptions {
  userId: string;
  engine: string;
  token: string | null;
  trigger: string | null;
  limit: number;
}

function parse(args: readonly string[], env: NodeJS.ProcessEnv): ExplainOptions | string {
  const opts: ExplainOptions = {
    userId: '',
    engine: env.TRIGGER_ENGINE_URL ?? 'http://127.0.0.1:8080',
    token: env.ADMIN_TOKEN ?? null,
    trigger: null,
    limit: 20,
  };
  const rest: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] as string;
    if (!arg.startsWith('--')) {
      rest.push(arg);
      continue;
    }
    const value = args[i + 1];
    if (value === undefined) return `${arg} needs a value`;
    i += 1;
    if (arg === '--engine') opts.engine = value;
    else if (arg === '--token') opts.token = value;
    else if (arg === '--trigger') opts.trigger = value;
    else if (arg === '--limit') {
      const n = Number(value);
      if (!/^\d+$/.test(value) || n < 1 || n > 200) return '--limit must be an integer from 1 to 200';
      opts.limit = n;
    } else return `unknown option ${arg}`;
  }
  if (rest.length !== 1) return 'name one user';
  opts.userId = rest[0] as string;
  return opts;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** One decision as an answer to "why": what was decided, then every check that ran, failed ones marked. */
export function formatDecision(d: Decision): string {
  const outcome = d.reason ? `${d.outcome} (${d.reason})` : d.outcome;
  const lines = [
    `${iso(d.decidedAt)}  ${d.triggerId} v${d.triggerVersion}  step ${d.stepId}: ${outcome}`,
    `    signal ${d.signalEventIds.join(', ') || '-'}, due ${iso(d.dueAt)}${d.activationId ? `, activation ${d.activationId}` : ''}`,
  ];
  for (const c of d.checks) lines.push(`    ${c.passed ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);
  return `${lines.join('\n')}\n`;
}

/**
 * `triggerctl explain USER`: why a user got (or did not get) a message, from the engine's decision log
 * (GET /v1/users/{userId}/decisions): each recent decision, newest first, with the checks that ran.
 */
export const explainCommand: Command = {
  name: 'explain',
  usage: USAGE_LINE,
  summary: "why USER got or did not get each recent message: the engine's decisions with their checks",
  run: async (args: string[], io: CliIo) => {
    if (args.includes('--help') || args.includes('-h')) {
      io.out(USAGE);
      return 0;
    }
    const opts = parse(args, process.env);
    if (typeof opts === 'string') {
      io.err(`triggerctl explain: ${opts}\n${USAGE}`);
      return 2;
    }
    if (!opts.token) {
      io.err('triggerctl explain: set ADMIN_TOKEN or pass --token: the decision log needs the admin token\n');
      return 2;
    }
    // The engine keeps the newest decisions per user (DECISIONS_KEPT_PER_USER); a trigger filter looks at
    // the most it serves.
    const limit = opts.trigger ? 200 : opts.limit;
    const url = `${opts.engine.replace(/\/+$/, '')}/v1/users/${encodeURIComponent(opts.userId)}/decisions?limit=${limit}`;
    let res: Response;
    try {
      res = await fetch(url, { headers: { authorization: `Bearer ${opts.token}` } });
    } catch (err) {
      io.err(`triggerctl explain: cannot reach the engine at ${opts.engine}: ${(err as Error).message}\n`);
      return 2;
    }
    if (res.status === 401) {
      io.err(
        `triggerctl explain: the engine at ${opts.engine} refused the token (its ADMIN_TOKEN differs)\n`,
      );
      return 2;
    }
    if (!res.ok) {
      io.err(`triggerctl explain: the engine answered ${res.status}: ${await res.text()}\n`);
      return 2;
    }
    const body = (await res.json()) as { decisions: Decision[] };
    const decisions = body.decisions
      .filter((d) => opts.trigger === null || d.triggerId === opts.trigger)
      .slice(0, opts.limit);
    const scope = opts.trigger ? ` for trigger ${opts.trigger}` : '';
    if (decisions.length === 0) {
      io.out(`no decisions recorded for ${opts.userId}${scope} (none yet, or older than the log keeps)\n`);
      return 0;
    }
    io.out(
      `${decisions.length} most recent decision${decisions.length === 1 ? '' : 's'} for ${opts.userId}${scope}, newest first:\n\n`,
    );
    io.out(decisions.map(formatDecision).join('\n'));
    return 0;
  },
};
