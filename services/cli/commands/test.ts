import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

import { formatDefinitionError, loadDefinitions, parseDuration } from '../../engine/definitions';
import { indexPlans, Simulator } from '../../engine/evaluate';
import type { CompiledDefinitions } from '../../engine/definitions';
import type { Decision, EngineEvent, EventContext, Input } from '../../engine/evaluate';
import type { CliIo, Command } from '../command';

/**
 * `triggerctl test [DIR]`: runs the trigger test files `DIR/tests/*.test.yaml` through evaluate() with a
 * simulated clock (due timers fire at their due time) and compares the decisions with the expected ones.
 * The file format is documented in services/cli/README.md.
 */

/** Default start of a case: Monday 2 March 2026, 09:00 UTC. */
const DEFAULT_START = '2026-03-02T09:00:00Z';
/** After the last timeline entry, timers keep firing for this long unless `until` says otherwise. */
const DEFAULT_TAIL_MS = 30 * 86_400_000;
const DEFAULT_USER = 'test-user';
const DEFAULT_CONTEXT: EventContext = {
  locale: 'en-US',
  region: 'US',
  timezone: 'UTC',
  userAgent: null,
  bot: false,
};

/** `+5m`, `5m`, `-2h`, `+1h30m`, `+0`: an offset in ms (units ms, s, m, h, d; several may follow each other). */
export function parseOffset(text: string): number | undefined {
  const s = text.trim();
  if (/^[+-]?0$/.test(s)) return 0;
  const m = /^([+-]?)((?:\d+(?:ms|s|m|h|d))+)$/.exec(s);
  if (!m) return undefined;
  let total = 0;
  for (const part of (m[2] ?? '').match(/\d+(?:ms|s|m|h|d)/g) ?? []) total += parseDuration(part) ?? 0;
  return m[1] === '-' ? -total : total;
}

const offset = z.union([z.string(), z.literal(0)]).transform((text, ctx) => {
  const ms = parseOffset(String(text));
  if (ms === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `"${String(text)}" is not a relative time (use e.g. +5m, +1h30m, -30s)`,
    });
    return z.NEVER;
  }
  return ms;
});

const scalar = z.union([z.string(), z.number(), z.boolean()]);

const eventStep = z.strictObject({
  at: offset,
  event: z.string().min(1),
  eventId: z.string().min(1).optional(),
  channel: z.enum(['web', 'mobile', 'email', 'paid']).default('web'),
  /** Event time relative to `at` (late or out-of-order events); default 0. */
  occurredAt: offset.optional(),
  sessionId: z.string().nullable().default(null),
  properties: z.record(z.string(), scalar).default({}),
  context: z
    .strictObject({
      locale: z.string().optional(),
      region: z.string().optional(),
      timezone: z.string().optional(),
      userAgent: z.string().nullable().optional(),
      bot: z.boolean().optional(),
    })
    .nullable()
    .optional(),
});
const profileStep = z.strictObject({ at: offset, profile: z.record(z.string(), z.string().nullable()) });
const consentStep = z.strictObject({
  at: offset,
  consent: z.record(z.string(), z.enum(['granted', 'denied'])),
});

/** A timeline entry is an event, a profile update or a consent change, told apart by its key. */
const timelineEntry = z.record(z.string(), z.unknown()).transform((entry, ctx) => {
  const schema =
    'event' in entry ? eventStep : 'profile' in entry ? profileStep : 'consent' in entry ? consentStep : null;
  if (!schema) {
    ctx.addIssue({ code: 'custom', message: 'a timeline entry needs one of event, profile or consent' });
    return z.NEVER;
  }
  const r = schema.safeParse(entry);
  if (!r.success) {
    for (const issue of r.error.issues)
      ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
    return z.NEVER;
  }
  return r.data;
});

const expected = z.strictObject({
  trigger: z.string().optional(),
  step: z.string().optional(),
  outcome: z.string(),
  reason: z.string().nullable().optional(),
  at: offset.optional(),
});

const caseSchema = z.strictObject({
  name: z.string().min(1),
  start: z.iso.datetime({ offset: true }).default(DEFAULT_START),
  user: z.string().min(1).default(DEFAULT_USER),
  /** Only these triggers are loaded (default: every trigger of DIR). */
  triggers: z.array(z.string()).optional(),
  profile: z.record(z.string(), z.string()).default({}),
  /** Purposes granted one day before start (a list), or purpose -> status. */
  consent: z.union([z.array(z.string()), z.record(z.string(), z.enum(['granted', 'denied']))]).default([]),
  timeline: z.array(timelineEntry).default([]),
  /** Run due timers until this offset from start (default: last timeline entry + 30d). */
  until: offset.optional(),
  expect: z.array(expected),
});
const fileSchema = z.strictObject({ cases: z.array(caseSchema).min(1) });

type TestCase = z.infer<typeof caseSchema>;
type Expected = z.infer<typeof expected>;

interface CaseResult {
  name: string;
  ok: boolean;
  report: string;
}

function fmtOffset(ms: number): string {
  const sign = ms < 0 ? '-' : '+';
  const a = Math.abs(ms);
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (a >= size && a % size === 0) return `${sign}${a / size}${unit}`;
  }
  return `${sign}${a}ms`;
}

function describeActual(d: Decision, start: number): string {
  const reason = d.reason ? `/${d.reason}` : '';
  return `${d.triggerId} ${d.stepId} ${d.outcome}${reason} at ${fmtOffset(d.decidedAt - start)}`;
}

function describeExpected(e: Expected): string {
  const reason = e.reason ? `/${e.reason}` : '';
  const at = e.at === undefined ? '' : ` at ${fmtOffset(e.at)}`;
  return `${e.trigger ?? '*'} ${e.step ?? '*'} ${e.outcome}${reason}${at}`;
}

/** The fields of `e` that differ from `d`, as sentences (empty when they match). */
function differences(e: Expected, d: Decision, start: number): string[] {
  const out: string[] = [];
  if (e.trigger !== undefined && e.trigger !== d.triggerId)
    out.push(`trigger: expected ${e.trigger}, got ${d.triggerId}`);
  if (e.step !== undefined && e.step !== d.stepId) out.push(`step: expected ${e.step}, got ${d.stepId}`);
  if (e.outcome !== d.outcome) out.push(`outcome: expected ${e.outcome}, got ${d.outcome}`);
  if (e.reason !== undefined && e.reason !== d.reason)
    out.push(`reason: expected ${e.reason ?? 'none'}, got ${d.reason ?? 'none'}`);
  if (e.at !== undefined && e.at !== d.decidedAt - start)
    out.push(`at: expected ${fmtOffset(e.at)}, got ${fmtOffset(d.decidedAt - start)}`);
  return out;
}

/** Runs one case; the simulated clock starts a day before `start` to set up profile and consent. */
export function runCase(defs: CompiledDefinitions, c: TestCase, caseIndex: number): CaseResult {
  const start = Date.parse(c.start);
  const plans = c.triggers ? defs.plans.filter((p) => c.triggers?.includes(p.id)) : defs.plans;
  const unknown = (c.triggers ?? []).filter((id) => !defs.plans.some((p) => p.id === id));
  if (unknown.length > 0) {
    return {
      name: c.name,
      ok: false,
      report: `    unknown trigger${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}\n`,
    };
  }
  const setupAt = start - 86_400_000;
  const sim = new Simulator(indexPlans(plans), defs.policies, setupAt);
  const consent: Record<string, 'granted' | 'denied'> = Array.isArray(c.consent)
    ? Object.fromEntries(c.consent.map((p) => [p, 'granted' as const]))
    : c.consent;
  const setup: Input[] = [
    ...Object.entries(consent).map(([purpose, status]): Input => ({
      kind: 'consent',
      change: { userId: c.user, purpose, status, updatedAt: setupAt, source: 'triggerctl-test' },
    })),
    { kind: 'profile', update: { userId: c.user, attributes: c.profile, updatedAt: setupAt } },
  ];
  for (const input of setup) sim.send(input, setupAt);
  const timeline = c.timeline
    .map((step, i) => ({ step, i }))
    .sort((a, b) => a.step.at - b.step.at || a.i - b.i);
  for (const { step, i } of timeline) {
    const now = start + step.at;
    let input: Input;
    if ('event' in step) {
      const event: EngineEvent = {
        eventId: step.eventId ?? `case${caseIndex}-e${i}`,
        userId: c.user,
        channel: step.channel,
        type: step.event,
        occurredAt: now + (step.occurredAt ?? 0),
        sessionId: step.sessionId,
        properties: step.properties,
        context: step.context === null ? null : { ...DEFAULT_CONTEXT, ...(step.context ?? {}) },
      };
      input = { kind: 'event', event };
    } else if ('profile' in step) {
      input = { kind: 'profile', update: { userId: c.user, attributes: step.profile, updatedAt: now } };
    } else {
      const [purpose, status] = Object.entries(step.consent)[0] ?? ['', 'granted'];
      for (const [p, s] of Object.entries(step.consent).slice(1)) {
        sim.send(
          {
            kind: 'consent',
            change: { userId: c.user, purpose: p, status: s, updatedAt: now, source: 'triggerctl-test' },
          },
          now,
        );
      }
      input = {
        kind: 'consent',
        change: { userId: c.user, purpose, status, updatedAt: now, source: 'triggerctl-test' },
      };
    }
    sim.send(input, now);
  }
  const last = timeline.at(-1)?.step.at ?? 0;
  sim.advanceTo(start + (c.until ?? last + DEFAULT_TAIL_MS));
  const actual = sim.decisions.filter((d) => d.decidedAt >= start);

  const lines: string[] = [];
  const n = Math.max(actual.length, c.expect.length);
  let ok = true;
  for (let k = 0; k < n; k++) {
    const e = c.expect[k];
    const d = actual[k];
    const diff = e && d ? differences(e, d, start) : ['missing'];
    if (diff.length === 0) {
      lines.push(`    ${k + 1}. ok       ${describeActual(d as Decision, start)}`);
      continue;
    }
    ok = false;
    if (e) lines.push(`    ${k + 1}. expected ${describeExpected(e)}`);
    if (d) {
      lines.push(`    ${k + 1}. actual   ${describeActual(d, start)}`);
      const failed = d.checks.filter((x) => !x.passed).map((x) => `${x.name}: ${x.detail}`);
      if (failed.length > 0) lines.push(`                failed checks: ${failed.join('; ')}`);
    } else lines.push(`    ${k + 1}. actual   (no decision)`);
    if (e && d) lines.push(`                ${diff.join('; ')}`);
  }
  return { name: c.name, ok, report: `${lines.join('\n')}\n` };
}

/** Formats a zod error of a test file as `file: path: message` lines. */
function formatIssues(file: string, error: z.ZodError): string {
  return error.issues
    .map(
      (i) =>
        `${file}: ${
          i.path
            .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
            .join('')
            .replace(/^\./, '') || '(root)'
        }: ${i.message}\n`,
    )
    .join('');
}

export const testCommand: Command = {
  name: 'test',
  usage: 'test [DIR]',
  summary: 'run the trigger tests DIR/tests/*.test.yaml against the triggers in DIR (default triggers/)',
  run: async (args: string[], io: CliIo) => {
    if (args.length > 1 || args.some((a) => a.startsWith('-'))) {
      io.err('usage: triggerctl test [DIR]\n');
      return 2;
    }
    const dir = args[0] ?? 'triggers';
    let defs;
    let files: string[];
    try {
      defs = await loadDefinitions(dir);
      files = (await readdir(join(dir, 'tests')))
        .filter((f) => f.endsWith('.test.yaml') || f.endsWith('.test.yml'))
        .sort();
    } catch (err) {
      io.err(`triggerctl test: cannot read ${dir}: ${(err as Error).message}\n`);
      return 2;
    }
    if (!defs.ok) {
      for (const e of defs.errors) io.err(`${formatDefinitionError(e)}\n`);
      io.err(`triggerctl test: ${dir} does not validate (run triggerctl validate ${dir})\n`);
      return 1;
    }
    if (files.length === 0) {
      io.err(`triggerctl test: no *.test.yaml files in ${join(dir, 'tests')}\n`);
      return 1;
    }
    let passed = 0;
    let failed = 0;
    for (const name of files) {
      const file = join(dir, 'tests', name);
      let parsed;
      try {
        parsed = fileSchema.safeParse(parseYaml(await readFile(file, 'utf8')));
      } catch (err) {
        io.err(`${file}: ${(err as Error).message}\n`);
        failed++;
        continue;
      }
      if (!parsed.success) {
        io.err(formatIssues(file, parsed.error));
        failed++;
        continue;
      }
      parsed.data.cases.forEach((c, i) => {
        const r = runCase(defs, c, i);
        if (r.ok) {
          passed++;
          io.out(`PASS ${file} › ${r.name}\n`);
        } else {
          failed++;
          io.out(`FAIL ${file} › ${r.name}\n${r.report}`);
        }
      });
    }
    io.out(`${passed} passed, ${failed} failed\n`);
    return failed === 0 ? 0 : 1;
  },
};
