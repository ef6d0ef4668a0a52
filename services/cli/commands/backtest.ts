import { readFile } from 'node:fs/promises';

import { compileDefinitions, formatDefinitionError, readDefinitionFolder } from '../../engine/definitions';
import { Simulator } from '../../engine/evaluate';
import type { Decision, Input } from '../../engine/evaluate';
import { inputTopicMap, topicNames, validateInput } from '../../engine/ingest';
import type { CliIo, Command } from '../command';
import { DEFAULT_TRIGGERS_DIR } from './validate';

const USAGE_LINE = 'backtest [DIR] --records FILE [--decisions]';
const USAGE = `usage: triggerctl ${USAGE_LINE}\n`;
/** Rejected lines printed one by one; the rest are counted. */
const REJECTIONS_SHOWN = 20;

interface Options {
  dir: string;
  records: string;
  decisions: boolean;
}

function parse(args: readonly string[]): Options | null {
  let dir: string | null = null;
  let records: string | null = null;
  let decisions = false;
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] as string;
    if (arg === '--decisions') decisions = true;
    else if (arg === '--records') {
      const value = args[(i += 1)];
      if (value === undefined) return null;
      records = value;
    } else if (arg.startsWith('-') || dir !== null) return null;
    else dir = arg;
  }
  return records === null ? null : { dir: dir ?? DEFAULT_TRIGGERS_DIR, records, decisions };
}

/** An input of the file with the time the engine would have seen it at (event time; profile and consent: updatedAt). */
interface Timed {
  input: Input;
  at: number;
  line: number;
}

function timeOf(input: Input): number {
  if (input.kind === 'event') return input.event.occurredAt;
  if (input.kind === 'profile') return input.update.updatedAt;
  if (input.kind === 'consent') return input.change.updatedAt;
  return input.timer.dueAt;
}

/** Reads the JSON lines: what validates as the engine's ingest would, and a sentence per rejected line. */
function readRecords(text: string, file: string): { inputs: Timed[]; rejected: string[] } {
  const topics = inputTopicMap(topicNames());
  const inputs: Timed[] = [];
  const rejected: string[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    let record: { topic?: unknown; key?: unknown; value?: unknown };
    try {
      record = JSON.parse(raw) as typeof record;
    } catch (err) {
      rejected.push(`${file}:${line}: not JSON (${(err as Error).message})`);
      return;
    }
    const topic = typeof record.topic === 'string' ? topics.get(record.topic) : undefined;
    if (!topic) {
      rejected.push(
        `${file}:${line}: topic ${JSON.stringify(record.topic)} is not an input topic (write one of ${[...topics.keys()].join(', ')})`,
      );
      return;
    }
    const key = typeof record.key === 'string' ? record.key : null;
    const validated = validateInput(topic, record.value, key);
    if (!validated.ok) {
      rejected.push(`${file}:${line}: ${validated.reason}: ${validated.message}`);
      return;
    }
    const input = validated.input as Input;
    inputs.push({ input, at: timeOf(input), line });
  });
  return { inputs, rejected };
}

const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;

/** Per trigger: activations by channel and decisions by outcome (and reason), in the plans' order. */
function summary(
  ids: readonly string[],
  decisions: readonly Decision[],
  channels: Map<string, Map<string, number>>,
) {
  const byTrigger = new Map<string, Map<string, number>>();
  for (const d of decisions) {
    const counts = byTrigger.get(d.triggerId) ?? new Map<string, number>();
    const key = d.reason ? `${d.outcome}/${d.reason}` : d.outcome;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    byTrigger.set(d.triggerId, counts);
  }
  const width = Math.max(7, ...ids.map((id) => id.length));
  const rows = ids.map((id) => {
    const acts = [...(channels.get(id) ?? new Map<string, number>())].map(([c, n]) => `${n} ${c}`).join(', ');
    const outcomes = [...(byTrigger.get(id) ?? new Map<string, number>())]
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
    return `${id.padEnd(width)}  ${(acts || '-').padEnd(18)}  ${outcomes || 'no decisions'}`;
  });
  return [`${'trigger'.padEnd(width)}  ${'activations'.padEnd(18)}  decisions`, ...rows].join('\n');
}

/**
 * `triggerctl backtest [DIR] --records FILE`: replays recorded input records through DIR's triggers and
 * policies, with the engine's validation and its `evaluate` on a simulated clock (state in memory, timers
 * fired at their due time), and prints what each trigger would have decided and emitted. FILE holds one
 * record per line, `{"topic": "events.web", "key": "user-1", "value": {...}}` (topics.md names without a
 * prefix; `kcat -C -t events.web -f '{"topic":"%t","key":"%k","value":%s}\n'` writes it from JSON topics).
 * Records are evaluated at their own time, so lateness (an event processed long after it happened) is not
 * replayed; timers due after the last record are reported, not fired.
 */
export const backtestCommand: Command = {
  name: 'backtest',
  usage: USAGE_LINE,
  summary: "replay recorded input records through DIR's triggers: what each would have decided and emitted",
  run: async (args: string[], io: CliIo) => {
    if (args.includes('--help') || args.includes('-h')) {
      io.out(USAGE);
      return 0;
    }
    const opts = parse(args);
    if (!opts) {
      io.err(USAGE);
      return 2;
    }
    let texts;
    let text: string;
    try {
      texts = await readDefinitionFolder(opts.dir);
      text = await readFile(opts.records, 'utf8');
    } catch (err) {
      io.err(`triggerctl backtest: ${(err as Error).message}\n`);
      return 2;
    }
    const defs = compileDefinitions(texts);
    if (!defs.ok) {
      for (const e of defs.errors) io.err(`${formatDefinitionError(e)}\n`);
      io.err(
        `triggerctl backtest: ${plural(defs.errors.length, 'error')} in ${opts.dir}: run triggerctl validate\n`,
      );
      return 1;
    }
    const { inputs, rejected } = readRecords(text, opts.records);
    for (const r of rejected.slice(0, REJECTIONS_SHOWN)) io.err(`${r}\n`);
    if (rejected.length > REJECTIONS_SHOWN)
      io.err(`... and ${rejected.length - REJECTIONS_SHOWN} more rejected lines\n`);
    if (inputs.length === 0) {
      io.err(`triggerctl backtest: no valid record in ${opts.records}\n`);
      return 1;
    }
    // The engine sees records about when they happen: replay them in that order (file order on ties).
    inputs.sort((a, b) => a.at - b.at || a.line - b.line);
    const first = (inputs[0] as Timed).at;
    const last = (inputs[inputs.length - 1] as Timed).at;
    const sim = new Simulator(defs.index, defs.policies, first);
    for (const { input, at } of inputs) sim.send(input, at);
    sim.advanceTo(last);
    let pending = 0;
    for (const byId of sim.timers.values()) pending += byId.size;
    if (opts.decisions) {
      for (const d of sim.decisions) io.out(`${JSON.stringify(d)}\n`);
      if (pending > 0)
        io.err(`${plural(pending, 'timer')} still pending after the last record (not fired)\n`);
      return 0;
    }
    const kinds = { event: 0, profile: 0, consent: 0, timer: 0 };
    for (const { input } of inputs) kinds[input.kind] += 1;
    const channels = new Map<string, Map<string, number>>();
    for (const a of sim.activations) {
      const byChannel = channels.get(a.triggerId) ?? new Map<string, number>();
      byChannel.set(a.channel, (byChannel.get(a.channel) ?? 0) + 1);
      channels.set(a.triggerId, byChannel);
    }
    io.out(
      `backtest: ${plural(inputs.length, 'record')} (${plural(kinds.event, 'event')}, ${plural(kinds.profile, 'profile update')}, ${plural(kinds.consent, 'consent change')}) from ${new Date(first).toISOString()} to ${new Date(last).toISOString()}, ${rejected.length} rejected\n\n`,
    );
    io.out(
      `${summary(
        defs.plans.map((p) => p.id),
        sim.decisions,
        channels,
      )}\n\n`,
    );
    io.out(
      `${plural(sim.decisions.length, 'decision')}, ${plural(sim.activations.length, 'activation')}, ${plural(sim.conversions.length, 'conversion')}; ${plural(pending, 'timer')} still pending after the last record\n`,
    );
    return 0;
  },
};
