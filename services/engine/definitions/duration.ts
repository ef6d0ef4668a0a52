import { z } from 'zod';

/** Milliseconds per unit of a duration string (spec/triggers.md: `250ms`, `30s`, `5m`, `48h`, `7d`). */
export const DURATION_UNITS_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export type DurationUnit = keyof typeof DURATION_UNITS_MS;

/** A whole number followed by one unit; no spaces, no fractions, no compound forms (`1h30m`: write `90m`). */
export const DURATION_PATTERN = /^(\d+)(ms|s|m|h|d)$/;

// Words people write instead of our units, mapped to the unit to suggest.
const UNIT_ALIASES: Record<string, DurationUnit | 'w'> = {
  msec: 'ms',
  msecs: 'ms',
  millisecond: 'ms',
  milliseconds: 'ms',
  sec: 's',
  secs: 's',
  second: 's',
  seconds: 's',
  min: 'm',
  mins: 'm',
  minute: 'm',
  minutes: 'm',
  hr: 'h',
  hrs: 'h',
  hour: 'h',
  hours: 'h',
  day: 'd',
  days: 'd',
  w: 'w',
  wk: 'w',
  week: 'w',
  weeks: 'w',
};

/** Parses a duration string into milliseconds; `undefined` when it is not a duration. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION_PATTERN.exec(text);
  if (!m) return undefined;
  const ms = Number(m[1]) * DURATION_UNITS_MS[m[2] as DurationUnit];
  return Number.isSafeInteger(ms) ? ms : undefined;
}

/**
 * The message for a value that is not a duration, with what to write instead:
 * `"24" is not a duration (use 24h; units: ms, s, m, h, d)`.
 */
export function durationMessage(input: unknown): string {
  const shown = typeof input === 'string' ? input : JSON.stringify(input);
  const units = 'units: ms, s, m, h, d';
  if (typeof input === 'number' && Number.isInteger(input) && input >= 0) {
    return `"${shown}" is not a duration (use ${input}h; ${units})`;
  }
  if (typeof input === 'string') {
    const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(input);
    if (m) {
      const amount = Number(m[1]);
      const word = (m[2] ?? '').toLowerCase();
      const unit = word === '' ? 'h' : (UNIT_ALIASES[word] ?? (word in DURATION_UNITS_MS ? word : undefined));
      if (unit !== undefined)
        return `"${shown}" is not a duration (use ${suggestion(amount, unit)}; ${units})`;
    }
  }
  return `${shown === undefined ? 'missing' : `"${shown}"`} is not a duration (write a whole number and a unit, e.g. 30s or 24h; ${units})`;
}

function suggestion(amount: number, unit: string): string {
  if (unit === 'w') return `${Math.round(amount * 7)}d`;
  if (Number.isInteger(amount)) return `${amount}${unit}`;
  // Fractions are not allowed: step down to the next smaller unit (1.5h -> 90m).
  const order: DurationUnit[] = ['d', 'h', 'm', 's', 'ms'];
  const i = order.indexOf(unit as DurationUnit);
  const smaller = order[Math.min(i + 1, order.length - 1)] as DurationUnit;
  const factor = DURATION_UNITS_MS[unit as DurationUnit] / DURATION_UNITS_MS[smaller];
  return `${Math.round(amount * factor)}${smaller}`;
}

/** Runs a refinement only when the earlier checks passed (no second message for one mistake). */
export function onlyIfValidSoFar(payload: { issues: readonly unknown[] }): boolean {
  return payload.issues.length === 0;
}

/** A duration field: a string with a unit. Bare numbers and malformed strings get {@link durationMessage}. */
export function durationSchema() {
  return z
    .string({ error: (iss) => durationMessage(iss.input) })
    .regex(DURATION_PATTERN, { error: (iss) => durationMessage(iss.input) })
    .refine((s) => parseDuration(s) !== undefined, {
      error: (iss) => `"${String(iss.input)}" is too long a duration`,
      when: onlyIfValidSoFar,
    })
    .describe('A duration: a whole number and a unit (ms, s, m, h, d), e.g. 250ms, 30s, 5m, 48h, 7d.');
}

/** `within` of a count: a duration, or `session` (count in the current event's sessionId). */
export const COUNT_WITHIN_PATTERN = /^(session|\d+(ms|s|m|h|d))$/;

export function countWithinSchema() {
  const message = (input: unknown) => `${durationMessage(input).replace(/\)$/, '')}, or session)`;
  return z
    .string({ error: (iss) => message(iss.input) })
    .regex(COUNT_WITHIN_PATTERN, { error: (iss) => message(iss.input) })
    .describe('A duration (e.g. 48h) or `session` to count within the current session.');
}

/** The shortest exact duration string for `ms` (e.g. 90_000 -> `90s`, 7_200_000 -> `2h`). */
export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const size = DURATION_UNITS_MS[unit];
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
